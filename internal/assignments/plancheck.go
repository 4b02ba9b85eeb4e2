package assignments

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Plan-time checks that need Graph but must not cost a read per resource: the kind of an
// assignment filter (one read per distinct filter per run) and a policy's membership of a
// policy set (one listing of the policy sets per run). Both are cached in ProviderData,
// which lives for one run (one plan or one apply).

// Filter management types (assignmentFilterManagementType, internal/graph/NOTES.md#assignment-filters).
const (
	FilterKindDevices = "devices"
	FilterKindApps    = "apps"
)

// filterKind is the assignmentFilterManagementType the family's filters must have
// (Family.FilterKind, devices by default).
func (f *Family) filterKind() string {
	if f.FilterKind == "" {
		return FilterKindDevices
	}
	return f.FilterKind
}

// filterKindNoun is how the docs and diagnostics name a filter kind.
func filterKindNoun(kind string) string {
	if kind == FilterKindApps {
		return "managed-app filter (assignmentFilterManagementType `apps`)"
	}
	return "device filter (assignmentFilterManagementType `devices`)"
}

// runCache holds the per-run reads of the plan-time checks.
type runCache struct {
	mu         sync.Mutex
	filters    map[string]*filterRead // by lower-case ID
	policySets *policySetsRead
	policies   map[string]*policyRead // by family stem and lower-case ID (fieldcheck.go)
}

type filterRead struct {
	once sync.Once
	item graph.Item
	err  error
}

type policySetsRead struct {
	once sync.Once
	sets []graph.PolicySet
	err  error
}

var filtersCollection = graph.Collection{Path: "/deviceManagement/assignmentFilters", Props: []string{"assignmentFilterManagementType"}}

// filter reads one assignment filter, once per run whatever the number of callers
// (GET /deviceManagement/assignmentFilters/{id}). Errors are graph.Client.GetItem's.
func (d *ProviderData) filter(ctx context.Context, id string) (graph.Item, error) {
	d.cache.mu.Lock()
	if d.cache.filters == nil {
		d.cache.filters = map[string]*filterRead{}
	}
	k := strings.ToLower(id)
	fr, ok := d.cache.filters[k]
	if !ok {
		fr = &filterRead{}
		d.cache.filters[k] = fr
	}
	d.cache.mu.Unlock()
	fr.once.Do(func() { fr.item, fr.err = d.Client.GetItem(ctx, filtersCollection, id) })
	return fr.item, fr.err
}

// policySets lists the tenant's policy sets with their items, once per run
// (graph.Client.PolicySets).
func (d *ProviderData) policySets(ctx context.Context) ([]graph.PolicySet, error) {
	d.cache.mu.Lock()
	if d.cache.policySets == nil {
		d.cache.policySets = &policySetsRead{}
	}
	ps := d.cache.policySets
	d.cache.mu.Unlock()
	ps.once.Do(func() { ps.sets, ps.err = d.Client.PolicySets(ctx) })
	return ps.sets, ps.err
}

// checkFilterKinds fails the plan for an assignment whose filter is known and of the wrong
// kind for the family (graph-families.md G7: managed-app families take managed-app
// filters, the others device filters). at(i) is where elems[i] lives. A filter that cannot
// be read is left to Graph: a missing one fails the apply with Graph's own error, and a
// failed read warns that the kind was not checked.
func (f *Family) checkFilterKinds(ctx context.Context, d *ProviderData, elems []element, at func(i int) path.Path, diags *diag.Diagnostics) {
	if !f.Filters || d == nil || d.Client == nil {
		return
	}
	want := f.filterKind()
	for i, e := range elems {
		if e.FilterID.IsNull() || e.FilterID.IsUnknown() || isZeroGUID(e.FilterID.ValueString()) {
			continue
		}
		id := e.FilterID.ValueString()
		item, err := d.filter(ctx, id)
		switch {
		case graph.IsNotFound(err):
			continue
		case err != nil:
			diags.AddAttributeWarning(at(i).AtName(attrFilterID), "Assignment filter kind not checked",
				fmt.Sprintf("Reading assignment filter %s to check that it is a %s failed: %s. The plan goes on; if the filter is "+
					"of the other kind, Graph refuses the apply.", id, filterKindNoun(want), errorDetail(err, f, "")))
			continue
		}
		got := item.Props["assignmentFilterManagementType"]
		if got == "" {
			got = FilterKindDevices // the property's default (internal/graph/NOTES.md#assignment-filters)
		}
		if strings.EqualFold(got, want) {
			continue
		}
		addPlanError(diags, at(i).AtName(attrFilterID), "Assignment filter of the wrong kind",
			fmt.Sprintf("Assignment filter %q (%s) is a %s, but the assignments of %s take only a %s. "+
				"Use a filter made for %s (the intune_assignment_filters data source lists them with their management_type), "+
				"or leave out filter_id and filter_type.",
				item.DisplayName, id, filterKindNoun(got), PluralNoun(f.PolicyNoun), filterKindNoun(want), map[string]string{
					FilterKindApps: "managed apps", FilterKindDevices: "managed devices"}[want]))
	}
}

// guardsPolicySets: the family's policies can belong to a policy set, and their assignments
// carry no source, so a read cannot tell the assignments a policy set made from direct ones
// (graph-families.md G8) and a replace-all write would remove them.
func (f *Family) guardsPolicySets() bool { return f.Graph.PolicySetItems && !f.Graph.Sources }

// policySetsHolding names the policy sets that hold policyID ("" when none), for the
// guard's diagnostics: `"Name" (id)`, joined with "; ".
func (d *ProviderData) policySetsHolding(ctx context.Context, policyID string) (string, error) {
	sets, err := d.policySets(ctx)
	if err != nil {
		return "", err
	}
	var names []string
	for _, s := range sets {
		if s.Holds(policyID) {
			names = append(names, fmt.Sprintf("%q (%s)", s.DisplayName, s.ID))
		}
	}
	return strings.Join(names, "; "), nil
}

// policySetsAtPlan is policySetsHolding for a plan-time check: on a failed read it adds
// the error (why the check is made, and alternative, a clause after the permission advice)
// and returns "", so the caller stops on the diagnostics.
func (f *Family) policySetsAtPlan(ctx context.Context, d *ProviderData, policyID, why, alternative string, diags *diag.Diagnostics) string {
	sets, err := d.policySetsHolding(ctx, policyID)
	if err != nil {
		diags.AddAttributeError(path.Root(f.PolicyIDAttribute), fmt.Sprintf("Cannot check the policy sets of %s %s", f.PolicyNoun, policyID),
			fmt.Sprintf("%s\n\n%s (GET /deviceAppManagement/policySets), and that read failed. Nothing was sent to Graph. "+
				"Grant the permission DeviceManagementApps.Read.All if it is missing%s.", errorDetail(err, f, policyID), why, alternative))
		return ""
	}
	return sets
}

// refuseInPolicySet fails the plan of an authoritative write to a policy that belongs to a
// policy set (f.guardsPolicySets), naming the set and the single-assignment resource.
func (f *Family) refuseInPolicySet(ctx context.Context, d *ProviderData, policyID string, diags *diag.Diagnostics) {
	if !f.guardsPolicySets() || d == nil || d.Client == nil {
		return
	}
	sets := f.policySetsAtPlan(ctx, d, policyID, fmt.Sprintf("The assignments of %s carry no source, so before taking over a "+
		"policy's whole set the provider checks that no policy set holds it", PluralNoun(f.PolicyNoun)),
		fmt.Sprintf(", or use %s, which adds and removes only its own assignment", f.singleType()), diags)
	if sets == "" {
		return
	}
	diags.AddAttributeError(path.Root(f.PolicyIDAttribute), fmt.Sprintf("%s %s belongs to a policy set", upperFirst(f.PolicyNoun), policyID),
		fmt.Sprintf("%s %s is an item of the policy set %s. Its assignments carry no source, so Graph's replace-all assign "+
			"cannot tell the assignments the policy set made from direct ones, and this resource would remove them. "+
			"Nothing was sent to Graph.\n\n%s", upperFirst(f.PolicyNoun), policyID, sets, f.policySetAlternative()))
}

// policySetAlternative is what to do instead for a policy in a policy set.
func (f *Family) policySetAlternative() string {
	if f.Graph.SingleCreateRefused {
		// Without a route for one assignment, the single resource writes through assign too.
		return fmt.Sprintf("Graph has no route that adds one assignment of %s (POST …/assignments is refused), so %s "+
			"would write through the same assign action. Assign the policy through its policy set, or remove it from the "+
			"policy set first.", PluralNoun(f.PolicyNoun), f.singleType())
	}
	return fmt.Sprintf("Use %s (one resource per target), which adds and removes only its own assignment, or remove the "+
		"policy from the policy set first.", f.singleType())
}

// refuseSingleInPolicySet fails the plan of a single assignment that can only be written
// through the assign action (Graph.SingleCreateRefused) on a policy in a policy set: the
// action would be sent the set's assignments, which read as direct, and they would become
// direct ones (or be duplicated).
func (f *Family) refuseSingleInPolicySet(ctx context.Context, d *ProviderData, policyID string, diags *diag.Diagnostics) {
	if !f.guardsPolicySets() || !f.Graph.SingleCreateRefused || d == nil || d.Client == nil {
		return
	}
	sets := f.policySetsAtPlan(ctx, d, policyID, fmt.Sprintf("Graph has no route that adds one assignment of %s, so this "+
		"resource writes through the assign action, and first checks that no policy set holds the policy", PluralNoun(f.PolicyNoun)), "", diags)
	if sets == "" {
		return
	}
	diags.AddAttributeError(path.Root(f.PolicyIDAttribute), fmt.Sprintf("%s %s belongs to a policy set", upperFirst(f.PolicyNoun), policyID),
		fmt.Sprintf("%s %s is an item of the policy set %s. Graph has no route that adds one assignment of %s (POST …/assignments "+
			"is refused), so this resource would write through the assign action, sending back every assignment the policy has. "+
			"Those the policy set made carry no source and read as direct ones, so they would become direct assignments that stay "+
			"when the policy leaves the set. Nothing was sent to Graph.\n\nAssign the policy through its policy set, or remove "+
			"it from the policy set first.", upperFirst(f.PolicyNoun), policyID, sets, PluralNoun(f.PolicyNoun)))
}

// PolicySetGuard reports that the authoritative resource refuses a policy in a policy set
// (its assignments carry no source: graph-families.md G8), for the docs.
func (f *Family) PolicySetGuard() bool { return f.guardsPolicySets() }

// FilterManagementType is the assignmentFilterManagementType the family's filters must
// have ("devices" or "apps"), or "" when it takes no filters, for the docs.
func (f *Family) FilterManagementType() string {
	if !f.Filters {
		return ""
	}
	return f.filterKind()
}
