package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// shortLivedTokens is a credential that signs in anew on every call and hands out tokens
// that expire after ttl, as a cached token does once it nears its end. A token names its
// number and its expiry, so the server below can refuse it when it is stale.
type shortLivedTokens struct {
	mu  sync.Mutex
	n   int
	ttl time.Duration
}

func (c *shortLivedTokens) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	exp := time.Now().Add(c.ttl)
	return azcore.AccessToken{Token: fmt.Sprintf("tok%d.%d", c.n, exp.UnixNano()), ExpiresOn: exp}, nil
}

// tokenCheckingGraph answers assignment lists like Graph: 401 for an expired token (what
// Graph says when a token's lifetime is over, NOTES.md#errors), 429 with Retry-After N to
// the first request for a policy named "throttled-N", a next link to another host (not
// among the client's valid hosts) for the policy "paged", and an empty page otherwise. It
// records the Authorization header of every request by host and path.
type tokenCheckingGraph struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string][]string
}

func newTokenCheckingGraph(t *testing.T) *tokenCheckingGraph {
	g := &tokenCheckingGraph{seen: map[string][]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *tokenCheckingGraph) serve(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	key := r.Host + r.URL.Path
	g.mu.Lock()
	g.seen[key] = append(g.seen[key], auth)
	n := len(g.seen[key])
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if exp, ok := tokenExpiry(auth); ok && time.Now().After(exp) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}`))
		return
	}
	if _, after, ok := strings.Cut(r.URL.Path, "throttled-"); ok && n == 1 {
		w.Header().Set("Retry-After", strings.TrimSuffix(after, "/assignments"))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Please retry again later."}}`))
		return
	}
	if strings.HasSuffix(r.URL.Path, "/paged/assignments") {
		_, port, _ := strings.Cut(r.Host, ":")
		_, _ = fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"http://localhost:%s/beta/next/throttled-0"}`, port)
		return
	}
	_, _ = w.Write([]byte(`{"value":[]}`))
}

// tokenExpiry reads the expiry shortLivedTokens wrote into a bearer token.
func tokenExpiry(auth string) (time.Time, bool) {
	_, exp, ok := strings.Cut(strings.TrimPrefix(auth, "Bearer "), ".")
	if !ok {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// tokens lists the token numbers of the requests recorded for a path on the server's own
// host ("" for a request without a token).
func (g *tokenCheckingGraph) tokens(host, path string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, a := range g.seen[host+path] {
		num, _, _ := strings.Cut(strings.TrimPrefix(a, "Bearer "), ".")
		out = append(out, num)
	}
	return out
}

// tokenTestClient is a client of the Graph at base (an httptest server) signing in with
// cred; it returns the client and base's host.
func tokenTestClient(t *testing.T, base string, cred azcore.TokenCredential, p *pacer) (*Client, string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClientWithCredential(cred, u, "https://graph.microsoft.com/.default", http.DefaultTransport.(*http.Transport).Clone(), p)
	if err != nil {
		t.Fatal(err)
	}
	return c, u.Host
}

const assignmentsPath = "/beta/deviceManagement/deviceConfigurations/%s/assignments"

// A retry after Retry-After carries a token fetched for it, not the one of the first
// attempt: a long wait under throttling must not end in a 401 for an expired token.
func TestRetryCarriesACurrentToken(t *testing.T) {
	g := newTokenCheckingGraph(t)
	c, host := tokenTestClient(t, g.URL, &shortLivedTokens{ttl: 500 * time.Millisecond}, nil)
	if _, err := c.Assignments(DeviceConfigurationsFamily).List(context.Background(), "throttled-1"); err != nil {
		t.Fatalf("the retry after a 1 s Retry-After failed: %v (tokens sent: %v)", err, g.tokens(host, fmt.Sprintf(assignmentsPath, "throttled-1")))
	}
	if got := g.tokens(host, fmt.Sprintf(assignmentsPath, "throttled-1")); len(got) != 2 || got[0] != "tok1" || got[1] != "tok2" {
		t.Fatalf("tokens sent per attempt: %v, want [tok1 tok2] (a new token for the retry)", got)
	}
}

// A first attempt that the pacer held back carries a token fetched after the wait.
func TestAttemptAfterAPacerWaitCarriesACurrentToken(t *testing.T) {
	g := newTokenCheckingGraph(t)
	// One request per 1.5 s: the second list waits about that long for its turn, longer
	// than its token lives.
	p := &pacer{any: limiter(1, 1500*time.Millisecond)}
	c, host := tokenTestClient(t, g.URL, &shortLivedTokens{ttl: time.Second}, p)
	api := c.Assignments(DeviceConfigurationsFamily)
	for _, id := range []string{"first", "second"} {
		if _, err := api.List(context.Background(), id); err != nil {
			t.Fatalf("listing %s: %v (tokens sent: %v)", id, err, g.tokens(host, fmt.Sprintf(assignmentsPath, id)))
		}
	}
	if got := g.tokens(host, fmt.Sprintf(assignmentsPath, "second")); len(got) != 1 || got[0] == "tok2" {
		t.Fatalf("tokens sent for the held request: %v, want one fetched after the wait (not tok2, fetched before it)", got)
	}
}

// Kiota sends no token to a host outside the client's valid hosts; a retry must not
// either.
func TestRetryToAnotherHostCarriesNoToken(t *testing.T) {
	g := newTokenCheckingGraph(t)
	c, host := tokenTestClient(t, g.URL, &shortLivedTokens{ttl: time.Hour}, nil)
	if _, err := c.Assignments(DeviceConfigurationsFamily).List(context.Background(), "paged"); err != nil {
		t.Fatal(err)
	}
	if got := g.tokens(host, fmt.Sprintf(assignmentsPath, "paged")); len(got) != 1 || got[0] == "" {
		t.Fatalf("the Graph host got %v, want one request with a token", got)
	}
	_, port, _ := strings.Cut(host, ":")
	got := g.tokens("localhost:"+port, "/beta/next/throttled-0")
	if len(got) != 2 || got[0] != "" || got[1] != "" {
		t.Fatalf("the other host got tokens %q over %d attempts, want none on either of two", got, len(got))
	}
}
