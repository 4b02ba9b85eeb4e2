package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

const filtersURL = "/beta/deviceManagement/assignmentFilters"

func filterPath(id string) string { return filtersURL + "/" + id }

// topLevelKeys returns the member names of a JSON object in wire order.
func topLevelKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

var filterWireOrder = []string{"id", "createdDateTime", "lastModifiedDateTime", "displayName", "description", "platform", "rule", "roleScopeTags", "payloads", "assignmentFilterManagementType"}

func TestAssignmentFiltersPaging(t *testing.T) {
	s := startEmu(t, nil)
	s.SetPageSize(2)
	tok := getToken(t, s, rwClient)
	want := map[string]bool{}
	for i := 0; i < 5; i++ {
		want[s.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: fmt.Sprintf("f%d", i), Rule: `(device.osVersion -startsWith "10.0")`})] = true
	}
	next := s.URL() + filtersURL + "?$count=true"
	got := map[string]bool{}
	pages := 0
	for next != "" {
		r := doReq(t, s, "GET", next, tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", pages, r.status, r.raw)
		}
		if r.str("@odata.context") != s.URL()+"/beta/$metadata#deviceManagement/assignmentFilters" {
			t.Errorf("context %q", r.str("@odata.context"))
		}
		if _, has := r.json["@odata.count"]; has != (pages == 0) {
			t.Errorf("page %d: @odata.count present=%v (%v)", pages, has, r.json["@odata.count"])
		} else if pages == 0 && r.json["@odata.count"] != float64(5) {
			t.Errorf("@odata.count = %v", r.json["@odata.count"])
		}
		vals := r.values(t)
		if len(vals) > 2 {
			t.Errorf("page %d has %d items", pages, len(vals))
		}
		for _, v := range vals {
			got[v["id"].(string)] = true
			if v["platform"] != "unknown" || v["assignmentFilterManagementType"] != "devices" || v["description"] != nil ||
				!reflect.DeepEqual(v["roleScopeTags"], []any{"0"}) || !reflect.DeepEqual(v["payloads"], []any{}) {
				t.Errorf("defaults: %v", v)
			}
			if _, has := v["@odata.type"]; has {
				t.Errorf("base type echoed: %v", v)
			}
		}
		pages++
		next = r.str("@odata.nextLink")
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || "https://"+u.Host != s.URL() || u.Path != filtersURL || !strings.Contains(u.RawQuery, "$skiptoken=") || !strings.Contains(u.RawQuery, "$count=true") {
				t.Fatalf("nextLink %q", next)
			}
		}
		if pages > 10 {
			t.Fatal("paging does not terminate")
		}
	}
	if pages != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("pages=%d got=%v want=%v", pages, got, want)
	}
	// $top overrides the page size; SetPageSize(0) restores the default.
	if r := doReq(t, s, "GET", filtersURL+"?$top=4", tok, nil, nil); len(r.values(t)) != 4 || r.str("@odata.nextLink") == "" {
		t.Errorf("$top=4: %s", r.raw)
	}
	s.SetPageSize(0)
	if r := doReq(t, s, "GET", filtersURL, tok, nil, nil); len(r.values(t)) != 5 || r.str("@odata.nextLink") != "" {
		t.Errorf("default page size: %s", r.raw)
	}
}

func TestAssignmentFiltersQuery(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	ios := s.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "iOS corp", Platform: "ios", Rule: `(device.deviceOwnership -eq "Corporate")`, ManagementType: "devices"})
	s.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "win", Platform: "windows10AndLater", Rule: `(device.osVersion -startsWith "10.0")`})
	apps := s.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "iOS apps", Platform: "iOSMobileApplicationManagement", Rule: `(app.osVersion -eq "17")`, ManagementType: "apps"})

	r := doReq(t, s, "GET", filtersURL+"?$select=displayName,rule", tok, nil, nil)
	if r.status != 200 || !strings.HasSuffix(r.str("@odata.context"), "$metadata#deviceManagement/assignmentFilters(displayName,rule)") {
		t.Fatalf("$select: %d %s", r.status, r.raw)
	}
	for _, v := range r.values(t) {
		if len(v) != 3 || v["id"] == nil || v["displayName"] == nil || v["rule"] == nil {
			t.Errorf("$select not applied: %v", v)
		}
	}

	cases := []struct {
		filter string
		want   []string
	}{
		{"displayName eq 'iOS corp'", []string{ios}},
		{"displayName eq 'nope'", nil},
		{"platform eq 'iOS' and assignmentFilterManagementType ne 'apps'", []string{ios}},
		{"assignmentFilterManagementType eq 'apps'", []string{apps}},
		{"isof('microsoft.graph.deviceAndAppManagementAssignmentFilter') and id eq '" + apps + "'", []string{apps}},
	}
	for _, tc := range cases {
		r := doReq(t, s, "GET", filtersURL+"?$filter="+url.QueryEscape(tc.filter), tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("$filter=%s: %d %s", tc.filter, r.status, r.raw)
		}
		var ids []string
		for _, v := range r.values(t) {
			ids = append(ids, v["id"].(string))
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("$filter=%s: got %v, want %v", tc.filter, ids, tc.want)
		}
	}
	if r := doReq(t, s, "GET", filtersURL+"/$count?$filter="+url.QueryEscape("platform eq 'iOS'"), tok, nil, nil); r.status != 200 || string(r.raw) != "1" {
		t.Errorf("$count: %d %s", r.status, r.raw)
	}
	for _, q := range []string{"$select=nope", "$expand=assignments", "$filter=" + url.QueryEscape("startswith(displayName,'i')")} {
		if r := doReq(t, s, "GET", filtersURL+"?"+q, tok, nil, nil); r.status != 400 || r.str("error", "code") != "BadRequest" {
			t.Errorf("?%s: %d %s", q, r.status, r.raw)
		}
	}
	if r := doReq(t, s, "GET", filtersURL+"?$expand=*", tok, nil, nil); r.status != 200 || len(r.values(t)) != 3 {
		t.Errorf("$expand=*: %d %s", r.status, r.raw)
	}
	g := doReq(t, s, "GET", filterPath(ios)+"?$select=platform", tok, nil, nil)
	if g.status != 200 || g.str("platform") != "iOS" || len(g.json) != 3 || !strings.HasSuffix(g.str("@odata.context"), "assignmentFilters(platform)/$entity") {
		t.Errorf("item $select: %d %s", g.status, g.raw)
	}
}

func TestAssignmentFilterCRUD(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", filtersURL, tok, map[string]any{
		"@odata.type": "#microsoft.graph.deviceAndAppManagementAssignmentFilter",
		"displayName": "Win corp", "description": "d", "platform": "windows10AndLater",
		"rule": `(device.deviceOwnership -eq "Corporate")`, "roleScopeTags": []any{"0", "1"},
		"id": "ignored", "payloads": []any{},
	}, nil)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if id == "ignored" || id == "" || r.str("@odata.context") != s.URL()+"/beta/$metadata#deviceManagement/assignmentFilters/$entity" ||
		r.header.Get("Location") != s.URL()+"/beta/deviceManagement/assignmentFilters('"+id+"')" {
		t.Errorf("create: id %q, context %q, Location %q", id, r.str("@odata.context"), r.header.Get("Location"))
	}
	if keys := topLevelKeys(t, r.raw); !reflect.DeepEqual(keys, append([]string{"@odata.context"}, filterWireOrder...)) {
		t.Errorf("member order %v", keys)
	}
	if r.str("platform") != "windows10AndLater" || r.str("assignmentFilterManagementType") != "devices" || !reflect.DeepEqual(r.json["roleScopeTags"], []any{"0", "1"}) {
		t.Errorf("create body %s", r.raw)
	}
	created := r.str("createdDateTime")

	g := doReq(t, s, "GET", filterPath(id), tok, nil, nil)
	if g.status != 200 || g.str("displayName") != "Win corp" || g.str("description") != "d" || g.str("@odata.context") != r.str("@odata.context") {
		t.Fatalf("get: %d %s", g.status, g.raw)
	}
	if p := doReq(t, s, "PATCH", filterPath(strings.ToUpper(id)), tok, map[string]any{"rule": `(device.model -eq "X")`, "description": nil}, nil); p.status != 204 || len(p.raw) != 0 {
		t.Fatalf("patch: %d %s", p.status, p.raw)
	}
	g = doReq(t, s, "GET", filterPath(id), tok, nil, nil)
	if g.str("rule") != `(device.model -eq "X")` || g.json["description"] != nil || g.str("displayName") != "Win corp" || g.str("createdDateTime") != created {
		t.Errorf("get after patch: %s", g.raw)
	}
	if fs := s.AssignmentFilters(); len(fs) != 1 || fs[0].ID != id || fs[0].Rule != `(device.model -eq "X")` || fs[0].Platform != "windows10AndLater" {
		t.Errorf("AssignmentFilters: %+v", fs)
	}

	// validation: nothing is stored or changed by a 400
	bad := []map[string]any{
		{"rule": "(device.model -eq \"X\")"},
		{"displayName": "  ", "rule": "(device.model -eq \"X\")"},
		{"displayName": "x"},
		{"displayName": "x", "rule": "r", "platform": "windows"},
		{"displayName": "x", "rule": "r", "platform": "ios"}, // enumerations are exact in strict mode
		{"displayName": "x", "rule": "r", "assignmentFilterManagementType": "users"},
		{"displayName": "x", "rule": "r", "bogus": true},
		{"displayName": "x", "rule": "r", "roleScopeTags": "0"},
		{"@odata.type": "#microsoft.graph.deviceConfiguration", "displayName": "x", "rule": "r"},
	}
	for _, b := range bad {
		if r := doReq(t, s, "POST", filtersURL, tok, b, nil); r.status != 400 || r.str("error", "code") != "BadRequest" {
			t.Errorf("POST %v: %d %s", b, r.status, r.raw)
		}
	}
	for _, b := range []map[string]any{{"displayName": ""}, {"rule": nil}, {"platform": "nope"}} {
		if r := doReq(t, s, "PATCH", filterPath(id), tok, b, nil); r.status != 400 {
			t.Errorf("PATCH %v: %d %s", b, r.status, r.raw)
		}
	}
	if fs := s.AssignmentFilters(); len(fs) != 1 || fs[0].DisplayName != "Win corp" {
		t.Errorf("state after 400s: %+v", fs)
	}

	if d := doReq(t, s, "DELETE", filterPath(id), tok, nil, nil); d.status != 204 {
		t.Fatalf("delete: %d %s", d.status, d.raw)
	}
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]any{"description": "x"}
		}
		r := doReq(t, s, m, filterPath(id), tok, body, nil)
		if r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
			t.Fatalf("%s after delete: %d %s", m, r.status, r.raw)
		}
		nestedMessage(t, r)
	}
	if r := doReq(t, s, "PUT", filterPath(id), tok, map[string]any{}, nil); r.status != 405 {
		t.Errorf("PUT: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "POST", filtersURL+"/validateFilter", tok, map[string]any{}, nil); r.status != 501 {
		t.Errorf("validateFilter: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "GET", filterPath(id)+"/assignments", tok, nil, nil); r.status != 400 {
		t.Errorf("unknown navigation: %d %s", r.status, r.raw)
	}
}

func TestAssignmentFiltersPermissions(t *testing.T) {
	s := startEmu(t, nil)
	id := s.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "f", Rule: "r"})
	ro := getToken(t, s, roClient)
	if r := doReq(t, s, "GET", filtersURL, ro, nil, nil); r.status != 200 || len(r.values(t)) != 1 {
		t.Fatalf("list with Read.All: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "GET", filterPath(id), ro, nil, nil); r.status != 200 {
		t.Fatalf("get with Read.All: %d %s", r.status, r.raw)
	}
	writes := []struct {
		method, path string
		body         any
	}{
		{"POST", filtersURL, map[string]any{"displayName": "g", "rule": "r"}},
		{"PATCH", filterPath(id), map[string]any{"displayName": "g"}},
		{"DELETE", filterPath(id), nil},
	}
	for _, w := range writes {
		r := doReq(t, s, w.method, w.path, ro, w.body, nil)
		if r.status != 403 || r.str("error", "code") != "Forbidden" {
			t.Fatalf("%s with Read.All: %d %s", w.method, r.status, r.raw)
		}
		if m := nestedMessage(t, r); !strings.Contains(m, "Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All") {
			t.Errorf("nested message %q", m)
		}
	}
	if fs := s.AssignmentFilters(); len(fs) != 1 || fs[0].DisplayName != "f" {
		t.Errorf("403 changed state: %+v", fs)
	}
}

func TestAssignmentFiltersSeed(t *testing.T) {
	s := startEmu(t, nil)
	const fid = "7c7c7c7c-0000-4000-8000-000000000001"
	err := s.LoadSeed(strings.NewReader(`{"assignmentFilters":[
	  {"id":"` + fid + `","displayName":"corp","description":"seeded","platform":"windows10AndLater","rule":"(device.deviceOwnership -eq \"Corporate\")"},
	  {"displayName":"apps","platform":"androidMobileApplicationManagement","rule":"(app.osVersion -eq \"14\")","assignmentFilterManagementType":"apps"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	fs := s.AssignmentFilters()
	if len(fs) != 2 || fs[0] != (emulator.AssignmentFilter{ID: fid, DisplayName: "corp", Description: "seeded", Platform: "windows10AndLater", Rule: `(device.deviceOwnership -eq "Corporate")`, ManagementType: "devices"}) ||
		fs[1].ID == "" || fs[1].ManagementType != "apps" || fs[1].Platform != "androidMobileApplicationManagement" {
		t.Fatalf("seeded filters %+v", fs)
	}
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "GET", filterPath(fid), tok, nil, nil)
	if r.status != 200 || r.str("description") != "seeded" || r.str("rule") != `(device.deviceOwnership -eq "Corporate")` {
		t.Errorf("GET seeded: %d %s", r.status, r.raw)
	}
	for _, bad := range []string{
		`{"assignmentFilters":[{"displayName":"x","platform":"windows"}]}`,
		`{"assignmentFilters":[{"displayName":"x","assignmentFilterManagementType":"users"}]}`,
		`{"assignmentFilters":[{"displayName":"x","roleScopeTagIds":["0"]}]}`,
	} {
		if err := s.LoadSeed(strings.NewReader(bad)); err == nil {
			t.Errorf("seed %s accepted", bad)
		}
	}
	if len(s.AssignmentFilters()) != 2 {
		t.Errorf("rejected seeds stored filters: %+v", s.AssignmentFilters())
	}
	if !s.DeleteAssignmentFilter(strings.ToUpper(fid)) || s.DeleteAssignmentFilter(fid) {
		t.Error("DeleteAssignmentFilter")
	}
}

// $expand=* on an entity without navigation properties expands nothing (it
// used to panic on a policy's assignments).
func TestExpandStarWithoutNavigations(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	if r := doReq(t, s, "GET", devPath(id, "assignments")+"?$expand=*", tok, nil, nil); r.status != 200 {
		t.Errorf("assignments $expand=*: %d %s", r.status, r.raw)
	}
	fid := s.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "f", Rule: "r"})
	if r := doReq(t, s, "GET", filterPath(fid)+"?$expand=*", tok, nil, nil); r.status != 200 || r.str("id") != fid {
		t.Errorf("filter $expand=*: %d %s", r.status, r.raw)
	}
}
