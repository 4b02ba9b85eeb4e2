package assignments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// The single-assignment resource's writes and reads. Every write holds the policy's lock,
// reads what it builds on fresh (GET …/assignments after the lock, through the run's ledger,
// ledger.go), records what it did in the ledger (for later writes of the run) and in private
// state (for the next run's reads), so that under Graph's read lag
// (internal/graph/NOTES.md#read-after-write-lag) no operation creates a phantom, forgets a
// destroy or loses another team's target.

const privateSingleKey = "single_written"

// singleWritten is what the resource's last write made, for the next run: when, and the key
// (target and filter) of the assignment it left. A read that does not show it within
// consistencyWindow of the write is replication lag, and is read again.
type singleWritten struct {
	At  time.Time `json:"at"`
	Key string    `json:"key"`
}

func (r *SingleResource) recordWrite(ctx context.Context, private privateSetter, e element, diags *diag.Diagnostics) {
	if raw, err := json.Marshal(singleWritten{At: r.data.clock().Now().UTC(), Key: r.f.identity(e)}); err == nil {
		diags.Append(private.SetKey(ctx, privateSingleKey, raw)...)
	}
}

func lastSingleWritten(ctx context.Context, p privateGetter) *singleWritten {
	raw, diags := p.GetKey(ctx, privateSingleKey)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var w singleWritten
	if json.Unmarshal(raw, &w) != nil {
		return nil
	}
	return &w
}

// awaitOwn re-reads policyID while the assignment with e's target (and filter) the
// resource's last write made (last, from private state) is not visible, for at most
// consistencyWindow after that write.
func (r *SingleResource) awaitOwn(ctx context.Context, client *graph.Client, pid string, e element, last *singleWritten, got []graph.Assignment) ([]graph.Assignment, error) {
	if last == nil || last.Key != r.f.identity(e) {
		return got, nil
	}
	return r.data.await(ctx, r.f, client, pid, last.At.Add(consistencyWindow), got, func(as []graph.Assignment) bool {
		_, ok := r.f.findByKey(as, e)
		return !ok
	})
}

// errNothingToSend: a rewrite's change found nothing to change; nothing is sent.
var errNothingToSend = errors.New("nothing to send")

// rewrite is the replace-all fallback for a service without the single-assignment routes
// (internal/graph/NOTES.md#refused-route). Right before each attempt of the assign action
// (after the client's pacer granted the write, and again before every retry:
// graph.AssignmentAPI.AssignBuilt) it reads the policy's assignments, through the run's
// ledger, and lets change build the whole direct set to send from them; the other
// assignments go back exactly as Graph sent them (graph.Assignment.Raw, every member
// included). retry tells change that an earlier attempt was sent and may have been applied.
// The caller holds the policy's lock. It returns the last body built and Graph's answer; an
// error of change (errNothingToSend included; errors.Is finds it) means that attempt was
// not sent.
func (r *SingleResource) rewrite(ctx context.Context, client *graph.Client, pid string,
	change func(direct []graph.Assignment, retry bool) ([]graph.Assignment, error)) (body, answer []graph.Assignment, err error) {
	api := r.f.api(client)
	attempts := 0
	answer, err = api.AssignBuilt(ctx, pid, func(ctx context.Context) ([]graph.Assignment, error) {
		current, err := api.List(ctx, pid)
		if err == nil {
			current, err = r.data.awaitRun(ctx, r.f, client, pid, current)
		}
		if err != nil {
			return nil, err
		}
		attempts++
		b, err := change(directOnly(current), attempts > 1)
		if err == nil {
			body = b
		}
		return b, err
	})
	if err == nil && r.f.Graph.AssignNoContent {
		// Answered 204 without the set (graph-families.md G1): read it back.
		answer, err = r.data.readBack(ctx, r.f, client, pid, body)
	}
	return body, answer, err
}

// confirmKept reads the policy after a replace-all write of body (already noted in the
// ledger) and warns when an assignment sent is not there: another process changed the
// policy between this write's read and its send (Graph has no ETag on assignments, so the
// window cannot be closed; internal/graph/NOTES.md#assign). answer is rewrite's: for a
// family whose assign answers 204 it is already a read made after the write (readBack),
// and is used instead of reading again.
func (r *SingleResource) confirmKept(ctx context.Context, client *graph.Client, summary, pid string, body, answer []graph.Assignment, diags *diag.Diagnostics) {
	after, err := answer, error(nil)
	if !r.f.Graph.AssignNoContent {
		after, err = r.f.api(client).List(ctx, pid)
		if err == nil {
			after, err = r.data.awaitRun(ctx, r.f, client, pid, after)
		}
	}
	if err != nil {
		diags.AddWarning(summary, "The write was applied, but reading the policy back to confirm that its other assignments "+
			"were kept failed: "+err.Error()+". Run terraform plan to see the policy's assignments.")
		return
	}
	lost := minus(r.f.keysOf(body), r.f.keysOf(after))
	if len(lost) == 0 {
		return
	}
	names := make([]string, len(lost))
	for i, k := range lost {
		names[i] = strings.ReplaceAll(k, "|", " ")
	}
	diags.AddWarning(summary, fmt.Sprintf("After this write, the policy no longer has assignments it had before it and that the write "+
		"sent back: %s. Another process (the Intune portal, another tool or another Terraform run) changed the policy between "+
		"this write's read and its send; Graph offers no way to make the two one step. The resources managing those assignments "+
		"show them to create again in their next plan.", strings.Join(names, "; ")))
}

func (r *SingleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
	ctx, cancel := withTimeout(ctx, req.Plan.GetAttribute, timeouts.Value.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	var policyID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	e := r.f.elementFrom(ctx, req.Plan.GetAttribute, &resp.Diagnostics)
	pid := policyID.ValueString()
	summary := fmt.Sprintf("Assigning %s %s to %s", r.f.PolicyNoun, pid, r.f.describe(e))
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		resp.State.RemoveResource(ctx)
		return
	}
	created, ok := r.create(ctx, client, summary, pid, e, &resp.Diagnostics)
	if !ok {
		resp.State.RemoveResource(ctx)
		return
	}
	r.setIdentity(ctx, resp.Identity, pid, created.ID, &resp.Diagnostics)
	r.setState(ctx, &resp.State, resp.Identity, pid, created.ID, e, &resp.Diagnostics)
	r.recordWrite(ctx, resp.Private, e, &resp.Diagnostics)
}

func (r *SingleResource) create(ctx context.Context, client *graph.Client, summary, pid string, e element, diags *diag.Diagnostics) (graph.Assignment, bool) {
	policyType, err := r.f.policyType(ctx, r.data, pid, []element{e})
	if err != nil {
		r.f.addGraphErrorTo(diags, summary, err, pid, "Nothing was changed: the policy's type, which decides how the assignment's settings are written, could not be read.")
		return graph.Assignment{}, false
	}
	a, err := r.f.toGraph(e, policyType)
	if err != nil {
		diags.AddError(summary, err.Error()+". Nothing was sent to Graph. This should have been caught at plan time; please report it.")
		return graph.Assignment{}, false
	}
	api := r.f.api(client)
	unlock, lerr := lockPolicy(ctx, r.f, pid)
	if lerr != nil {
		addLockError(diags, summary, lerr)
		return graph.Assignment{}, false
	}
	defer unlock()
	r.data.reader(r.f).Forget(pid)
	already := func(direct []graph.Assignment) error {
		if existing, ok := r.f.findByKey(direct, e); ok {
			diags.AddError(alreadyAssignedSummary(r.f, pid), r.f.alreadyAssignedDetail(pid, e, existing))
			return errNothingToSend
		}
		return nil
	}
	if !r.data.routeRefused(r.f, "create") && !r.f.Graph.SingleCreateRefused {
		// The route adds one assignment and sends nothing else, so this read only checks
		// for the target: it need not wait for the run's earlier writes to show.
		current, err := api.List(ctx, pid)
		if err != nil {
			r.f.addGraphErrorTo(diags, summary, err, pid, "Nothing was changed.")
			return graph.Assignment{}, false
		}
		if already(directOnly(current)) != nil {
			return graph.Assignment{}, false
		}
		got, err := api.Create(ctx, pid, a)
		switch {
		case err == nil:
			r.data.noteTarget(r.f, pid, got)
			r.data.noteWrite(r.f, pid, nil, []string{r.f.identity(e)})
			return got, true
		case !graph.IsRouteRefused(err):
			r.f.addGraphErrorTo(diags, summary, err, pid, writeOutcome(err))
			return graph.Assignment{}, false
		}
		r.data.setRouteRefused(r.f, "create")
	}
	// The service has no route for a single create: the policy's direct assignments, as
	// Graph sent them, plus this one, through the replace-all assign action.
	body, answer, err := r.rewrite(ctx, client, pid, func(direct []graph.Assignment, retry bool) ([]graph.Assignment, error) {
		if _, there := r.f.findByKey(direct, e); there && retry {
			return direct, nil // an earlier attempt was applied after all
		}
		if err := already(direct); err != nil {
			return nil, err
		}
		return append(direct, a), nil
	})
	switch {
	case errors.Is(err, errNothingToSend):
		return graph.Assignment{}, false
	case err != nil:
		r.f.addGraphErrorTo(diags, summary, err, pid, writeOutcome(err))
		return graph.Assignment{}, false
	}
	created, ok := r.f.findByKey(answer, e)
	if !ok {
		diags.AddError(summary, "Graph accepted the assign action, but its answer does not hold this assignment. "+
			"The write was applied as Graph answered; run terraform plan to see the policy's assignments.")
		return graph.Assignment{}, false
	}
	r.data.noteTarget(r.f, pid, created)
	r.data.noteWrite(r.f, pid, nil, []string{r.f.identity(e)})
	r.confirmKept(ctx, client, summary, pid, body, answer, diags)
	return created, true
}

func (r *SingleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var policyID, assignmentID types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrAssignmentID), &assignmentID)...)
	prior := r.f.elementFrom(ctx, req.State.GetAttribute, &resp.Diagnostics)
	pid := policyID.ValueString()
	summary := fmt.Sprintf("Reading an assignment of %s %s", r.f.PolicyNoun, pid)
	// The identity is the state's, also when the resource leaves the state: the framework
	// wants one after every read.
	r.keepIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, req.State.GetAttribute, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	// After an import the state has only the IDs; otherwise it also names the target.
	priorTarget := prior.known() && (!prior.Target.IsNull() || !prior.GroupID.IsNull() || !prior.CollectionID.IsNull())
	find := func(as []graph.Assignment) (graph.Assignment, bool) {
		found, ok := findByID(directOnly(as), assignmentID.ValueString())
		if !ok && priorTarget {
			found, ok = r.f.findByKey(as, prior)
		}
		return found, ok
	}
	got, _, err := r.data.reader(r.f).Get(ctx, pid)
	last := lastSingleWritten(ctx, req.Private)
	if _, ok := find(got); err == nil && !ok && priorTarget {
		// Not there: removed outside Terraform, or a write of the last run Graph does not
		// show yet.
		got, err = r.awaitOwn(ctx, client, pid, prior, last, got)
	}
	if graph.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // the policy is gone, and its assignments with it
		return
	}
	if err != nil {
		r.f.addGraphErrorTo(&resp.Diagnostics, summary, err, pid, "Nothing was changed: refreshing only reads.")
		return
	}
	found, ok := find(got)
	if !ok {
		resp.State.RemoveResource(ctx) // removed outside Terraform: the plan shows a create
		return
	}
	if last != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateSingleKey, nil)...) // seen: later reads need not wait
	}
	r.data.noteInState(r.f, pid, found.ID)
	var priorElems []element
	if priorTarget {
		priorElems = []element{prior}
	}
	elems, _ := r.f.reconcile(priorElems, []graph.Assignment{found})
	if len(elems) != 1 {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Assignment %s has a target this provider does not know (%s). Nothing was changed.", found.ID, found.Target.ODataType))
		return
	}
	r.setState(ctx, &resp.State, resp.Identity, pid, found.ID, elems[0], &resp.Diagnostics)
}

// Update changes what an in-place update can: the assignment filter (through the
// replace-all assign action, with the policy's other assignments as Graph sent them) or
// only the letter case of IDs (nothing is sent).
func (r *SingleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.State.Raw.Copy()
	ctx, cancel := withTimeout(ctx, req.Plan.GetAttribute, timeouts.Value.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	var policyID, assignmentID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrAssignmentID), &assignmentID)...)
	e := r.f.elementFrom(ctx, req.Plan.GetAttribute, &resp.Diagnostics)
	prior := r.f.elementFrom(ctx, req.State.GetAttribute, &resp.Diagnostics)
	pid := policyID.ValueString()
	summary := fmt.Sprintf("Updating the assignment of %s %s to %s", r.f.PolicyNoun, pid, r.f.describe(e))
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	policyType, err := r.f.policyType(ctx, r.data, pid, []element{e})
	if err != nil {
		r.f.addGraphErrorTo(&resp.Diagnostics, summary, err, pid, "Nothing was changed: the policy's type, which decides how the assignment's settings are written, could not be read.")
		return
	}
	a, err := r.f.toGraph(e, policyType)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error()+". Nothing was sent to Graph.")
		return
	}
	unlock, lerr := lockPolicy(ctx, r.f, pid)
	if lerr != nil {
		addLockError(&resp.Diagnostics, summary, lerr)
		return
	}
	defer unlock()
	r.data.reader(r.f).Forget(pid)
	last := lastSingleWritten(ctx, req.Private)
	var was element
	body, answer, err := r.rewrite(ctx, client, pid, func(direct []graph.Assignment, _ bool) ([]graph.Assignment, error) {
		idx := indexByID(direct, assignmentID.ValueString())
		if idx < 0 && last != nil {
			// The last run's write may not show yet: the resource knows what it made.
			if seen, werr := r.awaitOwn(ctx, client, pid, prior, last, direct); werr == nil {
				direct = directOnly(seen)
				idx = indexByID(direct, assignmentID.ValueString())
			}
		}
		if idx < 0 && !resp.Diagnostics.HasError() {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("Assignment %s is no longer on the policy (it was removed outside Terraform "+
				"after the plan). Nothing was sent to Graph and the state is as before; run terraform plan to create it again.", assignmentID.ValueString()))
		}
		if idx < 0 {
			return nil, errNothingToSend
		}
		was, _ = r.f.fromGraph(direct[idx])
		if r.f.holds(e, was, prior) {
			return nil, errNothingToSend // only the spelling changed: Graph already holds it
		}
		if r.f.identity(was) == r.f.identity(e) {
			// Only data fields change: Graph's assignment with the planned values over it,
			// and a null for each value the state holds that the plan no longer writes.
			kept := direct[idx]
			ms, err := r.f.fieldsToGraphOver(e, prior, policyType)
			if err != nil {
				return nil, err
			}
			kept.Members = ms
			direct[idx] = kept
		} else {
			direct[idx] = a
		}
		return direct, nil
	})
	switch {
	case errors.Is(err, errNothingToSend) && resp.Diagnostics.HasError():
		return
	case errors.Is(err, errNothingToSend):
	case err != nil:
		r.f.addGraphErrorTo(&resp.Diagnostics, summary, err, pid, writeOutcome(err))
		return
	default:
		updated, ok := r.f.findByKey(answer, e)
		if !ok {
			resp.Diagnostics.AddError(summary, "Graph accepted the assign action, but its answer does not hold the updated assignment; "+
				"run terraform plan to see the policy's assignments.")
			return
		}
		assignmentID = types.StringValue(updated.ID)
		r.data.noteWrite(r.f, pid, []string{r.f.identity(was)}, []string{r.f.identity(e)})
		r.confirmKept(ctx, client, summary, pid, body, answer, &resp.Diagnostics)
		r.recordWrite(ctx, resp.Private, e, &resp.Diagnostics)
	}
	resp.State.Raw = req.Plan.Raw.Copy()
	r.setState(ctx, &resp.State, resp.Identity, pid, assignmentID.ValueString(), e, &resp.Diagnostics)
}

func (r *SingleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var policyID, assignmentID types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrAssignmentID), &assignmentID)...)
	e := r.f.elementFrom(ctx, req.State.GetAttribute, &resp.Diagnostics)
	pid, aid := policyID.ValueString(), assignmentID.ValueString()
	summary := fmt.Sprintf("Removing the assignment %s of %s %s", aid, r.f.PolicyNoun, pid)
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, req.State.GetAttribute, timeouts.Value.Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	api := r.f.api(client)
	unlock, lerr := lockPolicy(ctx, r.f, pid)
	if lerr != nil {
		addLockError(&resp.Diagnostics, summary, lerr)
		return
	}
	defer unlock()
	// A create of this apply may own the target now (ownership.go): then the destroy sends
	// nothing, whatever order Terraform ran the two in.
	if o := r.data.ownerOf(r.f, pid); o.whole || o.createdTarget(r.f, e) {
		resp.Diagnostics.AddWarning(summary, fmt.Sprintf("Nothing was sent to Graph: %s, including %s. "+
			"This resource is only removed from the state.", o.keptBy(r.f), r.f.describe(e)))
		return
	}
	r.data.reader(r.f).Forget(pid)
	removed := func() { r.data.noteWrite(r.f, pid, []string{r.f.identity(e)}, nil) }
	stays := "\n\nThe resource stays in the state; run terraform destroy (or apply) again once the cause is fixed."
	if !r.data.routeRefused(r.f, "delete") {
		err := api.Delete(ctx, pid, aid)
		switch {
		case err == nil || graph.IsNotFound(err):
			removed()
			return
		case !graph.IsRouteRefused(err):
			resp.Diagnostics.AddError(summary, errorDetail(err, r.f, pid)+writeOutcome(err)+stays)
			return
		}
		r.data.setRouteRefused(r.f, "delete")
	}
	last := lastSingleWritten(ctx, req.Private)
	body, answer, err := r.rewrite(ctx, client, pid, func(direct []graph.Assignment, _ bool) ([]graph.Assignment, error) {
		if _, ok := r.f.findByKey(direct, e); !ok && last != nil {
			// Created by the last run and not visible yet: wait for it, or it would stay.
			if seen, werr := r.awaitOwn(ctx, client, pid, e, last, direct); werr == nil {
				direct = directOnly(seen)
			}
		}
		keep := make([]graph.Assignment, 0, len(direct))
		gone := true
		for _, c := range direct {
			if ce, ok := r.f.fromGraph(c); strings.EqualFold(c.ID, aid) || ok && r.f.targetKey(ce) == r.f.targetKey(e) {
				gone = false
				continue
			}
			keep = append(keep, c)
		}
		if gone {
			return nil, errNothingToSend
		}
		return keep, nil
	})
	switch {
	case errors.Is(err, errNothingToSend) || graph.IsNotFound(err):
		removed()
	case err != nil:
		resp.Diagnostics.AddError(summary, errorDetail(err, r.f, pid)+writeOutcome(err)+stays)
	default:
		removed()
		r.confirmKept(ctx, client, summary, pid, body, answer, &resp.Diagnostics)
	}
}

// indexByID is the index of the assignment with the given ID in as (IDs compare without
// regard to case), or -1.
func indexByID(as []graph.Assignment, id string) int {
	for i, a := range as {
		if strings.EqualFold(a.ID, id) {
			return i
		}
	}
	return -1
}
