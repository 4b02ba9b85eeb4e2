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
)

// Resource is the authoritative assignments resource of one policy family.
type Resource struct {
	f      *Family
	client *graph.Client
}

// NewResource returns the resource factory for a family.
func NewResource(f *Family) func() resource.Resource {
	return func() resource.Resource { return &Resource{f: f} }
}

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.f.TypeSuffix
}

func (r *Resource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.f.resourceSchema()
}

func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var set types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("assignments"), &set)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.f.validate(ctx, set, path.Root("assignments"))...)
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
// Graph held before it and the set it holds after. A read that still shows the before set
// is replication lag; anything else is real (drift, or the write itself).
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

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel := withTimeout(ctx, req.Plan.GetAttribute, timeouts.Value.Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	r.write(ctx, req.Plan, nil, &resp.State, resp.Private, &resp.Diagnostics)
}

func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel := withTimeout(ctx, req.Plan.GetAttribute, timeouts.Value.Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	var prior types.Set
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("assignments"), &prior)...)
	before, _, diags := elementsFromSet(ctx, prior)
	resp.Diagnostics.Append(diags...)
	r.write(ctx, req.Plan, before, &resp.State, resp.Private, &resp.Diagnostics)
}

// write sends the planned set with the replace-all assign action and records what Graph
// answered. On a failed call nothing is recorded: Create stores nothing and Update keeps
// the prior state, so the next plan shows what the service really holds. before is the
// set the policy had (nil on Create, which reads it first).
func (r *Resource) write(ctx context.Context, plan tfsdk.Plan, before []element, state *tfsdk.State, private privateSetter, diags *diag.Diagnostics) {
	policyID, set := r.readPolicyAndSet(ctx, plan.GetAttribute, diags)
	if diags.HasError() || !r.requireClient(diags) {
		return
	}
	planned, objs, d := elementsFromSet(ctx, set)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	desired := make([]graph.Assignment, 0, len(planned))
	for _, e := range planned {
		a, err := r.f.toGraph(e)
		if err != nil {
			diags.AddAttributeError(path.Root("assignments"), "Invalid assignment", err.Error())
			return
		}
		desired = append(desired, a)
	}

	summary := fmt.Sprintf("Assigning %s %s", r.f.PolicyNoun, policyID)
	var replaced []string
	unlock := lockPolicy(r.f, policyID)
	if before == nil {
		// Create: check the policy exists before changing anything, and learn what it
		// holds (the resource takes over those assignments; say so).
		current, err := r.f.API(r.client).List(ctx, policyID)
		if err != nil {
			unlock()
			diags.AddAttributeError(path.Root(r.f.PolicyIDAttribute), summary, errorDetail(err, r.f, policyID))
			return
		}
		before, _ = r.f.reconcile(nil, directOnly(current))
		replaced = r.f.difference(before, planned)
	}
	got, err := r.f.API(r.client).Assign(ctx, policyID, desired)
	unlock()
	if err != nil {
		detail := errorDetail(err, r.f, policyID)
		if i := r.f.blame(err, planned); i >= 0 {
			diags.AddAttributeError(path.Root("assignments").AtSetValue(objs[i]), summary,
				detail+"\n\nThe error names this assignment: "+r.f.describe(planned[i])+".")
			return
		}
		diags.AddError(summary, detail)
		return
	}

	if len(replaced) > 0 {
		diags.AddWarning(fmt.Sprintf("Replaced existing assignments of %s %s", r.f.PolicyNoun, policyID),
			"The policy already had direct assignments that the configuration does not list; they were removed: "+
				orNone(replaced)+". To adopt a policy's assignments instead, import it first (terraform import, or an import block).")
	}
	elems, unsupported := r.f.reconcile(planned, directOnly(got))
	r.warnUnsupported(unsupported, policyID, diags)
	if missing, extra := r.f.difference(planned, elems), r.f.difference(elems, planned); len(missing)+len(extra) > 0 {
		diags.AddError(summary, fmt.Sprintf(
			"Graph accepted the assign request but its answer differs from the plan.\nNot assigned: %s\nUnexpected: %s\n\n"+
				"The state records what Graph answered; run terraform plan to see the difference.",
			orNone(missing), orNone(extra)))
	}
	r.setState(ctx, state, policyID, elems, diags)
	if raw, err := json.Marshal(written{At: time.Now().UTC(), Before: r.f.keys(before), Keys: r.f.keys(elems)}); err == nil {
		diags.Append(private.SetKey(ctx, privateWrittenKey, raw)...)
	}
}

func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	policyID, set := r.readPolicyAndSet(ctx, req.State.GetAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !r.requireClient(&resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, req.State.GetAttribute, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()

	var prior []element
	if !set.IsNull() && !set.IsUnknown() {
		var diags diag.Diagnostics
		prior, _, diags = elementsFromSet(ctx, set)
		resp.Diagnostics.Append(diags...)
	}

	last := lastWritten(ctx, req.Private)
	got, err := r.f.API(r.client).List(ctx, policyID)
	if err == nil && last != nil {
		got, err = r.awaitConsistency(ctx, policyID, last, got)
		if err == nil {
			// Seen; later reads need not wait.
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateWrittenKey, nil)...)
		}
	}
	if graph.IsNotFound(err) {
		// Only a real "not found" means the policy is gone; anything else is an error.
		tflog.Warn(ctx, "policy not found, removing from state", map[string]any{"policy_id": policyID})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading assignments of %s %s", r.f.PolicyNoun, policyID), errorDetail(err, r.f, policyID))
		return
	}
	elems, unsupported := r.f.reconcile(prior, directOnly(got))
	r.warnUnsupported(unsupported, policyID, &resp.Diagnostics)
	r.setState(ctx, &resp.State, policyID, elems, &resp.Diagnostics)
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
// last write, for at most consistencyWindow after that write: a plan right after an apply
// must not report Graph's replication lag as drift. Any other answer (the written set, or
// a change made elsewhere) is taken at once. It polls with backoff.
func (r *Resource) awaitConsistency(ctx context.Context, policyID string, last *written, got []graph.Assignment) ([]graph.Assignment, error) {
	want, stale := strings.Join(last.Keys, "\n"), strings.Join(last.Before, "\n")
	deadline := last.At.Add(consistencyWindow)
	delay := 250 * time.Millisecond
	for {
		elems, _ := r.f.reconcile(nil, directOnly(got))
		seen := strings.Join(r.f.keys(elems), "\n")
		if seen == want || seen != stale || !time.Now().Add(delay).Before(deadline) {
			return got, nil
		}
		tflog.Debug(ctx, "Graph does not show the last write yet; reading again", map[string]any{"policy_id": policyID, "wait": delay.String()})
		select {
		case <-ctx.Done():
			return got, nil
		case <-time.After(delay):
		}
		next, err := r.f.API(r.client).List(ctx, policyID)
		if err != nil {
			return next, err
		}
		got = next
		delay = min(delay*2, 5*time.Second)
	}
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	policyID, _ := r.readPolicyAndSet(ctx, req.State.GetAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !r.requireClient(&resp.Diagnostics) {
		return
	}
	ctx, cancel := withTimeout(ctx, req.State.GetAttribute, timeouts.Value.Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	unlock := lockPolicy(r.f, policyID)
	_, err := r.f.API(r.client).Assign(ctx, policyID, []graph.Assignment{})
	unlock()
	if err != nil && !graph.IsNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("Removing the assignments of %s %s", r.f.PolicyNoun, policyID), errorDetail(err, r.f, policyID))
	}
}

func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if !guidPattern.MatchString(id) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import takes the %s ID, a GUID such as 11111111-2222-3333-4444-555555555555; got %q.", r.f.PolicyNoun, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), id)...)
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

func (r *Resource) readPolicyAndSet(ctx context.Context, get getAttributeFunc, diags *diag.Diagnostics) (string, types.Set) {
	var policyID types.String
	var set types.Set
	diags.Append(get(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	diags.Append(get(ctx, path.Root("assignments"), &set)...)
	return policyID.ValueString(), set
}

func (r *Resource) setState(ctx context.Context, state *tfsdk.State, policyID string, elems []element, diags *diag.Diagnostics) {
	set, d := r.f.setFromElements(elems)
	diags.Append(d...)
	diags.Append(state.SetAttribute(ctx, path.Root("id"), policyID)...)
	diags.Append(state.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), policyID)...)
	diags.Append(state.SetAttribute(ctx, path.Root("assignments"), set)...)
}

func (r *Resource) requireClient(diags *diag.Diagnostics) bool {
	if r.client == nil {
		diags.AddError("Provider not configured",
			"The intune provider has no Graph client, usually because a provider argument was unknown at plan time. "+
				"Set tenant_id, client_id and client_secret to known values (or ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET).")
		return false
	}
	return true
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

// clientFrom checks the provider's data; nil data means the provider is not configured yet.
func clientFrom(data any, diags *diag.Diagnostics) *graph.Client {
	if data == nil {
		return nil
	}
	c, ok := data.(*graph.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *graph.Client, got %T. This is a bug in the provider.", data))
		return nil
	}
	return c
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
		detail += fmt.Sprintf("\n\nNo %s with ID %s exists in this tenant. Check %s.", f.PolicyNoun, policyID, f.PolicyIDAttribute)
	}
	return detail
}
