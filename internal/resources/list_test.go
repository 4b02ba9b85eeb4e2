package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// The list resources of `terraform query`, at the protocol (no CLI): narrowing, identity,
// display, the resource each result carries, the limit, and the read path.
func TestListResource_protocol(t *testing.T) {
	env := acctest.Start(t)
	p := env.Protocol(t, nil)
	const typ = "intune_device_configuration_assignments"
	filter := "f1f1f1f1-0000-4000-8000-000000000001"
	var assigned, unassigned []string
	for i := 0; i < 30; i++ {
		odataType := "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration"
		if i%3 == 0 {
			odataType = "#microsoft.graph.windows10CustomConfiguration"
		}
		id := env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: fmt.Sprintf("Policy %02d", i), ODataType: odataType})
		switch i % 5 {
		case 0: // unassigned
			unassigned = append(unassigned, id)
		case 1: // only a policy-set assignment: not managed, so unassigned for the resource
			mustSet(t, env.Server.SetDeviceConfigurationAssignments(id, []emulator.Assignment{{Source: "policySets", SourceID: "0d0d0d0d-0000-4000-8000-000000000001",
				Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupA}}}))
			unassigned = append(unassigned, id)
		default: // mixed targets, a filter
			mustSet(t, env.Server.SetDeviceConfigurationAssignments(id, []emulator.Assignment{
				{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupA, FilterID: filter, FilterType: "include"}},
				{Target: emulator.Target{ODataType: emulator.TargetExclusionGroup, GroupID: groupB}},
				{Target: emulator.Target{ODataType: emulator.TargetAllDevices}},
			}))
			assigned = append(assigned, id)
		}
	}
	before := len(env.Server.Requests())
	all := p.List(typ, map[string]any{}, true, 0)
	if len(all) != 30 {
		t.Fatalf("%d results, want 30", len(all))
	}
	calls := 0
	for _, r := range env.Server.Requests()[before:] {
		if r.BatchItemID == "" && strings.HasPrefix(r.Path, "/beta/") {
			calls++
		}
	}
	if calls > 8 {
		t.Errorf("listing 30 policies with their assignments took %d requests; want a handful (the bulk path)", calls)
	}
	for _, r := range all {
		if acctest.Diagnostics(r.Diagnostics) != "" {
			t.Fatalf("%s: %s", r.DisplayName, acctest.Diagnostics(r.Diagnostics))
		}
	}
	first := all[0]
	if first.DisplayName != "Policy 00 (windows10CustomConfiguration)" {
		t.Errorf("first display name %q, want sorted by name with the type", first.DisplayName)
	}
	var idAttrs map[string]tftypes.Value
	if err := first.Identity.As(&idAttrs); err != nil || !idAttrs["device_configuration_id"].Equal(tftypes.NewValue(tftypes.String, strings.ToLower(unassigned[0]))) {
		t.Errorf("identity %v, want device_configuration_id = %s", first.Identity, unassigned[0])
	}
	// A result with assignments carries the resource as an import would leave it.
	var res map[string]tftypes.Value
	if err := all[2].Resource.As(&res); err != nil {
		t.Fatal(err)
	}
	var set []tftypes.Value
	if err := res["assignments"].As(&set); err != nil || len(set) != 3 {
		t.Fatalf("Policy 02's resource: assignments %v, want 3", res["assignments"])
	}
	if !res["device_configuration_id"].Equal(tftypes.NewValue(tftypes.String, assigned[0])) || !res["id"].Equal(tftypes.NewValue(tftypes.String, assigned[0])) {
		t.Errorf("Policy 02's resource ids: %v / %v", res["id"], res["device_configuration_id"])
	}
	got := map[string]bool{}
	for _, e := range set {
		var o map[string]tftypes.Value
		_ = e.As(&o)
		var target, fid string
		_ = o["target"].As(&target)
		if !o["filter_id"].IsNull() {
			_ = o["filter_id"].As(&fid)
		}
		got[target+"|"+fid] = true
	}
	for _, want := range []string{"group|" + filter, "exclusion_group|", "all_devices|"} {
		if !got[want] {
			t.Errorf("Policy 02's assignments %v lack %s", got, want)
		}
	}

	count := func(cfg map[string]any) int { return len(p.List(typ, cfg, false, 0)) }
	for _, tc := range []struct {
		cfg  map[string]any
		want int
	}{
		{map[string]any{"assigned": true}, len(assigned)},
		{map[string]any{"assigned": false}, len(unassigned)},
		{map[string]any{"display_name_prefix": "policy 1"}, 10},
		{map[string]any{"odata_type": "windows10customconfiguration"}, 10},
		{map[string]any{"odata_type": "#microsoft.graph.windows10CustomConfiguration", "assigned": true}, 6},
	} {
		if got := count(tc.cfg); got != tc.want {
			t.Errorf("list %v: %d results, want %d", tc.cfg, got, tc.want)
		}
	}
	if got := len(p.List(typ, map[string]any{}, false, 7)); got != 7 {
		t.Errorf("limit 7: %d results", got)
	}
	if r := p.List(typ, map[string]any{}, false, 1)[0]; !r.Resource.IsNull() {
		t.Errorf("without include_resource a result carries no resource, got %v", r.Resource)
	}

	office := env.Server.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "Office baseline"})
	mustSet(t, env.Server.SetOfficeClientConfigurationAssignments(office, []emulator.Assignment{{Target: emulator.Target{ODataType: emulator.TargetOfficeGroup, GroupID: groupA}}}))
	or := p.List("intune_office_client_configuration_assignments", map[string]any{}, true, 0)
	if len(or) != 1 || !strings.HasPrefix(or[0].DisplayName, "Office baseline") {
		t.Fatalf("office results %+v", or)
	}
}

// Every family has a list resource: each lists its policies with their direct assignments
// (policy-set ones left out), as resources that carry the family's own schema.
func TestListResource_everyFamily(t *testing.T) {
	env := acctest.Start(t)
	p := env.Protocol(t, nil)
	for _, f := range families(env) {
		t.Run(f.typeName, func(t *testing.T) {
			a, b := f.newPolicy(env), f.newPolicy(env)
			f.portal(t, env, a, groupA, groupB)
			results := p.List(f.typeName, map[string]any{"assigned": true}, true, 0)
			var found int
			for _, r := range results {
				if acctest.Diagnostics(r.Diagnostics) != "" {
					t.Fatalf("%s: %s", r.DisplayName, acctest.Diagnostics(r.Diagnostics))
				}
				var res map[string]tftypes.Value
				if err := r.Resource.As(&res); err != nil {
					t.Fatal(err)
				}
				var id string
				_ = res[f.policyAttr].As(&id)
				switch id {
				case a:
					found++
					var set []tftypes.Value
					if err := res["assignments"].As(&set); err != nil || len(set) != 2 {
						t.Errorf("%s: assignments %v, want the two groups", f.typeName, res["assignments"])
					}
				case b:
					t.Errorf("%s: the unassigned policy is listed with assigned = true", f.typeName)
				}
			}
			if found != 1 {
				t.Fatalf("%s: the assigned policy is listed %d times in %d results", f.typeName, found, len(results))
			}
		})
	}
}
