package assignments

import (
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

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
	claims  map[string]string  // policyKey -> the ID as the first authoritative claimant wrote it
	singles map[string]string  // policyKey -> the ID as the first single-assignment claimant wrote it
	readers map[string]*reader // by family
	refused map[string]bool    // collection|operation: the service has no route for it (internal/graph/NOTES.md#refused-route)
}

// NewProviderData wraps a configured client.
func NewProviderData(c *graph.Client) *ProviderData { return &ProviderData{Client: c} }

// NewUnknownProviderData records that the provider could not be configured because the
// named arguments are unknown until apply.
func NewUnknownProviderData(unknown []string) *ProviderData {
	return &ProviderData{Unknown: unknown}
}

// claim records that an authoritative resource of family f manages policyID in this run.
// When another authoritative resource claimed it first, it returns false and that
// resource's spelling of the ID, and single is false; when single-assignment resources
// manage it, it returns false, their spelling and single true. IDs compare without regard
// to case, as Graph treats them.
func (d *ProviderData) claim(f *Family, policyID string) (ok bool, first string, single bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.claims == nil {
		d.claims = map[string]string{}
	}
	key := f.policyKey(policyID)
	if first, taken := d.singles[key]; taken {
		return false, first, true
	}
	if first, taken := d.claims[key]; taken {
		return false, first, false
	}
	d.claims[key] = policyID
	return true, "", false
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
		return false, first
	}
	if _, taken := d.singles[key]; !taken {
		d.singles[key] = policyID
	}
	return true, ""
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
