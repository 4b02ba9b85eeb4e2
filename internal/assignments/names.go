package assignments

import "strings"

// Every type name of a family derives from its Stem (issue 11):
//
//	intune_<stem>_assignments   authoritative resource, its data source and list resource
//	intune_<stem>_assignment    single-assignment resource
//	intune_<stem>, intune_<stem>s   lookups (Family.Lookup)

func (f *Family) authoritativeSuffix() string { return f.Stem + "_assignments" }
func (f *Family) singleSuffix() string        { return f.Stem + "_assignment" }
func (f *Family) singleType() string          { return "intune_" + f.singleSuffix() }

// policyKey identifies a policy across the family's resources in one process: the Graph
// collection and the policy ID in lower case, as Graph compares IDs. Locks and claims use
// it, so the authoritative and the single-assignment resources exclude each other.
func (f *Family) policyKey(policyID string) string {
	return f.Graph.CollectionPath + "|" + strings.ToLower(policyID)
}
