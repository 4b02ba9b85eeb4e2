package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Mobile apps and remediations
// (internal/graph/NOTES.md#mobile-apps-and-remediations).

func appAssign(items ...map[string]any) map[string]any {
	return keyedAssignBody("mobileAppAssignments", items...)
}

func appA(intent string, target map[string]any, settings any) map[string]any {
	a := map[string]any{"intent": intent, "target": target["target"]}
	if settings != nil {
		a["settings"] = settings
	}
	return a
}

func allDevices() map[string]any {
	return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}
}

func allUsers() map[string]any {
	return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
}

func addApp(s *emulator.Server, typ string, props map[string]any) string {
	return s.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "app", ODataType: typ, Props: props})
}

// canon is the JSON of v with sorted keys, for comparisons.
func canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}

func TestMobileAppsEntity(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.PageSize = 1 })
	tok := getToken(t, s, rwClient)
	id := addApp(s, "", map[string]any{"publisher": "Contoso"})
	addApp(s, "#microsoft.graph.iosStoreApp", map[string]any{"publishingState": "processing"})
	r := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id), tok, nil, nil)
	if r.status != 200 || r.str("@odata.type") != "#microsoft.graph.win32LobApp" || r.str("publisher") != "Contoso" ||
		r.str("publishingState") != "published" || r.json["isAssigned"] != false || r.json["roleScopeTagIds"] == nil {
		t.Fatalf("GET: %s", r.raw)
	}
	keys := topKeys(t, r.raw)
	want := []string{"@odata.context", "@odata.type", "id", "displayName", "description", "publisher", "largeIcon", "createdDateTime", "lastModifiedDateTime",
		"isFeatured", "privacyInformationUrl", "informationUrl", "owner", "developer", "notes", "uploadState", "publishingState", "isAssigned",
		"roleScopeTagIds", "dependentAppCount", "supersedingAppCount", "supersededAppCount"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("members: %v", keys)
	}
	// paging, $filter, $select
	l := doReq(t, s, "GET", "/beta"+emulator.CollMobileApps, tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 1 || l.str("@odata.nextLink") == "" {
		t.Errorf("page: %s", l.raw)
	}
	f := doReq(t, s, "GET", "/beta"+emulator.CollMobileApps+"?$filter=publishingState%20eq%20'processing'&$select=id,publishingState", tok, nil, nil)
	if f.status != 200 || len(f.values(t)) != 1 || f.values(t)[0]["publishingState"] != "processing" || f.values(t)[0]["displayName"] != nil {
		t.Errorf("$filter: %s", f.raw)
	}
	// create needs a type (abstract); the enum is checked
	if c := doReq(t, s, "POST", "/beta"+emulator.CollMobileApps, tok, map[string]any{"displayName": "x"}, nil); c.status != 400 {
		t.Errorf("create without type: %d", c.status)
	}
	c := doReq(t, s, "POST", "/beta"+emulator.CollMobileApps, tok, map[string]any{"@odata.type": "#microsoft.graph.webApp", "displayName": "x", "publishingState": "bogus"}, nil)
	if c.status != 400 {
		t.Errorf("bad publishingState: %d %s", c.status, c.raw)
	}
	c = doReq(t, s, "POST", "/beta"+emulator.CollMobileApps, tok, map[string]any{"@odata.type": "#microsoft.graph.webApp", "displayName": "x", "appUrl": "https://x"}, nil)
	if c.status != 201 || c.str("@odata.type") != "#microsoft.graph.webApp" || c.str("appUrl") != "https://x" {
		t.Errorf("create: %d %s", c.status, c.raw)
	}
}

func TestMobileAppsAssign(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := addApp(s, "#microsoft.graph.webApp", nil)
	if err := s.SetPolicyAssignments(emulator.CollMobileApps, id, []emulator.Assignment{
		{Source: "policySets", SourceID: "ps1", Intent: "available", Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: group2}},
	}); err != nil {
		t.Fatal(err)
	}
	body := appAssign(appA("required", group(group1), nil), appA("uninstall", exclusion(group2), nil), appA("available", allUsers(), nil))
	r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, body, nil)
	if r.status != 204 || len(r.raw) != 0 {
		t.Fatalf("assign: %d %s", r.status, r.raw)
	}
	l := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id, "assignments"), tok, nil, nil)
	vals := l.values(t)
	if len(vals) != 4 {
		t.Fatalf("list: %s", l.raw)
	}
	ids := []string{}
	for _, v := range vals {
		ids = append(ids, v["id"].(string))
	}
	want := group2 + "_0_0," + group1 + "_1_0," + group2 + "_2_1,acacacac-9df4-4c7d-9d50-4ef0226f57a9_0_0"
	if strings.Join(ids, ",") != want {
		t.Errorf("ids: %v", ids)
	}
	if vals[0]["source"] != "policySets" || vals[1]["source"] != "direct" || vals[1]["sourceId"] != id || vals[1]["intent"] != "required" {
		t.Errorf("members: %s", l.raw)
	}
	if ks := topKeys(t, rawValues(t, l)[1]); strings.Join(ks, ",") != "id,intent,target,settings,source,sourceId" {
		t.Errorf("order: %v", ks)
	}
	// single create, item GET, PATCH, DELETE
	c := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assignments"), tok, appA("available", allDevices(), nil), nil)
	if c.status != 201 || c.str("id") != "adadadad-808e-44e2-905a-0b7873a8a531_0_0" || c.str("intent") != "available" {
		t.Fatalf("POST: %d %s", c.status, c.raw)
	}
	aid := group1 + "_1_0"
	if g := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id, "assignments", aid), tok, nil, nil); g.status != 200 || g.str("intent") != "required" {
		t.Errorf("item: %d %s", g.status, g.raw)
	}
	if p := doReq(t, s, "PATCH", famPath(emulator.CollMobileApps, id, "assignments", aid), tok, map[string]any{"intent": "uninstall"}, nil); p.status != 204 {
		t.Errorf("PATCH: %d %s", p.status, p.raw)
	}
	as, _ := s.PolicyAssignments(emulator.CollMobileApps, id)
	if as[1].Intent != "uninstall" || as[1].ID != aid {
		t.Errorf("after PATCH: %+v", as[1])
	}
	if d := doReq(t, s, "DELETE", famPath(emulator.CollMobileApps, id, "assignments", aid), tok, nil, nil); d.status != 204 {
		t.Errorf("DELETE: %d", d.status)
	}
	// replace-all keeps the policy-set assignment
	if r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(), nil); r.status != 204 {
		t.Fatalf("assign []: %d %s", r.status, r.raw)
	}
	if as, _ := s.PolicyAssignments(emulator.CollMobileApps, id); len(as) != 1 || as[0].Source != "policySets" {
		t.Errorf("after replace-all: %+v", as)
	}
	// $expand on list and item; isAssigned
	e := doReq(t, s, "GET", "/beta"+emulator.CollMobileApps+"?$expand=assignments", tok, nil, nil)
	if e.status != 200 || len(e.values(t)[0]["assignments"].([]any)) != 1 || e.values(t)[0]["isAssigned"] != true {
		t.Errorf("$expand: %s", e.raw)
	}
	// intent required and one of four
	for _, bad := range []map[string]any{{"target": group(group1)["target"]}, appA("apply", group(group1), nil), appA("Required", group(group1), nil)} {
		if r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(bad), nil); r.status != 400 {
			t.Errorf("intent %v: %d", bad["intent"], r.status)
		}
	}
	// the cast route of assignments is not routed (PS#2985); the item cast is
	cr := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id, "microsoft.graph.webApp", "assignments"), tok, nil, nil)
	if cr.status != 400 || cr.str("error", "code") != "No method match route template" || !strings.Contains(cr.str("error", "message"), "cast/navigation") {
		t.Errorf("cast: %d %s", cr.status, cr.raw)
	}
	if g := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id, "microsoft.graph.webApp"), tok, nil, nil); g.status != 200 {
		t.Errorf("item cast: %d", g.status)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func healthAssign(items ...map[string]any) map[string]any {
	return keyedAssignBody("deviceHealthScriptAssignments", items...)
}

func healthA(target map[string]any, run any, sched any) map[string]any {
	a := map[string]any{"target": target["target"]}
	if run != nil {
		a["runRemediationScript"] = run
	}
	if sched != nil {
		a["runSchedule"] = sched
	}
	return a
}

func daily(time string) map[string]any {
	return map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptDailySchedule", "interval": 1, "time": time, "useUtc": true}
}

func TestRemediationsAssign(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "r", Props: map[string]any{"publisher": "Contoso"}})
	g := doReq(t, s, "GET", famPath(emulator.CollDeviceHealthScripts, id), tok, nil, nil)
	if g.status != 200 || g.str("publisher") != "Contoso" || g.str("runAsAccount") != "system" || g.str("deviceHealthScriptType") != "deviceHealthScript" || g.json["@odata.type"] != nil {
		t.Fatalf("GET: %s", g.raw)
	}
	r := doReq(t, s, "POST", famPath(emulator.CollDeviceHealthScripts, id, "assign"), tok, healthAssign(healthA(group(group1), true, daily("14:30"))), nil)
	if r.status != 204 {
		t.Fatalf("assign: %d %s", r.status, r.raw)
	}
	l := doReq(t, s, "GET", famPath(emulator.CollDeviceHealthScripts, id, "assignments"), tok, nil, nil)
	raws := rawValues(t, l)
	if ks := topKeys(t, raws[0]); strings.Join(ks, ",") != "id,target,runRemediationScript,runSchedule" {
		t.Errorf("order: %v", ks)
	}
	v := l.values(t)[0]
	if v["id"] != id+"_"+group1 || v["runRemediationScript"] != false || dig(v, "runSchedule", "time") != "14:30:00.0000000" || v["source"] != nil {
		t.Errorf("read: %s", l.raw)
	}
	if !strings.Contains(string(raws[0]), `"runSchedule":{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"14:30:00.0000000","useUtc":true}`) {
		t.Errorf("schedule form: %s", raws[0])
	}
	as, _ := s.PolicyAssignments(emulator.CollDeviceHealthScripts, id)
	if len(as) != 1 || as[0].Extra["runRemediationScript"] != true || dig(as[0].Extra, "runSchedule", "time") != "14:30:00.0000000" {
		t.Errorf("PolicyAssignments: %+v", as)
	}
	// POST …/assignments is not routed (DT#504)
	p := doReq(t, s, "POST", famPath(emulator.CollDeviceHealthScripts, id, "assignments"), tok, healthA(group(group2), nil, nil), nil)
	if p.status != 400 || p.str("error", "code") != "No method match route template" ||
		p.str("error", "message") != "No OData route exists that match template ~/singleton/navigation/key/navigation with http verb POST for request /DeviceFE/StatelessDeviceFEService/deviceManagement/deviceHealthScripts('"+id+"')/assignments." {
		t.Errorf("POST: %d %s", p.status, p.raw)
	}
	aid := id + "_" + group1
	if g := doReq(t, s, "GET", famPath(emulator.CollDeviceHealthScripts, id, "assignments", aid), tok, nil, nil); g.status != 200 {
		t.Errorf("item: %d", g.status)
	}
	if d := doReq(t, s, "DELETE", famPath(emulator.CollDeviceHealthScripts, id, "assignments", aid), tok, nil, nil); d.status != 204 {
		t.Errorf("DELETE: %d", d.status)
	}
}
