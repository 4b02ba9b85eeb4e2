package assignments

import "sync"

// policyLocks serialises writes per policy within one provider process, so two operations
// on the same policy in one run never interleave their read-modify-write: the authoritative
// resource and the single-assignment resources of a family take the same lock.
var policyLocks sync.Map // key: policyKey -> *sync.Mutex

func lockPolicy(f *Family, policyID string) func() {
	m, _ := policyLocks.LoadOrStore(f.policyKey(policyID), &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}
