package assignments

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// A queued operation stops waiting for the policy's lock when its context ends (its
// timeout, or Ctrl-C), says why, and the lock still works afterwards.
func TestPolicyLockWaitEndsWithTheOperationsContext(t *testing.T) {
	unlock, err := lockPolicy(context.Background(), testFamily, "lock-test-policy")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := lockPolicy(ctx, testFamily, "LOCK-TEST-POLICY") // the same policy in any case
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, errLockWait) || !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting for a held lock with a cancelled context: got %v, want errLockWait and context.Canceled", err)
	}
	unlock()
	again, err := lockPolicy(context.Background(), testFamily, "lock-test-policy")
	if err != nil {
		t.Fatalf("the lock is unusable after a waiter gave up: %v", err)
	}
	again()
}

// stillClock is a clock that never moves; Sleep only reports the context's end.
type stillClock struct{}

func (stillClock) Now() time.Time { return time.Unix(0, 0) }

func (stillClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// The consistency wait returns an error when its context ends, not the stale answer as if
// it were fresh.
func TestConsistencyWaitEndsWithTheContext(t *testing.T) {
	d := &ProviderData{Clock: stillClock{}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := d.await(ctx, testFamily, nil, "p", time.Unix(3600, 0), groupOf("p"), func([]graph.Assignment) bool { return true })
	if !errors.Is(err, context.Canceled) || got != nil {
		t.Fatalf("await with an ended context: got %v, %v; want no answer and context.Canceled", got, err)
	}
}

// A fresh read is answered by a request sent after it was asked for, never by an answer
// the run already holds; a plain read takes that answer.
func TestFreshReadSendsARequestAfterTheCall(t *testing.T) {
	ft := newFakeTenant(3)
	rd := newReader(ft, graph.Family{})
	ctx := context.Background()
	if _, _, err := rd.Get(ctx, ft.ids[0]); err != nil {
		t.Fatal(err)
	}
	before := ft.calls.Load()
	if _, _, err := rd.Get(ctx, ft.ids[0]); err != nil || ft.calls.Load() != before {
		t.Fatalf("a second plain read sent %d request(s) (err %v); want the run's answer", ft.calls.Load()-before, err)
	}
	if _, err := rd.Fresh(ctx, ft.ids[0]); err != nil || ft.calls.Load() != before+1 {
		t.Fatalf("a fresh read sent %d request(s) (err %v); want one", ft.calls.Load()-before, err)
	}
}
