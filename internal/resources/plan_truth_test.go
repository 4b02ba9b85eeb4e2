package resources_test

// Plans say exactly what apply will do, and apply does exactly that: one matrix over
// every family, through the real CLI (and over protocol 6 where the CLI harness cannot
// see a plan's warnings).

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// family is what the matrix needs to know of one policy family.
type family struct {
	name       string
	typeName   string // resource type
	policyAttr string
	groupKind  string // the target @odata.type of a group, as Describe prints it
	newPolicy  func(env *acctest.Env) string
	set        func(env *acctest.Env, policyID string, as []emulator.Assignment) error
	list       func(env *acctest.Env) acctest.Lister
	groupItem  func(groupID string) string // one HCL assignment targeting a group
	groupItemM func(groupID string) map[string]any
	collection string // the Graph collection below /beta, e.g. "deviceManagement/deviceConfigurations"
	hasTarget  bool   // assignments have a `target` attribute (more than one target kind)
	lists      bool   // the reader lists the collection with $expand=assignments (not the settings catalog)
	more       bool   // one of the families beyond the first five (moreFamily): not device-like
	filters    bool   // assignments take an assignment filter
	perAssign  bool   // writes go one assignment at a time (POST …/assignments), not through assign
	fields     string // the fields every assignment needs besides its target, as HCL after a comma (an app's intent)
}

// isWrite matches the requests the family's authoritative writes send.
func (f family) isWrite(method, path string) bool {
	if f.perAssign {
		return method == "POST" && strings.HasSuffix(path, "/assignments")
	}
	return isAssign(method, path)
}

// deviceLike is a family with the device configurations' targets, from its emulator calls.
func deviceLike(name, typeName, policyAttr, collection string, lists bool, newPolicy func(*acctest.Env) string,
	set func(*emulator.Server) func(string, []emulator.Assignment) error, list func(*emulator.Server) acctest.Lister) family {
	return family{
		name: name, typeName: typeName, policyAttr: policyAttr, groupKind: "groupAssignmentTarget", newPolicy: newPolicy,
		set:        func(env *acctest.Env, p string, as []emulator.Assignment) error { return set(env.Server)(p, as) },
		list:       func(env *acctest.Env) acctest.Lister { return list(env.Server) },
		groupItem:  func(g string) string { return fmt.Sprintf(`{ target = "group", group_id = %q }`, g) },
		groupItemM: func(g string) map[string]any { return map[string]any{"target": "group", "group_id": g} },
		collection: collection, hasTarget: true, lists: lists, filters: true,
	}
}

func families(env *acctest.Env) []family {
	return []family{
		{
			name: "device configuration", typeName: "intune_device_configuration_assignments", policyAttr: "device_configuration_id",
			groupKind: "groupAssignmentTarget", newPolicy: newDevicePolicy,
			set: func(env *acctest.Env, p string, as []emulator.Assignment) error {
				return env.Server.SetDeviceConfigurationAssignments(p, as)
			},
			list:      func(env *acctest.Env) acctest.Lister { return env.Server.DeviceConfigurationAssignments },
			groupItem: func(g string) string { return fmt.Sprintf(`{ target = "group", group_id = %q }`, g) },
			groupItemM: func(g string) map[string]any {
				return map[string]any{"target": "group", "group_id": g}
			},
			collection: "deviceManagement/deviceConfigurations", hasTarget: true, lists: true, filters: true,
		},
		{
			name: "Office client configuration", typeName: "intune_office_client_configuration_assignments", policyAttr: "office_client_configuration_id",
			groupKind: "officeConfigurationGroupAssignmentTarget", newPolicy: newOfficePolicy,
			set: func(env *acctest.Env, p string, as []emulator.Assignment) error {
				return env.Server.SetOfficeClientConfigurationAssignments(p, as)
			},
			list:       func(env *acctest.Env) acctest.Lister { return env.Server.OfficeClientConfigurationAssignments },
			groupItem:  func(g string) string { return fmt.Sprintf(`{ group_id = %q }`, g) },
			groupItemM: func(g string) map[string]any { return map[string]any{"group_id": g} },
			collection: "officeConfiguration/clientConfigurations", lists: true,
		},
		deviceLike("device compliance policy", "intune_device_compliance_policy_assignments", "device_compliance_policy_id",
			"deviceManagement/deviceCompliancePolicies", true,
			func(env *acctest.Env) string {
				return env.Server.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{DisplayName: "Windows compliance"})
			},
			func(s *emulator.Server) func(string, []emulator.Assignment) error {
				return s.SetDeviceCompliancePolicyAssignments
			},
			func(s *emulator.Server) acctest.Lister { return s.DeviceCompliancePolicyAssignments }),
		deviceLike("configuration policy", "intune_configuration_policy_assignments", "configuration_policy_id",
			"deviceManagement/configurationPolicies", false,
			func(env *acctest.Env) string {
				return env.Server.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "Windows baseline"})
			},
			func(s *emulator.Server) func(string, []emulator.Assignment) error {
				return s.SetConfigurationPolicyAssignments
			},
			func(s *emulator.Server) acctest.Lister { return s.ConfigurationPolicyAssignments }),
		deviceLike("administrative template", "intune_group_policy_configuration_assignments", "group_policy_configuration_id",
			"deviceManagement/groupPolicyConfigurations", true,
			func(env *acctest.Env) string {
				return env.Server.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{DisplayName: "Edge settings"})
			},
			func(s *emulator.Server) func(string, []emulator.Assignment) error {
				return s.SetGroupPolicyConfigurationAssignments
			},
			func(s *emulator.Server) acctest.Lister { return s.GroupPolicyConfigurationAssignments }),
		// One family per shape the first five do not have (issue 21): a 204 answer read back
		// through a cast assign path with the policy-set guard; groups only with managed-app
		// filters; per-assignment writes; Cloud PC's target vocabulary.
		moreFamily("mobile_app_configuration", "app configuration policy for managed devices"),
		moreFamily("ios_managed_app_protection", "iOS app protection policy"),
		moreFamily("terms_and_conditions", "terms and conditions policy"),
		moreFamily("cloud_pc_user_setting", "Cloud PC user setting"),
		// Assignments with fields (issue 22): an app's intent, part of its identity.
		moreFamily("mobile_app", "app"),
	}
}

// moreFamily is a family of refFamilies (more_families_test.go) for the matrix, driven
// through the emulator's generic calls. noun is its PolicyNoun, as diagnostics name it.
func moreFamily(stem, noun string) family {
	var r refFamily
	for _, x := range refFamilies {
		if x.stem == stem {
			r = x
		}
	}
	if r.stem == "" {
		panic("no reference family " + stem)
	}
	return family{
		name: noun, typeName: r.authoritative(), policyAttr: r.policyAttr(), groupKind: strings.TrimPrefix(r.groupType, "#microsoft.graph."),
		newPolicy: func(env *acctest.Env) string {
			return env.Server.AddPolicy(r.collection, emulator.Policy{DisplayName: "Matrix " + stem})
		},
		set: func(env *acctest.Env, p string, as []emulator.Assignment) error {
			for i := range as {
				if as[i].Intent == "" {
					as[i].Intent = r.intent() // an assignment made elsewhere has one
				}
			}
			return env.Server.SetPolicyAssignments(r.collection, p, as)
		},
		list: func(env *acctest.Env) acctest.Lister {
			return func(p string) ([]emulator.Assignment, bool) { return env.Server.PolicyAssignments(r.collection, p) }
		},
		groupItem:  func(g string) string { return r.hcl("group", g) },
		groupItemM: func(g string) map[string]any { return r.item("group", g, "", "") },
		collection: strings.TrimPrefix(r.collection, "/"), hasTarget: !r.oneKind(), lists: true, more: true, filters: r.filterKind != "", perAssign: r.assign == "",
		fields: r.fieldsHCL(),
	}
}

func (f family) addr() string { return f.typeName + ".test" }

// config is one resource of the family over groups, with extra HCL (a timeouts block) inside.
func (f family) config(env *acctest.Env, policyID, extra string, groups ...string) string {
	items := make([]string, len(groups))
	for i, g := range groups {
		items[i] = f.groupItem(g)
	}
	return env.ProviderConfig() + fmt.Sprintf(`
resource %q "test" {
  %s = %q
  assignments = [%s]
  %s
}
`, f.typeName, f.policyAttr, policyID, strings.Join(items, ", "), extra)
}

func (f family) groups(env *acctest.Env, policyID string, groups ...string) resource.TestCheckFunc {
	want := make([]string, len(groups))
	for i, g := range groups {
		want[i] = f.groupKind + " " + g
	}
	return acctest.CheckAssignments(f.list(env), policyID, "direct", want...)
}

func (f family) portal(t *testing.T, env *acctest.Env, policyID string, groups ...string) {
	t.Helper()
	as := make([]emulator.Assignment, len(groups))
	for i, g := range groups {
		as[i] = emulator.Assignment{Target: emulator.Target{ODataType: "#microsoft.graph." + f.groupKind, GroupID: g}}
	}
	mustSet(t, f.set(env, policyID, as))
}

// writes counts the requests that could change a policy (POST, PATCH, PUT, DELETE on Graph).
// A $batch envelope is not one: its items are logged, and counted, on their own.
func writes(env *acctest.Env) int {
	n := 0
	for _, r := range env.Server.Requests() {
		if r.Method != "GET" && strings.Contains(r.Path, "/beta/") && !strings.HasSuffix(r.Path, "/$batch") {
			n++
		}
	}
	return n
}

// noWritesSince fails when a write reached Graph after mark() was called.
type writeMark struct {
	env *acctest.Env
	n   int
}

func (m *writeMark) mark()                         { m.n = writes(m.env) }
func (m *writeMark) markPlan() plancheck.PlanCheck { return actionCheck(m.mark) }
func (m *writeMark) none(why string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := writes(m.env); got != m.n {
			return fmt.Errorf("%d write(s) reached Graph; want none: %s", got-m.n, why)
		}
		return nil
	}
}

// actionCheck runs an action between terraform plan and the apply of that saved plan:
// the moment at which an admin's change in the portal makes a saved plan stale.
type actionCheck func()

func (a actionCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, _ *plancheck.CheckPlanResponse) {
	a()
}

func forEachFamily(t *testing.T, test func(t *testing.T, env *acctest.Env, f family)) {
	for i := range families(nil) {
		i := i
		t.Run(families(nil)[i].typeName, func(t *testing.T) {
			env := acctest.Start(t)
			test(t, env, families(env)[i])
		})
	}
}

// 1. A change of spelling is not a change: an upper-case policy ID plans an in-place
// update (never a replacement), the update sends nothing, and the next plan is empty;
// the same for group IDs (and, below, filter and collection IDs).
func TestAccAssignments_caseOnlyChangesNeverReplaceAndSendNothing(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		w := &writeMark{env: env}
		update := resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionUpdate), w.markPlan()},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy:             f.groups(env, policy),
			Steps: []resource.TestStep{
				{Config: f.config(env, policy, "", groupA, groupC)},
				{
					Config:           f.config(env, strings.ToUpper(policy), "", groupA, groupC),
					ConfigPlanChecks: update,
					Check:            resource.ComposeAggregateTestCheckFunc(w.none("only the policy ID's case changed"), f.groups(env, policy, groupA, groupC)),
				},
				{
					Config:           f.config(env, strings.ToUpper(policy), "", groupA, strings.ToUpper(groupC)),
					ConfigPlanChecks: update,
					Check:            resource.ComposeAggregateTestCheckFunc(w.none("only a group ID's case changed"), f.groups(env, policy, groupA, groupC)),
				},
				{
					Config:           f.config(env, policy, "", groupA, groupC),
					ConfigPlanChecks: update,
					Check:            w.none("back to lower case"),
				},
				{
					// A real change still goes out.
					Config:           f.config(env, policy, "", groupA),
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check:            f.groups(env, policy, groupA),
				},
			},
		})
	})
}

func TestAccDeviceConfigurationAssignments_caseOfFilterAndCollectionIDsIsNotAChange(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	w := &writeMark{env: env}
	items := func(filter, coll string) string {
		return fmt.Sprintf(`{ target = "group", group_id = %q, filter_id = %q, filter_type = "include" },
    { target = "configuration_manager_collection", collection_id = %q }`, groupA, filter, coll)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: deviceConfig(env, policy, items(filter2, "MEM0001A"))},
			{
				Config: deviceConfig(env, policy, items(strings.ToUpper(filter2), "mem0001a")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(devAddr, plancheck.ResourceActionUpdate), w.markPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: w.none("only the case of a filter ID and a collection ID changed"),
			},
		},
	})
}

// 2. The timeouts block works on create, when added, changed and removed, and a failed
// create records nothing, so the next apply creates (no taint, no replacement).
func TestAccAssignments_timeoutsBlockWorksThroughItsLifecycle(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		w := &writeMark{env: env}
		empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
		onlyTimeouts := resource.ConfigPlanChecks{
			PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionUpdate), w.markPlan()},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{
					// The create fails at Graph: nothing is recorded, so nothing is tainted.
					PreConfig:   func() { env.Server.FailNext(1, f.isWrite, 500, 0) },
					Config:      f.config(env, policy, `timeouts { create = "2m" }`, groupA),
					ExpectError: regexp.MustCompile(`(?s)Assigning ` + f.name),
				},
				{
					Config: f.config(env, policy, `timeouts { create = "2m" }`, groupA),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: f.groups(env, policy, groupA),
				},
				{Config: f.config(env, policy, `timeouts { update = "45m" }`, groupA), ConfigPlanChecks: onlyTimeouts, Check: w.none("only timeouts changed")},
				{Config: f.config(env, policy, "timeouts {\n    update = \"5m\"\n    read   = \"3m\"\n  }", groupA), ConfigPlanChecks: onlyTimeouts, Check: w.none("only timeouts changed")},
				{Config: f.config(env, policy, `timeouts { update = "5m" }`, groupA, groupB), ConfigPlanChecks: empty, Check: f.groups(env, policy, groupA, groupB)},
				{Config: f.config(env, policy, ``, groupA, groupB), ConfigPlanChecks: onlyTimeouts, Check: w.none("the timeouts block was removed")},
			},
		})
	})
}

// 3. Plan-time truth on create: the plan signs in and reads the policy; a wrong secret fails
// the plan, a missing policy the apply, and neither sends a write.
func TestAccAssignments_createFailsOnWrongSecretAndMissingPolicyWithoutWrites(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		wrongSecret := strings.Replace(f.config(env, policy, "", groupA), emulator.DefaultClientSecret, "not-the-secret", 1)
		missing := "0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b"
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: wrongSecret, PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)Signing in with the client secret failed.*AADSTS7000215`)},
				// A missing policy is a warning in the plan (an error there would trap destroy,
				// lifecycle_test.go) and an error in the apply, before anything is sent.
				{Config: f.config(env, missing, "", groupA), ExpectError: regexp.MustCompile(`(?s)Assigning ` + f.name + `.*No ` + f.name + ` with ID\s+` + missing + `\s+exists`)},
			},
		})
		if n := writes(env); n != 0 {
			t.Fatalf("%d write(s) reached Graph from a plan and an apply that had to fail", n)
		}
	})
}

// The plan warns, naming the targets, when the create will remove direct assignments
// made elsewhere; with nothing to remove, or an ID unknown until apply, it says nothing.
func TestAssignments_planOfACreateWarnsAboutAssignmentsItWillRemove(t *testing.T) {
	env := acctest.Start(t)
	for _, f := range families(env) {
		t.Run(f.typeName, func(t *testing.T) {
			policy := f.newPolicy(env)
			f.portal(t, env, policy, groupB, groupC)
			// Each plan is a run of its own (a run refuses a second resource for one policy).
			diags := env.Protocol(t, nil).PlanCreate(f.typeName, map[string]any{f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(groupA), f.groupItemM(groupC)}})
			warn := only(t, diags, tfprotov6.DiagnosticSeverityWarning)
			if !strings.Contains(warn.Summary, "removes existing assignments") || !strings.Contains(warn.Detail, groupB) ||
				strings.Contains(warn.Detail, groupC) || !strings.Contains(warn.Detail, "import") {
				t.Fatalf("the warning must name %s (and not %s, which the configuration keeps) and give the import hint:\n%s", groupB, groupC, acctest.Diagnostics(diags))
			}
			// Nothing to remove: no warning.
			if diags := env.Protocol(t, nil).PlanCreate(f.typeName, map[string]any{f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(groupB), f.groupItemM(groupC)}}); len(diags) != 0 {
				t.Fatalf("want no diagnostics when the configuration lists every assignment:\n%s", acctest.Diagnostics(diags))
			}
			// The spelling of an ID does not matter.
			if diags := env.Protocol(t, nil).PlanCreate(f.typeName, map[string]any{f.policyAttr: strings.ToUpper(policy), "assignments": []map[string]any{f.groupItemM(strings.ToUpper(groupB)), f.groupItemM(groupC)}}); len(diags) != 0 {
				t.Fatalf("want no diagnostics for the same targets in upper case:\n%s", acctest.Diagnostics(diags))
			}
		})
	}
	if n := writes(env); n != 0 {
		t.Fatalf("%d write(s) reached Graph from plans alone", n)
	}
}

func only(t *testing.T, diags []*tfprotov6.Diagnostic, sev tfprotov6.DiagnosticSeverity) *tfprotov6.Diagnostic {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != sev {
		t.Fatalf("want exactly one diagnostic of severity %v, got:\n%s", sev, acctest.Diagnostics(diags))
	}
	return diags[0]
}

// An ID known only after apply skips the plan-time read: the plan succeeds without
// reading, and the apply creates.
func TestAccAssignments_policyIDUnknownAtPlanSkipsThePlanTimeRead(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		cfg := env.ProviderConfig() + fmt.Sprintf(`
resource "terraform_data" "policy" { input = %q }
resource %q "test" {
  %s = terraform_data.policy.output
  assignments = [%s]
}
`, policy, f.typeName, f.policyAttr, f.groupItem(groupA))
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            f.groups(env, policy, groupA),
			}},
		})
	})
}

// 4. Apply never overwrites what the plan did not show: a change made between plan and
// apply stops the apply for that resource, sends nothing and keeps the state; if Graph
// already holds the planned set, nothing is sent and the apply succeeds.
func TestAccAssignments_applyOfAStalePlanIsRefused(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		w := &writeMark{env: env}
		adminAdds := actionCheck(func() { f.portal(t, env, policy, groupA, groupC); w.mark() })
		adminDoesIt := actionCheck(func() { f.portal(t, env, policy, groupA, groupB); w.mark() })
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.config(env, policy, "", groupA)},
				{
					// plan -out; an admin adds group C in the portal; apply the saved plan.
					Config:           f.config(env, policy, "", groupA, groupB),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{adminAdds}},
					ExpectError:      regexp.MustCompile(`(?s)changed since the plan.*` + words("In Intune now, not in what the plan started from: group") + `\s+` + groupC + `.*` + words("nothing was sent to Graph") + `.*` + words("terraform plan again")),
				},
				{
					// The admin's group is still there, and the state is the prior one: the
					// new plan shows its removal and the addition of B.
					Config: f.config(env, policy, "", groupA, groupB),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(f.addr(), plancheck.ResourceActionUpdate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					PreConfig: func() { refusedChangedNothing(t, env, f, w, policy, groupA, groupC) },
					Check:     f.groups(env, policy, groupA, groupB),
				},
				{
					// Someone makes exactly the planned change meanwhile: nothing is sent.
					Config:           f.config(env, policy, "", groupA),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{actionCheck(func() { f.portal(t, env, policy, groupA); w.mark() })}},
					Check:            resource.ComposeAggregateTestCheckFunc(w.none("Graph already held the planned set"), f.groups(env, policy, groupA)),
				},
				{
					Config:           f.config(env, policy, "", groupA, groupB),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{adminDoesIt}},
					Check:            resource.ComposeAggregateTestCheckFunc(w.none("Graph already held the planned set"), f.groups(env, policy, groupA, groupB)),
				},
			},
		})
	})
}

// The same refusal for a plan made with -refresh=false from a state that no longer
// matches Graph.
func TestAccAssignments_applyWithoutRefreshDoesNotOverwriteUnseenChanges(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		w := &writeMark{env: env}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
			Steps: []resource.TestStep{
				{Config: f.config(env, policy, "", groupA)},
				{
					PreConfig:   func() { f.portal(t, env, policy, groupA, groupC); w.mark() },
					Config:      f.config(env, policy, "", groupA, groupB),
					ExpectError: regexp.MustCompile(`(?s)changed since the plan.*` + words("In Intune now, not in what the plan started from: group") + `\s+` + groupC + `.*-refresh=false`),
				},
				{
					PreConfig: func() { refusedChangedNothing(t, env, f, w, policy, groupA, groupC) },
					Config:    f.config(env, policy, "", groupA, groupC),
				},
			},
		})
	})
}

// refusedChangedNothing: after a refused apply, Graph still holds the admin's set and no
// write was sent since mark.
func refusedChangedNothing(t *testing.T, env *acctest.Env, f family, w *writeMark, policy string, groups ...string) {
	t.Helper()
	if err := w.none("the apply was refused")(nil); err != nil {
		t.Fatal(err)
	}
	if err := f.groups(env, policy, groups...)(nil); err != nil {
		t.Fatalf("the refused apply changed Graph: %v", err)
	}
}

// 5. Two resources of one family for one policy (in any spelling) fail the plan.
func TestAccAssignments_twoResourcesForOnePolicyFailThePlan(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy := f.newPolicy(env)
		two := f.config(env, policy, "", groupA) + fmt.Sprintf(`
resource %q "other_team" {
  %s = %q
  assignments = [%s]
}
`, f.typeName, f.policyAttr, strings.ToUpper(policy), f.groupItem(groupB))
		other := f.newPolicy(env)
		fine := f.config(env, policy, "", groupA) + fmt.Sprintf(`
resource %q "other_team" {
  %s = %q
  assignments = [%s]
}
`, f.typeName, f.policyAttr, other, f.groupItem(groupB))
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: two, ExpectError: regexp.MustCompile(`(?is)` + f.name + ` ` + policy + ` is managed by two\s+resources`)},
				{
					// Two policies, two resources: fine, and every later plan is empty.
					Config:           fine,
					ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					Check:            resource.ComposeAggregateTestCheckFunc(f.groups(env, policy, groupA), f.groups(env, other, groupB)),
				},
				{Config: two, ExpectError: regexp.MustCompile(`(?is)is managed by two\s+resources`)},
			},
		})
	})
}

// words matches a phrase however Terraform wraps it: any run of spaces or line breaks
// between words.
func words(phrase string) string {
	parts := strings.Fields(phrase)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}

// A plan whose only change is the letter case of IDs says so: the set shows an element
// removed and one added, and the reviewer learns that the apply sends nothing.
func TestAssignments_planOfACaseOnlyChangeSaysNothingWillBeSent(t *testing.T) {
	env := acctest.Start(t)
	for _, f := range families(env) {
		t.Run(f.typeName, func(t *testing.T) {
			policy := f.newPolicy(env)
			prior := map[string]any{"id": policy, f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(groupC)}}
			for name, cfg := range map[string]map[string]any{
				"policy ID": {f.policyAttr: strings.ToUpper(policy), "assignments": []map[string]any{f.groupItemM(groupC)}},
				"group ID":  {f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(strings.ToUpper(groupC))}},
			} {
				warn := only(t, env.Protocol(t, nil).PlanUpdate(f.typeName, prior, cfg), tfprotov6.DiagnosticSeverityWarning)
				if !strings.Contains(warn.Summary, "Only the letter case of IDs changed") || !strings.Contains(warn.Detail, "sends nothing") {
					t.Fatalf("%s in upper case: unexpected warning %q: %s", name, warn.Summary, warn.Detail)
				}
			}
			// A real change, or none at all, gets no such warning.
			for _, cfg := range []map[string]any{
				{f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(groupA)}},
				{f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(groupC)}},
			} {
				if diags := env.Protocol(t, nil).PlanUpdate(f.typeName, prior, cfg); len(diags) != 0 {
					t.Fatalf("want no diagnostics:\n%s", acctest.Diagnostics(diags))
				}
			}
		})
	}
}

// An update right after a write, with Graph still showing the set from before that write
// (replication lag) and no refresh in between (-refresh=false), is not mistaken for a
// change made since the plan: the pre-write read waits out the lag first.
func TestAccAssignments_readLagIsNotMistakenForAStalePlan(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		clock := env.UseFakeClock()
		env.Server.SetReadLag(10 * time.Second)
		policy := f.newPolicy(env)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
			Steps: []resource.TestStep{
				{Config: f.config(env, policy, "", groupA)},
				{Config: f.config(env, policy, "", groupA, groupB), Check: f.groups(env, policy, groupA, groupB)},
			},
		})
		if clock.Slept() < 10*time.Second {
			t.Fatalf("the provider waited %v on the clock, less than the 10 s lag: the test did not meet the lag", clock.Slept())
		}
	})
}

// Pointing a resource at another policy replaces it; for the new policy the plan is a
// create, so it is read at plan time too: a missing policy fails the apply before any
// write (the plan warns), and its
// assignments the configuration does not list are named.
func TestAccAssignments_planOfAReplacementReadsTheNewPolicy(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		policy, next := f.newPolicy(env), f.newPolicy(env)
		f.portal(t, env, next, groupB)
		missing := "0c0c0c0c-0c0c-4c0c-8c0c-0c0c0c0c0c0c"
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.config(env, policy, "", groupA)},
				// A missing policy is a warning in the plan (an error there would trap destroy,
				// lifecycle_test.go) and an error in the apply, before anything is sent.
				{Config: f.config(env, missing, "", groupA), ExpectError: regexp.MustCompile(`(?s)Assigning ` + f.name + `.*No ` + f.name + ` with ID\s+` + missing + `\s+exists`)},
			},
		})
		prior := map[string]any{"id": policy, f.policyAttr: policy, "assignments": []map[string]any{f.groupItemM(groupA)}}
		cfg := map[string]any{f.policyAttr: next, "assignments": []map[string]any{f.groupItemM(groupA)}}
		warn := only(t, env.Protocol(t, nil).PlanUpdate(f.typeName, prior, cfg), tfprotov6.DiagnosticSeverityWarning)
		if !strings.Contains(warn.Summary, "removes existing assignments of "+f.name+" "+next) || !strings.Contains(warn.Detail, groupB) {
			t.Fatalf("the plan of the replacement must name %s on %s:\n%s: %s", groupB, next, warn.Summary, warn.Detail)
		}
	})
}
