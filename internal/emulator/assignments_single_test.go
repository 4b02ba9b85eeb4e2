package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Single assignment create (POST {id}/assignments,
// internal/graph/NOTES.md#single-assignments), assignment DELETE, and the
// "not routed" switch of internal/graph/NOTES.md#refused-route.

const (
	allDevicesKey       = "adadadad-808e-44e2-905a-0b7873a8a531"
	allLicensedUsersKey = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"
)

func officePath(id string, rest ...string) string {
	p := "/beta/officeConfiguration/clientConfigurations/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func officeGroup(id string) map[string]any {
	return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.officeConfigurationGroupAssignmentTarget", "groupId": id}}
}

func target(odataType string) map[string]any {
	return map[string]any{"target": map[string]any{"@odata.type": odataType}}
}

// notRoutedMessage is the exact message of
// internal/graph/NOTES.md#refused-route for a POST to {id}/assignments of a
// collection served by service.
func notRoutedMessage(service, collection, id string) string {
	return "No OData route exists that match template ~/singleton/navigation/key/navigation with http verb POST for request /" +
		service + "/" + collection + "('" + id + "')/assignments."
}

// checkNotRouted asserts the answer of internal/graph/NOTES.md#refused-route:
// 400, JSON, plain error form.
func checkNotRouted(t *testing.T, r *resp, wantMsg, clientRequestID string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", r.status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if got := r.str("error", "code"); got != "No method match route template" {
		t.Errorf("code %q", got)
	}
	if got := r.str("error", "message"); got != wantMsg {
		t.Errorf("message\n got %q\nwant %q", got, wantMsg)
	}
	errObj, _ := r.json["error"].(map[string]any)
	if len(errObj) != 3 {
		t.Errorf("error members %v, want code, message, innerError", errObj)
	}
	if !strings.HasPrefix(string(r.raw), `{"error":{"code":"No method match route template","message":`) {
		t.Errorf("member order: %s", r.raw)
	}
	inner, _ := errObj["innerError"].(map[string]any)
	date, _ := inner["date"].(string)
	if _, err := time.Parse("2006-01-02T15:04:05", date); err != nil {
		t.Errorf("innerError.date %q: %v", date, err)
	}
	if rid, _ := inner["request-id"].(string); rid == "" || rid != r.header.Get("request-id") {
		t.Errorf("innerError.request-id %q, header %q", rid, r.header.Get("request-id"))
	}
	if clientRequestID != "" && inner["client-request-id"] != clientRequestID {
		t.Errorf("innerError.client-request-id %v, want %s", inner["client-request-id"], clientRequestID)
	}
	if r.header.Get("Allow") != "" {
		t.Errorf("a 400 routing failure carries Allow %q", r.header.Get("Allow"))
	}
}

func TestAssignmentSingleCreateDevice(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})

	cases := []struct {
		body   map[string]any
		wantID string
	}{
		{group(strings.ToUpper(group1)), id + "_" + group1}, // GUIDs answered in lower case
		{map[string]any{"target": map[string]any{"@odata.type": "microsoft.graph.exclusionGroupAssignmentTarget", "groupId": group2}}, id + "_" + group2},
		{target("#microsoft.graph.allDevicesAssignmentTarget"), id + "_" + allDevicesKey},
		{target("#microsoft.graph.allLicensedUsersAssignmentTarget"), id + "_" + allLicensedUsersKey},
	}
	for _, tc := range cases {
		tc.body["id"] = "client-chosen" // ignored: the server computes ids (internal/graph/NOTES.md#assignment-ids)
		r := doReq(t, s, "POST", devPath(id, "assignments"), tok, tc.body, nil)
		if r.status != http.StatusCreated {
			t.Fatalf("create %v: %d %s", tc.body, r.status, r.raw)
		}
		if r.str("id") != tc.wantID || r.str("source") != "direct" || r.str("sourceId") != id || r.str("intent") != "apply" {
			t.Errorf("create body %s, want id %s", r.raw, tc.wantID)
		}
		if ctx := r.str("@odata.context"); !strings.HasSuffix(ctx, "/beta/$metadata#deviceManagement/deviceConfigurations('"+id+"')/assignments/$entity") {
			t.Errorf("@odata.context %q", ctx)
		}
		if g := doReq(t, s, "GET", devPath(id, "assignments", tc.wantID), tok, nil, nil); g.status != 200 || g.str("id") != tc.wantID {
			t.Errorf("GET %s: %d %s", tc.wantID, g.status, g.raw)
		}
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != len(cases) {
		t.Fatalf("state: %+v", as)
	}

	// duplicate: upsert, still 201, nothing added
	if r := doReq(t, s, "POST", devPath(id, "assignments"), tok, group(group1), nil); r.status != 201 || r.str("id") != id+"_"+group1 {
		t.Fatalf("upsert: %d %s", r.status, r.raw)
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != len(cases) {
		t.Fatalf("upsert duplicated: %+v", as)
	}

	// unknown policy: 404 ResourceNotFound
	missing := "00000000-1111-4222-8333-444444444444"
	if r := doReq(t, s, "POST", devPath(missing, "assignments"), tok, group(group1), nil); r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
		t.Errorf("unknown policy: %d %s", r.status, r.raw)
	}

	// DELETE: 204 without a body, then 404
	aid := id + "_" + allDevicesKey
	r := doReq(t, s, "DELETE", devPath(id, "assignments", aid), tok, nil, nil)
	if r.status != 204 || len(r.raw) != 0 {
		t.Fatalf("delete: %d %q", r.status, r.raw)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := doReq(t, s, m, devPath(id, "assignments", aid), tok, nil, nil); r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
			t.Errorf("%s deleted: %d %s", m, r.status, r.raw)
		}
	}
	if r := doReq(t, s, "DELETE", devPath(missing, "assignments", aid), tok, nil, nil); r.status != 404 {
		t.Errorf("delete on unknown policy: %d", r.status)
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != len(cases)-1 {
		t.Errorf("after delete: %+v", as)
	}
}

func TestAssignmentSingleCreateOffice(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})

	r := doReq(t, s, "POST", officePath(id, "assignments"), tok, officeGroup(strings.ToUpper(group1)), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	aid := id + "_" + group1
	if r.str("id") != aid || r.str("@odata.type") != "#microsoft.graph.officeClientConfigurationAssignment" ||
		r.str("target", "@odata.type") != emulator.TargetOfficeGroup || r.str("target", "groupId") != group1 {
		t.Errorf("create body %s", r.raw)
	}
	for _, k := range []string{"source", "sourceId", "intent"} {
		if _, has := r.json[k]; has {
			t.Errorf("office assignment has %s", k)
		}
	}
	if ctx := r.str("@odata.context"); !strings.HasSuffix(ctx, "$metadata#officeConfiguration/clientConfigurations('"+id+"')/assignments/$entity") {
		t.Errorf("@odata.context %q", ctx)
	}
	if r := doReq(t, s, "POST", officePath(id, "assignments"), tok, officeGroup(group1), nil); r.status != 201 || r.str("id") != aid {
		t.Fatalf("upsert: %d %s", r.status, r.raw)
	}
	if as, _ := s.OfficeClientConfigurationAssignments(id); len(as) != 1 {
		t.Fatalf("upsert duplicated: %+v", as)
	}
	if r := doReq(t, s, "POST", officePath(group2, "assignments"), tok, officeGroup(group1), nil); r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
		t.Errorf("unknown policy: %d %s", r.status, r.raw)
	}

	r = doReq(t, s, "DELETE", officePath(id, "assignments", aid), tok, nil, nil)
	if r.status != 204 || len(r.raw) != 0 {
		t.Fatalf("delete: %d %q", r.status, r.raw)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := doReq(t, s, m, officePath(id, "assignments", aid), tok, nil, nil); r.status != 404 || r.str("error", "code") != "ResourceNotFound" {
			t.Errorf("%s deleted: %d %s", m, r.status, r.raw)
		}
	}
	if as, _ := s.OfficeClientConfigurationAssignments(id); len(as) != 0 {
		t.Errorf("after delete: %+v", as)
	}
}

func TestAssignmentSingleCreateConflict(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.ConflictOnDuplicateAssignment = true })
	tok := getToken(t, s, rwClient)
	dev := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	off := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	for _, p := range []struct {
		path string
		body map[string]any
	}{{devPath(dev, "assignments"), group(group1)}, {officePath(off, "assignments"), officeGroup(group1)}} {
		if r := doReq(t, s, "POST", p.path, tok, p.body, nil); r.status != 201 {
			t.Fatalf("%s first: %d %s", p.path, r.status, r.raw)
		}
		if r := doReq(t, s, "POST", p.path, tok, p.body, nil); r.status != 409 || r.str("error", "code") != "Conflict" {
			t.Errorf("%s duplicate: %d %s", p.path, r.status, r.raw)
		}
	}
}

func TestAssignmentsPostUnsupported(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.AssignmentsPostUnsupported = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	const devService = "DeviceConfiguration/StatelessDeviceConfigurationFEService"

	r := doReq(t, s, "POST", devPath(id, "assignments"), tok, group(group1), map[string]string{"client-request-id": "crid-13-2"})
	checkNotRouted(t, r, notRoutedMessage(devService, "deviceManagement/deviceConfigurations", id), "crid-13-2")
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 0 {
		t.Errorf("an unrouted POST stored %+v", as)
	}

	// routing fails before the policy lookup, the body and the permissions
	missing := "00000000-1111-4222-8333-444444444444"
	checkNotRouted(t, doReq(t, s, "POST", devPath(missing, "assignments"), tok, group(group1), nil),
		notRoutedMessage(devService, "deviceManagement/deviceConfigurations", missing), "")
	checkNotRouted(t, doReq(t, s, "POST", devPath(id, "assignments"), tok, `{"target":`, nil),
		notRoutedMessage(devService, "deviceManagement/deviceConfigurations", id), "")
	checkNotRouted(t, doReq(t, s, "POST", devPath(id, "assignments"), getToken(t, s, roClient), group(group1), nil),
		notRoutedMessage(devService, "deviceManagement/deviceConfigurations", id), "")
	// key-in-parentheses addressing is the same route
	checkNotRouted(t, doReq(t, s, "POST", "/beta/deviceManagement/deviceConfigurations('"+id+"')/assignments", tok, group(group1), nil),
		notRoutedMessage(devService, "deviceManagement/deviceConfigurations", id), "")

	// /assign keeps working, and so do reads and DELETE of assignments
	a := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{group(group1), group(group2)}}, nil)
	if a.status != 200 || len(a.values(t)) != 2 {
		t.Fatalf("assign: %d %s", a.status, a.raw)
	}
	if l := doReq(t, s, "GET", devPath(id, "assignments"), tok, nil, nil); l.status != 200 || len(l.values(t)) != 2 {
		t.Errorf("list: %d %s", l.status, l.raw)
	}
	if r := doReq(t, s, "DELETE", devPath(id, "assignments", id+"_"+group1), tok, nil, nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "GET", devPath(id, "assignments", id+"_"+group1), tok, nil, nil); r.status != 404 {
		t.Errorf("GET deleted: %d %s", r.status, r.raw)
	}

	// office is not in the default families
	off := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	if r := doReq(t, s, "POST", officePath(off, "assignments"), tok, officeGroup(group1), nil); r.status != 201 {
		t.Errorf("office create: %d %s", r.status, r.raw)
	}
}

func TestAssignmentsPostUnsupportedInBatch(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.AssignmentsPostUnsupported = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	r := doReq(t, s, "POST", "/beta/$batch", tok, map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/deviceManagement/deviceConfigurations/" + id + "/assignments",
			"headers": map[string]any{"Content-Type": "application/json"}, "body": group(group1)},
	}}, nil)
	if r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	item, _ := r.json["responses"].([]any)[0].(map[string]any)
	if item["status"] != float64(400) || dig(item, "body", "error", "code") != "No method match route template" {
		t.Errorf("batch item: %v", item)
	}
}

func TestSetAssignmentsPostUnsupported(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	dev := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	off := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	post := func(path string, body map[string]any) *resp { return doReq(t, s, "POST", path, tok, body, nil) }
	devMsg := notRoutedMessage("DeviceConfiguration/StatelessDeviceConfigurationFEService", "deviceManagement/deviceConfigurations", dev)
	offMsg := notRoutedMessage("OfficeCirrus/StatelessOfficeCirrusFEService", "officeConfiguration/clientConfigurations", off)

	if r := post(devPath(dev, "assignments"), group(group1)); r.status != 201 {
		t.Fatalf("default off: %d %s", r.status, r.raw)
	}

	s.SetAssignmentsPostUnsupported(true) // default families
	checkNotRouted(t, post(devPath(dev, "assignments"), group(group2)), devMsg, "")
	if r := post(officePath(off, "assignments"), officeGroup(group1)); r.status != 201 {
		t.Errorf("office under default families: %d %s", r.status, r.raw)
	}

	s.SetAssignmentsPostUnsupported(true, "/beta/officeConfiguration/ClientConfigurations/")
	if r := post(devPath(dev, "assignments"), group(group2)); r.status != 201 {
		t.Errorf("device not listed: %d %s", r.status, r.raw)
	}
	checkNotRouted(t, post(officePath(off, "assignments"), officeGroup(group2)), offMsg, "")
	if r := post(officePath(off, "assign"), map[string]any{"officeConfigurationAssignments": []any{officeGroup(group2)}}); r.status != 200 {
		t.Errorf("office /assign: %d %s", r.status, r.raw)
	}
	if r := doReq(t, s, "DELETE", officePath(off, "assignments", off+"_"+group2), tok, nil, nil); r.status != 204 {
		t.Errorf("office delete: %d %s", r.status, r.raw)
	}

	s.SetAssignmentsPostUnsupported(false, "officeConfiguration/clientConfigurations")
	if r := post(officePath(off, "assignments"), officeGroup(group1)); r.status != 201 {
		t.Errorf("switched off: %d %s", r.status, r.raw)
	}
}

func TestAssignmentsPostUnsupportedFamiliesConfig(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) {
		c.AssignmentsPostUnsupported = true
		c.AssignmentsPostUnsupportedFamilies = []string{"officeConfiguration/clientConfigurations"}
	})
	tok := getToken(t, s, rwClient)
	dev := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	off := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	if r := doReq(t, s, "POST", devPath(dev, "assignments"), tok, group(group1), nil); r.status != 201 {
		t.Errorf("device: %d %s", r.status, r.raw)
	}
	checkNotRouted(t, doReq(t, s, "POST", officePath(off, "assignments"), tok, officeGroup(group1), nil),
		notRoutedMessage("OfficeCirrus/StatelessOfficeCirrusFEService", "officeConfiguration/clientConfigurations", off), "")
}
