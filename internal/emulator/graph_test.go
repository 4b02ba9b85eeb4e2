package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func TestGraph401(t *testing.T) {
	s := startEmu(t, nil)
	cases := []struct {
		name, auth, msg string
	}{
		{"missing", "", "Access token is empty."},
		{"garbage", "Bearer garbage", "IDX14100: JWT is not well formed"},
		{"bad signature", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln", "Access token validation failure"},
	}
	expired, err := s.IssueToken(emulator.TokenOptions{ClientID: rwClient, Roles: []string{emulator.PermReadWriteAll}, IssuedAt: time.Now().Add(-2 * time.Hour), Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct{ name, auth, msg string }{"expired", "Bearer " + expired, "Lifetime validation failed, the token is expired."})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations", "", nil, map[string]string{"Authorization": tc.auth})
			if r.status != 401 || r.str("error", "code") != "InvalidAuthenticationToken" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
			if !strings.HasPrefix(r.str("error", "message"), tc.msg) {
				t.Errorf("message %q, want prefix %q", r.str("error", "message"), tc.msg)
			}
			wa := r.header.Get("WWW-Authenticate")
			if !strings.HasPrefix(wa, "Bearer ") || strings.Contains(wa, "claims=") {
				t.Errorf("WWW-Authenticate %q", wa)
			}
			if r.str("error", "innerError", "request-id") == "" {
				t.Errorf("no innerError.request-id: %s", r.raw)
			}
		})
	}
}

func TestGraph403WithoutReadWrite(t *testing.T) {
	s := startEmu(t, nil)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	ro := getToken(t, s, roClient)
	if r := doReq(t, s, "GET", devPath(id, "assignments"), ro, nil, nil); r.status != 200 {
		t.Fatalf("read with Read.All: %d %s", r.status, r.raw)
	}
	r := doReq(t, s, "POST", devPath(id, "assign"), ro, map[string]any{"assignments": []any{group(group1)}}, nil)
	if r.status != 403 || r.str("error", "code") != "Forbidden" {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
	if m := nestedMessage(t, r); !strings.Contains(m, "Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All") {
		t.Errorf("nested message %q", m)
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 0 {
		t.Errorf("403 request changed state: %v", as)
	}
}

func TestResponseHeadersAndErrorEnvelope(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations", tok, nil, map[string]string{"client-request-id": "abc-123"})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8" {
		t.Errorf("content-type %q", ct)
	}
	if r.header.Get("client-request-id") != "abc-123" || r.header.Get("request-id") == "" || r.header.Get("OData-Version") != "4.0" || r.header.Get("Date") == "" {
		t.Errorf("headers %v", r.header)
	}
	if r.str("@odata.context") != s.URL()+"/beta/$metadata#deviceManagement/deviceConfigurations" {
		t.Errorf("context %q", r.str("@odata.context"))
	}
	missing := "3c7a1f7e-0000-4000-8000-000000000000"
	for _, p := range []string{devPath(missing), devPath(missing, "assignments"), devPath(missing, "assignments", "x_y")} {
		r := doReq(t, s, "GET", p, tok, nil, map[string]string{"client-request-id": "cid-1"})
		if r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
			t.Fatalf("GET %s: %d %s", p, r.status, r.raw)
		}
		nestedMessage(t, r)
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`).MatchString(r.str("error", "innerError", "date")) {
			t.Errorf("innerError.date %q", r.str("error", "innerError", "date"))
		}
		if r.str("error", "innerError", "request-id") != r.header.Get("request-id") || r.str("error", "innerError", "client-request-id") != "cid-1" {
			t.Errorf("innerError ids: %s", r.raw)
		}
	}
	r = doReq(t, s, "POST", devPath(missing, "assign"), tok, map[string]any{"assignments": []any{}}, nil)
	if r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
		t.Errorf("assign on unknown policy: %d %s", r.status, r.raw)
	}
	r = doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurationz", tok, nil, nil)
	if r.status != 400 || r.str("error", "message") != "Resource not found for the segment 'deviceConfigurationz'." {
		t.Errorf("bad segment: %d %s", r.status, r.raw)
	}
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "x"})
	r = doReq(t, s, "GET", devPath(id, "assign"), tok, nil, nil)
	if r.status != 405 || r.str("error", "code") != "No method match route template" {
		t.Errorf("wrong verb: %d %s", r.status, r.raw)
	}
	r = doReq(t, s, "POST", devPath(id, "assign"), tok, `{"assignments": [`, nil)
	if r.status != 400 || !strings.HasPrefix(r.str("error", "message"), "Unable to read JSON request payload") {
		t.Errorf("malformed JSON: %d %s", r.status, r.raw)
	}
}

func TestDeviceCRUD(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", "/beta/deviceManagement/deviceConfigurations", tok, map[string]any{
		"@odata.type": "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration",
		"displayName": "ATP", "allowSampleSharing": true,
	}, nil)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if r.str("@odata.type") != "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration" || r.json["version"] != float64(1) || r.json["allowSampleSharing"] != true {
		t.Errorf("create body %s", r.raw)
	}
	bad := doReq(t, s, "POST", "/beta/deviceManagement/deviceConfigurations", tok, map[string]any{
		"@odata.type": "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration", "displayName": "x", "bogus": 1,
	}, nil)
	if bad.status != 400 {
		t.Errorf("unknown property accepted: %d %s", bad.status, bad.raw)
	}
	if r := doReq(t, s, "PATCH", devPath(id), tok, map[string]any{"@odata.type": "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration", "description": "d"}, nil); r.status != 204 || len(r.raw) != 0 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	g := doReq(t, s, "GET", devPath(id), tok, nil, nil)
	if g.status != 200 || g.str("description") != "d" || g.json["version"] != float64(2) || g.str("displayName") != "ATP" {
		t.Errorf("get after patch: %s", g.raw)
	}
	if !strings.HasSuffix(g.str("@odata.context"), "$metadata#deviceManagement/deviceConfigurations/$entity") {
		t.Errorf("item context %q", g.str("@odata.context"))
	}
	if r := doReq(t, s, "DELETE", devPath(id), tok, nil, nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := doReq(t, s, "GET", devPath(id), tok, nil, nil); r.status != 404 {
		t.Fatalf("get after delete: %d", r.status)
	}
}

func TestAssignReplaceAllKeepsPolicySets(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	psID := "eeeeeeee-0000-4000-8000-00000000000e"
	err := s.SetDeviceConfigurationAssignments(id, []emulator.Assignment{
		{ID: id + "_ps1", Source: "policySets", SourceID: psID, Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: "33333333-3333-3333-3333-333333333333"}},
		{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: "44444444-4444-4444-4444-444444444444"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"assignments": []any{
		map[string]any{"target": map[string]any{"@odata.type": "microsoft.graph.groupAssignmentTarget", "groupId": group1,
			"deviceAndAppManagementAssignmentFilterId": filter1, "deviceAndAppManagementAssignmentFilterType": "include"}},
		map[string]any{"id": "client-chosen", "source": "policySets", "target": map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": group2}},
		map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}},
		map[string]any{"intent": "apply", "target": map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}},
	}}
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, body, nil)
	if r.status != 200 {
		t.Fatalf("assign: %d %s", r.status, r.raw)
	}
	if !strings.HasSuffix(r.str("@odata.context"), "$metadata#Collection(microsoft.graph.deviceConfigurationAssignment)") {
		t.Errorf("context %q", r.str("@odata.context"))
	}
	vals := r.values(t)
	wantIDs := []string{id + "_" + group1, id + "_" + group2, id + "_acacacac-9df4-4c7d-9d50-4ef0226f57a9", id + "_adadadad-808e-44e2-905a-0b7873a8a531"}
	if len(vals) != 4 {
		t.Fatalf("value: %s", r.raw)
	}
	for i, v := range vals {
		if v["id"] != wantIDs[i] || v["source"] != "direct" || v["sourceId"] != id || v["intent"] != "apply" {
			t.Errorf("value[%d] = %v", i, v)
		}
		if _, has := v["@odata.type"]; has {
			t.Errorf("assignment carries @odata.type by default: %v", v)
		}
	}
	t0 := vals[0]["target"].(map[string]any)
	if t0["@odata.type"] != "#microsoft.graph.groupAssignmentTarget" || t0["deviceAndAppManagementAssignmentFilterId"] != filter1 || t0["deviceAndAppManagementAssignmentFilterType"] != "include" {
		t.Errorf("target 0: %v", t0)
	}
	t1 := vals[1]["target"].(map[string]any)
	if fid, has := t1["deviceAndAppManagementAssignmentFilterId"]; !has || fid != nil || t1["deviceAndAppManagementAssignmentFilterType"] != "none" {
		t.Errorf("unfiltered target must have null id and none type: %v", t1)
	}

	l := doReq(t, s, "GET", devPath(id, "assignments"), tok, nil, nil)
	got := l.values(t)
	if len(got) != 5 || got[0]["source"] != "policySets" || got[0]["sourceId"] != psID {
		t.Fatalf("list after assign: %s", l.raw)
	}
	for _, v := range got {
		if strings.HasSuffix(v["id"].(string), "44444444-4444-4444-4444-444444444444") {
			t.Errorf("old direct assignment survived: %v", v)
		}
	}

	// Empty list clears direct assignments only; {} behaves the same.
	for _, b := range []string{`{"assignments":[]}`, `{}`} {
		r = doReq(t, s, "POST", devPath(id, "assign"), tok, b, nil)
		if r.status != 200 || len(r.values(t)) != 0 {
			t.Fatalf("assign %s: %d %s", b, r.status, r.raw)
		}
		as, _ := s.DeviceConfigurationAssignments(id)
		if len(as) != 1 || as[0].Source != "policySets" {
			t.Fatalf("after clearing: %+v", as)
		}
	}
}

func TestStrictValidation(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	tgt := func(m map[string]any) map[string]any { return map[string]any{"target": m} }
	cases := map[string][]any{
		"group without groupId":       {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget"})},
		"exclusion with filter":       {tgt(map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterId": filter1, "deviceAndAppManagementAssignmentFilterType": "exclude"})},
		"filter type without id":      {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterType": "include"})},
		"filter id with none":         {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterId": filter1, "deviceAndAppManagementAssignmentFilterType": "none"})},
		"filter id without type":      {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterId": filter1})},
		"unknown filter type":         {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterId": filter1, "deviceAndAppManagementAssignmentFilterType": "sometimes"})},
		"unknown target type":         {tgt(map[string]any{"@odata.type": "#microsoft.graph.organizationalUnitAssignmentTarget"})},
		"abstract base target":        {tgt(map[string]any{"@odata.type": "microsoft.graph.deviceAndAppManagementAssignmentTarget"})},
		"no target type":              {tgt(map[string]any{"groupId": group1})},
		"missing target":              {map[string]any{"intent": "apply"}},
		"malformed groupId":           {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "not-a-guid"})},
		"malformed filterId":          {tgt(map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterId": "nope", "deviceAndAppManagementAssignmentFilterType": "include"})},
		"groupId on allDevices":       {tgt(map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget", "groupId": group1})},
		"unknown intent":              {map[string]any{"intent": "sometimes", "target": map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}},
		"duplicate target":            {group(group1), group(group1)},
		"included and excluded group": {group(group1), tgt(map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": group1})},
		"duplicate all devices":       {tgt(map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}), tgt(map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"})},
	}
	for name, list := range cases {
		t.Run(name, func(t *testing.T) {
			r := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": list}, nil)
			if r.status != 400 || r.str("error", "code") != "BadRequest" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
			if r.header.Get("X-Emulator-Reason") == "" {
				t.Errorf("no X-Emulator-Reason")
			}
		})
	}
	t.Run("unknown action parameter", func(t *testing.T) {
		r := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignmentz": []any{}}, nil)
		if r.status != 400 {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
	})
	t.Run("missing content type", func(t *testing.T) {
		r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{"assignments":[]}`, map[string]string{"Content-Type": ""})
		if r.status != 400 {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
	})
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 0 {
		t.Errorf("rejected requests changed state: %+v", as)
	}
}

func TestLenientValidationNormalises(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.LenientValidation = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{
		map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": group1, "deviceAndAppManagementAssignmentFilterId": filter1, "deviceAndAppManagementAssignmentFilterType": "include"}},
		group(group2), group(group2),
	}}, nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	v := r.values(t)
	if len(v) != 2 || v[0]["target"].(map[string]any)["deviceAndAppManagementAssignmentFilterType"] != "none" {
		t.Errorf("lenient normalisation: %s", r.raw)
	}
}

func TestPagingFollowsAbsoluteNextLink(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.PageSize = 2 })
	tok := getToken(t, s, rwClient)
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		want[s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: fmt.Sprintf("p%d", i)})] = true
	}
	next := s.URL() + "/beta/deviceManagement/deviceConfigurations?$count=true&$select=id,displayName"
	got := map[string]bool{}
	pages := 0
	for next != "" {
		r := doReq(t, s, "GET", next, tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", pages, r.status, r.raw)
		}
		if pages == 0 && r.json["@odata.count"] != float64(5) {
			t.Errorf("first page @odata.count = %v", r.json["@odata.count"])
		}
		if pages > 0 {
			if _, has := r.json["@odata.count"]; has {
				t.Errorf("@odata.count on page %d", pages)
			}
		}
		for _, v := range r.values(t) {
			got[v["id"].(string)] = true
			if _, has := v["version"]; has {
				t.Errorf("$select not applied: %v", v)
			}
		}
		pages++
		next = r.str("@odata.nextLink")
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || u.Scheme != "https" || "https://"+u.Host != s.URL() || !strings.Contains(u.RawQuery, "$skiptoken=") || !strings.Contains(u.RawQuery, "$select=id,displayName") {
				t.Fatalf("nextLink %q", next)
			}
		}
		if pages > 10 {
			t.Fatal("paging does not terminate")
		}
	}
	if pages != 3 || len(got) != 5 {
		t.Errorf("pages=%d got=%d", pages, len(got))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("missing %s", id)
		}
	}
	// $top overrides the page size.
	r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$top=4", tok, nil, nil)
	if len(r.values(t)) != 4 || r.str("@odata.nextLink") == "" {
		t.Errorf("$top=4: %s", r.raw)
	}
	// assignments page too
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "a"})
	var as []any
	for i := 0; i < 3; i++ {
		as = append(as, group(fmt.Sprintf("%08d-1111-1111-1111-111111111111", i)))
	}
	doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": as}, nil)
	a1 := doReq(t, s, "GET", devPath(id, "assignments"), tok, nil, nil)
	if len(a1.values(t)) != 2 || a1.str("@odata.nextLink") == "" {
		t.Fatalf("assignments page 1: %s", a1.raw)
	}
	a2 := doReq(t, s, "GET", a1.str("@odata.nextLink"), tok, nil, nil)
	if len(a2.values(t)) != 1 || a2.str("@odata.nextLink") != "" {
		t.Fatalf("assignments page 2: %s", a2.raw)
	}
}

func TestSelectAndExpand(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p", Description: "d"})
	doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{group(group1)}}, nil)

	r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$select=displayName&$expand=assignments", tok, nil, nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	v := r.values(t)[0]
	keys := map[string]bool{}
	for k := range v {
		keys[k] = true
	}
	for _, k := range []string{"@odata.type", "id", "displayName", "assignments", "assignments@odata.context"} {
		if !keys[k] {
			t.Errorf("missing %s in %v", k, v)
		}
	}
	if keys["description"] || keys["version"] {
		t.Errorf("$select leaked: %v", v)
	}
	as := v["assignments"].([]any)
	if len(as) != 1 || as[0].(map[string]any)["id"] != id+"_"+group1 {
		t.Errorf("expanded assignments %v", as)
	}
	if !strings.HasSuffix(r.str("@odata.context"), "deviceConfigurations(displayName,assignments())") {
		t.Errorf("context %q", r.str("@odata.context"))
	}
	g := doReq(t, s, "GET", devPath(id)+"?$expand=assignments", tok, nil, nil)
	if g.status != 200 || len(g.json["assignments"].([]any)) != 1 {
		t.Errorf("item $expand: %s", g.raw)
	}
	bad := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$select=nope", tok, nil, nil)
	if bad.status != 400 {
		t.Errorf("bad $select: %d", bad.status)
	}
	bad = doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$expand=nope", tok, nil, nil)
	if bad.status != 400 {
		t.Errorf("bad $expand: %d", bad.status)
	}
	f := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$filter="+url.QueryEscape("displayName eq 'p'"), tok, nil, nil)
	if len(f.values(t)) != 1 {
		t.Errorf("filter: %s", f.raw)
	}
	f = doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$filter="+url.QueryEscape("displayName eq 'zzz'"), tok, nil, nil)
	if len(f.values(t)) != 0 {
		t.Errorf("filter: %s", f.raw)
	}
}

func TestGzipBody(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	plain, _ := json.Marshal(map[string]any{"assignments": []any{group(group1)}})
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, gz(t, plain), map[string]string{"Content-Encoding": "gzip"})
	if r.status != 200 || len(r.values(t)) != 1 {
		t.Fatalf("gzip assign: %d %s", r.status, r.raw)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if string(last.Body) != string(plain) {
		t.Errorf("logged body %q, want gunzipped %q", last.Body, plain)
	}
	r = doReq(t, s, "POST", devPath(id, "assign"), tok, plain, map[string]string{"Content-Encoding": "br"})
	if r.status != 415 {
		t.Errorf("unsupported encoding: %d", r.status)
	}
}

func TestAddressingVariants(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	body := map[string]any{"assignments": []any{group(group1)}}
	for _, p := range []string{
		"/beta/deviceManagement/deviceConfigurations('" + id + "')/assign",
		"/beta/deviceManagement/deviceConfigurations/" + id + "/microsoft.graph.assign",
		"/beta/devicemanagement/DEVICECONFIGURATIONS/" + strings.ToUpper(id) + "/Assign",
		"/beta/deviceManagement/deviceConfigurations/" + id + "/microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration/assign",
	} {
		r := doReq(t, s, "POST", p, tok, body, nil)
		if r.status != 200 || len(r.values(t)) != 1 || r.values(t)[0]["id"] != id+"_"+group1 {
			t.Errorf("POST %s: %d %s", p, r.status, r.raw)
		}
	}
	for _, p := range []string{
		"/beta/deviceManagement/deviceConfigurations('" + id + "')",
		"/beta/deviceManagement/deviceConfigurations/" + id + "/microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration",
		"/beta/deviceManagement/deviceConfigurations('" + id + "')/assignments('" + id + "_" + group1 + "')",
	} {
		if r := doReq(t, s, "GET", p, tok, nil, nil); r.status != 200 {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	if r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations/"+id+"/microsoft.graph.windows10CustomConfiguration", tok, nil, nil); r.status != 404 {
		t.Errorf("mismatched cast: %d", r.status)
	}
}

func TestAssignmentsCollectionCreateAndDelete(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	r := doReq(t, s, "POST", devPath(id, "assignments"), tok, group(group1), nil)
	if r.status != 201 || r.str("id") != id+"_"+group1 || r.str("source") != "direct" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	r = doReq(t, s, "POST", devPath(id, "assignments"), tok, group(group1), nil)
	if r.status != 201 {
		t.Fatalf("upsert: %d %s", r.status, r.raw)
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 1 {
		t.Fatalf("upsert duplicated: %+v", as)
	}
	if r := doReq(t, s, "DELETE", devPath(id, "assignments", id+"_"+group1), tok, nil, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "GET", devPath(id, "assignments", id+"_"+group1), tok, nil, nil); r.status != 404 {
		t.Fatalf("get deleted: %d", r.status)
	}
}

func TestOfficeAssignAndList(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", "/beta/officeConfiguration/clientConfigurations", tok, map[string]any{
		"@odata.type": "#microsoft.graph.windowsOfficeClientConfiguration", "displayName": "office", "priority": 5,
	}, nil)
	if r.status != 201 || r.json["priority"] != float64(5) {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	tg := func(g string) map[string]any {
		return map[string]any{"target": map[string]any{"@odata.type": "microsoft.graph.officeConfigurationGroupAssignmentTarget", "groupId": g}}
	}
	a := doReq(t, s, "POST", "/beta/officeConfiguration/clientConfigurations/"+id+"/assign", tok, map[string]any{"officeConfigurationAssignments": []any{tg(group1), tg(group2)}}, nil)
	if a.status != 200 {
		t.Fatalf("assign: %d %s", a.status, a.raw)
	}
	v := a.values(t)
	if len(v) != 2 || v[0]["@odata.type"] != "#microsoft.graph.officeClientConfigurationAssignment" || v[0]["target"].(map[string]any)["@odata.type"] != emulator.TargetOfficeGroup {
		t.Errorf("assign body %s", a.raw)
	}
	for _, k := range []string{"source", "sourceId", "intent"} {
		if _, has := v[0][k]; has {
			t.Errorf("office assignment has %s", k)
		}
	}
	// replace-all
	a = doReq(t, s, "POST", "/beta/officeConfiguration/clientConfigurations/"+id+"/microsoft.graph.assign", tok, map[string]any{"officeConfigurationAssignments": []any{tg(group2)}}, nil)
	if a.status != 200 {
		t.Fatalf("assign 2: %d %s", a.status, a.raw)
	}
	l := doReq(t, s, "GET", "/beta/officeConfiguration/clientConfigurations/"+id+"/assignments", tok, nil, nil)
	lv := l.values(t)
	if len(lv) != 1 || lv[0]["target"].(map[string]any)["groupId"] != group2 {
		t.Errorf("list: %s", l.raw)
	}
	// strict: non-group office targets rejected; device assign key rejected
	bad := doReq(t, s, "POST", "/beta/officeConfiguration/clientConfigurations/"+id+"/assign", tok, map[string]any{"officeConfigurationAssignments": []any{
		map[string]any{"target": map[string]any{"@odata.type": "microsoft.graph.officeConfigurationAssignmentTarget"}}}}, nil)
	if bad.status != 400 {
		t.Errorf("base office target accepted: %d %s", bad.status, bad.raw)
	}
	bad = doReq(t, s, "POST", "/beta/officeConfiguration/clientConfigurations/"+id+"/assign", tok, map[string]any{"assignments": []any{tg(group1)}}, nil)
	if bad.status != 400 {
		t.Errorf("wrong body key accepted: %d %s", bad.status, bad.raw)
	}
	// single create 201
	c := doReq(t, s, "POST", "/beta/officeConfiguration/clientConfigurations/"+id+"/assignments", tok, tg(group1), nil)
	if c.status != 201 {
		t.Errorf("create assignment: %d %s", c.status, c.raw)
	}
	if as, _ := s.OfficeClientConfigurationAssignments(id); len(as) != 2 {
		t.Errorf("state: %+v", as)
	}
	// unknown policy 404 on /assignments
	if r := doReq(t, s, "GET", "/beta/officeConfiguration/clientConfigurations/"+group1+"/assignments", tok, nil, nil); r.status != 404 {
		t.Errorf("unknown office policy: %d", r.status)
	}
	// delete: 200
	if r := doReq(t, s, "DELETE", "/beta/officeConfiguration/clientConfigurations/"+id, tok, nil, nil); r.status != 200 {
		t.Errorf("office delete: %d", r.status)
	}
}

func TestRequestLog(t *testing.T) {
	s := startEmu(t, nil)
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("fresh server has %d requests", n)
	}
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	doReq(t, s, "POST", devPath(id, "assign")+"?x=1", tok, map[string]any{"assignments": []any{group(group1)}}, map[string]string{"client-request-id": "log-1"})
	doReq(t, s, "GET", "/beta/nope", tok, nil, nil)
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests logged", len(reqs))
	}
	if reqs[0].Method != "POST" || !strings.HasSuffix(reqs[0].Path, "/oauth2/v2.0/token") || reqs[0].Status != 200 {
		t.Errorf("token request: %+v", reqs[0])
	}
	a := reqs[1]
	if a.Method != "POST" || a.Path != devPath(id, "assign") || a.RawQuery != "x=1" || a.Status != 200 || a.Header.Get("client-request-id") != "log-1" {
		t.Errorf("assign request: %+v", a)
	}
	var body map[string]any
	if err := json.Unmarshal(a.Body, &body); err != nil || len(body["assignments"].([]any)) != 1 {
		t.Errorf("logged body %q", a.Body)
	}
	if reqs[2].Status != 400 {
		t.Errorf("bad segment status %d", reqs[2].Status)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests did not clear")
	}
}

func TestFailNext429(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	s.FailNext(2, emulator.PathContains("POST", "/assign"), http.StatusTooManyRequests, 7)
	// a non-matching request is unaffected
	if r := doReq(t, s, "GET", devPath(id), tok, nil, nil); r.status != 200 {
		t.Fatalf("GET affected: %d", r.status)
	}
	for i := 0; i < 2; i++ {
		r := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{group(group1)}}, nil)
		if r.status != 429 || r.header.Get("Retry-After") != "7" || r.str("error", "code") != "TooManyRequests" {
			t.Fatalf("attempt %d: %d %v %s", i, r.status, r.header, r.raw)
		}
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 0 {
		t.Fatalf("throttled request changed state")
	}
	if r := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{group(group1)}}, nil); r.status != 200 {
		t.Fatalf("third attempt: %d %s", r.status, r.raw)
	}
	s.FailNext(1, nil, http.StatusServiceUnavailable, 3)
	r := doReq(t, s, "GET", devPath(id), tok, nil, nil)
	if r.status != 503 || r.header.Get("Retry-After") != "3" || r.str("error", "code") != "serviceNotAvailable" {
		t.Errorf("503: %d %v %s", r.status, r.header, r.raw)
	}
}

func TestThrottlingWindows(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) {
		c.ThrottleLimits = emulator.ThrottleLimits{AppWrites: 2, Window: time.Minute}
	})
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	for i := 0; i < 2; i++ {
		if r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil); r.status != 200 {
			t.Fatalf("write %d: %d", i, r.status)
		}
	}
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, `{}`, nil)
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("third write: %d %v", r.status, r.header)
	}
	if r := doReq(t, s, "GET", devPath(id), tok, nil, nil); r.status != 200 {
		t.Errorf("reads must still pass: %d", r.status)
	}
}

// The [INF] switches of internal/graph/NOTES.md#expanding-assignments: a cut
// expansion with a next link that pages through the rest, and a collection whose
// lists ignore $expand=assignments.
func TestExpandAssignmentsSwitches(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.ExpandAssignmentsLimit = 1 })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{group(group1), group(group2)}}, nil)

	for _, target := range []string{"/beta/deviceManagement/deviceConfigurations?$select=id&$expand=assignments", devPath(id) + "?$expand=assignments"} {
		r := doReq(t, s, "GET", target, tok, nil, nil)
		v := r.json
		if strings.Contains(target, "$select") {
			v = r.values(t)[0]
		}
		as, _ := v["assignments"].([]any)
		next, _ := v["assignments@odata.nextLink"].(string)
		if len(as) != 1 || next == "" {
			t.Fatalf("%s: want 1 inlined assignment and a next link, got %s", target, r.raw)
		}
		rest := doReq(t, s, "GET", next, tok, nil, nil)
		if got := rest.values(t); rest.status != 200 || len(got) != 1 || got[0]["id"] == as[0].(map[string]any)["id"] {
			t.Fatalf("%s: the next link must page through the other assignment, got %d %s", target, rest.status, rest.raw)
		}
	}

	s.SetExpandAssignments(0, "deviceManagement/deviceConfigurations")
	r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$expand=assignments", tok, nil, nil)
	v := r.values(t)[0]
	if as, ok := v["assignments"].([]any); !ok || len(as) != 0 || v["assignments@odata.nextLink"] != nil {
		t.Fatalf("a list that ignores $expand answers assignments: [], got %s", r.raw)
	}
	if g := doReq(t, s, "GET", devPath(id)+"?$expand=assignments", tok, nil, nil); len(g.json["assignments"].([]any)) != 2 {
		t.Fatalf("item GETs still expand, got %s", g.raw)
	}
}
