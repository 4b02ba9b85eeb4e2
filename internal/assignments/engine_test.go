package assignments

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// testFamily mirrors the device family's shape without importing it (no cycle).
var testFamily = &Family{
	Stem: "test", PolicyIDAttribute: "policy_id", PolicyNoun: "policy",
	Filters: true, Graph: graph.Family{Sources: true},
	Targets: []TargetKind{
		{Name: "group", ODataType: "#microsoft.graph.groupAssignmentTarget", Needs: FieldGroupID, Filterable: true},
		{Name: "exclusion_group", ODataType: "#microsoft.graph.exclusionGroupAssignmentTarget", Needs: FieldGroupID, Excludes: true},
		{Name: "all_devices", ODataType: "#microsoft.graph.allDevicesAssignmentTarget", Filterable: true},
		{Name: "configuration_manager_collection", ODataType: "#microsoft.graph.configurationManagerCollectionAssignmentTarget", Needs: FieldCollectionID, Filterable: true},
	},
}

var singleKindFamily = &Family{
	Stem: "single", PolicyIDAttribute: "policy_id", PolicyNoun: "policy",
	Targets: []TargetKind{{Name: "group", ODataType: "#microsoft.graph.officeConfigurationGroupAssignmentTarget", Needs: FieldGroupID}},
}

func str(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func el(target, group, collection, filterID, filterType string) element {
	return element{Target: str(target), GroupID: str(group), CollectionID: str(collection), FilterID: str(filterID), FilterType: str(filterType)}
}

func TestKeyIgnoresGUIDCase(t *testing.T) {
	a := el("group", "AAAAAAAA-1111-1111-1111-111111111111", "", "FFFFFFFF-1111-1111-1111-111111111111", "include")
	b := el("group", "aaaaaaaa-1111-1111-1111-111111111111", "", "ffffffff-1111-1111-1111-111111111111", "include")
	if testFamily.key(a) != testFamily.key(b) {
		t.Fatalf("keys differ: %q vs %q", testFamily.key(a), testFamily.key(b))
	}
	c := el("exclusion_group", "aaaaaaaa-1111-1111-1111-111111111111", "", "", "")
	if testFamily.key(b) == testFamily.key(c) {
		t.Fatal("include and exclusion of one group must not compare equal")
	}
}

func TestFromGraphTreatsServiceFillInsAsNoFilter(t *testing.T) {
	e, ok := testFamily.fromGraph(graph.Assignment{ID: "p_g", Source: "direct", Intent: "apply",
		Target: graph.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: "g"}})
	if !ok || e.Target.ValueString() != "group" || e.GroupID.ValueString() != "g" || !e.FilterID.IsNull() || !e.FilterType.IsNull() {
		t.Fatalf("unexpected element %+v", e)
	}
}

func TestFromGraphKeepsUnknownTargetVisible(t *testing.T) {
	e, ok := testFamily.fromGraph(graph.Assignment{Target: graph.Target{ODataType: "#microsoft.graph.organizationalUnitAssignmentTarget"}})
	if !ok || e.Target.ValueString() != "#microsoft.graph.organizationalUnitAssignmentTarget" {
		t.Fatalf("unknown target must surface as its @odata.type, got %+v ok=%v", e, ok)
	}
	if _, ok := singleKindFamily.fromGraph(graph.Assignment{Target: graph.Target{ODataType: "#microsoft.graph.other"}}); ok {
		t.Fatal("a single-kind family cannot represent another kind and must say so")
	}
}

func TestToGraphMapsKindsAndDropsFiltersOnlyWhenAbsent(t *testing.T) {
	a, err := testFamily.toGraph(el("configuration_manager_collection", "", "MEM00012", "f", "exclude"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := graph.Target{ODataType: "#microsoft.graph.configurationManagerCollectionAssignmentTarget", CollectionID: "MEM00012", FilterID: "f", FilterType: "exclude"}
	if a.Target != want {
		t.Fatalf("got %+v want %+v", a.Target, want)
	}
	a, _ = singleKindFamily.toGraph(el("", "g", "", "", ""), "")
	if a.Target.ODataType != "#microsoft.graph.officeConfigurationGroupAssignmentTarget" || a.Target.GroupID != "g" {
		t.Fatalf("single-kind family mapped to %+v", a.Target)
	}
}

func TestReconcileKeepsPriorSpellingAndReportsDrift(t *testing.T) {
	prior := []element{
		el("group", "AAAAAAAA-1111-1111-1111-111111111111", "", "", ""),
		el("all_devices", "", "", "", ""),
	}
	remote := []graph.Assignment{
		{Target: graph.Target{ODataType: "#microsoft.graph.groupAssignmentTarget", GroupID: "aaaaaaaa-1111-1111-1111-111111111111"}},
		{Target: graph.Target{ODataType: "#microsoft.graph.exclusionGroupAssignmentTarget", GroupID: "bbbbbbbb-1111-1111-1111-111111111111"}},
	}
	got, unsupported := testFamily.reconcile(prior, remote)
	if len(unsupported) != 0 || len(got) != 2 {
		t.Fatalf("got %d elements, %d unsupported", len(got), len(unsupported))
	}
	if got[0].GroupID.ValueString() != "AAAAAAAA-1111-1111-1111-111111111111" {
		t.Errorf("prior spelling lost: %s", got[0].GroupID.ValueString())
	}
	if got[1].Target.ValueString() != "exclusion_group" {
		t.Errorf("drifted assignment missing: %+v", got[1])
	}
	if missing := testFamily.difference(prior, got); len(missing) != 1 || missing[0] != "all_devices" {
		t.Errorf("difference = %q, want [all_devices]", missing)
	}
}

func setOf(t *testing.T, f *Family, elems ...element) types.Set {
	t.Helper()
	s, d := f.setFromElements(elems)
	if d.HasError() {
		t.Fatal(d)
	}
	return s.SetValue
}

func TestValidateRules(t *testing.T) {
	g := "aaaaaaaa-1111-1111-1111-111111111111"
	cases := []struct {
		name  string
		elems []element
		want  string // summary of the one expected error, "" for none
		attr  string // attribute the error must be attached to
	}{
		{"valid mix", []element{el("group", g, "", "f", "include"), el("all_devices", "", "", "", ""), el("configuration_manager_collection", "", "MEM00012", "", "")}, "", ""},
		{"missing group", []element{el("group", "", "", "", "")}, "Missing group_id", "group_id"},
		{"unexpected group", []element{el("all_devices", g, "", "", "")}, "Unexpected group_id", "group_id"},
		{"missing collection", []element{el("configuration_manager_collection", "", "", "", "")}, "Missing collection_id", "collection_id"},
		{"unexpected collection", []element{el("group", g, "MEM00012", "", "")}, "Unexpected collection_id", "collection_id"},
		{"filter id alone", []element{el("group", g, "", "f", "")}, "Missing filter_type", "filter_type"},
		{"filter type alone", []element{el("group", g, "", "", "include")}, "Missing filter_id", "filter_id"},
		{"filter on exclusion", []element{el("exclusion_group", g, "", "f", "include")}, "Assignment filter not allowed", "filter_id"},
		{"include and exclude", []element{el("group", g, "", "", ""), el("exclusion_group", strings.ToUpper(g), "", "", "")}, "Group both included and excluded", "group_id"},
		{"duplicate all devices", []element{el("all_devices", "", "", "", ""), el("all_devices", "", "", "f", "include")}, "Duplicate assignment target", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := testFamily.validate(context.Background(), setOf(t, testFamily, c.elems...), path.Root("assignments"))
			if c.want == "" {
				if diags.HasError() {
					t.Fatalf("unexpected errors: %v", diags)
				}
				return
			}
			if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != c.want {
				t.Fatalf("want one %q error, got %v", c.want, diags)
			}
			if c.attr != "" && !strings.HasSuffix(diags.Errors()[0].(interface{ Path() path.Path }).Path().String(), c.attr) {
				t.Fatalf("error attached to %v, want …%s", diags.Errors()[0], c.attr)
			}
		})
	}
}

func TestValidateSkipsUnknownValues(t *testing.T) {
	objType := types.ObjectType{AttrTypes: testFamily.elementAttrTypes()}
	obj, _ := types.ObjectValue(objType.AttrTypes, map[string]attr.Value{
		"target": types.StringValue("group"), "group_id": types.StringUnknown(), "collection_id": types.StringNull(),
		"filter_id": types.StringUnknown(), "filter_type": types.StringNull(),
	})
	set, _ := types.SetValue(objType, []attr.Value{obj})
	if diags := testFamily.validate(context.Background(), set, path.Root("assignments")); diags.HasError() {
		t.Fatalf("unknown values must wait for apply, got %v", diags)
	}
}
