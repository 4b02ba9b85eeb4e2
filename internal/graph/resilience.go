package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	"golang.org/x/time/rate"
)

// Limits are Intune's request limits for one app in one tenant (NOTES.md#throttling:
// 100 writes and 1000 requests per 20 seconds). The client paces itself under them so
// that 429s are rare rather than the normal path.
type Limits struct {
	Window   time.Duration
	Writes   int // POST, PUT, PATCH, DELETE per window; 0 turns write pacing off
	Requests int // any request per window; 0 turns it off
}

// DefaultLimits are the documented per-app limits.
var DefaultLimits = Limits{Window: 20 * time.Second, Writes: 100, Requests: 1000}

// pacingHeadroom keeps the client a little under the limit: with a burst of one, any 20 s
// interval holds at most 1 + 0.98*100 = 99 writes, whatever the service's window
// alignment, so the documented 100 is never reached by this process alone; the rest of the
// margin absorbs clock drift. (0.95 cost 3 s per 300 writes for nothing: `make bench`.)
const pacingHeadroom = 0.98

type pacer struct{ writes, any *rate.Limiter }

// pacers are shared by every client of one tenant and app in the process: Terraform may
// configure several provider instances (aliases) against the same app, and Intune counts
// their requests together.
var pacers sync.Map // key -> *pacer

func limiter(n int, window time.Duration) *rate.Limiter {
	if n <= 0 || window <= 0 {
		return nil
	}
	// A burst of one spaces requests evenly: in any window at most n requests go out.
	return rate.NewLimiter(rate.Limit(float64(n)*pacingHeadroom/window.Seconds()), 1)
}

func pacerFor(tenant, client string, l Limits) *pacer {
	key := strings.ToLower(tenant+"|"+client) + "|" + l.Window.String() + "|" + strconv.Itoa(l.Writes) + "|" + strconv.Itoa(l.Requests)
	p, _ := pacers.LoadOrStore(key, &pacer{writes: limiter(l.Writes, l.Window), any: limiter(l.Requests, l.Window)})
	return p.(*pacer)
}

// wait takes cost request tokens (and one write token for a write), or returns ctx's error.
func (p *pacer) wait(ctx context.Context, write bool, cost int) error {
	if p == nil {
		return nil
	}
	if write && p.writes != nil {
		if err := p.writes.Wait(ctx); err != nil {
			return err
		}
	}
	for i := 0; p.any != nil && i < cost; i++ {
		if err := p.any.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// idempotentOption marks a request that may be sent again after an unclear outcome (a
// dropped connection, a 503): the replace-all assign action is one, since sending the same
// set twice leaves the same set.
type idempotentOption struct{}

var idempotentKey = abs.RequestOptionKey{Key: "intune.idempotent"}

func (idempotentOption) GetKey() abs.RequestOptionKey { return idempotentKey }

// builtBodyOption carries the body builder of AssignBuilt: the middleware calls build
// for every attempt, after the pacer has granted it, and sends what it returns.
type builtBodyOption struct {
	build func() ([]byte, error)
}

var builtBodyKey = abs.RequestOptionKey{Key: "intune.builtbody"}

func (*builtBodyOption) GetKey() abs.RequestOptionKey { return builtBodyKey }

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// retryPolicy decides how long to keep trying. Without a deadline on the context, MaxAttempts
// bounds the work; with one, the deadline does (Terraform's operation timeout).
type retryPolicy struct {
	MaxAttempts int           // used only when the context has no deadline
	BaseDelay   time.Duration // first backoff when the service gives no Retry-After
	MaxDelay    time.Duration
}

var defaultRetryPolicy = retryPolicy{MaxAttempts: 10, BaseDelay: time.Second, MaxDelay: 30 * time.Second}

// resilience is a kiota middleware that paces requests and retries 429/503/504 answers
// and dropped connections, honouring Retry-After. It replaces kiota's retry handler, which
// stops after a fixed count, does not retry transport errors and cannot resend a body
// that the compression handler has consumed.
//
// Kiota's auth provider sets the Authorization header once, before the pipeline runs, and
// retries may go on for as long as the operation's timeout (30 minutes and more): every
// attempt that is not sent at once therefore carries a token fetched for it (see token).
type resilience struct {
	pacer  *pacer
	policy retryPolicy
	sleep  func(context.Context, time.Duration) error

	// token returns the bearer token for a request to u, or "" where none may be sent;
	// nil leaves every attempt with the header kiota set. It is kiota's own access token
	// provider, so the valid hosts, the https rule, the scopes and the CAE setting (and
	// with it azidentity's token cache) are the ones kiota applied to the first attempt.
	token func(ctx context.Context, u *url.URL) (string, error)
	// freshFor: a first attempt sent within this long of the call keeps kiota's header,
	// which was fetched just before the pipeline ran. That keeps a CAE claims challenge's
	// token exactly (kiota's resend after a 401 carries the claims, which this middleware
	// cannot see) and costs no token lookup when the pacer does not hold the request.
	freshFor time.Duration
}

// tokenFreshFor is far below any token's remaining life when azidentity hands it out
// (it renews tokens minutes before they expire, NOTES.md#sign-in).
const tokenFreshFor = time.Second

func newResilience(p *pacer) *resilience {
	return &resilience{pacer: p, policy: defaultRetryPolicy, sleep: Sleep, freshFor: tokenFreshFor}
}

// Sleep waits d, or returns ctx.Err() as soon as ctx ends; the engine's real clock uses it too.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (m *resilience) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	// A $batch of GETs is reads: paced as one read per item (the service counts each,
	// NOTES.md#throttling, NOTES.md#batching) and safe to repeat.
	write, cost := isWrite(req.Method), 1
	if rb, ok := ctx.Value(readBatchKey).(readBatchOption); ok {
		write, cost = false, max(rb.items, 1)
	}
	// GET and DELETE are safe to repeat; a POST only when its builder said so.
	resendable := !write || req.Method == http.MethodDelete || ctx.Value(idempotentKey) != nil

	// uncertain: an earlier attempt of a write may have reached the service (a dropped
	// connection, a 5xx). Only then can a later failure not promise "nothing was applied".
	uncertain := false
	lastStatus := 0
	called := time.Now()
	built, _ := ctx.Value(builtBodyKey).(*builtBodyOption)
	for attempt := 1; ; attempt++ {
		if err := m.pacer.wait(ctx, write, cost); err != nil {
			return nil, &NotSentError{Reason: NotSentPacing, Method: req.Method, Attempts: attempt - 1,
				LastStatus: lastStatus, MaybeApplied: uncertain, Err: err}
		}
		// A built body is made now, after the pacer's grant and again for every retry, so
		// that no attempt carries a set read before a long wait (AssignBuilt). Its reads
		// go through this middleware on their own and are paced as reads. The pacer is a
		// set of token buckets, not a lock: this request holds nothing while build runs,
		// so the nested reads cannot deadlock with it; they only take their own turn
		// (the write's request token was already taken above).
		if built != nil {
			b, err := built.build()
			if err != nil {
				return nil, &NotSentError{Reason: NotSentBuild, Method: req.Method, Attempts: attempt - 1,
					LastStatus: lastStatus, MaybeApplied: uncertain, Err: err}
			}
			body = b
		}
		// Each attempt gets its own copy: later middleware (compression) rewrites the
		// request's body and headers in place.
		try := req.Clone(ctx)
		if body := body; body != nil {
			try.Body = io.NopCloser(bytes.NewReader(body))
			try.ContentLength = int64(len(body))
			try.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		if attempt > 1 {
			try.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
		}
		if attempt > 1 || time.Since(called) > m.freshFor {
			// A sign-in failure ends the call as it would have before the first attempt
			// (a *SignInError from the credential); this attempt was not sent.
			if err := m.renewToken(ctx, try); err != nil {
				return nil, err
			}
		}
		resp, err := pipeline.Next(try, index)

		if resp != nil {
			lastStatus = resp.StatusCode
		}
		// The status of this attempt's answer, 0 for none: only the answer the call ends
		// with may lend its status to the error (requestError).
		recordStatus(ctx, statusOf(resp))
		if write && (err != nil || (resp != nil && resp.StatusCode >= 500)) {
			uncertain = true
		}
		retry, delay := m.decide(resp, err, attempt)
		if !retry || (!resendable && !(resp != nil && resp.StatusCode == http.StatusTooManyRequests)) {
			return resp, err
		}
		if !m.withinBudget(ctx, attempt, delay) {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		if err := m.sleep(ctx, delay); err != nil {
			return nil, &NotSentError{Reason: NotSentRetryWait, Method: req.Method, Attempts: attempt,
				LastStatus: lastStatus, MaybeApplied: uncertain, Err: err}
		}
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// renewToken replaces the bearer token of an attempt with a current one. It touches only
// a request that already carries one: kiota sends none to a host outside the valid hosts
// (NOTES.md#sign-in), and a retry must not either.
func (m *resilience) renewToken(ctx context.Context, try *http.Request) error {
	if m.token == nil || try.Header.Get("Authorization") == "" {
		return nil
	}
	tok, err := m.token(ctx, try.URL)
	if err != nil {
		return err
	}
	if tok != "" {
		try.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

// decide says whether an answer is worth another try and how long to wait first.
func (m *resilience) decide(resp *http.Response, err error, attempt int) (bool, time.Duration) {
	if err != nil {
		if !transient(err) {
			return false, 0
		}
		return true, m.backoff(attempt)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return true, d
		}
		return true, m.backoff(attempt)
	}
	return false, 0
}

// withinBudget: with a deadline, try again only if the wait ends before it; without one,
// stop after MaxAttempts.
func (m *resilience) withinBudget(ctx context.Context, attempt int, delay time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	if deadline, ok := ctx.Deadline(); ok {
		return time.Now().Add(delay).Before(deadline)
	}
	return attempt < m.policy.MaxAttempts
}

// backoff is exponential with full jitter, so parallel operations do not retry in step.
func (m *resilience) backoff(attempt int) time.Duration {
	d := m.policy.BaseDelay << min(attempt-1, 16)
	if d > m.policy.MaxDelay || d <= 0 {
		d = m.policy.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads seconds (possibly fractional) or an HTTP date. Fractions are rounded
// up: waiting less than the service asked only earns another 429.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs*float64(time.Second) + float64(time.Second) - 1).Truncate(time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// transient reports a transport error worth another try: the connection was reset or
// closed before an answer, or timed out. A cancelled context is not.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// net/http keeps these types unexported: a reset or refused HTTP/2 stream and a GOAWAY
	// are what a dropped connection looks like over HTTP/2, which Graph speaks.
	msg := err.Error()
	for _, s := range []string{"connection reset", "server closed idle connection", "stream error", "GOAWAY", "REFUSED_STREAM"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// middlewares is the SDK's default pipeline with kiota's retry handler replaced by ours.
func middlewares(defaults []khttp.Middleware, r *resilience) []khttp.Middleware {
	out := make([]khttp.Middleware, 0, len(defaults))
	replaced := false
	for _, m := range defaults {
		if _, ok := m.(*khttp.RetryHandler); ok {
			out = append(out, r)
			replaced = true
			continue
		}
		out = append(out, m)
	}
	if !replaced {
		out = append([]khttp.Middleware{r}, out...)
	}
	return out
}
