package assignments

import (
	"strings"
	"sync"
)

// policyLocks serialises replace-all writes per policy within one provider process, so two
// operations on the same policy in one run never interleave their read-modify-write.
var policyLocks sync.Map // key: family|policy id (lower case) -> *sync.Mutex

func lockPolicy(f *Family, policyID string) func() {
	m, _ := policyLocks.LoadOrStore(f.TypeSuffix+"|"+strings.ToLower(policyID), &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}
