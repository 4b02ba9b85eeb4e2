package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// The families beyond the first five (issue 21; ../shared/graph-families.md §15–25 and
// internal/graph/NOTES.md#families-beyond-the-first-five). Each is data: its Graph surface
// (graph.*Family), the target kinds Graph takes for it, whether and which filters, and the
// lookups' name property. Descriptions derive from the data (assignments.Family).

// Target kinds, one value each, shared by the families' lists below.
var (
	kindGroup = assignments.TargetKind{Name: "group", ODataType: graph.ODataGroupTarget, Needs: assignments.FieldGroupID, Filterable: true,
		Description: "the members of an Entra ID group (`group_id`)."}
	kindExclusionGroup = assignments.TargetKind{Name: "exclusion_group", ODataType: graph.ODataExclusionGroupTarget, Needs: assignments.FieldGroupID, Excludes: true,
		Description: "excludes the members of an Entra ID group (`group_id`) from the policy's other targets; takes no filter."}
	kindAllDevices = assignments.TargetKind{Name: "all_devices", ODataType: graph.ODataAllDevicesTarget, Filterable: true,
		Description: "every enrolled device."}
	kindAllLicensedUsers = assignments.TargetKind{Name: "all_licensed_users", ODataType: graph.ODataAllLicensedUsersTarget, Filterable: true,
		Description: "every user with an Intune licence."}
)

// Target vocabularies (graph-families.md §26 G5, G6).
var (
	// groupsAndAll: included and excluded groups, all devices, all licensed users (scripts,
	// enrollment, intents, managed-device app configuration).
	groupsAndAll = []assignments.TargetKind{kindGroup, kindExclusionGroup, kindAllDevices, kindAllLicensedUsers}
	// groupsOnly: included and excluded groups (update profiles, app protection and
	// managed-app configuration, G6).
	groupsOnly = []assignments.TargetKind{kindGroup, kindExclusionGroup}
	// cloudPCGroup: a user group, in Cloud PC's own target type (G5).
	cloudPCGroup = []assignments.TargetKind{{Name: "group", ODataType: graph.ODataCloudPCGroupTarget, Needs: assignments.FieldGroupID,
		Description: "the members of an Entra ID user group (`group_id`)."}}
)

const (
	permScripts = "DeviceManagementScripts.Read.All"
	permApps    = "DeviceManagementApps.Read.All"
	permService = "DeviceManagementServiceConfig.Read.All"
	permCloudPC = "CloudPC.Read.All"
)

var (
	// CompliancePolicy is compliance policies in the settings-catalog shape (§15).
	CompliancePolicy = &assignments.Family{Stem: "compliance_policy", PolicyIDAttribute: "compliance_policy_id",
		PolicyNoun: "compliance policy (settings catalog)", Graph: graph.CompliancePoliciesFamily,
		Targets: deviceTargets, Filters: true, NameProperty: "name", NoODataType: true}

	// DeviceManagementScript is Windows PowerShell scripts (§16): no filters.
	DeviceManagementScript = &assignments.Family{Stem: "device_management_script", PolicyIDAttribute: "device_management_script_id",
		PolicyNoun: "PowerShell script", Graph: graph.DeviceManagementScriptsFamily, Targets: groupsAndAll, Permission: permScripts}
	// DeviceShellScript is macOS shell scripts (§16): no filters.
	DeviceShellScript = &assignments.Family{Stem: "device_shell_script", PolicyIDAttribute: "device_shell_script_id",
		PolicyNoun: "macOS shell script", Graph: graph.DeviceShellScriptsFamily, Targets: groupsAndAll, Permission: permScripts}
	// DeviceCustomAttributeShellScript is macOS custom attributes (§16): no filters [INF].
	DeviceCustomAttributeShellScript = &assignments.Family{Stem: "device_custom_attribute_shell_script", PolicyIDAttribute: "device_custom_attribute_shell_script_id",
		PolicyNoun: "macOS custom attribute script", Graph: graph.DeviceCustomAttributeShellScriptsFamily, Targets: groupsAndAll, Permission: permScripts}

	// WindowsFeatureUpdateProfile and the other update families (§17): groups only, no filters.
	WindowsFeatureUpdateProfile = &assignments.Family{Stem: "windows_feature_update_profile", PolicyIDAttribute: "windows_feature_update_profile_id",
		PolicyNoun: "Windows feature update profile", Graph: graph.WindowsFeatureUpdateProfilesFamily, Targets: groupsOnly}
	WindowsQualityUpdateProfile = &assignments.Family{Stem: "windows_quality_update_profile", PolicyIDAttribute: "windows_quality_update_profile_id",
		PolicyNoun: "Windows expedited quality update profile", Graph: graph.WindowsQualityUpdateProfilesFamily, Targets: groupsOnly}
	WindowsQualityUpdatePolicy = &assignments.Family{Stem: "windows_quality_update_policy", PolicyIDAttribute: "windows_quality_update_policy_id",
		PolicyNoun: "Windows quality update policy", Graph: graph.WindowsQualityUpdatePoliciesFamily, Targets: groupsOnly}
	WindowsDriverUpdateProfile = &assignments.Family{Stem: "windows_driver_update_profile", PolicyIDAttribute: "windows_driver_update_profile_id",
		PolicyNoun: "Windows driver update profile", Graph: graph.WindowsDriverUpdateProfilesFamily, Targets: groupsOnly}

	// DeviceEnrollmentConfiguration is enrollment status pages, restrictions, Windows Hello
	// and limits (§18). Priority lives on the configuration, not here.
	DeviceEnrollmentConfiguration = &assignments.Family{Stem: "device_enrollment_configuration", PolicyIDAttribute: "device_enrollment_configuration_id",
		PolicyNoun: "enrollment configuration", Graph: graph.DeviceEnrollmentConfigurationsFamily, Targets: groupsAndAll, Filters: true, Permission: permService}

	// DeviceManagementIntent is legacy endpoint security and security baselines (§24).
	DeviceManagementIntent = &assignments.Family{Stem: "device_management_intent", PolicyIDAttribute: "device_management_intent_id",
		PolicyNoun: "endpoint security intent", Graph: graph.DeviceManagementIntentsFamily, Targets: groupsAndAll}

	// App protection and managed-app configuration (§20): user groups, managed-app filters.
	IOSManagedAppProtection = &assignments.Family{Stem: "ios_managed_app_protection", PolicyIDAttribute: "ios_managed_app_protection_id",
		PolicyNoun: "iOS app protection policy", Graph: graph.IOSManagedAppProtectionsFamily, Targets: groupsOnly,
		Filters: true, FilterKind: assignments.FilterKindApps, Permission: permApps}
	AndroidManagedAppProtection = &assignments.Family{Stem: "android_managed_app_protection", PolicyIDAttribute: "android_managed_app_protection_id",
		PolicyNoun: "Android app protection policy", Graph: graph.AndroidManagedAppProtectionsFamily, Targets: groupsOnly,
		Filters: true, FilterKind: assignments.FilterKindApps, Permission: permApps}
	WindowsManagedAppProtection = &assignments.Family{Stem: "windows_managed_app_protection", PolicyIDAttribute: "windows_managed_app_protection_id",
		PolicyNoun: "Windows app protection policy", Graph: graph.WindowsManagedAppProtectionsFamily, Targets: groupsOnly,
		Filters: true, FilterKind: assignments.FilterKindApps, Permission: permApps}
	TargetedManagedAppConfiguration = &assignments.Family{Stem: "targeted_managed_app_configuration", PolicyIDAttribute: "targeted_managed_app_configuration_id",
		PolicyNoun: "app configuration policy for managed apps", Graph: graph.TargetedManagedAppConfigurationsFamily, Targets: groupsOnly,
		Filters: true, FilterKind: assignments.FilterKindApps, Permission: permApps}

	// MobileAppConfiguration is app configuration for managed devices (§21): device filters.
	MobileAppConfiguration = &assignments.Family{Stem: "mobile_app_configuration", PolicyIDAttribute: "mobile_app_configuration_id",
		PolicyNoun: "app configuration policy for managed devices", Graph: graph.MobileAppConfigurationsFamily, Targets: groupsAndAll,
		Filters: true, Permission: permApps}

	// WindowsAutopilotDeploymentProfile (§23): per-assignment writes, no filters.
	WindowsAutopilotDeploymentProfile = &assignments.Family{Stem: "windows_autopilot_deployment_profile", PolicyIDAttribute: "windows_autopilot_deployment_profile_id",
		PolicyNoun: "Windows Autopilot deployment profile", Graph: graph.WindowsAutopilotDeploymentProfilesFamily,
		Targets: []assignments.TargetKind{kindGroup, kindExclusionGroup, kindAllDevices}, Permission: permService}
	// TermsAndConditions (§23): per-assignment writes, no filters.
	TermsAndConditions = &assignments.Family{Stem: "terms_and_conditions", PolicyIDAttribute: "terms_and_conditions_id",
		PolicyNoun: "terms and conditions policy", Graph: graph.TermsAndConditionsFamily,
		Targets: []assignments.TargetKind{kindGroup, kindAllLicensedUsers}, Permission: permService}

	// Cloud PC (§25): user groups only, in Cloud PC's own target type; no filters.
	CloudPCProvisioningPolicy = &assignments.Family{Stem: "cloud_pc_provisioning_policy", PolicyIDAttribute: "cloud_pc_provisioning_policy_id",
		PolicyNoun: "Cloud PC provisioning policy", Graph: graph.CloudPCProvisioningPoliciesFamily, Targets: cloudPCGroup, Permission: permCloudPC}
	CloudPCUserSetting = &assignments.Family{Stem: "cloud_pc_user_setting", PolicyIDAttribute: "cloud_pc_user_setting_id",
		PolicyNoun: "Cloud PC user setting", Graph: graph.CloudPCUserSettingsFamily, Targets: cloudPCGroup, Permission: permCloudPC}
)

// MoreFamilies are the families above, in the order the docs list them.
var MoreFamilies = []*assignments.Family{
	CompliancePolicy,
	DeviceManagementScript, DeviceShellScript, DeviceCustomAttributeShellScript,
	WindowsFeatureUpdateProfile, WindowsQualityUpdateProfile, WindowsQualityUpdatePolicy, WindowsDriverUpdateProfile,
	DeviceEnrollmentConfiguration, DeviceManagementIntent,
	IOSManagedAppProtection, AndroidManagedAppProtection, WindowsManagedAppProtection, TargetedManagedAppConfiguration,
	MobileAppConfiguration,
	WindowsAutopilotDeploymentProfile, TermsAndConditions,
	CloudPCProvisioningPolicy, CloudPCUserSetting,
}
