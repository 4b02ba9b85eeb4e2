package assignments

import (
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// ProviderData is what the provider hands every resource and data source after Configure:
// the Graph client, or why there is none, and the policies claimed by resources in this
// run. Terraform configures the provider once per run (plan, apply, import...), so the
// claims are those of one run.
type ProviderData struct {
	// Client is nil when Unknown is not empty.
	Client *graph.Client
	// Unknown lists provider arguments whose values Terraform knows only after apply
	// (they come from another resource); no client can be built at plan time.
	Unknown []string
	// Clock is the engine's time source; nil means the real clock.
	Clock Clock

	mu      sync.Mutex
	claims  map[string]*claim   // policyKey -> the authoritative resource that manages it in this plan
	singles map[string]string   // policyKey -> the ID as the first single-assignment claimant wrote it
	targets map[string]*claim   // policyKey|targetKey -> the single-assignment resource that manages it in this plan
	written map[string]*owner   // policyKey -> what creates and updates of this apply wrote (ownership.go)
	ledger  map[string]*history // policyKey -> the sets this run's writes went through (ledger.go)
	inState map[string]bool     // policyKey|assignment ID: a single-assignment resource of the state holds it (refreshed in this run)
	readers map[string]*reader  // by family
	refused map[string]bool     // collection|operation: the service has no route for it (internal/graph/NOTES.md#refused-route)
	cache   runCache            // the plan-time checks' reads (plancheck.go)
}

// claim is one resource's claim, in one plan, on a policy (authoritative resources) or on
// one target of a policy (single-assignment resources).
//
// Terraform plans a replacement twice (internal/terraform's plan of a resource instance:
// once with the prior state, and, when the action is a replace, again with a null prior
// state for the create half), so one resource may claim the same thing twice. The
// provider is not told resource addresses; what it can tell is that the second call has
// the same configuration and no prior state, right after one with a prior state. Such a
// pair is one resource. Two resources whose configurations are identical, one in the state
// and one new, look the same; for the single-assignment resource the plan-time read still
// refuses the new one (its target exists), and for the authoritative one both would write
// the same set.
type claim struct {
	spelled string        // the policy ID as the claimant wrote it
	config  tftypes.Value // the claimant's configuration
	// replacing: the claim was made with a prior state and not yet paired with a create
	// half; priorAssignment is that state's assignment ID (single-assignment resources).
	replacing       bool
	priorAssignment string
}

// take records c under key in m, or reports the claim that holds key already. A create
// half of a replacement (no prior state, the configuration of an open claim with one)
// pairs with that claim instead. The caller holds d.mu.
func take(m map[string]*claim, key string, c *claim) (first *claim, ok bool) {
	prev, taken := m[key]
	if !taken {
		m[key] = c
		return nil, true
	}
	if prev.replacing && !c.replacing && prev.config.Equal(c.config) {
		prev.replacing = false // the create half of the same resource's replacement
		return prev, true
	}
	return prev, false
}

// NewProviderData wraps a configured client.
func NewProviderData(c *graph.Client) *ProviderData { return &ProviderData{Client: c} }

// NewUnknownProviderData records that the provider could not be configured because the
// named arguments are unknown until apply.
func NewUnknownProviderData(unknown []string) *ProviderData {
	return &ProviderData{Unknown: unknown}
}

// claim records that an authoritative resource of family f manages policyID in this plan;
// config is its configuration and hasPrior says it was planned with a prior state (see
// claim, the type, for replacements). When another authoritative resource claimed it
// first, it returns false and that resource's spelling of the ID, and single is false;
// when single-assignment resources manage it, it returns false, their spelling and single
// true. IDs compare without regard to case, as Graph treats them.
func (d *ProviderData) claim(f *Family, policyID string, config tftypes.Value, hasPrior bool) (ok bool, first string, single bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.claims == nil {
		d.claims = map[string]*claim{}
	}
	key := f.policyKey(policyID)
	if first, taken := d.singles[key]; taken {
		return false, first, true
	}
	prev, ok := take(d.claims, key, &claim{spelled: policyID, config: config, replacing: hasPrior})
	if !ok {
		return false, prev.spelled, false
	}
	return true, "", false
}

// claimTarget records that a single-assignment resource manages the target targetKey of
// policyID in this plan (config, hasPrior and priorAssignment as for claim). It returns
// false and the first claimant when another resource of the configuration claimed the
// same target; on a replacement's create half it returns the claim made with the prior
// state, whose priorAssignment is the assignment being replaced.
func (d *ProviderData) claimTarget(f *Family, policyID, targetKey string, config tftypes.Value, hasPrior bool, priorAssignment string) (*claim, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.targets == nil {
		d.targets = map[string]*claim{}
	}
	return take(d.targets, f.policyKey(policyID)+"|"+targetKey,
		&claim{spelled: policyID, config: config, replacing: hasPrior, priorAssignment: priorAssignment})
}

// claimSingle records that a single-assignment resource manages one target of policyID.
// Several may; it returns false, with the authoritative resource's spelling of the ID,
// when an authoritative resource manages the policy.
func (d *ProviderData) claimSingle(f *Family, policyID string) (bool, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.singles == nil {
		d.singles = map[string]string{}
	}
	key := f.policyKey(policyID)
	if first, taken := d.claims[key]; taken {
		return false, first.spelled
	}
	if _, taken := d.singles[key]; !taken {
		d.singles[key] = policyID
	}
	return true, ""
}

// noteInState records that the refresh of a single-assignment resource found its
// assignment: the resource is in the state, tainted or not.
func (d *ProviderData) noteInState(f *Family, policyID, assignmentID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inState == nil {
		d.inState = map[string]bool{}
	}
	d.inState[f.policyKey(policyID)+"|"+strings.ToLower(assignmentID)] = true
}

// heldInState: a single-assignment resource of the state holds the assignment (noteInState).
// Terraform plans the replacement of a tainted resource as a create, with no prior state,
// after refreshing it: a create whose target is held so is that replacement (or a second
// resource for the target, which claimTarget refuses).
func (d *ProviderData) heldInState(f *Family, policyID, assignmentID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inState[f.policyKey(policyID)+"|"+strings.ToLower(assignmentID)]
}

// routeRefused reports that the service answered an operation ("create", "delete") of
// family f with "No method match route template" earlier in this run.
func (d *ProviderData) routeRefused(f *Family, op string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.refused[f.Graph.CollectionPath+"|"+op]
}

func (d *ProviderData) setRouteRefused(f *Family, op string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.refused == nil {
		d.refused = map[string]bool{}
	}
	d.refused[f.Graph.CollectionPath+"|"+op] = true
}

// reader is the family's shared reader for this run (reader.go). Call it only with a client.
func (d *ProviderData) reader(f *Family) *reader {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.readers == nil {
		d.readers = map[string]*reader{}
	}
	rd, ok := d.readers[f.Graph.CollectionPath]
	if !ok {
		rd = newReader(f.api(d.Client), f.Graph)
		d.readers[f.Graph.CollectionPath] = rd
	}
	return rd
}

// providerDataFrom checks what Configure handed over. Nil means Terraform has not
// configured the provider yet (validation); it is not an error.
func providerDataFrom(data any, diags *diag.Diagnostics) *ProviderData {
	if data == nil {
		return nil
	}
	d, ok := data.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *assignments.ProviderData, got %T. Nothing was sent to Graph. This is a bug in the provider; please report it.", data))
		return nil
	}
	return d
}

// requireClient returns the Graph client, or adds a diagnostic that says why there is
// none and what to change. what names the operation, e.g. "Reading assignments of ...".
func (d *ProviderData) requireClient(what string, diags *diag.Diagnostics) *graph.Client {
	switch {
	case d != nil && d.Client != nil:
		return d.Client
	case d != nil && len(d.Unknown) > 0:
		diags.AddError(what,
			fmt.Sprintf("The intune provider's %s %s not known until apply (it comes from another resource's attributes), "+
				"so the provider cannot sign in while planning. Nothing was sent to Graph.\n\n"+
				"Give %s a value known at plan time (a variable, a literal, or ARM_* environment variables), or apply the "+
				"resources it depends on first (terraform apply -target=...).",
				quoted(d.Unknown), map[bool]string{true: "is", false: "are"}[len(d.Unknown) == 1], map[bool]string{true: "it", false: "them"}[len(d.Unknown) == 1]))
	default:
		diags.AddError(what,
			"The intune provider was not configured before this operation, so there is no Graph client. Nothing was sent to Graph. "+
				"This is unexpected; please report it with the Terraform version and the provider block you use.")
	}
	return nil
}
