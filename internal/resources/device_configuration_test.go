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

	deviceConfigurationType = "intune_device_configuration_assignments"
	devAddr                 = deviceConfigurationType + ".test"
)

// The device configuration case of the family matrix, for the tests of one family.

func deviceConfig(env *acctest.Env, policyID, assignments string) string {
	return deviceConfigurations(env).hcl(env, policyID, assignments)
}

func newDevicePolicy(env *acctest.Env) string {
	return env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "ATP onboarding"})
}

func devDirect(env *acctest.Env, policyID string, want ...string) resource.TestCheckFunc {
	return deviceConfigurations(env).direct(env, policyID, want...)
}

var everyKind = fmt.Sprintf(`
    { target = "group", group_id = %q, filter_id = %q, filter_type = "include" },
    { target = "exclusion_group", group_id = %q },
    { target = "all_devices" },
    { target = "all_licensed_users", filter_id = %q, filter_type = "exclude" },
    { target = "configuration_manager_collection", collection_id = "MEM00012" },
`, groupA, filter1, groupB, filter2)

// The matrix below runs for every device-like family (forEachDeviceFamily): device
// configurations, compliance policies, the settings catalog and administrative templates.

func TestAccDeviceFamilyAssignments_createsEveryTargetKind(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             f.destroyed(env, policy),
			Steps: []resource.TestStep{{
				Config: f.hcl(env, policy, everyKind),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(f.addr(), tfjsonpath.New("id"), knownvalue.StringExact(policy)),
					statecheck.ExpectKnownValue(f.addr(), tfjsonpath.New("assignments"), knownvalue.SetExact([]knownvalue.Check{
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
				Check: f.direct(env, policy,
					"groupAssignmentTarget "+groupA+" include "+filter1,
					"exclusionGroupAssignmentTarget "+groupB,
					"allDevicesAssignmentTarget",
					"allLicensedUsersAssignmentTarget exclude "+filter2,
					"configurationManagerCollectionAssignmentTarget MEM00012",
				),
			}},
		})
	})
}

func TestAccDeviceFamilyAssignments_updatesAddRemoveAndFilterChanges(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		update := resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionUpdate)},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             f.destroyed(env, policy),
			Steps: []resource.TestStep{
				{
					Config: f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
					Check:  f.direct(env, policy, "groupAssignmentTarget "+groupA),
				},
				{ // add
					Config:           f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "exclusion_group", group_id = %q }, { target = "all_devices" }`, groupA, groupB)),
					ConfigPlanChecks: update,
					Check:            f.direct(env, policy, "groupAssignmentTarget "+groupA, "exclusionGroupAssignmentTarget "+groupB, "allDevicesAssignmentTarget"),
				},
				{ // remove
					Config:           f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
					ConfigPlanChecks: update,
					Check:            f.direct(env, policy, "groupAssignmentTarget "+groupA),
				},
				{ // add a filter
					Config:           f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "include" }`, groupA, filter1)),
					ConfigPlanChecks: update,
					Check:            f.direct(env, policy, "groupAssignmentTarget "+groupA+" include "+filter1),
				},
				{ // change the filter
					Config:           f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "exclude" }`, groupA, filter2)),
					ConfigPlanChecks: update,
					Check:            f.direct(env, policy, "groupAssignmentTarget "+groupA+" exclude "+filter2),
				},
				{ // remove all
					Config:           f.hcl(env, policy, ``),
					ConfigPlanChecks: update,
					Check:            f.direct(env, policy),
				},
			},
		})
	})
}

func TestAccDeviceFamilyAssignments_reorderAndGUIDCaseGiveEmptyPlan(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		upper := strings.ToUpper
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             f.destroyed(env, policy),
			Steps: []resource.TestStep{
				{
					// Graph answers in lower case; the state must keep the configuration's spelling.
					Config: f.hcl(env, policy, fmt.Sprintf(`
    { target = "group", group_id = %q, filter_id = %q, filter_type = "include" },
    { target = "exclusion_group", group_id = %q },
    { target = "all_devices" },`, upper(groupC), upper(filter2), groupB)),
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check:            f.direct(env, policy, "groupAssignmentTarget "+groupC+" include "+filter2, "exclusionGroupAssignmentTarget "+groupB, "allDevicesAssignmentTarget"),
				},
				{
					Config: f.hcl(env, policy, fmt.Sprintf(`
    { target = "all_devices" },
    { target = "exclusion_group", group_id = %q },
    { target = "group", group_id = %q, filter_id = %q, filter_type = "include" },`, groupB, upper(groupC), upper(filter2))),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				},
			},
		})
	})
}

func TestAccDeviceFamilyAssignments_importsAndGeneratesConfig(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.ImportBlocks)
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.hcl(env, policy, everyKind)},
				{
					ResourceName:      f.addr(),
					ImportState:       true,
					ImportStateId:     policy,
					ImportStateVerify: true,
				},
				{
					// How an admin adopts what the portal assigned: an import block and
					// -generate-config-out, and the generated configuration plans clean.
					Config:          env.ProviderConfig(),
					ResourceName:    f.addr(),
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   policy,
					GenerateConfig:  true,
				},
			},
		})
	})
}

func TestAccDeviceFamilyAssignments_rejectsMalformedImportID(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.hcl(env, policy, `{ target = "all_devices" }`)},
				{
					ResourceName:  f.addr(),
					ImportState:   true,
					ImportStateId: "not-a-guid",
					ExpectError:   regexp.MustCompile(words(`Import takes the ` + f.name + ` ID`)),
				},
			},
		})
	})
}

func TestAccDeviceFamilyAssignments_driftIsDetected(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		cfg := f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "all_devices" }`, groupA))
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             f.destroyed(env, policy),
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					// Someone changes the assignments in the portal: one removed, one added.
					PreConfig: func() {
						mustSet(t, f.set(env, policy, []emulator.Assignment{
							{Target: emulator.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: groupA}},
							{Target: emulator.Target{ODataType: "#microsoft.graph.allLicensedUsersAssignmentTarget"}},
						}))
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: f.direct(env, policy, "groupAssignmentTarget "+groupA, "allDevicesAssignmentTarget"),
				},
			},
		})
	})
}

func TestAccDeviceFamilyAssignments_deletedPolicyFailsTheApplyBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		cfg := f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA))
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: cfg},
				{
					// The policy is deleted in the portal: the refresh drops the resource, the
					// plan to create it again reads the policy and warns that it is gone, and
					// the apply fails saying so, before anything is sent.
					PreConfig: func() {
						if !f.remove(env, policy) {
							t.Fatalf("%s %s was not in the emulator to delete", f.name, policy)
						}
					},
					Config:      cfg,
					ExpectError: regexp.MustCompile(`(?s)Assigning ` + f.name + `.*No ` + f.name + ` with ID\s+` + policy + `\s+exists`),
				},
				{
					// The policy is restored with the same ID and an assignment made in the
					// portal. The refresh of the failed apply dropped the resource from the
					// state, so the plan creates it again (and warns that it replaces the
					// portal's assignment).
					PreConfig: func() {
						f.restore(env, policy)
						mustSet(t, f.set(env, policy, []emulator.Assignment{
							{Target: emulator.Target{ODataType: "#microsoft.graph.allLicensedUsersAssignmentTarget"}},
						}))
					},
					Config: cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: f.direct(env, policy, "groupAssignmentTarget "+groupA),
				},
			},
		})
	})
}

// Assignments a policy set makes are not the resource's: apply and destroy keep them. A
// family whose assignments have no source (administrative templates) has no policy sets:
// there, an assignment made elsewhere is a direct one, which the resource removes, and
// destroy leaves nothing.
func TestAccDeviceFamilyAssignments_policySetAssignmentsAreLeftAlone(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		elsewhere := emulator.Assignment{Target: emulator.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: groupC}}
		var keep []string
		if f.sources {
			elsewhere.Source, elsewhere.SourceID = "policySets", "5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e"
			keep = []string{"groupAssignmentTarget " + groupC}
		}
		mustSet(t, f.set(env, policy, []emulator.Assignment{elsewhere}))
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             resource.ComposeAggregateTestCheckFunc(f.destroyed(env, policy, keep...), f.sourceShape(env, policy)),
			Steps: []resource.TestStep{{
				Config: f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q }`, groupA)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					f.direct(env, policy, "groupAssignmentTarget "+groupA),
					acctest.CheckAssignments(f.list(env), policy, "policySets", keep...),
					f.sourceShape(env, policy),
				),
			}},
		})
	})
}

func TestAccDeviceFamilyAssignments_pagesThroughAssignments(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		env.Server.SetPageSize(2)
		policy := f.newPolicy(env)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             f.destroyed(env, policy),
			Steps: []resource.TestStep{
				{
					Config: f.hcl(env, policy, everyKind),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					// The refreshes above read five assignments at two a page; an empty plan
					// means every page was read, and the log shows the nextLinks were followed.
					Config: f.hcl(env, policy, everyKind),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: checkFollowedNextLinks(env),
				},
				{ResourceName: f.addr(), ImportState: true, ImportStateId: policy, ImportStateVerify: true},
			},
		})
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

// TestAccDeviceFamilyAssignments_sendsTheSeedShape checks the assign request against the
// shape of the Graph documentation's example request, for each family its own: POST
// {collection}/{id}/assign with {"assignments":[{"target":{...}}]} (internal/graph/NOTES.md#assign
// and #families), target @odata.type with '#', no client-side id, source or intent.
func TestAccDeviceFamilyAssignments_sendsTheSeedShape(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := f.newPolicy(env)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{{
				Config: f.hcl(env, policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "include" }`, groupA, filter1)),
				Check: func(*terraform.State) error {
					r := lastAssign(t, env)
					if want := "/beta/" + f.collection + "/" + policy + "/assign"; r.Path != want {
						return fmt.Errorf("assign path:\n  got  %s\n  want %s", r.Path, want)
					}
					body := lastAssignBody(t, env)
					want := f.assignBody(fmt.Sprintf(`{"@odata.type":"#microsoft.graph.groupAssignmentTarget","deviceAndAppManagementAssignmentFilterId":%q,"deviceAndAppManagementAssignmentFilterType":"include","groupId":%q}`, filter1, groupA))
					if body != want {
						return fmt.Errorf("assign body:\n  got  %s\n  want %s", body, want)
					}
					return nil
				},
			}},
		})
	})
}

// TestAccDeviceFamilyAssignments_validationRejectsBadInputBeforeAnyRequest runs each
// plan-time rule against the real CLI and then checks that not one request reached Graph.
func TestAccDeviceFamilyAssignments_validationRejectsBadInputBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	forEachDeviceFamily(t, func(t *testing.T, env *acctest.Env, f deviceFamily) {
		policy := "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"
		cases := []struct {
			name, policy, assignments, want string
		}{
			{"malformed policy id", "policy-1", `{ target = "all_devices" }`, f.policyAttr + `\s+must be a GUID`},
			{"malformed group id", policy, `{ target = "group", group_id = "sales-team" }`, `group_id\s+must be a GUID`},
			{"malformed filter id", policy, `{ target = "all_devices", filter_id = "f1", filter_type = "include" }`, `filter_id\s+must be a GUID`},
			{"blank collection id", policy, `{ target = "configuration_manager_collection", collection_id = "  " }`, `must\s+be\s+a\s+Configuration\s+Manager\s+collection\s+ID`},
			{"unknown target", policy, `{ target = "all_users" }`, `(?s)value\s+must\s+be\s+one\s+of.*"group"`},
			{"filter type none", policy, fmt.Sprintf(`{ target = "all_devices", filter_id = %q, filter_type = "none" }`, filter1), `(?s)filter_type\s+value\s+must\s+be\s+one\s+of.*"include"`},
			{"group without group_id", policy, `{ target = "group" }`, `Missing group_id`},
			{"exclusion without group_id", policy, `{ target = "exclusion_group" }`, `Missing group_id`},
			{"group_id on all_devices", policy, fmt.Sprintf(`{ target = "all_devices", group_id = %q }`, groupA), `Unexpected group_id`},
			{"group_id on a collection", policy, fmt.Sprintf(`{ target = "configuration_manager_collection", collection_id = "MEM00012", group_id = %q }`, groupA), `Unexpected group_id`},
			{"collection without collection_id", policy, `{ target = "configuration_manager_collection" }`, `Missing collection_id`},
			{"collection_id on a group", policy, fmt.Sprintf(`{ target = "group", group_id = %q, collection_id = "MEM00012" }`, groupA), `Unexpected collection_id`},
			{"filter_id without filter_type", policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q }`, groupA, filter1), `Missing filter_type`},
			{"filter_type without filter_id", policy, fmt.Sprintf(`{ target = "group", group_id = %q, filter_type = "include" }`, groupA), `Missing filter_id`},
			{"filter on an exclusion", policy, fmt.Sprintf(`{ target = "exclusion_group", group_id = %q, filter_id = %q, filter_type = "exclude" }`, groupA, filter1), `Assignment filter not allowed`},
			{"group included and excluded", policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "exclusion_group", group_id = %q }`, groupA, groupA), `Group both included and excluded`},
			{"same group twice with other filters", policy, fmt.Sprintf(`{ target = "group", group_id = %q }, { target = "group", group_id = %q, filter_id = %q, filter_type = "include" }`, groupA, groupA, filter1), `Duplicate assignment target`},
			{"same group twice in other case", policy, fmt.Sprintf(`{ target = "exclusion_group", group_id = %q }, { target = "exclusion_group", group_id = %q }`, groupC, strings.ToUpper(groupC)), `Duplicate assignment target`},
			{"all devices twice", policy, fmt.Sprintf(`{ target = "all_devices" }, { target = "all_devices", filter_id = %q, filter_type = "exclude" }`, filter1), `Duplicate assignment target`},
			{"collection twice in other case", policy, `{ target = "configuration_manager_collection", collection_id = "MEM0001A" }, { target = "configuration_manager_collection", collection_id = "mem0001a" }`, `Duplicate assignment target`},
		}
		var steps []resource.TestStep
		for _, c := range cases {
			steps = append(steps, resource.TestStep{
				Config:      f.hcl(env, c.policy, c.assignments),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(c.want),
			})
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps:                    steps,
		})
		if reqs := env.Server.Requests(); len(reqs) != 0 {
			t.Fatalf("bad configuration reached the emulator with %d requests, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
		}
	})
}

// lastAssign returns the last assign request that reached the emulator.
func lastAssign(t *testing.T, env *acctest.Env) emulator.RecordedRequest {
	t.Helper()
	var last *emulator.RecordedRequest
	for _, r := range env.Server.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/assign") {
			last = &r
		}
	}
	if last == nil {
		t.Fatal("no assign request reached the emulator")
	}
	return *last
}

// lastAssignBody returns the last assign request body, re-encoded with sorted keys.
func lastAssignBody(t *testing.T, env *acctest.Env) string {
	t.Helper()
	last := lastAssign(t, env).Body
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
