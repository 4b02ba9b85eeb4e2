package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/provider"
)

func resourceConfig(policy string) string {
	return fmt.Sprintf(`
resource "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
  assignments = [{ target = "all_devices" }]
}
`, policy)
}

func setARMEnv(t *testing.T, env *acctest.Env, secret string) {
	t.Setenv(provider.EnvTenantID, env.Server.TenantID())
	t.Setenv(provider.EnvClientID, emulator.DefaultClientID)
	t.Setenv(provider.EnvClientSecret, secret)
	t.Setenv(provider.EnvGraphEndpoint, env.Server.URL())
	t.Setenv(provider.EnvAuthorityHost, env.Server.URL()+"/")
}

// A pipeline that already sets ARM_* for azurerm/azuread needs nothing else.
func TestAccProvider_signsInFromARMEnvironment(t *testing.T) {
	env := acctest.Start(t)
	setARMEnv(t, env, emulator.DefaultClientSecret)
	policy := env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config:           `provider "intune" {}` + resourceConfig(policy),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct", "allDevicesAssignmentTarget"),
		}},
	})
}

// A value in the provider block beats the environment: a wrong ARM_CLIENT_SECRET is
// ignored when HCL has the right one, and the reverse fails with the identity platform's
// own answer, not a bare 401.
func TestAccProvider_configurationBeatsEnvironment(t *testing.T) {
	env := acctest.Start(t)
	setARMEnv(t, env, "wrong-secret")
	policy := env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`provider "intune" { client_secret = %q }`, emulator.DefaultClientSecret) + resourceConfig(policy),
				Check:  acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct", "allDevicesAssignmentTarget"),
			},
			{
				PreConfig:   func() { t.Setenv(provider.EnvClientSecret, emulator.DefaultClientSecret) },
				Config:      `provider "intune" { client_secret = "wrong-in-hcl" }` + resourceConfig(policy),
				ExpectError: regexp.MustCompile(`(?s)Signing in with the client secret failed.*invalid_client: AADSTS7000215`),
			},
			{
				// Back to a working configuration, so the test can clean up.
				Config: `provider "intune" {}` + resourceConfig(policy),
			},
		},
	})
}

func TestAccProvider_missingCredentialsNameTheSettings(t *testing.T) {
	env := acctest.Start(t)
	for _, v := range []string{provider.EnvTenantID, provider.EnvClientID, provider.EnvClientSecret, "AZURE_TENANT_ID", "AZURE_CLIENT_ID"} {
		t.Setenv(v, "")
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      `provider "intune" { client_secret = "s" }` + resourceConfig("0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"),
				ExpectError: regexp.MustCompile(`(?s)Missing tenant_id.*client secret needs tenant_id.*ARM_TENANT_ID`),
			},
			{
				Config:      `provider "intune" { use_cli = false }` + resourceConfig("0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"),
				ExpectError: regexp.MustCompile(`(?s)No usable sign-in method.*client_secret`),
			},
		},
	})
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("%d requests reached the emulator without credentials", n)
	}
}
