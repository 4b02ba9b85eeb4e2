package graph

// Target @odata.type values of the deviceAndAppManagementAssignmentTarget hierarchy
// that msgraph-beta-sdk-go v0.165.0 knows (graph-api.md section 2).
const (
	ODataGroupTarget               = "#microsoft.graph.groupAssignmentTarget"
	ODataExclusionGroupTarget      = "#microsoft.graph.exclusionGroupAssignmentTarget"
	ODataAllDevicesTarget          = "#microsoft.graph.allDevicesAssignmentTarget"
	ODataAllLicensedUsersTarget    = "#microsoft.graph.allLicensedUsersAssignmentTarget"
	ODataConfigMgrCollectionTarget = "#microsoft.graph.configurationManagerCollectionAssignmentTarget"
	// ODataOfficeGroupTarget is the only target type of Office client configurations.
	ODataOfficeGroupTarget = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"
)

// Expand says how a collection answers $expand=assignments (graph-api.md 1.7, 11.4, 13.1).
type Expand int

const (
	// ExpandUnknown: not observed; a client must not rely on it unchecked (the engine's
	// reader lists with it, but believes an answer only where it proves itself).
	ExpandUnknown Expand = iota
	// ExpandFull: every item carries all of its assignments.
	ExpandFull
	// ExpandMayTruncate: items carry assignments, but a long list may be cut with an
	// assignments@odata.nextLink that must be followed.
	ExpandMayTruncate
	// ExpandIgnored: the collection answers without assignments.
	ExpandIgnored
)

// Family is everything the client knows about one policy family's Graph surface, in one
// value: where its policies live, how its assign action and assignments look, and how its
// collection behaves. One generic client (Client.Assignments) reads it; a new family is one
// more value, and a new Graph behaviour is one more field handled in one place.
//
// Requests go through the documented URL templates rather than SDK request builders: the
// SDK lacks some families (officeConfiguration is gone from msgraph-beta-sdk-go v0.165.0,
// graph-api.md section 3), and its typed models for the rest cost a 10 GB, four-minute
// compile of the SDK's models package while adding nothing the templates do not give
// (the same kiota adapter, auth, retries and error parsing). Only the SDK's odataerrors
// package is used, for Graph's error envelope.
type Family struct {
	// CollectionPath is the policies' collection, e.g. "/deviceManagement/deviceConfigurations".
	CollectionPath string
	// BodyKey is the key of the list in the assign body, e.g. "assignments".
	BodyKey string
	// AssignmentODataType is written on each assigned item; "" for none (graph-api.md 1.3:
	// the SDK does not set it on device configuration assignments).
	AssignmentODataType string
	// Sources: assignments carry source and sourceId (direct, policySets).
	Sources bool
	// SingleCreate: POST {collection}/{id}/assignments creates one assignment (graph-api.md
	// 1.6; public reports say many device configuration types refuse it, 13.2).
	SingleCreate bool
	// PageSize is the largest $top the collection honours; 0 means the server's default.
	PageSize int
	// ExpandAssignments is how $expand=assignments behaves on the collection.
	ExpandAssignments Expand
}

// DeviceConfigurationsFamily is /deviceManagement/deviceConfigurations, every derived type
// (graph-api.md section 1).
var DeviceConfigurationsFamily = Family{
	CollectionPath: "/deviceManagement/deviceConfigurations",
	BodyKey:        "assignments",
	Sources:        true,
	SingleCreate:   false, // "No method match route template" for many types (13.2)
	PageSize:       999,   // scripts use $top=999 (5.2)
	// Clients list it with $expand=assignments (1.7); no cap is observed, but OData allows a
	// truncated expansion with assignments@odata.nextLink, so it must be followed (13.1).
	ExpandAssignments: ExpandMayTruncate,
}

// OfficeClientConfigurationsFamily is /officeConfiguration/clientConfigurations
// (graph-api.md section 3).
var OfficeClientConfigurationsFamily = Family{
	CollectionPath:      "/officeConfiguration/clientConfigurations",
	BodyKey:             "officeConfigurationAssignments",
	AssignmentODataType: "#microsoft.graph.officeClientConfigurationAssignment",
	SingleCreate:        true,          // documented, 201 Created (seed 002)
	ExpandAssignments:   ExpandUnknown, // not documented or observed for this collection
}

// Assignments is the assignment API of a family.
func (c *Client) Assignments(f Family) AssignmentAPI { return rawAssignments{c: c, f: f} }

// DeviceCompliancePoliciesFamily is /deviceManagement/deviceCompliancePolicies
// (graph-api.md section 10): the device configurations' assign action, targets and ids;
// assignments carry source and sourceId but no intent (10.4).
var DeviceCompliancePoliciesFamily = Family{
	CollectionPath:    "/deviceManagement/deviceCompliancePolicies",
	BodyKey:           "assignments",
	Sources:           true,
	SingleCreate:      false, // reported unrouted (13.2)
	PageSize:          999,
	ExpandAssignments: ExpandMayTruncate,
}

// ConfigurationPoliciesFamily is /deviceManagement/configurationPolicies, the settings
// catalog and endpoint security policies (graph-api.md section 11). Lists page at 25
// (11.3), and a list with $expand=assignments does not populate them (11.4, observed), so
// the reader never lists it: reads go one by one or in JSON batches.
var ConfigurationPoliciesFamily = Family{
	CollectionPath:    "/deviceManagement/configurationPolicies",
	BodyKey:           "assignments",
	Sources:           true,
	PageSize:          25,
	ExpandAssignments: ExpandIgnored,
}

// GroupPolicyConfigurationsFamily is /deviceManagement/groupPolicyConfigurations,
// administrative templates (graph-api.md section 12): assignments have no source (so no
// policy sets) and carry lastModifiedDateTime (12.3).
var GroupPolicyConfigurationsFamily = Family{
	CollectionPath:    "/deviceManagement/groupPolicyConfigurations",
	BodyKey:           "assignments",
	PageSize:          999,
	ExpandAssignments: ExpandUnknown, // not documented or observed; the reader checks it
}
