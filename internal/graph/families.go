package graph

// The families beyond the first five (graph-families.md §15–25; NOTES.md#families-beyond-the-first-five).
// Each is one Family value: where its policies live, its assign action's body key, path and
// answer, and whether its assignments carry a source. None of these collections has been
// observed answering $expand=assignments (graph-families.md §26: "unknown for every new
// family"), so each is ExpandUnknown: the reader lists with it but believes an answer only
// where it proves itself, and never spends more than one request per policy.

// assignmentType is the @odata.type of an assignment entity, e.g. "#microsoft.graph.deviceManagementScriptAssignment".
func assignmentType(entity string) string { return "#microsoft.graph." + entity }

// CompliancePoliciesFamily is /deviceManagement/compliancePolicies, compliance policies in
// the settings-catalog shape (graph-families.md §15): assign answers 200 with the set.
var CompliancePoliciesFamily = Family{
	CollectionPath: "/deviceManagement/compliancePolicies",
	BodyKey:        "assignments",
	Sources:        true,
}

// scriptFamily is one of the script collections (graph-families.md §16): the assign body
// key is deviceManagementScriptAssignments, the action answers 204, the assignments carry
// no source, and a script can be a policy-set item (G8).
func scriptFamily(collection string) Family {
	return Family{
		CollectionPath:      collection,
		BodyKey:             "deviceManagementScriptAssignments",
		AssignmentODataType: assignmentType("deviceManagementScriptAssignment"),
		AssignNoContent:     true,
		PolicySetItems:      true,
	}
}

var (
	// DeviceManagementScriptsFamily is Windows PowerShell scripts (graph-families.md §16).
	DeviceManagementScriptsFamily = scriptFamily("/deviceManagement/deviceManagementScripts")
	// DeviceShellScriptsFamily is macOS shell scripts (graph-families.md §16).
	DeviceShellScriptsFamily = scriptFamily("/deviceManagement/deviceShellScripts")
	// DeviceCustomAttributeShellScriptsFamily is macOS custom attributes (graph-families.md §16).
	DeviceCustomAttributeShellScriptsFamily = scriptFamily("/deviceManagement/deviceCustomAttributeShellScripts")
)

// noContentFamily is a replace-all family whose assign action takes `assignments` and
// answers 204 (graph-families.md G1).
func noContentFamily(collection, assignmentEntity string, sources bool) Family {
	return Family{
		CollectionPath:      collection,
		BodyKey:             "assignments",
		AssignmentODataType: assignmentType(assignmentEntity),
		Sources:             sources,
		AssignNoContent:     true,
	}
}

var (
	// WindowsFeatureUpdateProfilesFamily (graph-families.md §17).
	WindowsFeatureUpdateProfilesFamily = noContentFamily("/deviceManagement/windowsFeatureUpdateProfiles", "windowsFeatureUpdateProfileAssignment", false)
	// WindowsQualityUpdateProfilesFamily is expedited quality updates (graph-families.md §17).
	WindowsQualityUpdateProfilesFamily = noContentFamily("/deviceManagement/windowsQualityUpdateProfiles", "windowsQualityUpdateProfileAssignment", false)
	// WindowsQualityUpdatePoliciesFamily is quality update (hotpatch) policies (graph-families.md §17).
	WindowsQualityUpdatePoliciesFamily = noContentFamily("/deviceManagement/windowsQualityUpdatePolicies", "windowsQualityUpdatePolicyAssignment", false)
	// WindowsDriverUpdateProfilesFamily (graph-families.md §17).
	WindowsDriverUpdateProfilesFamily = noContentFamily("/deviceManagement/windowsDriverUpdateProfiles", "windowsDriverUpdateProfileAssignment", false)

	// DeviceManagementIntentsFamily is legacy endpoint security and security baselines (graph-families.md §24).
	DeviceManagementIntentsFamily = noContentFamily("/deviceManagement/intents", "deviceManagementIntentAssignment", false)

	// IOSManagedAppProtectionsFamily is iOS app protection (graph-families.md §20): a single
	// POST …/assignments is refused (G10).
	IOSManagedAppProtectionsFamily = noSingleCreate(noContentFamily("/deviceAppManagement/iosManagedAppProtections", "targetedManagedAppPolicyAssignment", true))
	// AndroidManagedAppProtectionsFamily is Android app protection (graph-families.md §20).
	AndroidManagedAppProtectionsFamily = noSingleCreate(noContentFamily("/deviceAppManagement/androidManagedAppProtections", "targetedManagedAppPolicyAssignment", true))
	// WindowsManagedAppProtectionsFamily is Windows app protection (graph-families.md §20).
	WindowsManagedAppProtectionsFamily = noSingleCreate(noContentFamily("/deviceAppManagement/windowsManagedAppProtections", "targetedManagedAppPolicyAssignment", true))
	// TargetedManagedAppConfigurationsFamily is app configuration for managed apps (graph-families.md §20).
	TargetedManagedAppConfigurationsFamily = noContentFamily("/deviceAppManagement/targetedManagedAppConfigurations", "targetedManagedAppPolicyAssignment", true)

	// CloudPCProvisioningPoliciesFamily (graph-families.md §25): user groups only, with the
	// cloudPcManagementGroupAssignmentTarget.
	CloudPCProvisioningPoliciesFamily = noContentFamily("/deviceManagement/virtualEndpoint/provisioningPolicies", "cloudPcProvisioningPolicyAssignment", false)
	// CloudPCUserSettingsFamily (graph-families.md §25).
	CloudPCUserSettingsFamily = noContentFamily("/deviceManagement/virtualEndpoint/userSettings", "cloudPcUserSettingAssignment", false)
)

// DeviceEnrollmentConfigurationsFamily is /deviceManagement/deviceEnrollmentConfigurations
// (graph-families.md §18): body key enrollmentConfigurationAssignments, 204, sources.
var DeviceEnrollmentConfigurationsFamily = Family{
	CollectionPath:      "/deviceManagement/deviceEnrollmentConfigurations",
	BodyKey:             "enrollmentConfigurationAssignments",
	AssignmentODataType: assignmentType("enrollmentConfigurationAssignment"),
	Sources:             true,
	AssignNoContent:     true,
}

// MobileAppConfigurationsFamily is app configuration for managed devices
// (graph-families.md §21): the assign action is routed only through the type cast (G3),
// answers 204, assignments carry no source, and a configuration can be a policy-set item (G8).
var MobileAppConfigurationsFamily = Family{
	CollectionPath:      "/deviceAppManagement/mobileAppConfigurations",
	BodyKey:             "assignments",
	AssignmentODataType: assignmentType("managedDeviceMobileAppConfigurationAssignment"),
	AssignAction:        "microsoft.graph.managedDeviceMobileAppConfiguration/assign",
	AssignNoContent:     true,
	PolicySetItems:      true,
	SingleCreateRefused: true, // G10, observed
}

// noSingleCreate is f with SingleCreateRefused (graph-families.md G10, observed).
func noSingleCreate(f Family) Family {
	f.SingleCreateRefused = true
	return f
}

// WindowsAutopilotDeploymentProfilesFamily (graph-families.md §23): no replace-all for
// groups (its assign action takes deviceIds); one POST or DELETE per assignment (G4).
var WindowsAutopilotDeploymentProfilesFamily = Family{
	CollectionPath:      "/deviceManagement/windowsAutopilotDeploymentProfiles",
	AssignmentODataType: assignmentType("windowsAutopilotDeploymentProfileAssignment"),
	Sources:             true,
	SingleCreate:        true,
	PerAssignment:       true,
}

// TermsAndConditionsFamily (graph-families.md §23): no assign action; one POST or DELETE
// per assignment (G4); assignments have a target only.
var TermsAndConditionsFamily = Family{
	CollectionPath:      "/deviceManagement/termsAndConditions",
	AssignmentODataType: assignmentType("termsAndConditionsAssignment"),
	SingleCreate:        true,
	PerAssignment:       true,
}

// MobileAppsFamily is /deviceAppManagement/mobileApps (graph-families.md §22): the assign
// action takes mobileAppAssignments and answers 204 (G1); assignments carry source and
// sourceId, an intent and settings typed by the app's type (G2); POST …/assignments adds
// one (201).
var MobileAppsFamily = Family{
	CollectionPath:      "/deviceAppManagement/mobileApps",
	BodyKey:             "mobileAppAssignments",
	AssignmentODataType: assignmentType("mobileAppAssignment"),
	Sources:             true,
	AssignNoContent:     true,
	SingleCreate:        true,
}

// DeviceHealthScriptsFamily is remediations, /deviceManagement/deviceHealthScripts
// (graph-families.md §19): the assign action takes deviceHealthScriptAssignments and
// answers 204; assignments carry no source, and a run schedule and runRemediationScript
// (G2); POST …/assignments is refused (G10, observed in DT#504).
var DeviceHealthScriptsFamily = Family{
	CollectionPath:      "/deviceManagement/deviceHealthScripts",
	BodyKey:             "deviceHealthScriptAssignments",
	AssignmentODataType: assignmentType("deviceHealthScriptAssignment"),
	AssignNoContent:     true,
	SingleCreateRefused: true,
}
