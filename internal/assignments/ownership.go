package assignments

import (
	"strings"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// owner is what the creates and updates of one apply wrote to one policy. Terraform runs
// the destroy of one address and the create of another in any order when both concern
// the same policy (a rename without a `moved` block, a change of for_each key, a switch
// between the authoritative and the single-assignment resource, a create_before_destroy
// replacement). A destroy that runs second must not undo the create: the result of the
// apply is the created resources' assignments, whatever the order. The plan cannot refuse
// such a configuration instead: the provider is never told resource addresses, so it could
// name neither the old address nor the new one, nor write the `moved` block.
type owner struct {
	// whole: an authoritative resource wrote the policy's whole set of direct assignments
	// in this apply; a destroy of another resource of the policy sends nothing.
	whole bool
	// targets: single-assignment resources created these assignments in this apply; a
	// destroy keeps them.
	targets []graph.Assignment
}

// noteWhole records that an authoritative resource wrote policyID's whole set in this
// apply. The caller holds the policy's lock.
func (d *ProviderData) noteWhole(f *Family, policyID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ownerLocked(f, policyID).whole = true
}

// noteTarget records that a single-assignment resource created a in this apply. The
// caller holds the policy's lock.
func (d *ProviderData) noteTarget(f *Family, policyID string, a graph.Assignment) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o := d.ownerLocked(f, policyID)
	o.targets = append(o.targets, a)
}

func (d *ProviderData) ownerLocked(f *Family, policyID string) *owner {
	if d.written == nil {
		d.written = map[string]*owner{}
	}
	key := f.policyKey(policyID)
	o, ok := d.written[key]
	if !ok {
		o = &owner{}
		d.written[key] = o
	}
	return o
}

// ownerOf is what this apply's creates and updates wrote to policyID (a copy).
func (d *ProviderData) ownerOf(f *Family, policyID string) owner {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, ok := d.written[f.policyKey(policyID)]
	if !ok {
		return owner{}
	}
	return owner{whole: o.whole, targets: append([]graph.Assignment(nil), o.targets...)}
}

// createdTarget reports whether a single-assignment resource created an assignment to e's
// target in this apply.
func (o owner) createdTarget(f *Family, e element) bool {
	want := f.targetKey(e)
	for _, a := range o.targets {
		if ge, ok := f.fromGraph(a); ok && f.targetKey(ge) == want {
			return true
		}
	}
	return false
}

// keptBy says, for a person, which resource of this apply keeps a policy's assignments.
func (o owner) keptBy(f *Family) string {
	if o.whole {
		return "an " + f.resourceType() + " resource created or updated in this apply now manages the policy's whole set"
	}
	names := make([]string, 0, len(o.targets))
	for _, a := range o.targets {
		if e, ok := f.fromGraph(a); ok {
			names = append(names, f.describe(e))
		}
	}
	return f.singleType() + " resources created in this apply manage " + strings.Join(names, "; ")
}
