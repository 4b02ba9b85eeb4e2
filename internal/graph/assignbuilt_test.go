package graph

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// assignGraph answers a policy's assignment list with one assignment whose group names
// how many lists it has answered (so each read differs from the last), and POST …/assign
// with the statuses in order (200 with the posted set echoed once they run out). It logs
// every request as "GET" or "POST" with the time it arrived, and keeps the POST bodies.
type assignGraph struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	log      []string
	at       []time.Time
	bodies   []string
	reads    int
}

func newAssignGraph(t *testing.T, statuses ...int) *assignGraph {
	g := &assignGraph{statuses: statuses}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *assignGraph) serve(w http.ResponseWriter, r *http.Request) {
	var in io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" { // kiota's compression handler, where it runs after the retries
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		in = zr
	}
	body, _ := io.ReadAll(in)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = append(g.log, r.Method)
	g.at = append(g.at, time.Now())
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/assignments"):
		g.reads++
		_, _ = fmt.Fprintf(w, `{"value":[{"id":"p_g%d","source":"direct","sourceId":"p","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g%d"}}]}`, g.reads, g.reads)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/assign"):
		g.bodies = append(g.bodies, string(body))
		if len(g.statuses) > 0 {
			code := g.statuses[0]
			g.statuses = g.statuses[1:]
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(code)
			_, _ = fmt.Fprintf(w, `{"error":{"code":"TooManyRequests","message":"status %d"}}`, code)
			return
		}
		list := strings.TrimSuffix(strings.TrimPrefix(string(body), `{"assignments":`), "}")
		_, _ = fmt.Fprintf(w, `{"value":%s}`, list)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (g *assignGraph) snapshot() (log []string, bodies []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.log...), append([]string(nil), g.bodies...)
}

func (g *assignGraph) arrivals() []time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Time(nil), g.at...)
}

func assignTestAPI(t *testing.T, g *assignGraph, p *pacer) AssignmentAPI {
	c, _ := tokenTestClient(t, g.URL, &shortLivedTokens{ttl: time.Hour}, p)
	return c.Assignments(DeviceConfigurationsFamily)
}

// readAndAdd is the build of a read-modify-write: the policy's current set (read now)
// plus the provider's own assignment. It records what it returned.
type readAndAdd struct {
	api   AssignmentAPI
	mu    sync.Mutex
	built [][]Assignment
	fail  func(call int) error
}

func (b *readAndAdd) build(ctx context.Context) ([]Assignment, error) {
	b.mu.Lock()
	call := len(b.built) + 1
	b.mu.Unlock()
	if b.fail != nil {
		if err := b.fail(call); err != nil {
			return nil, err
		}
	}
	current, err := b.api.List(ctx, "p")
	if err != nil {
		return nil, err
	}
	set := append(current, Assignment{Target: Target{ODataType: ODataGroupTarget, GroupID: "mine"}})
	b.mu.Lock()
	b.built = append(b.built, set)
	b.mu.Unlock()
	return set, nil
}

// A throttled first attempt is sent again with a body built from a new read, not the
// first attempt's bytes.
func TestAssignBuiltRebuildsTheBodyForARetry(t *testing.T) {
	g := newAssignGraph(t, http.StatusTooManyRequests)
	api := assignTestAPI(t, g, nil)
	b := &readAndAdd{api: api}
	got, err := api.AssignBuilt(context.Background(), "p", b.build)
	if err != nil {
		t.Fatal(err)
	}
	log, bodies := g.snapshot()
	if len(b.built) != 2 || strings.Join(log, " ") != "GET POST GET POST" {
		t.Fatalf("build ran %d times; requests %v; want two builds, each read right before its attempt", len(b.built), log)
	}
	for i, set := range b.built {
		want, _ := encodeAssignBody(DeviceConfigurationsFamily, set)
		if bodies[i] != string(want) {
			t.Errorf("attempt %d sent\n%s\nwant build %d's set\n%s", i+1, bodies[i], i+1, want)
		}
	}
	if bodies[0] == bodies[1] || !strings.Contains(bodies[1], `"groupId":"g2"`) {
		t.Fatalf("the retry re-sent the first body: %s", bodies[1])
	}
	if len(got) != 2 || got[0].Target.GroupID != "g2" || got[1].Target.GroupID != "mine" {
		t.Fatalf("answer %+v, want the second build's set", got)
	}
}

// build runs once the pacer has granted the write: the read it makes is never older than
// the wait. Its own read is paced as a read while the write waits for nothing: no
// deadlock. A pacer wait past the deadline sends nothing and builds nothing.
func TestAssignBuiltBuildsAfterThePacerGrantsTheWrite(t *testing.T) {
	g := newAssignGraph(t)
	const window = 600 * time.Millisecond
	p := &pacer{writes: limiter(1, window), any: limiter(1, window)}
	api := assignTestAPI(t, g, p)
	var builtAt time.Time
	b := &readAndAdd{api: api, fail: func(int) error { builtAt = time.Now(); return nil }}

	// Take the write's and the request's tokens: the next write waits ~0.61 s.
	p.writes.Allow()
	p.any.Allow()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := api.AssignBuilt(ctx, "p", b.build); err != nil {
		t.Fatal(err)
	}
	if waited := builtAt.Sub(start); waited < window*9/10 {
		t.Fatalf("build ran %v after the call, before the pacer could grant the write (~%v)", waited, window)
	}
	log, _ := g.snapshot()
	if strings.Join(log, " ") != "GET POST" || g.arrivals()[0].Before(builtAt) {
		t.Fatalf("requests %v: want build's read after the grant, then the write", log)
	}

	// Now the pacer would hold the write past the deadline: nothing is built or sent.
	calls := len(b.built)
	short, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, err := api.AssignBuilt(short, "p", b.build)
	var ns *NotSentError
	if !errors.As(err, &ns) || ns.Reason != NotSentPacing || ns.Attempts != 0 {
		t.Fatalf("want a NotSentError for the pacing, nothing sent; got %T %v", err, err)
	}
	if len(b.built) != calls {
		t.Fatal("build ran although the pacer never granted the write")
	}
	if log, _ := g.snapshot(); len(log) != 2 {
		t.Fatalf("requests %v after a write the pacer refused", log)
	}
}

// build's error ends the call: before the first attempt it is returned as it is and
// nothing is sent; before a retry it comes inside a NotSentError that says what was
// sent and whether it may have been applied.
func TestAssignBuiltReturnsBuildErrors(t *testing.T) {
	boom := errors.New("boom")
	g := newAssignGraph(t)
	api := assignTestAPI(t, g, nil)
	b := &readAndAdd{api: api, fail: func(int) error { return boom }}
	if _, err := api.AssignBuilt(context.Background(), "p", b.build); !errors.Is(err, boom) || err.Error() != "boom" {
		t.Fatalf("got %T %v, want build's error itself", err, err)
	}
	if log, _ := g.snapshot(); len(log) != 0 {
		t.Fatalf("requests %v after a failed first build, want none", log)
	}

	for _, tc := range []struct {
		status       int
		maybeApplied bool
	}{{http.StatusTooManyRequests, false}, {http.StatusServiceUnavailable, true}} {
		g := newAssignGraph(t, tc.status)
		api := assignTestAPI(t, g, nil)
		b := &readAndAdd{api: api, fail: func(call int) error {
			if call == 2 {
				return boom
			}
			return nil
		}}
		_, err := api.AssignBuilt(context.Background(), "p", b.build)
		var ns *NotSentError
		if !errors.As(err, &ns) || ns.Reason != NotSentBuild || ns.Attempts != 1 || ns.LastStatus != tc.status ||
			ns.MaybeApplied != tc.maybeApplied || !errors.Is(err, boom) {
			t.Fatalf("after HTTP %d: got %T %+v, want NotSentBuild after 1 try, MaybeApplied %v, wrapping build's error", tc.status, err, err, tc.maybeApplied)
		}
		if _, bodies := g.snapshot(); len(bodies) != 1 {
			t.Fatalf("after HTTP %d: %d writes sent, want 1", tc.status, len(bodies))
		}
		wantDetail := "Nothing was changed in Intune."
		if tc.maybeApplied {
			wantDetail = "Graph may have applied it"
		}
		if d := ns.Details(); !strings.Contains(d, wantDetail) || !strings.Contains(d, "boom") || strings.Contains(d, "rate_limit") {
			t.Errorf("after HTTP %d, details:\n%s", tc.status, d)
		}
	}
}
