package resources_test

// The engine's concurrent paths, driven over protocol 6 the way Terraform drives them
// (many operations at once on one configured provider). These tests are not TestAcc*: they
// need no CLI, so `make test-race` (CI) runs them under the race detector (issue 20).

import (
	"fmt"
	"sync"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
)

// Many single-assignment resources created at once on one policy, while the policy's
// assignments data source and an authoritative resource on a second policy (with its data
// source) are read and written, through the POST route and through the replace-all
// fallback: every target lands, and the race detector sees every shared structure (the
// reader, the ledger, the claims, the locks).
func TestEngineRace_singlesResourceAndDataSourceAtOnce(t *testing.T) {
	t.Parallel()
	for _, refused := range []bool{false, true} {
		name := map[bool]string{false: "route", true: "fallback"}[refused]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, i := range []int{0, 2} { // device configurations, compliance policies
				env := acctest.Start(t)
				if refused {
					env.Server.SetAssignmentsPostUnsupported(true)
				}
				f := families(env)[i]
				shared, whole := f.newPolicy(env), f.newPolicy(env)
				f.portal(t, env, shared, groupB)
				p := env.Protocol(t, nil)
				groups := make([]string, 12)
				for j := range groups {
					groups[j] = fmt.Sprintf("%08x-0000-4000-8000-00000000000c", j+1)
				}
				var wg sync.WaitGroup
				errs := make(chan string, 64)
				for _, g := range groups {
					wg.Add(1)
					go func(g string) {
						defer wg.Done()
						if s, diags := p.Create(f.singleType(), f.protocolConfig(kinds[1], shared, g)); s == nil {
							errs <- acctest.Diagnostics(diags)
						}
					}(g)
				}
				for j := 0; j < 4; j++ {
					wg.Add(2)
					go func() {
						defer wg.Done()
						if diags := p.ReadDataSource(f.typeName, map[string]any{f.policyAttr: shared}); hasErrorDiag(diags) {
							errs <- acctest.Diagnostics(diags)
						}
					}()
					go func() {
						defer wg.Done()
						if diags := p.ReadDataSource(f.typeName, map[string]any{f.policyAttr: whole}); hasErrorDiag(diags) {
							errs <- acctest.Diagnostics(diags)
						}
					}()
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if s, diags := p.Create(f.typeName, f.protocolConfig(kinds[0], whole, groupA, groupC)); s == nil {
						errs <- acctest.Diagnostics(diags)
					}
				}()
				wg.Wait()
				close(errs)
				for e := range errs {
					t.Errorf("%s: %s", f.typeName, e)
				}
				expect(t, f.holds(env, shared, append([]string{groupB}, groups...)...), f.holds(env, whole, groupA, groupC))
			}
		})
	}
}
