package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// The families beyond the first five
// (internal/graph/NOTES.md#families-beyond-the-first-five).

// newFamily is one replace-all family of the table.
type newFamily struct {
	coll      string
	key       string // assign body key
	status    int    // assign answer
	source    bool   // assignments answer source/sourceId
	target    map[string]any
	assignSeg string // "" => "assign"
}

var replaceAllFamilies = []newFamily{
	{emulator.CollCompliancePolicies, "assignments", 200, true, group(group1), ""},
	{emulator.CollDeviceManagementScripts, "deviceManagementScriptAssignments", 204, false, group(group1), ""},
	{emulator.CollDeviceShellScripts, "deviceManagementScriptAssignments", 204, false, group(group1), ""},
	{emulator.CollDeviceCustomAttributeShellScripts, "deviceManagementScriptAssignments", 204, false, group(group1), ""},
	{emulator.CollWindowsFeatureUpdateProfiles, "assignments", 204, false, group(group1), ""},
	{emulator.CollWindowsQualityUpdateProfiles, "assignments", 204, false, group(group1), ""},
	{emulator.CollWindowsQualityUpdatePolicies, "assignments", 204, false, group(group1), ""},
	{emulator.CollWindowsDriverUpdateProfiles, "assignments", 204, false, group(group1), ""},
	{emulator.CollDeviceEnrollmentConfigurations, "enrollmentConfigurationAssignments", 204, true, group(group1), ""},
	{emulator.CollIntents, "assignments", 204, false, group(group1), ""},
	{emulator.CollIosManagedAppProtections, "assignments", 204, true, group(group1), ""},
	{emulator.CollAndroidManagedAppProtections, "assignments", 204, true, group(group1), ""},
	{emulator.CollWindowsManagedAppProtections, "assignments", 204, true, group(group1), ""},
	{emulator.CollTargetedManagedAppConfigurations, "assignments", 204, true, group(group1), ""},
	{emulator.CollMobileAppConfigurations, "assignments", 204, false, group(group1), "microsoft.graph.managedDeviceMobileAppConfiguration/assign"},
	{emulator.CollCloudPcProvisioningPolicies, "assignments", 204, false, cloudPcGroup(group1, nil), ""},
	{emulator.CollCloudPcUserSettings, "assignments", 204, false, cloudPcGroup(group1, nil), ""},
}

func cloudPcGroup(id string, extra map[string]any) map[string]any {
	t := map[string]any{"@odata.type": "#microsoft.graph.cloudPcManagementGroupAssignmentTarget", "groupId": id}
	for k, v := range extra {
		t[k] = v
	}
	return map[string]any{"target": t}
}

func famPath(coll, id string, rest ...string) string {
	p := "/beta" + coll + "/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func keyedAssignBody(key string, items ...map[string]any) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{key: list}
}

func TestNewFamiliesAssign(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	for _, f := range replaceAllFamilies {
		t.Run(f.coll, func(t *testing.T) {
			id := s.AddPolicy(f.coll, emulator.Policy{DisplayName: "p"})
			seg := f.assignSeg
			if seg == "" {
				seg = "assign"
			}
			r := doReq(t, s, "POST", famPath(f.coll, id, seg), tok, keyedAssignBody(f.key, f.target), nil)
			if r.status != f.status {
				t.Fatalf("assign: %d %s", r.status, r.raw)
			}
			if f.status == 204 && len(r.raw) != 0 {
				t.Errorf("204 with a body: %s", r.raw)
			}
			if f.status == 200 && len(r.values(t)) != 1 {
				t.Errorf("200 body: %s", r.raw)
			}
			// the wrong body key is an unknown parameter
			other := "assignments"
			if f.key == "assignments" {
				other = "deviceManagementScriptAssignments"
			}
			if r := doReq(t, s, "POST", famPath(f.coll, id, seg), tok, keyedAssignBody(other, f.target), nil); r.status != 400 {
				t.Errorf("wrong key %s: %d %s", other, r.status, r.raw)
			}
			l := doReq(t, s, "GET", famPath(f.coll, id, "assignments"), tok, nil, nil)
			vals := l.values(t)
			if l.status != 200 || len(vals) != 1 || vals[0]["id"] != id+"_"+group1 {
				t.Fatalf("list: %d %s", l.status, l.raw)
			}
			if _, has := vals[0]["source"]; has != f.source {
				t.Errorf("source present %v: %s", has, l.raw)
			}
			as, ok := s.PolicyAssignments(f.coll, id)
			if !ok || len(as) != 1 || as[0].Target.GroupID != group1 {
				t.Errorf("PolicyAssignments: %+v %v", as, ok)
			}
			if g := doReq(t, s, "GET", famPath(f.coll, id, "assignments", id+"_"+group1), tok, nil, nil); g.status != 200 || g.str("target", "groupId") != group1 {
				t.Errorf("item: %d %s", g.status, g.raw)
			}
			e := doReq(t, s, "GET", "/beta"+f.coll+"?$expand=assignments&$select=id", tok, nil, nil)
			if e.status != 200 || len(e.values(t)) != 1 || len(e.values(t)[0]["assignments"].([]any)) != 1 {
				t.Errorf("$expand: %d %s", e.status, e.raw)
			}
			if d := doReq(t, s, "DELETE", famPath(f.coll, id, "assignments", id+"_"+group1), tok, nil, nil); d.status != 204 {
				t.Errorf("DELETE: %d %s", d.status, d.raw)
			}
			if as, _ := s.PolicyAssignments(f.coll, id); len(as) != 0 {
				t.Errorf("after DELETE: %+v", as)
			}
			if !s.DeletePolicy(f.coll, id) {
				t.Error("DeletePolicy")
			}
			if g := doReq(t, s, "GET", famPath(f.coll, id), tok, nil, nil); g.status != 404 {
				t.Errorf("deleted: %d", g.status)
			}
		})
	}
}

func TestNewFamiliesShapes(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.PageSize = 1 })
	tok := getToken(t, s, rwClient)
	cp := s.AddPolicy(emulator.CollCompliancePolicies, emulator.Policy{DisplayName: "linux"})
	r := doReq(t, s, "GET", famPath(emulator.CollCompliancePolicies, cp), tok, nil, nil)
	if r.status != 200 || r.str("name") != "linux" || r.json["displayName"] != nil || r.json["@odata.type"] != nil {
		t.Errorf("compliance v2: %s", r.raw)
	}
	s.AddPolicy(emulator.CollMobileAppConfigurations, emulator.Policy{DisplayName: "a"})
	s.AddPolicy(emulator.CollMobileAppConfigurations, emulator.Policy{DisplayName: "b", ODataType: "#microsoft.graph.androidManagedStoreAppConfiguration"})
	l := doReq(t, s, "GET", "/beta"+emulator.CollMobileAppConfigurations+"?$expand=assignments", tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 1 || l.str("@odata.nextLink") == "" || l.values(t)[0]["@odata.type"] != "#microsoft.graph.iosMobileAppConfiguration" {
		t.Fatalf("page 1: %s", l.raw)
	}
	l2 := doReq(t, s, "GET", l.str("@odata.nextLink"), tok, nil, nil)
	if l2.status != 200 || len(l2.values(t)) != 1 || l2.values(t)[0]["@odata.type"] != "#microsoft.graph.androidManagedStoreAppConfiguration" {
		t.Errorf("page 2: %s", l2.raw)
	}
	// abstract: a create needs a type
	if c := doReq(t, s, "POST", "/beta"+emulator.CollMobileAppConfigurations, tok, map[string]any{"displayName": "x"}, nil); c.status != 400 {
		t.Errorf("untyped create: %d %s", c.status, c.raw)
	}
	if c := doReq(t, s, "POST", "/beta"+emulator.CollDeviceManagementScripts, tok, map[string]any{"displayName": "x", "scriptContent": "ZWNobw==", "runAsAccount": "user"}, nil); c.status != 201 || c.str("runAsAccount") != "user" || c.json["@odata.type"] != nil {
		t.Errorf("script create: %d %s", c.status, c.raw)
	}
	// unknown routes
	if r := doReq(t, s, "GET", "/beta/deviceManagement/virtualEndpoint/nothing", tok, nil, nil); r.status != 400 {
		t.Errorf("unknown virtualEndpoint segment: %d", r.status)
	}
}

func TestNewFamiliesMobileAppConfigCastPath(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddPolicy(emulator.CollMobileAppConfigurations, emulator.Policy{DisplayName: "cfg"})
	r := doReq(t, s, "POST", famPath(emulator.CollMobileAppConfigurations, id, "assign"), tok, assignItems(group(group1)), nil)
	if r.status != 400 || r.str("error", "code") != "No method match route template" || !strings.Contains(r.str("error", "message"), "~/singleton/navigation/key/action") {
		t.Fatalf("plain assign: %d %s", r.status, r.raw)
	}
	if as, _ := s.PolicyAssignments(emulator.CollMobileAppConfigurations, id); len(as) != 0 {
		t.Errorf("plain assign applied: %+v", as)
	}
	if r := doReq(t, s, "POST", famPath(emulator.CollMobileAppConfigurations, id, "microsoft.graph.managedDeviceMobileAppConfiguration", "assign"), tok, assignItems(group(group1)), nil); r.status != 204 {
		t.Errorf("cast assign: %d %s", r.status, r.raw)
	}
}

func TestNewFamiliesAssignmentsPost(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	post := func(coll, id string, body map[string]any) *resp {
		return doReq(t, s, "POST", famPath(coll, id, "assignments"), tok, body, nil)
	}
	// refused [OBS], whatever the switch
	for _, coll := range []string{emulator.CollIosManagedAppProtections, emulator.CollAndroidManagedAppProtections, emulator.CollWindowsManagedAppProtections, emulator.CollMobileAppConfigurations} {
		id := s.AddPolicy(coll, emulator.Policy{DisplayName: "p"})
		if r := post(coll, id, group(group1)); r.status != 400 || r.str("error", "code") != "No method match route template" {
			t.Errorf("%s: %d %s", coll, r.status, r.raw)
		}
	}
	// unverified: routed unless the switch is on
	script := s.AddPolicy(emulator.CollDeviceManagementScripts, emulator.Policy{DisplayName: "p"})
	cloud := s.AddPolicy(emulator.CollCloudPcProvisioningPolicies, emulator.Policy{DisplayName: "p"})
	if r := post(emulator.CollDeviceManagementScripts, script, group(group1)); r.status != 201 || r.str("id") != script+"_"+group1 {
		t.Errorf("script POST: %d %s", r.status, r.raw)
	}
	if r := post(emulator.CollCloudPcProvisioningPolicies, cloud, cloudPcGroup(group1, map[string]any{"servicePlanId": "plan", "allotmentLicensesCount": 3})); r.status != 201 ||
		r.str("id") != cloud+"_"+group1 || dig(r.json, "target", "allotmentLicensesCount") != float64(3) || dig(r.json, "target", "allotmentDisplayName") != nil {
		t.Errorf("cloud POST: %d %s", r.status, r.raw)
	}
	as, _ := s.PolicyAssignments(emulator.CollCloudPcProvisioningPolicies, cloud)
	if len(as) != 1 || as[0].Target.ServicePlanID != "plan" || as[0].Target.AllotmentLicensesCount != 3 {
		t.Errorf("cloud stored: %+v", as)
	}
	s.SetAssignmentsPostUnsupported(true)
	if r := post(emulator.CollDeviceManagementScripts, script, group(group2)); r.status != 400 {
		t.Errorf("script POST, switch on: %d %s", r.status, r.raw)
	}
	// G4 families: the per-assignment POST is the documented way
	for _, c := range []struct {
		coll   string
		target map[string]any
		id     string
	}{
		{emulator.CollWindowsAutopilotDeploymentProfiles, group(group1), "_" + group1 + "_0"},
		{emulator.CollTermsAndConditions, group(group1), "_" + group1},
	} {
		id := s.AddPolicy(c.coll, emulator.Policy{DisplayName: "p"})
		r := post(c.coll, id, c.target)
		if r.status != 201 || r.str("id") != id+c.id {
			t.Fatalf("%s POST: %d %s", c.coll, r.status, r.raw)
		}
		aid := r.str("id")
		if p := doReq(t, s, "PATCH", famPath(c.coll, id, "assignments", aid), tok, group(group2), nil); p.status != 405 {
			t.Errorf("%s PATCH: %d", c.coll, p.status)
		}
		if d := doReq(t, s, "DELETE", famPath(c.coll, id, "assignments", aid), tok, nil, nil); d.status != 204 {
			t.Errorf("%s DELETE: %d", c.coll, d.status)
		}
	}
	s.SetAssignmentsPostUnsupported(false)
	ap := s.AddPolicy(emulator.CollWindowsAutopilotDeploymentProfiles, emulator.Policy{DisplayName: "ap"})
	if r := doReq(t, s, "POST", famPath(emulator.CollWindowsAutopilotDeploymentProfiles, ap, "assign"), tok, assignItems(group(group1)), nil); r.status != 400 {
		t.Errorf("autopilot assign with assignments: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "POST", famPath(emulator.CollWindowsAutopilotDeploymentProfiles, ap, "assign"), tok, map[string]any{"deviceIds": []any{"d1"}}, nil); r.status != 204 {
		t.Errorf("autopilot assign deviceIds: %d %s", r.status, r.raw)
	}
	tc := s.AddPolicy(emulator.CollTermsAndConditions, emulator.Policy{DisplayName: "tc"})
	if r := doReq(t, s, "POST", famPath(emulator.CollTermsAndConditions, tc, "assign"), tok, assignItems(group(group1)), nil); r.status != 400 || !strings.Contains(r.str("error", "message"), "segment 'assign'") {
		t.Errorf("terms assign: %d %s", r.status, r.raw)
	}
}

func TestNewFamiliesTargetRules(t *testing.T) {
	allDevices := map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}
	allUsers := map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
	filtered := func(fid string) map[string]any {
		return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group1,
			"deviceAndAppManagementAssignmentFilterId": fid, "deviceAndAppManagementAssignmentFilterType": "include"}}
	}
	const appFilter = "aaaaaaaa-9999-4999-8999-999999999999"
	type step struct {
		coll, key string
		item      map[string]any
		strict    int // status with every switch off
		lenient   int // status with the switches on
	}
	steps := []step{
		{emulator.CollWindowsFeatureUpdateProfiles, "assignments", allDevices, 400, 204},
		{emulator.CollTargetedManagedAppConfigurations, "assignments", allUsers, 400, 204},
		{emulator.CollIosManagedAppProtections, "assignments", allUsers, 400, 400}, // [OBS]
		{emulator.CollCloudPcProvisioningPolicies, "assignments", cloudPcGroup(group1, map[string]any{"allotmentDisplayName": "a"}), 204, 204},
		{emulator.CollCloudPcUserSettings, "assignments", cloudPcGroup(group1, map[string]any{"servicePlanId": "p"}), 400, 204},
		{emulator.CollCloudPcProvisioningPolicies, "assignments", map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.cloudPcManagementExclusionGroupAssignmentTarget", "groupId": group1}}, 400, 204},
		{emulator.CollCloudPcProvisioningPolicies, "assignments", group(group1), 400, 400}, // not a Cloud PC target
		{emulator.CollDeviceManagementScripts, "deviceManagementScriptAssignments", filtered(filter1), 400, 204},
		{emulator.CollIosManagedAppProtections, "assignments", filtered(filter1), 400, 204},   // devices filter on MAM
		{emulator.CollIosManagedAppProtections, "assignments", filtered(appFilter), 204, 204}, // apps filter
		{emulator.CollDeviceEnrollmentConfigurations, "enrollmentConfigurationAssignments", filtered(appFilter), 400, 204},
		{emulator.CollDeviceEnrollmentConfigurations, "enrollmentConfigurationAssignments", filtered("bbbbbbbb-9999-4999-8999-999999999999"), 204, 204}, // unknown filter: not checked
	}
	for _, lenient := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) {
			c.AcceptAnyTargetKind, c.AcceptUnsupportedFilters, c.IgnoreFilterManagementType = lenient, lenient, lenient
		})
		tok := getToken(t, s, rwClient)
		s.AddAssignmentFilter(emulator.AssignmentFilter{ID: filter1, DisplayName: "dev", Platform: "windows10AndLater", Rule: "x"})
		s.AddAssignmentFilter(emulator.AssignmentFilter{ID: appFilter, DisplayName: "app", Platform: "iOSMobileApplicationManagement", Rule: "x", ManagementType: "apps"})
		for i, st := range steps {
			id := s.AddPolicy(st.coll, emulator.Policy{DisplayName: "p"})
			want := st.strict
			if lenient {
				want = st.lenient
			}
			r := doReq(t, s, "POST", famPath(st.coll, id, "assign"), tok, keyedAssignBody(st.key, st.item), nil)
			if r.status != want {
				t.Errorf("switches %v, step %d (%s): %d %s", lenient, i, st.coll, r.status, r.raw)
			}
			if i == 2 && !strings.Contains(r.str("error", "message"), "Unsupported AssignmentTarget") {
				t.Errorf("MAM message: %s", r.raw)
			}
		}
	}
}

func TestNewFamiliesPolicySets(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	script := s.AddPolicy(emulator.CollDeviceManagementScripts, emulator.Policy{DisplayName: "script"})
	setID := s.AddPolicySet(emulator.PolicySet{DisplayName: "set", Items: []emulator.PolicySetItem{
		{PayloadID: script, ODataType: "#microsoft.graph.deviceManagementScriptPolicySetItem", DisplayName: "script"},
	}})
	s.AddPolicySet(emulator.PolicySet{DisplayName: "other"})
	l := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets?$expand=items&$top=1", tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 1 || l.str("@odata.nextLink") == "" {
		t.Fatalf("list: %d %s", l.status, l.raw)
	}
	items := l.values(t)[0]["items"].([]any)
	it := items[0].(map[string]any)
	if len(items) != 1 || it["payloadId"] != script || it["@odata.type"] != "#microsoft.graph.deviceManagementScriptPolicySetItem" || it["itemType"] != "#microsoft.graph.deviceManagementScript" {
		t.Errorf("items: %s", l.raw)
	}
	if n := doReq(t, s, "GET", l.str("@odata.nextLink"), tok, nil, nil); n.status != 200 || len(n.values(t)) != 1 || n.values(t)[0]["displayName"] != "other" {
		t.Errorf("page 2: %s", n.raw)
	}
	if sel := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets?$select=displayName", tok, nil, nil); sel.status != 200 || sel.values(t)[0]["status"] != nil || sel.values(t)[0]["displayName"] != "set" {
		t.Errorf("$select: %s", sel.raw)
	}
	if g := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets/"+setID, tok, nil, nil); g.status != 200 || g.str("status") != "success" || g.json["roleScopeTags"] == nil {
		t.Errorf("item: %s", g.raw)
	}
	if g := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets/"+setID+"/items", tok, nil, nil); g.status != 200 || len(g.values(t)) != 1 {
		t.Errorf("items: %s", g.raw)
	}
	if !s.DeletePolicySet(setID) || doReq(t, s, "GET", "/beta/deviceAppManagement/policySets/"+setID, tok, nil, nil).status != 404 {
		t.Error("DeletePolicySet")
	}
}

func TestNewFamiliesPolicySetAssignmentsG8(t *testing.T) {
	for _, keep := range []bool{false, true} {
		s := startEmu(t, func(c *emulator.Config) { c.AssignKeepsPolicySetAssignments = keep })
		tok := getToken(t, s, rwClient)
		for _, f := range []newFamily{replaceAllFamilies[1], replaceAllFamilies[14]} { // scripts, mobileAppConfigurations
			id := s.AddPolicy(f.coll, emulator.Policy{DisplayName: "p"})
			setID := "55555555-5555-4555-8555-555555555555"
			if err := s.SetPolicyAssignments(f.coll, id, []emulator.Assignment{{Source: "policySets", SourceID: setID, Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: group2}}}); err != nil {
				t.Fatal(err)
			}
			l := doReq(t, s, "GET", famPath(f.coll, id, "assignments"), tok, nil, nil)
			if v := l.values(t); len(v) != 1 || v[0]["source"] != nil || v[0]["sourceId"] != nil {
				t.Errorf("%s: answered %s", f.coll, l.raw)
			}
			seg := f.assignSeg
			if seg == "" {
				seg = "assign"
			}
			if r := doReq(t, s, "POST", famPath(f.coll, id, seg), tok, keyedAssignBody(f.key, group(group1)), nil); r.status != 204 {
				t.Fatalf("assign: %d %s", r.status, r.raw)
			}
			as, _ := s.PolicyAssignments(f.coll, id)
			want := 1
			if keep {
				want = 2
			}
			if len(as) != want {
				t.Errorf("%s keep=%v: %+v", f.coll, keep, as)
			}
			if keep && (as[0].Source != "policySets" || as[0].SourceID != setID) {
				t.Errorf("kept: %+v", as[0])
			}
		}
	}
}

func TestNewFamiliesLagAndBatch(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	clk := useFakeClock(s)
	id := s.AddPolicy(emulator.CollIntents, emulator.Policy{DisplayName: "intent"})
	s.SetReadLag(time.Minute)
	body := map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/deviceManagement/intents/" + id + "/assign",
			"headers": map[string]any{"Content-Type": "application/json"}, "body": assignItems(group(group1))},
	}}
	r := doReq(t, s, "POST", "/beta/$batch", tok, body, nil)
	if r.status != 200 || dig(r.json["responses"].([]any)[0], "status") != float64(204) {
		t.Fatalf("batch: %s", r.raw)
	}
	if l := doReq(t, s, "GET", famPath(emulator.CollIntents, id, "assignments"), tok, nil, nil); len(l.values(t)) != 0 {
		t.Errorf("lagged read: %s", l.raw)
	}
	if g := doReq(t, s, "GET", famPath(emulator.CollIntents, id), tok, nil, nil); g.json["isAssigned"] != false {
		t.Errorf("isAssigned under lag: %s", g.raw)
	}
	clk.Advance(2 * time.Minute)
	if l := doReq(t, s, "GET", famPath(emulator.CollIntents, id, "assignments"), tok, nil, nil); len(l.values(t)) != 1 {
		t.Errorf("after lag: %s", l.raw)
	}
	s.FailNext(1, emulator.PathContains("POST", "/intents/"), http.StatusServiceUnavailable, 1)
	if r := doReq(t, s, "POST", famPath(emulator.CollIntents, id, "assign"), tok, assignItems(), nil); r.status != 503 {
		t.Errorf("fault: %d", r.status)
	}
	s.SetReadLag(0)
}

func TestGenericAPIFirstFive(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	for _, coll := range []string{emulator.CollDeviceConfigurations, emulator.CollClientConfigurations, emulator.CollDeviceCompliancePolicies, emulator.CollConfigurationPolicies, emulator.CollGroupPolicyConfigurations} {
		id := s.AddPolicy(coll, emulator.Policy{DisplayName: "p"})
		target := emulator.Target{ODataType: emulator.TargetGroup, GroupID: group1}
		if coll == emulator.CollClientConfigurations {
			target.ODataType = emulator.TargetOfficeGroup
		}
		if err := s.SetPolicyAssignments(coll, id, []emulator.Assignment{{Target: target}}); err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		if as, ok := s.PolicyAssignments(coll, id); !ok || len(as) != 1 || as[0].ID != id+"_"+group1 {
			t.Errorf("%s: %+v %v", coll, as, ok)
		}
		if l := doReq(t, s, "GET", famPath(coll, id, "assignments"), tok, nil, nil); l.status != 200 || len(l.values(t)) != 1 {
			t.Errorf("%s list: %s", coll, l.raw)
		}
		if !s.DeletePolicy(coll, id) || s.DeletePolicy(coll, id) {
			t.Errorf("%s DeletePolicy", coll)
		}
	}
	if _, ok := s.PolicyAssignments("/deviceManagement/nothing", "x"); ok {
		t.Error("unknown collection")
	}
	if err := s.SetPolicyAssignments(emulator.CollIntents, "missing", nil); err == nil {
		t.Error("unknown policy")
	}
	set := s.AddPolicySet(emulator.PolicySet{DisplayName: "s"})
	if r := doReq(t, s, "POST", "/beta/deviceAppManagement/policySets", tok, map[string]any{"displayName": "x"}, nil); r.status != 405 {
		t.Errorf("policySets POST: %d", r.status)
	}
	if r := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets/"+set+"/assignments", tok, nil, nil); r.status != 501 {
		t.Errorf("policySets assignments: %d", r.status)
	}
}

func TestNewFamiliesPostSwitchDefaults(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.AssignmentsPostUnsupported = true })
	tok := getToken(t, s, rwClient)
	for coll, want := range map[string]int{
		emulator.CollCompliancePolicies:             201, // as configurationPolicies
		emulator.CollIntents:                        400,
		emulator.CollWindowsDriverUpdateProfiles:    400,
		emulator.CollDeviceEnrollmentConfigurations: 400,
		emulator.CollTermsAndConditions:             201,
	} {
		id := s.AddPolicy(coll, emulator.Policy{DisplayName: "p"})
		if r := doReq(t, s, "POST", famPath(coll, id, "assignments"), tok, group(group1), nil); r.status != want {
			t.Errorf("%s: %d %s", coll, r.status, r.raw)
		}
	}
	s.SetAssignmentsPostUnsupported(true, "deviceManagement/deviceConfigurations")
	id := s.AddPolicy(emulator.CollIntents, emulator.Policy{DisplayName: "p"})
	if r := doReq(t, s, "POST", famPath(emulator.CollIntents, id, "assignments"), tok, group(group1), nil); r.status != 201 {
		t.Errorf("explicit list: %d %s", r.status, r.raw)
	}
}
