// Package resources holds the policy families: each is a descriptor handed to the shared
// assignment engine, so a family differs from another by data, not by code.
package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// DeviceConfiguration is every policy under /deviceManagement/deviceConfigurations,
// whatever its derived type (windowsDefenderAdvancedThreatProtectionConfiguration, ...).
var DeviceConfiguration = &assignments.Family{
	Stem:              "device_configuration",
	PolicyIDAttribute: "device_configuration_id",
	PolicyNoun:        "device configuration",
	Graph:             graph.DeviceConfigurationsFamily,
	Filters:           true,
	Targets:           deviceTargets,
	ResourceDescription: "Manages the direct assignments of one Intune device configuration policy (any type under " +
		"`/deviceManagement/deviceConfigurations`, such as a Microsoft Defender for Endpoint onboarding policy). " +
		"The resource is authoritative: create and update send the whole set with Graph's replace-all `assign` action, " +
		"so assignments made elsewhere show as drift and are removed on the next apply. Destroying the resource removes " +
		"every direct assignment and leaves the policy itself in place. Assignments inherited from policy sets are left alone.",
	DataSourceDescription: "Lists every assignment of one Intune device configuration policy, including those inherited from policy sets.",
}

// deviceTargets are the target kinds of the device families
// (internal/graph/NOTES.md#targets): device configurations, compliance policies,
// settings catalog and administrative templates.
var deviceTargets = []assignments.TargetKind{
	{Name: "group", ODataType: graph.ODataGroupTarget, Needs: assignments.FieldGroupID, Filterable: true,
		Description: "the members of an Entra ID group (`group_id`)."},
	{Name: "exclusion_group", ODataType: graph.ODataExclusionGroupTarget, Needs: assignments.FieldGroupID, Excludes: true,
		Description: "excludes the members of an Entra ID group (`group_id`) from the policy's other targets; takes no filter."},
	{Name: "all_devices", ODataType: graph.ODataAllDevicesTarget, Filterable: true,
		Description: "every enrolled device."},
	{Name: "all_licensed_users", ODataType: graph.ODataAllLicensedUsersTarget, Filterable: true,
		Description: "every user with an Intune licence."},
	{Name: "configuration_manager_collection", ODataType: graph.ODataConfigMgrCollectionTarget, Needs: assignments.FieldCollectionID, Filterable: true,
		Description: "a Configuration Manager collection (`collection_id`), for co-managed devices."},
}
