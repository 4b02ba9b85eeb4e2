package resources_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
)

// The single-assignment resources (issue 11): one target of a policy, the policy's other
// targets left alone, on both families and, for device configurations, both through the
// single-create route and through the replace-all fallback when the service refuses it.

func (f family) singleType() string { return strings.TrimSuffix(f.typeName, "s") }

func (f family) singleBody(g string) string {
	if f.hasTarget {
		return fmt.Sprintf("target = \"group\"\n  group_id = %q", g) + strings.ReplaceAll(f.fields, ", ", "\n  ")
	}
	return fmt.Sprintf("group_id = %q", g)
}

// singles is one single-assignment resource per group on one policy.
func (f family) singles(env *acctest.Env, policyID string, groups ...string) string {
	var b strings.Builder
	b.WriteString(env.ProviderConfig())
	for i, g := range groups {
		fmt.Fprintf(&b, "\nresource %q \"g%d\" {\n  %s = %q\n  %s\n}\n", f.singleType(), i, f.policyAttr, policyID, f.singleBody(g))
	}
	return b.String()
}

// singleModes are the ways a family creates one assignment: its single-create route, and
// for device configurations also the fallback when the service refuses that route.
func singleModes(t *testing.T, test func(t *testing.T, env *acctest.Env, f family)) {
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		test(t, env, f)
	})
	t.Run("intune_device_configuration_assignment/route_refused", func(t *testing.T) {
		env := acctest.Start(t)
		env.Server.SetAssignmentsPostUnsupported(true)
		test(t, env, families(env)[0])
		refused, assigns := 0, 0
		for _, r := range env.Server.Requests() {
			switch {
			case r.Method == "POST" && strings.HasSuffix(r.Path, "/assignments") && r.Status == 400:
				refused++
			case r.Method == "POST" && strings.HasSuffix(r.Path, "/assign"):
				assigns++
			}
		}
		if refused == 0 || assigns == 0 {
			t.Fatalf("the fallback was not exercised: %d refused single creates, %d assign actions", refused, assigns)
		}
	})
}

// Create adds the target and leaves the portal's targets; Read sees a target removed in
// the portal (the plan creates it again) and a deleted policy (the resource leaves the
// state); import by POLICY_ID/ASSIGNMENT_ID reads it back; destroy removes only it.
func TestAccSingle_lifecycle(t *testing.T) {
	t.Parallel()
	singleModes(t, func(t *testing.T, env *acctest.Env, f family) {
		// A target missing right after the resource created it may be Graph's read lag:
		// the refresh reads again for up to a minute after the write, on this clock.
		env.UseFakeClock()
		policy := f.newPolicy(env)
		f.portal(t, env, policy, groupB) // someone else's target
		addr := f.singleType() + ".g0"
		cfg := f.singles(env, policy, groupA)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy: func(*terraform.State) error {
				return f.groups(env, policy, groupB)(nil)
			},
			Steps: []resource.TestStep{
				{
					Config: cfg,
					Check: resource.ComposeTestCheckFunc(
						f.groups(env, policy, groupA, groupB),
						resource.TestCheckResourceAttrSet(addr, "assignment_id"),
						resource.TestMatchResourceAttr(addr, "id", regexp.MustCompile("^"+policy+"/.+")),
					),
				},
				{
					PreConfig: func() { f.portal(t, env, policy, groupB) }, // groupA removed in the portal
					Config:    cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					}},
					Check: f.groups(env, policy, groupA, groupB),
				},
				{
					ResourceName:            addr,
					ImportState:             true,
					ImportStateVerify:       true,
					ImportStateVerifyIgnore: []string{"timeouts"},
					Config:                  cfg,
				},
			},
		})
	})
}

// 30 single-assignment resources on one policy apply and destroy in one run without losing
// each other's targets (the per-policy lock), through the route and through the fallback.
func TestAccSingle_thirtyOnOnePolicy(t *testing.T) {
	t.Parallel()
	singleModes(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		f.portal(t, env, policy, groupB)
		groups := make([]string, 30)
		for i := range groups {
			groups[i] = fmt.Sprintf("%08x-0000-4000-8000-0000000000aa", i+1)
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy: func(*terraform.State) error {
				return f.groups(env, policy, groupB)(nil)
			},
			Steps: []resource.TestStep{
				{Config: f.singles(env, policy, groups...), Check: f.groups(env, policy, append([]string{groupB}, groups...)...)},
			},
		})
	})
}

// A target the policy already has is an error that gives the import command, never a
// silent adoption; and one configuration managing a policy with both models fails at
// plan time, whatever the spelling of the ID.
func TestAccSingle_refusals(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		f.portal(t, env, policy, groupA)
		w := &writeMark{env: env}
		both := f.config(env, policy, "", groupB) + fmt.Sprintf("\nresource %q \"extra\" {\n  %s = %q\n  %s\n}\n",
			f.singleType(), f.policyAttr, strings.ToUpper(policy), f.singleBody(groupA))
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{
					PreConfig:   w.mark,
					Config:      f.singles(env, policy, groupA),
					ExpectError: regexp.MustCompile(`(?s)already has this target.*terraform import ` + f.singleType() + `\.<name>\s+` + policy + `/`),
				},
				{
					Config:      both,
					ExpectError: regexp.MustCompile(`(?s)is managed by both\s+` + f.typeName + ` and\s+` + f.singleType()),
				},
				{
					PreConfig: func() {
						if got := writes(env); got != w.n {
							t.Errorf("%d write(s) reached Graph in the refused steps; want none", got-w.n)
						}
					},
					Config: f.singles(env, policy, groupB),
					Check:  f.groups(env, policy, groupA, groupB),
				},
			},
		})
	})
}

// A deleted policy takes its assignments with it: the refresh removes the resource from
// the state, the plan, which would create it again, warns that the policy does not exist,
// and the apply fails before sending anything.
func TestAccSingle_policyDeleted(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	f := families(env)[0]
	policy := f.newPolicy(env)
	w := &writeMark{env: env}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: f.singles(env, policy, groupA)},
			{
				PreConfig:   func() { env.Server.DeleteDeviceConfiguration(policy) },
				Config:      f.singles(env, policy, groupA),
				ExpectError: regexp.MustCompile(`(?s)Assigning device configuration.*No device configuration with ID\s+` + policy + `\s+exists`),
			},
			{
				// Without the block: the apply's refresh drops the resource, so nothing is left to
				// destroy; a resource still in the state would be destroyed, with a DELETE.
				PreConfig: w.mark,
				Config:    env.ProviderConfig(),
				Check:     w.none("the refresh removed the resource: there was nothing to destroy"),
			},
		},
	})
}

// A filter change is an in-place update that keeps the policy's other targets; a change of
// letter case in an ID is no change at all (no replacement, nothing sent).
func TestAccSingle_filterChangeInPlaceAndCaseOnly(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	f := families(env)[0]
	policy := f.newPolicy(env)
	f.portal(t, env, policy, groupB)
	filter := "f1f1f1f1-0000-4000-8000-000000000001"
	cfg := func(pid, g, filterType string) string {
		extra := ""
		if filterType != "" {
			extra = fmt.Sprintf("\n  filter_id = %q\n  filter_type = %q", filter, filterType)
		}
		return env.ProviderConfig() + fmt.Sprintf("\nresource %q \"g0\" {\n  %s = %q\n  target = \"group\"\n  group_id = %q%s\n}\n",
			f.singleType(), f.policyAttr, pid, g, extra)
	}
	addr := f.singleType() + ".g0"
	w := &writeMark{env: env}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg(policy, groupA, "")},
			{
				Config: cfg(policy, groupA, "include"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct",
					"groupAssignmentTarget "+groupA+" include "+filter, "groupAssignmentTarget "+groupB),
			},
			{
				PreConfig: w.mark,
				Config:    cfg(strings.ToUpper(policy), strings.ToUpper(groupA), "include"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: w.none("a change of letter case sends nothing"),
			},
		},
	})
}

// An import block with -generate-config-out writes a configuration that plans clean
// (POLICY_ID/ASSIGNMENT_ID); a malformed import ID shows the expected form. Import by
// identity: TestAccSingle_importByIdentity.
func TestAccSingle_importGenerateConfig(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.ImportBlocks)
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		f.portal(t, env, policy, groupA, groupB)
		as, _ := f.list(env)(policy)
		var assignmentID string
		for _, a := range as {
			if strings.EqualFold(a.Target.GroupID, groupA) {
				assignmentID = a.ID
			}
		}
		cfg := f.singles(env, policy, groupA)
		addr := f.singleType() + ".g0"
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{
					ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
					ImportStateId: policy + "/" + assignmentID, GenerateConfig: true, Config: cfg,
					ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
					}},
				},
				{
					ResourceName: addr, ImportState: true, ImportStateId: policy + ":" + assignmentID, Config: cfg,
					ExpectError: regexp.MustCompile(`(?s)Invalid import ID.*Import takes <` + f.policyAttr + `>/<assignment_id>`),
				},
			},
		})
	})
}

// import { identity = {...} } with terraform plan -generate-config-out, on the real CLI:
// the generated block imports with no write and the next plan is empty.
func TestAccSingle_importByIdentity(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.ImportByIdentity)
	env := acctest.Start(t)
	cli := env.CLI(t)
	f := families(env)[0]
	policy := f.newPolicy(env)
	f.portal(t, env, policy, groupA, groupB)
	as, _ := f.list(env)(policy)
	cli.Write("main.tf", acctest.RequiredProviders()+env.ProviderConfig()+fmt.Sprintf(`
import {
  to       = %s.pilot
  identity = { %s = %q, assignment_id = %q }
}
`, f.singleType(), f.policyAttr, strings.ToUpper(policy), as[0].ID))
	cli.MustRun("init", "-input=false")
	cli.MustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	w := &writeMark{env: env}
	w.mark()
	if out := cli.MustRun("apply", "-auto-approve", "-input=false"); !strings.Contains(out, "1 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply:\n%s\ngenerated.tf:\n%s", out, cli.Read("generated.tf"))
	}
	if got := writes(env); got != w.n {
		t.Fatalf("the import sent %d write(s)", got-w.n)
	}
	if out, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after import (exit %d):\n%s", code, out)
	}
}
