// Package acctest is the shared harness of the acceptance tests: it starts a Graph
// emulator per test and serves the provider in process over protocol 6, configured the
// way a user of a sovereign cloud would configure it (endpoint URLs), with the emulator's
// CA injected as the HTTP transport's trust.
package acctest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/provider"
)

// Env is one test's emulator and the provider wired to it.
type Env struct {
	Server *emulator.Server
	clock  *FakeClock
}

// UseFakeClock gives the emulator (read lag, throttling windows) and the provider (its
// consistency wait) one clock that moves only when the provider sleeps on it, so a test of
// Graph's replication lag takes no real time and cannot race the scheduler.
func (e *Env) UseFakeClock() *FakeClock {
	e.clock = &FakeClock{now: time.Now()}
	e.Server.SetClock(e.clock.Now)
	return e.clock
}

// FakeClock is a clock that stands still until someone sleeps on it: Sleep moves it
// forward by the duration at once.
type FakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

// Now is the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d without waiting; a cancelled ctx still ends it.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return nil
}

// Slept is the total time slept on the clock.
func (c *FakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// Start starts an emulator for the test and stops it when the test ends.
func Start(t *testing.T, mods ...func(*emulator.Config)) *Env {
	t.Helper()
	// A tenant of its own per test: the provider's pacer is per tenant and app (as Intune's
	// limits are), so tests running in parallel do not share one.
	cfg := emulator.Config{TenantID: newGUID(t)}
	for _, m := range mods {
		m(&cfg)
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatalf("starting the Graph emulator: %v", err)
	}
	t.Cleanup(srv.Close)
	return &Env{Server: srv}
}

// Factories serves the provider in process, trusting the emulator's CA.
func (e *Env) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	transport := e.Server.HTTPClient().Transport.(*http.Transport).Clone()
	opts := []provider.Option{provider.WithTransport(transport)}
	if e.clock != nil {
		opts = append(opts, provider.WithClock(e.clock))
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"intune": providerserver.NewProtocol6WithError(provider.New("test", opts...)()),
	}
}

// ProviderConfig is the provider block pointing at the emulator, as a user of a private
// or sovereign cloud endpoint would write it.
func (e *Env) ProviderConfig() string {
	return fmt.Sprintf(`
provider "intune" {
  tenant_id      = %q
  client_id      = %q
  client_secret  = %q
  graph_endpoint = %q
  authority_host = %q
}
`, e.Server.TenantID(), emulator.DefaultClientID, emulator.DefaultClientSecret, e.Server.URL(), e.Server.URL()+"/")
}

// newGUID is a random version-4 GUID.
func newGUID(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
