package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// script answers each attempt in turn and records what it was sent.
type script struct {
	answers []func() (*http.Response, error)
	bodies  []string
	headers []http.Header
}

func (s *script) Next(req *http.Request, _ int) (*http.Response, error) {
	s.headers = append(s.headers, req.Header.Clone())
	b := ""
	if req.Body != nil {
		raw, _ := io.ReadAll(req.Body)
		b = string(raw)
		// What kiota's compression handler does to the request in place.
		req.Header.Set("Content-Encoding", "gzip")
	}
	s.bodies = append(s.bodies, b)
	n := len(s.bodies) - 1
	if n >= len(s.answers) {
		n = len(s.answers) - 1
	}
	return s.answers[n]()
}

func status(code int, retryAfter string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("{}"))}, nil
	}
}

func fail(err error) func() (*http.Response, error) {
	return func() (*http.Response, error) { return nil, err }
}

// recordingSleeps replaces real waits so the test asserts the delays instead of taking them.
func testResilience() (*resilience, *[]time.Duration) {
	var slept []time.Duration
	r := newResilience(nil)
	r.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	return r, &slept
}

func post(ctx context.Context, body string, idempotent bool) *http.Request {
	if idempotent {
		ctx = context.WithValue(ctx, idempotentKey, idempotentOption{})
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://graph.example/beta/x/assign", bytes.NewReader([]byte(body)))
	return req
}

func TestRetryResendsTheSameBodyAndHonoursRetryAfter(t *testing.T) {
	r, slept := testResilience()
	s := &script{answers: []func() (*http.Response, error){status(429, "2"), status(503, "0.2"), status(200, "")}}
	resp, err := r.Intercept(s, 0, post(context.Background(), `{"assignments":[]}`, true))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v %v", resp, err)
	}
	if len(s.bodies) != 3 || s.bodies[0] != s.bodies[2] || s.bodies[2] != `{"assignments":[]}` {
		t.Fatalf("bodies sent: %q", s.bodies)
	}
	if s.headers[1].Get("Content-Encoding") != "" || s.headers[2].Get("Content-Encoding") != "" {
		t.Fatal("a retry must not inherit headers a later middleware set on the previous attempt")
	}
	if s.headers[2].Get("Retry-Attempt") != "2" {
		t.Fatalf("Retry-Attempt = %q", s.headers[2].Get("Retry-Attempt"))
	}
	if want := []time.Duration{2 * time.Second, time.Second}; len(*slept) != 2 || (*slept)[0] != want[0] || (*slept)[1] != want[1] {
		t.Fatalf("slept %v, want %v (Retry-After, fractions rounded up)", *slept, want)
	}
}

func TestRetryOnlyResendsWhatIsSafe(t *testing.T) {
	r, _ := testResilience()
	// A non-idempotent POST is not repeated after a 503 (it may have been applied)...
	s := &script{answers: []func() (*http.Response, error){status(503, "1"), status(200, "")}}
	resp, _ := r.Intercept(s, 0, post(context.Background(), "{}", false))
	if resp.StatusCode != 503 || len(s.bodies) != 1 {
		t.Fatalf("non-idempotent POST was retried after 503: %d attempts", len(s.bodies))
	}
	// ...but is after a 429, which means it was not processed.
	s = &script{answers: []func() (*http.Response, error){status(429, "1"), status(200, "")}}
	resp, _ = r.Intercept(s, 0, post(context.Background(), "{}", false))
	if resp.StatusCode != 200 || len(s.bodies) != 2 {
		t.Fatalf("429 not retried: %d attempts", len(s.bodies))
	}
	// A dropped connection on an idempotent assign is retried.
	s = &script{answers: []func() (*http.Response, error){fail(syscall.ECONNRESET), fail(io.ErrUnexpectedEOF),
		fail(errors.New("stream error: stream ID 7; INTERNAL_ERROR; received from peer")), status(200, "")}}
	resp, err := r.Intercept(s, 0, post(context.Background(), "{}", true))
	if err != nil || resp.StatusCode != 200 || len(s.bodies) != 4 {
		t.Fatalf("connection errors not retried: %v, %d attempts", err, len(s.bodies))
	}
	// A 400 is an answer, not a fault.
	s = &script{answers: []func() (*http.Response, error){status(400, ""), status(200, "")}}
	resp, _ = r.Intercept(s, 0, post(context.Background(), "{}", true))
	if resp.StatusCode != 400 || len(s.bodies) != 1 {
		t.Fatal("a 400 must not be retried")
	}
}

func TestRetryStopsAtTheDeadlineOrTheAttemptCap(t *testing.T) {
	r, _ := testResilience()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	s := &script{answers: []func() (*http.Response, error){status(429, "5")}}
	resp, _ := r.Intercept(s, 0, post(ctx, "{}", true))
	if resp.StatusCode != 429 || len(s.bodies) != 1 {
		t.Fatalf("a wait past the deadline must return the last answer at once, got %d attempts", len(s.bodies))
	}
	s = &script{answers: []func() (*http.Response, error){status(503, "")}}
	req, _ := http.NewRequest(http.MethodGet, "https://graph.example/beta/x", nil)
	resp, _ = r.Intercept(s, 0, req)
	if resp.StatusCode != 503 || len(s.bodies) != r.policy.MaxAttempts {
		t.Fatalf("without a deadline, attempts = %d, want %d", len(s.bodies), r.policy.MaxAttempts)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	for in, want := range map[string]time.Duration{"3": 3 * time.Second, "0": 0, "0.5": time.Second, "1.2": 2 * time.Second} {
		if got, ok := retryAfter(in); !ok || got != want {
			t.Errorf("retryAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	// An HTTP date: the wait is until then, measured when retryAfter runs. Bracketing that
	// call between two clock readings gives the exact bounds, however slow the machine.
	before := time.Now()
	at := before.Add(3 * time.Second).Truncate(time.Second)
	got, ok := retryAfter(at.UTC().Format(http.TimeFormat))
	after := time.Now()
	if !ok || got > at.Sub(before) || got < at.Sub(after) {
		t.Errorf("retryAfter(date %v) = %v, %v; want between %v and %v", at, got, ok, at.Sub(after), at.Sub(before))
	}
	if _, ok := retryAfter("soon"); ok {
		t.Error("garbage must not parse")
	}
}

func TestPacerKeepsWritesUnderTheWindowLimit(t *testing.T) {
	p := pacerFor("tenant-pacing-test", "app", Limits{Window: time.Second, Writes: 10, Requests: 0})
	start := time.Now()
	for i := 0; i < 11; i++ {
		if err := p.wait(context.Background(), true, 1); err != nil {
			t.Fatal(err)
		}
	}
	// 10 per second at 98%: the 11th write cannot go before ~1.02 s.
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Fatalf("11 writes in %v: faster than 10 per second", elapsed)
	}
	if pacerFor("TENANT-pacing-test", "APP", Limits{Window: time.Second, Writes: 10}) != p {
		t.Fatal("one tenant and app must share one pacer")
	}
}

var _ abs.RequestOption = idempotentOption{}
