package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// AssignmentFilter is Intune's assignment filters (GET /deviceManagement/assignmentFilters,
// internal/graph/NOTES.md#assignment-filters), found by name so that `filter_id` reads
// naturally.
var AssignmentFilter = &assignments.Lookup{
	TypeSuffix: "assignment_filter", PluralSuffix: "assignment_filters", ListAttr: "filters", Noun: "assignment filter",
	Collection: graph.Collection{Path: "/deviceManagement/assignmentFilters", Props: []string{"platform", "rule", "assignmentFilterManagementType"}},
	Extra: []assignments.LookupAttr{
		{Name: "platform", Property: "platform", Description: "The platform the filter applies to, e.g. `windows10AndLater`, `iOS`, `android`."},
		{Name: "rule", Property: "rule", Description: "The filter's rule, e.g. `(device.deviceOwnership -eq \"Corporate\")`."},
		{Name: "management_type", Property: "assignmentFilterManagementType", Description: "`devices` (managed devices) or `apps` (managed apps)."},
	},
	Narrow:     []string{"platform"},
	Permission: "DeviceManagementConfiguration.Read.All",
}
