package resources_test

// The edges of a resource's life (issue 19), through the real CLI, for every family and
// both resource kinds: pointing a resource at another policy, -replace and taint; a
// rename without a moved block; a policy deleted in the portal; identities that never
// change; one target, one resource; moved between the two models.

import (
	"fmt"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"regexp"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
)

// kind is one of a family's two resource kinds, as HCL and as what Graph should hold.
type kind struct {
	name string
	// block is one resource of the kind named name on policy, for the groups.
	block func(f family, name, policy string, groups ...string) string
	// addrs are the addresses block gives.
	addrs func(f family, name string, groups ...string) []string
}

var kinds = []kind{
	{
		name: "authoritative",
		block: func(f family, name, policy string, groups ...string) string {
			items := make([]string, len(groups))
			for i, g := range groups {
				items[i] = f.groupItem(g)
			}
			return fmt.Sprintf("\nresource %q %q {\n  %s = %q\n  assignments = [%s]\n}\n", f.typeName, name, f.policyAttr, policy, strings.Join(items, ", "))
		},
		addrs: func(f family, name string, _ ...string) []string { return []string{f.typeName + "." + name} },
	},
	{
		name: "single",
		block: func(f family, name, policy string, groups ...string) string {
			var b strings.Builder
			for i, g := range groups {
				fmt.Fprintf(&b, "\nresource %q \"%s%d\" {\n  %s = %q\n  %s\n}\n", f.singleType(), name, i, f.policyAttr, policy, f.singleBody(g))
			}
			return b.String()
		},
		addrs: func(f family, name string, groups ...string) []string {
			out := make([]string, len(groups))
			for i := range groups {
				out[i] = fmt.Sprintf("%s.%s%d", f.singleType(), name, i)
			}
			return out
		},
	},
}

// forEachKind runs test for every family and both resource kinds, each with an emulator
// and a CLI of its own.
func forEachKind(t *testing.T, test func(t *testing.T, env *acctest.Env, cli *acctest.CLI, f family, k kind)) {
	for i := range families(nil) {
		for _, k := range kinds {
			t.Run(families(nil)[i].typeName+"/"+k.name, func(t *testing.T) {
				t.Parallel()
				env := acctest.Start(t)
				cli := env.CLI(t)
				test(t, env, cli, families(env)[i], k)
			})
		}
	}
}

// remove deletes a policy of the family, as an admin does in the portal.
func (f family) remove(env *acctest.Env, id string) bool {
	switch f.collection {
	case "deviceManagement/deviceConfigurations":
		return env.Server.DeleteDeviceConfiguration(id)
	case "deviceManagement/deviceCompliancePolicies":
		return env.Server.DeleteDeviceCompliancePolicy(id)
	case "deviceManagement/configurationPolicies":
		return env.Server.DeleteConfigurationPolicy(id)
	case "deviceManagement/groupPolicyConfigurations":
		return env.Server.DeleteGroupPolicyConfiguration(id)
	case "officeConfiguration/clientConfigurations":
		return env.Server.DeleteOfficeClientConfiguration(id)
	}
	return env.Server.DeletePolicy("/"+f.collection, id)
}

// write sets main.tf: the provider and the given blocks.
func write(cli *acctest.CLI, env *acctest.Env, blocks ...string) {
	cli.Write("main.tf", acctest.RequiredProviders()+env.ProviderConfig()+strings.Join(blocks, ""))
}

// expect fails the test when a check of Graph's state fails.
func expect(t *testing.T, checks ...func(*testing.T) error) {
	t.Helper()
	for _, c := range checks {
		if err := c(t); err != nil {
			t.Fatal(err)
		}
	}
}

func (f family) holds(env *acctest.Env, policy string, groups ...string) func(*testing.T) error {
	return func(*testing.T) error { return f.groups(env, policy, groups...)(nil) }
}

// planIsEmpty runs terraform plan and fails the test when it would change anything.
func planIsEmpty(t *testing.T, cli *acctest.CLI) {
	t.Helper()
	out, code := cli.Run("plan", "-detailed-exitcode", "-input=false")
	if code != 0 {
		t.Fatalf("plan is not empty (exit %d):\n%s", code, out)
	}
}

// 1. Pointing a resource at another existing policy (in upper case), -replace and a taint
// plan a replacement and apply; the old policy keeps nothing of the resource's.
func TestAccLifecycle_replacementApplies(t *testing.T) {
	t.Parallel()
	forEachKind(t, func(t *testing.T, env *acctest.Env, cli *acctest.CLI, f family, k kind) {
		p1, p2 := f.newPolicy(env), f.newPolicy(env)
		f.portal(t, env, p2, groupC) // someone else's target on the second policy
		write(cli, env, k.block(f, "r", p1, groupA))
		cli.MustRun("init", "-input=false")
		cli.MustRun("apply", "-auto-approve", "-input=false")
		expect(t, f.holds(env, p1, groupA))

		write(cli, env, k.block(f, "r", strings.ToUpper(p2), groupA))
		out := cli.MustRun("apply", "-auto-approve", "-input=false")
		if !regexp.MustCompile(`must be replaced`).MatchString(out) {
			t.Fatalf("changing the policy ID did not plan a replacement:\n%s", out)
		}
		if k.name == "single" {
			expect(t, f.holds(env, p1), f.holds(env, p2, groupA, groupC))
		} else {
			expect(t, f.holds(env, p1), f.holds(env, p2, groupA))
		}
		planIsEmpty(t, cli)

		addr := k.addrs(f, "r", groupA)[0]
		out = cli.MustRun("apply", "-auto-approve", "-input=false", "-replace="+addr)
		if !strings.Contains(out, "will be replaced, as requested") {
			t.Fatalf("-replace did not plan a replacement:\n%s", out)
		}
		expect(t, f.holds(env, p1), f.holds(env, p2, append([]string{groupA}, map[bool][]string{true: {groupC}}[k.name == "single"]...)...))
		planIsEmpty(t, cli)

		cli.MustRun("taint", addr)
		out = cli.MustRun("apply", "-auto-approve", "-input=false")
		if !regexp.MustCompile(`is tainted, so (it )?must be replaced`).MatchString(out) { // Terraform; OpenTofu adds "it"
			t.Fatalf("a tainted resource was not replaced:\n%s", out)
		}
		expect(t, f.holds(env, p2, append([]string{groupA}, map[bool][]string{true: {groupC}}[k.name == "single"]...)...))
		planIsEmpty(t, cli)
	})
}

// 3. A policy deleted in the portal traps nothing: a normal plan warns (and its apply fails
// before sending anything), plan -refresh-only, plan -destroy, destroy and apply -destroy
// succeed with zero writes; so do removing the block and a removed block.
func TestAccLifecycle_deletedPolicyNeverTrapsTheTeardown(t *testing.T) {
	t.Parallel()
	forEachKind(t, func(t *testing.T, env *acctest.Env, cli *acctest.CLI, f family, k kind) {
		gone, kept := f.newPolicy(env), f.newPolicy(env)
		blocks := k.block(f, "gone", gone, groupA) + k.block(f, "kept", kept, groupB)
		write(cli, env, blocks)
		cli.MustRun("init", "-input=false")
		cli.MustRun("apply", "-auto-approve", "-input=false")
		if !f.remove(env, gone) {
			t.Fatalf("%s %s was not in the emulator", f.name, gone)
		}
		w := &writeMark{env: env}
		w.mark()

		out, code := cli.Run("plan", "-input=false")
		if code != 0 || !regexp.MustCompile(`(?s)Warning:.*`+words("No "+f.name+" with ID "+gone+" exists")).MatchString(out) {
			t.Fatalf("a plan after the policy was deleted must warn that it is gone (exit %d):\n%s", code, out)
		}
		out, code = cli.Run("apply", "-auto-approve", "-input=false")
		if code == 0 || !regexp.MustCompile(words("No "+f.name+" with ID "+gone+" exists")).MatchString(out) {
			t.Fatalf("an apply that would create assignments of a deleted policy must fail, saying why (exit %d):\n%s", code, out)
		}
		for _, args := range [][]string{
			{"plan", "-refresh-only", "-input=false"},
			{"plan", "-destroy", "-input=false"},
			{"apply", "-destroy", "-auto-approve", "-input=false"},
		} {
			cli.MustRun(args...)
		}
		expect(t, f.holds(env, kept))
		if err := w.none("only the kept policy's assignments may be removed")(nil); err == nil {
			t.Fatal("apply -destroy sent no write at all; the kept policy's assignments should have been removed")
		}

		// Again, with destroy, removing the block, and a removed block.
		for _, step := range []struct {
			name string
			run  func()
		}{
			{"destroy", func() { cli.MustRun("destroy", "-auto-approve", "-input=false") }},
			{"the block removed", func() {
				write(cli, env, k.block(f, "kept", kept, groupB))
				cli.MustRun("apply", "-auto-approve", "-input=false")
			}},
			{"a removed block", func() {
				if !acctest.TestCLI(t).Has(acctest.RemovedBlocks) {
					t.Logf("%s has no removed blocks: this step removes the block instead", acctest.TestCLI(t))
					write(cli, env, k.block(f, "kept", kept, groupB))
					cli.MustRun("apply", "-auto-approve", "-input=false")
					return
				}
				var b strings.Builder
				for _, a := range k.addrs(f, "gone", groupA) {
					fmt.Fprintf(&b, "\nremoved {\n  from = %s\n  lifecycle {\n    destroy = false\n  }\n}\n", a)
				}
				write(cli, env, k.block(f, "kept", kept, groupB), b.String())
				cli.MustRun("apply", "-auto-approve", "-input=false")
			}},
		} {
			gone = f.newPolicy(env)
			write(cli, env, k.block(f, "gone", gone, groupA)+k.block(f, "kept", kept, groupB))
			cli.MustRun("apply", "-auto-approve", "-input=false")
			f.remove(env, gone)
			w.mark()
			step.run()
			if step.name != "destroy" {
				if err := w.none(step.name + " with the policy deleted")(nil); err != nil {
					t.Fatal(err)
				}
			}
			planOut, code := cli.Run("plan", "-detailed-exitcode", "-input=false")
			if code != 0 && step.name != "destroy" {
				t.Fatalf("after %s, the plan is not empty (exit %d):\n%s", step.name, code, planOut)
			}
			write(cli, env, k.block(f, "kept", kept, groupB))
		}
	})
}

// protocolConfig is the configuration of one resource of kind k on policy for groups, as
// protocol values (a single-assignment resource takes the first group).
func (f family) protocolConfig(k kind, policy string, groups ...string) map[string]any {
	if k.name == "single" {
		cfg := f.groupItemM(groups[0])
		cfg[f.policyAttr] = policy
		return cfg
	}
	items := make([]map[string]any, len(groups))
	for i, g := range groups {
		items[i] = f.groupItemM(g)
	}
	return map[string]any{f.policyAttr: policy, "assignments": items}
}

func (f family) typeOf(k kind) string {
	if k.name == "single" {
		return f.singleType()
	}
	return f.typeName
}

// 2. A rename without a moved block, and a switch between the two models, destroy one
// address and create another for the same policy in one apply, in an order Terraform
// chooses. Both orders are forced here, over protocol 6 within one configured provider
// (one apply): the result is always the created resources' assignments.
func TestAccLifecycle_renameOrSwitchInOneApplyKeepsTheCreatedSet(t *testing.T) {
	t.Parallel()
	for _, sw := range []struct{ name, from, to string }{
		{"rename", "authoritative", "authoritative"},
		{"authoritative to single", "authoritative", "single"},
		{"single to authoritative", "single", "authoritative"},
	} {
		for _, createFirst := range []bool{true, false} {
			name := fmt.Sprintf("%s/create_first=%v", sw.name, createFirst)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
					from, to := kinds[0], kinds[0]
					if sw.from == "single" {
						from = kinds[1]
					}
					if sw.to == "single" {
						to = kinds[1]
					}
					policy := f.newPolicy(env)
					// The previous apply: the old address(es) manage groups A and B.
					before := env.Protocol(t, nil)
					var old []*tfprotov6.DynamicValue
					oldGroups := [][]string{{groupA, groupB}}
					if from.name == "single" {
						oldGroups = [][]string{{groupA}, {groupB}}
					}
					for _, gs := range oldGroups {
						s, diags := before.Create(f.typeOf(from), f.protocolConfig(from, policy, gs...))
						if s == nil {
							t.Fatalf("creating the old resource: %s", acctest.Diagnostics(diags))
						}
						old = append(old, s)
					}
					expect(t, f.holds(env, policy, groupA, groupB))

					// This apply: the new address(es) manage groups A and C.
					apply := env.Protocol(t, nil)
					newGroups := [][]string{{groupA, groupC}}
					if to.name == "single" {
						newGroups = [][]string{{groupA}, {groupC}}
					}
					create := func() {
						for _, gs := range newGroups {
							if s, diags := apply.Create(f.typeOf(to), f.protocolConfig(to, policy, gs...)); s == nil {
								t.Fatalf("creating the new resource: %s", acctest.Diagnostics(diags))
							}
						}
					}
					destroy := func() {
						for _, s := range old {
							if diags := apply.Destroy(f.typeOf(from), s); hasErrorDiag(diags) {
								t.Fatalf("destroying the old resource: %s", acctest.Diagnostics(diags))
							}
						}
					}
					if createFirst {
						if to.name == "single" {
							// A single resource's create refuses a target the policy has;
							// the old resource's targets are A and B, so create C only.
							newGroups = [][]string{{groupC}}
						}
						create()
						destroy()
					} else {
						destroy()
						create()
					}
					want := []string{groupA, groupC}
					if createFirst && to.name == "single" {
						want = []string{groupC}
					}
					expect(t, f.holds(env, policy, want...))
				})
			})
		}
	}
}

func hasErrorDiag(ds []*tfprotov6.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// state runs terraform state show and returns the attribute's value.
func stateAttr(t *testing.T, cli *acctest.CLI, addr, attr string) string {
	t.Helper()
	out := cli.MustRun("state", "show", addr)
	m := regexp.MustCompile(`(?m)^\s*` + attr + `\s*=\s*"([^"]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("%s has no %s in the state:\n%s", addr, attr, out)
	}
	return m[1]
}

// 4. Identities never change: a target re-created in the portal under a new assignment ID
// is followed (assignment_id), the identity keeps the ID the resource was created with,
// every later plan works (Terraform 1.12+ and OpenTofu refuse a changed identity), and
// destroy removes the re-created assignment.
func TestAccLifecycle_identityNeverChanges(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		cli := env.CLI(t)
		policy := f.newPolicy(env)
		write(cli, env, kinds[1].block(f, "r", policy, groupA), kinds[0].block(f, "all", f.newPolicy(env), groupB))
		cli.MustRun("init", "-input=false")
		cli.MustRun("apply", "-auto-approve", "-input=false")
		addr := f.singleType() + ".r0"
		first := stateAttr(t, cli, addr, "assignment_id")

		// The admin deletes the assignment and assigns the group again; Graph gives it a new ID.
		recreated := policy + "_recreated"
		target := emulator.Target{ODataType: "#microsoft.graph." + f.groupKind, GroupID: groupA}
		mustSet(t, f.set(env, policy, []emulator.Assignment{{ID: recreated, Target: target}}))
		w := &writeMark{env: env}
		w.mark()
		planIsEmpty(t, cli)
		cli.MustRun("apply", "-refresh-only", "-auto-approve", "-input=false")
		if got := stateAttr(t, cli, addr, "assignment_id"); got != recreated {
			t.Fatalf("assignment_id after the portal re-created the target: got %q, want %q (was %q)", got, recreated, first)
		}
		if got := stateAttr(t, cli, addr, "id"); got != policy+"/"+first {
			t.Fatalf("id changed: got %q, want %q", got, policy+"/"+first)
		}
		planIsEmpty(t, cli)
		if err := w.none("refreshing a re-created target")(nil); err != nil {
			t.Fatal(err)
		}
		cli.MustRun("destroy", "-auto-approve", "-input=false")
		expect(t, f.holds(env, policy))
	})
}

// 5. One target, one resource: two single-assignment resources for one target of a policy
// (any letter case, with or without a filter) fail the plan, naming the target, with zero
// writes.
func TestAccLifecycle_twoSingleResourcesForOneTargetFailThePlan(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		cli := env.CLI(t)
		policy := f.newPolicy(env)
		other := fmt.Sprintf("\nresource %q \"other\" {\n  %s = %q\n  %s\n}\n", f.singleType(), f.policyAttr, strings.ToUpper(policy),
			f.singleBody(strings.ToUpper(groupA)))
		if f.filters {
			other = strings.Replace(other, "\n}\n", fmt.Sprintf("\n  filter_id = %q\n  filter_type = \"include\"\n}\n", filter2), 1)
		}
		write(cli, env, kinds[1].block(f, "r", policy, groupA), other)
		cli.MustRun("init", "-input=false")
		out, code := cli.Run("apply", "-auto-approve", "-input=false")
		if code == 0 || !regexp.MustCompile(words("Two "+f.singleType()+" resources for one target of "+f.name)).MatchString(out) ||
			!strings.Contains(strings.ToLower(out), groupA) {
			t.Fatalf("two resources for one target must fail the plan, naming it (exit %d):\n%s", code, out)
		}
		if n := writes(env); n != 0 {
			t.Fatalf("%d write(s) reached Graph", n)
		}
	})
}

// 6. moved from a single-assignment resource to the authoritative one (Terraform 1.8+,
// OpenTofu 1.12); and several single resources into one authoritative resource through
// removed blocks (destroy = false) and an import block, as the docs describe. Neither
// sends a write when the configuration lists what the policy holds.
func TestAccLifecycle_moveBetweenTheModels(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		acctest.RequireCLI(t, acctest.MoveAcrossTypes)
		cli := env.CLI(t)
		policy := f.newPolicy(env)
		write(cli, env, kinds[1].block(f, "r", policy, groupA))
		cli.MustRun("init", "-input=false")
		cli.MustRun("apply", "-auto-approve", "-input=false")
		f.portal(t, env, policy, groupA, groupC) // another team's target
		w := &writeMark{env: env}
		w.mark()
		write(cli, env, kinds[0].block(f, "all", policy, groupA, groupC),
			fmt.Sprintf("\nmoved {\n  from = %s.r0\n  to   = %s.all\n}\n", f.singleType(), f.typeName))
		out := cli.MustRun("apply", "-auto-approve", "-input=false")
		if !strings.Contains(out, "has moved to "+f.typeName+".all") {
			t.Fatalf("the move was not planned:\n%s", out)
		}
		planIsEmpty(t, cli)
		if err := w.none("a move to a configuration that lists what the policy holds")(nil); err != nil {
			t.Fatal(err)
		}

		// Several single resources into one authoritative resource.
		p2 := f.newPolicy(env)
		write(cli, env, kinds[1].block(f, "s", p2, groupA, groupC))
		cli.MustRun("apply", "-auto-approve", "-input=false")
		w.mark()
		var b strings.Builder
		for _, a := range kinds[1].addrs(f, "s", groupA, groupC) {
			fmt.Fprintf(&b, "\nremoved {\n  from = %s\n  lifecycle {\n    destroy = false\n  }\n}\n", a)
		}
		fmt.Fprintf(&b, "\nimport {\n  to = %s.s\n  id = %q\n}\n", f.typeName, p2)
		write(cli, env, kinds[0].block(f, "s", p2, groupA, groupC), b.String())
		cli.MustRun("apply", "-auto-approve", "-input=false")
		planIsEmpty(t, cli)
		expect(t, f.holds(env, p2, groupA, groupC))
		if err := w.none("removed blocks and an import of what the policy holds")(nil); err != nil {
			t.Fatal(err)
		}
	})
}

// 7. Inputs Graph would refuse are refused at plan: the all-zero filter ID (Graph's "no
// filter") with a filter type, in both resource kinds, with zero requests sent.
func TestAccLifecycle_allZeroFilterIDFailsThePlan(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		if !f.filters {
			t.Skip("this family takes no assignment filters (its schema has no filter_id)")
		}
		cli := env.CLI(t)
		policy := f.newPolicy(env)
		zero := "00000000-0000-0000-0000-000000000000"
		write(cli, env, fmt.Sprintf(`
resource %q "a" {
  %s = %q
  assignments = [{ target = "group", group_id = %q, filter_id = %q, filter_type = "include"%s }]
}
resource %q "b" {
  %s = %q
  target = "group"
  group_id = %q
  filter_id = %q
  filter_type = "exclude"%s
}
`, f.typeName, f.policyAttr, policy, groupA, zero, f.fields, f.singleType(), f.policyAttr, f.newPolicy(env), groupB, zero, strings.ReplaceAll(f.fields, ", ", "\n  ")))
		cli.MustRun("init", "-input=false")
		before := len(env.Server.Requests())
		out, code := cli.Run("plan", "-input=false")
		if code == 0 || strings.Count(out, "filter_id names no filter") != 2 {
			t.Fatalf("the all-zero filter ID must fail the plan for both resources (exit %d):\n%s", code, out)
		}
		if n := len(env.Server.Requests()) - before; n != 0 {
			t.Fatalf("%d request(s) reached the emulator from a plan that validation refuses", n)
		}
	})
}

// 8. lifecycle { destroy = false } (Terraform 1.16, OpenTofu 1.12), for both kinds. An
// instance that leaves while the block stays (count or for_each shrinks) is forgotten and
// its assignments stay in Intune. Removing the whole block differs: Terraform reads the
// setting from the block, so it destroys the resource and its assignments are removed (a
// `removed` block with destroy = false keeps them, as tested above); OpenTofu keeps the
// setting in the state, so it forgets the resource and the assignments stay.
func TestAccLifecycle_destroyFalseKeepsAssignmentsOnlyWhileTheBlockStays(t *testing.T) {
	t.Parallel()
	forEachKind(t, func(t *testing.T, env *acctest.Env, cli *acctest.CLI, f family, k kind) {
		acctest.RequireCLI(t, acctest.LifecycleDestroy)
		policy := f.newPolicy(env)
		counted := func(n int) string {
			b := k.block(f, "r", policy, groupA)
			b = strings.Replace(b, "{\n", fmt.Sprintf("{\n  count = %d\n", n), 1)
			return strings.Replace(b, "\n}\n", "\n  lifecycle {\n    destroy = false\n  }\n}\n", 1)
		}
		write(cli, env, counted(1))
		cli.MustRun("init", "-input=false")
		cli.MustRun("apply", "-auto-approve", "-input=false")
		w := &writeMark{env: env}
		w.mark()
		write(cli, env, counted(0))
		cli.MustRun("apply", "-auto-approve", "-input=false")
		expect(t, f.holds(env, policy, groupA))
		if err := w.none("an instance of a block with destroy = false leaving")(nil); err != nil {
			t.Fatal(err)
		}
		if out := cli.MustRun("state", "list"); strings.TrimSpace(out) != "" {
			t.Fatalf("the instance is still in the state:\n%s", out)
		}

		// Adopt it again, then remove the whole block.
		p2 := f.newPolicy(env)
		write(cli, env, strings.Replace(counted(1), policy, p2, 1))
		cli.MustRun("apply", "-auto-approve", "-input=false")
		expect(t, f.holds(env, p2, groupA))
		write(cli, env)
		cli.MustRun("apply", "-auto-approve", "-input=false")
		if acctest.TestCLI(t).OpenTofu {
			expect(t, f.holds(env, p2, groupA))
		} else {
			expect(t, f.holds(env, p2))
		}
		if out := cli.MustRun("state", "list"); strings.TrimSpace(out) != "" {
			t.Fatalf("the resource is still in the state after its block was removed:\n%s", out)
		}
	})
}
