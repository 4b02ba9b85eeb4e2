package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
)

// TestAccDeviceConfigurationAssignments_validationRejectsBadInputBeforeAnyRequest runs each
// plan-time rule against the real CLI and then checks that not one request reached Graph.
func TestAccDeviceConfigurationAssignments_validationRejectsBadInputBeforeAnyRequest(t *testing.T) {
	env := acctest.Start(t)
	policy := "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"
	cases := []struct {
		name, policy, assignments, want string
	}{
		{"malformed policy id", "policy-1", `{ target = "all_devices" }`, `device_configuration_id\s+must be a GUID`},
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
			Config:      deviceConfig(env, c.policy, c.assignments),
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
}
