package emulator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// deviceCompliancePolicies (internal/graph/NOTES.md#compliance-policies).

const win10Compliance = "#microsoft.graph.windows10CompliancePolicy"

func compPath(id string, rest ...string) string {
	p := "/beta/deviceManagement/deviceCompliancePolicies/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// blockRule is a scheduledActionsForRule deep insert
// (internal/graph/NOTES.md#compliance-policies) with the given action types.
func blockRule(actionTypes ...string) []any {
	var acts []any
	for _, a := range actionTypes {
		acts = append(acts, map[string]any{"actionType": a, "gracePeriodHours": 0})
	}
	return []any{map[string]any{"ruleName": nil, "scheduledActionConfigurations": acts}}
}

func compliancePayload(rules []any) map[string]any {
	m := map[string]any{"@odata.type": win10Compliance, "displayName": "baseline", "passwordRequired": true}
	if rules != nil {
		m["scheduledActionsForRule"] = rules
	}
	return m
}

func TestComplianceCreateShape(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies", tok, compliancePayload(blockRule("block")), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if loc := r.header.Get("Location"); loc != s.URL()+"/beta/deviceManagement/deviceCompliancePolicies('"+id+"')" {
		t.Errorf("Location %q", loc)
	}
	// internal/graph/NOTES.md#compliance-policies: the order of real reads,
	// then the derived type's members
	want := []string{"@odata.context", "@odata.type", "roleScopeTagIds", "id", "createdDateTime", "description", "lastModifiedDateTime", "displayName", "version", "passwordRequired"}
	if got := topKeys(t, r.raw); !slices.Equal(got, want) {
		t.Errorf("create members\n got %v\nwant %v", got, want)
	}
	if !strings.HasSuffix(r.str("@odata.context"), "$metadata#deviceManagement/deviceCompliancePolicies/$entity") {
		t.Errorf("context %q", r.str("@odata.context"))
	}

	g := doReq(t, s, "GET", compPath(id), tok, nil, nil)
	if want := append([]string{"@odata.context"}, want[1:]...); g.status != 200 || !slices.Equal(topKeys(t, g.raw), want) {
		t.Errorf("GET %d members %v", g.status, topKeys(t, g.raw))
	}
	if g.str("@odata.type") != win10Compliance || g.json["version"] != float64(1) || dig(g.json, "roleScopeTagIds").([]any)[0] != "0" {
		t.Errorf("GET %s", g.raw)
	}

	// PATCH 204, version bumped; the rules are a navigation and stay
	if p := doReq(t, s, "PATCH", compPath(id), tok, map[string]any{"@odata.type": win10Compliance, "description": "d"}, nil); p.status != 204 {
		t.Fatalf("PATCH: %d %s", p.status, p.raw)
	}
	g = doReq(t, s, "GET", compPath(id), tok, nil, nil)
	if g.str("description") != "d" || g.json["version"] != float64(2) {
		t.Errorf("after PATCH: %s", g.raw)
	}
	if r := doReq(t, s, "PATCH", compPath(id), tok, map[string]any{"@odata.type": "#microsoft.graph.iosCompliancePolicy"}, nil); r.status != 400 {
		t.Errorf("PATCH to another type: %d", r.status)
	}

	// list, $filter isof, $count
	l := doReq(t, s, "GET", "/beta/deviceManagement/deviceCompliancePolicies?$filter=isof('microsoft.graph.windows10CompliancePolicy')&$count=true", tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 1 || l.json["@odata.count"] != float64(1) {
		t.Errorf("list: %d %s", l.status, l.raw)
	}
	if _, has := l.json["@microsoft.graph.tips"]; has {
		t.Error("compliance lists carry no tips")
	}

	if d := doReq(t, s, "DELETE", compPath(id), tok, nil, nil); d.status != 204 {
		t.Fatalf("DELETE: %d", d.status)
	}
	if g := doReq(t, s, "GET", compPath(id), tok, nil, nil); g.status != 404 {
		t.Errorf("GET deleted: %d", g.status)
	}
}

func TestComplianceCreateValidation(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	post := func(body map[string]any) *resp {
		return doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies", tok, body, nil)
	}
	// internal/graph/NOTES.md#compliance-policies: exactly one block action,
	// with the service's message
	for name, rules := range map[string][]any{
		"no rules":      nil,
		"empty":         {},
		"no block":      blockRule("notification"),
		"two blocks":    blockRule("block", "block"),
		"blocks spread": append(blockRule("block"), blockRule("block")...),
	} {
		r := post(compliancePayload(rules))
		if r.status != 400 || r.str("error", "code") != "BadRequest" {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
			continue
		}
		if m := nestedMessage(t, r); !strings.HasPrefix(m, "Compliance policy must have one and only one block scheduled action - Operation ID") {
			t.Errorf("%s: nested message %q", name, m)
		}
	}
	if r := post(compliancePayload(blockRule("notification", "block"))); r.status != 201 {
		t.Errorf("one block among others: %d %s", r.status, r.raw)
	}

	noType := compliancePayload(blockRule("block"))
	delete(noType, "@odata.type")
	for name, body := range map[string]map[string]any{
		"no @odata.type":  noType,
		"abstract type":   {"@odata.type": "#microsoft.graph.deviceCompliancePolicy", "displayName": "x", "scheduledActionsForRule": blockRule("block")},
		"not compliance":  {"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "displayName": "x", "scheduledActionsForRule": blockRule("block")},
		"built-in type":   {"@odata.type": "#microsoft.graph.defaultDeviceCompliancePolicy", "displayName": "x", "scheduledActionsForRule": blockRule("block")},
		"no displayName":  {"@odata.type": win10Compliance, "scheduledActionsForRule": blockRule("block")},
		"bad actionType":  {"@odata.type": win10Compliance, "displayName": "x", "scheduledActionsForRule": blockRule("explode")},
		"rules an object": {"@odata.type": win10Compliance, "displayName": "x", "scheduledActionsForRule": map[string]any{}},
	} {
		if r := post(body); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
}

// ComplianceAllowNoBlockAction: creates without rules get one default block
// rule, seen under $expand=scheduledActionsForRule
// (internal/graph/NOTES.md#compliance-policies).
func TestComplianceAllowNoBlockAction(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.ComplianceAllowNoBlockAction = true })
	tok := getToken(t, s, rwClient)
	r := doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies", tok, compliancePayload(nil), nil)
	if r.status != 201 {
		t.Fatalf("create without rules: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	g := doReq(t, s, "GET", compPath(id)+"?$expand=scheduledActionsForRule($expand=scheduledActionConfigurations)", tok, nil, nil)
	rules, _ := g.json["scheduledActionsForRule"].([]any)
	if g.status != 200 || len(rules) != 1 {
		t.Fatalf("expand: %d %s", g.status, g.raw)
	}
	acts, _ := dig(rules[0], "scheduledActionConfigurations").([]any)
	if len(acts) != 1 || dig(acts[0], "actionType") != "block" || dig(acts[0], "gracePeriodHours") != float64(0) {
		t.Errorf("default rule: %s", g.raw)
	}
	if r := doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies", tok, compliancePayload(blockRule("notification")), nil); r.status != 201 {
		t.Errorf("rules without block under the switch: %d %s", r.status, r.raw)
	}

	s.SetComplianceAllowNoBlockAction(false)
	if r := doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies", tok, compliancePayload(nil), nil); r.status != 400 {
		t.Errorf("switched back on: %d %s", r.status, r.raw)
	}
}

// $expand=scheduledActionsForRule in the shape of
// internal/graph/NOTES.md#compliance-policies, contexts naming the type cast
// (same section).
func TestComplianceExpand(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	body := compliancePayload([]any{map[string]any{"ruleName": nil, "scheduledActionConfigurations": []any{
		map[string]any{"actionType": "block", "gracePeriodHours": 24, "notificationTemplateId": "", "notificationMessageCCList": []any{}},
		map[string]any{"@odata.type": "#microsoft.graph.deviceComplianceActionItem", "id": "client", "actionType": "notification", "gracePeriodHours": 0, "notificationTemplateId": filter1, "notificationMessageCCList": []any{group1}},
	}}})
	r := doReq(t, s, "POST", "/beta/deviceManagement/deviceCompliancePolicies", tok, body, nil)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if _, has := r.json["scheduledActionsForRule"]; has {
		t.Errorf("create answers the navigation: %s", r.raw)
	}
	castPath := "deviceManagement/deviceCompliancePolicies('" + id + "')/microsoft.graph.windows10CompliancePolicy/"

	plain := doReq(t, s, "GET", compPath(id)+"?$expand=scheduledActionsForRule", tok, nil, nil)
	rules, _ := plain.json["scheduledActionsForRule"].([]any)
	if plain.status != 200 || len(rules) != 1 || dig(rules[0], "id") != id || len(rules[0].(map[string]any)) != 2 {
		t.Fatalf("plain expand (rule without actions): %d %s", plain.status, plain.raw)
	}
	if ctx := plain.str("scheduledActionsForRule@odata.context"); !strings.HasSuffix(ctx, "$metadata#"+castPath+"scheduledActionsForRule") {
		t.Errorf("context %q", ctx)
	}

	g := doReq(t, s, "GET", compPath(id)+"?$expand=assignments,scheduledActionsForRule($expand=scheduledActionConfigurations)", tok, nil, nil)
	if g.status != 200 {
		t.Fatalf("nested expand: %d %s", g.status, g.raw)
	}
	if ctx := g.str("scheduledActionsForRule@odata.context"); !strings.HasSuffix(ctx, "$metadata#"+castPath+"scheduledActionsForRule(scheduledActionConfigurations())") {
		t.Errorf("nested context %q", ctx)
	}
	if ctx := g.str("assignments@odata.context"); !strings.HasSuffix(ctx, "$metadata#"+castPath+"assignments") {
		t.Errorf("assignments context %q", ctx)
	}
	if ctx := g.str("@odata.context"); !strings.HasSuffix(ctx, "$metadata#deviceManagement/deviceCompliancePolicies(assignments(),scheduledActionsForRule(scheduledActionConfigurations()))/$entity") {
		t.Errorf("entity context %q", ctx)
	}
	rule := g.json["scheduledActionsForRule"].([]any)[0].(map[string]any)
	acts, _ := rule["scheduledActionConfigurations"].([]any)
	if len(acts) != 2 || rule["scheduledActionConfigurations@odata.context"] == nil {
		t.Fatalf("actions: %v", rule)
	}
	a0, a1 := acts[0].(map[string]any), acts[1].(map[string]any)
	if a0["actionType"] != "block" || a0["gracePeriodHours"] != float64(24) || a1["actionType"] != "notification" ||
		a1["notificationTemplateId"] != filter1 || a1["id"] == "client" || a0["id"] == a1["id"] {
		t.Errorf("actions %v", acts)
	}

	// nested options other than $expand of the action items are refused
	for _, q := range []string{"scheduledActionsForRule($select=ruleName)", "scheduledActionsForRule($expand=foo)", "assignments($expand=target)"} {
		if r := doReq(t, s, "GET", compPath(id)+"?$expand="+q, tok, nil, nil); r.status != 400 {
			t.Errorf("$expand=%s: %d", q, r.status)
		}
	}
	// the navigation is not routed as a path
	// (internal/graph/NOTES.md#compliance-policies)
	if r := doReq(t, s, "GET", compPath(id, "scheduledActionsForRule"), tok, nil, nil); r.status != 400 || !strings.Contains(r.str("error", "message"), "segment 'scheduledActionsForRule'") {
		t.Errorf("path: %d %s", r.status, r.raw)
	}
	// lists expand too
	l := doReq(t, s, "GET", "/beta/deviceManagement/deviceCompliancePolicies?$expand=scheduledActionsForRule", tok, nil, nil)
	if v := l.values(t); len(v) != 1 || len(v[0]["scheduledActionsForRule"].([]any)) != 1 {
		t.Errorf("list expand: %s", l.raw)
	}
}

func TestComplianceAssignments(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{DisplayName: "c", ODataType: "microsoft.graph.macOSCompliancePolicy"})
	const psID = "0d0d0d0d-0000-4000-8000-000000000001"
	psAssignment := id + "_" + group2
	if err := s.SetDeviceCompliancePolicyAssignments(id, []emulator.Assignment{
		{Source: "policySets", SourceID: psID, Intent: "apply", Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: group2}},
	}); err != nil {
		t.Fatal(err)
	}

	a := doReq(t, s, "POST", compPath(id, "assign"), tok, assignItems(
		group(strings.ToUpper(group1)),
		exclusion("33333333-3333-3333-3333-333333333333"),
		target("#microsoft.graph.allDevicesAssignmentTarget"),
		target("microsoft.graph.allLicensedUsersAssignmentTarget"),
		map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget", "collectionId": "SMS00001"}},
		map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "44444444-4444-4444-4444-444444444444",
			"deviceAndAppManagementAssignmentFilterId": filter1, "deviceAndAppManagementAssignmentFilterType": "include"}},
	), nil)
	if a.status != 200 {
		t.Fatalf("assign: %d %s", a.status, a.raw)
	}
	if !strings.HasSuffix(a.str("@odata.context"), "$metadata#Collection(microsoft.graph.deviceCompliancePolicyAssignment)") {
		t.Errorf("assign context %q", a.str("@odata.context"))
	}
	wantIDs := []string{id + "_" + group1, id + "_33333333-3333-3333-3333-333333333333", id + "_" + allDevicesKey, id + "_" + allLicensedUsersKey, id + "_SMS00001", id + "_44444444-4444-4444-4444-444444444444"}
	vals := rawValues(t, a)
	for i, v := range a.values(t) {
		if v["id"] != wantIDs[i] || v["source"] != "direct" || v["sourceId"] != id {
			t.Errorf("assign value %d: %v", i, v)
		}
		// internal/graph/NOTES.md#compliance-policies: id, source, sourceId,
		// target; no intent, no @odata.type
		if got := topKeys(t, vals[i]); !slices.Equal(got, []string{"id", "source", "sourceId", "target"}) {
			t.Errorf("assignment members %v", got)
		}
	}

	// the policy-set assignment is kept by /assign
	// (internal/graph/NOTES.md#assign)
	as, _ := s.DeviceCompliancePolicyAssignments(id)
	if len(as) != 7 || as[0].ID != psAssignment || as[0].Source != "policySets" || as[0].Intent != "" {
		t.Fatalf("state after assign: %+v", as)
	}
	l := doReq(t, s, "GET", compPath(id, "assignments"), tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 7 || !strings.HasSuffix(l.str("@odata.context"), "deviceCompliancePolicies('"+id+"')/assignments") {
		t.Errorf("list: %d %s", l.status, l.raw)
	}
	if g := doReq(t, s, "GET", compPath(id, "assignments", wantIDs[2]), tok, nil, nil); g.status != 200 || g.str("target", "@odata.type") != emulator.TargetAllDevices {
		t.Errorf("get: %d %s", g.status, g.raw)
	}
	// intent is not a member of a compliance assignment
	if r := doReq(t, s, "POST", compPath(id, "assign"), tok, map[string]any{"assignments": []any{map[string]any{"intent": "apply", "target": group(group1)["target"]}}}, nil); r.status != 400 {
		t.Errorf("intent accepted: %d %s", r.status, r.raw)
	}

	// policy-set assignments are not deleted directly [INF,
	// internal/graph/NOTES.md#assignments]; direct ones are
	if d := doReq(t, s, "DELETE", compPath(id, "assignments", psAssignment), tok, nil, nil); d.status != 400 {
		t.Errorf("DELETE policySets assignment: %d %s", d.status, d.raw)
	}
	if d := doReq(t, s, "DELETE", compPath(id, "assignments", wantIDs[0]), tok, nil, nil); d.status != 204 {
		t.Errorf("DELETE: %d %s", d.status, d.raw)
	}
	if g := doReq(t, s, "GET", compPath(id, "assignments", wantIDs[0]), tok, nil, nil); g.status != 404 {
		t.Errorf("GET deleted: %d", g.status)
	}

	// replace-all with nothing keeps only the policy set's
	if r := doReq(t, s, "POST", compPath(id, "assign"), tok, map[string]any{"assignments": []any{}}, nil); r.status != 200 || len(r.values(t)) != 0 {
		t.Fatalf("clear: %d %s", r.status, r.raw)
	}
	if as, _ := s.DeviceCompliancePolicyAssignments(id); len(as) != 1 || as[0].ID != psAssignment {
		t.Errorf("after clear: %+v", as)
	}

	// single create is routed by default: 201 + entity
	c := doReq(t, s, "POST", compPath(id, "assignments"), tok, group(group1), nil)
	if c.status != 201 || c.str("id") != wantIDs[0] || !slices.Equal(topKeys(t, c.raw), []string{"@odata.context", "id", "source", "sourceId", "target"}) {
		t.Errorf("single create: %d %s", c.status, c.raw)
	}
}

// The refused single create of internal/graph/NOTES.md#refused-route applies
// to compliance policies by default, with the DeviceConfiguration service in
// the message.
func TestComplianceAssignmentsPostUnsupported(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.AssignmentsPostUnsupported = true })
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{DisplayName: "c"})
	const svc = "DeviceConfiguration/StatelessDeviceConfigurationFEService"
	checkNotRouted(t, doReq(t, s, "POST", compPath(id, "assignments"), tok, group(group1), nil),
		notRoutedMessage(svc, "deviceManagement/deviceCompliancePolicies", id), "")
	missing := "00000000-1111-4222-8333-444444444444"
	checkNotRouted(t, doReq(t, s, "POST", compPath(missing, "assignments"), tok, group(group1), nil),
		notRoutedMessage(svc, "deviceManagement/deviceCompliancePolicies", missing), "")
	if r := doReq(t, s, "POST", compPath(id, "assign"), tok, assignItems(group(group1)), nil); r.status != 200 {
		t.Errorf("/assign: %d %s", r.status, r.raw)
	}
	// the other new families are not in the default list
	cp := s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: "p"})
	gp := s.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{DisplayName: "g"})
	for _, p := range []string{cfgPath(cp, "assignments"), gpPath(gp, "assignments")} {
		if r := doReq(t, s, "POST", p, tok, group(group1), nil); r.status != 201 {
			t.Errorf("%s: %d %s", p, r.status, r.raw)
		}
	}
	s.SetAssignmentsPostUnsupported(false)
	if r := doReq(t, s, "POST", compPath(id, "assignments"), tok, group(group2), nil); r.status != 201 {
		t.Errorf("switched off: %d %s", r.status, r.raw)
	}
}
