package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// DefaultDeviceConfigurationType is the derived type used when a seeded
// policy has no ODataType.
const DefaultDeviceConfigurationType = "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration"

// DeviceConfiguration seeds a deviceConfiguration policy (AddDeviceConfiguration).
type DeviceConfiguration struct{ ID, ODataType, DisplayName, Description string } // ID "" => new GUID; ODataType default DefaultDeviceConfigurationType

// devicePolicy is a stored deviceConfiguration.
type devicePolicy struct {
	policyCore
	created  time.Time
	modified time.Time
	version  int
	props    map[string]any // client-writable properties (base + derived)
}

// deviceFamily is deviceManagement/deviceConfigurations for the shared
// policy handlers.
var deviceFamily = &policyFamily{
	entity:       "deviceConfiguration",
	path:         "deviceManagement/deviceConfigurations",
	assignEntity: "deviceConfigurationAssignment",
	fefService:   "DeviceConfiguration_2408/StatelessDeviceConfigurationFEService",
	selectable:   selectableDeviceProps(),
	navs:         deviceNavProps,
	assignProps:  assignmentProps,

	collectionCastIsBad: true,
	itemCastTemplate:    true,
	emptyNavs:           []string{"groupAssignments", "deviceStatuses", "userStatuses", "deviceSettingStateSummaries"},
	unemulatedNavs:      []string{"deviceStatusOverview", "userStatusOverview", "getOmaSettingPlainTextValue"},

	deleteStatus:   http.StatusNoContent,
	createLocation: true,

	assignParam:             "assignments",
	assignIgnoredParams:     []string{"deviceConfigurationGroupAssignments"},
	assignSource:            true,
	assignIntent:            true,
	rereadAssignment:        true,
	assignItemSelectContext: true,

	store:           func(s *Server) policyStore { return storeOf[*devicePolicy]{s.devices} },
	defaultType:     DefaultDeviceConfigurationType,
	canonicalType:   canonicalDeviceType,
	validateProps:   validateDeviceProps,
	insert:          insertDevice,
	update:          updateDevice,
	assignmentJSON:  (*Server).intuneAssignmentJSON,
	parseAssignment: parseIntuneAssignment,
	duplicateAssign: duplicateTargetReason,
	seedAssignment:  seedIntuneAssignment,
}

// propKind is the JSON shape a known property accepts.
type propKind int

const (
	pkString propKind = iota + 1
	pkBool
	pkStringArray
	pkObject
	pkInt
)

// Base deviceConfiguration writable properties, in the order real Graph
// emits them (internal/graph/NOTES.md#device-configurations).
var deviceBaseProps = []struct {
	name string
	kind propKind
}{
	{"roleScopeTagIds", pkStringArray},
	{"deviceManagementApplicabilityRuleOsEdition", pkObject},
	{"deviceManagementApplicabilityRuleOsVersion", pkObject},
	{"deviceManagementApplicabilityRuleDeviceMode", pkObject},
	{"description", pkString},
	{"displayName", pkString},
}

// Server-managed properties and navigation properties: accepted in
// payloads (the SDK may echo them) and ignored.
var deviceIgnoredProps = map[string]bool{
	"@odata.type": true, "id": true, "createdDateTime": true, "lastModifiedDateTime": true, "version": true, "supportsScopeTags": true,
	"assignments": true, "groupAssignments": true, "deviceStatuses": true, "userStatuses": true, "deviceStatusOverview": true,
	"userStatusOverview": true, "deviceSettingStateSummaries": true,
}

var deviceNavProps = []string{"assignments", "groupAssignments", "deviceStatuses", "userStatuses", "deviceSettingStateSummaries"}

type propDef struct {
	name string
	kind propKind
}

// deviceDerivedSchemas holds the derived types whose properties the emulator
// knows (internal/graph/NOTES.md#device-configurations); for these, unknown
// properties are rejected in strict mode. Other derived types accept any
// extra property.
var deviceDerivedSchemas = map[string][]propDef{
	"#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration": {
		{"advancedThreatProtectionOnboardingBlob", pkString},
		{"advancedThreatProtectionOnboardingFilename", pkString},
		{"advancedThreatProtectionAutoPopulateOnboardingBlob", pkBool},
		{"allowSampleSharing", pkBool},
		{"enableExpeditedTelemetryReporting", pkBool},
		{"advancedThreatProtectionOffboardingBlob", pkString},
		{"advancedThreatProtectionOffboardingFilename", pkString},
	},
}

// A few well-known derived type names, used to canonicalise the case of an
// incoming @odata.type (internal/graph/NOTES.md#device-configurations).
// Unknown but well-formed names are kept.
var knownDeviceTypes = []string{
	DefaultDeviceConfigurationType,
	"#microsoft.graph.windows10CustomConfiguration",
	"#microsoft.graph.windows10GeneralConfiguration",
	"#microsoft.graph.iosGeneralDeviceConfiguration",
	"#microsoft.graph.macOSCustomConfiguration",
	"#microsoft.graph.windowsUpdateForBusinessConfiguration",
	"#microsoft.graph.windows10EndpointProtectionConfiguration",
}

// canonicalDeviceType normalises a policy @odata.type; the abstract base
// type and malformed names are rejected.
func canonicalDeviceType(in string) (string, error) {
	n := strings.TrimPrefix(strings.TrimSpace(in), "#")
	if t, ok := canonicalType(n, knownDeviceTypes); ok {
		return t, nil
	}
	name, ok := castName(n)
	if !ok || name == "" {
		return "", odataErr("The type '%s' is not a valid type name.", in)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", odataErr("The type '%s' is not a valid type name.", in)
		}
	}
	if strings.EqualFold(name, "deviceConfiguration") {
		return "", odataErr("Cannot create an instance of the abstract type 'microsoft.graph.deviceConfiguration'; specify a derived '@odata.type'.")
	}
	if !strings.HasSuffix(strings.ToLower(name), "configuration") {
		return "", odataErr("The type 'microsoft.graph.%s' is not derived from 'microsoft.graph.deviceConfiguration'.", name)
	}
	return "#microsoft.graph." + name, nil
}

func checkKind(name string, v any, k propKind, typ string) error {
	if v == nil {
		return nil
	}
	bad := func(edm string) error {
		raw, _ := json.Marshal(v)
		return odataErr("Cannot convert the literal '%s' to the expected type '%s' (property '%s' of '%s').", string(raw), edm, name, strings.TrimPrefix(typ, "#"))
	}
	switch k {
	case pkString:
		if _, ok := v.(string); !ok {
			return bad("Edm.String")
		}
	case pkBool:
		if _, ok := v.(bool); !ok {
			return bad("Edm.Boolean")
		}
	case pkInt:
		if _, ok := v.(json.Number); !ok {
			return bad("Edm.Int32")
		}
	case pkObject:
		if _, ok := v.(map[string]any); !ok {
			return bad("complex type")
		}
	case pkStringArray:
		arr, ok := v.([]any)
		if !ok {
			return bad("Collection(Edm.String)")
		}
		for _, e := range arr {
			if _, ok := e.(string); !ok {
				return bad("Collection(Edm.String)")
			}
		}
	}
	return nil
}

// validateDeviceProps checks payload members against the schema of typ and
// returns the writable ones.
func validateDeviceProps(m map[string]any, typ string, strict bool) (map[string]any, error) {
	out := map[string]any{}
	derived, knownSchema := deviceDerivedSchemas[typ]
	for k, v := range m {
		if deviceIgnoredProps[k] || strings.HasPrefix(k, "@odata.") || strings.Contains(k, "@odata.") {
			continue
		}
		var kind propKind
		for _, p := range deviceBaseProps {
			if p.name == k {
				kind = p.kind
			}
		}
		for _, p := range derived {
			if p.name == k {
				kind = p.kind
			}
		}
		if kind == 0 {
			if knownSchema && strict {
				return nil, unknownProperty(k, typ)
			}
			out[k] = v
			continue
		}
		if err := checkKind(k, v, kind, typ); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// json renders the policy with real Graph's member order
// (internal/graph/NOTES.md#device-configurations).
func (p *devicePolicy) json() obj {
	o := obj{
		{"@odata.type", p.odataType},
		{"id", p.id},
		{"lastModifiedDateTime", fmtTime(p.modified)},
		{"createdDateTime", fmtTime(p.created)},
	}
	val := func(k string) any { return p.props[k] }
	rst := val("roleScopeTagIds")
	if rst == nil {
		rst = []any{"0"}
	}
	o = append(o, kv{"roleScopeTagIds", rst}, kv{"supportsScopeTags", true})
	for _, k := range []string{"deviceManagementApplicabilityRuleOsEdition", "deviceManagementApplicabilityRuleOsVersion", "deviceManagementApplicabilityRuleDeviceMode", "description", "displayName"} {
		o = append(o, kv{k, val(k)})
	}
	o = append(o, kv{"version", p.version})
	seen := map[string]bool{}
	for _, b := range deviceBaseProps {
		seen[b.name] = true
	}
	for _, d := range deviceDerivedSchemas[p.odataType] {
		o = append(o, kv{d.name, val(d.name)})
		seen[d.name] = true
	}
	var extra []string
	for k := range p.props {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		o = append(o, kv{k, p.props[k]})
	}
	return o
}

// selectableDeviceProps lists names valid in $select on deviceConfigurations.
func selectableDeviceProps() []string {
	out := []string{"id", "lastModifiedDateTime", "createdDateTime", "supportsScopeTags", "version"}
	for _, b := range deviceBaseProps {
		out = append(out, b.name)
	}
	return append(out, deviceNavProps...)
}

var assignmentProps = []string{"id", "source", "sourceId", "intent", "target"}

// validationFailed writes the 400 for a validation error.
func (c *reqCtx) validationFailed(err error) {
	var ve *validationError
	errors.As(err, &ve) // ve stays nil for any other error
	switch {
	case ve != nil && ve.odata:
		c.graphError(http.StatusBadRequest, "BadRequest", ve.msg, "")
	case ve != nil && ve.service:
		c.intuneError(http.StatusBadRequest, "BadRequest", ve.msg, "")
	default:
		c.badRequest(err.Error())
	}
}

// expansion is one resolved $expand item: a navigation property, and the
// navigations expanded inside it ("a($expand=b)").
type expansion struct {
	nav    string
	nested []string
}

// expandSpec resolves $expand against navs (every policy family): only
// navigation properties are valid; "assignments" is served, the others are
// what the family answers (empty by default). nested names, per navigation,
// the navigations a nested "$expand=" may name; any other nested option is
// a 400.
func (c *reqCtx) expandSpec(q *queryOpts, typeName string, navs []string, nested map[string][]string) ([]expansion, bool) {
	var out []expansion
	for _, e := range q.expands {
		name := e
		if i := strings.IndexAny(e, "($"); i >= 0 {
			name = e[:i]
		}
		found := ""
		for _, n := range navs {
			if strings.EqualFold(n, strings.TrimSpace(name)) {
				found = n
			}
		}
		if e == "*" {
			if len(navs) == 0 {
				return nil, true // nothing to expand (assignments, assignment filters)
			}
			return []expansion{{nav: navs[0]}}, true
		}
		if found == "" {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", name, typeName), "")
			return nil, false
		}
		x := expansion{nav: found}
		if name != e {
			inner, ok := nestedExpand(e[len(name):], nested[found])
			if !ok {
				c.graphError(http.StatusBadRequest, "BadRequest", "Nested query options in $expand are not supported by the emulator.", "")
				return nil, false
			}
			x.nested = inner
		}
		out = append(out, x)
	}
	return out, true
}

// nestedExpand reads the "($expand=b,c)" of an $expand item: only $expand
// of the allowed navigations (matched without regard to case).
func nestedExpand(opts string, allowed []string) ([]string, bool) {
	if len(allowed) == 0 || !strings.HasPrefix(opts, "(") || !strings.HasSuffix(opts, ")") {
		return nil, false
	}
	k, v, ok := strings.Cut(opts[1:len(opts)-1], "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(k), "$expand") {
		return nil, false
	}
	var out []string
	for _, n := range splitList(v) {
		found := ""
		for _, a := range allowed {
			if strings.EqualFold(a, n) {
				found = a
			}
		}
		if found == "" {
			return nil, false
		}
		out = append(out, found)
	}
	return out, len(out) > 0
}

// contextSuffix is the "(sel,exp())" part of an @odata.context.
func contextSuffix(sel []string, exp []expansion) string {
	var parts []string
	parts = append(parts, sel...)
	for _, e := range exp {
		parts = append(parts, e.nav+nestedSuffix(e.nested))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// nestedSuffix is "()" for a plain expansion, "(b(),c())" for nested ones.
func nestedSuffix(nested []string) string {
	parts := make([]string, len(nested))
	for i, n := range nested {
		parts[i] = n + "()"
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// insertDevice stores a validated new policy; caller holds s.mu.
func insertDevice(s *Server, typ string, props map[string]any, _ bool) (policy, error) {
	now := time.Now()
	p := &devicePolicy{policyCore: policyCore{id: newGUID(), odataType: typ}, created: now, modified: now, version: 1, props: props}
	s.devices.put(p.id, p)
	return p, nil
}

// updateDevice applies a validated PATCH; caller holds s.mu.
func updateDevice(_ *Server, pol policy, props map[string]any, strict bool) error {
	if err := emptyName(props, "displayName", strict); err != nil {
		return err
	}
	p := pol.(*devicePolicy)
	for k, v := range props {
		p.props[k] = v
	}
	p.version++
	p.modified = time.Now()
	return nil
}

// emptyName is the strict 400 for a PATCH setting the name member (key) to
// an empty string.
func emptyName(props map[string]any, key string, strict bool) error {
	if v, has := props[key]; has && strict {
		if dn, _ := v.(string); strings.TrimSpace(dn) == "" {
			return vErr("%s cannot be empty", key)
		}
	}
	return nil
}

// targetToMap turns a stored target back into payload form (for PATCH merge).
func targetToMap(t Target) map[string]any {
	m := map[string]any{"@odata.type": t.ODataType}
	switch t.ODataType {
	case TargetGroup, TargetExclusionGroup, TargetOfficeGroup:
		m["groupId"] = t.GroupID
	case TargetConfigMgrColl:
		m["collectionId"] = t.CollectionID
	case TargetCloudPcGroup, TargetCloudPcExclusionGroup:
		m["groupId"] = t.GroupID
		for k, v := range cloudPcTargetMap(t) {
			m[k] = v
		}
	}
	if t.FilterID != "" {
		m["deviceAndAppManagementAssignmentFilterId"] = t.FilterID
		m["deviceAndAppManagementAssignmentFilterType"] = t.FilterType
	}
	for k, v := range t.Extra {
		m[k] = v
	}
	return m
}

// --- seeding / inspection API ---------------------------------------------

// AddDeviceConfiguration stores a policy directly (no HTTP, no auth) and
// returns its id; used by acceptance tests to seed pre-existing policies.
func (s *Server) AddDeviceConfiguration(dc DeviceConfiguration) string {
	if dc.ID == "" {
		dc.ID = newGUID()
	}
	typ := dc.ODataType
	if typ == "" {
		typ = DefaultDeviceConfigurationType
	}
	if t, err := canonicalDeviceType(typ); err == nil {
		typ = t
	} else if !strings.HasPrefix(typ, "#") {
		typ = "#" + typ
	}
	props := map[string]any{"displayName": dc.DisplayName}
	if dc.Description != "" {
		props["description"] = dc.Description
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devices.put(dc.ID, &devicePolicy{policyCore: policyCore{id: dc.ID, odataType: typ}, created: now, modified: now, version: 1, props: props})
	return dc.ID
}

// DeleteDeviceConfiguration removes a policy (e.g. simulating a portal
// delete); it reports whether it existed.
func (s *Server) DeleteDeviceConfiguration(id string) bool { return s.deletePolicy(deviceFamily, id) }

// DeviceConfigurationAssignments returns the current assignments of a
// policy, all sources, in stored order; ok is false for an unknown policy.
func (s *Server) DeviceConfigurationAssignments(policyID string) ([]Assignment, bool) {
	return s.policyAssignments(deviceFamily, policyID)
}

// SetDeviceConfigurationAssignments overwrites a policy's assignments
// verbatim, including policySets-sourced ones (drift simulation). Empty
// fields get the defaults of internal/graph/NOTES.md#assignments; only the
// target type is checked.
func (s *Server) SetDeviceConfigurationAssignments(policyID string, as []Assignment) error {
	return s.setPolicyAssignments(deviceFamily, policyID, as)
}
