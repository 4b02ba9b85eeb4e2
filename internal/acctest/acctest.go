// Package acctest is the shared harness of the acceptance tests: it starts a Graph
// emulator per test and serves the provider in process over protocol 6, configured the
// way a user of a sovereign cloud would configure it (endpoint URLs), with the emulator's
// CA injected as the HTTP transport's trust.
package acctest

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/provider"
)

// Env is one test's emulator and the provider wired to it.
type Env struct {
	Server *emulator.Server
}

// Start starts an emulator for the test and stops it when the test ends.
func Start(t *testing.T, mods ...func(*emulator.Config)) *Env {
	t.Helper()
	cfg := emulator.Config{}
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
	return map[string]func() (tfprotov6.ProviderServer, error){
		"intune": providerserver.NewProtocol6WithError(provider.New("test", provider.WithTransport(transport))()),
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
