package emulator_test

import (
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func TestLoadSeed(t *testing.T) {
	s := startEmu(t, nil)
	const pid = "5a5a5a5a-0000-4000-8000-000000000001"
	const oid = "6b6b6b6b-0000-4000-8000-000000000001"
	err := s.LoadSeed(strings.NewReader(`{
	  "deviceConfigurations":[{"id":"` + pid + `","displayName":"seeded","assignments":[
	     {"target":{"@odata.type":"microsoft.graph.allDevicesAssignmentTarget"}},
	     {"source":"policySets","sourceId":"x","id":"` + pid + `_ps","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group1 + `"}}]}],
	  "officeClientConfigurations":[{"id":"` + oid + `","displayName":"o","priority":3,"assignments":[{"target":{"groupId":"` + group2 + `"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	as, ok := s.DeviceConfigurationAssignments(pid)
	if !ok || len(as) != 2 || as[0].ID != pid+"_adadadad-808e-44e2-905a-0b7873a8a531" || as[0].Source != "direct" || as[0].SourceID != pid || as[1].Source != "policySets" {
		t.Errorf("device seed: %+v", as)
	}
	if as[0].Target.ODataType != emulator.TargetAllDevices {
		t.Errorf("target type not normalised: %q", as[0].Target.ODataType)
	}
	os, ok := s.OfficeClientConfigurationAssignments(oid)
	if !ok || len(os) != 1 || os[0].ID != oid+"_"+group2 || os[0].Target.ODataType != emulator.TargetOfficeGroup {
		t.Errorf("office seed: %+v", os)
	}
	if err := s.LoadSeed(strings.NewReader(`{"deviceConfiguration":[]}`)); err == nil {
		t.Error("typo in seed accepted")
	}
}

func TestLoadSeedPolicyFamilies(t *testing.T) {
	s := startEmu(t, nil)
	const cid = "7c7c7c7c-0000-4000-8000-000000000001"
	const sid = "8d8d8d8d-0000-4000-8000-000000000001"
	const gid = "9e9e9e9e-0000-4000-8000-000000000001"
	err := s.LoadSeed(strings.NewReader(`{
	  "deviceCompliancePolicies":[{"id":"` + cid + `","odataType":"microsoft.graph.iosCompliancePolicy","displayName":"c","assignments":[
	     {"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group1 + `"}},
	     {"source":"policySets","sourceId":"ps","target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}}]}],
	  "configurationPolicies":[{"id":"` + sid + `","name":"s","platforms":"windows10","technologies":"mdm","templateFamily":"endpointSecurityFirewall",
	     "assignments":[{"target":{"@odata.type":"microsoft.graph.exclusionGroupAssignmentTarget","groupId":"` + group2 + `"}}]}],
	  "groupPolicyConfigurations":[{"id":"` + gid + `","displayName":"g","assignments":[{"target":{"@odata.type":"#microsoft.graph.allLicensedUsersAssignmentTarget"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if as, ok := s.DeviceCompliancePolicyAssignments(cid); !ok || len(as) != 2 || as[0].ID != cid+"_"+group1 || as[0].Intent != "" || as[1].Source != "policySets" {
		t.Errorf("compliance seed: %+v", as)
	}
	if as, ok := s.ConfigurationPolicyAssignments(sid); !ok || len(as) != 1 || as[0].ID != sid+"_"+group2 || as[0].Source != "direct" {
		t.Errorf("configuration policy seed: %+v", as)
	}
	if as, ok := s.GroupPolicyConfigurationAssignments(gid); !ok || len(as) != 1 || as[0].LastModifiedDateTime.IsZero() {
		t.Errorf("group policy seed: %+v", as)
	}
	tok := getToken(t, s, rwClient)
	if g := doReq(t, s, "GET", "/beta/deviceManagement/configurationPolicies/"+sid, tok, nil, nil); g.str("templateReference", "templateFamily") != "endpointSecurityFirewall" || g.str("platforms") != "windows10" {
		t.Errorf("seeded configuration policy: %s", g.raw)
	}
	if g := doReq(t, s, "GET", "/beta/deviceManagement/deviceCompliancePolicies/"+cid, tok, nil, nil); g.str("@odata.type") != "#microsoft.graph.iosCompliancePolicy" {
		t.Errorf("seeded compliance policy: %s", g.raw)
	}
	for _, bad := range []string{
		`{"groupPolicyConfigurations":[{"displayName":"g","odataType":"x"}]}`,
		`{"deviceCompliancePolicies":[{"displayName":"c","priority":2}]}`,
		`{"configurationPolicies":[{"displayName":"c"}]}`,
	} {
		if err := s.LoadSeed(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestLoadSeedGenericPolicies(t *testing.T) {
	s := startEmu(t, nil)
	const sid = "1a1a1a1a-0000-4000-8000-000000000001"
	const eid = "2b2b2b2b-0000-4000-8000-000000000001"
	const fid = "3c3c3c3c-0000-4000-8000-000000000001"
	err := s.LoadSeed(strings.NewReader(`{
	  "assignmentFilters":[{"id":"` + fid + `","displayName":"iOS apps","platform":"iOSMobileApplicationManagement","assignmentFilterManagementType":"apps"}],
	  "policies":[
	    {"collection":"/deviceManagement/deviceManagementScripts","id":"` + sid + `","displayName":"Pilot PowerShell script","assignments":[
	       {"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group1 + `"}}]},
	    {"collection":"beta/deviceManagement/deviceEnrollmentConfigurations","id":"` + eid + `","odataType":"microsoft.graph.windows10EnrollmentCompletionPageConfiguration","displayName":"ESP"},
	    {"collection":"/deviceAppManagement/iosManagedAppProtections","displayName":"MAM","assignments":[
	       {"source":"policySets","sourceId":"ps","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group2 + `",
	        "deviceAndAppManagementAssignmentFilterId":"` + fid + `","deviceAndAppManagementAssignmentFilterType":"include"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if as, ok := s.PolicyAssignments(emulator.CollDeviceManagementScripts, sid); !ok || len(as) != 1 || as[0].ID != sid+"_"+group1 {
		t.Errorf("script seed: %+v", as)
	}
	tok := getToken(t, s, rwClient)
	if g := doReq(t, s, "GET", "/beta/deviceManagement/deviceManagementScripts/"+sid, tok, nil, nil); g.str("displayName") != "Pilot PowerShell script" {
		t.Errorf("seeded script: %s", g.raw)
	}
	if g := doReq(t, s, "GET", "/beta/deviceManagement/deviceEnrollmentConfigurations/"+eid, tok, nil, nil); g.str("@odata.type") != "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration" {
		t.Errorf("seeded enrollment configuration: %s", g.raw)
	}
	if g := doReq(t, s, "GET", "/beta/deviceAppManagement/iosManagedAppProtections?$expand=assignments", tok, nil, nil); !strings.Contains(string(g.raw), fid) || !strings.Contains(string(g.raw), `"policySets"`) {
		t.Errorf("seeded app protection: %s", g.raw)
	}
	for bad, want := range map[string]string{
		`{"policies":[{"collection":"/deviceManagement/noSuchThings","displayName":"x"}]}`:                                          "unknown collection",
		`{"policies":[{"displayName":"x"}]}`:                                                                                        "unknown collection",
		`{"policies":[{"collection":"/deviceManagement/deviceEnrollmentConfigurations","odataType":"#microsoft.graph.nope"}]}`:      "not a type of",
		`{"policies":[{"collection":"/deviceManagement/groupPolicyConfigurations","odataType":"#microsoft.graph.x"}]}`:              "no odataType",
		`{"policies":[{"collection":"/deviceManagement/intents","assignments":[{"target":{"@odata.type":"#microsoft.graph.x"}}]}]}`: "policies[0]",
		`{"policies":[{"collection":"/deviceManagement/intents","name":"x"}]}`:                                                      "unknown field",
	} {
		err := s.LoadSeed(strings.NewReader(bad))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", bad, err, want)
		}
	}
}

func TestLoadSeedPolicySets(t *testing.T) {
	s := startEmu(t, nil)
	const sid = "4d4d4d4d-0000-4000-8000-000000000001"
	const setID = "5e5e5e5e-0000-4000-8000-000000000001"
	err := s.LoadSeed(strings.NewReader(`{
	  "policies":[{"collection":"/deviceManagement/deviceManagementScripts","id":"` + sid + `","displayName":"script in a set","assignments":[
	     {"source":"policySets","sourceId":"` + setID + `","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"` + group1 + `"}}]}],
	  "policySets":[{"id":"` + setID + `","displayName":"Baseline set","items":[
	     {"payloadId":"` + sid + `","odataType":"microsoft.graph.deviceManagementScriptPolicySetItem","displayName":"script in a set"}]},
	    {"displayName":"empty set"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if as, ok := s.PolicyAssignments(emulator.CollDeviceManagementScripts, sid); !ok || len(as) != 1 || as[0].Source != "policySets" || as[0].SourceID != setID {
		t.Errorf("member assignments: %+v", as)
	}
	tok := getToken(t, s, rwClient)
	l := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets?$expand=items", tok, nil, nil)
	if l.status != 200 || len(l.values(t)) != 2 {
		t.Fatalf("list: %d %s", l.status, l.raw)
	}
	var set map[string]any
	for _, v := range l.values(t) {
		if v["id"] == setID {
			set = v
		}
	}
	if set == nil || set["displayName"] != "Baseline set" {
		t.Fatalf("seeded set missing: %s", l.raw)
	}
	items, _ := set["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("items: %s", l.raw)
	}
	it := items[0].(map[string]any)
	if it["payloadId"] != sid || it["@odata.type"] != "#microsoft.graph.deviceManagementScriptPolicySetItem" || it["itemType"] != "#microsoft.graph.deviceManagementScript" || it["displayName"] != "script in a set" {
		t.Errorf("item: %v", it)
	}

	// Rejections: nothing of the refused seed is stored.
	const badSet = "6f6f6f6f-0000-4000-8000-000000000001"
	const badPolicy = "7a7a7a7a-0000-4000-8000-000000000001"
	for bad, want := range map[string]string{
		`{"policies":[{"collection":"/deviceManagement/deviceManagementScripts","id":"` + badPolicy + `"}],
		  "policySets":[{"id":"` + badSet + `","items":[{"payloadId":"` + sid + `"},{"odataType":"#microsoft.graph.deviceManagementScriptPolicySetItem"}]}]}`: "policySets[0].items[1]: payloadId is required",
		`{"policySets":[{"id":"` + badSet + `","items":[{"payloadID":"` + sid + `","itemType":"x"}]}]}`: "unknown field",
		`{"policySets":[{"id":"` + badSet + `","assignments":[]}]}`:                                     "unknown field",
	} {
		err := s.LoadSeed(strings.NewReader(bad))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", bad, err, want)
		}
	}
	if g := doReq(t, s, "GET", "/beta/deviceAppManagement/policySets/"+badSet, tok, nil, nil); g.status != 404 {
		t.Errorf("refused seed stored its set: %d %s", g.status, g.raw)
	}
	if _, ok := s.PolicyAssignments(emulator.CollDeviceManagementScripts, badPolicy); ok {
		t.Error("refused seed stored its policy")
	}
}
