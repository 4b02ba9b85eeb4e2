package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Assignment filters (internal/graph/NOTES.md#assignment-filters):
// deviceManagement/assignmentFilters is a plain CRUD collection of
// deviceAndAppManagementAssignmentFilter entities with no navigation
// properties. Assignment targets name a filter in
// deviceAndAppManagementAssignmentFilterId (internal/graph/NOTES.md#targets);
// the emulator does not check those references against this collection (the
// service does, same section; a switch for that check, which would default to
// off, is not implemented).

const (
	filtersPath    = "deviceManagement/assignmentFilters"
	filterEntity   = "deviceAndAppManagementAssignmentFilter"
	filterTypeName = "microsoft.graph." + filterEntity

	defaultFilterPlatform       = "unknown" // "Default filter will be applied to 'unknown'" (internal/graph/NOTES.md#assignment-filters)
	defaultFilterManagementType = "devices" // "Default filter will be applied to 'devices'" (internal/graph/NOTES.md#assignment-filters)
)

// filterPlatforms are the devicePlatformType members
// (internal/graph/NOTES.md#assignment-filters).
var filterPlatforms = []string{
	"android", "androidForWork", "iOS", "macOS", "windowsPhone81", "windows81AndLater", "windows10AndLater",
	"androidWorkProfile", "unknown", "androidAOSP", "androidMobileApplicationManagement",
	"iOSMobileApplicationManagement", "unknownFutureValue", "windowsMobileApplicationManagement",
}

// filterManagementTypes are the assignmentFilterManagementType members
// (internal/graph/NOTES.md#assignment-filters).
var filterManagementTypes = []string{"devices", "apps", "unknownFutureValue"}

// filterProps are the $select names of a filter, in the wire order of
// internal/graph/NOTES.md#assignment-filters.
var filterProps = []string{
	"id", "createdDateTime", "lastModifiedDateTime", "displayName", "description", "platform", "rule",
	"roleScopeTags", "payloads", "assignmentFilterManagementType",
}

// Operations of the collection and of a filter that the emulator answers 501
// (internal/graph/NOTES.md#assignment-filters). Functions called with empty
// parentheses ("getState()") are rejected earlier, as a bad segment.
var (
	filterCollectionOps = []string{"validateFilter", "enable", "getState", "getPlatformSupportedProperties"}
	filterItemOps       = []string{"getSupportedProperties"}
)

// AssignmentFilter seeds (AddAssignmentFilter) or reports (AssignmentFilters)
// an assignment filter (internal/graph/NOTES.md#assignment-filters). ID "" =>
// new GUID; Platform "" => "unknown"; ManagementType (wire
// assignmentFilterManagementType) "" => "devices"; Description "" => null on
// the wire when seeded.
type AssignmentFilter struct {
	ID, DisplayName, Description, Platform, Rule, ManagementType string
}

// assignmentFilter is a stored filter. Guarded by Server.mu; slices are
// replaced, never modified in place, so rendered objects may share them.
type assignmentFilter struct {
	id                       string
	created, modified        time.Time
	displayName, rule        string
	description              *string // nil => null
	platform, managementType string
	roleScopeTags            []any // wire roleScopeTags; nil => ["0"] [INF]
}

// json renders the filter in the member order of
// internal/graph/NOTES.md#assignment-filters. The base type is not echoed as
// @odata.type ([INF] minimal metadata); payloads is always empty [INF].
func (f *assignmentFilter) json() obj {
	var desc any
	if f.description != nil {
		desc = *f.description
	}
	rst := f.roleScopeTags
	if rst == nil {
		rst = []any{"0"}
	}
	return obj{
		{"id", f.id},
		{"createdDateTime", fmtTime(f.created)},
		{"lastModifiedDateTime", fmtTime(f.modified)},
		{"displayName", f.displayName},
		{"description", desc},
		{"platform", f.platform},
		{"rule", f.rule},
		{"roleScopeTags", rst},
		{"payloads", []any{}},
		{"assignmentFilterManagementType", f.managementType},
	}
}

// typedJSON is json with the entity type prepended, for isof() in $filter.
func (f *assignmentFilter) typedJSON() obj {
	return append(obj{{"@odata.type", "#" + filterTypeName}}, f.json()...)
}

// apply stores validated payload members (validateFilterProps); null resets
// a member to its default.
func (f *assignmentFilter) apply(props map[string]any) {
	for k, v := range props {
		s, _ := v.(string)
		switch k {
		case "displayName":
			f.displayName = s
		case "description":
			if v == nil {
				f.description = nil
			} else {
				f.description = &s
			}
		case "rule":
			f.rule = s
		case "platform":
			f.platform = orDefault(s, defaultFilterPlatform)
		case "assignmentFilterManagementType":
			f.managementType = orDefault(s, defaultFilterManagementType)
		case "roleScopeTags":
			f.roleScopeTags, _ = v.([]any)
		}
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// parseFilterRoute resolves deviceManagement/assignmentFilters[...] (t[0]
// and t[1] are matched by the caller).
func parseFilterRoute(t []string) (*route, string) {
	r := &route{path: filtersPath}
	switch {
	case len(t) == 2:
		r.kind, r.template, r.methods = rkFilterCollection, "~/singleton/navigation", []string{"GET", "POST"}
	case eq(t[2], "$count"):
		if len(t) > 3 {
			return nil, t[3]
		}
		r.kind, r.template, r.methods = rkFilterCount, "~/singleton/navigation/$count", []string{"GET"}
	case anyEq(operationName(t[2]), filterCollectionOps):
		return &route{kind: rkNotEmulated, navName: t[2]}, ""
	case len(t) == 3:
		r.kind, r.policyID, r.template, r.methods = rkFilter, t[2], "~/singleton/navigation/key", []string{"GET", "PATCH", "DELETE"}
	case len(t) == 4 && anyEq(operationName(t[3]), filterItemOps):
		return &route{kind: rkNotEmulated, navName: t[3]}, ""
	default:
		return nil, t[3]
	}
	return r, ""
}

// operationName strips the namespace of a bound operation segment.
func operationName(seg string) string {
	if n, ok := castName(seg); ok {
		return n
	}
	return seg
}

// errDerivedFilter: the payload names the derived type
// payloadCompatibleAssignmentFilter
// (internal/graph/NOTES.md#assignment-filters), which is not emulated.
var errDerivedFilter = errors.New("derived assignment filter type")

// validateFilterProps checks a filter payload against
// internal/graph/NOTES.md#assignment-filters and returns the writable members
// present (nil for null). Server-managed members (id, timestamps, payloads) are
// accepted and ignored; unknown members are a 400 in strict mode. Enumerations
// are exact in strict mode and matched without regard to case (and
// canonicalised) otherwise.
func validateFilterProps(m map[string]any, strict bool) (map[string]any, error) {
	const typ = "#" + filterTypeName
	if t, has, err := stringField(m, "@odata.type", typ); err != nil {
		return nil, err
	} else if has {
		if _, ok := canonicalType(t, []string{"#microsoft.graph.payloadCompatibleAssignmentFilter"}); ok {
			return nil, errDerivedFilter
		}
		if _, ok := canonicalType(t, []string{typ}); !ok {
			return nil, odataErr("The type '%s' is not compatible with '%s'.", t, filterTypeName)
		}
	}
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "id", "createdDateTime", "lastModifiedDateTime":
			if _, _, err := stringField(m, k, typ); err != nil {
				return nil, err
			}
		case "payloads":
			if v != nil {
				if _, ok := v.([]any); !ok {
					raw, _ := json.Marshal(v)
					return nil, odataErr("Cannot convert the literal '%s' to the expected type 'Collection(microsoft.graph.payloadByFilter)' (property 'payloads' of '%s').", raw, filterTypeName)
				}
			}
		case "displayName", "description", "rule":
			if _, _, err := stringField(m, k, typ); err != nil {
				return nil, err
			}
			out[k] = v
		case "platform", "assignmentFilterManagementType":
			s, has, err := stringField(m, k, typ)
			if err != nil {
				return nil, err
			}
			if !has {
				out[k] = nil
				continue
			}
			values := filterPlatforms
			if k == "assignmentFilterManagementType" {
				values = filterManagementTypes
			}
			canon, ok := enumMember(s, values, strict)
			if !ok {
				return nil, odataErr("Requested value '%s' was not found. (%s must be one of %s)", s, k, strings.Join(values, ", "))
			}
			out[k] = canon
		case "roleScopeTags":
			if err := checkKind(k, v, pkStringArray, typ); err != nil {
				return nil, err
			}
			out[k] = v
		default:
			if strings.HasPrefix(k, "@odata.") || strings.Contains(k, "@odata.") {
				continue // instance annotations
			}
			if strict {
				return nil, unknownProperty(k, typ)
			}
		}
	}
	return out, nil
}

// enumMember finds v among values: exactly, or (unless exact) ignoring case;
// it returns the canonical spelling.
func enumMember(v string, values []string, exact bool) (string, bool) {
	for _, e := range values {
		if v == e || (!exact && strings.EqualFold(v, e)) {
			return e, true
		}
	}
	return "", false
}

// serveAssignmentFilters dispatches the assignment filter routes
// (internal/graph/NOTES.md#assignment-filters). Permissions were checked by the
// router (internal/graph/NOTES.md#permissions: reads Read.All or ReadWrite.All,
// writes ReadWrite.All).
func (s *Server) serveAssignmentFilters(c *reqCtx, rt *route) {
	strict := !s.cfg.LenientValidation
	switch rt.kind {
	case rkFilterCollection:
		if c.r.Method == http.MethodPost {
			s.filterCreate(c, strict)
		} else {
			s.filterList(c)
		}
		return
	case rkFilterCount:
		q, ok := c.parseQuery("filter", "search")
		if !ok {
			return
		}
		flt, err := parseFilter(q.filter)
		if err != nil {
			c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
			return
		}
		n := 0
		s.mu.Lock()
		for _, f := range s.assignFilters.list() {
			if flt.match(f.typedJSON()) {
				n++
			}
		}
		s.mu.Unlock()
		c.writeCount(n)
		return
	}

	// Existence comes before the query and the payload (as for policies).
	s.mu.Lock()
	f, ok := s.assignFilters.get(rt.policyID)
	s.mu.Unlock()
	if !ok {
		c.notFound(filterEntity, rt.policyID)
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		s.filterGet(c, f.id)
	case http.MethodPatch:
		s.filterPatch(c, f.id, strict)
	case http.MethodDelete:
		s.mu.Lock()
		s.assignFilters.del(f.id)
		s.mu.Unlock()
		c.writeNoContent(http.StatusNoContent)
	}
}

// filterList answers GET deviceManagement/assignmentFilters: paging
// (internal/graph/NOTES.md#paging), $select, $count, $orderby and the $filter
// forms of filter.go (internal/graph/NOTES.md#query-options). There is nothing
// to $expand.
func (s *Server) filterList(c *reqCtx) {
	q, sel, _, flt, ok := c.listQuery(filterTypeName, filterProps, nil, nil)
	if !ok {
		return
	}
	s.mu.Lock()
	var items []obj
	for _, f := range s.assignFilters.list() {
		if flt.match(f.typedJSON()) {
			items = append(items, project(f.json(), sel))
		}
	}
	s.mu.Unlock()
	c.writePage(q, items, filtersPath+contextSuffix(sel, nil), pageSpec{})
}

// filterGet answers GET deviceManagement/assignmentFilters/{id}: 200 with
// "@odata.context": "...$metadata#deviceManagement/assignmentFilters[(sel)]/$entity".
func (s *Server) filterGet(c *reqCtx, id string) {
	q, ok := c.parseQuery("select", "expand")
	if !ok {
		return
	}
	sel, _, ok := c.selectExpand(q, filterTypeName, filterProps, nil, nil)
	if !ok {
		return
	}
	s.mu.Lock()
	f, found := s.assignFilters.get(id)
	var body obj
	if found {
		body = append(obj{{"@odata.context", c.metadataURL(filtersPath + contextSuffix(sel, nil) + "/$entity")}}, project(f.json(), sel)...)
	}
	s.mu.Unlock()
	if !found {
		c.notFound(filterEntity, id)
		return
	}
	c.writeJSON(http.StatusOK, body)
}

// filterCreate answers POST deviceManagement/assignmentFilters: 201 with the
// entity and a Location header. displayName and rule are required in strict
// mode [INF, internal/graph/NOTES.md#assignment-filters]; platform defaults to
// "unknown", the management type to "devices", roleScopeTags to ["0"].
func (s *Server) filterCreate(c *reqCtx, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	props, err := validateFilterProps(m, strict)
	if err != nil {
		c.filterValidationFailed(err)
		return
	}
	if strict {
		for _, req := range []string{"displayName", "rule"} {
			if v, _ := props[req].(string); strings.TrimSpace(v) == "" {
				c.badRequest(req + " is required")
				return
			}
		}
	}
	now := time.Now()
	f := &assignmentFilter{id: newGUID(), created: now, modified: now, platform: defaultFilterPlatform, managementType: defaultFilterManagementType}
	f.apply(props)
	s.mu.Lock()
	s.assignFilters.put(f.id, f)
	body := append(obj{{"@odata.context", c.metadataURL(filtersPath + "/$entity")}}, f.json()...)
	s.mu.Unlock()
	c.w.Header().Set("Location", c.baseURL()+"/beta/"+fmt.Sprintf("%s('%s')", filtersPath, f.id))
	c.writeJSON(http.StatusCreated, body)
}

// filterPatch answers PATCH deviceManagement/assignmentFilters/{id}: 204 like
// the other Intune PATCHes (the docs' 200 + entity under
// Config.PatchReturnsEntity; internal/graph/NOTES.md#assignment-filters). In
// strict mode displayName and rule cannot be emptied.
func (s *Server) filterPatch(c *reqCtx, id string, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	props, err := validateFilterProps(m, strict)
	if err != nil {
		c.filterValidationFailed(err)
		return
	}
	if strict {
		for _, req := range []string{"displayName", "rule"} {
			if v, has := props[req]; has {
				if sv, _ := v.(string); strings.TrimSpace(sv) == "" {
					c.badRequest(req + " cannot be empty")
					return
				}
			}
		}
	}
	s.mu.Lock()
	f, found := s.assignFilters.get(id)
	var body obj
	if found {
		f.apply(props)
		f.modified = time.Now()
		body = append(obj{{"@odata.context", c.metadataURL(filtersPath + "/$entity")}}, f.json()...)
	}
	s.mu.Unlock()
	switch {
	case !found: // deleted while the request was validated
		c.notFound(filterEntity, id)
	case s.cfg.PatchReturnsEntity:
		c.writeJSON(http.StatusOK, body)
	default:
		c.writeNoContent(http.StatusNoContent)
	}
}

// filterValidationFailed writes the 400 for a payload error, or the 501 for
// the derived type the emulator does not implement.
func (c *reqCtx) filterValidationFailed(err error) {
	if errors.Is(err, errDerivedFilter) {
		c.graphError(http.StatusNotImplemented, "NotImplemented", "The emulator does not implement 'microsoft.graph.payloadCompatibleAssignmentFilter'.", "")
		return
	}
	c.validationFailed(err)
}

// --- seeding / inspection API ---------------------------------------------

// AddAssignmentFilter stores a filter directly (no HTTP, no auth, no
// validation; known enumeration values are matched without regard to case)
// and returns its id. See AssignmentFilter for the defaults.
func (s *Server) AddAssignmentFilter(af AssignmentFilter) string {
	if af.ID == "" {
		af.ID = newGUID()
	}
	platform, ok := enumMember(af.Platform, filterPlatforms, false)
	if !ok {
		platform = orDefault(af.Platform, defaultFilterPlatform)
	}
	mt, ok := enumMember(af.ManagementType, filterManagementTypes, false)
	if !ok {
		mt = orDefault(af.ManagementType, defaultFilterManagementType)
	}
	now := time.Now()
	f := &assignmentFilter{id: af.ID, created: now, modified: now, displayName: af.DisplayName, rule: af.Rule, platform: platform, managementType: mt}
	if af.Description != "" {
		d := af.Description
		f.description = &d
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignFilters.put(af.ID, f)
	return af.ID
}

// AssignmentFilters returns the stored filters in creation order (a null
// description is reported as "").
func (s *Server) AssignmentFilters() []AssignmentFilter {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AssignmentFilter
	for _, f := range s.assignFilters.list() {
		af := AssignmentFilter{ID: f.id, DisplayName: f.displayName, Platform: f.platform, Rule: f.rule, ManagementType: f.managementType}
		if f.description != nil {
			af.Description = *f.description
		}
		out = append(out, af)
	}
	return out
}

// DeleteAssignmentFilter removes a filter (e.g. simulating a portal delete);
// it reports whether it existed.
func (s *Server) DeleteAssignmentFilter(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.assignFilters.del(id)
}
