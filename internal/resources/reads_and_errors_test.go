package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// 7. Every read path has the same retry budget: twenty data sources read at once while
// Graph lets the app through once a second all succeed, because a data source read has the
// documented read timeout (10 minutes) instead of a fixed number of attempts.
func TestAssignmentsDataSources_twentyReadsUnderThrottlingAllSucceed(t *testing.T) {
	env := acctest.Start(t)
	env.Server.SetThrottleLimits(emulator.ThrottleLimits{Window: time.Second, AppAny: 1, TenantAny: 1000, AppWrites: 100, TenantWrites: 200})
	var policies []string
	for i := 0; i < 20; i++ {
		policies = append(policies, newDevicePolicy(env))
	}
	// requests = 0: the provider does not pace itself, so Graph's 429s are what it meets.
	p := env.Protocol(t, map[string]any{"rate_limit": map[string]any{"requests": int64(0)}})
	env.Server.ResetStats()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for _, policy := range policies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			diags := p.ReadDataSource("intune_device_configuration_assignments", map[string]any{"device_configuration_id": policy})
			if hasErrors(diags) {
				mu.Lock()
				failed = append(failed, acctest.Diagnostics(diags))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st := env.Server.Stats()
	t.Logf("%d requests, %d answered 429", st.Requests, st.Throttled)
	if st.Throttled == 0 {
		t.Fatal("Graph throttled nothing: the test did not test throttling")
	}
	if len(failed) > 0 {
		t.Fatalf("%d of 20 data source reads failed under throttling:\n%s", len(failed), failed[0])
	}
}

// 8. A write held back by the provider's own pacing past the operation's timeout was never
// sent: the error says so, names rate_limit and timeouts, and nothing reaches Graph.
func TestAccAssignments_writeHeldBackByRateLimitSaysItWasNeverSent(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	// One write per 8 seconds (window_seconds = 8 is unique to this test, so no other test
	// shares the pacer): the create takes the slot, and the update may wait only 2 s.
	provider := strings.Replace(env.ProviderConfig(), "authority_host", "rate_limit = { writes = 1, window_seconds = 8 }\n  authority_host", 1)
	cfg := func(extra string, groups ...string) string {
		items := make([]string, len(groups))
		for i, g := range groups {
			items[i] = fmt.Sprintf(`{ target = "group", group_id = %q }`, g)
		}
		return provider + fmt.Sprintf(`
resource "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
  assignments = [%s]
  %s
}
`, policy, strings.Join(items, ", "), extra)
	}
	w := &writeMark{env: env}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg("", groupA), Check: func(*terraform.State) error { w.mark(); return nil }},
			{
				Config:      cfg(`timeouts { update = "2s" }`, groupA, groupB),
				ExpectError: regexp.MustCompile(`(?s)never sent to Graph.*rate_limit.*Nothing was changed in Intune.*timeouts`),
			},
			{
				PreConfig: func() {
					if err := w.none("the update was held back by rate_limit")(nil); err != nil {
						t.Fatal(err)
					}
				},
				// With the default timeout the update waits for its slot and goes through.
				Config:           cfg("", groupA, groupB),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA, "groupAssignmentTarget "+groupB),
			},
		},
	})
}

// A data source read while a provider argument is unknown at plan time says which
// argument and why, not "set client_secret"; resources plan and apply as before.
func TestAccAssignments_unknownProviderArgumentIsNamed(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	provider := strings.Replace(env.ProviderConfig(), fmt.Sprintf("client_secret  = %q", emulator.DefaultClientSecret), "client_secret  = terraform_data.secret.output", 1)
	if provider == env.ProviderConfig() {
		t.Fatal("the provider block did not change; the test is broken")
	}
	secret := fmt.Sprintf(`resource "terraform_data" "secret" { input = %q }`, emulator.DefaultClientSecret)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: provider + secret + fmt.Sprintf(`
data "intune_device_configuration_assignments" "test" { device_configuration_id = %q }`, policy),
				ExpectError: regexp.MustCompile(`(?s)client_secret.*is\s+not\s+known\s+until\s+apply.*Nothing\s+was\s+sent\s+to\s+Graph`),
			},
			{
				Config:           provider + secret + deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA))[len(env.ProviderConfig()):],
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA),
			},
		},
	})
}
