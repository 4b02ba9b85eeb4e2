package emulator_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

const ouTarget = "#microsoft.graph.organizationalUnitAssignmentTarget"

// newerAssignments are assignments another tool set with what the emulator's model (the
// SDK's) lacks: a target type it does not know, with its own members, and a known target
// with a newer member, both with a newer assignment member.
func newerAssignments() []emulator.Assignment {
	return []emulator.Assignment{
		{Target: emulator.Target{ODataType: ouTarget, Extra: map[string]any{
			"organizationalUnitId": "OU=Paris,DC=contoso,DC=com", "assignmentConflictSetting": "replace"}},
			Extra: map[string]any{"schedule": map[string]any{"startDateTime": "2030-01-01T00:00:00Z", "weight": 1.5}}},
		{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: group1, Extra: map[string]any{"priority": 3}},
			Extra: map[string]any{"settings": nil}},
	}
}

// jsonOf is v as canonical JSON (sorted keys), to compare decoded values whatever their
// number types.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(back)
	return string(b)
}

// Seeded members the model lacks are read back as seeded, and a client that reads the
// set and sends it back with /assign (what the provider's fallback write does) keeps them:
// the emulator accepts them in strict mode because they are part of its schema now, and
// stores and answers them as sent.
func TestSeededUnknownMembersSurviveAReadModifyWrite(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	if err := s.SetDeviceConfigurationAssignments(id, newerAssignments()); err != nil {
		t.Fatal(err)
	}
	seeded, _ := s.DeviceConfigurationAssignments(id)
	if !strings.HasPrefix(seeded[0].ID, id+"_ou=paris") {
		t.Errorf("the organizational unit assignment's id is %q, want it keyed by its organizationalUnitId", seeded[0].ID)
	}

	listed := doReq(t, s, "GET", devPath(id, "assignments"), tok, nil, nil)
	items := rawValues(t, listed)
	if len(items) != 2 {
		t.Fatalf("list: %s", listed.raw)
	}
	ou := listed.values(t)[0]
	if ou["schedule"] == nil || dig(ou, "target", "organizationalUnitId") != "OU=Paris,DC=contoso,DC=com" ||
		dig(ou, "target", "assignmentConflictSetting") != "replace" || dig(ou, "target", "@odata.type") != ouTarget {
		t.Fatalf("the seeded members are not read back: %s", items[0])
	}
	if g := listed.values(t)[1]; dig(g, "target", "priority") != float64(3) || !hasKey(g, "settings") {
		t.Fatalf("the newer members of a known target are not read back: %s", items[1])
	}

	// Send back exactly what was read, plus one new assignment: ids, source and sourceId
	// included (the emulator ignores them, NOTES.md#assign).
	body := `{"assignments":[` + string(items[0]) + `,` + string(items[1]) + `,{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group2 + `"}}]}`
	r := doReq(t, s, "POST", devPath(id, "assign"), tok, body, nil)
	if r.status != 200 {
		t.Fatalf("assign of what was read: %d %s", r.status, r.raw)
	}
	after := rawValues(t, doReq(t, s, "GET", devPath(id, "assignments"), tok, nil, nil))
	if len(after) != 3 || string(after[0]) != string(items[0]) || string(after[1]) != string(items[1]) {
		t.Fatalf("after the write the set reads\n%s\nwant the first two as before:\n%s\n%s", after, items[0], items[1])
	}
	stored, _ := s.DeviceConfigurationAssignments(id)
	if jsonOf(t, stored[0].Extra) != jsonOf(t, newerAssignments()[0].Extra) || jsonOf(t, stored[0].Target.Extra) != jsonOf(t, newerAssignments()[0].Target.Extra) {
		t.Fatalf("stored %+v, want the seeded members", stored[0])
	}

	// The inspection methods hand out copies.
	stored[0].Target.Extra["organizationalUnitId"] = "changed"
	if again, _ := s.DeviceConfigurationAssignments(id); again[0].Target.Extra["organizationalUnitId"] == "changed" {
		t.Fatal("a caller's change to an inspected assignment reached the store")
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// What nobody seeded stays unknown: strict mode refuses it, lenient mode drops it.
func TestUnseededMembersStayUnknown(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	if err := s.SetDeviceConfigurationAssignments(id, newerAssignments()); err != nil {
		t.Fatal(err)
	}
	for name, item := range map[string]map[string]any{
		"an assignment member":     {"schedulez": 1, "target": map[string]any{"@odata.type": emulator.TargetAllDevices}},
		"a target member":          {"target": map[string]any{"@odata.type": emulator.TargetAllDevices, "priority": 3}},
		"another unknown target":   {"target": map[string]any{"@odata.type": "#microsoft.graph.scopeTagGroupAssignmentTarget"}},
		"a member of another type": {"target": map[string]any{"@odata.type": emulator.TargetGroup, "groupId": group2, "organizationalUnitId": "OU=x"}},
	} {
		if r := doReq(t, s, "POST", devPath(id, "assign"), tok, assignItems(item), nil); r.status != 400 {
			t.Errorf("%s nobody seeded: got %d %s, want 400", name, r.status, r.raw)
		}
	}
	// Seeding one family does not teach another.
	cp := s.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{DisplayName: "c"})
	ou := map[string]any{"target": map[string]any{"@odata.type": ouTarget, "organizationalUnitId": "OU=x"}}
	if r := doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies/"+cp+"/assign", tok, assignItems(ou), nil); r.status != 400 {
		t.Errorf("a target type seeded on device configurations, sent to a compliance policy: got %d %s, want 400", r.status, r.raw)
	}

	lenient := startEmu(t, func(c *emulator.Config) { c.LenientValidation = true })
	ltok := getToken(t, lenient, rwClient)
	lid := lenient.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	r := doReq(t, lenient, "POST", devPath(lid, "assign"), ltok, assignItems(map[string]any{"schedulez": 1, "target": map[string]any{"@odata.type": emulator.TargetAllDevices, "priority": 3}}), nil)
	if r.status != 200 || strings.Contains(string(r.raw), "schedulez") || strings.Contains(string(r.raw), "priority") {
		t.Fatalf("lenient: %d %s, want 200 without the unknown members", r.status, r.raw)
	}
}

// A single create and a PATCH keep seeded members too, and an office assignment can
// carry them.
func TestSeededMembersOnCreatePatchAndOffice(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	if err := s.SetDeviceConfigurationAssignments(id, newerAssignments()); err != nil {
		t.Fatal(err)
	}
	other := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "q"})
	item := map[string]any{"schedule": map[string]any{"n": 7}, "target": map[string]any{"@odata.type": ouTarget, "organizationalUnitId": "OU=Lyon"}}
	r := doReq(t, s, "POST", devPath(other, "assignments"), tok, item, nil)
	if r.status != 201 || dig(r.json, "schedule", "n") != float64(7) || dig(r.json, "target", "organizationalUnitId") != "OU=Lyon" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	aid := r.str("id")
	if p := doReq(t, s, "PATCH", devPath(other, "assignments", aid), tok, map[string]any{"intent": "remove"}, nil); p.status/100 != 2 {
		t.Fatalf("patch: %d %s", p.status, p.raw)
	}
	got := doReq(t, s, "GET", devPath(other, "assignments", aid), tok, nil, nil)
	if got.str("intent") != "remove" || dig(got.json, "schedule", "n") != float64(7) || dig(got.json, "target", "organizationalUnitId") != "OU=Lyon" {
		t.Fatalf("after a PATCH of intent: %s", got.raw)
	}

	office := s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	seed := []emulator.Assignment{{Target: emulator.Target{ODataType: emulator.TargetOfficeGroup, GroupID: group1, Extra: map[string]any{"ring": "pilot"}}, Extra: map[string]any{"note": "x"}}}
	if err := s.SetOfficeClientConfigurationAssignments(office, seed); err != nil {
		t.Fatal(err)
	}
	opath := "/beta/officeConfiguration/clientConfigurations/" + office
	listed := rawValues(t, doReq(t, s, "GET", opath+"/assignments", tok, nil, nil))
	if r := doReq(t, s, "POST", opath+"/assign", tok, `{"officeConfigurationAssignments":[`+string(listed[0])+`]}`, nil); r.status != 200 {
		t.Fatalf("office assign: %d %s", r.status, r.raw)
	}
	again := rawValues(t, doReq(t, s, "GET", opath+"/assignments", tok, nil, nil))
	if len(again) != 1 || string(again[0]) != string(listed[0]) || !strings.Contains(string(again[0]), `"ring":"pilot"`) {
		t.Fatalf("office after the write: %s, want %s", again, listed[0])
	}
}

// Seeding refuses Extra members the model has, and unknown types that are not target
// types.
func TestSeedingExtraIsChecked(t *testing.T) {
	s := startEmu(t, nil)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	for name, a := range map[string]emulator.Assignment{
		"modelled assignment member": {Target: emulator.Target{ODataType: emulator.TargetAllDevices}, Extra: map[string]any{"intent": "apply"}},
		"modelled target member":     {Target: emulator.Target{ODataType: emulator.TargetAllDevices, Extra: map[string]any{"deviceAndAppManagementAssignmentFilterId": "x"}}},
		"not a target type":          {Target: emulator.Target{ODataType: "#microsoft.graph.somethingElse"}},
		"the abstract base type":     {Target: emulator.Target{ODataType: "#microsoft.graph.deviceAndAppManagementAssignmentTarget"}},
		"groupId on an unknown type": {Target: emulator.Target{ODataType: ouTarget, GroupID: group1}},
		"not JSON":                   {Target: emulator.Target{ODataType: emulator.TargetAllDevices}, Extra: map[string]any{"f": func() {}}},
	} {
		if err := s.SetDeviceConfigurationAssignments(id, []emulator.Assignment{a}); err == nil {
			t.Errorf("%s: seeding succeeded", name)
		}
	}
	in := newerAssignments()
	if err := s.SetDeviceConfigurationAssignments(id, in); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, newerAssignments()) {
		t.Error("seeding changed the caller's assignments")
	}
}
