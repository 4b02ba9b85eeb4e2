package resources_test

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func isAssign(method, path string) bool {
	return method == "POST" && strings.HasSuffix(strings.ToLower(path), "/assign")
}

// groupFor makes a distinct, valid group id per policy and generation.
func groupFor(i, gen int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, gen)
}

// manyPolicies renders n resources; generation changes every group.
func manyPolicies(env *acctest.Env, policies []string, gen int) string {
	var b strings.Builder
	b.WriteString(env.ProviderConfig())
	for i, p := range policies {
		extra := `{ target = "all_devices" }`
		if gen%2 == 1 {
			extra = fmt.Sprintf(`{ target = "exclusion_group", group_id = %q }`, groupFor(i, 100+gen))
		}
		fmt.Fprintf(&b, `
resource "intune_device_configuration_assignments" "p%d" {
  device_configuration_id = %q
  assignments = [{ target = "group", group_id = %q }, %s]
}
`, i, p, groupFor(i, gen), extra)
	}
	return b.String()
}

// checkMany asserts the emulator holds exactly the configuration of generation gen (or
// nothing when gen < 0) for every policy.
func checkMany(env *acctest.Env, policies []string, gen int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for i, p := range policies {
			var want []string
			if gen >= 0 {
				want = append(want, "groupAssignmentTarget "+groupFor(i, gen))
				if gen%2 == 1 {
					want = append(want, "exclusionGroupAssignmentTarget "+groupFor(i, 100+gen))
				} else {
					want = append(want, "allDevicesAssignmentTarget")
				}
			}
			if err := devDirect(env, p, want...)(s); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestAccResilience_hundredPoliciesUnderThrottlingAndFaults: a staged rollout of 100
// policies against Intune's write limit scaled down ten times (10 writes per 2 s per app)
// with one request in ten failing with 503. Every apply finishes without an error and the
// service ends exactly as configured at each step.
func TestAccResilience_hundredPoliciesUnderThrottlingAndFaults(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	env.Server.SetThrottleLimits(emulator.ThrottleLimits{Window: 2 * time.Second, AppWrites: 10, TenantWrites: 20, AppAny: 100, TenantAny: 200})
	// A new fault pattern each run (logged, and fixed with INTUNE_TEST_SEED to replay one).
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("INTUNE_TEST_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("fault seed %d (INTUNE_TEST_SEED=%d replays it)", seed, seed)
	env.Server.SetSeed(seed)
	env.Server.SetFailureRate(0.10, 503, nil)
	env.Server.SetRecordRequests(false)
	policies := make([]string, 100)
	for i := range policies {
		policies[i] = newDevicePolicy(env)
	}
	empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkMany(env, policies, -1),
		Steps: []resource.TestStep{
			{Config: manyPolicies(env, policies, 0), ConfigPlanChecks: empty, Check: checkMany(env, policies, 0)},
			{Config: manyPolicies(env, policies, 1), ConfigPlanChecks: empty, Check: checkMany(env, policies, 1)},
		},
	})
	st := env.Server.Stats()
	t.Logf("emulator: %d requests, %d writes, %d throttled (429), %d injected faults", st.Requests, st.Writes, st.Throttled, st.Injected)
	if st.Injected == 0 {
		t.Fatal("no fault was injected: the test did not test retries")
	}
}

// A plan right after an apply is empty even when Graph shows the old assignments for 10 s.
// The emulator and the provider share a fake clock: the provider's waits move it, so the
// lag passes without real time and however slow the machine is.
func TestAccResilience_readLagAfterWritesIsNotDrift(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	clock := env.UseFakeClock()
	env.Server.SetReadLag(10 * time.Second)
	policy := newDevicePolicy(env)
	empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)), ConfigPlanChecks: empty},
			{Config: deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "all_devices" }`, groupB)), ConfigPlanChecks: empty},
		},
	})
	if clock.Slept() < 10*time.Second {
		t.Fatalf("the provider waited %v on the clock, less than the 10 s lag: the test did not meet the lag", clock.Slept())
	}
}

// A garbled answer to an assign gives a clear error; the failed update keeps the prior
// state, and the next plan shows what the service really holds.
func TestAccResilience_corruptResponseIsAClearErrorAndKeepsState(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	before := deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA))
	after := deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupB))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: before},
			{
				PreConfig:   func() { env.Server.AddFault(emulator.Fault{Kind: emulator.FaultTruncatedBody, Match: isAssign}) },
				Config:      after,
				ExpectError: regexp.MustCompile(`(?s)Assigning device configuration.*Graph gave no readable answer.*may or may not have\s+applied.*next\s+terraform\s+plan`),
			},
			{
				// The state still holds the old set, so with the old configuration the
				// plan only shows the change the garbled write made on the service.
				Config:             before,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{Config: after, ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: devDirect(env, policy, "groupAssignmentTarget "+groupB)},
		},
	})
}

// A dropped connection after the service applied the assign is retried (replace-all is
// idempotent) and the apply succeeds.
func TestAccResilience_droppedConnectionAfterWriteIsRetried(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	env.Server.AddFault(emulator.Fault{Kind: emulator.FaultAfterWrite, Match: isAssign})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:           deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA),
		}},
	})
	if st := env.Server.Stats(); st.Dropped != 1 {
		t.Fatalf("the fault was not served: %+v", st)
	}
}

// 403 names the permission; a 400 that names an ID points at that assignment.
func TestAccResilience_forbiddenAndBadRequestDiagnostics(t *testing.T) {
	t.Parallel()
	reader := emulator.App{ClientID: "5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a", ClientSecret: "reader", Roles: []string{emulator.PermReadAll}}
	env := acctest.Start(t, func(c *emulator.Config) {
		c.Apps = []emulator.App{{ClientID: emulator.DefaultClientID, ClientSecret: emulator.DefaultClientSecret, Roles: []string{emulator.PermReadWriteAll}}, reader}
	})
	policy := newDevicePolicy(env)
	readerConfig := strings.Replace(strings.Replace(deviceConfig(env, policy, `{ target = "all_devices" }`),
		emulator.DefaultClientID, reader.ClientID, 1), emulator.DefaultClientSecret, reader.ClientSecret, 1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      readerConfig,
				ExpectError: regexp.MustCompile(`(?s)HTTP 403 Forbidden.*DeviceManagementConfiguration.ReadWrite.All.*request-id: `),
			},
			{
				PreConfig: func() {
					env.Server.AddFault(emulator.Fault{Match: isAssign, Status: 400, Code: "BadRequest",
						Message: "Group " + groupB + " was not found in the directory."})
				},
				Config:      deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "group", group_id = %q }`, groupA, groupB)),
				ExpectError: regexp.MustCompile(`(?s)with intune_device_configuration_assignments.test.*HTTP 400 BadRequest.*The error names this\s+assignment: group\s+` + groupB),
			},
		},
	})
}
