package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Settings-catalog policies (internal/graph/NOTES.md#settings-catalog):
// deviceManagement/configurationPolicies. The entity type is concrete (no
// @odata.type on reads or required on create), its name member is "name",
// lists page at 25 with a Cosmos DB-style $skiptoken
// (internal/graph/NOTES.md#paging), and $expand=assignments is often answered
// empty (internal/graph/NOTES.md#expanding-assignments). Assignments carry
// source/sourceId but no intent.

const (
	configPolicyType = "#microsoft.graph.deviceManagementConfigurationPolicy"

	// DefaultConfigurationPoliciesPageSize is the page size of
	// configurationPolicies lists (internal/graph/NOTES.md#paging).
	DefaultConfigurationPoliciesPageSize = 25
)

// Values of Config.ConfigurationPoliciesExpandAssignments
// (internal/graph/NOTES.md#expanding-assignments).
const (
	// ConfigPoliciesExpandListEmpty (the default): lists answer
	// "assignments": [], item GETs expand them.
	ConfigPoliciesExpandListEmpty = "list_empty"
	// ConfigPoliciesExpandItemEmpty: item GETs of policies whose
	// templateFamily starts with "endpointSecurity" answer "assignments": [],
	// lists expand them.
	ConfigPoliciesExpandItemEmpty = "item_empty"
	// ConfigPoliciesExpandAlwaysEmpty: lists and items answer "assignments": [].
	ConfigPoliciesExpandAlwaysEmpty = "always_empty"
	// ConfigPoliciesExpandPopulated: lists and items expand them.
	ConfigPoliciesExpandPopulated = "populated"
)

var configPoliciesExpandModes = []string{ConfigPoliciesExpandListEmpty, ConfigPoliciesExpandItemEmpty, ConfigPoliciesExpandAlwaysEmpty, ConfigPoliciesExpandPopulated}

// configPolicyTips is the "@microsoft.graph.tips" of a list without $select
// (internal/graph/NOTES.md#settings-catalog).
const configPolicyTips = "This request only returns a subset of the resource's properties. Your app will need to use $select to return non-default properties. To find out what other properties are available for this resource see https://learn.microsoft.com/graph/api/resources/intune-deviceconfigv2-devicemanagementconfigurationpolicy"

// Flag enumeration members (internal/graph/NOTES.md#settings-catalog).
var (
	configPlatforms    = []string{"none", "android", "iOS", "macOS", "windows10X", "windows10", "linux", "unknownFutureValue", "androidEnterprise", "aosp", "visionOS", "tvOS"}
	configTechnologies = []string{"none", "mdm", "windows10XManagement", "configManager", "intuneManagementExtension", "thirdParty", "documentGateway", "appleRemoteManagement", "microsoftSense", "exchangeOnline", "mobileApplicationManagement", "linuxMdm", "enrollment", "endpointPrivilegeManagement", "unknownFutureValue", "windowsOsRecovery", "android", "extensibility"}
)

// ConfigurationPolicy seeds a settings-catalog policy
// (AddConfigurationPolicy). ID "" => new GUID; Platforms and Technologies are
// flag values such as "windows10" or "mdm,appleRemoteManagement" ("" =>
// "none"); TemplateFamily "" => "none" (e.g. "endpointSecurityAntivirus"; the
// item_empty mode of internal/graph/NOTES.md#expanding-assignments keys on
// it).
type ConfigurationPolicy struct {
	ID, Name, Description, Platforms, Technologies, TemplateFamily string
}

// settingsPolicy is a stored deviceManagementConfigurationPolicy.
type settingsPolicy struct {
	policyCore
	created, modified time.Time
	name              string
	description       any // string or nil
	platforms         string
	technologies      string
	creationSource    any   // string or nil
	roleScopeTagIDs   []any // nil => ["0"]
	priority          obj   // priorityMetaData; nil => null
	disableEntra      bool  // disableEntraGroupPolicyAssignment
	template          templateRef
	settings          []any // the settingInstance of each setting, as posted
}

// templateRef is a deviceManagementConfigurationPolicyTemplateReference.
type templateRef struct {
	id, family                  string
	displayName, displayVersion any // string or nil
}

// configPolicyNavs are the navigations
// (internal/graph/NOTES.md#settings-catalog).
var configPolicyNavs = []string{"assignments", "settings"}

// configPolicyProps are the members of a plain read, in the order of real
// reads (internal/graph/NOTES.md#settings-catalog); isAssigned and
// disableEntraGroupPolicyAssignment are answered only when $select names them.
var configPolicyProps = []string{
	"createdDateTime", "creationSource", "description", "lastModifiedDateTime", "name", "platforms",
	"priorityMetaData", "roleScopeTagIds", "settingCount", "technologies", "id", "templateReference",
}

// configPolicyFamily is deviceManagement/configurationPolicies for the
// shared policy handlers.
var configPolicyFamily = &policyFamily{
	entity:       "deviceManagementConfigurationPolicy",
	path:         "deviceManagement/configurationPolicies",
	assignEntity: "deviceManagementConfigurationPolicyAssignment",
	fefService:   "DeviceConfigV2/DCV2GraphService", // as in captured errors
	selectable:   append(append(slices.Clone(configPolicyProps), "isAssigned", "disableEntraGroupPolicyAssignment"), configPolicyNavs...),
	navs:         configPolicyNavs,
	assignProps:  sourcedAssignmentProps,

	collectionCastIsBad: true,
	itemCastTemplate:    true,
	unemulatedNavs:      []string{"settings"}, // only $expand=settings is served (internal/graph/NOTES.md#settings-catalog)

	concreteType: true,
	nameProp:     "name",
	selectOnly:   configPolicySelectOnly,
	listTips:     configPolicyTips,
	listPage:     configPolicyPage,
	expandNav:    configPolicyExpandNav,
	expandEmpty:  configPolicyExpandEmpty,

	deleteStatus:   http.StatusNoContent,
	createLocation: true,

	assignParam:             "assignments",
	assignSource:            true,
	rereadAssignment:        true,
	assignItemSelectContext: true,

	store:           func(s *Server) policyStore { return storeOf[*settingsPolicy]{s.configPolicies} },
	defaultType:     configPolicyType,
	canonicalType:   exactType(configPolicyType),
	validateProps:   validateConfigPolicyProps,
	insert:          insertConfigPolicy,
	update:          updateConfigPolicy,
	assignmentJSON:  (*Server).intuneAssignmentJSON,
	parseAssignment: parseIntuneAssignment,
	duplicateAssign: duplicateTargetReason,
	seedAssignment:  seedIntuneAssignment,
}

// exactType is the canonicalType of a family whose entity type has no
// derived types: a payload's @odata.type must name it.
func exactType(typ string) func(raw string) (string, error) {
	return func(raw string) (string, error) {
		if t, ok := canonicalType(raw, []string{typ}); ok {
			return t, nil
		}
		return "", odataErr("The type '%s' is not compatible with the expected type '%s'.", strings.TrimPrefix(raw, "#"), typ[1:])
	}
}

// json renders the policy as real reads do
// (internal/graph/NOTES.md#settings-catalog): no @odata.type, the member order
// of configPolicyProps, templateReference and priorityMetaData without nested
// @odata.type.
func (p *settingsPolicy) json() obj {
	rst := p.roleScopeTagIDs
	if rst == nil {
		rst = []any{"0"}
	}
	var prio any
	if p.priority != nil {
		prio = p.priority
	}
	return obj{
		{"createdDateTime", fmtTime(p.created)},
		{"creationSource", p.creationSource},
		{"description", p.description},
		{"lastModifiedDateTime", fmtTime(p.modified)},
		{"name", p.name},
		{"platforms", p.platforms},
		{"priorityMetaData", prio},
		{"roleScopeTagIds", rst},
		{"settingCount", len(p.settings)},
		{"technologies", p.technologies},
		{"id", p.id},
		{"templateReference", obj{
			{"templateId", p.template.id},
			{"templateFamily", p.template.family},
			{"templateDisplayName", p.template.displayName},
			{"templateDisplayVersion", p.template.displayVersion},
		}},
	}
}

// configPolicySelectOnly are the members answered only under $select [INF,
// internal/graph/NOTES.md#settings-catalog]: isAssigned is computed from the
// assignments a read sees.
func configPolicySelectOnly(pol policy) obj {
	p := pol.(*settingsPolicy)
	return obj{{"isAssigned", len(p.lag.visible(p.assigns)) > 0}, {"disableEntraGroupPolicyAssignment", p.disableEntra}}
}

// configPolicyPage pages lists at Server.configPolicyPageSize (0: the server's
// page size) with Cosmos DB tokens (internal/graph/NOTES.md#paging). Caller
// holds s.mu.
func configPolicyPage(s *Server) pageSpec {
	return pageSpec{size: s.configPolicyPageSize, token: cosmosSkipToken}
}

// configPolicyExpandNav answers $expand=settings: the settings as posted,
// with ids "0", "1", … (internal/graph/NOTES.md#settings-catalog).
func configPolicyExpandNav(_ *reqCtx, _ *policyFamily, pol policy, e expansion, _ string) []any {
	if e.nav != "settings" {
		return nil
	}
	p := pol.(*settingsPolicy)
	out := make([]any, 0, len(p.settings))
	for i, inst := range p.settings {
		out = append(out, obj{{"id", strconv.Itoa(i)}, {"settingInstance", inst}})
	}
	return out
}

// configPolicyExpandEmpty applies Server.configPolicyExpand
// (internal/graph/NOTES.md#expanding-assignments). Caller holds s.mu.
func configPolicyExpandEmpty(s *Server, pol policy, list bool) bool {
	switch s.configPolicyExpand {
	case ConfigPoliciesExpandPopulated:
		return false
	case ConfigPoliciesExpandAlwaysEmpty:
		return true
	case ConfigPoliciesExpandItemEmpty:
		return !list && strings.HasPrefix(strings.ToLower(pol.(*settingsPolicy).template.family), "endpointsecurity")
	default: // ConfigPoliciesExpandListEmpty
		return list
	}
}

// validateConfigPolicyProps checks a create/PATCH payload and returns the
// writable members, converted: platforms/technologies canonical flag
// strings, templateReference a templateRef, priorityMetaData an obj (or
// nil), settings the setting instances.
func validateConfigPolicyProps(m map[string]any, typ string, strict bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		var err error
		switch k {
		case "@odata.type", "id", "createdDateTime", "lastModifiedDateTime", "settingCount", "isAssigned", "assignments":
			continue
		case "name", "description", "creationSource":
			err = checkKind(k, v, pkString, typ)
		case "roleScopeTagIds":
			err = checkKind(k, v, pkStringArray, typ)
		case "disableEntraGroupPolicyAssignment":
			err = checkKind(k, v, pkBool, typ)
		case "platforms":
			v, err = flagValue(k, v, configPlatforms, typ, strict)
		case "technologies":
			v, err = flagValue(k, v, configTechnologies, typ, strict)
		case "templateReference":
			v, err = parseTemplateRef(v, strict)
		case "priorityMetaData":
			v, err = parsePriorityMetaData(v, strict)
		case "settings":
			v, err = parseSettings(v, strict)
		default:
			if strings.Contains(k, "@odata.") {
				continue
			}
			if strict {
				return nil, unknownProperty(k, typ)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// flagValue checks a flag enumeration value ("mdm,appleRemoteManagement"):
// every member known (exact spelling when strict); it returns the value
// with canonical members joined by ",". null is kept (=> "none").
func flagValue(name string, v any, members []string, typ string, strict bool) (any, error) {
	if v == nil {
		return nil, nil
	}
	if err := checkKind(name, v, pkString, typ); err != nil {
		return nil, err
	}
	var parts []string
	for _, p := range strings.Split(v.(string), ",") {
		m, ok := enumMember(strings.TrimSpace(p), members, strict)
		if !ok {
			return nil, odataErr("Requested value '%s' was not found. (property '%s' of '%s')", strings.TrimSpace(p), name, typ[1:])
		}
		parts = append(parts, m)
	}
	return strings.Join(parts, ","), nil
}

// parseTemplateRef reads templateReference. The service derives the family and
// names from the template; the emulator knows no templates and keeps what the
// client sent [INF]: templateFamily "" => "none"
// (internal/graph/NOTES.md#settings-catalog).
func parseTemplateRef(v any, strict bool) (any, error) {
	const typ = "#microsoft.graph.deviceManagementConfigurationPolicyTemplateReference"
	if v == nil {
		return templateRef{family: "none"}, nil
	}
	m, err := complexMembers(v, typ, []string{"templateId", "templateFamily", "templateDisplayName", "templateDisplayVersion"}, strict)
	if err != nil {
		return nil, err
	}
	var t templateRef
	for _, k := range []string{"templateId", "templateFamily", "templateDisplayName", "templateDisplayVersion"} {
		s, has, err := stringField(m, k, typ)
		if err != nil {
			return nil, err
		}
		switch k {
		case "templateId":
			t.id = s
		case "templateFamily":
			t.family = s
		case "templateDisplayName":
			if has {
				t.displayName = s
			}
		case "templateDisplayVersion":
			if has {
				t.displayVersion = s
			}
		}
	}
	if t.family == "" {
		t.family = "none"
	}
	return t, nil
}

// parsePriorityMetaData reads priorityMetaData {priority}; null stays null.
func parsePriorityMetaData(v any, strict bool) (any, error) {
	const typ = "#microsoft.graph.deviceManagementPriorityMetaData"
	if v == nil {
		return obj(nil), nil
	}
	m, err := complexMembers(v, typ, []string{"priority"}, strict)
	if err != nil {
		return nil, err
	}
	var prio any
	if pv := m["priority"]; pv != nil {
		if err := checkKind("priority", pv, pkInt, typ); err != nil {
			return nil, err
		}
		prio = pv
	}
	return obj{{"priority", prio}}, nil
}

// parseSettings reads a settings deep insert: each item an object with a
// settingInstance object, kept as posted (its schema is not modelled).
func parseSettings(v any, strict bool) (any, error) {
	const typ = "#microsoft.graph.deviceManagementConfigurationSetting"
	if v == nil {
		return []any(nil), nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, odataErr("The property 'settings' must be a JSON array.")
	}
	out := make([]any, 0, len(arr))
	for i, sv := range arr {
		m, err := complexMembers(sv, typ, []string{"settingInstance", "settingDefinitions"}, strict)
		if err != nil {
			return nil, err
		}
		inst, ok := m["settingInstance"].(map[string]any)
		if !ok {
			return nil, vErr("settings[%d]: settingInstance is required and must be an object", i)
		}
		out = append(out, inst)
	}
	return out, nil
}

// apply stores validated members (validateConfigPolicyProps).
// templateReference is applied only on create: a policy's template does
// not change [INF].
func (p *settingsPolicy) apply(props map[string]any, create bool) {
	for k, v := range props {
		switch k {
		case "name":
			p.name, _ = v.(string)
		case "description":
			p.description = v
		case "creationSource":
			p.creationSource = v
		case "roleScopeTagIds":
			p.roleScopeTagIDs, _ = v.([]any)
		case "disableEntraGroupPolicyAssignment":
			p.disableEntra, _ = v.(bool)
		case "platforms":
			p.platforms = orDefault(stringOf(v), "none")
		case "technologies":
			p.technologies = orDefault(stringOf(v), "none")
		case "priorityMetaData":
			p.priority, _ = v.(obj)
		case "settings":
			p.settings, _ = v.([]any)
		case "templateReference":
			if create {
				p.template = v.(templateRef)
			}
		}
	}
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// newSettingsPolicy is a policy with the defaults of a create
// (internal/graph/NOTES.md#settings-catalog).
func newSettingsPolicy(id string) *settingsPolicy {
	now := time.Now()
	return &settingsPolicy{
		policyCore: policyCore{id: id, odataType: configPolicyType},
		created:    now, modified: now,
		platforms: "none", technologies: "none",
		template: templateRef{family: "none"},
	}
}

// insertConfigPolicy stores a validated new policy; caller holds s.mu.
func insertConfigPolicy(s *Server, _ string, props map[string]any, _ bool) (policy, error) {
	p := newSettingsPolicy(newGUID())
	p.apply(props, true)
	s.configPolicies.put(p.id, p)
	return p, nil
}

// updateConfigPolicy applies a validated PATCH; caller holds s.mu. settings
// in a PATCH replace the policy's settings [INF].
func updateConfigPolicy(_ *Server, pol policy, props map[string]any, strict bool) error {
	if err := emptyName(props, "name", strict); err != nil {
		return err
	}
	p := pol.(*settingsPolicy)
	p.apply(props, false)
	p.modified = time.Now()
	return nil
}

// --- seeding / inspection API ---------------------------------------------

// AddConfigurationPolicy stores a settings-catalog policy directly (no
// HTTP, no auth) and returns its id. Platforms and Technologies are stored
// as given ("" => "none").
func (s *Server) AddConfigurationPolicy(cp ConfigurationPolicy) string {
	if cp.ID == "" {
		cp.ID = newGUID()
	}
	p := newSettingsPolicy(cp.ID)
	p.name = cp.Name
	if cp.Description != "" {
		p.description = cp.Description
	}
	p.platforms = orDefault(cp.Platforms, "none")
	p.technologies = orDefault(cp.Technologies, "none")
	p.template.family = orDefault(cp.TemplateFamily, "none")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configPolicies.put(cp.ID, p)
	return cp.ID
}

// DeleteConfigurationPolicy removes a settings-catalog policy; it reports
// whether it existed.
func (s *Server) DeleteConfigurationPolicy(id string) bool {
	return s.deletePolicy(configPolicyFamily, id)
}

// ConfigurationPolicyAssignments returns the current assignments of a
// settings-catalog policy, all sources, in stored order; ok is false for an
// unknown policy.
func (s *Server) ConfigurationPolicyAssignments(policyID string) ([]Assignment, bool) {
	return s.policyAssignments(configPolicyFamily, policyID)
}

// SetConfigurationPolicyAssignments overwrites a settings-catalog policy's
// assignments verbatim, including policySets-sourced ones (drift simulation).
// Empty fields get the defaults of internal/graph/NOTES.md#assignments; Intent
// is dropped (settings-catalog assignments have none); only the target type is
// checked.
func (s *Server) SetConfigurationPolicyAssignments(policyID string, as []Assignment) error {
	return s.setPolicyAssignments(configPolicyFamily, policyID, as)
}

// SetConfigurationPoliciesPageSize changes at run time what
// Config.ConfigurationPoliciesPageSize sets at start: 0 restores 25,
// negative uses the server's page size (internal/graph/NOTES.md#paging).
func (s *Server) SetConfigurationPoliciesPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configPolicyPageSize = configPolicyPageSize(n)
}

// configPolicyPageSize resolves Config.ConfigurationPoliciesPageSize: the
// stored size, 0 meaning the server's page size.
func configPolicyPageSize(n int) int {
	switch {
	case n == 0:
		return DefaultConfigurationPoliciesPageSize
	case n < 0:
		return 0
	}
	return n
}

// SetConfigurationPoliciesExpandAssignments changes at run time what
// Config.ConfigurationPoliciesExpandAssignments sets at start: one of
// ConfigPoliciesExpandListEmpty ("" too), ConfigPoliciesExpandItemEmpty,
// ConfigPoliciesExpandAlwaysEmpty, ConfigPoliciesExpandPopulated
// (internal/graph/NOTES.md#expanding-assignments).
func (s *Server) SetConfigurationPoliciesExpandAssignments(mode string) error {
	m, err := configPoliciesExpandMode(mode)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configPolicyExpand = m
	return nil
}

// configPoliciesExpandMode checks a ConfigurationPoliciesExpandAssignments
// value ("" => list_empty).
func configPoliciesExpandMode(mode string) (string, error) {
	if mode == "" {
		return ConfigPoliciesExpandListEmpty, nil
	}
	if !slices.Contains(configPoliciesExpandModes, mode) {
		return "", fmt.Errorf("emulator: configuration policies expand mode %q: want one of %s", mode, strings.Join(configPoliciesExpandModes, ", "))
	}
	return mode, nil
}
