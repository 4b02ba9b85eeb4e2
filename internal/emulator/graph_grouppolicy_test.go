package emulator_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// groupPolicyConfigurations, administrative templates
// (internal/graph/NOTES.md#administrative-templates).

func gpPath(id string, rest ...string) string {
	p := "/beta/deviceManagement/groupPolicyConfigurations/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

const gpList = "/beta/deviceManagement/groupPolicyConfigurations"

var groupPolicyMembers = []string{"createdDateTime", "displayName", "description", "roleScopeTagIds", "policyConfigurationIngestionType", "id", "lastModifiedDateTime"}

func TestGroupPolicyShape(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", gpList, tok, map[string]any{"displayName": "ADMX", "description": "d", "policyConfigurationIngestionType": "custom"}, nil)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if got := topKeys(t, r.raw); !slices.Equal(got, append([]string{"@odata.context"}, groupPolicyMembers...)) {
		t.Errorf("members %v", got)
	}
	if r.str("policyConfigurationIngestionType") != "unknown" || r.str("displayName") != "ADMX" {
		t.Errorf("create body %s", r.raw)
	}
	g := doReq(t, s, "GET", gpPath(id), tok, nil, nil)
	if g.status != 200 || !slices.Equal(topKeys(t, g.raw), append([]string{"@odata.context"}, groupPolicyMembers...)) {
		t.Errorf("GET %d %s", g.status, g.raw)
	}
	if l := doReq(t, s, "GET", gpList, tok, nil, nil); !slices.Equal(topKeys(t, rawValues(t, l)[0]), groupPolicyMembers) || l.json["@microsoft.graph.tips"] != nil {
		t.Errorf("list %s", l.raw)
	}

	// definitionValues: only $expand serves it, empty
	// (internal/graph/NOTES.md#administrative-templates)
	e := doReq(t, s, "GET", gpPath(id)+"?$expand=definitionValues,assignments", tok, nil, nil)
	if dv, ok := e.json["definitionValues"].([]any); e.status != 200 || !ok || len(dv) != 0 ||
		!strings.HasSuffix(e.str("definitionValues@odata.context"), "groupPolicyConfigurations('"+id+"')/definitionValues") {
		t.Errorf("$expand: %d %s", e.status, e.raw)
	}
	for _, p := range []string{gpPath(id, "definitionValues"), gpPath(id, "updateDefinitionValues")} {
		if r := doReq(t, s, "GET", p, tok, nil, nil); r.status != 501 {
			t.Errorf("%s: %d", p, r.status)
		}
	}

	for name, body := range map[string]map[string]any{
		"no displayName":  {"description": "x"},
		"unknown member":  {"displayName": "x", "foo": 1},
		"other type":      {"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "displayName": "x"},
		"bad ingestion":   {"displayName": "x", "policyConfigurationIngestionType": "imported"},
		"name, not displ": {"name": "x"},
	} {
		if r := doReq(t, s, "POST", gpList, tok, body, nil); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if r := doReq(t, s, "POST", gpList, tok, map[string]any{"@odata.type": "#microsoft.graph.groupPolicyConfiguration", "displayName": "typed"}, nil); r.status != 201 || r.json["@odata.type"] != nil {
		t.Errorf("typed create: %d %s", r.status, r.raw)
	}
	if p := doReq(t, s, "PATCH", gpPath(id), tok, map[string]any{"displayName": "ADMX 2", "roleScopeTagIds": []any{"0", "1"}}, nil); p.status != 204 {
		t.Fatalf("PATCH: %d %s", p.status, p.raw)
	}
	if g := doReq(t, s, "GET", gpPath(id), tok, nil, nil); g.str("displayName") != "ADMX 2" || len(g.json["roleScopeTagIds"].([]any)) != 2 {
		t.Errorf("after PATCH: %s", g.raw)
	}
	if d := doReq(t, s, "DELETE", gpPath(id), tok, nil, nil); d.status != 204 {
		t.Errorf("DELETE: %d", d.status)
	}
}

// internal/graph/NOTES.md#administrative-templates: id, lastModifiedDateTime,
// target; one stamp per /assign; exclusions allowed; no source, so no policy
// sets.
func TestGroupPolicyAssignments(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{DisplayName: "g"})
	// a seeded policy-set source is dropped: the type has none
	if err := s.SetGroupPolicyConfigurationAssignments(id, []emulator.Assignment{{Source: "policySets", SourceID: "x", Intent: "apply", Target: emulator.Target{ODataType: emulator.TargetAllDevices}}}); err != nil {
		t.Fatal(err)
	}
	as, _ := s.GroupPolicyConfigurationAssignments(id)
	if len(as) != 1 || as[0].Source != "" || as[0].Intent != "" || as[0].LastModifiedDateTime.IsZero() || as[0].ID != id+"_"+allDevicesKey {
		t.Fatalf("seeded: %+v", as)
	}

	before := time.Now().Add(-time.Second)
	a := doReq(t, s, "POST", gpPath(id, "assign"), tok, assignItems(group(group1), exclusion(group2), target("#microsoft.graph.allLicensedUsersAssignmentTarget")), nil)
	if a.status != 200 || !strings.HasSuffix(a.str("@odata.context"), "Collection(microsoft.graph.groupPolicyConfigurationAssignment)") {
		t.Fatalf("assign: %d %s", a.status, a.raw)
	}
	want := []string{id + "_" + group1, id + "_" + group2, id + "_" + allLicensedUsersKey}
	stamp := ""
	for i, raw := range rawValues(t, a) {
		if got := topKeys(t, raw); !slices.Equal(got, []string{"id", "lastModifiedDateTime", "target"}) {
			t.Errorf("members %v", got)
		}
		v := a.values(t)[i]
		if v["id"] != want[i] {
			t.Errorf("id %v, want %s", v["id"], want[i])
		}
		ts := v["lastModifiedDateTime"].(string)
		if stamp == "" {
			stamp = ts
		} else if ts != stamp {
			t.Errorf("stamps differ: %s %s", stamp, ts)
		}
	}
	if at, err := time.Parse(time.RFC3339Nano, stamp); err != nil || at.Before(before) {
		t.Errorf("stamp %q: %v", stamp, err)
	}
	// replace-all: nothing kept
	if as, _ := s.GroupPolicyConfigurationAssignments(id); len(as) != 3 || as[1].Target.ODataType != emulator.TargetExclusionGroup {
		t.Fatalf("state: %+v", as)
	}
	// source is not a member of the type
	if r := doReq(t, s, "POST", gpPath(id, "assign"), tok, map[string]any{"assignments": []any{map[string]any{"source": "direct", "target": group(group1)["target"]}}}, nil); r.status != 400 {
		t.Errorf("source accepted: %d %s", r.status, r.raw)
	}

	l := doReq(t, s, "GET", gpPath(id, "assignments")+"?$select=id,lastModifiedDateTime", tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 3 || l.values(t)[0]["target"] != nil {
		t.Errorf("list: %d %s", l.status, l.raw)
	}
	e := doReq(t, s, "GET", gpPath(id)+"?$expand=assignments", tok, nil, nil)
	if as := e.json["assignments"].([]any); len(as) != 3 || dig(as[0], "lastModifiedDateTime") != stamp {
		t.Errorf("expand: %s", e.raw)
	}

	time.Sleep(2 * time.Millisecond)
	c := doReq(t, s, "POST", gpPath(id, "assignments"), tok, target("#microsoft.graph.allDevicesAssignmentTarget"), nil)
	if c.status != 201 || c.str("id") != id+"_"+allDevicesKey || c.str("lastModifiedDateTime") == stamp ||
		!slices.Equal(topKeys(t, c.raw), []string{"@odata.context", "id", "lastModifiedDateTime", "target"}) {
		t.Errorf("single create: %d %s", c.status, c.raw)
	}
	if g := doReq(t, s, "GET", gpPath(id, "assignments", want[1]), tok, nil, nil); g.status != 200 || g.str("target", "groupId") != group2 {
		t.Errorf("get: %d %s", g.status, g.raw)
	}
	if d := doReq(t, s, "DELETE", gpPath(id, "assignments", want[1]), tok, nil, nil); d.status != 204 {
		t.Errorf("delete: %d", d.status)
	}
	if g := doReq(t, s, "GET", gpPath(id, "assignments", want[1]), tok, nil, nil); g.status != 404 {
		t.Errorf("get deleted: %d", g.status)
	}
}
