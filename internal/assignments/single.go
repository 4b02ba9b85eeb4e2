package assignments

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// SingleResource manages one assignment of a policy and leaves the policy's other
// assignments alone (`intune_<stem>_assignment`), for policies that several teams or
// configurations assign. Create posts the one assignment (POST …/assignments,
// internal/graph/NOTES.md#single-assignments); where the service has no route for that
// (internal/graph/NOTES.md#refused-route), it reads the policy's direct assignments and
// sends them plus this one with the replace-all `assign` action, under the per-policy
// lock, and checks the answer kept the others. Delete likewise.
// A policy is managed either by the authoritative resource or by single-assignment
// resources within one configuration; both in one plan is an error (providerdata.go).
type SingleResource struct {
	f    *Family
	data *ProviderData
}

var (
	_ resource.ResourceWithConfigure      = &SingleResource{}
	_ resource.ResourceWithImportState    = &SingleResource{}
	_ resource.ResourceWithValidateConfig = &SingleResource{}
	_ resource.ResourceWithModifyPlan     = &SingleResource{}
	_ resource.ResourceWithIdentity       = &SingleResource{}
)

// NewSingleResource returns the single-assignment resource factory for a family.
func NewSingleResource(f *Family) func() resource.Resource {
	return func() resource.Resource { return &SingleResource{f: f} }
}

const attrAssignmentID = "assignment_id"

func (r *SingleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.f.singleSuffix()
}

func (r *SingleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// requiresReplaceUnlessSameIgnoringCase replaces the resource when an identifying value
// changes, but not when only its letter case does (Graph compares IDs without case).
func requiresReplaceUnlessSameIgnoringCase(what string) planmodifier.String {
	desc := "Changing " + what + " forces a new resource; a change of letter case does not."
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
		}, desc, desc)
}

func (r *SingleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	f := r.f
	attrs := f.targetAttributes()
	for name, a := range attrs {
		sa := a.(schema.StringAttribute)
		if name == attrTarget || name == attrGroupID || name == attrCollectionID {
			sa.PlanModifiers = append(sa.PlanModifiers, requiresReplaceUnlessSameIgnoringCase("`"+name+"`"))
		}
		attrs[name] = sa
	}
	for name, a := range f.fieldAttributes() {
		if fd := f.field(name); fd.Identity {
			if sa, ok := a.(schema.StringAttribute); ok {
				sa.PlanModifiers = append(sa.PlanModifiers, stringplanmodifier.RequiresReplace())
				a = sa
			}
		}
		attrs[name] = a
	}
	attrs["id"] = schema.StringAttribute{Computed: true,
		MarkdownDescription: "`<" + f.PolicyIDAttribute + ">/<assignment_id>`, the form `terraform import` takes.",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	attrs[attrAssignmentID] = schema.StringAttribute{Computed: true,
		MarkdownDescription: "The assignment's ID, as Graph reports it (opaque).",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	attrs[f.PolicyIDAttribute] = schema.StringAttribute{Required: true,
		MarkdownDescription: "ID of the " + f.PolicyNoun + " this assignment belongs to. Changing it to another policy forces a new resource; a change of letter case does not.",
		Validators:          []validator.String{guidValidator()},
		PlanModifiers:       []planmodifier.String{requiresReplaceUnlessCaseOnly()}}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages one assignment of one Intune " + f.PolicyNoun + " and leaves its other assignments alone. " +
			"Use it when several configurations (teams) each add their own targets to one policy; use `" + f.resourceType() +
			"` when one configuration owns the policy's whole set. One configuration may not use both for one policy.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *SingleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		r.f.PolicyIDAttribute: identityschema.StringAttribute{RequiredForImport: true, Description: "ID of the " + r.f.PolicyNoun + "."},
		attrAssignmentID:      identityschema.StringAttribute{RequiredForImport: true, Description: "ID of the assignment."},
	}}
}

// elementFrom reads the target attributes from a plan, state or configuration.
func (f *Family) elementFrom(ctx context.Context, get getAttributeFunc, diags *diag.Diagnostics) element {
	var e element
	e.Target, e.GroupID, e.CollectionID, e.FilterID, e.FilterType = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
	if f.hasTargetAttribute() {
		diags.Append(get(ctx, path.Root(attrTarget), &e.Target)...)
	}
	if f.uses(FieldGroupID) {
		diags.Append(get(ctx, path.Root(attrGroupID), &e.GroupID)...)
	}
	if f.uses(FieldCollectionID) {
		diags.Append(get(ctx, path.Root(attrCollectionID), &e.CollectionID)...)
	}
	if f.Filters {
		diags.Append(get(ctx, path.Root(attrFilterID), &e.FilterID)...)
		diags.Append(get(ctx, path.Root(attrFilterType), &e.FilterType)...)
	}
	if len(f.Fields) > 0 {
		vals := make(map[string]attr.Value, len(f.Fields))
		for i := range f.Fields {
			var v attr.Value // the framework reads any attribute into an attr.Value
			diags.Append(get(ctx, path.Root(f.Fields[i].Name), &v)...)
			vals[f.Fields[i].Name] = v
		}
		e.Fields = f.fieldsFromAttrs(vals)
	}
	return e
}

func (r *SingleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	e := r.f.elementFrom(ctx, req.Config.GetAttribute, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		r.f.validateElement(e, path.Empty(), &resp.Diagnostics)
	}
}

func (r *SingleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var policyID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	if resp.Diagnostics.HasError() || policyID.IsUnknown() || policyID.IsNull() {
		return
	}
	id := policyID.ValueString()
	if ok, first := r.data.claimSingle(r.f, id); !ok {
		resp.Diagnostics.AddAttributeError(path.Root(r.f.PolicyIDAttribute), mixedModelsSummary(r.f, id), mixedModelsDetail(r.f, id, first))
		return
	}
	e := r.f.elementFrom(ctx, req.Plan.GetAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !e.known() {
		return
	}
	// One target, one resource: two resources of the configuration for the same target
	// would create it twice (the second fails) and delete each other's assignment.
	var priorAssignment types.String
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrAssignmentID), &priorAssignment)...)
	}
	first, ok := r.data.claimTarget(r.f, id, r.f.targetKey(e), req.Config.Raw, !req.State.Raw.IsNull(), priorAssignment.ValueString())
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root(r.f.targetAttributeName()), fmt.Sprintf("Two %s resources for one target of %s %s", r.f.singleType(), r.f.PolicyNoun, id),
			fmt.Sprintf("Another %s resource in this configuration already manages the assignment of %s %s to %s (the other "+
				"resource's %s is written %q; IDs compare without regard to case, and a target's filter is not part of it: Graph keeps "+
				"one assignment per target). The two would create the same assignment twice and delete each other's. Nothing was "+
				"written to Graph.\n\n"+
				"Keep one resource per target: remove one of the two blocks, or, if one of them is being renamed, use a moved block.",
				r.f.singleType(), r.f.PolicyNoun, id, r.f.describe(e), r.f.PolicyIDAttribute, first.spelled))
		return
	}
	// One target, one identity (an app's group under one intent): across the configuration.
	if kind, ok := r.f.kindByName(e.Target.ValueString()); ok && r.f.IncludedOnce && !kind.Excludes {
		if other, ok := r.data.claimTarget(r.f, id, "included|"+r.f.bareTargetKey(e), req.Config.Raw, !req.State.Raw.IsNull(), priorAssignment.ValueString()); !ok {
			resp.Diagnostics.AddAttributeError(path.Root(r.f.targetAttributeName()), "Target included under two "+identityNoun(r.f),
				r.f.includedTwiceDetail(e, fmt.Sprintf("another %s resource of this configuration (on %s %s)", r.f.singleType(), r.f.PolicyNoun, other.spelled))+
					" Nothing was sent to Graph.")
			return
		}
	}
	// A filter the plan adds or changes must be of the family's kind (plancheck.go).
	if r.data.Client != nil {
		changed := req.State.Raw.IsNull()
		if !changed {
			prior := r.f.elementFrom(ctx, req.State.GetAttribute, &resp.Diagnostics)
			changed = r.f.key(prior) != r.f.key(e)
		}
		if changed {
			r.f.checkFilterKinds(ctx, r.data, []element{e}, func(int) path.Path { return path.Empty() }, &resp.Diagnostics)
			r.f.checkPolicy(ctx, r.data, id, []element{e}, func(int) path.Path { return path.Empty() }, &resp.Diagnostics)
			if resp.Diagnostics.HasError() {
				return
			}
		}
	}
	if !req.State.Raw.IsNull() || r.data.Client == nil {
		return
	}
	if r.f.refuseSingleInPolicySet(ctx, r.data, id, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	// A create: the target must not be there yet (never a silent adoption), unless it is
	// the assignment this resource is replacing (the create half of -replace or a taint).
	ctx, cancel := withTimeout(ctx, req.Config.GetAttribute, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	summary := fmt.Sprintf("Planning an assignment of %s %s", r.f.PolicyNoun, id)
	current, _, err := r.data.reader(r.f).Get(ctx, id)
	if graph.IsNotFound(err) {
		r.f.warnPolicyGone(&resp.Diagnostics, err, id)
		return
	}
	if err != nil {
		r.f.addGraphErrorTo(&resp.Diagnostics, summary, err, id, "Nothing was changed: the plan only reads the policy.")
		return
	}
	if existing, ok := r.f.findByKey(current, e); ok && (first == nil || !strings.EqualFold(existing.ID, first.priorAssignment)) &&
		!r.data.heldInState(r.f, id, existing.ID) {
		resp.Diagnostics.AddError(alreadyAssignedSummary(r.f, id), r.f.alreadyAssignedDetail(id, e, existing))
	}
	replaced := func(aid string) bool { return first != nil && strings.EqualFold(aid, first.priorAssignment) }
	if other, ok := r.f.includedElsewhere(current, e, replaced); ok {
		oe, _ := r.f.fromGraph(other)
		resp.Diagnostics.AddAttributeError(path.Root(r.f.targetAttributeName()), "Target included under two "+identityNoun(r.f),
			r.f.includedTwiceDetail(e, fmt.Sprintf("the %s's assignment %s (%s) in Intune", r.f.PolicyNoun, other.ID, r.f.describe(oe)))+
				" Nothing was sent to Graph.")
	}
}

// targetAttributeName is the attribute a diagnostic about a target points at.
func (f *Family) targetAttributeName() string {
	if f.hasTargetAttribute() {
		return attrTarget
	}
	return attrGroupID
}

func mixedModelsSummary(f *Family, id string) string {
	return fmt.Sprintf("%s %s is managed by both %s and %s", upperFirst(f.PolicyNoun), id, f.resourceType(), f.singleType())
}

func mixedModelsDetail(f *Family, id, first string) string {
	return fmt.Sprintf("In this configuration, %s manages all of %s %s's direct assignments (its %s is written %q; IDs compare "+
		"without regard to case), and %s resources add single assignments to it. The authoritative resource would remove "+
		"the single ones on every apply, and every plan would show a change. Nothing was changed in Intune.\n\n"+
		"Choose one model for the policy: list every target in the %s resource, or manage each target with its own %s "+
		"resource and remove the %s resource (terraform state rm, then import the targets).",
		f.resourceType(), f.PolicyNoun, id, f.PolicyIDAttribute, first, f.singleType(), f.resourceType(), f.singleType(), f.resourceType())
}

func alreadyAssignedSummary(f *Family, id string) string {
	return fmt.Sprintf("%s %s already has this target", upperFirst(f.PolicyNoun), id)
}

// alreadyAssignedDetail describes the existing assignment as Graph holds it (its target
// and filter may differ from the configuration's in filter or spelling).
func (f *Family) alreadyAssignedDetail(id string, e element, existing graph.Assignment) string {
	held := existing.Target.ODataType
	if ge, ok := f.fromGraph(existing); ok {
		held = f.describe(ge)
	}
	if existing.Target.FilterID == "" {
		held += " (no filter)"
	}
	return fmt.Sprintf("The configuration asks for an assignment to %s, and the policy already has a direct assignment to that "+
		"target: %s, assignment ID %s. Graph keeps one assignment per target, and this resource creates a new assignment; it does "+
		"not take over an existing one, so nothing was sent to Graph.\n\n"+
		"To manage the existing assignment, import it:\n  terraform import %s.<name> %s/%s\nor with an import block "+
		"(import { to = %s.<name>, id = \"%s/%s\" }). If the assignment belongs to a resource you renamed, add a moved block "+
		"(moved { from = <old address>, to = <new address> }) instead.",
		f.describe(e), held, existing.ID, f.singleType(), id, existing.ID, f.singleType(), id, existing.ID)
}

// known: every identifying value is known.
func (e element) known() bool {
	return !e.hasUnknown()
}

// targetKey identifies an assignment's target, without its filter: Graph gives each target
// one assignment (internal/graph/NOTES.md#assignment-ids).
func (f *Family) targetKey(e element) string {
	return f.bareTargetKey(e) + f.identityOf(e)
}

// bareTargetKey is the target alone: kind, group and collection, without the filter and
// the identity fields.
func (f *Family) bareTargetKey(e element) string {
	parts := strings.Split(f.identity(e), "|")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return strings.Join(parts, "|")
}

// includedElsewhere finds, for a family whose targets are included under one value of its
// identity fields only (Family.IncludedOnce), a direct assignment of as that includes e's
// target under another value; skip names an assignment ID that does not count (the one
// this resource replaces).
func (f *Family) includedElsewhere(as []graph.Assignment, e element, skip func(id string) bool) (graph.Assignment, bool) {
	kind, ok := f.kindByName(e.Target.ValueString())
	if !f.IncludedOnce || !ok || kind.Excludes {
		return graph.Assignment{}, false
	}
	for _, a := range directOnly(as) {
		ge, ok := f.fromGraph(a)
		if !ok || skip(a.ID) || f.bareTargetKey(ge) != f.bareTargetKey(e) || f.identityOf(ge) == f.identityOf(e) {
			continue
		}
		if k, _ := f.kindByName(ge.Target.ValueString()); !k.Excludes {
			return a, true
		}
	}
	return graph.Assignment{}, false
}

// includedTwiceDetail is the detail of "Target included under two intents" for a single
// resource, naming the other assignment.
func (f *Family) includedTwiceDetail(e element, other string) string {
	return fmt.Sprintf("This resource includes %s, and %s includes the same target under another %s. Intune includes a target under one %s "+
		"of %s only (an exclusion may sit beside an inclusion of another %s). Keep one of the two, or make one an exclusion.",
		f.describe(e), other, identitySingular(f), identitySingular(f), Article(f.PolicyNoun), identitySingular(f))
}

// findByKey finds the direct assignment with e's target.
func (f *Family) findByKey(as []graph.Assignment, e element) (graph.Assignment, bool) {
	want := f.targetKey(e)
	for _, a := range directOnly(as) {
		if ge, ok := f.fromGraph(a); ok && f.targetKey(ge) == want {
			return a, true
		}
	}
	return graph.Assignment{}, false
}

func findByID(as []graph.Assignment, id string) (graph.Assignment, bool) {
	if i := indexByID(as, id); i >= 0 {
		return as[i], true
	}
	return graph.Assignment{}, false
}

func (f *Family) addGraphErrorTo(diags *diag.Diagnostics, summary string, err error, policyID, changed string) {
	(&Resource{f: f}).addGraphError(diags, summary, err, policyID, changed)
}

func (r *SingleResource) setState(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, policyID, assignmentID string, e element, diags *diag.Diagnostics) {
	// `id` is set once, on create or import: a later change of letter case in the policy ID
	// keeps it, as the authoritative resource's `id` does.
	var id types.String
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	if id.IsNull() || id.IsUnknown() || id.ValueString() == "" {
		diags.Append(state.SetAttribute(ctx, path.Root("id"), policyID+"/"+assignmentID)...)
	}
	diags.Append(state.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), policyID)...)
	diags.Append(state.SetAttribute(ctx, path.Root(attrAssignmentID), assignmentID)...)
	if r.f.hasTargetAttribute() {
		diags.Append(state.SetAttribute(ctx, path.Root(attrTarget), e.Target)...)
	}
	if r.f.uses(FieldGroupID) {
		diags.Append(state.SetAttribute(ctx, path.Root(attrGroupID), e.GroupID)...)
	}
	if r.f.uses(FieldCollectionID) {
		diags.Append(state.SetAttribute(ctx, path.Root(attrCollectionID), e.CollectionID)...)
	}
	if r.f.Filters {
		diags.Append(state.SetAttribute(ctx, path.Root(attrFilterID), e.FilterID)...)
		diags.Append(state.SetAttribute(ctx, path.Root(attrFilterType), e.FilterType)...)
	}
	for name, v := range r.f.fieldValues(e) {
		diags.Append(state.SetAttribute(ctx, path.Root(name), v)...)
	}
	r.keepIdentity(ctx, state, identity, diags)
}

// setIdentity sets the identity of a resource that has none yet (create, import): the
// policy ID in lower case, as Graph compares it, and the assignment ID.
func (r *SingleResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, policyID, assignmentID string, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), strings.ToLower(policyID))...)
	diags.Append(identity.SetAttribute(ctx, path.Root(attrAssignmentID), assignmentID)...)
}

// keepIdentity keeps the identity a resource was created or imported with for its whole
// life: Terraform 1.12+ and OpenTofu refuse a read or update that changes it ("Unexpected
// Identity Change"). The assignment ID in it is the one the resource was created or
// imported with, also after Graph gave the target a new one (an update that re-sent it, or
// the target re-created in the portal): `assignment_id` follows Graph, the identity does
// not. Where the CLI keeps no identity (Terraform before 1.12), it is derived from `id`,
// which is set once, on create or import, for the same reason.
func (r *SingleResource) keepIdentity(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	var cur types.String
	diags.Append(identity.GetAttribute(ctx, path.Root(attrAssignmentID), &cur)...)
	if !cur.IsNull() && !cur.IsUnknown() && cur.ValueString() != "" {
		return
	}
	var id types.String
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	if pid, aid, ok := parseSingleID(id.ValueString()); ok {
		r.setIdentity(ctx, identity, pid, aid, diags)
	}
}

// ImportState takes `POLICY_ID/ASSIGNMENT_ID` (the IDs the data source lists) or an
// identity, through one parser (parseSingleID).
func (r *SingleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	raw := req.ID
	if raw == "" && req.Identity != nil {
		var p, a types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &p)...)
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(attrAssignmentID), &a)...)
		raw = p.ValueString() + "/" + a.ValueString()
	}
	pid, aid, ok := parseSingleID(raw)
	if !ok {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import takes <%s>/<assignment_id>, e.g. 11111111-2222-3333-4444-555555555555/11111111-2222-3333-4444-555555555555_66666666-7777-8888-9999-000000000000; got %q. "+
				"The assignment IDs are listed by the %s data source. Nothing was imported and nothing was sent to Graph.",
				r.f.PolicyIDAttribute, raw, r.f.resourceType()))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), pid+"/"+aid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), pid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attrAssignmentID), aid)...)
	r.setIdentity(ctx, resp.Identity, pid, aid, &resp.Diagnostics)
}

// parseSingleID is the one parser of a single assignment's import ID and identity:
// POLICY_ID/ASSIGNMENT_ID, the policy ID a GUID, the assignment ID not empty.
func parseSingleID(raw string) (policyID, assignmentID string, ok bool) {
	p, a, found := strings.Cut(strings.TrimSpace(raw), "/")
	p, a = strings.TrimSpace(p), strings.TrimSpace(a)
	if !found || a == "" || strings.Contains(a, "/") {
		return "", "", false
	}
	p, ok = parsePolicyID(p)
	return p, a, ok
}
