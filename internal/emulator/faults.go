package emulator

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one fault-injection rule for Graph requests. Rules are consulted
// in the order they were added; the first live rule that matches answers
// the request and uses up one of its Count. New kinds of faults should be
// added as fields here so FailNext and future helpers share one mechanism.
type Fault struct {
	Count      int                            // matching requests to fail; <= 0 means 1
	Match      func(method, path string) bool // nil matches every Graph request; path is r.URL.Path (e.g. "/beta/deviceManagement/...")
	Status     int                            // HTTP status to answer
	RetryAfter int                            // seconds for the Retry-After header (429/503; negative omits it)
	Code       string                         // overrides error.code ("" => per-status default)
	Message    string                         // overrides error.message
	Delay      time.Duration                  // sleep before answering (simulates slow service/timeouts)
	Header     http.Header                    // extra response headers
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

// applyFault answers the request from a matching fault rule, if any.
func (s *Server) applyFault(c *reqCtx) bool {
	f := s.takeFault(c.r.Method, c.r.URL.Path)
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		time.Sleep(f.Delay)
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			c.w.Header().Add(k, v)
		}
	}
	c.writeFault(f.Status, f.Code, f.Message, f.RetryAfter)
	return true
}

// writeFault renders the error body for an injected or throttling status.
func (c *reqCtx) writeFault(status int, code, message string, retryAfter int) {
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retryAfter >= 0 {
		c.w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	switch status {
	case http.StatusTooManyRequests:
		// Shape of the throttling doc sample (spec 4.3).
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

// ThrottleLimits are the Intune device-configuration limits (spec 4.3):
// per 20-second window, writes (POST/PUT/PATCH/DELETE) and any requests, per
// tenant and per app. Zero fields take the documented values.
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
	return &throttler{lim: l, counts: map[string]*window{}}
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

// applyThrottle enforces the spec 4.3 windows unless DisableThrottling.
func (s *Server) applyThrottle(c *reqCtx) bool {
	if s.cfg.DisableThrottling {
		return false
	}
	write := c.r.Method != http.MethodGet && c.r.Method != http.MethodHead
	ok, wait := s.throttle.admit(c.claims.Tid, c.claims.AppID, write, time.Now())
	if ok {
		return false
	}
	c.writeFault(http.StatusTooManyRequests, "", "", wait)
	return true
}
