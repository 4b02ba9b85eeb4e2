package emulator_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// configurationPolicies, the settings catalog
// (internal/graph/NOTES.md#settings-catalog).

func cfgPath(id string, rest ...string) string {
	p := "/beta/deviceManagement/configurationPolicies/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

const cfgList = "/beta/deviceManagement/configurationPolicies"

// configPolicyMembers is the member order of real reads
// (internal/graph/NOTES.md#settings-catalog).
var configPolicyMembers = []string{"createdDateTime", "creationSource", "description", "lastModifiedDateTime", "name", "platforms",
	"priorityMetaData", "roleScopeTagIds", "settingCount", "technologies", "id", "templateReference"}

func choiceSetting(def, value string) map[string]any {
	return map[string]any{
		"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
		"settingInstance": map[string]any{
			"@odata.type":         "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
			"settingDefinitionId": def,
			"choiceSettingValue":  map[string]any{"value": value, "children": []any{}},
		},
	}
}

func TestConfigPolicyShape(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", cfgList, tok, map[string]any{
		"name": "Edge", "description": "", "platforms": "windows10", "technologies": "mdm",
		"roleScopeTagIds":   []any{"0"},
		"templateReference": map[string]any{"@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicyTemplateReference", "templateId": ""},
		"settings":          []any{choiceSetting("a", "a_1"), choiceSetting("b", "b_0")},
	}, nil)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if got := topKeys(t, r.raw); !slices.Equal(got, append([]string{"@odata.context"}, configPolicyMembers...)) {
		t.Errorf("create members %v", got)
	}
	tr := dig(r.json, "templateReference").(map[string]any)
	if len(tr) != 4 || tr["templateId"] != "" || tr["templateFamily"] != "none" || tr["templateDisplayName"] != nil || tr["templateDisplayVersion"] != nil {
		t.Errorf("templateReference %v", tr)
	}
	if r.json["settingCount"] != float64(2) || r.str("platforms") != "windows10" || r.json["creationSource"] != nil || r.json["priorityMetaData"] != nil {
		t.Errorf("create body %s", r.raw)
	}

	g := doReq(t, s, "GET", cfgPath(id), tok, nil, nil)
	if g.status != 200 || !slices.Equal(topKeys(t, g.raw), append([]string{"@odata.context"}, configPolicyMembers...)) {
		t.Errorf("GET: %d %v", g.status, topKeys(t, g.raw))
	}
	if !strings.HasSuffix(g.str("@odata.context"), "$metadata#deviceManagement/configurationPolicies/$entity") {
		t.Errorf("context %q", g.str("@odata.context"))
	}

	// isAssigned and disableEntraGroupPolicyAssignment only under $select
	sel := doReq(t, s, "GET", cfgPath(id)+"?$select=id,name,isAssigned,disableEntraGroupPolicyAssignment", tok, nil, nil)
	if got := topKeys(t, sel.raw); !slices.Equal(got, []string{"@odata.context", "name", "id", "isAssigned", "disableEntraGroupPolicyAssignment"}) || sel.json["isAssigned"] != false {
		t.Errorf("$select: %v %s", got, sel.raw)
	}
	doReq(t, s, "POST", cfgPath(id, "assign"), tok, assignItems(group(group1)), nil)
	if sel := doReq(t, s, "GET", cfgList+"?$select=id,isAssigned", tok, nil, nil); sel.values(t)[0]["isAssigned"] != true {
		t.Errorf("isAssigned after assign: %s", sel.raw)
	}

	// list: tips without $select, none with it
	l := doReq(t, s, "GET", cfgList, tok, nil, nil)
	if got := topKeys(t, l.raw); !slices.Equal(got, []string{"@odata.context", "@microsoft.graph.tips", "value"}) ||
		!strings.HasPrefix(l.str("@microsoft.graph.tips"), "This request only returns a subset of the resource's properties.") {
		t.Errorf("list members %v: %s", got, l.raw)
	}
	if got := topKeys(t, rawValues(t, l)[0]); !slices.Equal(got, configPolicyMembers) {
		t.Errorf("list item members %v", got)
	}
	if l := doReq(t, s, "GET", cfgList+"?$select=name", tok, nil, nil); l.json["@microsoft.graph.tips"] != nil {
		t.Errorf("tips with $select: %s", l.raw)
	}
	if l := doReq(t, s, "GET", cfgList+"?$filter="+url.QueryEscape("name eq 'Edge'"), tok, nil, nil); len(l.values(t)) != 1 {
		t.Errorf("$filter on name: %s", l.raw)
	}

	// $expand=settings: ids "0", "1", the instances as posted
	e := doReq(t, s, "GET", cfgPath(id)+"?$expand=settings", tok, nil, nil)
	settings, _ := e.json["settings"].([]any)
	if e.status != 200 || len(settings) != 2 || dig(settings[0], "id") != "0" || dig(settings[1], "id") != "1" ||
		dig(settings[1], "settingInstance", "settingDefinitionId") != "b" || dig(settings[0], "settingInstance", "@odata.type") != "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance" {
		t.Errorf("$expand=settings: %d %s", e.status, e.raw)
	}
	if !strings.HasSuffix(e.str("settings@odata.context"), "configurationPolicies('"+id+"')/settings") {
		t.Errorf("settings context %q", e.str("settings@odata.context"))
	}
	if r := doReq(t, s, "GET", cfgPath(id, "settings"), tok, nil, nil); r.status != 501 {
		t.Errorf("settings path: %d", r.status)
	}

	// PATCH 204; the template does not change [INF]
	p := doReq(t, s, "PATCH", cfgPath(id), tok, map[string]any{"description": "d", "technologies": "mdm,appleRemoteManagement",
		"templateReference": map[string]any{"templateId": "x", "templateFamily": "endpointSecurityFirewall"}}, nil)
	if p.status != 204 {
		t.Fatalf("PATCH: %d %s", p.status, p.raw)
	}
	g = doReq(t, s, "GET", cfgPath(id), tok, nil, nil)
	if g.str("description") != "d" || g.str("technologies") != "mdm,appleRemoteManagement" || g.str("templateReference", "templateFamily") != "none" {
		t.Errorf("after PATCH: %s", g.raw)
	}
	if d := doReq(t, s, "DELETE", cfgPath(id), tok, nil, nil); d.status != 204 {
		t.Errorf("DELETE: %d", d.status)
	}
}

func TestConfigPolicyCreateValidation(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	ok := doReq(t, s, "POST", cfgList, tok, map[string]any{"@odata.type": "microsoft.graph.deviceManagementConfigurationPolicy", "name": "typed",
		"templateReference": map[string]any{"templateId": "t1", "templateFamily": "endpointSecurityAntivirus", "templateDisplayName": "Microsoft Defender Antivirus", "templateDisplayVersion": "Version 1"},
		"priorityMetaData":  map[string]any{"@odata.type": "#microsoft.graph.deviceManagementPriorityMetaData", "priority": 3}}, nil)
	if ok.status != 201 || ok.json["@odata.type"] != nil || ok.str("templateReference", "templateFamily") != "endpointSecurityAntivirus" ||
		dig(ok.json, "priorityMetaData", "priority") != float64(3) || len(ok.json["priorityMetaData"].(map[string]any)) != 1 ||
		ok.str("platforms") != "none" || ok.str("technologies") != "none" {
		t.Errorf("typed create: %d %s", ok.status, ok.raw)
	}
	for name, body := range map[string]map[string]any{
		"displayName, no name": {"displayName": "x"},
		"empty name":           {"name": " "},
		"other type":           {"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "name": "x"},
		"bad platform":         {"name": "x", "platforms": "windows11"},
		"platform case":        {"name": "x", "platforms": "Windows10"},
		"bad technology":       {"name": "x", "technologies": "mdm,smoke"},
		"setting no instance":  {"name": "x", "settings": []any{map[string]any{"id": "0"}}},
		"unknown template key": {"name": "x", "templateReference": map[string]any{"templateId": "", "foo": 1}},
	} {
		if r := doReq(t, s, "POST", cfgList, tok, body, nil); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if r := doReq(t, s, "PATCH", cfgPath(ok.str("id")), tok, map[string]any{"name": ""}, nil); r.status != 400 {
		t.Errorf("PATCH empty name: %d", r.status)
	}
}

// internal/graph/NOTES.md#paging: lists page at 25 with a Cosmos DB token;
// following the next links reads every policy once.
func TestConfigPolicyPaging(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	want := map[string]bool{}
	for i := range 60 {
		want[s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: fmt.Sprintf("p%02d", i), Platforms: "windows10", Technologies: "mdm"})] = true
	}
	seen := map[string]bool{}
	var sizes []int
	next := cfgList + "?$select=id,name&$count=true"
	for page := 0; next != ""; page++ {
		if page > 5 {
			t.Fatal("too many pages")
		}
		r := doReq(t, s, "GET", next, tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", page, r.status, r.raw)
		}
		if c, has := r.json["@odata.count"]; (page == 0) != has || (has && c != float64(60)) {
			t.Errorf("page %d @odata.count %v", page, c)
		}
		vals := r.values(t)
		sizes = append(sizes, len(vals))
		for _, v := range vals {
			id := v["id"].(string)
			if seen[id] {
				t.Errorf("%s twice", id)
			}
			seen[id] = true
		}
		next, _ = r.json["@odata.nextLink"].(string)
		if next != "" {
			if !strings.HasPrefix(next, s.URL()+"/beta/deviceManagement/configurationPolicies?") ||
				!strings.Contains(next, "&$skiptoken=%255Bcosmosdb%255D%255B%257B%2522compositeToken%2522") || !strings.Contains(next, "$select=id,name") {
				t.Fatalf("nextLink %q", next)
			}
			u, _ := url.Parse(next)
			if tok := u.Query().Get("$skiptoken"); !strings.HasPrefix(tok, "%5Bcosmosdb%5D%5B%7B%22compositeToken%22") {
				t.Errorf("token decoded once %q", tok)
			}
		}
	}
	if !slices.Equal(sizes, []int{25, 25, 10}) || len(seen) != len(want) {
		t.Errorf("pages %v, %d policies", sizes, len(seen))
	}

	// $top above 25 is clamped [INF]; below, it is the page size
	r := doReq(t, s, "GET", cfgList+"?$top=100", tok, nil, nil)
	if len(r.values(t)) != 25 || r.json["@odata.nextLink"] == nil {
		t.Errorf("$top=100: %d items", len(r.values(t)))
	}
	if r := doReq(t, s, "GET", cfgList+"?$top=10", tok, nil, nil); len(r.values(t)) != 10 {
		t.Errorf("$top=10: %d", len(r.values(t)))
	}
	// a garbled token is refused
	if r := doReq(t, s, "GET", cfgList+"?$skiptoken=%255Bcosmosdb%255Dxx", tok, nil, nil); r.status != 400 {
		t.Errorf("bad token: %d", r.status)
	}

	s.SetConfigurationPoliciesPageSize(-1) // the global page size (1000)
	if r := doReq(t, s, "GET", cfgList, tok, nil, nil); len(r.values(t)) != 60 || r.json["@odata.nextLink"] != nil {
		t.Errorf("global page size: %d", len(r.values(t)))
	}
	s.SetConfigurationPoliciesPageSize(7)
	if r := doReq(t, s, "GET", cfgList, tok, nil, nil); len(r.values(t)) != 7 {
		t.Errorf("page size 7: %d", len(r.values(t)))
	}
	s.SetConfigurationPoliciesPageSize(0)
	if r := doReq(t, s, "GET", cfgList, tok, nil, nil); len(r.values(t)) != 25 {
		t.Errorf("page size restored: %d", len(r.values(t)))
	}
	// the other families keep the global page size
	for range 30 {
		s.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{DisplayName: "g"})
	}
	if r := doReq(t, s, "GET", "/beta/deviceManagement/groupPolicyConfigurations", tok, nil, nil); len(r.values(t)) != 30 {
		t.Errorf("group policies: %d", len(r.values(t)))
	}
}

func TestConfigPolicyPageSizeConfig(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.ConfigurationPoliciesPageSize = 4 })
	tok := getToken(t, s, rwClient)
	for range 5 {
		s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "p"})
	}
	r := doReq(t, s, "GET", cfgList+"?$top=50", tok, nil, nil)
	if len(r.values(t)) != 4 {
		t.Fatalf("page: %d", len(r.values(t)))
	}
	next := doReq(t, s, "GET", r.str("@odata.nextLink"), tok, nil, nil)
	if len(next.values(t)) != 1 || next.json["@odata.nextLink"] != nil {
		t.Errorf("second page: %s", next.raw)
	}
}

// internal/graph/NOTES.md#expanding-assignments: each expand mode on lists
// and items, for a plain policy and an endpoint-security one.
func TestConfigPolicyExpandModes(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	plain := s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "plain", Platforms: "windows10", Technologies: "mdm"})
	av := s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "av", TemplateFamily: "endpointSecurityAntivirus"})
	for _, id := range []string{plain, av} {
		if err := s.SetConfigurationPolicyAssignments(id, []emulator.Assignment{{Target: emulator.Target{ODataType: emulator.TargetAllDevices}}}); err != nil {
			t.Fatal(err)
		}
	}
	// counts answers, per policy, how many assignments a list and an item GET expand.
	counts := func() (list, item map[string]int) {
		list, item = map[string]int{}, map[string]int{}
		l := doReq(t, s, "GET", cfgList+"?$expand=assignments", tok, nil, nil)
		for _, v := range l.values(t) {
			as, ok := v["assignments"].([]any)
			if !ok || v["assignments@odata.context"] == nil {
				t.Fatalf("list item without assignments: %v", v)
			}
			list[v["id"].(string)] = len(as)
		}
		for _, id := range []string{plain, av} {
			g := doReq(t, s, "GET", cfgPath(id)+"?$expand=assignments", tok, nil, nil)
			as, ok := g.json["assignments"].([]any)
			if !ok || !strings.HasSuffix(g.str("assignments@odata.context"), "configurationPolicies('"+id+"')/assignments") {
				t.Fatalf("item without assignments: %s", g.raw)
			}
			item[id] = len(as)
		}
		return list, item
	}
	for _, tc := range []struct {
		mode                         string
		listPlain, listAV, itemPlain int
		itemAV                       int
	}{
		{"", 0, 0, 1, 1}, // list_empty, the default
		{emulator.ConfigPoliciesExpandListEmpty, 0, 0, 1, 1},
		{emulator.ConfigPoliciesExpandItemEmpty, 1, 1, 1, 0},
		{emulator.ConfigPoliciesExpandAlwaysEmpty, 0, 0, 0, 0},
		{emulator.ConfigPoliciesExpandPopulated, 1, 1, 1, 1},
	} {
		if tc.mode != "" {
			if err := s.SetConfigurationPoliciesExpandAssignments(tc.mode); err != nil {
				t.Fatal(err)
			}
		}
		list, item := counts()
		if list[plain] != tc.listPlain || list[av] != tc.listAV || item[plain] != tc.itemPlain || item[av] != tc.itemAV {
			t.Errorf("mode %q: list plain %d av %d, item plain %d av %d; want %d %d %d %d", tc.mode,
				list[plain], list[av], item[plain], item[av], tc.listPlain, tc.listAV, tc.itemPlain, tc.itemAV)
		}
	}
	if err := s.SetConfigurationPoliciesExpandAssignments("sometimes"); err == nil {
		t.Error("unknown mode accepted")
	}

	// the shared switches apply too: a cut expansion with a next link
	s.SetExpandAssignments(1)
	doReq(t, s, "POST", cfgPath(plain, "assign"), tok, assignItems(group(group1), group(group2)), nil)
	g := doReq(t, s, "GET", cfgPath(plain)+"?$expand=assignments", tok, nil, nil)
	next, _ := g.json["assignments@odata.nextLink"].(string)
	if len(g.json["assignments"].([]any)) != 1 || next == "" {
		t.Fatalf("limit: %s", g.raw)
	}
	if rest := doReq(t, s, "GET", next, tok, nil, nil); len(rest.values(t)) != 1 {
		t.Errorf("rest: %s", rest.raw)
	}
	s.SetExpandAssignments(0, "deviceManagement/configurationPolicies")
	if g := doReq(t, s, "GET", cfgList+"?$expand=assignments", tok, nil, nil); len(g.values(t)[0]["assignments"].([]any)) != 0 {
		t.Errorf("ExpandAssignmentsEmpty: %s", g.raw)
	}
}

func TestConfigPolicyExpandConfig(t *testing.T) {
	if _, err := emulator.Start(emulator.Config{ConfigurationPoliciesExpandAssignments: "never"}); err == nil {
		t.Fatal("Start accepted an unknown expand mode")
	}
	s := startEmu(t, func(c *emulator.Config) {
		c.ConfigurationPoliciesExpandAssignments = emulator.ConfigPoliciesExpandPopulated
	})
	tok := getToken(t, s, rwClient)
	id := s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "p"})
	doReq(t, s, "POST", cfgPath(id, "assign"), tok, assignItems(group(group1)), nil)
	if l := doReq(t, s, "GET", cfgList+"?$expand=assignments", tok, nil, nil); len(l.values(t)[0]["assignments"].([]any)) != 1 {
		t.Errorf("populated list: %s", l.raw)
	}
}

func TestConfigPolicyAssignments(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "p"})
	ps := emulator.Assignment{Source: "policySets", SourceID: "0d0d0d0d-0000-4000-8000-000000000001", Target: emulator.Target{ODataType: emulator.TargetAllLicensedUser}}
	if err := s.SetConfigurationPolicyAssignments(id, []emulator.Assignment{ps}); err != nil {
		t.Fatal(err)
	}
	a := doReq(t, s, "POST", cfgPath(id, "assign"), tok, assignItems(group(group1), exclusion(group2), target("#microsoft.graph.allDevicesAssignmentTarget")), nil)
	if a.status != 200 || !strings.HasSuffix(a.str("@odata.context"), "Collection(microsoft.graph.deviceManagementConfigurationPolicyAssignment)") {
		t.Fatalf("assign: %d %s", a.status, a.raw)
	}
	want := []string{id + "_" + group1, id + "_" + group2, id + "_" + allDevicesKey}
	for i, raw := range rawValues(t, a) {
		if got := topKeys(t, raw); !slices.Equal(got, []string{"id", "source", "sourceId", "target"}) {
			t.Errorf("members %v", got)
		}
		if v := a.values(t)[i]; v["id"] != want[i] || v["source"] != "direct" || v["sourceId"] != id {
			t.Errorf("value %d: %v", i, v)
		}
	}
	as, _ := s.ConfigurationPolicyAssignments(id)
	if len(as) != 4 || as[0].Source != "policySets" || as[0].ID != id+"_"+allLicensedUsersKey {
		t.Fatalf("policy-set assignment not kept: %+v", as)
	}
	if g := doReq(t, s, "GET", cfgPath(id, "assignments", want[1]), tok, nil, nil); g.status != 200 || g.str("target", "@odata.type") != emulator.TargetExclusionGroup {
		t.Errorf("get: %d %s", g.status, g.raw)
	}
	if l := doReq(t, s, "GET", cfgPath(id, "assignments")+"?$filter="+url.QueryEscape("source eq 'direct'"), tok, nil, nil); len(l.values(t)) != 3 {
		t.Errorf("filtered list: %s", l.raw)
	}
	if d := doReq(t, s, "DELETE", cfgPath(id, "assignments", want[0]), tok, nil, nil); d.status != 204 {
		t.Errorf("delete: %d", d.status)
	}
	if c := doReq(t, s, "POST", cfgPath(id, "assignments"), tok, group(group1), nil); c.status != 201 || c.str("id") != want[0] || c.json["intent"] != nil {
		t.Errorf("single create: %d %s", c.status, c.raw)
	}
	if n := doReq(t, s, "GET", cfgPath(id, "assignments", "$count"), tok, nil, nil); string(n.raw) != "4" {
		t.Errorf("$count %q", n.raw)
	}
}

// The read lag applies through the shared code.
func TestConfigPolicyReadLag(t *testing.T) {
	s := startEmu(t, nil)
	clk := useFakeClock(s)
	tok := getToken(t, s, rwClient)
	id := s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "p"})
	s.SetReadLag(time.Second)
	doReq(t, s, "POST", cfgPath(id, "assign"), tok, assignItems(group(group1)), nil)
	if l := doReq(t, s, "GET", cfgPath(id, "assignments"), tok, nil, nil); len(l.values(t)) != 0 {
		t.Errorf("lagged read: %s", l.raw)
	}
	if sel := doReq(t, s, "GET", cfgPath(id)+"?$select=isAssigned", tok, nil, nil); sel.json["isAssigned"] != false {
		t.Errorf("lagged isAssigned: %s", sel.raw)
	}
	clk.Advance(time.Second)
	if l := doReq(t, s, "GET", cfgPath(id, "assignments"), tok, nil, nil); len(l.values(t)) != 1 {
		t.Errorf("after the lag: %s", l.raw)
	}
}
