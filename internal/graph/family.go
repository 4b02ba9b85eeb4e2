package graph

// Target @odata.type values of the deviceAndAppManagementAssignmentTarget hierarchy
// that msgraph-beta-sdk-go v0.165.0 knows (NOTES.md#targets).
const (
	ODataGroupTarget               = "#microsoft.graph.groupAssignmentTarget"
	ODataExclusionGroupTarget      = "#microsoft.graph.exclusionGroupAssignmentTarget"
	ODataAllDevicesTarget          = "#microsoft.graph.allDevicesAssignmentTarget"
	ODataAllLicensedUsersTarget    = "#microsoft.graph.allLicensedUsersAssignmentTarget"
	ODataConfigMgrCollectionTarget = "#microsoft.graph.configurationManagerCollectionAssignmentTarget"
	// ODataOfficeGroupTarget is the only target type of Office client configurations.
	ODataOfficeGroupTarget = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"
	// ODataCloudPCGroupTarget is the only target type of Cloud PC provisioning policies
	// and user settings (NOTES.md#families-beyond-the-first-five; graph-families.md §25).
	ODataCloudPCGroupTarget = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
)

// Expand says how a collection answers $expand=assignments
// (NOTES.md#expanding-assignments).
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
// NOTES.md#office-client-configurations), and its typed models for the rest cost a 10 GB,
// four-minute compile of the SDK's models package while adding nothing the templates do not
// give (the same kiota adapter, auth, retries and error parsing). Only the SDK's
// odataerrors package is used, for Graph's error envelope.
type Family struct {
	// CollectionPath is the policies' collection, e.g. "/deviceManagement/deviceConfigurations".
	CollectionPath string
	// BodyKey is the key of the list in the assign body, e.g. "assignments".
	BodyKey string
	// AssignmentODataType is written on each assigned item; "" for none
	// (NOTES.md#assignments: the SDK does not set it on device configuration assignments).
	AssignmentODataType string
	// Sources: assignments carry source and sourceId (direct, policySets).
	Sources bool
	// SingleCreate: POST {collection}/{id}/assignments creates one assignment
	// (NOTES.md#single-assignments; public reports say many device configuration types
	// refuse it, NOTES.md#refused-route).
	SingleCreate bool
	// PageSize is the largest $top the collection honours; 0 means the server's default.
	PageSize int
	// ExpandAssignments is how $expand=assignments behaves on the collection.
	ExpandAssignments Expand

	// AssignAction is the assign action's path below a policy; "" means "assign". Some
	// collections route it only through a type cast, e.g. mobileAppConfigurations'
	// "microsoft.graph.managedDeviceMobileAppConfiguration/assign" (the plain path is
	// refused: graph-families.md G3).
	AssignAction string
	// AssignNoContent: the assign action answers 204 No Content, without the set
	// (graph-families.md G1). Assign and AssignBuilt then return a nil set and no error;
	// the caller reads the assignments back to learn what the service holds.
	AssignNoContent bool
	// PerAssignment: the family has no replace-all write for groups (graph-families.md
	// G4: Autopilot deployment profiles, terms and conditions). An assignment is added
	// with POST …/assignments (201 and the entity) and removed with
	// DELETE …/assignments/{id} (204), one per call; Assign and AssignBuilt refuse it.
	PerAssignment bool
	// PolicySetItems: the family's policies can be policy-set items although their
	// assignments carry no source (graph-families.md G8), so a read cannot tell the
	// assignments a policy set made from direct ones. Membership is read from
	// /deviceAppManagement/policySets (Client.PolicySetMemberships).
	PolicySetItems bool
	// SingleCreateRefused: the service refuses POST …/assignments for the family (400 "No
	// method match route template", graph-families.md G10, observed for app protection and
	// mobileAppConfigurations), so one assignment is added through the assign action.
	SingleCreateRefused bool
}

// assignAction is the path of f's assign action below a policy.
func (f Family) assignAction() string {
	if f.AssignAction == "" {
		return "assign"
	}
	return f.AssignAction
}

// DeviceConfigurationsFamily is /deviceManagement/deviceConfigurations, every derived type
// (NOTES.md#device-configurations).
var DeviceConfigurationsFamily = Family{
	CollectionPath: "/deviceManagement/deviceConfigurations",
	BodyKey:        "assignments",
	Sources:        true,
	SingleCreate:   false, // "No method match route template" for many types (NOTES.md#refused-route)
	PageSize:       999,   // scripts use $top=999 (NOTES.md#paging)
	// Clients list it with $expand=assignments; no cap is observed, but OData allows a
	// truncated expansion with assignments@odata.nextLink, so it must be followed
	// (NOTES.md#expanding-assignments).
	ExpandAssignments: ExpandMayTruncate,
}

// OfficeClientConfigurationsFamily is /officeConfiguration/clientConfigurations
// (NOTES.md#office-client-configurations).
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
// (NOTES.md#compliance-policies): the device configurations' assign action, targets and
// ids; assignments carry source and sourceId but no intent.
var DeviceCompliancePoliciesFamily = Family{
	CollectionPath:    "/deviceManagement/deviceCompliancePolicies",
	BodyKey:           "assignments",
	Sources:           true,
	SingleCreate:      false, // reported unrouted (NOTES.md#refused-route)
	PageSize:          999,
	ExpandAssignments: ExpandMayTruncate,
}

// ConfigurationPoliciesFamily is /deviceManagement/configurationPolicies, the settings
// catalog and endpoint security policies (NOTES.md#settings-catalog). Lists page at 25
// (NOTES.md#paging), and a list with $expand=assignments does not populate them (observed,
// NOTES.md#expanding-assignments), so the reader never lists it: reads go one by one or in
// JSON batches.
var ConfigurationPoliciesFamily = Family{
	CollectionPath:    "/deviceManagement/configurationPolicies",
	BodyKey:           "assignments",
	Sources:           true,
	PageSize:          25,
	ExpandAssignments: ExpandIgnored,
}

// GroupPolicyConfigurationsFamily is /deviceManagement/groupPolicyConfigurations,
// administrative templates (NOTES.md#administrative-templates): assignments have no source
// (so no policy sets) and carry lastModifiedDateTime.
var GroupPolicyConfigurationsFamily = Family{
	CollectionPath:    "/deviceManagement/groupPolicyConfigurations",
	BodyKey:           "assignments",
	PageSize:          999,
	ExpandAssignments: ExpandUnknown, // not documented or observed; the reader checks it
}
