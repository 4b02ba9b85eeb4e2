package graph

import (
	"encoding/json"
	"strings"
	"testing"
)

// Items as a newer Graph writes them: a target type the SDK does not know with its own
// members, a newer assignment member with a number the provider must not respell, and a
// known target with a newer member; HTML-significant characters included.
const (
	ouItem    = `{"id":"p_ou","source":"direct","sourceId":"p","intent":"apply","schedule":{"start":"2030-01-01T00:00:00Z","weight":1.50,"big":12345678901234567890},"target":{"@odata.type":"#microsoft.graph.organizationalUnitAssignmentTarget","deviceAndAppManagementAssignmentFilterId":null,"deviceAndAppManagementAssignmentFilterType":"none","organizationalUnitId":"OU=Paris<&>","assignmentConflictSetting":"replace"}}`
	groupItem = `{"id":"p_g1","source":"direct","sourceId":"p","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","deviceAndAppManagementAssignmentFilterId":null,"deviceAndAppManagementAssignmentFilterType":"none","groupId":"g1","futureMember":[1,2]}}`
	gpItem    = `{"id":"p_g2","lastModifiedDateTime":"2024-05-01T12:00:00Z","target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g2"}}`
)

func TestReadsKeepEachAssignmentAsGraphSentIt(t *testing.T) {
	page, err := decodePage([]byte(`{"@odata.context":"x","value":[` + ouItem + `, ` + "\n" + groupItem + `,null],"@odata.nextLink":"https://graph.example/next"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.assignments) != 2 || page.nextLink != "https://graph.example/next" {
		t.Fatalf("page %+v", page)
	}
	ou, g := page.assignments[0], page.assignments[1]
	if ou.Raw != ouItem || g.Raw != groupItem {
		t.Fatalf("Raw\n%s\n%s\nwant the items as sent", ou.Raw, g.Raw)
	}
	if ou.ID != "p_ou" || ou.Source != "direct" || ou.Intent != "apply" || ou.Target.ODataType != "#microsoft.graph.organizationalUnitAssignmentTarget" ||
		g.Target.GroupID != "g1" || g.Target.FilterID != "" || g.Target.FilterType != "" {
		t.Fatalf("fields %+v %+v", ou, g)
	}

	pp, err := decodePolicyPage([]byte(`{"value":[{"id":"p","assignments":[` + ouItem + `]},{"id":"q"}]}`))
	if err != nil || len(pp.Policies) != 2 || pp.Policies[0].Assignments[0].Raw != ouItem || !pp.Policies[0].Complete || pp.Policies[1].Complete {
		t.Fatalf("policy page %+v, %v", pp, err)
	}
	created, err := decodeEntity([]byte(`{"@odata.context":"https://graph.example/$metadata#x/$entity",` + groupItem[1:]))
	if err != nil || created.Raw != groupItem {
		t.Fatalf("a created entity's Raw is %q (%v), want the assignment without the answer's context", created.Raw, err)
	}
}

// An assignment read from Graph goes back whole, less the members the service sets;
// one the provider built, or one whose fields changed after the read, is written from
// its fields as before.
func TestAssignSendsReadAssignmentsBackAsGraphSentThem(t *testing.T) {
	page, err := decodePage([]byte(`{"value":[` + ouItem + `,` + groupItem + `,` + gpItem + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	changed := page.assignments[1]
	changed.Target.GroupID = "g9" // Raw left as read: it no longer describes the assignment
	built := Assignment{Target: Target{ODataType: ODataGroupTarget, GroupID: "g3", FilterID: "f", FilterType: "include"}}
	body, err := encodeAssignBody(DeviceConfigurationsFamily, append(page.assignments, changed, built))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"assignments":[` +
		`{"intent":"apply","schedule":{"start":"2030-01-01T00:00:00Z","weight":1.50,"big":12345678901234567890},"target":{"@odata.type":"#microsoft.graph.organizationalUnitAssignmentTarget","deviceAndAppManagementAssignmentFilterId":null,"deviceAndAppManagementAssignmentFilterType":"none","organizationalUnitId":"OU=Paris<&>","assignmentConflictSetting":"replace"}},` +
		`{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","deviceAndAppManagementAssignmentFilterId":null,"deviceAndAppManagementAssignmentFilterType":"none","groupId":"g1","futureMember":[1,2]}},` +
		`{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g2"}},` +
		`{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g9"}},` +
		`{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"g3","deviceAndAppManagementAssignmentFilterId":"f","deviceAndAppManagementAssignmentFilterType":"include"}}]}`
	if string(body) != want {
		t.Fatalf("assign body\n%s\nwant\n%s", body, want)
	}
	if !json.Valid(body) {
		t.Fatal("the body is not JSON")
	}

	// A family that types its items adds the type where Graph's item had none.
	office, err := encodeAssignment(OfficeClientConfigurationsFamily, mustDecode(t, `{"id":"o_g","target":{"@odata.type":"#microsoft.graph.officeConfigurationGroupAssignmentTarget","groupId":"g","ring":"pilot"}}`))
	if err != nil || string(office) != `{"@odata.type":"#microsoft.graph.officeClientConfigurationAssignment","target":{"@odata.type":"#microsoft.graph.officeConfigurationGroupAssignmentTarget","groupId":"g","ring":"pilot"}}` {
		t.Fatalf("office item %s (%v)", office, err)
	}
	if empty, _ := encodeAssignBody(OfficeClientConfigurationsFamily, nil); string(empty) != `{"officeConfigurationAssignments":[]}` {
		t.Fatalf("an empty set is %s", empty)
	}
}

func mustDecode(t *testing.T, item string) Assignment {
	t.Helper()
	a, err := decodeAssignment(json.RawMessage(item))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Raw, "{") {
		t.Fatalf("no Raw for %s", item)
	}
	return a
}
