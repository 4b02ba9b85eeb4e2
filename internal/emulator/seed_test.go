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
