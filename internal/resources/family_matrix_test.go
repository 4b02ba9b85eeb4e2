package resources_test

// The device-like families (device configurations, compliance policies, the settings
// catalog and administrative templates) share targets and filters, so one acceptance
// matrix (device_configuration_test.go) runs for each of them. A family differs from
// another by the data here, never by a test naming a type.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// deviceFamily is a family with the device configurations' targets (family.hasTarget),
// with what the device matrix needs beyond the plan-truth matrix's family.
type deviceFamily struct {
	family
	// sources: assignments carry source and sourceId, so policy sets can assign the policy
	// and /assign keeps those assignments (internal/graph/NOTES.md#assignments and #families).
	// Administrative templates' assignments have neither (NOTES.md#administrative-templates).
	sources bool
	// remove deletes the policy, as an admin does in the portal.
	remove func(env *acctest.Env, policyID string) bool
	// restore creates the policy again with the same ID.
	restore func(env *acctest.Env, policyID string)
	// assignKey is the member of the /assign body holding the list.
	assignKey string
	// assignmentType is the @odata.type written on each assigned item; "" for none.
	assignmentType string
}

// deviceExtras is, per device-like family, what deviceFamily adds to family.
var deviceExtras = map[string]deviceFamily{
	// internal/graph/NOTES.md#assign and #assignments: {"assignments":[{"target":...}]}; the SDK sets no
	// assignment @odata.type.
	deviceConfigurationType: {
		sources: true,
		remove:  func(env *acctest.Env, id string) bool { return env.Server.DeleteDeviceConfiguration(id) },
		restore: func(env *acctest.Env, id string) {
			env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{ID: id, DisplayName: "restored"})
		},
		assignKey: "assignments",
	},
	// internal/graph/NOTES.md#compliance-policies: the only parameter is `assignments`; real reads carry no
	// assignment @odata.type, and the provider sends none (graph.DeviceCompliancePoliciesFamily).
	"intune_device_compliance_policy_assignments": {
		sources: true,
		remove:  func(env *acctest.Env, id string) bool { return env.Server.DeleteDeviceCompliancePolicy(id) },
		restore: func(env *acctest.Env, id string) {
			env.Server.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{ID: id, DisplayName: "restored"})
		},
		assignKey: "assignments",
	},
	// internal/graph/NOTES.md#settings-catalog: body key `assignments`; assignments have no @odata.type.
	"intune_configuration_policy_assignments": {
		sources: true,
		remove:  func(env *acctest.Env, id string) bool { return env.Server.DeleteConfigurationPolicy(id) },
		restore: func(env *acctest.Env, id string) {
			env.Server.AddConfigurationPolicy(emulator.ConfigurationPolicy{ID: id, Name: "restored"})
		},
		assignKey: "assignments",
	},
	// internal/graph/NOTES.md#administrative-templates: body key `assignments`; assignments have id,
	// lastModifiedDateTime and target only: no source, so no policy sets.
	"intune_group_policy_configuration_assignments": {
		sources: false,
		remove:  func(env *acctest.Env, id string) bool { return env.Server.DeleteGroupPolicyConfiguration(id) },
		restore: func(env *acctest.Env, id string) {
			env.Server.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{ID: id, DisplayName: "restored"})
		},
		assignKey: "assignments",
	},
}

// deviceFamilies is every family of families(env) with targets, in that order. A family
// with targets but no deviceExtras entry is a mistake in this table, not a test failure.
func deviceFamilies(env *acctest.Env) []deviceFamily {
	var out []deviceFamily
	for _, f := range families(env) {
		if !f.hasTarget || f.more {
			continue
		}
		d, ok := deviceExtras[f.typeName]
		if !ok {
			panic(f.typeName + " has targets but no entry in deviceExtras: the device matrix would skip it")
		}
		d.family = f
		out = append(out, d)
	}
	if len(out) != len(deviceExtras) {
		panic(fmt.Sprintf("deviceExtras has %d families, families() %d device-like ones", len(deviceExtras), len(out)))
	}
	return out
}

// forEachDeviceFamily runs test once per device-like family, each in a subtest named by
// the resource type with an emulator of its own.
func forEachDeviceFamily(t *testing.T, test func(t *testing.T, env *acctest.Env, f deviceFamily)) {
	t.Helper()
	for i, f := range deviceFamilies(nil) {
		t.Run(f.typeName, func(t *testing.T) {
			env := acctest.Start(t)
			test(t, env, deviceFamilies(env)[i])
		})
	}
}

// deviceConfigurations is the device configuration case of the matrix, which tests of
// one family use (deviceConfig, devDirect).
func deviceConfigurations(env *acctest.Env) deviceFamily {
	for _, f := range deviceFamilies(env) {
		if f.typeName == deviceConfigurationType {
			return f
		}
	}
	panic("no device-like family " + deviceConfigurationType)
}

// hcl is one resource of the family with the given assignment items (HCL, comma-separated).
func (f deviceFamily) hcl(env *acctest.Env, policyID, assignments string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
resource %q "test" {
  %s = %q
  assignments = [%s]
}
`, f.typeName, f.policyAttr, policyID, assignments)
}

// direct asserts the policy's direct assignments in the emulator (Describe lines, any
// order). Assignments without a source count as direct.
func (f deviceFamily) direct(env *acctest.Env, policyID string, want ...string) resource.TestCheckFunc {
	return acctest.CheckAssignments(f.list(env), policyID, "direct", want...)
}

// destroyed: destroy leaves the policy with no direct assignments, and exactly keep
// (Describe lines) from policy sets.
func (f deviceFamily) destroyed(env *acctest.Env, policyID string, keep ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := f.direct(env, policyID)(s); err != nil {
			return err
		}
		return acctest.CheckAssignments(f.list(env), policyID, "policySets", keep...)(s)
	}
}

// sourceShape asserts that every assignment of the policy has a source when the family's
// assignments have one, and none when they do not.
func (f deviceFamily) sourceShape(env *acctest.Env, policyID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		as, ok := f.list(env)(policyID)
		if !ok {
			return fmt.Errorf("policy %s does not exist in the emulator", policyID)
		}
		for _, a := range as {
			if f.sources && a.Source == "" {
				return fmt.Errorf("%s assignment %s has no source; the family's assignments carry one", f.name, a.ID)
			}
			if !f.sources && (a.Source != "" || a.SourceID != "") {
				return fmt.Errorf("%s assignment %s has source %q (%q); the family's assignments have none", f.name, a.ID, a.Source, a.SourceID)
			}
		}
		return nil
	}
}

// assignBody is the /assign body the family sends for the given targets (JSON objects),
// with sorted keys as lastAssignBody re-encodes it.
func (f deviceFamily) assignBody(targets ...string) string {
	items := make([]string, len(targets))
	for i, t := range targets {
		if f.assignmentType != "" {
			items[i] = fmt.Sprintf(`{"@odata.type":%q,"target":%s}`, f.assignmentType, t)
		} else {
			items[i] = fmt.Sprintf(`{"target":%s}`, t)
		}
	}
	return fmt.Sprintf(`{%q:[%s]}`, f.assignKey, strings.Join(items, ","))
}
