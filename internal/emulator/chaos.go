package emulator

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Run-time switches for resilience tests. Every setter is goroutine-safe and
// takes effect for the next request, so one emulator can be reconfigured
// between the steps of a test without a restart.

// chaosState holds the random-failure and latency switches.
type chaosState struct {
	mu       sync.Mutex
	seed     int64
	rng      *rand.Rand
	rate     float64
	template Fault // the fault a random failure serves (Count unused)
	latency  time.Duration
}

func newRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
}

// defaultSeed makes random failures reproducible unless a test asks
// otherwise (the order of concurrent requests still varies).
const defaultSeed = 1

// SetSeed re-seeds the generator behind SetFailureRate/SetRandomFault.
func (s *Server) SetSeed(seed int64) {
	s.chaos.mu.Lock()
	defer s.chaos.mu.Unlock()
	s.chaos.seed = seed
	s.chaos.rng = newRNG(seed)
}

// SetFailureRate makes each Graph request matching match (nil: all,
// including $batch envelopes and items) fail with probability rate
// (0..1) with the given status: 429 => TooManyRequests, 503 =>
// serviceNotAvailable, both with Retry-After: 1; other statuses get their
// usual error body. rate <= 0 disables random failures.
func (s *Server) SetFailureRate(rate float64, status int, match func(method, path string) bool) {
	s.SetRandomFault(rate, Fault{Status: status, RetryAfter: 1, Match: match})
}

// SetRandomFault is SetFailureRate for any fault kind, e.g.
// Fault{Kind: FaultAfterWrite, Match: PathContains("POST", "/assign")}.
// f.Count is ignored; rate <= 0 disables random failures.
func (s *Server) SetRandomFault(rate float64, f Fault) {
	s.chaos.mu.Lock()
	defer s.chaos.mu.Unlock()
	if rate < 0 {
		rate = 0
	}
	s.chaos.rate = rate
	f.Count, f.remaining = 0, 0
	s.chaos.template = f
}

// randomFault draws the random failure for one request.
func (s *Server) randomFault(method, path string) *Fault {
	s.chaos.mu.Lock()
	defer s.chaos.mu.Unlock()
	if s.chaos.rate <= 0 {
		return nil
	}
	if m := s.chaos.template.Match; m != nil && !m(method, path) {
		return nil
	}
	if s.chaos.rng.Float64() >= s.chaos.rate {
		return nil
	}
	f := s.chaos.template
	return &f
}

// SetLatency makes every Graph request (not each $batch item, which real
// Graph runs in parallel) wait d before it is handled; a client that gives
// up meanwhile gets no answer. d <= 0 disables it.
func (s *Server) SetLatency(d time.Duration) {
	s.chaos.mu.Lock()
	s.chaos.latency = max(d, 0)
	s.chaos.mu.Unlock()
}

func (s *Server) latency() time.Duration {
	s.chaos.mu.Lock()
	defer s.chaos.mu.Unlock()
	return s.chaos.latency
}

// SetThrottling turns the throttling windows
// (internal/graph/NOTES.md#throttling) on or off at run time
// (Config.DisableThrottling sets the initial state). FailNext/AddFault are
// unaffected.
func (s *Server) SetThrottling(enabled bool) { s.throttleOn.Store(enabled) }

// SetThrottleLimits replaces the throttling limits at run time and starts
// fresh windows; zero fields take the documented values (e.g.
// ThrottleLimits{Window: 2 * time.Second, AppWrites: 10}). It does not turn
// throttling on: see SetThrottling.
func (s *Server) SetThrottleLimits(l ThrottleLimits) { s.throttle.reset(l) }

// SetClock replaces the clock behind the time-based switches: the read lag
// (SetReadLag) and the throttling windows (SetThrottling), so a test can step
// time instead of sleeping and racing the scheduler. Token lifetimes, latency
// and fault delays keep using the real clock. nil restores time.Now.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		s.clock.Store(nil)
		return
	}
	s.clock.Store(&now)
}

// now is the clock of the read lag and the throttling windows (SetClock).
func (s *Server) now() time.Time {
	if f := s.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// SetReadLag models Graph's eventual consistency: for d after an
// assignment change of a policy (assign, assignment create/patch/delete,
// Set*Assignments), reads of that policy's assignments (list, $count, item,
// $expand=assignments) answer the set as it was d ago. The Go inspection
// methods (DeviceConfigurationAssignments...) always see the current state.
// d <= 0 turns it off and forgets pending stale views.
func (s *Server) SetReadLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readLag = max(d, 0)
	if s.readLag == 0 {
		for _, f := range policyFamilies() {
			for _, p := range f.store(s).list() {
				p.core().lag = assignLag{}
			}
		}
	}
}

// assignLag keeps, for one policy, the assignment sets that replicas still
// serve after recent writes. Guarded by Server.mu.
type assignLag struct {
	stale []staleAssigns   // oldest first; until is non-decreasing for a fixed lag
	now   func() time.Time // the server's clock, set with the first stale entry
}

type staleAssigns struct {
	until time.Time // served until then
	set   []Assignment
}

// noteAssignChange must be called (with s.mu held) before a policy's
// assignment set changes; old is the set before the change.
func (s *Server) noteAssignChange(l *assignLag, old []Assignment) {
	if s.readLag <= 0 {
		return
	}
	l.now = s.now
	now := l.now()
	l.prune(now)
	l.stale = append(l.stale, staleAssigns{until: now.Add(s.readLag), set: append([]Assignment(nil), old...)})
}

func (l *assignLag) prune(now time.Time) {
	i := 0
	for i < len(l.stale) && !now.Before(l.stale[i].until) {
		i++
	}
	if i > 0 {
		l.stale = append(l.stale[:0:0], l.stale[i:]...)
	}
}

// visible is the set a read sees now: the state as of readLag ago, i.e.
// the oldest stale set still being served, else the current one. Caller
// holds s.mu.
func (l *assignLag) visible(cur []Assignment) []Assignment {
	if len(l.stale) == 0 {
		return cur
	}
	l.prune(l.now())
	if len(l.stale) == 0 {
		return cur
	}
	return l.stale[0].set
}

// Stats are counters since Start or the last ResetStats.
type Stats struct {
	// Requests counts Graph requests: every $batch item, and the $batch
	// envelope itself.
	Requests int64
	// Writes counts POST/PATCH/PUT/DELETE Graph requests as received
	// (including throttled or failed ones), not counting $batch envelopes.
	Writes int64
	// AppliedWrites counts writes the service carried out: answered 2xx,
	// or dropped by FaultAfterWrite after the change was made.
	AppliedWrites int64
	// Batches counts $batch envelopes.
	Batches int64
	// BatchItems counts the requests that came inside a $batch; Requests - BatchItems is
	// the HTTP requests that reached the service.
	BatchItems int64
	// Throttled counts 429s served by the throttling windows.
	Throttled int64
	// Injected counts faults served: FailNext/AddFault rules and random
	// failures, whatever their kind.
	Injected int64
	// Dropped counts Graph requests that got no response (drop faults,
	// including a $batch envelope whose item was dropped).
	Dropped int64
	// TokenRequests counts requests to the identity endpoints that mint
	// tokens (token endpoint, managed identity, GitHub/ADO OIDC).
	TokenRequests int64
	// ByStatus counts Graph responses by status (dropped ones are not
	// included).
	ByStatus map[int]int64
}

type statsState struct {
	mu sync.Mutex
	st Stats
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := s.stats.st
	out.ByStatus = make(map[int]int64, len(s.stats.st.ByStatus))
	for k, v := range s.stats.st.ByStatus {
		out.ByStatus[k] = v
	}
	return out
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.stats.mu.Lock()
	s.stats.st = Stats{}
	s.stats.mu.Unlock()
}

func (s *Server) addStat(f func(*Stats)) {
	s.stats.mu.Lock()
	f(&s.stats.st)
	s.stats.mu.Unlock()
}

func (s *Server) countInjected() { s.addStat(func(st *Stats) { st.Injected++ }) }

// countGraphResponse records the outcome of a Graph request.
func (s *Server) countGraphResponse(method string, batchEnvelope, batchItem bool, status int, dropped, applied bool) {
	s.addStat(func(st *Stats) {
		st.Requests++
		if batchItem {
			st.BatchItems++
		}
		write := isWrite(method) && !batchEnvelope
		if batchEnvelope {
			st.Batches++
		}
		if write {
			st.Writes++
		}
		if dropped {
			st.Dropped++
			if write && applied {
				st.AppliedWrites++
			}
			return
		}
		if write && status >= 200 && status < 300 {
			st.AppliedWrites++
		}
		if st.ByStatus == nil {
			st.ByStatus = map[int]int64{}
		}
		st.ByStatus[status]++
	})
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// SetRecordRequests turns the request log on (the default) or off. Off,
// nothing is appended, so long benchmarks do not keep every body; the
// counters of Stats keep counting.
func (s *Server) SetRecordRequests(on bool) {
	s.logMu.Lock()
	s.logOff = !on
	s.logMu.Unlock()
}

// SetRequestLogLimit keeps only the newest n requests in the log (n <= 0:
// unbounded, the default).
func (s *Server) SetRequestLogLimit(n int) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.logLimit = max(n, 0)
	s.trimLogLocked()
}

// trimLogLocked drops old entries once the log holds twice the limit, so
// appending stays amortised O(1); Requests returns only the newest
// logLimit entries.
func (s *Server) trimLogLocked() {
	if s.logLimit > 0 && len(s.reqs) >= 2*s.logLimit {
		s.reqs = append(s.reqs[:0:0], s.reqs[len(s.reqs)-s.logLimit:]...)
	}
}
