package emulator

import (
	"encoding/json"
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
	id        string
	odataType string // with '#'
	created   time.Time
	modified  time.Time
	version   int
	props     map[string]any // client-writable properties (base + derived)
	assigns   []Assignment
	lag       assignLag // stale views served under SetReadLag
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
// emits them (spec 1.2).
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

// deviceDerivedSchemas holds the derived types whose properties the
// emulator knows (spec 1.2); for these, unknown properties are rejected in
// strict mode. Other derived types accept any extra property.
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
// incoming @odata.type (spec 1.2). Unknown but well-formed names are kept.
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

// json renders the policy with real Graph's member order (spec 1.2 example).
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

func (s *Server) assignmentJSON(a Assignment) obj {
	o := obj{}
	if s.cfg.AssignmentODataType {
		o = append(o, kv{"@odata.type", "#microsoft.graph.deviceConfigurationAssignment"})
	}
	o = append(o, kv{"id", a.ID}, kv{"source", a.Source}, kv{"sourceId", a.SourceID})
	if !s.cfg.OmitIntent {
		o = append(o, kv{"intent", a.Intent})
	}
	return append(o, kv{"target", deviceTargetJSON(a.Target)})
}

var assignmentProps = []string{"id", "source", "sourceId", "intent", "target"}

// normaliseDeviceAssignment fills the defaults of spec 1.3/1.5.
func normaliseDeviceAssignment(policyID string, a Assignment) Assignment {
	if a.Source == "" {
		a.Source = "direct"
	}
	if a.SourceID == "" && a.Source == "direct" {
		a.SourceID = policyID
	}
	if a.Intent == "" {
		a.Intent = "apply"
	}
	if a.Target.ODataType != "" && !strings.HasPrefix(a.Target.ODataType, "#") {
		a.Target.ODataType = "#" + a.Target.ODataType
	}
	if a.ID == "" {
		a.ID = policyID + "_" + a.Target.targetKey()
	}
	return a
}

// parseDeviceAssignment validates one deviceConfigurationAssignment payload.
func parseDeviceAssignment(v any, policyID string, strict bool) (Assignment, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Assignment{}, odataErr("Each assignment must be a JSON object.")
	}
	const typ = "#microsoft.graph.deviceConfigurationAssignment"
	for k := range m {
		switch k {
		case "@odata.type", "id", "intent", "source", "sourceId", "target":
		default:
			if strict {
				return Assignment{}, unknownProperty(k, typ)
			}
		}
	}
	if t, has, err := stringField(m, "@odata.type", typ); err != nil {
		return Assignment{}, err
	} else if has {
		if _, ok := canonicalType(t, []string{typ}); !ok {
			return Assignment{}, odataErr("The type '%s' is not compatible with 'microsoft.graph.deviceConfigurationAssignment'.", t)
		}
	}
	for _, k := range []string{"id", "sourceId"} {
		if _, _, err := stringField(m, k, typ); err != nil {
			return Assignment{}, err
		}
	}
	intent, hasIntent, err := stringField(m, "intent", typ)
	if err != nil {
		return Assignment{}, err
	}
	if hasIntent && intent != "apply" && intent != "remove" {
		return Assignment{}, odataErr("Requested value '%s' was not found. (intent must be apply or remove)", intent)
	}
	if src, has, err := stringField(m, "source", typ); err != nil {
		return Assignment{}, err
	} else if has && src != "direct" && src != "policySets" {
		return Assignment{}, odataErr("Requested value '%s' was not found. (source must be direct or policySets)", src)
	}
	t, err := parseDeviceTarget(m["target"], strict)
	if err != nil {
		return Assignment{}, err
	}
	// client id/source/sourceId are ignored: the server computes them (spec 1.4 rule 2)
	return normaliseDeviceAssignment(policyID, Assignment{Intent: intent, Target: t}), nil
}

// validationFailed writes the 400 for a validation error.
func (c *reqCtx) validationFailed(err error) {
	if ve, ok := err.(*validationError); ok && ve.odata {
		c.graphError(http.StatusBadRequest, "BadRequest", ve.msg, "")
		return
	}
	c.badRequest(err.Error())
}

func (s *Server) serveDevice(c *reqCtx, rt *route) {
	strict := !s.cfg.LenientValidation
	switch rt.kind {
	case rkDeviceCollection:
		if c.r.Method == http.MethodPost {
			s.deviceCreate(c, strict)
		} else {
			s.deviceList(c)
		}
		return
	case rkDeviceCount:
		if _, ok := c.parseQuery("filter", "search"); !ok {
			return
		}
		s.mu.Lock()
		n := len(s.devices.order)
		s.mu.Unlock()
		c.writeCount(n)
		return
	}

	// Every per-policy path answers 404 for an unknown policy (spec 1.1).
	s.mu.Lock()
	p, ok := s.devices.get(rt.policyID)
	s.mu.Unlock()
	if !ok {
		c.notFound("deviceConfiguration", rt.policyID)
		return
	}
	if rt.cast != "" && !strings.EqualFold("#microsoft.graph."+rt.cast, p.odataType) && !strings.EqualFold(rt.cast, "deviceConfiguration") {
		c.notFound("deviceConfiguration of type microsoft.graph."+rt.cast, rt.policyID)
		return
	}
	switch rt.kind {
	case rkDeviceItem:
		switch c.r.Method {
		case http.MethodGet:
			s.deviceGet(c, rt.policyID)
		case http.MethodPatch:
			s.devicePatch(c, rt.policyID, strict)
		case http.MethodDelete:
			s.mu.Lock()
			s.devices.del(rt.policyID)
			s.mu.Unlock()
			c.writeNoContent(http.StatusNoContent)
		}
	case rkDeviceAssign:
		s.deviceAssign(c, p.id, strict)
	case rkDeviceAssignments:
		if c.r.Method == http.MethodPost {
			s.deviceAssignmentCreate(c, p.id, strict)
		} else {
			s.deviceAssignmentList(c, p.id)
		}
	case rkDeviceAssignmentsCount:
		if _, ok := c.parseQuery("filter", "search"); !ok {
			return
		}
		s.mu.Lock()
		n := len(p.lag.visible(p.assigns))
		s.mu.Unlock()
		c.writeCount(n)
	case rkDeviceAssignment:
		s.deviceAssignmentItem(c, p.id, rt.assignmentID, strict)
	case rkDeviceNavEmpty:
		q, ok := c.parseQuery("top", "skip", "count", "select", "expand", "filter", "orderby", "search", "skiptoken")
		if !ok {
			return
		}
		pi := c.paginate(q, 0)
		c.writeJSON(http.StatusOK, collectionBody(c.metadataURL(fmt.Sprintf("deviceManagement/deviceConfigurations('%s')/%s", p.id, rt.navName)), pi, 0, nil))
	}
}

// expandSpec resolves $expand on deviceConfigurations: only navigation
// properties are valid; "assignments" is served, the others are empty.
func (c *reqCtx) expandSpec(q *queryOpts, typeName string, navs []string) ([]string, bool) {
	var out []string
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
			return navs[:1], true
		}
		if found == "" {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", name, typeName), "")
			return nil, false
		}
		if name != e {
			c.graphError(http.StatusBadRequest, "BadRequest", "Nested query options in $expand are not supported by the emulator.", "")
			return nil, false
		}
		out = append(out, found)
	}
	return out, true
}

// renderDevice applies $select/$expand to one policy. Caller holds s.mu.
func (s *Server) renderDevice(c *reqCtx, p *devicePolicy, sel, exp []string) obj {
	o := project(p.json(), sel)
	for _, e := range exp {
		ctx := c.metadataURL(fmt.Sprintf("deviceManagement/deviceConfigurations('%s')/%s", p.id, e))
		vals := []any{}
		if e == "assignments" {
			for _, a := range p.lag.visible(p.assigns) {
				vals = append(vals, s.assignmentJSON(a))
			}
		}
		o = append(o, kv{e + "@odata.context", ctx}, kv{e, vals})
	}
	return o
}

func contextSuffix(sel, exp []string) string {
	var parts []string
	parts = append(parts, sel...)
	for _, e := range exp {
		parts = append(parts, e+"()")
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ",") + ")"
}

func (s *Server) deviceList(c *reqCtx) {
	q, ok := c.parseQuery("top", "skip", "count", "select", "expand", "filter", "orderby", "search", "skiptoken")
	if !ok {
		return
	}
	sel, ok := c.resolveSelect(q, "microsoft.graph.deviceConfiguration", selectableDeviceProps())
	if !ok {
		return
	}
	exp, ok := c.expandSpec(q, "microsoft.graph.deviceConfiguration", deviceNavProps)
	if !ok {
		return
	}
	flt, err := parseFilter(q.filter)
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	s.mu.Lock()
	var items []obj
	for _, p := range s.devices.list() {
		full := p.json()
		if flt.match(full) {
			items = append(items, s.renderDevice(c, p, sel, exp))
		}
	}
	s.mu.Unlock()
	if err := orderBy(items, q.orderby); err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	pi := c.paginate(q, len(items))
	vals := make([]any, 0, pi.end-pi.start)
	for _, it := range items[pi.start:pi.end] {
		vals = append(vals, it)
	}
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL("deviceManagement/deviceConfigurations"+contextSuffix(sel, exp)), pi, len(items), vals))
}

func (s *Server) deviceGet(c *reqCtx, id string) {
	q, ok := c.parseQuery("select", "expand")
	if !ok {
		return
	}
	sel, ok := c.resolveSelect(q, "microsoft.graph.deviceConfiguration", selectableDeviceProps())
	if !ok {
		return
	}
	exp, ok := c.expandSpec(q, "microsoft.graph.deviceConfiguration", deviceNavProps)
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := s.devices.get(id)
	var body obj
	if found {
		body = append(obj{{"@odata.context", c.metadataURL("deviceManagement/deviceConfigurations" + contextSuffix(sel, exp) + "/$entity")}}, s.renderDevice(c, p, sel, exp)...)
	}
	s.mu.Unlock()
	if !found {
		c.notFound("deviceConfiguration", id)
		return
	}
	c.writeJSON(http.StatusOK, body)
}

func (s *Server) deviceCreate(c *reqCtx, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	rawType, hasType, err := stringField(m, "@odata.type", "microsoft.graph.deviceConfiguration")
	if err != nil {
		c.validationFailed(err)
		return
	}
	if !hasType || rawType == "" {
		if strict {
			c.validationFailed(odataErr("Cannot create an instance of the abstract type 'microsoft.graph.deviceConfiguration'; the payload needs an '@odata.type'."))
			return
		}
		rawType = DefaultDeviceConfigurationType
	}
	typ, err := canonicalDeviceType(rawType)
	if err != nil {
		c.validationFailed(err)
		return
	}
	props, err := validateDeviceProps(m, typ, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	if dn, _ := props["displayName"].(string); strings.TrimSpace(dn) == "" && strict {
		c.badRequest("displayName is required")
		return
	}
	now := time.Now()
	p := &devicePolicy{id: newGUID(), odataType: typ, created: now, modified: now, version: 1, props: props}
	s.mu.Lock()
	s.devices.put(p.id, p)
	body := append(obj{{"@odata.context", c.metadataURL("deviceManagement/deviceConfigurations/$entity")}}, p.json()...)
	s.mu.Unlock()
	c.w.Header().Set("Location", c.baseURL()+"/beta/deviceManagement/deviceConfigurations('"+p.id+"')")
	c.writeJSON(http.StatusCreated, body)
}

func (s *Server) devicePatch(c *reqCtx, id string, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := s.devices.get(id)
	s.mu.Unlock()
	if !found {
		c.notFound("deviceConfiguration", id)
		return
	}
	if rawType, has, err := stringField(m, "@odata.type", p.odataType); err != nil {
		c.validationFailed(err)
		return
	} else if has {
		t, err := canonicalDeviceType(rawType)
		if err != nil || !strings.EqualFold(t, p.odataType) {
			c.validationFailed(odataErr("The @odata.type '%s' does not match the type of the existing entity '%s'.", rawType, strings.TrimPrefix(p.odataType, "#")))
			return
		}
	}
	props, err := validateDeviceProps(m, p.odataType, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	if v, has := props["displayName"]; has && strict {
		if dn, _ := v.(string); strings.TrimSpace(dn) == "" {
			c.badRequest("displayName cannot be empty")
			return
		}
	}
	s.mu.Lock()
	for k, v := range props {
		p.props[k] = v
	}
	p.version++
	p.modified = time.Now()
	body := append(obj{{"@odata.context", c.metadataURL("deviceManagement/deviceConfigurations/$entity")}}, p.json()...)
	s.mu.Unlock()
	if s.cfg.PatchReturnsEntity {
		c.writeJSON(http.StatusOK, body)
		return
	}
	c.writeNoContent(http.StatusNoContent)
}

// deviceAssign implements POST {id}/assign: replace-all of the direct
// assignments, policySets ones kept (spec 1.4).
func (s *Server) deviceAssign(c *reqCtx, policyID string, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	for k := range m {
		if k != "assignments" && k != "deviceConfigurationGroupAssignments" && strict {
			c.validationFailed(odataErr("The parameter '%s' in the request payload is not a valid parameter for the operation 'assign'.", k))
			return
		}
	}
	var list []any
	switch v := m["assignments"].(type) {
	case nil:
	case []any:
		list = v
	default:
		c.validationFailed(odataErr("The parameter 'assignments' must be a JSON array."))
		return
	}
	if v, has := m["deviceConfigurationGroupAssignments"]; has && v != nil {
		if _, isArr := v.([]any); !isArr {
			c.validationFailed(odataErr("The parameter 'deviceConfigurationGroupAssignments' must be a JSON array."))
			return
		}
	}
	var direct []Assignment
	index := map[string]int{}
	for i, raw := range list {
		a, err := parseDeviceAssignment(raw, policyID, strict)
		if err != nil {
			if ve, ok := err.(*validationError); ok && !ve.odata {
				err = vErr("assignments[%d]: %s", i, ve.msg)
			}
			c.validationFailed(err)
			return
		}
		key := strings.ToLower(a.ID)
		if j, dup := index[key]; dup {
			if strict {
				c.badRequest(fmt.Sprintf("assignments[%d] and assignments[%d] resolve to the same assignment id %s (duplicate target, or a group both included and excluded)", j, i, a.ID))
				return
			}
			direct[j] = a // lenient: last one wins
			continue
		}
		index[key] = len(direct)
		direct = append(direct, a)
	}
	s.mu.Lock()
	p, found := s.devices.get(policyID)
	var vals []any
	if found {
		var kept []Assignment
		for _, a := range p.assigns {
			if a.Source != "" && a.Source != "direct" {
				kept = append(kept, a)
			}
		}
		s.noteAssignChange(&p.lag, p.assigns)
		p.assigns = append(kept, direct...)
		for _, a := range direct {
			vals = append(vals, s.assignmentJSON(a))
		}
	}
	s.mu.Unlock()
	if !found {
		c.notFound("deviceConfiguration", policyID)
		return
	}
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL("Collection(microsoft.graph.deviceConfigurationAssignment)"), pageInfo{}, 0, vals))
}

func (s *Server) deviceAssignmentList(c *reqCtx, policyID string) {
	q, ok := c.parseQuery("top", "skip", "count", "select", "expand", "filter", "orderby", "search", "skiptoken")
	if !ok {
		return
	}
	sel, ok := c.resolveSelect(q, "microsoft.graph.deviceConfigurationAssignment", assignmentProps)
	if !ok {
		return
	}
	if _, ok := c.expandSpec(q, "microsoft.graph.deviceConfigurationAssignment", nil); !ok {
		return
	}
	flt, err := parseFilter(q.filter)
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	s.mu.Lock()
	var items []obj
	if p, found := s.devices.get(policyID); found {
		for _, a := range p.lag.visible(p.assigns) {
			full := s.assignmentJSON(a)
			if flt.match(full) {
				items = append(items, project(full, sel))
			}
		}
	}
	s.mu.Unlock()
	if err := orderBy(items, q.orderby); err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	pi := c.paginate(q, len(items))
	vals := make([]any, 0, pi.end-pi.start)
	for _, it := range items[pi.start:pi.end] {
		vals = append(vals, it)
	}
	ctx := fmt.Sprintf("deviceManagement/deviceConfigurations('%s')/assignments%s", policyID, contextSuffix(sel, nil))
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL(ctx), pi, len(items), vals))
}

func (s *Server) deviceAssignmentCreate(c *reqCtx, policyID string, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	a, err := parseDeviceAssignment(m, policyID, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	s.mu.Lock()
	p, found := s.devices.get(policyID)
	conflict := false
	if found {
		_, exists := findAssignment(p.assigns, a.ID)
		conflict = exists && s.cfg.ConflictOnDuplicateAssignment
		if !conflict {
			s.noteAssignChange(&p.lag, p.assigns)
			if exists {
				for i, old := range p.assigns {
					if strings.EqualFold(old.ID, a.ID) {
						p.assigns[i] = a
						break
					}
				}
			} else {
				p.assigns = append(p.assigns, a)
			}
		}
	}
	s.mu.Unlock()
	switch {
	case !found:
		c.notFound("deviceConfiguration", policyID)
	case conflict:
		c.intuneError(http.StatusConflict, "Conflict", "", "assignment "+a.ID+" already exists")
	default:
		ctx := c.metadataURL(fmt.Sprintf("deviceManagement/deviceConfigurations('%s')/assignments/$entity", policyID))
		c.writeJSON(http.StatusCreated, append(obj{{"@odata.context", ctx}}, s.assignmentJSON(a)...))
	}
}

func (s *Server) deviceAssignmentItem(c *reqCtx, policyID, aid string, strict bool) {
	var q *queryOpts
	var ok bool
	if c.r.Method == http.MethodGet {
		q, ok = c.parseQuery("select", "expand")
	} else {
		q, ok = c.parseQuery()
	}
	if !ok {
		return
	}
	var patch map[string]any
	var newA Assignment
	if c.r.Method == http.MethodPatch {
		if patch, ok = c.readJSONBody(); !ok {
			return
		}
	}
	s.mu.Lock()
	p, found := s.devices.get(policyID)
	idx := -1
	if found {
		set := p.assigns
		if c.r.Method == http.MethodGet {
			set = p.lag.visible(p.assigns)
		}
		for i, a := range set {
			if strings.EqualFold(a.ID, aid) {
				idx = i
			}
		}
	}
	s.mu.Unlock()
	if !found {
		c.notFound("deviceConfiguration", policyID)
		return
	}
	if idx < 0 {
		c.notFound("deviceConfigurationAssignment", aid)
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		sel, ok := c.resolveSelect(q, "microsoft.graph.deviceConfigurationAssignment", assignmentProps)
		if !ok {
			return
		}
		if _, ok := c.expandSpec(q, "microsoft.graph.deviceConfigurationAssignment", nil); !ok {
			return
		}
		s.mu.Lock()
		cur, still := findAssignment(p.lag.visible(p.assigns), aid)
		s.mu.Unlock()
		if !still {
			c.notFound("deviceConfigurationAssignment", aid)
			return
		}
		body := project(s.assignmentJSON(cur), sel)
		ctx := c.metadataURL(fmt.Sprintf("deviceManagement/deviceConfigurations('%s')/assignments%s/$entity", policyID, contextSuffix(sel, nil)))
		c.writeJSON(http.StatusOK, append(obj{{"@odata.context", ctx}}, body...))
	case http.MethodDelete:
		s.mu.Lock()
		if _, still := findAssignment(p.assigns, aid); still {
			s.noteAssignChange(&p.lag, p.assigns)
			s.removeDeviceAssignment(p, aid)
		}
		s.mu.Unlock()
		c.writeNoContent(http.StatusNoContent)
	case http.MethodPatch:
		s.mu.Lock()
		cur, still := findAssignment(p.assigns, aid)
		s.mu.Unlock()
		if !still {
			c.notFound("deviceConfigurationAssignment", aid)
			return
		}
		merged := map[string]any{"target": targetToMap(cur.Target), "intent": cur.Intent}
		for k, v := range patch {
			merged[k] = v
		}
		var err error
		if newA, err = parseDeviceAssignment(merged, policyID, strict); err != nil {
			c.validationFailed(err)
			return
		}
		newA.ID, newA.Source, newA.SourceID = cur.ID, cur.Source, cur.SourceID
		s.mu.Lock()
		s.noteAssignChange(&p.lag, p.assigns)
		for i, a := range p.assigns {
			if strings.EqualFold(a.ID, aid) {
				p.assigns[i] = newA
			}
		}
		s.mu.Unlock()
		if s.cfg.PatchReturnsEntity {
			ctx := c.metadataURL(fmt.Sprintf("deviceManagement/deviceConfigurations('%s')/assignments/$entity", policyID))
			c.writeJSON(http.StatusOK, append(obj{{"@odata.context", ctx}}, s.assignmentJSON(newA)...))
			return
		}
		c.writeNoContent(http.StatusNoContent)
	}
}

// findAssignment looks an assignment up by id (case-insensitive); callers
// hold s.mu.
func findAssignment(as []Assignment, aid string) (Assignment, bool) {
	for _, a := range as {
		if strings.EqualFold(a.ID, aid) {
			return a, true
		}
	}
	return Assignment{}, false
}

func (s *Server) removeDeviceAssignment(p *devicePolicy, aid string) {
	for i, a := range p.assigns {
		if strings.EqualFold(a.ID, aid) {
			p.assigns = append(p.assigns[:i:i], p.assigns[i+1:]...)
			return
		}
	}
}

// targetToMap turns a stored target back into payload form (for PATCH merge).
func targetToMap(t Target) map[string]any {
	m := map[string]any{"@odata.type": t.ODataType}
	switch t.ODataType {
	case TargetGroup, TargetExclusionGroup, TargetOfficeGroup:
		m["groupId"] = t.GroupID
	case TargetConfigMgrColl:
		m["collectionId"] = t.CollectionID
	}
	if t.FilterID != "" {
		m["deviceAndAppManagementAssignmentFilterId"] = t.FilterID
		m["deviceAndAppManagementAssignmentFilterType"] = t.FilterType
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
	s.devices.put(dc.ID, &devicePolicy{id: dc.ID, odataType: typ, created: now, modified: now, version: 1, props: props})
	return dc.ID
}

// DeleteDeviceConfiguration removes a policy (e.g. simulating a portal
// delete); it reports whether it existed.
func (s *Server) DeleteDeviceConfiguration(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.devices.del(id)
}

// DeviceConfigurationAssignments returns the current assignments of a
// policy, all sources, in stored order; ok is false for an unknown policy.
func (s *Server) DeviceConfigurationAssignments(policyID string) ([]Assignment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.devices.get(policyID)
	if !ok {
		return nil, false
	}
	return append([]Assignment{}, p.assigns...), true
}

// SetDeviceConfigurationAssignments overwrites a policy's assignments
// verbatim, including policySets-sourced ones (drift simulation). Empty
// fields get the spec defaults; only the target type is checked.
func (s *Server) SetDeviceConfigurationAssignments(policyID string, as []Assignment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.devices.get(policyID)
	if !ok {
		return fmt.Errorf("emulator: deviceConfiguration %s not found", policyID)
	}
	out := make([]Assignment, 0, len(as))
	for i, a := range as {
		t, ok := canonicalType(a.Target.ODataType, deviceTargetTypes)
		if !ok {
			return fmt.Errorf("emulator: assignment %d: unknown target type %q", i, a.Target.ODataType)
		}
		a.Target.ODataType = t
		out = append(out, normaliseDeviceAssignment(p.id, a))
	}
	s.noteAssignChange(&p.lag, p.assigns)
	p.assigns = out
	return nil
}
