package emulator

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind selects how a Fault answers.
type FaultKind int

const (
	// FaultStatus answers Status with the matching Graph error body
	// (the zero value, so existing rules keep their meaning).
	FaultStatus FaultKind = iota
	// FaultTruncatedBody runs the real handler (so a write IS applied), then
	// sends its status and headers with only the first half of the body,
	// Content-Length fixed up: the client sees a well-formed HTTP response
	// whose JSON does not parse. Responses without a body are sent as is.
	FaultTruncatedBody
	// FaultInvalidJSON answers 200 with a JSON Content-Type and a non-JSON
	// body (Fault.Body, default an HTML error page), as a misbehaving proxy
	// would. The request never reaches the service: nothing is applied.
	FaultInvalidJSON
	// FaultDropConnection closes the connection without any response
	// (HTTP/1.1: hijack and close; HTTP/2: reset the stream). Nothing is
	// applied.
	FaultDropConnection
	// FaultAfterWrite runs the real handler (the change IS applied) and then
	// drops the connection instead of answering: the service changed but the
	// client never heard, so a retry must be safe (replace-all assign) or
	// must cope with "already done" (create).
	FaultAfterWrite
)

func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultTruncatedBody:
		return "truncated-body"
	case FaultInvalidJSON:
		return "invalid-json"
	case FaultDropConnection:
		return "drop-connection"
	case FaultAfterWrite:
		return "after-write"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is one fault-injection rule for Graph requests. Rules are consulted
// in the order they were added; the first live rule that matches answers
// the request and uses up one of its Count. New kinds of faults should be
// added as fields here so FailNext and future helpers share one mechanism.
type Fault struct {
	Count      int                            // matching requests to fail; <= 0 means 1
	Match      func(method, path string) bool // nil matches every Graph request; path is r.URL.Path (e.g. "/beta/deviceManagement/...")
	Kind       FaultKind                      // how to fail; default FaultStatus
	Status     int                            // HTTP status to answer (FaultStatus)
	RetryAfter int                            // seconds for the Retry-After header (429/503; negative omits it)
	Code       string                         // overrides error.code ("" => per-status default)
	Message    string                         // overrides error.message
	Delay      time.Duration                  // wait before answering (simulates slow service/timeouts); ends early if the client gives up
	Header     http.Header                    // extra response headers
	Body       []byte                         // FaultInvalidJSON: the body to send (default an HTML page)
	remaining  int
}

type faultSet struct {
	mu    sync.Mutex
	rules []*Fault
}

// AddFault registers a fault rule (see Fault).
func (s *Server) AddFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	f.remaining = f.Count
	s.faults.mu.Lock()
	s.faults.rules = append(s.faults.rules, &f)
	s.faults.mu.Unlock()
}

// ClearFaults drops all pending fault rules.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.rules = nil
	s.faults.mu.Unlock()
}

// FailNext makes the next n Graph requests (optionally only those matching
// method+path) answer with status: 429 => TooManyRequests body + integer
// Retry-After = retryAfter seconds; 503 => serviceNotAvailable +
// Retry-After; others: the generic error envelope.
func (s *Server) FailNext(n int, match func(method, path string) bool, status int, retryAfter int) {
	s.AddFault(Fault{Count: n, Match: match, Status: status, RetryAfter: retryAfter})
}

// PathContains is a FailNext matcher: method ("" = any) and a
// case-insensitive substring of the path.
func PathContains(method, substr string) func(string, string) bool {
	return func(m, p string) bool {
		return (method == "" || strings.EqualFold(method, m)) && strings.Contains(strings.ToLower(p), strings.ToLower(substr))
	}
}

// takeFault returns the rule to apply to a request, consuming one use.
func (s *Server) takeFault(method, path string) *Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, f := range s.faults.rules {
		if f.remaining <= 0 {
			continue
		}
		if f.Match != nil && !f.Match(method, path) {
			continue
		}
		f.remaining--
		cp := *f
		if f.remaining == 0 {
			s.faults.rules = append(s.faults.rules[:i:i], s.faults.rules[i+1:]...)
		}
		return &cp
	}
	return nil
}

// pickFault returns the fault to apply to a Graph request: a counted rule
// first, else a random failure (SetFailureRate/SetRandomFault).
func (s *Server) pickFault(method, path string) *Fault {
	if f := s.takeFault(method, path); f != nil {
		return f
	}
	return s.randomFault(method, path)
}

// applyFault answers the request from a matching fault rule or random
// failure, if any. next is the rest of the Graph pipeline, which the kinds
// that model "the service did the work" run against a buffer.
func (s *Server) applyFault(c *reqCtx, next func(*reqCtx)) bool {
	f := s.pickFault(c.r.Method, c.r.URL.Path)
	if f == nil {
		return false
	}
	s.countInjected()
	c.w.Header().Set("X-Emulator-Fault", f.Kind.String())
	if !sleepCtx(c.r.Context(), f.Delay) {
		c.dropConnection() // the client went away; nothing to answer
	}
	addHeaders := func(h http.Header) {
		for k, vs := range f.Header {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	}
	switch f.Kind {
	case FaultTruncatedBody:
		rec := c.capture(next)
		addHeaders(rec.Header())
		body := rec.Body.Bytes()
		body = body[:len(body)/2]
		h := c.w.Header()
		for k, vs := range rec.Header() {
			h[k] = vs
		}
		if len(body) > 0 || rec.Header().Get("Content-Length") != "" {
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
		c.w.WriteHeader(rec.Code)
		_, _ = c.w.Write(body)
	case FaultInvalidJSON:
		addHeaders(c.w.Header())
		body := f.Body
		if body == nil {
			body = []byte("<html><head><title>502 Bad Gateway</title></head><body>The proxy answered instead of Microsoft Graph.</body></html>")
		}
		c.setGraphHeaders()
		c.w.Header().Set("Content-Type", odataContentType)
		c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write(body)
	case FaultDropConnection:
		c.dropConnection()
	case FaultAfterWrite:
		rec := c.capture(next)
		c.appliedBeforeDrop = rec.Code >= 200 && rec.Code < 300
		c.dropConnection()
	default:
		addHeaders(c.w.Header())
		c.writeFault(f.Status, f.Code, f.Message, f.RetryAfter)
	}
	return true
}

// capture runs next with the response going to a buffer instead of the
// client, so a fault can mangle or swallow what the service answered.
func (c *reqCtx) capture(next func(*reqCtx)) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	real := c.w
	c.w = rec
	defer func() { c.w = real }()
	next(c)
	return rec
}

// errDropped is the panic value used to unwind a dropped request; it is
// http.ErrAbortHandler so net/http neither logs it nor answers.
var errDropped = http.ErrAbortHandler

// dropConnection ends the request without a response and never returns:
// the panic unwinds to ServeHTTP, which closes the connection (see
// abandonResponse). It also unwinds a $batch envelope when the fault hit
// one of its items, so the whole batch response is lost, as it would be on
// a real dropped connection.
func (c *reqCtx) dropConnection() {
	panic(errDropped)
}

// sleepCtx waits d, or less when ctx ends first; it reports whether the
// full wait elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeFault renders the error body for an injected or throttling status.
func (c *reqCtx) writeFault(status int, code, message string, retryAfter int) {
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retryAfter >= 0 {
		c.w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	switch status {
	case http.StatusTooManyRequests:
		// Shape of the throttling doc sample
		// (internal/graph/NOTES.md#throttling).
		c.writeErrorBody(status, def(code, "TooManyRequests"), def(message, "Please retry again later."), "injected/throttled 429",
			obj{{"code", "429"}, {"message", "Please retry after"}, {"status", "429"}})
	case http.StatusServiceUnavailable:
		c.writeErrorBody(status, def(code, "serviceNotAvailable"), def(message, "The service is temporarily unavailable. Please retry later."), "injected 503", nil)
	case http.StatusInternalServerError:
		if message == "" && !c.s.cfg.PlainErrorMessages {
			c.intuneError(status, def(code, "InternalServerError"), "An internal server error has occurred", "injected 500")
			return
		}
		c.graphError(status, def(code, "InternalServerError"), def(message, "An internal server error has occurred"), "injected 500")
	case http.StatusBadRequest:
		if message == "" && !c.s.cfg.PlainErrorMessages {
			c.intuneError(status, def(code, "BadRequest"), "", "injected transient 400")
			return
		}
		c.graphError(status, def(code, "BadRequest"), def(message, "An error has occurred"), "injected 400")
	default:
		txt := http.StatusText(status)
		c.graphError(status, def(code, strings.ReplaceAll(txt, " ", "")), def(message, txt), "injected "+strconv.Itoa(status))
	}
}

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// ThrottleLimits are the Intune device-configuration limits
// (internal/graph/NOTES.md#throttling): per 20-second window, writes
// (POST/PUT/PATCH/DELETE) and any requests, per tenant and per app. Zero
// fields take the documented values.
type ThrottleLimits struct {
	Window       time.Duration // default 20s
	TenantWrites int           // default 200
	AppWrites    int           // default 100
	TenantAny    int           // default 2000
	AppAny       int           // default 1000
}

type window struct {
	start time.Time
	n     int
}

// throttler keeps fixed windows keyed by tenant and tenant+app.
type throttler struct {
	mu     sync.Mutex
	lim    ThrottleLimits
	counts map[string]*window
}

func newThrottler(l ThrottleLimits) *throttler {
	return &throttler{lim: throttleDefaults(l), counts: map[string]*window{}}
}

// reset installs new limits and forgets the current windows.
func (t *throttler) reset(l ThrottleLimits) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lim = throttleDefaults(l)
	t.counts = map[string]*window{}
}

func throttleDefaults(l ThrottleLimits) ThrottleLimits {
	if l.Window <= 0 {
		l.Window = 20 * time.Second
	}
	if l.TenantWrites <= 0 {
		l.TenantWrites = 200
	}
	if l.AppWrites <= 0 {
		l.AppWrites = 100
	}
	if l.TenantAny <= 0 {
		l.TenantAny = 2000
	}
	if l.AppAny <= 0 {
		l.AppAny = 1000
	}
	return l
}

// admit counts a request; when a limit is exceeded it returns the seconds
// until the blocking window resets.
func (t *throttler) admit(tenant, app string, write bool, now time.Time) (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	type check struct {
		key   string
		limit int
	}
	checks := []check{{"any|" + tenant, t.lim.TenantAny}, {"any|" + tenant + "|" + app, t.lim.AppAny}}
	if write {
		checks = append(checks, check{"w|" + tenant, t.lim.TenantWrites}, check{"w|" + tenant + "|" + app, t.lim.AppWrites})
	}
	wait := 0
	for _, ch := range checks {
		w := t.counts[ch.key]
		if w == nil || now.Sub(w.start) >= t.lim.Window {
			w = &window{start: now}
			t.counts[ch.key] = w
		}
		if w.n >= ch.limit {
			secs := int(math.Ceil(w.start.Add(t.lim.Window).Sub(now).Seconds()))
			wait = max(wait, max(secs, 1))
		}
	}
	if wait > 0 {
		return false, wait
	}
	for _, ch := range checks {
		t.counts[ch.key].n++
	}
	return true, 0
}

// applyThrottle enforces the throttling windows
// (internal/graph/NOTES.md#throttling) while throttling is on
// (Config.DisableThrottling / SetThrottling). A $batch envelope is not
// counted: the Intune limits apply to its items, each of which passes here on
// its own (internal/graph/NOTES.md#batching).
func (s *Server) applyThrottle(c *reqCtx) bool {
	if !s.throttleOn.Load() || c.batchEnvelope {
		return false
	}
	ok, wait := s.throttle.admit(c.claims.Tid, c.claims.AppID, isWrite(c.r.Method), s.now())
	if ok {
		return false
	}
	s.addStat(func(st *Stats) { st.Throttled++ })
	c.writeFault(http.StatusTooManyRequests, "", "", wait)
	return true
}
