package resources_test

import (
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

const officeAddr = "intune_office_client_configuration_assignments.test"

func officeConfig(env *acctest.Env, policyID string, groups ...string) string {
	var items []string
	for _, g := range groups {
		items = append(items, fmt.Sprintf("{ group_id = %q }", g))
	}
	return env.ProviderConfig() + fmt.Sprintf(`
resource "intune_office_client_configuration_assignments" "test" {
  office_client_configuration_id = %q
  assignments = [%s]
}
`, policyID, strings.Join(items, ", "))
}

func newOfficePolicy(env *acctest.Env) string {
	return env.Server.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "Office baseline"})
}

func officeGroups(env *acctest.Env, policyID string, groups ...string) resource.TestCheckFunc {
	want := make([]string, len(groups))
	for i, g := range groups {
		want[i] = "officeConfigurationGroupAssignmentTarget " + g
	}
	return acctest.CheckAssignments(env.Server.OfficeClientConfigurationAssignments, policyID, "direct", want...)
}

// officeElement is one element of the set in the state: the group, and the attributes an
// Office policy does not take, null (every family's element has them, so that Terraform
// cannot drop them from a configuration unseen).
func officeElement(group string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{"group_id": knownvalue.StringExact(group),
		"target": knownvalue.Null(), "collection_id": knownvalue.Null(), "filter_id": knownvalue.Null(), "filter_type": knownvalue.Null()})
}

func TestAccOfficeClientConfigurationAssignments_lifecycle(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.ImportBlocks) // its last steps import with an import block
	env := acctest.Start(t)
	policy := newOfficePolicy(env)
	empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	update := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(officeAddr, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             officeGroups(env, policy),
		Steps: []resource.TestStep{
			{ // create, with an upper-case GUID that Graph answers in lower case
				Config:           officeConfig(env, policy, groupA, strings.ToUpper(groupC)),
				ConfigPlanChecks: empty,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(officeAddr, tfjsonpath.New("assignments"), knownvalue.SetExact([]knownvalue.Check{
						officeElement(groupA), officeElement(strings.ToUpper(groupC)),
					})),
				},
				Check: officeGroups(env, policy, groupA, groupC),
			},
			{ // reorder: nothing to do
				Config:           officeConfig(env, policy, strings.ToUpper(groupC), groupA),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ // add and remove
				Config:           officeConfig(env, policy, groupA, groupB),
				ConfigPlanChecks: update,
				Check:            officeGroups(env, policy, groupA, groupB),
			},
			{ResourceName: officeAddr, ImportState: true, ImportStateId: policy, ImportStateVerify: true},
			{
				Config:          env.ProviderConfig(),
				ResourceName:    officeAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   policy,
				GenerateConfig:  true,
			},
			{ // drift: a group added in the portal is removed again
				PreConfig: func() {
					mustSet(t, env.Server.SetOfficeClientConfigurationAssignments(policy, []emulator.Assignment{
						{Target: emulator.Target{ODataType: "#microsoft.graph.officeConfigurationGroupAssignmentTarget", GroupID: groupA}},
						{Target: emulator.Target{ODataType: "#microsoft.graph.officeConfigurationGroupAssignmentTarget", GroupID: groupB}},
						{Target: emulator.Target{ODataType: "#microsoft.graph.officeConfigurationGroupAssignmentTarget", GroupID: groupC}},
					}))
				},
				Config:           officeConfig(env, policy, groupA, groupB),
				ConfigPlanChecks: update,
				Check:            officeGroups(env, policy, groupA, groupB),
			},
			{ // remove all
				Config:           officeConfig(env, policy),
				ConfigPlanChecks: update,
				Check:            officeGroups(env, policy),
			},
		},
	})
}

func TestAccOfficeClientConfigurationAssignments_deletedPolicyFailsTheApplyBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newOfficePolicy(env)
	cfg := officeConfig(env, policy, groupA)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// The refresh drops the resource; the plan to create it again reads the
				// policy and warns; the apply fails before anything is sent.
				PreConfig:   func() { env.Server.DeleteOfficeClientConfiguration(policy) },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Assigning Office client configuration.*No Office client configuration with ID\s+` + policy + `\s+exists`),
			},
		},
	})
}

func TestAccOfficeClientConfigurationAssignments_pagesThroughAssignments(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	env.Server.SetPageSize(2)
	policy := newOfficePolicy(env)
	cfg := officeConfig(env, policy, groupA, groupB, groupC, filter1, filter2)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             officeGroups(env, policy),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}, Check: checkFollowedNextLinks(env)},
			{ResourceName: officeAddr, ImportState: true, ImportStateId: policy, ImportStateVerify: true},
		},
	})
}

// TestAccOfficeClientConfigurationAssignments_sendsTheSeedShape: the body has the shape of
// the documented assign request (seed 000/001): officeConfigurationAssignments, each with
// the assignment @odata.type and a group target, '#' included, no client id.
func TestAccOfficeClientConfigurationAssignments_sendsTheSeedShape(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newOfficePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: officeConfig(env, policy, groupA),
			Check: func(*terraform.State) error {
				body := lastAssignBody(t, env)
				want := fmt.Sprintf(`{"officeConfigurationAssignments":[{"@odata.type":"#microsoft.graph.officeClientConfigurationAssignment","target":{"@odata.type":"#microsoft.graph.officeConfigurationGroupAssignmentTarget","groupId":%q}}]}`, groupA)
				if body != want {
					return fmt.Errorf("assign body:\n  got  %s\n  want %s", body, want)
				}
				return nil
			},
		}},
	})
}

func TestAccOfficeClientConfigurationAssignments_validationRejectsBadInputBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: officeConfig(env, "office-1", groupA), PlanOnly: true, ExpectError: regexp.MustCompile(`office_client_configuration_id\s+must be a GUID`)},
			{Config: officeConfig(env, policy, "finance"), PlanOnly: true, ExpectError: regexp.MustCompile(`group_id\s+must be a GUID`)},
			{Config: officeConfig(env, policy, groupC, strings.ToUpper(groupC)), PlanOnly: true, ExpectError: regexp.MustCompile(`Duplicate assignment target`)},
		},
	})
	if reqs := env.Server.Requests(); len(reqs) != 0 {
		t.Fatalf("bad configuration reached the emulator with %d requests, first %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}
