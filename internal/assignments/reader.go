package assignments

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// listFrom is the number of distinct policies of a family a run must have asked for
// before the reader lists the family's collection: below it, reads go one by one or in
// JSON batches, so a plan of a few policies never pages through a large tenant. Measured
// with `make bench` (README, "Performance").
const listFrom = 20

// reader serves every assignment read of one family in one provider run (a plan, an
// apply, an import): resources' refreshes, plan-time reads on create, the checks before a
// write, and data sources. Reads that arrive together are answered together (see
// internal/graph/NOTES.md#expanding-assignments, internal/graph/NOTES.md#batching and
// internal/graph/NOTES.md#paging):
//
//   - one pending read is one GET {collection}/{id}/assignments;
//   - several are one JSON batch of up to graph.MaxBatch GETs;
//   - once listFrom distinct policies were asked for, the collection is listed with
//     $expand=assignments, a page at a time, and later reads are answered from it.
//
// A page is fetched only while the requests the run has sent for the family stay below
// the number of policies asked for, with what the pending reads would still cost held
// back: no configuration sends more than one request per policy (not counting retries,
// the pages of a policy with more assignments than a page holds, or re-reads while Graph
// catches up with a write).
//
// An answer is never older than the run: everything comes from requests sent during it.
// A policy this run has written is always read again directly. A listing is trusted only
// where it proves itself: a policy listed without an "assignments" member, or with one
// cut by assignments@odata.nextLink (internal/graph/NOTES.md#expanding-assignments), is
// read on its own (or in a batch: the rest would cost that request anyway), and an empty
// expansion is believed only once some policy of the family was listed with a non-empty
// one (a family that ignores $expand answers them all empty, as settings-catalog lists
// do: same section). distrust turns the listing off for the rest of the run.
//
// Every answer handed out is the caller's own copy, and the reader keeps its own: callers
// of one policy run concurrently (Terraform's walk, data sources, list resources) and may
// sort or change what they got.
type reader struct {
	api graph.AssignmentAPI
	// listable: the family's collection is not known to ignore $expand=assignments
	// (graph.Family); where it is not known to honour it either, the guards below apply.
	listable bool

	mu       sync.Mutex
	asked    map[string]bool               // lower-case IDs asked for in this run
	demand   int                           // len(asked)
	spent    int                           // requests sent for the family in this run
	known    map[string][]graph.Assignment // answers read in this run, by lower-case ID
	listed   map[string]bool               // known entries that came from the listing
	empty    map[string]bool               // listed with an empty expansion, not yet believed
	written  map[string]bool               // written in this run: read directly from now on
	seq      uint64                        // requests started for the family in this run, numbered from 1
	fetched  map[string]uint64             // known entries: the seq of the request that read them
	evidence bool                          // some policy was listed with assignments
	distrust bool                          // the listing answered wrongly or failed
	next     string                        // the listing's next page; "" before the first
	listDone bool
	pending  []*waiter
	busy     bool // a goroutine is answering pending reads

	waiting atomic.Int64 // reads blocked in Get, for tests that model Terraform's walk
}

type waiter struct {
	key, id string
	// fresh: only an answer from a request started after the read (seq > after) will do
	// (Fresh); other reads take any answer of the run.
	fresh    bool
	after    uint64
	deadline time.Time // zero: none
	done     chan struct{}
	got      []graph.Assignment
	listed   bool
	err      error
}

func newReader(api graph.AssignmentAPI, f graph.Family) *reader {
	return &reader{
		api:      api,
		listable: f.ExpandAssignments != graph.ExpandIgnored,
		asked:    map[string]bool{}, known: map[string][]graph.Assignment{},
		listed: map[string]bool{}, empty: map[string]bool{}, written: map[string]bool{},
		fetched: map[string]uint64{},
	}
}

// Get returns the assignments of policyID as Graph holds them in this run, in a slice the
// caller owns. listed says the answer came from a collection listing; a caller that knows
// what to expect (a refresh) can confirm a surprising listed answer with Confirm. Errors
// are graph.AssignmentAPI.List's; ctx's deadline bounds the wait.
func (r *reader) Get(ctx context.Context, policyID string) (got []graph.Assignment, listed bool, err error) {
	return r.get(ctx, policyID, false)
}

// Fresh is Get for a decision about to be written (the stale-plan guard, "Graph already
// holds the plan"): the answer comes from a request started after the call, never from one
// made earlier in the run (a listing at the start of a long apply can be minutes old).
// Fresh reads that arrive together still share a batch.
func (r *reader) Fresh(ctx context.Context, policyID string) ([]graph.Assignment, error) {
	got, _, err := r.get(ctx, policyID, true)
	return got, err
}

func (r *reader) get(ctx context.Context, policyID string, fresh bool) (got []graph.Assignment, listed bool, err error) {
	key := strings.ToLower(policyID)
	r.mu.Lock()
	if r.written[key] {
		r.mu.Unlock()
		got, err = r.api.List(ctx, policyID)
		return got, false, err
	}
	if !r.asked[key] {
		r.asked[key] = true
		r.demand++
	}
	w := &waiter{key: key, id: policyID, done: make(chan struct{}), fresh: fresh, after: r.seq}
	if as, ok := r.answerForLocked(w); ok {
		listed = r.listed[key]
		r.mu.Unlock()
		return own(as), listed, nil
	}
	if d, ok := ctx.Deadline(); ok {
		w.deadline = d
	}
	r.pending = append(r.pending, w)
	if !r.busy {
		r.busy = true
		go r.run(context.WithoutCancel(ctx))
	}
	r.mu.Unlock()
	r.waiting.Add(1)
	defer r.waiting.Add(-1)
	select {
	case <-w.done:
		return w.got, w.listed, w.err
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// Confirm reads policyID directly, for a listed answer that differs from what the caller
// expected, and returns it in a slice the caller owns. When the direct answer differs from
// the listed one, the listing is not trusted for the rest of the run. Errors are
// graph.AssignmentAPI.List's.
func (r *reader) Confirm(ctx context.Context, policyID string, listedAnswer []graph.Assignment, same func(a, b []graph.Assignment) bool) ([]graph.Assignment, error) {
	got, err := r.api.List(ctx, policyID)
	if err != nil {
		return nil, err
	}
	key := strings.ToLower(policyID)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spent++
	r.seq++
	r.known[key], r.listed[key], r.fetched[key] = own(got), false, r.seq
	if !same(got, listedAnswer) && !r.distrust {
		r.distrust = true
		tflog.Warn(ctx, "the collection listing with $expand=assignments disagrees with the policy's own assignments; reading policies one by one for the rest of this run",
			map[string]any{"policy_id": policyID})
	}
	return got, nil
}

// Forget is called before a write of policyID: from then on this run reads it directly.
func (r *reader) Forget(policyID string) {
	key := strings.ToLower(policyID)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written[key] = true
	delete(r.known, key)
}

// own is a copy of as for one holder: the reader's record, or one caller's answer. A
// shallow copy is enough while graph.Assignment holds only values (strings and a struct
// of strings); a field of reference type would need a deeper copy here.
func own(as []graph.Assignment) []graph.Assignment {
	return slices.Clone(as)
}

// answerForLocked is what the run already knows of w's policy, if w may use it.
func (r *reader) answerForLocked(w *waiter) ([]graph.Assignment, bool) {
	as, ok := r.answerLocked(w.key)
	if !ok || (w.fresh && r.fetched[w.key] <= w.after) {
		return nil, false
	}
	return as, true
}

// answerLocked is what the run already knows of key, if it may be used (the reader's own
// record: copy it before handing it out).
func (r *reader) answerLocked(key string) ([]graph.Assignment, bool) {
	as, ok := r.known[key]
	if !ok || (r.listed[key] && r.distrust) || (r.empty[key] && !r.evidence) {
		return nil, false
	}
	return as, true
}

// run answers pending reads until there are none.
func (r *reader) run(ctx context.Context) {
	for {
		r.mu.Lock()
		r.deliverLocked()
		if len(r.pending) == 0 {
			r.busy = false
			r.mu.Unlock()
			return
		}
		if r.shouldListLocked() {
			next := r.next
			dctx, cancel := r.stepContext(ctx, r.pending)
			r.seq++
			seq := r.seq
			r.mu.Unlock()
			page, err := r.api.ListPolicies(dctx, next)
			cancel()
			r.mu.Lock()
			r.spent++
			if err != nil {
				// Reads go one by one (or batched) instead; they report their own errors.
				r.distrust = true
				tflog.Warn(ctx, "listing the family's policies failed; reading them one by one", map[string]any{"error": err.Error()})
			} else {
				r.mergeLocked(page, seq)
			}
			r.mu.Unlock()
			continue
		}
		take := r.takeLocked()
		dctx, cancel := r.stepContext(ctx, take)
		r.spent++
		r.seq++
		seq := r.seq
		r.mu.Unlock()
		ids := make([]string, len(take))
		for i, w := range take {
			ids[i] = w.id
		}
		results := r.read(dctx, ids)
		cancel()
		r.mu.Lock()
		for i, w := range take {
			if results[i].Err == nil {
				r.known[w.key], r.listed[w.key], r.fetched[w.key] = own(results[i].Assignments), false, seq
				delete(r.empty, w.key)
			}
		}
		for i, w := range take {
			w.got, w.err = results[i].Assignments, results[i].Err
			close(w.done)
		}
		r.mu.Unlock()
	}
}

// read answers ids with one GET, or one batch.
func (r *reader) read(ctx context.Context, ids []string) []graph.BatchResult {
	if len(ids) == 1 {
		as, err := r.api.List(ctx, ids[0])
		return []graph.BatchResult{{Assignments: as, Err: err}}
	}
	out, err := r.api.ListMany(ctx, ids)
	if err == nil {
		return out
	}
	tflog.Debug(ctx, "the JSON batch failed; reading its policies one by one", map[string]any{"error": err.Error()})
	out = make([]graph.BatchResult, len(ids))
	for i, id := range ids {
		out[i].Assignments, out[i].Err = r.api.List(ctx, id)
	}
	return out
}

// deliverLocked answers the pending reads the run already knows.
func (r *reader) deliverLocked() {
	rest := r.pending[:0]
	for _, w := range r.pending {
		if as, ok := r.answerForLocked(w); ok {
			w.got, w.listed = own(as), r.listed[w.key]
			close(w.done)
			continue
		}
		rest = append(rest, w)
	}
	r.pending = rest
}

// shouldListLocked: list the next page when the family can be listed, enough policies
// were asked for, and the page fits in the run's budget of one request per policy after
// holding back what the pending reads would cost in batches.
func (r *reader) shouldListLocked() bool {
	if !r.listable || r.distrust || r.listDone || r.demand < listFrom {
		return false
	}
	reserve := (distinct(r.pending) + graph.MaxBatch - 1) / graph.MaxBatch
	return r.spent+1+reserve <= r.demand
}

// mergeLocked records a listed page.
func (r *reader) mergeLocked(page graph.PolicyPage, seq uint64) {
	for _, p := range page.Policies {
		key := strings.ToLower(p.ID)
		if !p.Complete || r.written[key] {
			continue
		}
		if _, direct := r.known[key]; direct && !r.listed[key] {
			continue // read directly in this run already: keep that answer
		}
		r.known[key], r.listed[key], r.fetched[key] = own(p.Assignments), true, seq
		if len(p.Assignments) == 0 {
			r.empty[key] = true
		} else {
			r.evidence = true
			delete(r.empty, key)
		}
	}
	r.next = page.Next
	r.listDone = page.Next == ""
}

// takeLocked removes up to graph.MaxBatch pending reads of distinct policies (every
// waiter of each) from the queue.
func (r *reader) takeLocked() []*waiter {
	var take, rest []*waiter
	keys := map[string]bool{}
	for _, w := range r.pending {
		if !keys[w.key] && len(keys) == graph.MaxBatch {
			rest = append(rest, w)
			continue
		}
		keys[w.key] = true
		take = append(take, w)
	}
	r.pending = rest
	// One request per policy: a batch item per distinct key; extra waiters share it.
	var uniq []*waiter
	var dups []*waiter
	seen := map[string]bool{}
	for _, w := range take {
		if seen[w.key] {
			dups = append(dups, w)
			continue
		}
		seen[w.key] = true
		uniq = append(uniq, w)
	}
	// Waiters for a key already taken wait for the answer in the queue.
	r.pending = append(dups, r.pending...)
	return uniq
}

// stepContext is the context of one request made for the given waiters: it ends at the
// latest of their deadlines (none if one has none), so the request is not cut short for
// a waiter with more time, nor kept going after every waiter has left.
func (r *reader) stepContext(ctx context.Context, ws []*waiter) (context.Context, context.CancelFunc) {
	var latest time.Time
	for _, w := range ws {
		if w.deadline.IsZero() {
			return context.WithCancel(ctx)
		}
		if w.deadline.After(latest) {
			latest = w.deadline
		}
	}
	return context.WithDeadline(ctx, latest)
}

func distinct(ws []*waiter) int {
	seen := map[string]bool{}
	for _, w := range ws {
		seen[w.key] = true
	}
	return len(seen)
}
