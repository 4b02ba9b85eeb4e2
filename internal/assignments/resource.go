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
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

var (
	_ resource.Resource                   = &Resource{}
	_ resource.ResourceWithConfigure      = &Resource{}
	_ resource.ResourceWithImportState    = &Resource{}
	_ resource.ResourceWithValidateConfig = &Resource{}
	_ resource.ResourceWithModifyPlan     = &Resource{}
	_ resource.ResourceWithIdentity       = &Resource{}
)

// Resource is the authoritative assignments resource of one policy family.
type Resource struct {
	f    *Family
	data *ProviderData
}

// NewResource returns the resource factory for a family.
func NewResource(f *Family) func() resource.Resource {
	return func() resource.Resource { return &Resource{f: f} }
}

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.f.authoritativeSuffix()
}

func (r *Resource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.f.resourceSchema()
}

func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var set setValue
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("assignments"), &set)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.f.validate(ctx, set.SetValue, path.Root("assignments"))...)
}

// Default operation timeouts: long enough to ride out Intune throttling for a large
// rollout (a write may wait behind hundreds of others for the per-app write budget).
const (
	defaultWriteTimeout = 30 * time.Minute
	defaultReadTimeout  = 10 * time.Minute
)

// consistencyWindow bounds how long Read waits for Graph to show a set this provider just
// wrote, before it reports the difference as drift (Graph is eventually consistent).
var consistencyWindow = time.Minute

const privateWrittenKey = "written"

// written records the last successful write in private state for Read: when, the set
// Graph held just before it (read right before the write) and the set it answered. A read
// that still shows the before set is replication lag; anything else is real (drift, or
// the write itself).
type written struct {
	At     time.Time `json:"at"`
	Before []string  `json:"before"`
	Keys   []string  `json:"keys"`
}

type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

type privateGetter interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

// ModifyPlan, in order: nothing for a destroy; refuse a second resource of the family for
// the same policy; on create, read the policy's assignments so that the plan fails on a
// wrong sign-in or policy ID and warns about the assignments the create will remove.
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var policyID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	if resp.Diagnostics.HasError() || policyID.IsUnknown() || policyID.IsNull() {
		return // known only after apply: nothing to check or read yet
	}
	id := policyID.ValueString()
	if r.data != nil {
		ok, first, single := r.data.claim(r.f, id, req.Config.Raw, !req.State.Raw.IsNull())
		if !ok && single {
			resp.Diagnostics.AddAttributeError(path.Root(r.f.PolicyIDAttribute), mixedModelsSummary(r.f, id), mixedModelsDetail(r.f, id, first))
			return
		}
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root(r.f.PolicyIDAttribute),
				fmt.Sprintf("%s %s is managed by two resources", upperFirst(r.f.PolicyNoun), id),
				fmt.Sprintf("Another %s resource in this configuration also manages %s %s (its %s is written %q; IDs compare "+
					"without regard to case). Each of them replaces the policy's whole set of direct assignments, so they would "+
					"overwrite each other on every apply and every plan would show a change. Nothing was changed in Intune.\n\n"+
					"Keep one %s resource per policy and move the assignments of both into it, for example "+
					"assignments = concat(local.team_a, local.team_b), or a for expression over each team's list.",
					r.f.resourceType(), r.f.PolicyNoun, id, r.f.PolicyIDAttribute, first, r.f.resourceType()))
			return
		}
	}
	r.checkPlannedWrite(ctx, req, resp, id)
	if resp.Diagnostics.HasError() {
		return
	}
	// A new policy ID replaces the resource: for that policy the plan is a create.
	creating := req.State.Raw.IsNull()
	if !creating {
		var priorID types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &priorID)...)
		creating = !strings.EqualFold(priorID.ValueString(), id)
		if !creating {
			r.noteSpellingOnly(ctx, req, resp, priorID.ValueString(), id)
		}
	}
	if !creating || r.data == nil || r.data.Client == nil {
		// Update: the refresh has just read the policy. No client: the provider's own
		// arguments are unknown until apply, so there is nothing to read with yet.
		return
	}

	summary := fmt.Sprintf("Planning the assignments of %s %s", r.f.PolicyNoun, id)
	ctx, cancel := withTimeout(ctx, req.Config.GetAttribute, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	current, _, err := r.data.reader(r.f).Get(ctx, id)
	if graph.IsNotFound(err) {
		r.f.warnPolicyGone(&resp.Diagnostics, err, id)
		return
	}
	if err != nil {
		r.addGraphError(&resp.Diagnostics, summary, err, id, "Nothing was changed: the plan only reads the policy.")
		return
	}
	remote, unsupported := r.f.reconcile(nil, directOnly(current))
	r.warnUnsupported(unsupported, id, &resp.Diagnostics)

	var set setValue
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("assignments"), &set)...)
	if resp.Diagnostics.HasError() || set.IsUnknown() || len(remote) == 0 {
		return
	}
	planned, _, d := r.f.elementsFromSet(ctx, set.SetValue)
	resp.Diagnostics.Append(d...)
	removed, unsure := r.f.removedBy(remote, planned)
	if len(removed) == 0 {
		return
	}
	will := "the apply will remove them"
	if unsure {
		will = "unless they match assignments whose values are known only after apply, the apply will remove them"
	}
	resp.Diagnostics.AddWarning(fmt.Sprintf("Creating this resource removes existing assignments of %s %s", r.f.PolicyNoun, id),
		fmt.Sprintf("The policy already has direct assignments that the configuration does not list; %s:\n  %s\n\n"+
			"To keep them, list them in assignments, or adopt the policy's current assignments first with an import block "+
			"(import { to = %s.<name>, id = %q }) or terraform import %s.<name> %s, then plan again.",
			will, strings.Join(removed, "\n  "), r.f.resourceType(), id, r.f.resourceType(), id))
}

// checkPlannedWrite runs the plan-time checks that need Graph on what the plan will write:
// the kind of each filter the plan adds (Family.FilterKind), and, when the plan writes at
// all, that no policy set holds a policy whose assignments have no source
// (Family.guardsPolicySets). Each costs one read per run at most (plancheck.go); a plan
// that writes nothing reads nothing.
func (r *Resource) checkPlannedWrite(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, policyID string) {
	if r.data == nil || r.data.Client == nil {
		return
	}
	var planSet, priorSet setValue
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("assignments"), &planSet)...)
	var prior []element
	samePolicy := false
	if !req.State.Raw.IsNull() {
		var priorID types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &priorID)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("assignments"), &priorSet)...)
		samePolicy = strings.EqualFold(priorID.ValueString(), policyID)
		if samePolicy && !priorSet.IsNull() && !priorSet.IsUnknown() {
			prior, _, _ = r.f.elementsFromSet(ctx, priorSet.SetValue)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	writes := !samePolicy || planSet.IsUnknown()
	if !planSet.IsUnknown() && !planSet.IsNull() {
		planned, objs, d := r.f.elementsFromSet(ctx, planSet.SetValue)
		resp.Diagnostics.Append(d...)
		if d.HasError() {
			return
		}
		writes = writes || !r.f.sameSet(prior, planned)
		held := map[string]bool{}
		for _, k := range r.f.keys(prior) {
			held[k] = true
		}
		var added []element
		var addedObjs []types.Object
		for i, e := range planned {
			if !held[r.f.key(e)] {
				added, addedObjs = append(added, e), append(addedObjs, objs[i])
			}
		}
		at := func(i int) path.Path { return path.Root("assignments").AtSetValue(addedObjs[i]) }
		r.f.checkFilterKinds(ctx, r.data, added, at, &resp.Diagnostics)
		r.f.checkPolicy(ctx, r.data, policyID, added, at, &resp.Diagnostics)
	}
	if writes {
		r.f.refuseInPolicySet(ctx, r.data, policyID, &resp.Diagnostics)
	}
}

// noteSpellingOnly warns, on an update, when the only change is the letter case of IDs:
// Terraform shows the new spelling (inside the set as an element removed and one added),
// and the reviewer should know that the apply sends nothing.
// priorID and id are the same policy in any spelling (the caller checked).
func (r *Resource) noteSpellingOnly(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, priorID, id string) {
	var priorSet, planSet setValue
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("assignments"), &priorSet)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("assignments"), &planSet)...)
	if resp.Diagnostics.HasError() || priorSet.IsNull() || planSet.IsUnknown() || planSet.IsNull() {
		return
	}
	prior, _, d1 := r.f.elementsFromSet(ctx, priorSet.SetValue)
	planned, _, d2 := r.f.elementsFromSet(ctx, planSet.SetValue)
	if d1.HasError() || d2.HasError() {
		return
	}
	for _, e := range planned {
		if e.hasUnknown() {
			return
		}
	}
	if !r.f.sameSet(prior, planned) {
		return
	}
	if priorID == id && priorSet.Equal(planSet) {
		return // nothing changed at all
	}
	resp.Diagnostics.AddWarning(fmt.Sprintf("Only the letter case of IDs changed for %s %s", r.f.PolicyNoun, id),
		"The plan shows an update because the configuration spells some IDs differently from the state (inside assignments "+
			"an element appears removed and added again). Graph IDs compare without regard to case, so the policy keeps exactly "+
			"the same assignments: the apply sends nothing to Graph and only records the new spelling.")
}

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	// The state starts as the plan, so `timeouts` and `id` are recorded as planned; on any
	// failure it is emptied again, so a failed create records (and taints) nothing.
	resp.State.Raw = req.Plan.Raw.Copy()
	ctx, cancel := withTimeout(ctx, req.Plan.GetAttribute, timeouts.Value.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	ok := r.create(ctx, req.Plan, &resp.State, resp.Identity, resp.Private, &resp.Diagnostics)
	if !ok {
		resp.State.RemoveResource(ctx)
	}
}

func (r *Resource) create(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, identity *tfsdk.ResourceIdentity, private privateSetter, diags *diag.Diagnostics) bool {
	p := r.readPlan(ctx, plan, diags)
	summary := fmt.Sprintf("Assigning %s %s", r.f.PolicyNoun, p.policyID)
	client := r.data.requireClient(summary, diags)
	if diags.HasError() || client == nil {
		return false
	}
	unlock, lerr := lockPolicy(ctx, r.f, p.policyID)
	if lerr != nil {
		addLockError(diags, summary, lerr)
		return false
	}
	defer unlock()
	// Check the policy exists before changing anything, and learn what it holds: the
	// resource takes over those assignments, and the plan has warned about them.
	current, err := r.data.reader(r.f).Fresh(ctx, p.policyID)
	if err == nil {
		current, err = r.data.awaitRun(ctx, r.f, client, p.policyID, current)
	}
	if err != nil {
		r.addGraphError(diags, summary, err, p.policyID, "Nothing was changed.")
		return false
	}
	before, _ := r.f.reconcile(nil, directOnly(current))
	replaced := r.f.difference(before, p.elems)
	got, ok := r.assign(ctx, client, summary, p, current, nil, true, diags)
	if !ok || diags.HasError() {
		// Nothing recorded, also after a per-assignment write that stopped part-way: state
		// from a failed create would taint the resource, and the next apply would remove
		// what was applied only to add it again. The next plan shows the create again, and
		// its apply adds only what Graph does not hold yet (write.go).
		return false
	}
	if len(replaced) > 0 {
		diags.AddWarning(fmt.Sprintf("Replaced existing assignments of %s %s", r.f.PolicyNoun, p.policyID),
			"The policy had direct assignments that the configuration does not list; they were removed: "+
				orNone(replaced)+". To adopt a policy's assignments instead, import it first (terraform import, or an import block).")
	}
	r.data.noteWhole(r.f, p.policyID)
	r.data.noteWrite(r.f, p.policyID, minus(r.f.identities(before), r.f.identities(got)), r.f.identities(got))
	r.recordWrite(ctx, private, before, got, diags)
	r.setState(ctx, state, identity, p.id, p.policyID, r.settle(summary, p.elems, got, diags), diags)
	return true
}

// settle is the one rule for what a write records when Graph's answer differs from the
// plan (Create and Update alike): the state records the plan, a warning names the
// difference, and the next refresh reads what Graph holds, so the plan after it shows the
// difference as an in-place update. Recording the answer instead would break Terraform's
// rule that an apply produces the planned values ("Provider produced inconsistent result"),
// and an error would taint a new resource (the next apply would replace it: unassign
// everything, then assign again). What Graph answered goes to the ledger and private state
// (recordWrite), so the next read is compared with the truth, not with the plan.
func (r *Resource) settle(summary string, plan, got []element, diags *diag.Diagnostics) []element {
	missing, extra := r.f.difference(plan, got), r.f.difference(got, plan)
	if len(missing)+len(extra) == 0 {
		return got // Graph's answer, in the plan's spelling (reconcile)
	}
	diags.AddWarning(summary, answerDiffers(missing, extra)+
		"\n\nThe state records the plan; the next terraform plan reads the policy again and shows the difference as an update.")
	return plan
}

func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Until the update succeeds the state is the prior one: an apply that stops keeps it.
	resp.State.Raw = req.State.Raw.Copy()
	ctx, cancel := withTimeout(ctx, req.Plan.GetAttribute, timeouts.Value.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()

	p := r.readPlan(ctx, req.Plan, &resp.Diagnostics)
	var priorSet setValue
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("assignments"), &priorSet)...)
	prior, _, d := r.f.elementsFromSet(ctx, priorSet.SetValue)
	resp.Diagnostics.Append(d...)
	summary := fmt.Sprintf("Assigning %s %s", r.f.PolicyNoun, p.policyID)
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}

	unlock, lerr := lockPolicy(ctx, r.f, p.policyID)
	if lerr != nil {
		addLockError(&resp.Diagnostics, summary, lerr)
		return
	}
	defer unlock()
	// What Graph holds right now, not what the plan assumed: a change made since the plan
	// must not be overwritten unseen, and a set Graph already holds need not be sent.
	current, err := r.data.reader(r.f).Fresh(ctx, p.policyID)
	if err == nil {
		if last := lastWritten(ctx, req.Private); last != nil {
			current, err = r.awaitConsistency(ctx, client, p.policyID, last, current)
		}
	}
	if err == nil {
		current, err = r.data.awaitRun(ctx, r.f, client, p.policyID, current)
	}
	if err != nil {
		r.addGraphError(&resp.Diagnostics, summary, err, p.policyID, "Nothing was changed; the state is as before.")
		return
	}
	// Fields Graph does not read back compare with what was last written (the state). An
	// assignment the plan removes or changes in identity (an app's group moving from
	// available to required) is read against the state's, so what Graph fills in matches it.
	basis := append([]element{}, p.elems...)
	planned := map[string]bool{}
	for _, e := range p.elems {
		planned[r.f.identity(e)] = true
	}
	for _, e := range prior {
		if !planned[r.f.identity(e)] {
			basis = append(basis, e)
		}
	}
	now, unsupported := r.f.reconcileWritten(basis, directOnly(current), prior)
	// Whether Graph still holds what the plan started from is read against the state's
	// values: read against the plan's, a value the plan stops writing would pass unseen.
	stateBasis := append([]element{}, prior...)
	inState := map[string]bool{}
	for _, e := range prior {
		inState[r.f.identity(e)] = true
	}
	for _, e := range p.elems {
		if !inState[r.f.identity(e)] {
			stateBasis = append(stateBasis, e)
		}
	}
	held, _ := r.f.reconcileWritten(stateBasis, directOnly(current), prior)
	switch {
	case r.f.sameSet(now, p.elems) && len(unsupported) == 0 && !r.f.drops(p.elems, prior):
		// Graph already holds exactly the planned targets (a change of spelling, of
		// timeouts, or a change someone else made meanwhile): send nothing, record the plan.
		tflog.Info(ctx, "Graph already holds the planned assignments; nothing sent", map[string]any{"policy_id": p.policyID})
		r.data.noteWhole(r.f, p.policyID)
		resp.State.Raw = req.Plan.Raw.Copy()
		// Terraform before 1.12 passes no planned identity to carry over.
		r.setIdentity(ctx, resp.Identity, p.policyID, &resp.Diagnostics)
		return
	case !r.f.sameSet(held, prior):
		resp.Diagnostics.AddError(fmt.Sprintf("%s %s changed since the plan", upperFirst(r.f.PolicyNoun), p.policyID),
			fmt.Sprintf("The policy's direct assignments in Intune are no longer those this plan was based on.\n"+
				"  In Intune now, not in what the plan started from: %s\n  In what the plan started from, no longer in Intune: %s\n\n"+
				"Someone changed them after the plan read them (the Intune portal, another tool or another Terraform run), "+
				"or the plan was made with -refresh=false from an outdated state. Applying the plan would overwrite a change "+
				"it did not show, so nothing was sent to Graph and the state is as before.\n\n"+
				"Run terraform plan again to review the current assignments, then apply the new plan.",
				orNone(r.f.difference(held, prior)), orNone(r.f.difference(prior, held))))
		return
	}
	got, ok := r.assign(ctx, client, summary, p, current, prior, false, &resp.Diagnostics)
	if ok && resp.Diagnostics.HasError() {
		// A per-assignment write stopped part-way: the state holds what Graph holds, so
		// the next plan shows the rest.
		r.data.noteWhole(r.f, p.policyID)
		r.recordWrite(ctx, resp.Private, now, got, &resp.Diagnostics)
		r.setState(ctx, &resp.State, resp.Identity, p.id, p.policyID, got, &resp.Diagnostics)
		return
	}
	if !ok {
		return
	}
	r.data.noteWhole(r.f, p.policyID)
	r.data.noteWrite(r.f, p.policyID, minus(r.f.identities(now), r.f.identities(got)), r.f.identities(got))
	r.recordWrite(ctx, resp.Private, now, got, &resp.Diagnostics)
	resp.State.Raw = req.Plan.Raw.Copy()
	r.setState(ctx, &resp.State, resp.Identity, p.id, p.policyID, r.settle(summary, p.elems, got, &resp.Diagnostics), &resp.Diagnostics)
}

// planned is a plan read for a write: the policy, the state's `id` as planned (unknown on
// create) and the assignments with their set elements, for diagnostics that point at one.
type planned struct {
	id, policyID string
	elems        []element
	objs         []types.Object
}

func (r *Resource) readPlan(ctx context.Context, plan tfsdk.Plan, diags *diag.Diagnostics) planned {
	var id, policyID types.String
	var set setValue
	diags.Append(plan.GetAttribute(ctx, path.Root("id"), &id)...)
	diags.Append(plan.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	diags.Append(plan.GetAttribute(ctx, path.Root("assignments"), &set)...)
	p := planned{id: policyID.ValueString(), policyID: policyID.ValueString()}
	if !id.IsNull() && !id.IsUnknown() {
		p.id = id.ValueString()
	}
	if diags.HasError() {
		return p
	}
	var d diag.Diagnostics
	p.elems, p.objs, d = r.f.elementsFromSet(ctx, set.SetValue)
	diags.Append(d...)
	return p
}

// assign sends the planned set with the replace-all assign action and returns what Graph
// answered, reconciled with the plan's spelling. ok is false after an error diagnostic;
// Graph then answered with an error and applied nothing (or, without an answer, may have).
//
// An element Graph already holds (current, read fresh under the policy's lock) is sent back
// as Graph sent it (graph.Assignment.Raw): members the provider does not model, such as a
// Cloud PC target's Frontline allotment or settings other tools set, survive a rewrite of
// the set.
func (r *Resource) assign(ctx context.Context, client *graph.Client, summary string, p planned, current []graph.Assignment, written []element, creating bool, diags *diag.Diagnostics) ([]element, bool) {
	held := map[string]graph.Assignment{}
	for _, a := range directOnly(current) {
		if k := r.f.keyOf(a); k != "" {
			if _, dup := held[k]; !dup {
				held[k] = a
			}
		}
	}
	policyType, err := r.f.policyType(ctx, r.data, p.policyID, p.elems)
	if err != nil {
		r.addGraphError(diags, summary, err, p.policyID, "Nothing was changed: the policy's type, which decides how its assignment settings are written, could not be read.")
		return nil, false
	}
	was := map[string]element{}
	for _, e := range written {
		was[r.f.identity(e)] = e
	}
	desired := make([]graph.Assignment, 0, len(p.elems))
	for _, e := range p.elems {
		if a, ok := held[r.f.identity(e)]; ok {
			// Graph's assignment, with the values the plan writes over it (an unchanged one
			// goes back as Graph sent it; a NotReadBack field is always written), and a null
			// for each value the state holds that the plan no longer writes.
			ms, err := r.f.fieldsToGraphOver(e, was[r.f.identity(e)], policyType)
			if err != nil {
				diags.AddAttributeError(path.Root("assignments"), summary, err.Error()+". Nothing was sent to Graph.")
				return nil, false
			}
			a.Members = ms
			desired = append(desired, a)
			continue
		}
		a, err := r.f.toGraph(e, policyType)
		if err != nil {
			diags.AddAttributeError(path.Root("assignments"), summary,
				err.Error()+". Nothing was sent to Graph. This should have been caught at plan time; please report it.")
			return nil, false
		}
		desired = append(desired, a)
	}
	r.data.reader(r.f).Forget(p.policyID)
	got, err := r.data.write(ctx, r.f, client, p.policyID, desired)
	var pe *partialWriteError
	if errors.As(err, &pe) {
		// Part of a per-assignment write was applied: the caller records what Graph holds.
		diags.AddError(summary, pe.Details()+"\n\n"+pe.outcome(creating))
		held, _ := r.f.reconcile(p.elems, directOnly(pe.Held))
		return held, pe.ReadErr == nil && pe.Held != nil
	}
	if err != nil {
		detail := errorDetail(err, r.f, p.policyID) + writeOutcome(err)
		if i := r.f.blame(err, p.elems); i >= 0 {
			diags.AddAttributeError(path.Root("assignments").AtSetValue(p.objs[i]), summary,
				detail+"\n\nThe error names this assignment: "+r.f.describe(p.elems[i])+".")
			return nil, false
		}
		diags.AddError(summary, detail)
		return nil, false
	}
	elems, unsupported := r.f.reconcile(p.elems, directOnly(got))
	r.warnUnsupported(unsupported, p.policyID, diags)
	return elems, true
}

// writeOutcome says what a failed write left changed, when the error itself does not: an
// answer of 4xx means Graph refused and applied nothing; a 5xx leaves it open. Errors
// without an answer (NotSentError, a dropped connection) say it in their own details.
func writeOutcome(err error) string {
	var pe *partialWriteError
	if errors.As(err, &pe) {
		return "" // its details say what was applied
	}
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.StatusCode == 0 {
		return ""
	}
	if ge.StatusCode >= 500 {
		return "\n\nGraph answered with a server error, so it may or may not have applied the request; the next terraform plan shows what it holds."
	}
	return "\n\nGraph refused the request, so nothing was changed in Intune."
}

func answerDiffers(missing, extra []string) string {
	return fmt.Sprintf("Graph accepted the write, but the assignments it holds afterwards (its answer, or a read after a "+
		"204 or a per-assignment write) differ from the plan.\n"+
		"  Not assigned: %s\n  Unexpected:   %s", orNone(missing), orNone(extra))
}

// recordWrite keeps what Read needs to tell replication lag from drift (see written).
func (r *Resource) recordWrite(ctx context.Context, private privateSetter, before, after []element, diags *diag.Diagnostics) {
	if raw, err := json.Marshal(written{At: r.data.clock().Now().UTC(), Before: r.f.identities(before), Keys: r.f.identities(after)}); err == nil {
		diags.Append(private.SetKey(ctx, privateWrittenKey, raw)...)
	}
}

func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var id, policyID types.String
	var set setValue
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("assignments"), &set)...)
	summary := fmt.Sprintf("Reading assignments of %s %s", r.f.PolicyNoun, policyID.ValueString())
	// The identity is the state's policy, also when the resource leaves the state: the
	// framework wants one after every read, and before Terraform 1.12 (which stores none)
	// nothing else provides it.
	r.setIdentity(ctx, resp.Identity, policyID.ValueString(), &resp.Diagnostics)
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, req.State.GetAttribute, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()

	var prior []element
	havePrior := !set.IsNull() && !set.IsUnknown()
	if havePrior {
		var diags diag.Diagnostics
		prior, _, diags = r.f.elementsFromSet(ctx, set.SetValue)
		resp.Diagnostics.Append(diags...)
	}

	pid := policyID.ValueString()
	last := lastWritten(ctx, req.Private)
	got, listed, err := r.data.reader(r.f).Get(ctx, pid)
	if err == nil && listed && havePrior && !r.f.sameSet(prior, r.f.remote(got)) {
		// A listing that differs from the state: drift, or a listing that left
		// assignments out. The policy's own /assignments tells which.
		got, err = r.data.reader(r.f).Confirm(ctx, pid, got, r.f.sameRemote)
	}
	if err == nil && last != nil {
		got, err = r.awaitConsistency(ctx, client, pid, last, got)
		if err == nil {
			// Seen; later reads need not wait.
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateWrittenKey, nil)...)
		}
	}
	if graph.IsNotFound(err) {
		// Only a real "not found" means the policy is gone; anything else is an error.
		tflog.Warn(ctx, "policy not found, removing from state", map[string]any{"policy_id": pid})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		r.addGraphError(&resp.Diagnostics, summary, err, pid, "Nothing was changed: refreshing only reads.")
		return
	}
	elems, unsupported := r.f.reconcile(prior, directOnly(got))
	r.warnUnsupported(unsupported, pid, &resp.Diagnostics)
	stateID := pid
	if !id.IsNull() && !id.IsUnknown() && id.ValueString() != "" {
		stateID = id.ValueString() // import sets it; a change of spelling keeps it
	}
	r.setState(ctx, &resp.State, resp.Identity, stateID, pid, elems, &resp.Diagnostics)
}

func lastWritten(ctx context.Context, p privateGetter) *written {
	raw, diags := p.GetKey(ctx, privateWrittenKey)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var w written
	if json.Unmarshal(raw, &w) != nil {
		return nil
	}
	return &w
}

// awaitConsistency re-reads while Graph still shows the set from before this provider's
// last write (recorded in private state by the previous run), for at most
// consistencyWindow after that write: a plan right after an apply must not report Graph's
// replication lag as drift. Any other answer (the written set, or a change made elsewhere)
// is taken at once. It returns an error when ctx ends first (ledger.go, await).
func (r *Resource) awaitConsistency(ctx context.Context, client *graph.Client, policyID string, last *written, got []graph.Assignment) ([]graph.Assignment, error) {
	want, stale := strings.Join(last.Keys, "\n"), strings.Join(last.Before, "\n")
	return r.data.await(ctx, r.f, client, policyID, last.At.Add(consistencyWindow), got, func(as []graph.Assignment) bool {
		seen := r.f.keySet(as)
		return seen != want && seen == stale
	})
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var policyID types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	summary := fmt.Sprintf("Removing the assignments of %s %s", r.f.PolicyNoun, policyID.ValueString())
	client := r.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, req.State.GetAttribute, timeouts.Value.Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	pid := policyID.ValueString()
	unlock, lerr := lockPolicy(ctx, r.f, pid)
	if lerr != nil {
		addLockError(&resp.Diagnostics, summary, lerr)
		return
	}
	defer unlock()
	// A create of this apply may have written the policy first (ownership.go): the
	// destroy then leaves what it wrote.
	keep := []graph.Assignment{}
	if o := r.data.ownerOf(r.f, pid); o.whole || len(o.targets) > 0 {
		if o.whole {
			resp.Diagnostics.AddWarning(summary, fmt.Sprintf("Nothing was sent to Graph: %s. The assignments it wrote stay; "+
				"this resource is only removed from the state.", o.keptBy(r.f)))
			return
		}
		keep = o.targets
		resp.Diagnostics.AddWarning(summary, fmt.Sprintf("The policy's other direct assignments were removed, but not these: %s.", o.keptBy(r.f)))
	}
	if r.f.guardsPolicySets() {
		// Clearing the set would also remove what a policy set assigned, which reads as
		// direct here (graph-families.md G8): for a policy in a set, send nothing.
		sets, err := r.data.policySetsHolding(ctx, pid)
		if err != nil {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("Before removing the assignments of %s %s the provider checks that no policy set "+
				"holds it (its assignments carry no source, so a policy set's could not be told apart). That read failed: %s\n\n"+
				"Nothing was sent to Graph and the resource stays in the state. Grant DeviceManagementApps.Read.All if it is missing "+
				"and run the destroy again, or forget the resource without touching Intune with a removed block "+
				"(removed { from = <address>, lifecycle { destroy = false } }).", r.f.PolicyNoun, pid, errorDetail(err, r.f, pid)))
			return
		}
		if sets != "" {
			resp.Diagnostics.AddWarning(summary, fmt.Sprintf("Nothing was sent to Graph: %s %s is an item of the policy set %s, and its "+
				"assignments carry no source, so the ones the policy set made cannot be told apart from direct ones. "+
				"This resource is only removed from the state; remove any direct assignments you no longer want in the Intune portal, "+
				"or with %s resources.", r.f.PolicyNoun, pid, sets, r.f.singleType()))
			return
		}
	}
	r.data.reader(r.f).Forget(pid)
	_, err := r.data.write(ctx, r.f, client, pid, keep)
	if err == nil {
		// What the state held is gone (and the lag may still show it to a later read).
		var set setValue
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("assignments"), &set)...)
		if !set.IsNull() && !set.IsUnknown() {
			held, _, _ := r.f.elementsFromSet(ctx, set.SetValue)
			r.data.noteWrite(r.f, pid, minus(r.f.identities(held), r.f.keysOf(keep)), r.f.keysOf(keep))
		}
	}
	if err != nil && !graph.IsNotFound(err) {
		resp.Diagnostics.AddError(summary, errorDetail(err, r.f, pid)+writeOutcome(err)+
			"\n\nThe resource stays in the state; run terraform destroy (or apply) again once the cause is fixed.")
	}
}

// warnPolicyGone reports, in a plan, that the policy of a resource to be created does not
// exist. It is a warning, not an error: Terraform's destroy starts with a normal plan, in
// which a resource whose policy was deleted is planned as a create, and an error there
// would make the destroy (and plan -destroy) impossible. The apply's create fails before
// sending anything, with the same explanation.
func (f *Family) warnPolicyGone(diags *diag.Diagnostics, err error, policyID string) {
	diags.AddAttributeWarning(path.Root(f.PolicyIDAttribute), fmt.Sprintf("%s %s does not exist", upperFirst(f.PolicyNoun), policyID), errorDetail(err, f, policyID)+
		"\n\nNothing was changed: the plan only reads the policy. An apply of this plan will fail for this resource "+
		"without sending anything; destroy, plan -refresh-only and removing the block work as usual.")
}

// IdentitySchema: a resource is identified by its policy's ID alone (Terraform 1.12+:
// list results, `import { identity = {...} }`). The identity holds the ID in lower case,
// as Graph compares it, so a change of letter case is not a change of identity.
func (r *Resource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		r.f.PolicyIDAttribute: identityschema.StringAttribute{RequiredForImport: true,
			Description: "ID of the " + r.f.PolicyNoun + " (a GUID)."},
	}}
}

func (r *Resource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, policyID string, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), strings.ToLower(policyID))...)
}

// ImportState takes the policy ID from `terraform import`'s ID, an import block's `id`, or
// an import block's `identity`; one parser (parsePolicyID) checks all three.
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw, from := req.ID, "Import takes the "+r.f.PolicyNoun+" ID"
	if raw == "" && req.Identity != nil {
		var v types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &v)...)
		raw, from = v.ValueString(), "The import identity's "+r.f.PolicyIDAttribute+" takes the "+r.f.PolicyNoun+" ID"
	}
	id, ok := parsePolicyID(raw)
	if !ok {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("%s, a GUID such as 11111111-2222-3333-4444-555555555555; got %q. "+
				"Nothing was imported and nothing was sent to Graph. The ID is in the Intune admin center's address bar "+
				"when the policy is open; to find it by name, use the %s data source (its id).", from, raw, "intune_"+r.f.Stem))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), id)...)
	r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// parsePolicyID is the one parser of policy IDs given outside a configuration (import IDs
// and identities): surrounding space is dropped, and the rest must be a GUID.
func parsePolicyID(raw string) (string, bool) {
	id := strings.TrimSpace(raw)
	return id, guidPattern.MatchString(id)
}

type getAttributeFunc func(context.Context, path.Path, interface{}) diag.Diagnostics

// withTimeout bounds one operation by the resource's `timeouts` setting for it (pick is
// timeouts.Value.Create, .Read, ...), or by the default.
func withTimeout(ctx context.Context, get getAttributeFunc,
	pick func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	var to timeouts.Value
	diags.Append(get(ctx, path.Root("timeouts"), &to)...)
	d, ds := pick(to, ctx, def)
	diags.Append(ds...)
	return context.WithTimeout(ctx, d)
}

func (r *Resource) setState(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, id, policyID string, elems []element, diags *diag.Diagnostics) {
	r.setIdentity(ctx, identity, policyID, diags)
	set, d := r.f.setFromElements(elems)
	diags.Append(d...)
	diags.Append(state.SetAttribute(ctx, path.Root("id"), id)...)
	diags.Append(state.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), policyID)...)
	diags.Append(state.SetAttribute(ctx, path.Root("assignments"), set)...)
}

// addGraphError reports a failed Graph call: a missing policy on the policy ID attribute,
// anything else as an error; changed says what the failure left changed, e.g. "Nothing was
// changed.", when the error itself cannot say it (a NotSentError says it itself).
func (r *Resource) addGraphError(diags *diag.Diagnostics, summary string, err error, policyID, changed string) {
	detail := errorDetail(err, r.f, policyID)
	var ns *graph.NotSentError
	if !errors.As(err, &ns) && changed != "" {
		detail += "\n\n" + changed
	}
	if graph.IsNotFound(err) {
		diags.AddAttributeError(path.Root(r.f.PolicyIDAttribute), summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

func (r *Resource) warnUnsupported(as []graph.Assignment, policyID string, diags *diag.Diagnostics) {
	for _, a := range as {
		diags.AddWarning(fmt.Sprintf("Unsupported assignment on %s %s", r.f.PolicyNoun, policyID),
			fmt.Sprintf("Assignment %s targets %s, which this resource cannot represent. The next apply replaces the policy's direct assignments and will remove it.",
				a.ID, a.Target.ODataType))
	}
}

func directOnly(as []graph.Assignment) []graph.Assignment {
	out := make([]graph.Assignment, 0, len(as))
	for _, a := range as {
		if a.Direct() {
			out = append(out, a)
		}
	}
	return out
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, "; ")
}

// errorDetail gives a diagnostic detail: Graph's code, message and request ids, plus the
// next step for the common cases.
func errorDetail(err error, f *Family, policyID string) string {
	var detailed interface{ Details() string }
	if !errors.As(err, &detailed) {
		return err.Error()
	}
	detail := detailed.Details()
	if graph.IsNotFound(err) {
		detail = fmt.Sprintf("No %s with ID %s exists in this tenant. Check %s for a typo; if the policy was deleted in Intune, "+
			"its assignments went with it: remove this block from the configuration (or restore the policy).\n\n", f.PolicyNoun, policyID, f.PolicyIDAttribute) + detail
	}
	return detail
}
