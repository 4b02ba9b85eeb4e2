package assignments

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// policyLocks serialises writes per policy within one provider process, so two operations
// on the same policy in one run never interleave their read-modify-write: the authoritative
// resource and the single-assignment resources of a family take the same lock.
var policyLocks sync.Map // key: policyKey -> chan struct{} (capacity 1: a token held while locked)

// errLockWait is returned, wrapped with ctx's error, when an operation's context ends while
// it waits for another operation on the same policy; nothing was sent by the waiter.
var errLockWait = fmt.Errorf("waiting for another operation on the same policy")

// lockPolicy takes the policy's lock, or returns an error wrapping errLockWait and ctx's
// error when ctx ends first (the operation's timeout, or Ctrl-C): a queued operation must
// not wait past either. The returned func releases the lock.
func lockPolicy(ctx context.Context, f *Family, policyID string) (func(), error) {
	m, _ := policyLocks.LoadOrStore(f.policyKey(policyID), make(chan struct{}, 1))
	token := m.(chan struct{})
	select {
	case token <- struct{}{}:
		return func() { <-token }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errLockWait, ctx.Err())
	}
}

// addLockError reports an operation that ended while it waited for the policy's lock.
func addLockError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, fmt.Sprintf("The operation ended (%v) while it waited for another operation of this run on the same "+
		"policy to finish. Nothing was sent to Graph for it, and the state is as before.\n\n"+
		"If it timed out, raise the resource's timeout (for example timeouts { create = \"45m\" }) or run fewer operations "+
		"on one policy at once (terraform -parallelism).", err))
}
