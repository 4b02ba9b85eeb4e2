package resources_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// The data source sees what the resource leaves alone: assignments from policy sets.
func TestAccDeviceConfigurationAssignmentsDataSource_listsPolicySetAssignments(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	policySet := "5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e"
	mustSet(t, env.Server.SetDeviceConfigurationAssignments(policy, []emulator.Assignment{
		{Target: emulator.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: groupA, FilterID: filter1, FilterType: "include"}},
		{Source: "policySets", SourceID: policySet, Target: emulator.Target{ODataType: "#microsoft.graph.allDevicesAssignmentTarget"}},
		{Target: emulator.Target{ODataType: "#microsoft.graph.configurationManagerCollectionAssignmentTarget", CollectionID: "MEM00012"}},
	}))
	addr := "data.intune_device_configuration_assignments.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + fmt.Sprintf(`
data "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
}`, policy),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(policy)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("assignments"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(policy + "_" + groupA), "target": knownvalue.StringExact("group"),
						"group_id": knownvalue.StringExact(groupA), "collection_id": knownvalue.Null(),
						"filter_id": knownvalue.StringExact(filter1), "filter_type": knownvalue.StringExact("include"),
						"source": knownvalue.StringExact("direct"), "source_id": knownvalue.StringExact(policy),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(policy + "_adadadad-808e-44e2-905a-0b7873a8a531"), "target": knownvalue.StringExact("all_devices"),
						"group_id": knownvalue.Null(), "collection_id": knownvalue.Null(), "filter_id": knownvalue.Null(), "filter_type": knownvalue.Null(),
						"source": knownvalue.StringExact("policySets"), "source_id": knownvalue.StringExact(policySet),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(policy + "_MEM00012"), "target": knownvalue.StringExact("configuration_manager_collection"),
						"group_id": knownvalue.Null(), "collection_id": knownvalue.StringExact("MEM00012"), "filter_id": knownvalue.Null(), "filter_type": knownvalue.Null(),
						"source": knownvalue.StringExact("direct"), "source_id": knownvalue.StringExact(policy),
					}),
				})),
			},
		}},
	})
}

func TestAccOfficeClientConfigurationAssignmentsDataSource_listsGroups(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newOfficePolicy(env)
	mustSet(t, env.Server.SetOfficeClientConfigurationAssignments(policy, []emulator.Assignment{
		{Target: emulator.Target{ODataType: "#microsoft.graph.officeConfigurationGroupAssignmentTarget", GroupID: groupB}},
	}))
	addr := "data.intune_office_client_configuration_assignments.test"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + fmt.Sprintf(`
data "intune_office_client_configuration_assignments" "test" {
  office_client_configuration_id = %q
}`, policy),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.NotNull(), "group_id": knownvalue.StringExact(groupB),
					}),
				})),
			},
		}},
	})
}
