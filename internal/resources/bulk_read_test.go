package resources_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// The bulk read path (issue 9): a refresh of many policies of a family is served by
// listing the family's collection with $expand=assignments, not by one request per
// policy, and it still shows real drift, follows cut expansions, survives a family that
// ignores $expand, and waits out Graph's lag after this provider's own writes.

const (
	bulkManaged = 24 // policies under management: above the reader's listing threshold (20), and few enough writes (3 applies) to stay under the frozen fake clock's write window
	bulkTenant  = 32 // policies in the tenant
)

// graphCalls counts the HTTP requests that reached Graph (a $batch counts once; its items
// are not separate requests on the wire).
func graphCalls(env *acctest.Env) (calls, listings int) {
	for _, r := range env.Server.Requests() {
		if r.BatchItemID != "" || !strings.Contains(r.Path, "/beta/") {
			continue
		}
		calls++
		if strings.Contains(r.RawQuery, "expand=assignments") {
			listings++
		}
	}
	return calls, listings
}

// callMark remembers the request count at a moment and checks the requests since.
type callMark struct {
	env              *acctest.Env
	calls, listings  int
	lastN, lastListN int
}

func (m *callMark) mark() { m.calls, m.listings = graphCalls(m.env) }

// atMost fails when more than max requests reached Graph since mark, or when none was a
// collection listing (wantListing) or some was (!wantListing).
func (m *callMark) atMost(max int, wantListing bool, why string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, l := graphCalls(m.env)
		m.lastN, m.lastListN = c-m.calls, l-m.listings
		if m.lastN > max {
			return fmt.Errorf("%d Graph requests since the mark, want at most %d: %s", m.lastN, max, why)
		}
		if wantListing != (m.lastListN > 0) {
			return fmt.Errorf("%d collection listings among %d requests, want listing=%v: %s", m.lastListN, m.lastN, wantListing, why)
		}
		return nil
	}
}

// bulkTenantOf makes a tenant of bulkTenant policies of the family, the first bulkManaged
// of which are returned; every policy gets groups (so listings carry assignments).
func bulkTenantOf(t *testing.T, env *acctest.Env, f family, groups ...string) []string {
	t.Helper()
	ids := make([]string, bulkTenant)
	for i := range ids {
		ids[i] = f.newPolicy(env)
		f.portal(t, env, ids[i], groups...)
	}
	sort.Strings(ids) // any order; stable HCL
	return ids[:bulkManaged]
}

// manyConfig manages each policy with the given groups, one resource per policy
// (count: the test framework's state shim does not support for_each).
func (f family) manyConfig(env *acctest.Env, ids []string, groups ...string) string {
	items := make([]string, len(groups))
	for i, g := range groups {
		items[i] = f.groupItem(g)
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return env.ProviderConfig() + fmt.Sprintf(`
locals {
  policies = [%s]
}

resource %q "many" {
  count = length(local.policies)
  %s = local.policies[count.index]
  assignments = [%s]
}
`, strings.Join(quoted, ", "), f.typeName, f.policyAttr, strings.Join(items, ", "))
}

// A refresh of 24 adopted policies in a tenant of 32 lists the collection instead of
// reading each policy; the plan is empty, and a change made in the portal still shows as
// drift, on exactly that policy.
// The TestAccBulkRead tests bound request counts, and how many reads arrive together, so how
// many requests they take, depends on the machine's load: they do not call t.Parallel, so they
// run before the parallel tests start, alone.
func TestAccBulkRead_refreshOfManyPoliciesListsTheCollection(t *testing.T) {
	// Not t.Parallel: see the note above TestAccBulkRead_refreshOfManyPoliciesListsTheCollection.
	forEachReadPath(t, func(t *testing.T, env *acctest.Env, f family) {
		ids := bulkTenantOf(t, env, f, groupA)
		m := &callMark{env: env}
		drifted, kept := f.typeName+".many[7]", f.typeName+".many[8]"
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.manyConfig(env, ids, groupA)},
				{
					// Latency, as a network has: reads that Terraform starts together pile up
					// behind the first request, whatever the machine's load.
					PreConfig: func() {
						env.Server.SetLatency(50 * time.Millisecond)
						m.mark()
					},
					RefreshState: true,
					Check: m.atMost(map[bool]int{true: bulkManaged / 4, false: bulkManaged / 2}[f.lists], f.lists,
						"a refresh of many policies is served by listing the collection, or by JSON batches where lists do not expand"),
				},
				{
					PreConfig: func() {
						env.Server.SetLatency(0)
						f.portal(t, env, ids[7], groupA, groupB)
						m.mark()
					},
					Config: f.manyConfig(env, ids, groupA),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(drifted, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(kept, plancheck.ResourceActionNoop),
					}},
					Check: resource.ComposeTestCheckFunc(f.groups(env, ids[7], groupA), f.groups(env, ids[8], groupA)),
				},
			},
		})
		if m.lastN == 0 {
			t.Fatal("the refresh step's check did not run")
		}
	})
}

// A plan with few policies never lists the tenant: one policy costs one request.
func TestAccBulkRead_onePolicyIsOneRequest(t *testing.T) {
	// Not t.Parallel: see the note above TestAccBulkRead_refreshOfManyPoliciesListsTheCollection.
	forEachReadPath(t, func(t *testing.T, env *acctest.Env, f family) {
		ids := bulkTenantOf(t, env, f, groupA)
		m := &callMark{env: env}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.config(env, ids[0], "", groupA)},
				{PreConfig: m.mark, RefreshState: true, Check: m.atMost(1, false, "one policy is one GET of its assignments")},
			},
		})
	})
}

// Graph may cut an expansion and give the rest behind assignments@odata.nextLink
// (internal/graph/NOTES.md#expanding-assignments, emulator switch ExpandAssignmentsLimit): the reader follows it, so
// the refresh sees every assignment and the plan is empty.
func TestAccBulkRead_cutExpansionIsCompleted(t *testing.T) {
	// Not t.Parallel: see the note above TestAccBulkRead_refreshOfManyPoliciesListsTheCollection.
	forEachReadPath(t, func(t *testing.T, env *acctest.Env, f family) {
		ids := bulkTenantOf(t, env, f, groupA, groupB)
		env.Server.SetExpandAssignments(1)
		m := &callMark{env: env}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.manyConfig(env, ids, groupA, groupB)},
				{
					PreConfig: m.mark,
					Config:    f.manyConfig(env, ids, groupA, groupB),
					PlanOnly:  true, // fails on any diff: a cut expansion read as whole would remove groupB
				},
				{
					// Latency, as a network has: reads that Terraform starts together pile up
					// behind the first request, whatever the machine's load (without it, CI
					// once counted 9 requests here where 8 are allowed).
					PreConfig: func() {
						env.Server.SetLatency(50 * time.Millisecond)
						m.mark()
					},
					RefreshState: true,
					// a few reads and batches before the listing, the listing, and batches for
					// the cut policies; believing the cut lists would cost one confirming
					// read per policy
					Check: m.atMost(bulkManaged/3, f.lists, "cut expansions are read whole, in batches"),
				},
			},
		})
	})
}

// A family whose collection answers $expand=assignments with empty lists (emulator switch
// ExpandAssignmentsEmpty; internal/graph/NOTES.md#expanding-assignments reports it for settings-catalog lists) must
// not show every policy's assignments as removed: the reader notices the listing
// disagrees with the policies' own assignments and reads them directly, never more than
// one request per policy.
func TestAccBulkRead_familyIgnoringExpandIsNotDrift(t *testing.T) {
	// Not t.Parallel: see the note above TestAccBulkRead_refreshOfManyPoliciesListsTheCollection.
	forEachReadPath(t, func(t *testing.T, env *acctest.Env, f family) {
		ids := bulkTenantOf(t, env, f, groupA)
		env.Server.SetExpandAssignments(0, f.collection)
		m := &callMark{env: env}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.manyConfig(env, ids, groupA)},
				{PreConfig: m.mark, Config: f.manyConfig(env, ids, groupA), PlanOnly: true},
				{
					// Latency, as a network has: reads that Terraform starts together pile up
					// behind the first request, whatever the machine's load (without it, CI
					// once counted 9 requests here where 8 are allowed).
					PreConfig: func() {
						env.Server.SetLatency(50 * time.Millisecond)
						m.mark()
					},
					RefreshState: true,
					// believing the empty lists would cost one confirming read per policy
					Check: m.atMost(bulkManaged/3, f.lists, "empty listings of a family that ignores $expand are not believed; the policies are read in batches"),
				},
			},
		})
	})
}

// Right after an apply, Graph may still answer the sets from before it (read lag): the
// refresh through the bulk path waits that out instead of reporting drift, on the
// engine's clock.
func TestAccBulkRead_readAfterWriteThroughTheListing(t *testing.T) {
	// Not t.Parallel: see the note above TestAccBulkRead_refreshOfManyPoliciesListsTheCollection.
	forEachReadPath(t, func(t *testing.T, env *acctest.Env, f family) {
		ids := bulkTenantOf(t, env, f, groupA)
		clock := env.UseFakeClock()
		empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
		m := &callMark{env: env}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{
				{Config: f.manyConfig(env, ids, groupA), ConfigPlanChecks: empty},
				{
					PreConfig: func() {
						env.Server.SetReadLag(10 * time.Second)
						m.mark()
					},
					Config:           f.manyConfig(env, ids, groupB),
					ConfigPlanChecks: empty,
					Check:            f.groups(env, ids[3], groupB),
				},
			},
		})
		if clock.Slept() < 10*time.Second {
			t.Fatalf("the provider waited %v on the clock, less than the 10 s lag: the test did not meet the lag", clock.Slept())
		}
		if _, listings := graphCalls(env); f.lists != (listings > 0) {
			t.Fatalf("%d collection listings; want listing=%v: the test did not exercise the family's read path", listings, f.lists)
		}
	})
}

// Sixty settings catalog policies, each with a direct and a policy-set assignment, under
// the service's default behaviour (lists answer $expand=assignments empty,
// internal/graph/NOTES.md#expanding-assignments): the refresh never takes an empty expansion for "no assignments", plans empty,
// keeps the policy-set assignments, and is served by JSON batches, not one request per policy.
func TestAccBulkRead_sixtySettingsCatalogPoliciesPlanEmpty(t *testing.T) {
	// Not t.Parallel: see the note above TestAccBulkRead_refreshOfManyPoliciesListsTheCollection.
	env := acctest.Start(t)
	f := families(env)[3]
	if f.typeName != "intune_configuration_policy_assignments" {
		t.Fatalf("families(env)[3] is %s, want the settings catalog", f.typeName)
	}
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = f.newPolicy(env)
		mustSet(t, f.set(env, ids[i], []emulator.Assignment{
			{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupA}},
			{Source: "policySets", SourceID: "0d0d0d0d-0000-4000-8000-000000000001", Target: emulator.Target{ODataType: emulator.TargetAllDevices}},
		}))
	}
	m := &callMark{env: env}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: f.manyConfig(env, ids, groupA)},
			{
				PreConfig: func() {
					env.Server.SetLatency(50 * time.Millisecond)
					m.mark()
				},
				Config:   f.manyConfig(env, ids, groupA),
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					env.Server.SetLatency(50 * time.Millisecond)
					m.mark()
				},
				RefreshState: true,
				Check: resource.ComposeTestCheckFunc(
					m.atMost(30, false, "60 policies are read in JSON batches, never listed"),
					acctest.CheckAssignments(f.list(env), ids[59], "policySets", "allDevicesAssignmentTarget"),
				),
			},
		},
	})
}

// forEachReadPath is forEachFamily for the bulk-read tests, whose subject is the reader's
// path for a collection (graph.Family.ExpandAssignments), not the write shape: every
// family beyond the first five has the same, unknown, $expand behaviour, so one of them
// (the first) stands for all. The tests run alone, before the parallel ones, so each family
// here costs its full time.
func forEachReadPath(t *testing.T, test func(t *testing.T, env *acctest.Env, f family)) {
	more := false
	for i, f := range families(nil) {
		if f.more && more {
			continue
		}
		more = more || f.more
		t.Run(f.typeName, func(t *testing.T) {
			env := acctest.Start(t)
			test(t, env, families(env)[i])
		})
	}
}
