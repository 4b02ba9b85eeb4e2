package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// othersAssignments are what another tool set on a policy with a Graph newer than the
// provider: a target type the provider does not model, and newer members on an
// assignment and on a known target.
func othersAssignments() []emulator.Assignment {
	return []emulator.Assignment{
		{Target: emulator.Target{ODataType: "#microsoft.graph.organizationalUnitAssignmentTarget",
			Extra: map[string]any{"organizationalUnitId": "OU=Paris,DC=contoso,DC=com", "assignmentConflictSetting": "replace"}},
			Extra: map[string]any{"schedule": map[string]any{"startDateTime": "2030-01-01T00:00:00Z"}}},
		{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: "11111111-1111-1111-1111-111111111111",
			Extra: map[string]any{"priority": 3}}},
	}
}

func extraJSON(t *testing.T, as []emulator.Assignment) string {
	t.Helper()
	type ex struct{ ID, Type, A, T string }
	var out []ex
	for _, a := range as {
		ae, _ := json.Marshal(a.Extra)
		te, _ := json.Marshal(a.Target.Extra)
		out = append(out, ex{a.ID, a.Target.ODataType, string(ae), string(te)})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// The single-assignment fallback: read the policy's set, add one, send it all with
// /assign. The other tools' assignments must come back exactly as they were, through
// Assign and AssignBuilt, and every read keeps them whole in Raw.
func TestOthersAssignmentsSurviveTheFallbackWrite(t *testing.T) {
	srv := start(t, emulator.Config{})
	c := newClient(t, srv, emulator.DefaultClientID, emulator.DefaultClientSecret)
	api := c.Assignments(graph.DeviceConfigurationsFamily)
	ctx := context.Background()
	policy := srv.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	if err := srv.SetDeviceConfigurationAssignments(policy, othersAssignments()); err != nil {
		t.Fatal(err)
	}
	before, _ := srv.DeviceConfigurationAssignments(policy)

	listed, err := api.List(ctx, policy)
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 || !strings.Contains(listed[0].Raw, `"organizationalUnitId":"OU=Paris,DC=contoso,DC=com"`) ||
		!strings.Contains(listed[0].Raw, `"schedule":{"startDateTime":"2030-01-01T00:00:00Z"}`) || !strings.Contains(listed[1].Raw, `"priority":3`) {
		t.Fatalf("List's Raw does not hold what Graph sent: %+v", listed)
	}
	page, err := api.ListPolicies(ctx, "")
	if err != nil || len(page.Policies) != 1 || page.Policies[0].Assignments[0].Raw != listed[0].Raw {
		t.Fatalf("ListPolicies: %+v %v", page, err)
	}
	many, err := api.ListMany(ctx, []string{policy})
	if err != nil || len(many) != 1 || len(many[0].Assignments) != 2 || many[0].Assignments[1].Raw != listed[1].Raw {
		t.Fatalf("ListMany: %+v %v", many, err)
	}

	mine := graph.Assignment{Target: graph.Target{ODataType: graph.ODataGroupTarget, GroupID: "22222222-2222-2222-2222-222222222222"}}
	answer, err := api.Assign(ctx, policy, append(listed, mine))
	if err != nil {
		t.Fatalf("the fallback write of what was read: %v", err)
	}
	after, _ := srv.DeviceConfigurationAssignments(policy)
	if len(after) != 3 || extraJSON(t, after[:2]) != extraJSON(t, before) {
		t.Fatalf("after Assign the emulator holds\n%s\nwant the others' assignments as they were\n%s", extraJSON(t, after), extraJSON(t, before))
	}
	if answer[0].Raw != listed[0].Raw || answer[1].Raw != listed[1].Raw {
		t.Fatalf("Assign answered\n%s\n%s\nwant what was read", answer[0].Raw, answer[1].Raw)
	}

	// The same through AssignBuilt, whose build reads the set itself.
	mine2 := graph.Assignment{Target: graph.Target{ODataType: graph.ODataAllDevicesTarget}}
	_, err = api.AssignBuilt(ctx, policy, func(ctx context.Context) ([]graph.Assignment, error) {
		cur, err := api.List(ctx, policy)
		return append(cur, mine2), err
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ = srv.DeviceConfigurationAssignments(policy)
	if len(after) != 4 || extraJSON(t, after[:2]) != extraJSON(t, before) {
		t.Fatalf("after AssignBuilt the emulator holds\n%s\nwant the others' assignments as they were\n%s", extraJSON(t, after), extraJSON(t, before))
	}

	// A single create answers the entity: its Raw is the assignment, not the answer.
	office := srv.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	got, err := c.Assignments(graph.OfficeClientConfigurationsFamily).Create(ctx, office,
		graph.Assignment{Target: graph.Target{ODataType: graph.ODataOfficeGroupTarget, GroupID: "33333333-3333-3333-3333-333333333333"}})
	if err != nil || got.Raw == "" || strings.Contains(got.Raw, "@odata.context") || got.Target.GroupID != "33333333-3333-3333-3333-333333333333" {
		t.Fatalf("Create: %+v %v", got, err)
	}
}
