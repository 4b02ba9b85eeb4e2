package resources_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

const (
	groupA  = "11111111-1111-1111-1111-111111111111"
	groupB  = "22222222-2222-2222-2222-222222222222"
	groupC  = "3c3c3c3c-3c3c-4c3c-8c3c-3c3c3c3c3c3c"
	filter1 = "99999999-9999-9999-9999-999999999999"
	filter2 = "8e8e8e8e-8e8e-4e8e-8e8e-8e8e8e8e8e8e"
	devAddr = "intune_device_configuration_assignments.test"
)

func deviceConfig(env *acctest.Env, policyID, assignments string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
resource "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
  assignments = [%s]
}
`, policyID, assignments)
}

func newDevicePolicy(env *acctest.Env) string {
	return env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "ATP onboarding"})
}

func devDirect(env *acctest.Env, policyID string, want ...string) resource.TestCheckFunc {
	return acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policyID, "direct", want...)
}

// checkDestroyedDevice: destroy leaves the policy with no direct assignments.
func checkDestroyedDevice(env *acctest.Env, policyID string, keep ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := devDirect(env, policyID)(s); err != nil {
			return err
		}
		return acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policyID, "policySets", keep...)(s)
	}
}

var everyKind = fmt.Sprintf(`
    { target = "group", group_id = %q, filter_id = %q, filter_type = "include" },
    { target = "exclusion_group", group_id = %q },
    { target = "all_devices" },
    { target = "all_licensed_users", filter_id = %q, filter_type = "exclude" },
    { target = "configuration_manager_collection", collection_id = "MEM00012" },
`, groupA, filter1, groupB, filter2)

func TestAccDeviceConfigurationAssignments_createsEveryTargetKind(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDestroyedDevice(env, policy),
		Steps: []resource.TestStep{{
			Config: deviceConfig(env, policy, everyKind),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devAddr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(devAddr, tfjsonpath.New("id"), knownvalue.StringExact(policy)),
				statecheck.ExpectKnownValue(devAddr, tfjsonpath.New("assignments"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"target": knownvalue.StringExact("group"), "group_id": knownvalue.StringExact(groupA),
						"collection_id": knownvalue.Null(), "filter_id": knownvalue.StringExact(filter1), "filter_type": knownvalue.StringExact("include"),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"target": knownvalue.StringExact("exclusion_group"), "group_id": knownvalue.StringExact(groupB),
						"collection_id": knownvalue.Null(), "filter_id": knownvalue.Null(), "filter_type": knownvalue.Null(),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"target": knownvalue.StringExact("all_devices"), "group_id": knownvalue.Null(),
						"collection_id": knownvalue.Null(), "filter_id": knownvalue.Null(), "filter_type": knownvalue.Null(),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"target": knownvalue.StringExact("all_licensed_users"), "group_id": knownvalue.Null(),
						"collection_id": knownvalue.Null(), "filter_id": knownvalue.StringExact(filter2), "filter_type": knownvalue.StringExact("exclude"),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"target": knownvalue.StringExact("configuration_manager_collection"), "group_id": knownvalue.Null(),
						"collection_id": knownvalue.StringExact("MEM00012"), "filter_id": knownvalue.Null(), "filter_type": knownvalue.Null(),
					}),
				})),
			},
			Check: devDirect(env, policy,
				"groupAssignmentTarget "+groupA+" include "+filter1,
				"exclusionGroupAssignmentTarget "+groupB,
				"allDevicesAssignmentTarget",
				"allLicensedUsersAssignmentTarget exclude "+filter2,
				"configurationManagerCollectionAssignmentTarget MEM00012",
			),
		}},
	})
}

func TestAccDeviceConfigurationAssignments_updatesAddRemoveAndFilterChanges(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	update := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devAddr, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDestroyedDevice(env, policy),
		Steps: []resource.TestStep{
			{
				Config: deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
				Check:  devDirect(env, policy, "groupAssignmentTarget "+groupA),
			},
			{ // add
				Config:           deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "exclusion_group", group_id = %q }, { target = "all_devices" }`, groupA, groupB)),
				ConfigPlanChecks: update,
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA, "exclusionGroupAssignmentTarget "+groupB, "allDevicesAssignmentTarget"),
			},
			{ // remove
				Config:           deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
				ConfigPlanChecks: update,
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA),
			},
			{ // add a filter
				Config:           deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "include" }`, groupA, filter1)),
				ConfigPlanChecks: update,
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA+" include "+filter1),
			},
			{ // change the filter
				Config:           deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "exclude" }`, groupA, filter2)),
				ConfigPlanChecks: update,
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupA+" exclude "+filter2),
			},
			{ // remove all
				Config:           deviceConfig(env, policy, ``),
				ConfigPlanChecks: update,
				Check:            devDirect(env, policy),
			},
		},
	})
}

func TestAccDeviceConfigurationAssignments_reorderAndGUIDCaseGiveEmptyPlan(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	upper := strings.ToUpper
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDestroyedDevice(env, policy),
		Steps: []resource.TestStep{
			{
				// Graph answers in lower case; the state must keep the configuration's spelling.
				Config: deviceConfig(env, policy, fmt.Sprintf(`
    { target = "group", group_id = %q, filter_id = %q, filter_type = "include" },
    { target = "exclusion_group", group_id = %q },
    { target = "all_devices" },`, upper(groupC), upper(filter2), groupB)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            devDirect(env, policy, "groupAssignmentTarget "+groupC+" include "+filter2, "exclusionGroupAssignmentTarget "+groupB, "allDevicesAssignmentTarget"),
			},
			{
				Config: deviceConfig(env, policy, fmt.Sprintf(`
    { target = "all_devices" },
    { target = "exclusion_group", group_id = %q },
    { target = "group", group_id = %q, filter_id = %q, filter_type = "include" },`, groupB, upper(groupC), upper(filter2))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccDeviceConfigurationAssignments_importsAndGeneratesConfig(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: deviceConfig(env, policy, everyKind)},
			{
				ResourceName:      devAddr,
				ImportState:       true,
				ImportStateId:     policy,
				ImportStateVerify: true,
			},
			{
				// How an admin adopts what the portal assigned: an import block and
				// -generate-config-out, and the generated configuration plans clean.
				Config:          env.ProviderConfig(),
				ResourceName:    devAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   policy,
				GenerateConfig:  true,
			},
		},
	})
}

func TestAccDeviceConfigurationAssignments_rejectsMalformedImportID(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: deviceConfig(env, policy, `{ target = "all_devices" }`)},
			{
				ResourceName:  devAddr,
				ImportState:   true,
				ImportStateId: "not-a-guid",
				ExpectError:   regexp.MustCompile(`Import takes the device configuration ID`),
			},
		},
	})
}

func TestAccDeviceConfigurationAssignments_driftIsDetected(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	cfg := deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "all_devices" }`, groupA))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDestroyedDevice(env, policy),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// Someone changes the assignments in the portal: one removed, one added.
				PreConfig: func() {
					mustSet(t, env.Server.SetDeviceConfigurationAssignments(policy, []emulator.Assignment{
						{Target: emulator.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: groupA}},
						{Target: emulator.Target{ODataType: "#microsoft.graph.allLicensedUsersAssignmentTarget"}},
					}))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: devDirect(env, policy, "groupAssignmentTarget "+groupA, "allDevicesAssignmentTarget"),
			},
		},
	})
}

func TestAccDeviceConfigurationAssignments_deletedPolicyFailsThePlan(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	cfg := deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// The policy is deleted in the portal: the refresh drops the resource, and
				// the plan to create it again reads the policy and says plainly that it is
				// gone, before anything is applied.
				PreConfig:   func() { env.Server.DeleteDeviceConfiguration(policy) },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Planning the assignments of device configuration.*No device configuration with ID\s+` + policy + `\s+exists`),
			},
			{
				// The policy is restored with the same ID and an assignment made in the
				// portal. The failed plan saved nothing, so the resource is still in the
				// state: the plan updates it in place.
				PreConfig: func() {
					env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{ID: policy, DisplayName: "restored"})
					mustSet(t, env.Server.SetDeviceConfigurationAssignments(policy, []emulator.Assignment{
						{Target: emulator.Target{ODataType: "#microsoft.graph.allLicensedUsersAssignmentTarget"}},
					}))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: devDirect(env, policy, "groupAssignmentTarget "+groupA),
			},
		},
	})
}

func TestAccDeviceConfigurationAssignments_policySetAssignmentsAreLeftAlone(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	policySet := "5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e"
	mustSet(t, env.Server.SetDeviceConfigurationAssignments(policy, []emulator.Assignment{
		{Source: "policySets", SourceID: policySet, Target: emulator.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: groupC}},
	}))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDestroyedDevice(env, policy, "groupAssignmentTarget "+groupC),
		Steps: []resource.TestStep{{
			Config: deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				devDirect(env, policy, "groupAssignmentTarget "+groupA),
				acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "policySets", "groupAssignmentTarget "+groupC),
			),
		}},
	})
}

func TestAccDeviceConfigurationAssignments_pagesThroughAssignments(t *testing.T) {
	env := acctest.Start(t)
	env.Server.SetPageSize(2)
	policy := newDevicePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             checkDestroyedDevice(env, policy),
		Steps: []resource.TestStep{
			{
				Config: deviceConfig(env, policy, everyKind),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// The refreshes above read five assignments at two a page; an empty plan
				// means every page was read, and the log shows the nextLinks were followed.
				Config: deviceConfig(env, policy, everyKind),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkFollowedNextLinks(env),
			},
			{ResourceName: devAddr, ImportState: true, ImportStateId: policy, ImportStateVerify: true},
		},
	})
}

func checkFollowedNextLinks(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pages := 0
		for _, r := range env.Server.Requests() {
			if r.Method == "GET" && strings.HasSuffix(strings.ToLower(r.Path), "/assignments") && strings.Contains(strings.ToLower(r.RawQuery), "skiptoken") {
				pages++
			}
		}
		if pages == 0 {
			return fmt.Errorf("no request followed an @odata.nextLink")
		}
		return nil
	}
}

// TestAccDeviceConfigurationAssignments_sendsTheSeedShape checks the assign body against the
// shape of the Graph documentation's example request: {"assignments":[{"target":{...}}]},
// target @odata.type with '#', no client-side id, source or intent.
func TestAccDeviceConfigurationAssignments_sendsTheSeedShape(t *testing.T) {
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: deviceConfig(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "include" }`, groupA, filter1)),
			Check: func(*terraform.State) error {
				body := lastAssignBody(t, env)
				want := fmt.Sprintf(`{"assignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","deviceAndAppManagementAssignmentFilterId":%q,"deviceAndAppManagementAssignmentFilterType":"include","groupId":%q}}]}`, filter1, groupA)
				if body != want {
					return fmt.Errorf("assign body:\n  got  %s\n  want %s", body, want)
				}
				return nil
			},
		}},
	})
}

// lastAssignBody returns the last assign request body, re-encoded with sorted keys.
func lastAssignBody(t *testing.T, env *acctest.Env) string {
	t.Helper()
	var last []byte
	for _, r := range env.Server.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/assign") {
			last = r.Body
		}
	}
	if last == nil {
		t.Fatal("no assign request reached the emulator")
	}
	var v any
	if err := json.Unmarshal(last, &v); err != nil {
		t.Fatalf("assign body is not JSON: %v\n%s", err, last)
	}
	out, _ := json.Marshal(v) // encoding/json sorts map keys
	return string(out)
}

func mustSet(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
