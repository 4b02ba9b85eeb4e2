package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// The families beyond the first five
// (internal/graph/NOTES.md#families-beyond-the-first-five, from the
// reference graph-families.md sections 14-26; G1-G10 are its section 26).
// They share the handlers of graph_policy.go: each is a policyFamily built
// from a famSpec, whose policies are genericPolicy records (a modest entity:
// the common members in the docs' order, the others accepted as sent). What
// the reference marks [INF] is switchable through Config (AcceptAnyTargetKind,
// AcceptUnsupportedFilters, IgnoreFilterManagementType,
// AssignKeepsPolicySetAssignments, AssignmentsPostUnsupported), the zero
// value being the strict choice.

// Collection paths below /beta, for AddPolicy, PolicyAssignments,
// SetPolicyAssignments and DeletePolicy.
const (
	// The first five.
	CollDeviceConfigurations      = "/deviceManagement/deviceConfigurations"
	CollClientConfigurations      = "/officeConfiguration/clientConfigurations"
	CollDeviceCompliancePolicies  = "/deviceManagement/deviceCompliancePolicies"
	CollConfigurationPolicies     = "/deviceManagement/configurationPolicies"
	CollGroupPolicyConfigurations = "/deviceManagement/groupPolicyConfigurations"

	// Beyond them.
	CollCompliancePolicies                 = "/deviceManagement/compliancePolicies"
	CollDeviceManagementScripts            = "/deviceManagement/deviceManagementScripts"
	CollDeviceShellScripts                 = "/deviceManagement/deviceShellScripts"
	CollDeviceCustomAttributeShellScripts  = "/deviceManagement/deviceCustomAttributeShellScripts"
	CollWindowsFeatureUpdateProfiles       = "/deviceManagement/windowsFeatureUpdateProfiles"
	CollWindowsQualityUpdateProfiles       = "/deviceManagement/windowsQualityUpdateProfiles"
	CollWindowsQualityUpdatePolicies       = "/deviceManagement/windowsQualityUpdatePolicies"
	CollWindowsDriverUpdateProfiles        = "/deviceManagement/windowsDriverUpdateProfiles"
	CollDeviceEnrollmentConfigurations     = "/deviceManagement/deviceEnrollmentConfigurations"
	CollIntents                            = "/deviceManagement/intents"
	CollIosManagedAppProtections           = "/deviceAppManagement/iosManagedAppProtections"
	CollAndroidManagedAppProtections       = "/deviceAppManagement/androidManagedAppProtections"
	CollWindowsManagedAppProtections       = "/deviceAppManagement/windowsManagedAppProtections"
	CollTargetedManagedAppConfigurations   = "/deviceAppManagement/targetedManagedAppConfigurations"
	CollMobileAppConfigurations            = "/deviceAppManagement/mobileAppConfigurations"
	CollWindowsAutopilotDeploymentProfiles = "/deviceManagement/windowsAutopilotDeploymentProfiles"
	CollTermsAndConditions                 = "/deviceManagement/termsAndConditions"
	CollCloudPcProvisioningPolicies        = "/deviceManagement/virtualEndpoint/provisioningPolicies"
	CollCloudPcUserSettings                = "/deviceManagement/virtualEndpoint/userSettings"
)

// Values of policyFamily.filterKind.
const (
	filterNone    = "none"    // the family takes no filters (reference 14.3)
	filterDevices = "devices" // assignmentFilterManagementType devices
	filterApps    = "apps"    // assignmentFilterManagementType apps (managed-app families, G7)
)

// Policy seeds a policy of any family (AddPolicy). ID "" => new GUID;
// ODataType "" => the collection's default concrete type (e.g.
// "#microsoft.graph.iosMobileAppConfiguration" for mobileAppConfigurations).
// DisplayName is the "name" of compliancePolicies and configurationPolicies.
// Props are further members of the entity by wire name (e.g.
// {"publisher":"Contoso","publishingState":"notPublished"} for
// mobileApps), stored and answered as given; the first five ignore them.
type Policy struct {
	ID, DisplayName, ODataType string
	Props                      map[string]any
}

// famSpec describes one family beyond the first five.
type famSpec struct {
	coll, entity, assignEntity string
	fefService                 string   // [INF] no captured error names these services
	types                      []string // concrete @odata.types a policy may have, with '#'; types[0] the default
	abstract                   bool     // the entity type is abstract: reads answer @odata.type, a create needs one
	nameProp                   string   // "" => displayName
	members                    []string // the members of a read, in the docs' order; "@odata.type" first when abstract
	defaults                   map[string]any
	navs                       []string // besides assignments

	assignParam   string   // "" => no replace-all of groups
	assignIgnored []string // further assign members accepted if arrays, ignored
	answer200     bool     // /assign answers 200 + collection (else 204, G1)
	source        bool     // assignments carry source/sourceId
	hiddenSource  bool     // G8
	kinds         []string // target kinds a write may use; nil => every modelled one
	kindsObserved bool
	filters       string
	assignCast    string
	noAssign      bool
	deviceIDs     bool
	noPatch       bool
	postRefused   bool
	postVerified  bool // POST …/assignments is outside the AssignmentsPostUnsupported defaults (G4: the documented way; compliancePolicies: as configurationPolicies)
	cloudPc       bool
	groupIDOnly   bool
	idSuffix      string

	enums     map[string][]string // members whose writes must be one of these values
	customize func(*policyFamily) // sets what the generic family lacks (graph_apps.go)
}

// genericPolicy is a stored policy of a family beyond the first five.
type genericPolicy struct {
	policyCore
	spec              *famSpec
	created, modified time.Time
	name              string
	description       any   // string or nil
	roleScopeTagIDs   []any // nil => ["0"]
	extra             map[string]any
}

var (
	gx  = []string{TargetGroup, TargetExclusionGroup}
	gxd = []string{TargetGroup, TargetExclusionGroup, TargetAllDevices}
	gxu = []string{TargetGroup, TargetExclusionGroup, TargetAllDevices, TargetAllLicensedUser}
)

// Common member lists.
var (
	scriptMembers   = []string{"id", "displayName", "description", "scriptContent", "createdDateTime", "lastModifiedDateTime", "runAsAccount", "fileName", "roleScopeTagIds"}
	mamMembers      = []string{"displayName", "description", "createdDateTime", "lastModifiedDateTime", "roleScopeTagIds", "id", "version", "isAssigned"}
	updateMembers   = []string{"id", "displayName", "description", "createdDateTime", "lastModifiedDateTime", "roleScopeTagIds"}
	mamDefaultsFunc = func() map[string]any { return map[string]any{"version": "1"} }
)

// famSpecs are the families beyond the first five, as the reference
// describes them (sections 15-25; the table of the brief).
var famSpecs = []*famSpec{
	{ // 15: settings-catalog shape, 200 + collection [SDK]
		coll: CollCompliancePolicies, entity: "deviceManagementCompliancePolicy", assignEntity: "deviceManagementConfigurationPolicyAssignment",
		fefService: "DeviceConfigV2/DCV2GraphService", types: []string{"#microsoft.graph.deviceManagementCompliancePolicy"}, nameProp: "name",
		members:     []string{"createdDateTime", "creationSource", "description", "lastModifiedDateTime", "name", "platforms", "roleScopeTagIds", "settingCount", "technologies", "id"},
		defaults:    map[string]any{"creationSource": nil, "platforms": "none", "settingCount": 0, "technologies": "none"},
		navs:        []string{"settings", "scheduledActionsForRule"},
		assignParam: "assignments", answer200: true, source: true, kinds: deviceTargetTypes, filters: filterDevices,
		postVerified: true, // POST …/assignments as configurationPolicies: outside the AssignmentsPostUnsupported defaults
	},
	{ // 16
		coll: CollDeviceManagementScripts, entity: "deviceManagementScript", assignEntity: "deviceManagementScriptAssignment",
		fefService: "SideCar/StatelessSideCarFEService", types: []string{"#microsoft.graph.deviceManagementScript"},
		members:     append(slices.Clone(scriptMembers), "enforceSignatureCheck", "runAs32Bit"),
		defaults:    map[string]any{"scriptContent": nil, "runAsAccount": "system", "fileName": nil, "enforceSignatureCheck": false, "runAs32Bit": false},
		navs:        []string{"groupAssignments", "runSummary", "deviceRunStates", "userRunStates"},
		assignParam: "deviceManagementScriptAssignments", assignIgnored: []string{"deviceManagementScriptGroupAssignments"},
		hiddenSource: true, kinds: gxu, filters: filterNone,
	},
	{
		coll: CollDeviceShellScripts, entity: "deviceShellScript", assignEntity: "deviceManagementScriptAssignment",
		fefService: "SideCar/StatelessSideCarFEService", types: []string{"#microsoft.graph.deviceShellScript"},
		members:     append([]string{"executionFrequency", "retryCount", "blockExecutionNotifications"}, scriptMembers...),
		defaults:    map[string]any{"executionFrequency": "PT0S", "retryCount": 0, "blockExecutionNotifications": false, "scriptContent": nil, "runAsAccount": "system", "fileName": nil},
		navs:        []string{"groupAssignments", "runSummary", "deviceRunStates", "userRunStates"},
		assignParam: "deviceManagementScriptAssignments", assignIgnored: []string{"deviceManagementScriptGroupAssignments"},
		kinds: gxu, filters: filterNone,
	},
	{
		coll: CollDeviceCustomAttributeShellScripts, entity: "deviceCustomAttributeShellScript", assignEntity: "deviceManagementScriptAssignment",
		fefService: "SideCar/StatelessSideCarFEService", types: []string{"#microsoft.graph.deviceCustomAttributeShellScript"},
		members:     append([]string{"customAttributeName", "customAttributeType"}, scriptMembers...),
		defaults:    map[string]any{"customAttributeName": nil, "customAttributeType": "string", "scriptContent": nil, "runAsAccount": "system", "fileName": nil},
		navs:        []string{"groupAssignments", "runSummary", "deviceRunStates", "userRunStates"},
		assignParam: "deviceManagementScriptAssignments",
		kinds:       gxu, filters: filterNone, // filters: not in MEM's list, assumed none [INF]
	},
	{ // 17
		coll: CollWindowsFeatureUpdateProfiles, entity: "windowsFeatureUpdateProfile", assignEntity: "windowsFeatureUpdateProfileAssignment",
		fefService: "DeviceConfiguration/StatelessDeviceConfigurationFEService", types: []string{"#microsoft.graph.windowsFeatureUpdateProfile"},
		members:     []string{"id", "displayName", "description", "featureUpdateVersion", "createdDateTime", "lastModifiedDateTime", "roleScopeTagIds"},
		defaults:    map[string]any{"featureUpdateVersion": nil},
		assignParam: "assignments", kinds: gx, filters: filterNone,
	},
	{
		coll: CollWindowsQualityUpdateProfiles, entity: "windowsQualityUpdateProfile", assignEntity: "windowsQualityUpdateProfileAssignment",
		fefService: "DeviceConfiguration/StatelessDeviceConfigurationFEService", types: []string{"#microsoft.graph.windowsQualityUpdateProfile"},
		members: updateMembers, assignParam: "assignments", kinds: gx, filters: filterNone,
	},
	{
		coll: CollWindowsQualityUpdatePolicies, entity: "windowsQualityUpdatePolicy", assignEntity: "windowsQualityUpdatePolicyAssignment",
		fefService: "DeviceConfiguration/StatelessDeviceConfigurationFEService", types: []string{"#microsoft.graph.windowsQualityUpdatePolicy"},
		members: append(slices.Clone(updateMembers), "hotpatchEnabled"), defaults: map[string]any{"hotpatchEnabled": false},
		assignParam: "assignments", kinds: gx, filters: filterNone,
	},
	{
		coll: CollWindowsDriverUpdateProfiles, entity: "windowsDriverUpdateProfile", assignEntity: "windowsDriverUpdateProfileAssignment",
		fefService: "DeviceConfiguration/StatelessDeviceConfigurationFEService", types: []string{"#microsoft.graph.windowsDriverUpdateProfile"},
		members:     []string{"id", "displayName", "description", "approvalType", "deploymentDeferralInDays", "createdDateTime", "lastModifiedDateTime", "roleScopeTagIds"},
		defaults:    map[string]any{"approvalType": "manual", "deploymentDeferralInDays": nil},
		assignParam: "assignments", kinds: gx, filters: filterNone,
	},
	{ // 18
		coll: CollDeviceEnrollmentConfigurations, entity: "deviceEnrollmentConfiguration", assignEntity: "enrollmentConfigurationAssignment",
		fefService: "Enrollment/StatelessEnrollmentFEService", abstract: true,
		types: []string{"#microsoft.graph.windows10EnrollmentCompletionPageConfiguration", "#microsoft.graph.deviceEnrollmentLimitConfiguration",
			"#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration", "#microsoft.graph.deviceEnrollmentPlatformRestrictionConfiguration",
			"#microsoft.graph.deviceEnrollmentWindowsHelloForBusinessConfiguration", "#microsoft.graph.deviceEnrollmentNotificationConfiguration",
			"#microsoft.graph.deviceComanagementAuthorityConfiguration", "#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration"},
		members:     []string{"@odata.type", "id", "displayName", "description", "priority", "createdDateTime", "lastModifiedDateTime", "version", "roleScopeTagIds", "deviceEnrollmentConfigurationType"},
		defaults:    map[string]any{"priority": 1, "version": 1, "deviceEnrollmentConfigurationType": "unknown"},
		assignParam: "enrollmentConfigurationAssignments", source: true, kinds: gxu, filters: filterDevices,
	},
	{ // 24
		coll: CollIntents, entity: "deviceManagementIntent", assignEntity: "deviceManagementIntentAssignment",
		fefService: "DeviceIntent/StatelessDeviceIntentFEService", types: []string{"#microsoft.graph.deviceManagementIntent"},
		members:     []string{"id", "displayName", "description", "isAssigned", "isMigratingToConfigurationPolicy", "lastModifiedDateTime", "templateId", "roleScopeTagIds"},
		defaults:    map[string]any{"isMigratingToConfigurationPolicy": false, "templateId": nil},
		navs:        []string{"settings", "categories"},
		assignParam: "assignments", kinds: gxu, filters: filterNone, // targets standard [INF]; security baselines: no filters [DOC MEM]
	},
	{ // 20
		coll: CollIosManagedAppProtections, entity: "iosManagedAppProtection", assignEntity: "targetedManagedAppPolicyAssignment",
		fefService: "MAM/StatelessMAMFEService", types: []string{"#microsoft.graph.iosManagedAppProtection"},
		members: mamMembers, defaults: mamDefaultsFunc(), navs: []string{"apps", "deploymentSummary"},
		assignParam: "assignments", source: true, kinds: gx, kindsObserved: true, filters: filterApps, postRefused: true,
	},
	{
		coll: CollAndroidManagedAppProtections, entity: "androidManagedAppProtection", assignEntity: "targetedManagedAppPolicyAssignment",
		fefService: "MAM/StatelessMAMFEService", types: []string{"#microsoft.graph.androidManagedAppProtection"},
		members: mamMembers, defaults: mamDefaultsFunc(), navs: []string{"apps", "deploymentSummary"},
		assignParam: "assignments", source: true, kinds: gx, kindsObserved: true, filters: filterApps, postRefused: true,
	},
	{
		coll: CollWindowsManagedAppProtections, entity: "windowsManagedAppProtection", assignEntity: "targetedManagedAppPolicyAssignment",
		fefService: "MAM/StatelessMAMFEService", types: []string{"#microsoft.graph.windowsManagedAppProtection"},
		members: mamMembers, defaults: mamDefaultsFunc(), navs: []string{"apps"},
		assignParam: "assignments", source: true, kinds: gx, kindsObserved: true, filters: filterApps, postRefused: true,
	},
	{
		coll: CollTargetedManagedAppConfigurations, entity: "targetedManagedAppConfiguration", assignEntity: "targetedManagedAppPolicyAssignment",
		fefService: "MAM/StatelessMAMFEService", types: []string{"#microsoft.graph.targetedManagedAppConfiguration"},
		members:     append(slices.Clone(mamMembers), "customSettings", "deployedAppCount", "appGroupType"),
		defaults:    map[string]any{"version": "1", "customSettings": []any{}, "deployedAppCount": 0, "appGroupType": "selectedPublicApps"},
		navs:        []string{"apps", "deploymentSummary", "settings"},
		assignParam: "assignments", source: true, kinds: gx, filters: filterApps,
	},
	{ // 21
		coll: CollMobileAppConfigurations, entity: "managedDeviceMobileAppConfiguration", assignEntity: "managedDeviceMobileAppConfigurationAssignment",
		fefService: "AppConfiguration/StatelessAppConfigurationFEService", abstract: true,
		types:       []string{"#microsoft.graph.iosMobileAppConfiguration", "#microsoft.graph.androidManagedStoreAppConfiguration"},
		members:     []string{"@odata.type", "id", "targetedMobileApps", "roleScopeTagIds", "createdDateTime", "description", "lastModifiedDateTime", "displayName", "version"},
		defaults:    map[string]any{"targetedMobileApps": []any{}, "version": 1},
		navs:        []string{"deviceStatuses", "userStatuses"},
		assignParam: "assignments", hiddenSource: true, kinds: gxu, filters: filterDevices,
		assignCast: "managedDeviceMobileAppConfiguration", postRefused: true,
	},
	{ // 23
		coll: CollWindowsAutopilotDeploymentProfiles, entity: "windowsAutopilotDeploymentProfile", assignEntity: "windowsAutopilotDeploymentProfileAssignment",
		fefService: "Enrollment/StatelessEnrollmentFEService", abstract: true,
		types:    []string{"#microsoft.graph.azureADWindowsAutopilotDeploymentProfile", "#microsoft.graph.activeDirectoryWindowsAutopilotDeploymentProfile"},
		members:  []string{"@odata.type", "id", "displayName", "description", "language", "createdDateTime", "lastModifiedDateTime", "deviceNameTemplate", "deviceType", "enableWhiteGlove", "roleScopeTagIds"},
		defaults: map[string]any{"language": nil, "deviceNameTemplate": nil, "deviceType": "windowsPc", "enableWhiteGlove": false},
		navs:     []string{"assignedDevices"},
		source:   true, kinds: gxd, filters: filterNone, deviceIDs: true, noPatch: true, postVerified: true, idSuffix: "_0",
	},
	{
		coll: CollTermsAndConditions, entity: "termsAndConditions", assignEntity: "termsAndConditionsAssignment",
		fefService: "CompanyTerms/StatelessCompanyTermsFEService", types: []string{"#microsoft.graph.termsAndConditions"},
		members:  []string{"id", "createdDateTime", "lastModifiedDateTime", "displayName", "description", "title", "bodyText", "acceptanceStatement", "version", "roleScopeTagIds"},
		defaults: map[string]any{"title": nil, "bodyText": nil, "acceptanceStatement": nil, "version": 1},
		navs:     []string{"acceptanceStatuses", "groupAssignments"},
		kinds:    []string{TargetGroup, TargetAllLicensedUser, TargetConfigMgrColl}, filters: filterNone, noAssign: true, noPatch: true, postVerified: true,
	},
	{ // 25
		coll: CollCloudPcProvisioningPolicies, entity: "cloudPcProvisioningPolicy", assignEntity: "cloudPcProvisioningPolicyAssignment",
		fefService: "CloudPC/StatelessCloudPCFEService", types: []string{"#microsoft.graph.cloudPcProvisioningPolicy"},
		members:     []string{"id", "displayName", "description", "createdDateTime", "lastModifiedDateTime", "imageId", "imageType", "provisioningType", "enableSingleSignOn", "localAdminEnabled", "managedBy"},
		defaults:    map[string]any{"imageId": nil, "imageType": "gallery", "provisioningType": "dedicated", "enableSingleSignOn": false, "localAdminEnabled": false, "managedBy": "windows365"},
		assignParam: "assignments", cloudPc: true, kinds: []string{TargetCloudPcGroup}, filters: filterNone,
	},
	{
		coll: CollCloudPcUserSettings, entity: "cloudPcUserSetting", assignEntity: "cloudPcUserSettingAssignment",
		fefService: "CloudPC/StatelessCloudPCFEService", types: []string{"#microsoft.graph.cloudPcUserSetting"},
		members:     []string{"id", "displayName", "createdDateTime", "lastModifiedDateTime", "localAdminEnabled", "resetEnabled", "selfServiceEnabled"},
		defaults:    map[string]any{"localAdminEnabled": false, "resetEnabled": false, "selfServiceEnabled": false},
		assignParam: "assignments", cloudPc: true, groupIDOnly: true, kinds: []string{TargetCloudPcGroup}, filters: filterNone,
	},
	mobileAppsSpec,          // 22 (graph_apps.go)
	deviceHealthScriptsSpec, // 19 (graph_apps.go)
}

// newFamilies are the policyFamily records of famSpecs, in that order.
var newFamilies = buildFamilies()

func buildFamilies() []*policyFamily {
	out := make([]*policyFamily, 0, len(famSpecs))
	for _, sp := range famSpecs {
		out = append(out, sp.family())
	}
	return out
}

// family builds the policyFamily of a spec.
func (sp *famSpec) family() *policyFamily {
	path := strings.TrimPrefix(sp.coll, "/")
	var selectable []string
	for _, m := range sp.members {
		if m != "@odata.type" {
			selectable = append(selectable, m)
		}
	}
	navs := append([]string{"assignments"}, sp.navs...)
	f := &policyFamily{
		entity:       sp.entity,
		path:         path,
		assignEntity: sp.assignEntity,
		fefService:   sp.fefService,
		selectable:   append(selectable, navs...),
		navs:         navs,
		assignProps:  []string{"id", "target"},

		collectionCastIsBad: true,
		itemCastTemplate:    true,
		unemulatedNavs:      sp.navs, // served only as $expand, empty

		concreteType: !sp.abstract,
		nameProp:     sp.nameProp,

		deleteStatus:   http.StatusNoContent,
		createLocation: true,

		assignParam:             sp.assignParam,
		assignIgnoredParams:     sp.assignIgnored,
		assignSource:            sp.source,
		rereadAssignment:        true,
		assignItemSelectContext: true,

		assignNoContent:      !sp.answer200,
		assignCast:           sp.assignCast,
		noAssignAction:       sp.noAssign,
		assignDeviceIDs:      sp.deviceIDs,
		noAssignmentPatch:    sp.noPatch,
		assignPostRefused:    sp.postRefused,
		assignPostUnverified: !sp.postRefused && !sp.postVerified,
		hiddenSource:         sp.hiddenSource,
		targetKinds:          sp.kinds,
		targetKindsObserved:  sp.kindsObserved,
		filterKind:           sp.filters,
		assignIDSuffix:       sp.idSuffix,

		store:           func(s *Server) policyStore { return storeOf[*genericPolicy]{s.generic[path]} },
		defaultType:     sp.types[0],
		canonicalType:   sp.canonicalType,
		validateProps:   sp.validateProps,
		insert:          sp.insert,
		update:          sp.update,
		assignmentJSON:  (*Server).intuneAssignmentJSON,
		parseAssignment: parseIntuneAssignment,
		duplicateAssign: duplicateTargetReason,
		seedAssignment:  seedIntuneAssignment,
	}
	if sp.source {
		f.assignProps = sourcedAssignmentProps
	}
	if sp.noAssign || sp.deviceIDs {
		f.assignParam = ""
	}
	if sp.customize != nil {
		sp.customize(f)
	}
	if sp.cloudPc {
		f.targetTypes = cloudPcTargetTypes
		f.parseTarget = parseCloudPcTarget
		f.targetJSON = cloudPcTargetJSON
		if sp.groupIDOnly {
			f.targetMembersOnly = []string{"groupId"}
		}
	}
	return f
}

// canonicalType maps a payload's @odata.type onto one of the family's types.
func (sp *famSpec) canonicalType(raw string) (string, error) {
	if t, ok := canonicalType(raw, sp.types); ok {
		return t, nil
	}
	if sp.abstract {
		return "", odataErr("The type '%s' is not compatible with the abstract type 'microsoft.graph.%s': expected one of %s.", strings.TrimPrefix(raw, "#"), sp.entity, strings.Join(sp.types, ", "))
	}
	return "", odataErr("The type '%s' is not compatible with the expected type '%s'.", strings.TrimPrefix(raw, "#"), sp.types[0][1:])
}

// seedType maps a seeded type onto one of the family's types: the wire
// name with or without '#', or the bare name ("win32LobApp").
func (sp *famSpec) seedType(raw string) (string, bool) {
	if t, ok := canonicalType(raw, sp.types); ok {
		return t, true
	}
	return canonicalType("microsoft.graph."+strings.TrimPrefix(strings.TrimSpace(raw), "#"), sp.types)
}

// name is the member naming a policy.
func (sp *famSpec) name() string {
	if sp.nameProp == "" {
		return "displayName"
	}
	return sp.nameProp
}

// validateProps checks the modelled members of a create/PATCH payload;
// the others (the entity's own settings, not modelled) are accepted as
// sent and answered back [INF], as compliance policies' derived members are.
func (sp *famSpec) validateProps(m map[string]any, typ string, strict bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		var err error
		switch k {
		case "@odata.type", "id", "createdDateTime", "lastModifiedDateTime", "assignments", "isAssigned":
			continue
		case sp.name(), "description":
			err = checkKind(k, v, pkString, typ)
		case "roleScopeTagIds":
			err = checkKind(k, v, pkStringArray, typ)
		default:
			if vals, ok := sp.enums[k]; ok {
				if err = checkEnum(k, v, vals); err != nil {
					return nil, err
				}
				break
			}
			if strings.Contains(k, "@odata.") || slices.Contains(sp.navs, k) {
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// apply stores validated members.
func (p *genericPolicy) apply(props map[string]any) {
	for k, v := range props {
		switch k {
		case p.spec.name():
			p.name, _ = v.(string)
		case "description":
			p.description = v
		case "roleScopeTagIds":
			p.roleScopeTagIDs, _ = v.([]any)
		default:
			if p.extra == nil {
				p.extra = map[string]any{}
			}
			p.extra[k] = v
		}
	}
}

func (sp *famSpec) insert(s *Server, typ string, props map[string]any, _ bool) (policy, error) {
	now := time.Now()
	p := &genericPolicy{policyCore: policyCore{id: newGUID(), odataType: typ}, spec: sp, created: now, modified: now}
	p.apply(props)
	s.generic[strings.TrimPrefix(sp.coll, "/")].put(p.id, p)
	return p, nil
}

func (sp *famSpec) update(_ *Server, pol policy, props map[string]any, strict bool) error {
	if err := emptyName(props, sp.name(), strict); err != nil {
		return err
	}
	p := pol.(*genericPolicy)
	p.apply(props)
	p.modified = time.Now()
	return nil
}

// json renders the policy in the member order of its family; members the
// model lacks follow, sorted by name. isAssigned is computed from the
// assignments a read sees. Caller holds s.mu.
func (p *genericPolicy) json() obj {
	var o obj
	seen := map[string]bool{}
	for _, m := range p.spec.members {
		seen[m] = true
		var v any
		switch m {
		case "@odata.type":
			v = p.odataType
		case "id":
			v = p.id
		case p.spec.name():
			v = p.name
		case "description":
			v = p.description
		case "createdDateTime":
			v = fmtTime(p.created)
		case "lastModifiedDateTime":
			v = fmtTime(p.modified)
		case "roleScopeTagIds":
			if p.roleScopeTagIDs == nil {
				v = []any{"0"}
			} else {
				v = p.roleScopeTagIDs
			}
		case "isAssigned":
			v = len(p.lag.visible(p.assigns)) > 0
		case "deviceEnrollmentConfigurationType":
			v = enrollmentConfigurationType(p.odataType)
		default:
			if x, ok := p.extra[m]; ok {
				v = x
			} else {
				v = p.spec.defaults[m]
			}
		}
		o = append(o, kv{m, v})
	}
	keys := make([]string, 0, len(p.extra))
	for k := range p.extra {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		o = append(o, kv{k, p.extra[k]})
	}
	return o
}

// enrollmentConfigurationType is deviceEnrollmentConfigurationType by
// derived type [SDK enum deviceEnrollmentConfigurationType; mapping INF].
func enrollmentConfigurationType(typ string) string {
	switch strings.TrimPrefix(typ, "#microsoft.graph.") {
	case "windows10EnrollmentCompletionPageConfiguration":
		return "windows10EnrollmentCompletionPageConfiguration"
	case "deviceEnrollmentLimitConfiguration":
		return "limit"
	case "deviceEnrollmentPlatformRestrictionsConfiguration":
		return "platformRestrictions"
	case "deviceEnrollmentPlatformRestrictionConfiguration":
		return "singlePlatformRestriction"
	case "deviceEnrollmentWindowsHelloForBusinessConfiguration":
		return "windowsHelloForBusiness"
	case "deviceEnrollmentNotificationConfiguration":
		return "enrollmentNotificationsConfiguration"
	case "deviceComanagementAuthorityConfiguration":
		return "deviceComanagementAuthorityConfiguration"
	case "windowsRestoreDeviceEnrollmentConfiguration":
		return "windowsRestore"
	}
	return "unknown"
}

// --- the rules on targets and filters ---------------------------------------

// checkTargetRules applies, to a parsed assignment of a write, the target
// kinds and filters of f (G6, G7; nothing for the first five).
func (s *Server) checkTargetRules(f *policyFamily, a Assignment) error {
	t := a.Target
	if f.targetKinds != nil {
		if _, modelled := canonicalType(t.ODataType, f.modelledTargets()); modelled && !slices.Contains(f.targetKinds, t.ODataType) {
			switch {
			case f.targetKindsObserved:
				// [OBS] CIPP#4677, verbatim
				return serviceErr("Unsupported AssignmentTarget. Group assignments contain classes other than GroupAssignmentTarget and ExclusionGroupTarget")
			case !s.cfg.AcceptAnyTargetKind:
				// [INF] Config.AcceptAnyTargetKind
				return serviceErr("The assignment target type '%s' is not supported for %s assignments.", strings.TrimPrefix(t.ODataType, "#"), f.entity)
			}
		}
	}
	if f.targetMembersOnly != nil && !s.cfg.AcceptAnyTargetKind && (t.ServicePlanID != "" || t.AllotmentDisplayName != "" || t.AllotmentLicensesCount != 0) {
		// [INF] user settings document groupId only; Config.AcceptAnyTargetKind
		return serviceErr("Only groupId may be set on the assignment target of %s.", f.entity)
	}
	if t.FilterID == "" {
		return nil
	}
	switch f.filterKind {
	case filterNone:
		if !s.cfg.AcceptUnsupportedFilters {
			// [INF] the product docs list the workload without filters; Config.AcceptUnsupportedFilters
			return serviceErr("Assignment filters are not supported for %s assignments (filter '%s').", f.entity, t.FilterID)
		}
	case filterDevices, filterApps:
		s.mu.Lock()
		flt, known := s.assignFilters.get(t.FilterID)
		var mt, dn string
		if known {
			mt, dn = flt.managementType, flt.displayName
		}
		s.mu.Unlock()
		if mt == "" {
			mt = filterDevices
		}
		if known && !strings.EqualFold(mt, f.filterKind) && !s.cfg.IgnoreFilterManagementType {
			// [INF] G7; Config.IgnoreFilterManagementType
			return serviceErr("Assignment filter '%s' (%s) has assignmentFilterManagementType '%s'; %s assignments need a filter of type '%s'.", t.FilterID, dn, mt, f.entity, f.filterKind)
		}
	}
	return nil
}

// policyAssignDevices implements the Autopilot profiles' assign action
// (G4): {"deviceIds":[…]} assigns the profile to devices, not groups; an
// assignments body is a 400. The emulator answers 204 and changes no group
// assignment.
func (s *Server) policyAssignDevices(c *reqCtx, f *policyFamily, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	for k := range m {
		if k != "deviceIds" && (strict || k == "assignments") {
			c.validationFailed(odataErr("The parameter '%s' in the request payload is not a valid parameter for the operation 'assign'.", k))
			return
		}
	}
	ids, isArr := m["deviceIds"].([]any)
	if !isArr {
		c.validationFailed(odataErr("The parameter 'deviceIds' must be a JSON array."))
		return
	}
	for _, id := range ids {
		if _, isStr := id.(string); !isStr {
			c.validationFailed(odataErr("Each of 'deviceIds' must be a string."))
			return
		}
	}
	c.writeNoContent(http.StatusNoContent)
}

// --- seeding / inspection API ---------------------------------------------

// familyOf is the family of a collection path ("/deviceManagement/intents",
// with or without /beta and slashes), nil if none.
func familyOf(collection string) *policyFamily {
	p := normCollectionPath(collection)
	for _, f := range policyFamilies() {
		if strings.EqualFold(p, f.path) {
			return f
		}
	}
	return nil
}

// specOf is the famSpec of a family beyond the first five, nil for the first five.
func specOf(f *policyFamily) *famSpec {
	for _, x := range famSpecs {
		if strings.EqualFold(strings.TrimPrefix(x.coll, "/"), f.path) {
			return x
		}
	}
	return nil
}

// AddPolicy stores a policy of any family (the Coll… constants, the first
// five included) directly and returns its id. An unknown collection panics.
func (s *Server) AddPolicy(collection string, p Policy) string {
	f := familyOf(collection)
	switch f {
	case nil:
		panic(fmt.Sprintf("emulator: AddPolicy: unknown collection %q", collection))
	case deviceFamily:
		return s.AddDeviceConfiguration(DeviceConfiguration{ID: p.ID, ODataType: p.ODataType, DisplayName: p.DisplayName})
	case officeFamily:
		return s.AddOfficeClientConfiguration(OfficeClientConfiguration{ID: p.ID, ODataType: p.ODataType, DisplayName: p.DisplayName})
	case complianceFamily:
		return s.AddDeviceCompliancePolicy(DeviceCompliancePolicy{ID: p.ID, ODataType: p.ODataType, DisplayName: p.DisplayName})
	case configPolicyFamily:
		return s.AddConfigurationPolicy(ConfigurationPolicy{ID: p.ID, Name: p.DisplayName})
	case groupPolicyFamily:
		return s.AddGroupPolicyConfiguration(GroupPolicyConfiguration{ID: p.ID, DisplayName: p.DisplayName})
	}
	sp := specOf(f)
	typ := sp.types[0]
	if p.ODataType != "" {
		if t, ok := sp.seedType(p.ODataType); ok {
			typ = t
		} else if typ = p.ODataType; !strings.HasPrefix(typ, "#") {
			typ = "#" + typ
		}
	}
	if p.ID == "" {
		p.ID = newGUID()
	}
	now := time.Now()
	gp := &genericPolicy{policyCore: policyCore{id: p.ID, odataType: typ}, spec: sp, created: now, modified: now, name: p.DisplayName}
	if props, err := checkExtra("AddPolicy Props", p.Props, nil); err != nil {
		panic(err.Error())
	} else {
		gp.apply(props)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.generic[f.path].put(p.ID, gp)
	return p.ID
}

// DeletePolicy removes a policy of any family; it reports whether it
// existed (false for an unknown collection).
func (s *Server) DeletePolicy(collection, id string) bool {
	f := familyOf(collection)
	if f == nil {
		return false
	}
	return s.deletePolicy(f, id)
}

// PolicyAssignments returns copies of the current assignments of a policy
// of any family, in stored order; ok is false for an unknown collection or
// policy. Families without source on the wire keep Source "policySets" and
// SourceID of seeded policy-set assignments (G8) and "" for the others.
func (s *Server) PolicyAssignments(collection, id string) ([]Assignment, bool) {
	f := familyOf(collection)
	if f == nil {
		return nil, false
	}
	return s.policyAssignments(f, id)
}

// SetPolicyAssignments overwrites a policy's assignments verbatim, as the
// Set…Assignments methods do (drift, policy-set assignments): empty ids are
// computed, only the target type and Extra members are checked, the family's
// target-kind and filter rules are not. On deviceManagementScripts and
// mobileAppConfigurations, whose assignments answer no source, Source
// "policySets" (with SourceID) marks an assignment a policy set made (G8);
// other sourceless families drop Source.
func (s *Server) SetPolicyAssignments(collection, id string, as []Assignment) error {
	f := familyOf(collection)
	if f == nil {
		return fmt.Errorf("emulator: unknown collection %q", collection)
	}
	return s.setPolicyAssignments(f, id, as)
}
