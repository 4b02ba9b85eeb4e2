package emulator

import (
	"testing"
	"time"
)

// TestThrottleRetryAfter pins Retry-After to the whole seconds (rounded up,
// at least 1) until the blocking window resets, so a client that waits
// exactly that long is admitted.
func TestThrottleRetryAfter(t *testing.T) {
	th := newThrottler(ThrottleLimits{Window: 2 * time.Second, AppWrites: 1})
	t0 := time.Unix(1000, 0)
	if ok, _ := th.admit("t", "a", true, t0); !ok {
		t.Fatal("first write refused")
	}
	for _, c := range []struct {
		after time.Duration
		want  int
	}{{300 * time.Millisecond, 2}, {time.Second, 1}, {1900 * time.Millisecond, 1}, {1999 * time.Millisecond, 1}} {
		ok, wait := th.admit("t", "a", true, t0.Add(c.after))
		if ok || wait != c.want {
			t.Errorf("at +%v: ok=%v wait=%d, want %d", c.after, ok, wait, c.want)
		}
	}
	if ok, _ := th.admit("t", "a", true, t0.Add(2*time.Second)); !ok {
		t.Error("write refused after the window reset")
	}
	if ok, _ := th.admit("t", "other-app", true, t0.Add(2*time.Second)); !ok {
		t.Error("per-app window leaked to another app")
	}
	th.reset(ThrottleLimits{Window: time.Minute, AppWrites: 5})
	for i := 0; i < 5; i++ {
		if ok, _ := th.admit("t", "a", true, t0.Add(2*time.Second)); !ok {
			t.Fatalf("after reset write %d refused", i)
		}
	}
	if ok, wait := th.admit("t", "a", true, t0.Add(2*time.Second)); ok || wait != 60 {
		t.Errorf("6th write: ok=%v wait=%d", ok, wait)
	}
}
