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

func TestMobileAppSettingsFillIn(t *testing.T) {
	cases := []struct {
		app, want string // want: the settings read back after an assign without settings; "null" for none
	}{
		{"win32LobApp", `{"@odata.type":"#microsoft.graph.win32LobAppAssignmentSettings","autoUpdateSettings":null,"deliveryOptimizationPriority":"notConfigured","installTimeSettings":null,"notifications":"showAll","restartSettings":null}`},
		{"win32CatalogApp", `{"@odata.type":"#microsoft.graph.win32CatalogAppAssignmentSettings","autoUpdateSettings":null,"deliveryOptimizationPriority":"notConfigured","installTimeSettings":null,"notifications":"showAll","restartSettings":null}`},
		{"winGetApp", `{"@odata.type":"#microsoft.graph.winGetAppAssignmentSettings","installTimeSettings":null,"notifications":"showAll","restartSettings":null}`},
		{"iosStoreApp", `{"@odata.type":"#microsoft.graph.iosStoreAppAssignmentSettings","isRemovable":null,"preventManagedAppBackup":null,"uninstallOnDeviceRemoval":null,"vpnConfigurationId":null}`},
		{"managedIOSStoreApp", `{"@odata.type":"#microsoft.graph.iosStoreAppAssignmentSettings","isRemovable":null,"preventManagedAppBackup":null,"uninstallOnDeviceRemoval":null,"vpnConfigurationId":null}`},
		{"androidManagedStoreApp", `{"@odata.type":"#microsoft.graph.androidManagedStoreAppAssignmentSettings","androidManagedStoreAppTrackIds":[],"autoUpdateMode":"default"}`},
		{"windowsUniversalAppX", `{"@odata.type":"#microsoft.graph.windowsUniversalAppXAppAssignmentSettings","useDeviceContext":false}`},
		{"windowsAppX", "null"},
		{"iosVppApp", "null"},
		{"macOSLobApp", "null"},
		{"webApp", "null"},
	}
	for _, noFill := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.NoAppSettingsFillIn = noFill })
		tok := getToken(t, s, rwClient)
		for _, tc := range cases {
			id := addApp(s, tc.app, nil)
			r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA("uninstall", group(group1), nil)), nil)
			if r.status != 204 {
				t.Fatalf("%s: %d %s", tc.app, r.status, r.raw)
			}
			g := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id, "assignments", group1+"_2_0"), tok, nil, nil)
			want := tc.want
			if noFill {
				want = "null"
			}
			if got := canon(t, g.json["settings"]); got != want {
				t.Errorf("NoAppSettingsFillIn=%v %s: %s", noFill, tc.app, got)
			}
			as, _ := s.PolicyAssignments(emulator.CollMobileApps, id)
			if got := canon(t, as[0].Extra["settings"]); got != want {
				t.Errorf("PolicyAssignments %s: %s", tc.app, got)
			}
		}
	}
}

func TestMobileAppSettingsPartial(t *testing.T) {
	for _, noFill := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.NoAppSettingsFillIn = noFill })
		tok := getToken(t, s, rwClient)
		id := addApp(s, "win32LobApp", nil)
		settings := map[string]any{"@odata.type": "microsoft.graph.win32LobAppAssignmentSettings", "notifications": "hideAll",
			"restartSettings": map[string]any{"gracePeriodInMinutes": 1440, "countdownDisplayBeforeRestartInMinutes": 15, "restartNotificationSnoozeDurationInMinutes": 240}}
		r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA("required", group(group1), settings)), nil)
		if r.status != 204 {
			t.Fatalf("assign: %d %s", r.status, r.raw)
		}
		l := doReq(t, s, "GET", famPath(emulator.CollMobileApps, id, "assignments"), tok, nil, nil)
		raw := string(rawValues(t, l)[0])
		want := `"settings":{"@odata.type":"#microsoft.graph.win32LobAppAssignmentSettings","notifications":"hideAll","restartSettings":{"@odata.type":"#microsoft.graph.win32LobAppRestartSettings","gracePeriodInMinutes":1440,"countdownDisplayBeforeRestartInMinutes":15,"restartNotificationSnoozeDurationInMinutes":240},"installTimeSettings":null,"deliveryOptimizationPriority":"notConfigured","autoUpdateSettings":null}`
		if noFill {
			want = `"settings":{"@odata.type":"#microsoft.graph.win32LobAppAssignmentSettings","notifications":"hideAll","restartSettings":{"@odata.type":"#microsoft.graph.win32LobAppRestartSettings","gracePeriodInMinutes":1440,"countdownDisplayBeforeRestartInMinutes":15,"restartNotificationSnoozeDurationInMinutes":240}}`
		}
		if !strings.Contains(raw, want) {
			t.Errorf("NoAppSettingsFillIn=%v: %s", noFill, raw)
		}
	}
	// iOS VPP: booleans missing read back null
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := addApp(s, "iosVppApp", nil)
	r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assignments"), tok,
		appA("required", group(group1), map[string]any{"@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings", "useDeviceLicensing": true}), nil)
	if r.status != 201 || canon(t, r.json["settings"]) != `{"@odata.type":"#microsoft.graph.iosVppAppAssignmentSettings","isRemovable":null,"preventAutoAppUpdate":null,"preventManagedAppBackup":null,"uninstallOnDeviceRemoval":null,"useDeviceLicensing":true,"vpnConfigurationId":null}` {
		t.Errorf("iosVpp: %d %s", r.status, r.raw)
	}
}

func TestMobileAppSettingsValidation(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	win32 := addApp(s, "win32LobApp", nil)
	web := addApp(s, "webApp", nil)
	android := addApp(s, "androidManagedStoreApp", nil)
	cases := []struct {
		name     string
		app      string
		settings any
		status   int
		msg      string // in error.message
	}{
		{"wrong type", win32, map[string]any{"@odata.type": "#microsoft.graph.windowsMobileMSIAppAssignmentSettings"}, 400, `Invalid OData type specified: \"microsoft.graph.windowsMobileMSIAppAssignmentSettings\"`},
		{"no settings type", web, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings"}, 400, "Invalid OData type specified"},
		{"no @odata.type", win32, map[string]any{"notifications": "showAll"}, 400, "type name is required"},
		{"unknown member", win32, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "useDeviceContext": true}, 400, "does not exist"},
		{"bad enum", win32, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "notifications": "loud"}, 400, "loud"},
		{"bad nested type", win32, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "restartSettings": map[string]any{"@odata.type": "#microsoft.graph.x"}}, 400, "Invalid OData type"},
		{"bad nested member", win32, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "installTimeSettings": map[string]any{"startTime": "x"}}, 400, "does not exist"},
		{"bad datetime", win32, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "installTimeSettings": map[string]any{"deadlineDateTime": "tomorrow"}}, 400, "Edm.DateTimeOffset"},
		{"track ids not strings", android, map[string]any{"@odata.type": "#microsoft.graph.androidManagedStoreAppAssignmentSettings", "androidManagedStoreAppTrackIds": []any{1}}, 400, "Collection(Edm.String)"},
		{"nested without type", win32, map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings",
			"installTimeSettings": map[string]any{"useLocalTime": true, "deadlineDateTime": "2030-01-01T00:00:00Z"}, "autoUpdateSettings": map[string]any{"autoUpdateSupersededAppsState": "enabled"}}, 204, ""},
		{"android", android, map[string]any{"@odata.type": "#microsoft.graph.androidManagedStoreAppAssignmentSettings", "androidManagedStoreAppTrackIds": []any{"t1"}, "autoUpdateMode": "priority"}, 204, ""},
	}
	for _, tc := range cases {
		r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, tc.app, "assign"), tok, appAssign(appA("required", group(group1), tc.settings)), nil)
		if r.status != tc.status || (tc.msg != "" && !strings.Contains(string(r.raw), tc.msg)) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	g := doReq(t, s, "GET", famPath(emulator.CollMobileApps, win32, "assignments", group1+"_1_0"), tok, nil, nil)
	if g.str("settings", "installTimeSettings", "@odata.type") != "#microsoft.graph.mobileAppInstallTimeSettings" || g.json["settings"].(map[string]any)["installTimeSettings"].(map[string]any)["startDateTime"] != nil ||
		g.str("settings", "autoUpdateSettings", "@odata.type") != "#microsoft.graph.win32LobAppAutoUpdateSettings" {
		t.Errorf("nested types: %s", g.raw)
	}
}

func TestMobileAppSettingsConstraints(t *testing.T) {
	restart := func(grace, countdown, snooze int) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "notifications": "showAll",
			"restartSettings": map[string]any{"gracePeriodInMinutes": grace, "countdownDisplayBeforeRestartInMinutes": countdown, "restartNotificationSnoozeDurationInMinutes": snooze}}
	}
	deadline := func(typ string) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph." + typ, "notifications": "showAll",
			"installTimeSettings": map[string]any{"useLocalTime": true, "deadlineDateTime": "2030-01-01T00:00:00Z"}}
	}
	cases := []struct {
		name, app, intent string
		settings          any
		refused           bool
	}{
		{"deadline with available", "win32LobApp", "available", deadline("win32LobAppAssignmentSettings"), true},
		{"deadline with required", "win32LobApp", "required", deadline("win32LobAppAssignmentSettings"), false},
		{"catalog deadline with available", "win32CatalogApp", "available", deadline("win32CatalogAppAssignmentSettings"), true},
		{"winget deadline with available", "winGetApp", "available", deadline("winGetAppAssignmentSettings"), true},
		{"countdown above grace", "win32LobApp", "required", restart(10, 15, 1), true},
		{"snooze above half", "win32LobApp", "required", restart(60, 20, 21), true},
		{"snooze at half", "win32LobApp", "required", restart(60, 20, 20), false},
		{"equal, snooze 2", "win32LobApp", "required", restart(30, 30, 2), true},
		{"equal, snooze 1", "win32LobApp", "required", restart(30, 30, 1), false},
		{"winget required without settings", "winGetApp", "required", nil, true},
		{"winget available without notifications", "winGetApp", "available", map[string]any{"@odata.type": "#microsoft.graph.winGetAppAssignmentSettings"}, true},
		{"winget uninstall without settings", "winGetApp", "uninstall", nil, false},
		{"winget required with notifications", "winGetApp", "required", map[string]any{"@odata.type": "#microsoft.graph.winGetAppAssignmentSettings", "notifications": "hideAll"}, false},
		{"uwp device context available", "windowsUniversalAppX", "available", map[string]any{"@odata.type": "#microsoft.graph.windowsUniversalAppXAppAssignmentSettings", "useDeviceContext": true}, true},
		{"uwp device context required", "windowsUniversalAppX", "required", map[string]any{"@odata.type": "#microsoft.graph.windowsUniversalAppXAppAssignmentSettings", "useDeviceContext": true}, false},
	}
	for _, accept := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.AcceptAppSettingsConstraints = accept })
		tok := getToken(t, s, rwClient)
		for _, tc := range cases {
			id := addApp(s, tc.app, nil)
			r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA(tc.intent, group(group1), tc.settings)), nil)
			want := 204
			if tc.refused && !accept {
				want = 400
			}
			if r.status != want {
				t.Errorf("accept=%v %s: %d %s", accept, tc.name, r.status, r.raw)
			}
			if want == 400 && !strings.Contains(r.header.Get("X-Emulator-Reason"), "AcceptAppSettingsConstraints") {
				t.Errorf("%s: reason %q", tc.name, r.header.Get("X-Emulator-Reason"))
			}
			// POST …/assignments applies them too
			c := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assignments"), tok, appA(tc.intent, group(group2), tc.settings), nil)
			if want == 204 {
				want = 201
			}
			if c.status != want {
				t.Errorf("POST accept=%v %s: %d %s", accept, tc.name, c.status, c.raw)
			}
		}
	}
	// PATCH too: required with a deadline, then intent available
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := addApp(s, "win32LobApp", nil)
	if r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA("required", group(group1), deadline("win32LobAppAssignmentSettings"))), nil); r.status != 204 {
		t.Fatalf("assign: %d %s", r.status, r.raw)
	}
	if p := doReq(t, s, "PATCH", famPath(emulator.CollMobileApps, id, "assignments", group1+"_1_0"), tok, map[string]any{"intent": "available"}, nil); p.status != 400 {
		t.Errorf("PATCH: %d %s", p.status, p.raw)
	}
}

func TestMobileAppIntentConflicts(t *testing.T) {
	cases := []struct {
		name    string
		items   []map[string]any
		refused bool
	}{
		{"group included under two intents", []map[string]any{appA("required", group(group1), nil), appA("available", group(group1), nil)}, true},
		{"excluded under one, included under another", []map[string]any{appA("uninstall", group(group1), nil), appA("available", exclusion(group1), nil)}, false},
		{"excluded under two intents", []map[string]any{appA("uninstall", exclusion(group1), nil), appA("available", exclusion(group1), nil)}, false},
		{"two groups, two intents", []map[string]any{appA("required", group(group1), nil), appA("available", group(group2), nil)}, false},
		{"all devices twice", []map[string]any{appA("required", allDevices(), nil), appA("uninstall", allDevices(), nil)}, true},
		{"all users twice", []map[string]any{appA("required", allUsers(), nil), appA("available", allUsers(), nil)}, true},
		{"all devices and all users", []map[string]any{appA("required", allDevices(), nil), appA("available", allUsers(), nil)}, false},
	}
	for _, accept := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.AcceptAppIntentConflicts = accept })
		tok := getToken(t, s, rwClient)
		for _, tc := range cases {
			id := addApp(s, "webApp", nil)
			r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(tc.items...), nil)
			want := 204
			if tc.refused && !accept {
				want = 400
			}
			if r.status != want {
				t.Errorf("accept=%v %s: assign %d %s", accept, tc.name, r.status, r.raw)
			}
			// the same through single creates: the second is refused
			id2 := addApp(s, "webApp", nil)
			doReq(t, s, "POST", famPath(emulator.CollMobileApps, id2, "assignments"), tok, tc.items[0], nil)
			c := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id2, "assignments"), tok, tc.items[1], nil)
			if want = 201; tc.refused && !accept {
				want = 400
			}
			if c.status != want {
				t.Errorf("accept=%v %s: POST %d %s", accept, tc.name, c.status, c.raw)
			}
		}
		// PATCH into a conflict
		id := addApp(s, "webApp", nil)
		doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA("required", group(group1), nil), appA("available", group(group2), nil)), nil)
		p := doReq(t, s, "PATCH", famPath(emulator.CollMobileApps, id, "assignments", group2+"_0_0"), tok, map[string]any{"target": group(group1)["target"]}, nil)
		if want := map[bool]int{false: 400, true: 204}[accept]; p.status != want {
			t.Errorf("accept=%v PATCH: %d %s", accept, p.status, p.raw)
		}
	}
}

func TestMobileAppAvailableWithoutEnrollment(t *testing.T) {
	for _, accept := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.AcceptAvailableWithoutEnrollmentAnywhere = accept })
		tok := getToken(t, s, rwClient)
		for app, ok := range map[string]bool{"iosStoreApp": true, "managedIOSLobApp": true, "iosVppApp": true, "androidManagedStoreApp": true, "androidStoreApp": true,
			"win32LobApp": false, "macOSLobApp": false, "webApp": false, "windowsMicrosoftEdgeApp": false} {
			id := addApp(s, app, nil)
			r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA("availableWithoutEnrollment", group(group1), nil)), nil)
			want := 204
			if !ok && !accept {
				want = 400
			}
			if r.status != want {
				t.Errorf("accept=%v %s: %d %s", accept, app, r.status, r.raw)
			}
			if want == 204 {
				if as, _ := s.PolicyAssignments(emulator.CollMobileApps, id); as[0].ID != group1+"_3_0" {
					t.Errorf("id: %s", as[0].ID)
				}
			}
		}
	}
}

func TestMobileAppUnpublished(t *testing.T) {
	for _, accept := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.AcceptUnpublishedAppAssignments = accept })
		tok := getToken(t, s, rwClient)
		for _, state := range []string{"notPublished", "processing", "published"} {
			id := addApp(s, "webApp", map[string]any{"publishingState": state})
			r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(appA("required", group(group1), nil)), nil)
			want := 204
			if state != "published" && !accept {
				want = 400
			}
			if r.status != want {
				t.Errorf("accept=%v %s: %d %s", accept, state, r.status, r.raw)
			}
			// removing every assignment stays possible
			if r := doReq(t, s, "POST", famPath(emulator.CollMobileApps, id, "assign"), tok, appAssign(), nil); r.status != 204 {
				t.Errorf("empty assign %s: %d", state, r.status)
			}
		}
	}
}

func TestMobileAppTargetsAndFilters(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	s.AddAssignmentFilter(emulator.AssignmentFilter{ID: filter1, DisplayName: "f", Platform: "windows10AndLater"})
	appsFilter := "88888888-8888-8888-8888-888888888888"
	s.AddAssignmentFilter(emulator.AssignmentFilter{ID: appsFilter, DisplayName: "a", Platform: "androidMobileApplicationManagement", ManagementType: "apps"})
	filtered := func(base map[string]any, fid string) map[string]any {
		t := map[string]any{}
		for k, v := range base["target"].(map[string]any) {
			t[k] = v
		}
		t["deviceAndAppManagementAssignmentFilterId"] = fid
		t["deviceAndAppManagementAssignmentFilterType"] = "include"
		return map[string]any{"target": t}
	}
	cm := map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget", "collectionId": "SMS00001"}}
	for _, coll := range []string{emulator.CollMobileApps, emulator.CollDeviceHealthScripts} {
		item := func(target map[string]any) map[string]any {
			if coll == emulator.CollMobileApps {
				return appAssign(appA("required", target, nil))
			}
			return healthAssign(healthA(target, nil, nil))
		}
		id := s.AddPolicy(coll, emulator.Policy{DisplayName: "x", ODataType: map[string]string{emulator.CollMobileApps: "webApp"}[coll]})
		for name, tc := range map[string]struct {
			target map[string]any
			status int
		}{
			"group filtered":       {filtered(group(group1), filter1), 204},
			"all devices filtered": {filtered(allDevices(), filter1), 204},
			"all users filtered":   {filtered(allUsers(), filter1), 204},
			"exclusion":            {exclusion(group1), 204},
			"exclusion filtered":   {filtered(exclusion(group1), filter1), 400},
			"apps filter":          {filtered(group(group1), appsFilter), 400},
			"configMgr":            {cm, 400},
		} {
			if r := doReq(t, s, "POST", famPath(coll, id, "assign"), tok, item(tc.target), nil); r.status != tc.status {
				t.Errorf("%s %s: %d %s", coll, name, r.status, r.raw)
			}
		}
	}
	s2 := startEmu(t, func(c *emulator.Config) { c.AcceptAnyTargetKind = true })
	tok2 := getToken(t, s2, rwClient)
	app := s2.AddPolicy(emulator.CollMobileApps, emulator.Policy{ODataType: "webApp", DisplayName: "x"})
	r := doReq(t, s2, "POST", famPath(emulator.CollMobileApps, app, "assign"), tok2, appAssign(appA("required", cm, nil)), nil)
	if r.status != 204 {
		t.Fatalf("CM: %d %s", r.status, r.raw)
	}
	if as, _ := s2.PolicyAssignments(emulator.CollMobileApps, app); as[0].ID != "SMS00001_1_0" {
		t.Errorf("CM id: %s", as[0].ID)
	}
	hs := s2.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "x"})
	if r := doReq(t, s2, "POST", famPath(emulator.CollDeviceHealthScripts, hs, "assign"), tok2, healthAssign(healthA(cm, nil, nil)), nil); r.status != 204 {
		t.Errorf("health CM: %d %s", r.status, r.raw)
	}
}

func TestMobileAppSeed(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	seed := `{"policies":[{"collection":"/deviceAppManagement/mobileApps","id":"app-1","odataType":"winGetApp","displayName":"Notepad++",
	  "props":{"publisher":"Contoso","publishingState":"notPublished"},
	  "assignments":[{"intent":"required","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group1 + `"},
	    "settings":{"@odata.type":"#microsoft.graph.winGetAppAssignmentSettings","notifications":"hideAll"}}]},
	  {"collection":"/deviceManagement/deviceHealthScripts","id":"hs-1","displayName":"r",
	  "assignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group1 + `"},"runRemediationScript":true,
	    "runSchedule":{"@odata.type":"#microsoft.graph.deviceHealthScriptHourlySchedule","interval":4}}]}]}`
	if err := s.LoadSeed(strings.NewReader(seed)); err != nil {
		t.Fatal(err)
	}
	g := doReq(t, s, "GET", famPath(emulator.CollMobileApps, "app-1")+"?$expand=assignments", tok, nil, nil)
	if g.str("publisher") != "Contoso" || g.str("publishingState") != "notPublished" || g.str("@odata.type") != "#microsoft.graph.winGetApp" {
		t.Errorf("props: %s", g.raw)
	}
	as := g.json["assignments"].([]any)
	if len(as) != 1 || dig(as[0], "id") != group1+"_1_0" || dig(as[0], "settings", "notifications") != "hideAll" {
		t.Errorf("seeded assignments: %s", g.raw)
	}
	h := doReq(t, s, "GET", famPath(emulator.CollDeviceHealthScripts, "hs-1", "assignments"), tok, nil, nil)
	if v := h.values(t); len(v) != 1 || v[0]["runRemediationScript"] != false || dig(v[0], "runSchedule", "interval") != float64(4) {
		t.Errorf("seeded health: %s", h.raw)
	}
	if has, _ := s.PolicyAssignments(emulator.CollDeviceHealthScripts, "hs-1"); has[0].Extra["runRemediationScript"] != true {
		t.Errorf("seeded run: %+v", has)
	}
	// seeding checks the intent and the enum props
	bad := []string{
		`{"policies":[{"collection":"/deviceAppManagement/mobileApps","props":{"publishingState":"gone"}}]}`,
		`{"policies":[{"collection":"/deviceAppManagement/mobileApps","assignments":[{"target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}}]}]}`,
	}
	for _, b := range bad {
		if err := s.LoadSeed(strings.NewReader(b)); err == nil {
			t.Errorf("accepted: %s", b)
		}
	}
	// SetPolicyAssignments carries Intent and Extra
	if err := s.SetPolicyAssignments(emulator.CollMobileApps, "app-1", []emulator.Assignment{{Intent: "uninstall", Target: emulator.Target{ODataType: emulator.TargetAllDevices},
		Extra: map[string]any{"settings": map[string]any{"@odata.type": "#microsoft.graph.winGetAppAssignmentSettings", "notifications": "showAll"}}}}); err != nil {
		t.Fatal(err)
	}
	if as, _ := s.PolicyAssignments(emulator.CollMobileApps, "app-1"); as[0].ID != "adadadad-808e-44e2-905a-0b7873a8a531_2_0" || dig(as[0].Extra, "settings", "notifications") != "showAll" {
		t.Errorf("Set/PolicyAssignments: %+v", as)
	}
}

func TestRemediationRunSchedule(t *testing.T) {
	once := func(date, tm string) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptRunOnceSchedule", "interval": 1, "date": date, "time": tm, "useUtc": false}
	}
	hourly := func(n any) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptHourlySchedule", "interval": n}
	}
	cases := []struct {
		name  string
		sched any
		want  string // canonical JSON of the read-back runSchedule; "" => 400
		sent  string // under TimeOfDayAsSent, when it differs
	}{
		{"daily HH:MM", daily("14:30"), `{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"14:30:00.0000000","useUtc":true}`,
			`{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"14:30","useUtc":true}`},
		{"daily HH:MM:SS", daily("07:05:09"), `{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"07:05:09.0000000","useUtc":true}`,
			`{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"07:05:09","useUtc":true}`},
		{"daily fraction", daily("23:59:59.5"), `{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"23:59:59.5000000","useUtc":true}`,
			`{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"23:59:59.5","useUtc":true}`},
		{"daily canonical", daily("10:00:00.0000000"), `{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"10:00:00.0000000","useUtc":true}`, ""},
		{"once", once("2030-02-28", "08:00"), `{"@odata.type":"#microsoft.graph.deviceHealthScriptRunOnceSchedule","date":"2030-02-28","interval":1,"time":"08:00:00.0000000","useUtc":false}`,
			`{"@odata.type":"#microsoft.graph.deviceHealthScriptRunOnceSchedule","date":"2030-02-28","interval":1,"time":"08:00","useUtc":false}`},
		{"type without #, time and useUtc missing", map[string]any{"@odata.type": "microsoft.graph.deviceHealthScriptDailySchedule", "interval": 2},
			`{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":2,"time":null,"useUtc":false}`, ""},
		{"hourly", hourly(23), `{"@odata.type":"#microsoft.graph.deviceHealthScriptHourlySchedule","interval":23}`, ""},
		{"hourly 24", hourly(24), "", ""},
		{"hourly 0", hourly(0), "", ""},
		{"interval missing", map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptHourlySchedule"}, "", ""},
		{"interval string", hourly("1"), "", ""},
		{"hourly with time", map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptHourlySchedule", "interval": 1, "time": "10:00"}, "", ""},
		{"daily with date", map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptDailySchedule", "interval": 1, "date": "2030-01-01"}, "", ""},
		{"bad time", daily("24:00"), "", ""},
		{"bad time form", daily("9:00"), "", ""},
		{"bad date", once("2030-02-30", "08:00"), "", ""},
		{"bad date form", once("2030-2-3", "08:00"), "", ""},
		{"no type", map[string]any{"interval": 1}, "", ""},
		{"weekly", map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptWeeklySchedule", "interval": 1}, "", ""},
	}
	for _, asSent := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.TimeOfDayAsSent = asSent })
		tok := getToken(t, s, rwClient)
		id := s.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "r"})
		for _, tc := range cases {
			r := doReq(t, s, "POST", famPath(emulator.CollDeviceHealthScripts, id, "assign"), tok, healthAssign(healthA(group(group1), nil, tc.sched)), nil)
			if tc.want == "" {
				if r.status != 400 {
					t.Errorf("%s: %d", tc.name, r.status)
				}
				continue
			}
			if r.status != 204 {
				t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
				continue
			}
			g := doReq(t, s, "GET", famPath(emulator.CollDeviceHealthScripts, id, "assignments", id+"_"+group1), tok, nil, nil)
			want := tc.want
			if asSent && tc.sent != "" {
				want = tc.sent
			}
			if got := canon(t, g.json["runSchedule"]); got != want {
				t.Errorf("TimeOfDayAsSent=%v %s: %s", asSent, tc.name, got)
			}
		}
	}
}

func TestRemediationSwitches(t *testing.T) {
	for _, tc := range []struct {
		readBack, fill bool
	}{{false, false}, {true, false}, {false, true}} {
		s := startEmu(t, func(c *emulator.Config) {
			c.RunRemediationScriptReadBack, c.FillInRunSchedule = tc.readBack, tc.fill
		})
		tok := getToken(t, s, rwClient)
		id := s.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "r"})
		body := healthAssign(healthA(group(group1), true, nil), healthA(group(group2), nil, nil))
		if r := doReq(t, s, "POST", famPath(emulator.CollDeviceHealthScripts, id, "assign"), tok, body, nil); r.status != 204 {
			t.Fatalf("assign: %d %s", r.status, r.raw)
		}
		vals := doReq(t, s, "GET", famPath(emulator.CollDeviceHealthScripts, id, "assignments"), tok, nil, nil).values(t)
		if vals[0]["runRemediationScript"] != tc.readBack || vals[1]["runRemediationScript"] != false {
			t.Errorf("%+v runRemediationScript: %v %v", tc, vals[0]["runRemediationScript"], vals[1]["runRemediationScript"])
		}
		want := "null"
		if tc.fill {
			want = `{"@odata.type":"#microsoft.graph.deviceHealthScriptDailySchedule","interval":1,"time":"00:00:00.0000000","useUtc":false}`
		}
		if got := canon(t, vals[0]["runSchedule"]); got != want {
			t.Errorf("%+v runSchedule: %s", tc, got)
		}
		as, _ := s.PolicyAssignments(emulator.CollDeviceHealthScripts, id)
		if as[0].Extra["runRemediationScript"] != true || as[1].Extra["runRemediationScript"] != false {
			t.Errorf("stored: %+v", as)
		}
		// PATCH keeps what it does not name
		aid := id + "_" + group1
		if p := doReq(t, s, "PATCH", famPath(emulator.CollDeviceHealthScripts, id, "assignments", aid), tok, map[string]any{"runSchedule": daily("01:00")}, nil); p.status != 204 {
			t.Errorf("PATCH: %d %s", p.status, p.raw)
		}
		if as, _ := s.PolicyAssignments(emulator.CollDeviceHealthScripts, id); as[0].Extra["runRemediationScript"] != true || dig(as[0].Extra, "runSchedule", "time") != "01:00:00.0000000" {
			t.Errorf("after PATCH: %+v", as[0])
		}
	}
	// runRemediationScript must be a boolean
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "r"})
	if r := doReq(t, s, "POST", famPath(emulator.CollDeviceHealthScripts, id, "assign"), tok, healthAssign(healthA(group(group1), "yes", nil)), nil); r.status != 400 {
		t.Errorf("string run: %d", r.status)
	}
	if r := doReq(t, s, "POST", famPath(emulator.CollDeviceHealthScripts, id, "assign"), tok, healthAssign(map[string]any{"target": group(group1)["target"], "intent": "apply"}), nil); r.status != 400 {
		t.Errorf("unknown member: %d", r.status)
	}
}
