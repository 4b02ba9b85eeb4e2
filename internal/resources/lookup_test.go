package resources_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// lookupFamily is one family's policies as the lookup data sources see them.
type lookupFamily struct {
	single, plural string // data source types
	typeA, typeB   string // two of the family's policy types, without #microsoft.graph.
	add            func(env *acctest.Env, name, typ string) string
}

var lookupFamilies = []lookupFamily{
	{
		single: "intune_device_configuration", plural: "intune_device_configurations",
		typeA: "windowsDefenderAdvancedThreatProtectionConfiguration", typeB: "windows10CustomConfiguration",
		add: func(env *acctest.Env, name, typ string) string {
			return env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: name, ODataType: "#microsoft.graph." + typ})
		},
	},
	{
		single: "intune_office_client_configuration", plural: "intune_office_client_configurations",
		typeA: "windowsOfficeClientConfiguration", typeB: "windowsOfficeClientSecurityConfiguration",
		add: func(env *acctest.Env, name, typ string) string {
			return env.Server.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: name, ODataType: "#microsoft.graph." + typ})
		},
	},
	{
		single: "intune_device_compliance_policy", plural: "intune_device_compliance_policies",
		typeA: "windows10CompliancePolicy", typeB: "iosCompliancePolicy",
		add: func(env *acctest.Env, name, typ string) string {
			return env.Server.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{DisplayName: name, ODataType: "#microsoft.graph." + typ})
		},
	},
}

// One policy by name (exact, any case) or by ID; no match and several matches are errors
// that list what was found; the plural narrows by prefix and type; every page is read.
func TestAccLookup_policies(t *testing.T) {
	t.Parallel()
	for _, lf := range lookupFamilies {
		t.Run(lf.single, func(t *testing.T) {
			env := acctest.Start(t)
			env.Server.SetPageSize(2) // five policies: three pages
			onboarding := lf.add(env, "ATP Onboarding", lf.typeA)
			lf.add(env, "ATP onboarding (old)", lf.typeB)
			twinA := lf.add(env, "Baseline", lf.typeA)
			twinB := lf.add(env, "baseline", lf.typeB)
			custom := lf.add(env, "ATP custom", lf.typeB)
			// Equal names are listed by ID.
			twins := `.*` + twinA + `  "Baseline"  \(` + lf.typeA + `\).*` + twinB + `  "baseline"  \(` + lf.typeB + `\)`
			if twinB < twinA {
				twins = `.*` + twinB + `  "baseline"  \(` + lf.typeB + `\).*` + twinA + `  "Baseline"  \(` + lf.typeA + `\)`
			}
			byName := func(name string) string {
				return env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  display_name = %q\n}\n", lf.single, name)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				Steps: []resource.TestStep{
					{
						Config: byName("atp ONBOARDING"),
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttr("data."+lf.single+".x", "id", onboarding),
							resource.TestCheckResourceAttr("data."+lf.single+".x", "display_name", "ATP Onboarding"),
							resource.TestCheckResourceAttr("data."+lf.single+".x", "odata_type", lf.typeA),
							resource.TestCheckResourceAttrSet("data."+lf.single+".x", "last_modified"),
						),
					},
					{
						Config: env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  id = %q\n}\n", lf.single, custom),
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttr("data."+lf.single+".x", "display_name", "ATP custom"),
							resource.TestCheckResourceAttr("data."+lf.single+".x", "odata_type", lf.typeB),
						),
					},
					{
						Config:      byName("ATP"),
						ExpectError: regexp.MustCompile(`(?s)No .* named "ATP".*None of the 5 .*These names contain it:.*ATP custom.*ATP Onboarding.*ATP onboarding \(old\)`),
					},
					{
						Config:      byName("BASELINE"),
						ExpectError: regexp.MustCompile(`(?s)2 .* are named "BASELINE".*does not pick one` + twins + `.*Use id`),
					},
					{
						Config:      env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  id = %q\n}\n", lf.single, "0c0c0c0c-0c0c-4c0c-8c0c-0c0c0c0c0c0c"),
						ExpectError: regexp.MustCompile(`(?s)No .* with ID 0c0c0c0c-0c0c-4c0c-8c0c-0c0c0c0c0c0c.*answered 404`),
					},
					{
						Config:      env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  id = %q\n  display_name = \"x\"\n}\n", lf.single, custom),
						ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
					},
					{
						Config: env.ProviderConfig() + fmt.Sprintf(`
data %[1]q "all" {}
data %[1]q "atp" {
  display_name_prefix = "atp "
}
data %[1]q "atp_typed" {
  display_name_prefix = "ATP"
  odata_type          = "#microsoft.graph.%[2]s"
}
`, lf.plural, lf.typeB),
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttr("data."+lf.plural+".all", "policies.#", "5"),
							resource.TestCheckResourceAttr("data."+lf.plural+".all", "ids.#", "5"),
							resource.TestCheckResourceAttr("data."+lf.plural+".atp", "policies.#", "3"),
							resource.TestCheckResourceAttr("data."+lf.plural+".atp", "ids.0", custom), // sorted by name: "ATP custom" first
							resource.TestCheckResourceAttr("data."+lf.plural+".atp_typed", "policies.#", "2"),
							resource.TestCheckTypeSetElemNestedAttrs("data."+lf.plural+".atp_typed", "policies.*",
								map[string]string{"id": custom, "display_name": "ATP custom", "odata_type": lf.typeB}),
						),
					},
				},
			})
		})
	}
}

// Assignment filters by name or ID, with platform, rule and management type; the plural
// narrows by prefix and platform, across pages; and filter_id reads naturally from it.
func TestAccLookup_assignmentFilters(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	env.Server.SetPageSize(2)
	corp := env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Corporate devices", Platform: "windows10AndLater", Rule: `(device.deviceOwnership -eq "Corporate")`})
	env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Corporate iPhones", Platform: "iOS", Rule: `(device.deviceOwnership -eq "Corporate")`})
	env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Kiosks", Platform: "windows10AndLater", Rule: `(device.deviceName -startsWith "KIOSK")`})
	policy := newDevicePolicy(env)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderConfig() + fmt.Sprintf(`
data "intune_assignment_filter" "corporate" {
  display_name = "corporate DEVICES"
}
data "intune_assignment_filters" "corporate" {
  display_name_prefix = "Corporate"
}
data "intune_assignment_filters" "windows" {
  platform = "WINDOWS10ANDLATER"
}
resource "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
  assignments = [{
    target      = "group"
    group_id    = %q
    filter_id   = data.intune_assignment_filter.corporate.id
    filter_type = "include"
  }]
}
`, policy, groupA),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("data.intune_assignment_filter.corporate", "id", corp),
					resource.TestCheckResourceAttr("data.intune_assignment_filter.corporate", "platform", "windows10AndLater"),
					resource.TestCheckResourceAttr("data.intune_assignment_filter.corporate", "rule", `(device.deviceOwnership -eq "Corporate")`),
					resource.TestCheckResourceAttr("data.intune_assignment_filter.corporate", "management_type", "devices"),
					resource.TestCheckResourceAttr("data.intune_assignment_filters.corporate", "filters.#", "2"),
					resource.TestCheckResourceAttr("data.intune_assignment_filters.windows", "filters.#", "2"),
					resource.TestCheckResourceAttr("data.intune_assignment_filters.windows", "ids.0", corp),
					devDirect(env, policy, "groupAssignmentTarget "+groupA+" include "+corp),
				),
			},
			{
				Config: env.ProviderConfig() + fmt.Sprintf("data \"intune_assignment_filter\" \"x\" {\n  id = %q\n}\n", corp),
				Check:  resource.TestCheckResourceAttr("data.intune_assignment_filter.x", "display_name", "Corporate devices"),
			},
			{
				Config:      env.ProviderConfig() + "data \"intune_assignment_filter\" \"x\" {\n  display_name = \"Corporate\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)No assignment filter named "Corporate".*None of the 3 .*Corporate devices.*Corporate iPhones`),
			},
		},
	})
}

// The families whose policies have no derived types: settings catalog policies (named by
// Graph's `name`, which the lookup also takes as `name`, with their platforms and template
// family) and administrative templates. Found by either name attribute in any case, by ID,
// not found, ambiguous, narrowed by prefix, across pages (settings catalog lists page at 25).
func TestAccLookup_typelessFamilies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		single, plural string
		add            func(env *acctest.Env, name string) string
		nameAttr       string // "name" where Graph calls it so
	}{
		{"intune_configuration_policy", "intune_configuration_policies", func(env *acctest.Env, name string) string {
			return env.Server.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: name, Platforms: "windows10", Technologies: "mdm,microsoftSense", TemplateFamily: "endpointSecurityAntivirus"})
		}, "name"},
		{"intune_group_policy_configuration", "intune_group_policy_configurations", func(env *acctest.Env, name string) string {
			return env.Server.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{DisplayName: name})
		}, "display_name"},
	} {
		t.Run(tc.single, func(t *testing.T) {
			env := acctest.Start(t)
			env.Server.SetPageSize(2)
			var edge string
			for i := 0; i < 30; i++ {
				id := tc.add(env, fmt.Sprintf("Policy %02d", i))
				if i == 27 {
					edge = id
				}
			}
			twin := tc.add(env, "policy 27")
			d := "data." + tc.single + ".x"
			checks := []resource.TestCheckFunc{
				resource.TestCheckResourceAttr(d, "id", edge),
				resource.TestCheckResourceAttr(d, "display_name", "Policy 27"),
				resource.TestCheckNoResourceAttr(d, "odata_type"),
			}
			if tc.nameAttr == "name" {
				checks = append(checks,
					resource.TestCheckResourceAttr(d, "name", "Policy 27"),
					resource.TestCheckResourceAttr(d, "template_family", "endpointSecurityAntivirus"),
					resource.TestCheckResourceAttr(d, "platforms", "windows10"))
			}
			byName := env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  %s = \"POLICY 27\"\n}\n", tc.single, tc.nameAttr)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				Steps: []resource.TestStep{
					{Config: byName, ExpectError: regexp.MustCompile(`(?s)2 .* are named "POLICY 27"`)},
					{
						PreConfig: func() { deletePolicy(env, tc.single, twin) },
						Config:    byName,
						Check:     resource.ComposeTestCheckFunc(checks...),
					},
					{
						Config: env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  id = %q\n}\ndata %q \"p\" {\n  display_name_prefix = \"policy 2\"\n}\n", tc.single, edge, tc.plural),
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttr(d, "display_name", "Policy 27"),
							resource.TestCheckResourceAttr("data."+tc.plural+".p", "policies.#", "10"),
						),
					},
					{
						Config:      env.ProviderConfig() + fmt.Sprintf("data %q \"x\" {\n  display_name = \"Policy 99\"\n}\n", tc.single),
						ExpectError: regexp.MustCompile(`(?s)No .* named "Policy 99".*None of the 30 `),
					},
				},
			})
		})
	}
}

func deletePolicy(env *acctest.Env, single, id string) {
	switch single {
	case "intune_configuration_policy":
		env.Server.DeleteConfigurationPolicy(id)
	default:
		env.Server.DeleteGroupPolicyConfiguration(id)
	}
}
