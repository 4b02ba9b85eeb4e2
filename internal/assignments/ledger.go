package assignments

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// The run's ledger: for each policy this run wrote, which assignments its writes added and
// which they removed (by key: target and filter). Graph is eventually consistent
// (internal/graph/NOTES.md#read-after-write-lag): a read made after a write can still show
// the set from before it. Every read that a later write of the run is built on goes
// through awaitRun, so no write of the run is undone by one built on a read that does not
// show it yet: five single-assignment resources created one after the other on one policy
// through the replace-all fallback leave all five, and a target deleted through the
// single-delete route is not sent back by the next fallback write. Keys, not whole sets,
// because a single-assignment write knows only its own target. Across runs the same job is
// done by private state (resource.go `written`, single.go `singleWritten`).

// history is what this run's writes did to one policy.
type history struct {
	added   map[string]bool // keys a write of the run added (and no later one removed)
	removed map[string]bool // keys a write of the run removed (and no later one added)
	at      time.Time       // when the newest write was made, on the provider's clock
}

// keySet is a set's identity: the sorted keys of its direct assignments, one string.
func (f *Family) keySet(as []graph.Assignment) string { return strings.Join(f.keysOf(as), "\n") }

// keysOf are the identities of the direct assignments Graph holds in as (Family.identity):
// which assignments exist, what the run's consistency waits on. Their data (an app's
// settings) plays no part: Graph fills in what was not sent, so a read never matches a
// write's data exactly.
func (f *Family) keysOf(as []graph.Assignment) []string { return f.identities(f.remote(as)) }

// identities are the sorted identities of a set of elements.
func (f *Family) identities(elems []element) []string {
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = f.identity(e)
	}
	sort.Strings(out)
	return out
}

// minus is the keys of a that are not in b.
func minus(a, b []string) []string {
	inB := map[string]bool{}
	for _, k := range b {
		inB[k] = true
	}
	var out []string
	for _, k := range a {
		if !inB[k] {
			out = append(out, k)
		}
	}
	return out
}

// noteWrite records that a write of this run to policyID removed and added the given keys.
func (d *ProviderData) noteWrite(f *Family, policyID string, removed, added []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ledger == nil {
		d.ledger = map[string]*history{}
	}
	key := f.policyKey(policyID)
	h, ok := d.ledger[key]
	if !ok {
		h = &history{added: map[string]bool{}, removed: map[string]bool{}}
		d.ledger[key] = h
	}
	for _, k := range removed {
		delete(h.added, k)
		h.removed[k] = true
	}
	for _, k := range added {
		delete(h.removed, k)
		h.added[k] = true
	}
	h.at = d.clock().Now()
}

// runStale reports that seen does not show a write of this run yet (it lacks an assignment
// the run added, or holds one it removed), and when the newest write was made.
func (d *ProviderData) runStale(f *Family, policyID string, seen []graph.Assignment) (bool, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h, ok := d.ledger[f.policyKey(policyID)]
	if !ok {
		return false, time.Time{}
	}
	has := map[string]bool{}
	for _, k := range f.keysOf(seen) {
		has[k] = true
	}
	for k := range h.added {
		if !has[k] {
			return true, h.at
		}
	}
	for k := range h.removed {
		if has[k] {
			return true, h.at
		}
	}
	return false, h.at
}

// awaitRun returns a read of policyID that shows this run's writes to it: while got is a
// set the run already replaced, it reads again (GET …/assignments), with backoff on the
// provider's clock, for at most consistencyWindow after the newest write. After that window
// the read is taken as Graph's truth. It returns an error when ctx ends first (nothing was
// sent by it) or a read fails.
func (d *ProviderData) awaitRun(ctx context.Context, f *Family, client *graph.Client, policyID string, got []graph.Assignment) ([]graph.Assignment, error) {
	stale, at := d.runStale(f, policyID, got)
	if !stale {
		return got, nil
	}
	return d.await(ctx, f, client, policyID, at.Add(consistencyWindow), got, func(as []graph.Assignment) bool {
		s, _ := d.runStale(f, policyID, as)
		return s
	})
}

// await re-reads policyID while waitFor(answer) holds and the clock is before deadline,
// polling with backoff from 250 ms up to 2 s (Graph's lag is usually a few seconds: a
// longer step would mostly add to the wait). The last answer is returned when the deadline
// passes; an error wrapping ctx's error when ctx ends first.
func (d *ProviderData) await(ctx context.Context, f *Family, client *graph.Client, policyID string, deadline time.Time,
	got []graph.Assignment, waitFor func([]graph.Assignment) bool) ([]graph.Assignment, error) {
	delay := 250 * time.Millisecond
	for waitFor(got) && d.clock().Now().Add(delay).Before(deadline) {
		tflog.Debug(ctx, "Graph does not show this provider's last write yet; reading again", map[string]any{"policy_id": policyID, "wait": delay.String()})
		if err := d.clock().Sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("waiting for Graph to show the last write to %s %s: %w", f.PolicyNoun, policyID, err)
		}
		next, err := f.api(client).List(ctx, policyID)
		if err != nil {
			return nil, err
		}
		got = next
		delay = min(delay*2, 2*time.Second)
	}
	return got, nil
}
