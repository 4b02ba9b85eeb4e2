package assignments

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// fakeTenant is a family's collection in memory: T policies, one group each, listed in
// pages of pageSize. Every call is one request; calls and listings count them.
type fakeTenant struct {
	ids      []string
	pageSize int
	// width is the number of assignments each policy holds (0: one, groupOf's).
	width    int
	calls    atomic.Int64
	listings atomic.Int64
	// before, when set, runs before each request is answered.
	before func()
}

func newFakeTenant(t int) *fakeTenant {
	ft := &fakeTenant{pageSize: 999}
	for i := 0; i < t; i++ {
		ft.ids = append(ft.ids, fmt.Sprintf("policy-%05d", i))
	}
	return ft
}

func groupOf(id string) []graph.Assignment {
	return []graph.Assignment{{ID: id + "_g", Target: graph.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: "g-" + id}}}
}

// answer is a new copy of what the tenant holds for a policy: width assignments, in ID
// order.
func (ft *fakeTenant) answer(id string) []graph.Assignment {
	if ft.width <= 1 {
		return groupOf(id)
	}
	out := make([]graph.Assignment, ft.width)
	for i := range out {
		out[i] = graph.Assignment{ID: fmt.Sprintf("%s_g%d", id, i),
			Target: graph.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: fmt.Sprintf("g%d-%s", i, id)}}
	}
	return out
}

func (ft *fakeTenant) request() {
	ft.calls.Add(1)
	if ft.before != nil {
		ft.before()
	}
}

func (ft *fakeTenant) List(_ context.Context, id string) ([]graph.Assignment, error) {
	ft.request()
	return ft.answer(strings.ToLower(id)), nil
}

func (ft *fakeTenant) Assign(context.Context, string, []graph.Assignment) ([]graph.Assignment, error) {
	return nil, fmt.Errorf("not used")
}

func (ft *fakeTenant) AssignBuilt(context.Context, string, func(context.Context) ([]graph.Assignment, error)) ([]graph.Assignment, error) {
	return nil, fmt.Errorf("not used")
}

func (ft *fakeTenant) Create(context.Context, string, graph.Assignment) (graph.Assignment, error) {
	return graph.Assignment{}, fmt.Errorf("not used")
}

func (ft *fakeTenant) Delete(context.Context, string, string) error { return fmt.Errorf("not used") }

func (ft *fakeTenant) ListPolicies(_ context.Context, next string) (graph.PolicyPage, error) {
	ft.request()
	ft.listings.Add(1)
	start := 0
	if next != "" {
		if _, err := fmt.Sscanf(next, "skip=%d", &start); err != nil {
			return graph.PolicyPage{}, fmt.Errorf("fake next link %q: %w", next, err)
		}
	}
	end := min(start+ft.pageSize, len(ft.ids))
	page := graph.PolicyPage{}
	for _, id := range ft.ids[start:end] {
		page.Policies = append(page.Policies, graph.PolicyAssignments{ID: id, Assignments: ft.answer(id), Complete: true})
	}
	if end < len(ft.ids) {
		page.Next = fmt.Sprintf("skip=%d", end)
	}
	return page, nil
}

func (ft *fakeTenant) ListMany(_ context.Context, ids []string) ([]graph.BatchResult, error) {
	ft.request()
	out := make([]graph.BatchResult, len(ids))
	for i, id := range ids {
		out[i].Assignments = ft.answer(strings.ToLower(id))
	}
	return out, nil
}

// refresh reads n of the tenant's policies with par reads in flight at a time, as
// Terraform's walk does (-parallelism), and checks every answer. With pile, a request is
// answered only once every read that can be in flight is waiting in the reader (what a
// network's latency does), so the run is the same on any machine.
func refresh(t *testing.T, rd *reader, ft *fakeTenant, n, par int, pile bool) {
	t.Helper()
	var started, finished atomic.Int64
	if pile {
		ft.before = func() {
			for {
				s, f := started.Load(), finished.Load()
				if s == min(int64(n), f+int64(par)) && rd.waiting.Load() == s-f {
					return
				}
				time.Sleep(20 * time.Microsecond)
			}
		}
		defer func() { ft.before = nil }()
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for _, id := range ft.ids[:n] {
		sem <- struct{}{}
		wg.Add(1)
		started.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := rd.Get(context.Background(), strings.ToUpper(id[:1])+id[1:])
			if err != nil || len(got) != 1 || got[0].Target.GroupID != "g-"+id {
				bad.Add(1)
			}
			finished.Add(1)
			<-sem
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d of %d reads got a wrong answer", bad.Load(), n)
	}
}

// No configuration sends more requests than one per policy, whatever the sizes and the
// parallelism (issue 9's budget); and a refresh of many policies lists the collection.
func TestReaderNeverSendsMoreThanOneRequestPerPolicy(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 60; i++ {
		n := 1 + rng.IntN(200)
		total := n + rng.IntN(6000)
		par := 1 + rng.IntN(12)
		ft := newFakeTenant(total)
		rd := newReader(ft, graph.Family{ExpandAssignments: graph.ExpandMayTruncate})
		refresh(t, rd, ft, n, par, false)
		if c := ft.calls.Load(); c > int64(n) {
			t.Errorf("N=%d T=%d parallelism=%d: %d requests, more than one per policy", n, total, par, c)
		}
	}
}

// With Terraform's default parallelism and reads that pile up behind each request (as
// they do behind a network), a refresh of 1,000 of 1,500 policies costs about ten requests
// (a read and a batch per wave of ten until 20 policies were asked for, then two pages;
// issue 9's target is 40), and one policy in a tenant of 5,000 costs one. The bounds allow
// every read before the listing to go alone.
func TestReaderRefreshSizes(t *testing.T) {
	for _, tc := range []struct{ n, total, max int }{{1, 5000, 1}, {100, 150, listFrom + 1}, {1000, 1500, listFrom + 2}, {3000, 4000, listFrom + 5}} {
		ft := newFakeTenant(tc.total)
		rd := newReader(ft, graph.Family{ExpandAssignments: graph.ExpandMayTruncate})
		refresh(t, rd, ft, tc.n, 10, true)
		t.Logf("refresh %d/%d: %d requests, %d listings", tc.n, tc.total, ft.calls.Load(), ft.listings.Load())
		if c := ft.calls.Load(); c > int64(tc.max) {
			t.Errorf("refresh %d/%d: %d requests (%d listings), want at most %d", tc.n, tc.total, c, ft.listings.Load(), tc.max)
		}
		if tc.n >= listFrom && ft.listings.Load() == 0 {
			t.Errorf("refresh %d/%d: no listing", tc.n, tc.total)
		}
	}
}

// A family known to ignore $expand is never listed.
func TestReaderDoesNotListAFamilyThatIgnoresExpand(t *testing.T) {
	ft := newFakeTenant(100)
	rd := newReader(ft, graph.Family{ExpandAssignments: graph.ExpandIgnored})
	refresh(t, rd, ft, 100, 10, false)
	if ft.listings.Load() != 0 || ft.calls.Load() > 100 {
		t.Fatalf("%d listings, %d requests", ft.listings.Load(), ft.calls.Load())
	}
}

// A policy written in this run is read directly afterwards, never from the listing.
func TestReaderReadsWrittenPoliciesDirectly(t *testing.T) {
	ft := newFakeTenant(50)
	rd := newReader(ft, graph.Family{ExpandAssignments: graph.ExpandMayTruncate})
	refresh(t, rd, ft, 50, 10, false)
	before := ft.calls.Load()
	if _, _, err := rd.Get(context.Background(), ft.ids[3]); err != nil || ft.calls.Load() != before {
		t.Fatalf("a second read of a known policy sent %d requests (err %v)", ft.calls.Load()-before, err)
	}
	rd.Forget(ft.ids[3])
	if _, listed, err := rd.Get(context.Background(), ft.ids[3]); err != nil || listed || ft.calls.Load() != before+1 {
		t.Fatalf("after a write: listed=%v, %d requests, err %v; want one direct read", listed, ft.calls.Load()-before, err)
	}
}

// useAnswer is what a careless caller does with an answer: checks it, then sorts it the
// other way round and overwrites a field, as a data source sorting for its list would. It
// reports whether the answer was what the tenant holds when it got it.
func useAnswer(ft *fakeTenant, id string, got []graph.Assignment) bool {
	ok := slices.Equal(got, ft.answer(strings.ToLower(id)))
	sort.Slice(got, func(i, j int) bool { return got[i].ID > got[j].ID })
	for i := range got {
		got[i].Target.GroupID = "changed by a caller"
	}
	return ok
}

// Every caller of one policy gets an answer of its own: callers that pile up behind one
// request, and later callers answered from what the run knows, may sort and change what
// they got without changing anyone else's answer or the reader's (run with -race: the old
// reader handed them all one slice).
func TestReaderCallersOfOnePolicyGetAnswersOfTheirOwn(t *testing.T) {
	const callers = 40
	ft := newFakeTenant(1)
	ft.width = 5
	rd := newReader(ft, graph.Family{ExpandAssignments: graph.ExpandMayTruncate})
	// The one request is answered once every caller waits for it.
	ft.before = func() {
		for deadline := time.Now().Add(5 * time.Second); rd.waiting.Load() < callers && time.Now().Before(deadline); {
			time.Sleep(100 * time.Microsecond)
		}
	}
	id := ft.ids[0]
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := 0; i < 2*callers; i++ { // the second half arrive after the answer, or with it
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _, err := rd.Get(context.Background(), id)
			if err != nil || !useAnswer(ft, id, got) {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d of %d callers got an answer another caller had changed", bad.Load(), 2*callers)
	}
	if got, _, err := rd.Get(context.Background(), id); err != nil || !slices.Equal(got, ft.answer(id)) {
		t.Fatalf("after the callers changed their answers, the reader answers %v (err %v); want what the tenant holds", got, err)
	}
	if ft.calls.Load() != 1 {
		t.Fatalf("%d requests for one policy, want one", ft.calls.Load())
	}
}

// The reader under load: a refresh of many policies (batches, then the listing) in which
// several readers of each policy (a resource, a data source, a list) sort and change
// their answers, and some confirm a listed answer. No caller sees another's changes and
// the reader's own record stays what the tenant holds.
func TestReaderUnderLoadHandsOutAnswersNoCallerCanChange(t *testing.T) {
	const n, perPolicy, parallelism = 300, 3, 24
	ft := newFakeTenant(400)
	ft.width = 4
	rd := newReader(ft, graph.Family{ExpandAssignments: graph.ExpandMayTruncate})
	// The first request waits until the first wave of readers is waiting: then more than
	// listFrom policies were asked for, so the listing path is taken whatever the load on
	// the machine (without this, a starved scheduler can let reads finish one by one).
	var first atomic.Bool
	ft.before = func() {
		if first.Swap(true) {
			return
		}
		for rd.waiting.Load() < parallelism {
			time.Sleep(20 * time.Microsecond)
		}
	}
	same := func(a, b []graph.Assignment) bool { return slices.Equal(a, b) }
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for k := 0; k < perPolicy; k++ {
		for i, id := range ft.ids[:n] {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				got, listed, err := rd.Get(context.Background(), id)
				if err != nil {
					bad.Add(1)
					return
				}
				if listed && i%7 == 0 {
					confirmed, err := rd.Confirm(context.Background(), id, slices.Clone(got), same)
					if err != nil || !useAnswer(ft, id, confirmed) {
						bad.Add(1)
					}
				}
				if !useAnswer(ft, id, got) {
					bad.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d answers were not what the tenant holds: a caller changed another's", bad.Load())
	}
	if ft.listings.Load() == 0 {
		t.Errorf("a refresh of %d policies did not list the collection: the listing path went untested", n)
	}
	for _, id := range ft.ids[:n] {
		if got, _, err := rd.Get(context.Background(), id); err != nil || !slices.Equal(got, ft.answer(id)) {
			t.Fatalf("%s: the reader now answers %v (err %v); want what the tenant holds", id, got, err)
		}
	}
}

// The reader's copies are shallow (own): they are the caller's own only while an
// assignment holds no references. A field of pointer, slice or map type added to
// graph.Assignment must come with a deeper copy in own.
func TestAssignmentHoldsOnlyValues(t *testing.T) {
	var check func(reflect.Type, string)
	check = func(ty reflect.Type, path string) {
		switch ty.Kind() {
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				check(ty.Field(i).Type, path+"."+ty.Field(i).Name)
			}
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			t.Errorf("%s is a %s: the reader's shallow copies would share it between callers (see own)", path, ty.Kind())
		}
	}
	check(reflect.TypeFor[graph.Assignment](), "Assignment")
}
