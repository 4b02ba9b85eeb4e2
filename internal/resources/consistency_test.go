package resources_test

// Consistent under lag, races and long retries (issue 20): single-assignment resources
// under several seconds of Graph's read lag, on the injected clock, through the POST route
// and through the replace-all fallback; a portal change made during a large apply; an
// assignment member the provider does not model kept through a fallback write.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Five single-assignment resources on one policy (plus another team's target) under 8 s
// of read lag: the apply leaves all five and the portal's target (each fallback write
// built on a read that shows the run's earlier writes), the plan right after it is empty
// (no phantom create), and destroy removes every one of them (no forgotten destroy).
func TestAccConsistency_singleResourcesUnderReadLag(t *testing.T) {
	t.Parallel()
	singleModes(t, func(t *testing.T, env *acctest.Env, f family) {
		clock := env.UseFakeClock()
		env.Server.SetReadLag(8 * time.Second)
		policy := f.newPolicy(env)
		f.portal(t, env, policy, groupB) // another team's target, assigned long before
		if err := clock.Sleep(context.Background(), 10*time.Second); err != nil {
			t.Fatal(err)
		}
		base := clock.Slept()
		groups := make([]string, 5)
		for i := range groups {
			groups[i] = fmt.Sprintf("%08x-0000-4000-8000-0000000000bb", i+1)
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			CheckDestroy: func(*terraform.State) error {
				return f.groups(env, policy, groupB)(nil)
			},
			Steps: []resource.TestStep{
				{
					Config: f.singles(env, policy, groups...),
					Check:  f.groups(env, policy, append([]string{groupB}, groups...)...),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
		if slept := clock.Slept() - base; slept < 8*time.Second {
			t.Fatalf("the provider waited %v on the clock, less than the 8 s lag: the test did not meet the lag", slept)
		}
	})
}

// A portal change made while a large apply runs is refused for that policy: the read
// before each write comes from a request sent after that resource's apply began, not from
// the collection listing the apply's reader took once 20 policies were asked for.
//
// The victim's block depends on the 29 others, so its apply begins after theirs; the change
// is made when the last of them sends its write, after the apply's listing was read.
func TestAccConsistency_portalChangeDuringALargeApplyIsRefused(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	f := families(env)[0]
	const n = 30 // above the reader's listing threshold (20 policies asked for)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = f.newPolicy(env)
	}
	victim := ids[n-1]
	blocks := func(groups ...string) string {
		var b strings.Builder
		deps := make([]string, n-1)
		for i, id := range ids {
			block := kinds[0].block(f, fmt.Sprintf("p%d", i), id, groups...)
			if i == n-1 {
				block = strings.Replace(block, "\n}\n", "\n  depends_on = ["+strings.Join(deps, ", ")+"]\n}\n", 1)
			} else {
				deps[i] = fmt.Sprintf("%s.p%d", f.typeName, i)
			}
			b.WriteString(block)
		}
		return b.String()
	}
	cli := env.CLI(t)
	write(cli, env, blocks(groupA))
	cli.MustRun("init", "-input=false")
	cli.MustRun("apply", "-auto-approve", "-input=false")
	write(cli, env, blocks(groupA, groupB))
	cli.MustRun("plan", "-input=false", "-out=tfplan")

	var mu sync.Mutex
	posts, changed, listedInApply := 0, false, false
	collection := "/beta/" + f.collection
	env.Server.AddFault(emulator.Fault{Count: 1 << 30, Match: func(method, p string) bool {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case method == "GET" && p == collection:
			listedInApply = true
		case method == "POST" && strings.HasSuffix(p, "/assign"):
			posts++
			if posts == n-1 {
				f.portal(t, env, victim, groupA, groupC) // an admin assigns group C meanwhile
				changed = true
			}
		}
		return false
	}})
	out, code := cli.Run("apply", "-input=false", "tfplan")
	mu.Lock()
	defer mu.Unlock()
	if !changed || !listedInApply {
		t.Fatalf("the scenario was not met (portal change made: %v; the apply listed the collection: %v):\n%s", changed, listedInApply, out)
	}
	if code == 0 || !regexp.MustCompile(`(?is)`+words(f.name+" "+victim+" changed since the plan")).MatchString(out) {
		t.Fatalf("the apply must refuse %s, changed in the portal during the apply (exit %d):\n%s", victim, code, out)
	}
	if err := f.groups(env, victim, groupA, groupC)(nil); err != nil {
		t.Fatalf("the portal's change was overwritten: %v", err)
	}
}

// Only Graph's "not found" for the policy means gone: with graph_endpoint pointing at a
// path that is not Graph (a 404 without Graph's ResourceNotFound), refresh and destroy fail
// naming the URL, and the state keeps both resources; with the endpoint fixed, the plan is
// empty and destroy removes what they made.
func TestAccConsistency_aWrongRouteIsNotAPolicyGone(t *testing.T) {
	t.Parallel()
	forEachFamily(t, func(t *testing.T, env *acctest.Env, f family) {
		cli := env.CLI(t)
		policy := f.newPolicy(env)
		blocks := kinds[0].block(f, "all", policy, groupA) + kinds[1].block(f, "one", f.newPolicy(env), groupB)
		write(cli, env, blocks)
		cli.MustRun("init", "-input=false")
		cli.MustRun("apply", "-auto-approve", "-input=false")
		wrong := strings.Replace(acctest.RequiredProviders()+env.ProviderConfig(), fmt.Sprintf("graph_endpoint = %q", env.Server.URL()),
			fmt.Sprintf("graph_endpoint = %q", env.Server.URL()+"/not-graph"), 1)
		if !strings.Contains(wrong, "/not-graph") {
			t.Fatal("the test could not point graph_endpoint elsewhere")
		}
		cli.Write("main.tf", wrong+blocks)
		for _, args := range [][]string{
			{"plan", "-input=false"},
			{"apply", "-refresh-only", "-auto-approve", "-input=false"},
			{"destroy", "-auto-approve", "-input=false"},
		} {
			out, code := cli.Run(args...)
			if code == 0 || !strings.Contains(out, "/not-graph") {
				t.Fatalf("terraform %s with a wrong graph_endpoint must fail naming the URL (exit %d):\n%s", args[0], code, out)
			}
		}
		if out := cli.MustRun("state", "list"); strings.Count(out, "\n") != 2 {
			t.Fatalf("the state lost resources to a wrong route:\n%s", out)
		}
		write(cli, env, blocks)
		planIsEmpty(t, cli)
		cli.MustRun("destroy", "-auto-approve", "-input=false")
		expect(t, f.holds(env, policy))
	})
}

// The replace-all fallback never drops what it does not own: another tool's assignments
// with a target type the provider does not model (with its own members) and with newer
// members (a schedule, a priority, settings) go back exactly as Graph sent them, through a
// single-assignment create, an update of its filter and its destroy.
func TestAccConsistency_fallbackKeepsMembersItDoesNotModel(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	env.Server.SetAssignmentsPostUnsupported(true)
	f := families(env)[0]
	policy := f.newPolicy(env)
	others := []emulator.Assignment{
		{Target: emulator.Target{ODataType: "#microsoft.graph.organizationalUnitAssignmentTarget", Extra: map[string]any{
			"organizationalUnitId": "OU=Paris,DC=contoso,DC=com", "assignmentConflictSetting": "replace"}},
			Extra: map[string]any{"schedule": map[string]any{"startDateTime": "2030-01-01T00:00:00Z", "weight": 1.5}}},
		{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupB, Extra: map[string]any{"priority": 3}},
			Extra: map[string]any{"settings": map[string]any{"notifications": "hideAll"}}},
	}
	mustSet(t, f.set(env, policy, others))
	want := canonical(t, others)
	kept := func(*terraform.State) error {
		as, _ := env.Server.DeviceConfigurationAssignments(policy)
		var got []emulator.Assignment
		for _, a := range as {
			if a.Target.GroupID != groupA {
				a.ID, a.Source, a.SourceID, a.Intent = "", "", "", ""
				got = append(got, a)
			}
		}
		if g := canonical(t, got); g != want {
			return fmt.Errorf("the other assignments changed:\n  got  %s\n  want %s", g, want)
		}
		return nil
	}
	one := func(filter string) string {
		cfg := f.singles(env, policy, groupA)
		if filter != "" {
			i := strings.LastIndex(cfg, "\n}")
			cfg = cfg[:i] + fmt.Sprintf("\n  filter_id = %q\n  filter_type = \"include\"", filter) + cfg[i:]
		}
		return cfg
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             kept,
		Steps: []resource.TestStep{
			{Config: one(""), Check: kept},
			{Config: one(filter2), Check: kept},
		},
	})
}

// canonical is the assignments as sorted canonical JSON, for comparing what Graph holds.
func canonical(t *testing.T, as []emulator.Assignment) string {
	t.Helper()
	out := make([]string, len(as))
	for i, a := range as {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		b, _ = json.Marshal(v)
		out[i] = string(b)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
