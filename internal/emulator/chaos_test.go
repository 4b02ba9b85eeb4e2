package emulator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// rawRes is a response whose body is not parsed (faults send broken JSON).
type rawRes struct {
	status int
	header http.Header
	body   []byte
	proto  string
}

// rawReq sends a request with client (nil: the emulator's HTTP/2 client)
// and returns the transport error instead of failing the test.
func rawReq(ctx context.Context, s *emulator.Server, client *http.Client, method, path, token, body string) (*rawRes, error) {
	if client == nil {
		client = s.HTTPClient()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, rd)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &rawRes{status: res.StatusCode, header: res.Header, body: b, proto: res.Proto}, nil
}

// http1Client talks HTTP/1.1 only, so a drop is a real TCP close.
func http1Client(s *emulator.Server) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.CA().Pool()},
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{},
	}}
}

func assignBody(groups ...string) string {
	as := []any{}
	for _, g := range groups {
		as = append(as, group(g))
	}
	b, _ := json.Marshal(map[string]any{"assignments": as})
	return string(b)
}

func groupsOf(as []emulator.Assignment) string {
	var gs []string
	for _, a := range as {
		gs = append(gs, a.Target.GroupID)
	}
	return strings.Join(gs, ",")
}

func TestRuntimeThrottling(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	for i := 0; i < 5; i++ {
		if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 200 {
			t.Fatalf("throttling off: write %d got %d", i, r.status)
		}
	}

	// The window is on a fake clock: the test decides how much time passes between the
	// writes, not the scheduler.
	clock := useFakeClock(s)
	s.SetThrottleLimits(emulator.ThrottleLimits{Window: 2 * time.Second, AppWrites: 3})
	s.SetThrottling(true)
	s.ResetStats()
	for i := 0; i < 3; i++ {
		if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 200 {
			t.Fatalf("write %d: %d %s", i, r.status, r.raw)
		}
	}
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil)
	if r.status != 429 || r.str("error", "code") != "TooManyRequests" || r.str("error", "message") != "Please retry again later." ||
		r.str("error", "innerError", "code") != "429" || r.str("error", "innerError", "status") != "429" {
		t.Fatalf("4th write: %d %s", r.status, r.raw)
	}
	// No time passed since the window opened: the whole window is left.
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra != 2 {
		t.Fatalf("Retry-After %q, want 2", r.header.Get("Retry-After"))
	}
	if g := doReq(t, s, "GET", devPath(id), tok, nil, nil); g.status != 200 {
		t.Errorf("reads must pass while writes are throttled: %d", g.status)
	}
	if st := s.Stats(); st.Throttled != 1 || st.Writes != 4 || st.AppliedWrites != 3 || st.ByStatus[429] != 1 {
		t.Errorf("stats %+v", st)
	}
	clock.Advance(time.Duration(ra)*time.Second - time.Millisecond)
	if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("just before Retry-After: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	clock.Advance(time.Millisecond)
	if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 200 {
		t.Fatalf("after Retry-After: %d", r.status)
	}

	// The $batch envelope is not an Intune write: only its items count.
	s.SetThrottleLimits(emulator.ThrottleLimits{Window: time.Minute, AppWrites: 2})
	items := []any{}
	for i := 1; i <= 3; i++ {
		items = append(items, map[string]any{"id": strconv.Itoa(i), "method": "POST", "url": "/deviceManagement/deviceConfigurations/" + id + "/assign",
			"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"assignments": []any{}}})
	}
	b := doReq(t, s, "POST", "/beta/$batch", tok, map[string]any{"requests": items}, nil)
	if b.status != 200 {
		t.Fatalf("batch %d %s", b.status, b.raw)
	}
	got := map[string]float64{}
	for _, raw := range b.json["responses"].([]any) {
		it := raw.(map[string]any)
		got[it["id"].(string)] = it["status"].(float64)
		if it["status"] == float64(429) && dig(it, "headers", "Retry-After") == nil {
			t.Errorf("429 item without Retry-After: %v", it)
		}
	}
	if got["1"] != 200 || got["2"] != 200 || got["3"] != 429 {
		t.Errorf("batch item statuses %v", got)
	}

	s.SetThrottling(false)
	for i := 0; i < 5; i++ {
		if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 200 {
			t.Fatalf("throttling switched off: %d", r.status)
		}
	}
}

func TestFailureRate(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	run := func() (pattern string, fails int) {
		var b strings.Builder
		for i := 0; i < 200; i++ {
			r := doReq(t, s, "GET", devPath(id), tok, nil, nil)
			switch r.status {
			case 200:
				b.WriteByte('.')
			case 503:
				b.WriteByte('x')
				fails++
				if r.header.Get("Retry-After") != "1" || r.str("error", "code") != "serviceNotAvailable" {
					t.Fatalf("503: %v %s", r.header, r.raw)
				}
			default:
				t.Fatalf("unexpected %d %s", r.status, r.raw)
			}
		}
		return b.String(), fails
	}
	s.SetSeed(42)
	s.SetFailureRate(0.25, http.StatusServiceUnavailable, emulator.PathContains("GET", "/deviceConfigurations"))
	s.ResetStats()
	p1, n1 := run()
	if n1 < 25 || n1 > 80 {
		t.Fatalf("%d/200 failures at rate 0.25", n1)
	}
	if st := s.Stats(); st.Injected != int64(n1) || st.ByStatus[503] != int64(n1) {
		t.Errorf("stats %+v, want %d injected", st, n1)
	}
	// Non-matching requests are untouched.
	for i := 0; i < 20; i++ {
		if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 200 {
			t.Fatalf("non-matching write failed: %d", r.status)
		}
	}
	// Same seed, same sequence.
	s.SetSeed(42)
	if p2, _ := run(); p2 != p1 {
		t.Errorf("seeded runs differ:\n%s\n%s", p1, p2)
	}
	s.SetFailureRate(0, 0, nil)
	if _, n := run(); n != 0 {
		t.Errorf("rate 0 still fails %d", n)
	}
	// Random fault of another kind.
	s.SetRandomFault(1, emulator.Fault{Kind: emulator.FaultInvalidJSON})
	if r, err := rawReq(context.Background(), s, nil, "GET", devPath(id), tok, ""); err != nil || r.status != 200 || json.Valid(r.body) {
		t.Errorf("random invalid JSON: %v %+v", err, r)
	}
	s.SetRandomFault(0, emulator.Fault{})
}

func TestFaultKinds(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	ctx := context.Background()

	t.Run("truncated body", func(t *testing.T) {
		full, err := rawReq(ctx, s, nil, "GET", devPath(id), tok, "")
		if err != nil || full.status != 200 || !json.Valid(full.body) {
			t.Fatalf("baseline %v %+v", err, full)
		}
		s.AddFault(emulator.Fault{Kind: emulator.FaultTruncatedBody, Match: emulator.PathContains("GET", id)})
		r, err := rawReq(ctx, s, nil, "GET", devPath(id), tok, "")
		if err != nil {
			t.Fatal(err)
		}
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || json.Valid(r.body) {
			t.Fatalf("truncated: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		if d := len(full.body)/2 - len(r.body); d < -5 || d > 5 || !bytes.HasPrefix(full.body, r.body[:20]) {
			t.Errorf("truncated body is %d bytes of %d: %s", len(r.body), len(full.body), r.body)
		}
		// A truncated write was applied.
		s.AddFault(emulator.Fault{Kind: emulator.FaultTruncatedBody, Match: emulator.PathContains("POST", "/assign")})
		r, err = rawReq(ctx, s, nil, "POST", devPath(id, "assign"), tok, assignBody(group1))
		if err != nil || r.status != 200 || json.Valid(r.body) {
			t.Fatalf("truncated assign: %v %+v", err, r)
		}
		if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group1 {
			t.Errorf("truncated assign not applied: %v", as)
		}
	})

	t.Run("invalid JSON", func(t *testing.T) {
		s.AddFault(emulator.Fault{Kind: emulator.FaultInvalidJSON, Match: emulator.PathContains("POST", "/assign")})
		r, err := rawReq(ctx, s, nil, "POST", devPath(id, "assign"), tok, assignBody(group2))
		if err != nil || r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || json.Valid(r.body) || len(r.body) == 0 {
			t.Fatalf("invalid JSON: %v %+v", err, r)
		}
		if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group1 {
			t.Errorf("invalid-JSON fault reached the service: %v", as)
		}
	})

	for _, proto := range []string{"HTTP/2", "HTTP/1.1"} {
		client := s.HTTPClient()
		if proto == "HTTP/2" {
			proto = "HTTP/2.0"
		} else {
			client = http1Client(s)
		}
		t.Run("drop connection "+proto, func(t *testing.T) {
			if r, err := rawReq(ctx, s, client, "GET", devPath(id), tok, ""); err != nil || r.proto != proto {
				t.Fatalf("baseline %v %+v", err, r)
			}
			s.ResetStats()
			s.ResetRequests()
			s.AddFault(emulator.Fault{Kind: emulator.FaultDropConnection, Match: emulator.PathContains("POST", "/assign")})
			if r, err := rawReq(ctx, s, client, "POST", devPath(id, "assign"), tok, assignBody(group2)); err == nil {
				t.Fatalf("dropped request got a response: %+v", r)
			}
			if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group1 {
				t.Errorf("dropped request was applied: %v", as)
			}
			if st := s.Stats(); st.Dropped != 1 || st.Injected != 1 || st.AppliedWrites != 0 {
				t.Errorf("stats %+v", st)
			}
			if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Status != 0 {
				t.Errorf("log %+v", reqs)
			}
			// The client recovers on a new request.
			if r, err := rawReq(ctx, s, client, "GET", devPath(id), tok, ""); err != nil || r.status != 200 {
				t.Fatalf("after drop: %v %+v", err, r)
			}
		})
		t.Run("after write "+proto, func(t *testing.T) {
			s.ResetStats()
			s.AddFault(emulator.Fault{Kind: emulator.FaultAfterWrite, Match: emulator.PathContains("POST", "/assign")})
			if r, err := rawReq(ctx, s, client, "POST", devPath(id, "assign"), tok, assignBody(group1, group2)); err == nil {
				t.Fatalf("after-write got a response: %+v", r)
			}
			if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group1+","+group2 {
				t.Fatalf("after-write change not applied: %v", as)
			}
			if st := s.Stats(); st.Dropped != 1 || st.AppliedWrites != 1 || st.Writes != 1 {
				t.Errorf("stats %+v", st)
			}
			// Retrying the replace-all assign is safe.
			r, err := rawReq(ctx, s, client, "POST", devPath(id, "assign"), tok, assignBody(group1, group2))
			if err != nil || r.status != 200 {
				t.Fatalf("retry: %v %+v", err, r)
			}
			if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group1+","+group2 {
				t.Errorf("after retry: %v", as)
			}
			_ = s.SetDeviceConfigurationAssignments(id, []emulator.Assignment{{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: group1}}})
		})
	}

	t.Run("drop inside a batch loses the batch", func(t *testing.T) {
		s.AddFault(emulator.Fault{Kind: emulator.FaultAfterWrite, Match: func(m, p string) bool { return m == "POST" && strings.HasSuffix(p, "/assign") }})
		body, _ := json.Marshal(map[string]any{"requests": []any{
			map[string]any{"id": "1", "method": "POST", "url": "/deviceManagement/deviceConfigurations/" + id + "/assign",
				"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"assignments": []any{group(group2)}}},
		}})
		if r, err := rawReq(ctx, s, nil, "POST", "/beta/$batch", tok, string(body)); err == nil {
			t.Fatalf("batch answered: %+v", r)
		}
		if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group2 {
			t.Errorf("batch item not applied: %v", as)
		}
	})

	t.Run("status fault still default", func(t *testing.T) {
		s.AddFault(emulator.Fault{Status: 500})
		if r := doReq(t, s, "GET", devPath(id), tok, nil, nil); r.status != 500 || r.header.Get("X-Emulator-Fault") != "status" {
			t.Errorf("status fault: %d %v", r.status, r.header)
		}
	})
}

func TestLatency(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	// d is the latency whose presence is measured (a lower bound, which holds however
	// slow the machine is); long is one so long that "not delayed" holds by a wide margin.
	const d, long = 500 * time.Millisecond, time.Minute
	s.SetLatency(d)
	start := time.Now()
	if r := doReq(t, s, "GET", devPath(id), tok, nil, nil); r.status != 200 {
		t.Fatal(r.status)
	}
	if el := time.Since(start); el < d {
		t.Errorf("GET took %v with latency %v", el, d)
	}
	// Batch items do not add their own latency: with it, the 10 items, run one after the
	// other, would take at least 11*d; without it the batch takes d plus the machine's
	// time, which is allowed to be up to 9*d.
	items := []any{}
	for i := 1; i <= 10; i++ {
		items = append(items, map[string]any{"id": strconv.Itoa(i), "method": "GET", "url": "/deviceManagement/deviceConfigurations/" + id})
	}
	start = time.Now()
	if r := doReq(t, s, "POST", "/beta/$batch", tok, map[string]any{"requests": items}, nil); r.status != 200 {
		t.Fatal(r.status)
	}
	if el := time.Since(start); el < d || el >= 10*d {
		t.Errorf("batch of 10 took %v with latency %v", el, d)
	}

	s.SetLatency(long)
	// Token requests are not delayed.
	start = time.Now()
	getToken(t, s, rwClient)
	if el := time.Since(start); el >= long/2 {
		t.Errorf("token request delayed %v", el)
	}
	// A client that gives up is released, and the request is not handled. It gives up
	// once the emulator holds the whole request (so it is waiting out the latency), not
	// after a fixed time that a slow machine could spend before sending it.
	s.ResetStats()
	s.ResetRequests()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := rawReq(ctx, s, nil, "POST", devPath(id, "assign"), tok, assignBody(group1))
		done <- err
	}()
	waitFor(t, 30*time.Second, "the assign request never reached the emulator", func() bool {
		reqs := s.Requests()
		return len(reqs) == 1 && len(reqs[0].Body) > 0
	})
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("want context canceled, got %v", err)
		}
	case <-time.After(long / 2):
		t.Fatal("the client was not released when it gave up")
	}
	// The emulator notices on its own goroutine; the stats are final once it has.
	waitFor(t, 30*time.Second, "the emulator never dropped the abandoned request", func() bool { return s.Stats().Dropped == 1 })
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 0 {
		t.Errorf("cancelled request was applied")
	}
	if st := s.Stats(); st.Dropped != 1 || st.AppliedWrites != 0 || st.Requests != 1 {
		t.Errorf("stats %+v", st)
	}
	s.SetLatency(0)
	start = time.Now()
	doReq(t, s, "GET", devPath(id), tok, nil, nil)
	if el := time.Since(start); el >= long/2 {
		t.Errorf("latency 0 still slow: %v", el)
	}
}

func TestReadLag(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	clock := useFakeClock(s)
	const lag = 400 * time.Millisecond
	s.SetReadLag(lag)

	listGroups := func() string {
		r := doReq(t, s, "GET", devPath(id, "assignments"), tok, nil, nil)
		var gs []string
		for _, v := range r.values(t) {
			gs = append(gs, dig(v, "target", "groupId").(string))
		}
		return strings.Join(gs, ",")
	}
	expandGroups := func() string {
		r := doReq(t, s, "GET", devPath(id)+"?$expand=assignments", tok, nil, nil)
		var gs []string
		for _, v := range r.json["assignments"].([]any) {
			gs = append(gs, dig(v, "target", "groupId").(string))
		}
		return strings.Join(gs, ",")
	}
	// Time is a fake clock: each read below sees exactly the moment the test set, however
	// long the requests take.
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, assignBody(group1), nil)
	if r.status != 200 || len(r.values(t)) != 1 {
		t.Fatalf("assign %d %s", r.status, r.raw)
	}
	staleReads := func(when string) {
		t.Helper()
		if g := listGroups(); g != "" {
			t.Errorf("list %s = %q, want the previous (empty) set", when, g)
		}
		if g := expandGroups(); g != "" {
			t.Errorf("$expand %s = %q", when, g)
		}
		if c := doReq(t, s, "GET", devPath(id, "assignments", "$count"), tok, nil, nil); string(c.raw) != "0" {
			t.Errorf("$count %s = %s", when, c.raw)
		}
		if a := doReq(t, s, "GET", devPath(id, "assignments", id+"_"+group1), tok, nil, nil); a.status != 404 {
			t.Errorf("item GET %s = %d", when, a.status)
		}
	}
	staleReads("right after assign")
	if as, _ := s.DeviceConfigurationAssignments(id); groupsOf(as) != group1 {
		t.Errorf("inspection sees %v", as)
	}
	clock.Advance(lag - time.Nanosecond)
	staleReads("just before the lag ends")
	clock.Advance(time.Nanosecond)
	if g := listGroups(); g != group1 {
		t.Errorf("after lag list = %q", g)
	}
	if g := expandGroups(); g != group1 {
		t.Errorf("after lag $expand = %q", g)
	}

	// Set*Assignments lags too; two quick writes show the state as of lag ago.
	if err := s.SetDeviceConfigurationAssignments(id, []emulator.Assignment{{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: group2}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(lag / 2)
	doReq(t, s, "POST", devPath(id, "assign"), tok, assignBody(group1, group2), nil)
	if g := listGroups(); g != group1 {
		t.Errorf("before first write's lag = %q, want %q", g, group1)
	}
	clock.Advance(lag / 2)
	if g := listGroups(); g != group2 {
		t.Errorf("between lags = %q, want %q", g, group2)
	}
	clock.Advance(lag / 2)
	if g := listGroups(); g != group1+","+group2 {
		t.Errorf("settled = %q", g)
	}

	// Office assignments lag as well; SetReadLag(0) makes reads current.
	oid := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	if err := s.SetOfficeClientConfigurationAssignments(oid, []emulator.Assignment{{Target: emulator.Target{GroupID: group1}}}); err != nil {
		t.Fatal(err)
	}
	or := doReq(t, s, "GET", "/beta/officeConfiguration/clientConfigurations/"+oid+"/assignments", tok, nil, nil)
	if n := len(or.values(t)); n != 0 {
		t.Errorf("office list right after set: %d items", n)
	}
	s.SetReadLag(0)
	or = doReq(t, s, "GET", "/beta/officeConfiguration/clientConfigurations/"+oid+"/assignments", tok, nil, nil)
	if n := len(or.values(t)); n != 1 {
		t.Errorf("office list with lag off: %d items", n)
	}
}

func TestStatsAndRequestLog(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	if st := s.Stats(); st.TokenRequests != 1 {
		t.Errorf("token requests %d", st.TokenRequests)
	}
	s.ResetStats()
	doReq(t, s, "GET", devPath(id), tok, nil, nil)
	doReq(t, s, "GET", devPath("nope"), tok, nil, nil)
	doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil)
	doReq(t, s, "POST", "/beta/$batch", tok, map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/deviceManagement/deviceConfigurations/" + id},
		map[string]any{"id": "2", "method": "POST", "url": "/deviceManagement/deviceConfigurations/" + id + "/assign",
			"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"assignments": []any{}}},
	}}, nil)
	st := s.Stats()
	want := emulator.Stats{Requests: 6, Writes: 2, AppliedWrites: 2, Batches: 1}
	if st.Requests != want.Requests || st.Writes != want.Writes || st.AppliedWrites != want.AppliedWrites || st.Batches != want.Batches ||
		st.ByStatus[200] != 5 || st.ByStatus[404] != 1 || st.Throttled != 0 || st.Injected != 0 {
		t.Errorf("stats %+v", st)
	}
	s.ResetStats()
	if st := s.Stats(); st.Requests != 0 || len(st.ByStatus) != 0 {
		t.Errorf("after reset %+v", st)
	}

	s.ResetRequests()
	s.SetRecordRequests(false)
	doReq(t, s, "GET", devPath(id), tok, nil, nil)
	if n := len(s.Requests()); n != 0 {
		t.Errorf("recording off, %d logged", n)
	}
	if s.Stats().Requests != 1 {
		t.Error("stats must count while recording is off")
	}
	s.SetRecordRequests(true)
	s.SetRequestLogLimit(3)
	for i := 0; i < 10; i++ {
		doReq(t, s, "GET", devPath(id)+"?n="+strconv.Itoa(i), tok, nil, nil)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].RawQuery != "n=7" || reqs[2].RawQuery != "n=9" {
		t.Errorf("bounded log: %d entries, first %q", len(reqs), reqs[0].RawQuery)
	}
}

// TestChaosConcurrent runs switches and traffic together under -race.
func TestChaosConcurrent(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	s.SetThrottleLimits(emulator.ThrottleLimits{Window: time.Second, AppWrites: 5})
	s.SetFailureRate(0.2, 503, nil)
	s.SetReadLag(10 * time.Millisecond)
	s.SetRequestLogLimit(10)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				g := group1
				if (w+i)%2 == 0 {
					g = group2
				}
				_, _ = rawReq(context.Background(), s, nil, "POST", devPath(id, "assign"), tok, assignBody(g))
				_, _ = rawReq(context.Background(), s, nil, "GET", devPath(id, "assignments"), tok, "")
			}
		}(w)
	}
	for i := 0; i < 5; i++ {
		s.SetLatency(time.Millisecond)
		s.SetThrottling(i%2 == 0)
		s.SetSeed(int64(i))
		_ = s.Stats()
		_ = s.Requests()
	}
	wg.Wait()
	if st := s.Stats(); st.Requests != 8*15*2 {
		t.Errorf("requests %d", st.Requests)
	}
}
