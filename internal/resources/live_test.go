package resources_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/intunetf/terraform-provider-intune/internal/provider"
)

// TestAccLive_deviceConfigurationAssignmentsRoundTrip runs against a real tenant. It needs
// TF_ACC=1 (make testacc), ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, and a policy and
// a group made for testing: INTUNE_LIVE_DEVICE_CONFIGURATION_ID, INTUNE_LIVE_GROUP_ID. The
// policy's direct assignments are replaced, then removed.
func TestAccLive_deviceConfigurationAssignmentsRoundTrip(t *testing.T) {
	t.Parallel()
	need := []string{"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "INTUNE_LIVE_DEVICE_CONFIGURATION_ID", "INTUNE_LIVE_GROUP_ID"}
	for _, v := range need {
		if os.Getenv(v) == "" {
			t.Skipf("live test: %s is not set (needs %v and TF_ACC=1)", v, need)
		}
	}
	policy, group := os.Getenv("INTUNE_LIVE_DEVICE_CONFIGURATION_ID"), os.Getenv("INTUNE_LIVE_GROUP_ID")
	cfg := fmt.Sprintf(`
provider "intune" {}
resource "intune_device_configuration_assignments" "live" {
  device_configuration_id = %q
  assignments = [{ target = "group", group_id = %q }, { target = "all_devices" }]
}
`, policy, group)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"intune": providerserver.NewProtocol6WithError(provider.New("live")()),
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{ResourceName: "intune_device_configuration_assignments.live", ImportState: true, ImportStateId: policy, ImportStateVerify: true},
		},
	})
}
