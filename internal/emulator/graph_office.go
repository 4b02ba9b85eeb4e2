package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Office client policy (officeConfiguration, "cirrus") types (spec 3.3).
const (
	DefaultOfficeClientConfigurationType = "#microsoft.graph.windowsOfficeClientConfiguration"
	officeSecurityType                   = "#microsoft.graph.windowsOfficeClientSecurityConfiguration"
	officeAssignmentType                 = "#microsoft.graph.officeClientConfigurationAssignment"
)

var officePolicyTypes = []string{DefaultOfficeClientConfigurationType, officeSecurityType}

// OfficeClientConfiguration seeds an office client policy. Priority 0 means
// "next free priority".
type OfficeClientConfiguration struct {
	ID, ODataType, DisplayName, Description string
	Priority                                int
} // ODataType default "#microsoft.graph.windowsOfficeClientConfiguration"

type officePolicy struct {
	id                 string
	odataType          string
	displayName        any
	description        any
	priority           int
	modified           time.Time
	policyPayload      any
	userPrefPayload    any
	assigns            []Assignment
	lag                assignLag // stale views served under SetReadLag
	userCheckinSummary obj
}

// officeSingleton is GET /officeConfiguration (read-only seed data).
type officeSingleton struct{ id string }

func newCheckinSummary() obj {
	return obj{{"@odata.type", "#microsoft.graph.officeUserCheckinSummary"}, {"succeededUserCount", 0}, {"failedUserCount", 0}}
}

func (p *officePolicy) json() obj {
	return obj{
		{"@odata.type", p.odataType},
		{"id", p.id},
		{"displayName", p.displayName},
		{"description", p.description},
		{"userPreferencePayload", p.userPrefPayload},
		{"policyPayload", p.policyPayload},
		{"priority", p.priority},
		{"lastModifiedDateTime", fmtTime(p.modified)},
		{"userCheckinSummary", p.userCheckinSummary},
		{"checkinStatuses", []any{}},
	}
}

var officeSelectable = []string{"id", "displayName", "description", "userPreferencePayload", "policyPayload", "priority", "lastModifiedDateTime", "userCheckinSummary", "checkinStatuses", "assignments"}
var officeAssignmentProps = []string{"id", "target"}

func officeAssignmentJSON(a Assignment) obj {
	return obj{{"@odata.type", officeAssignmentType}, {"id", a.ID}, {"target", officeTargetJSON(a.Target)}}
}

// parseOfficeAssignment validates one officeClientConfigurationAssignment.
func parseOfficeAssignment(v any, policyID string, strict bool) (Assignment, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Assignment{}, odataErr("Each assignment must be a JSON object.")
	}
	for k := range m {
		if k != "@odata.type" && k != "id" && k != "target" && strict {
			return Assignment{}, unknownProperty(k, officeAssignmentType)
		}
	}
	if t, has, err := stringField(m, "@odata.type", officeAssignmentType); err != nil {
		return Assignment{}, err
	} else if has {
		if _, ok := canonicalType(t, []string{officeAssignmentType}); !ok {
			return Assignment{}, odataErr("The type '%s' is not compatible with 'microsoft.graph.officeClientConfigurationAssignment'.", t)
		}
	}
	if _, _, err := stringField(m, "id", officeAssignmentType); err != nil {
		return Assignment{}, err
	}
	t, err := parseOfficeTarget(m["target"], strict)
	if err != nil {
		return Assignment{}, err
	}
	// [INF] office assignment ids: {policyId}_{groupId} (spec 3.4).
	return Assignment{ID: policyID + "_" + strings.ToLower(t.GroupID), Target: t}, nil
}

// validateOfficeProps checks a create/patch payload and returns the
// writable members.
func validateOfficeProps(m map[string]any, typ string, strict bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		switch k {
		case "@odata.type", "id", "lastModifiedDateTime", "userCheckinSummary", "checkinStatuses", "assignments":
			continue
		case "displayName", "description", "policyPayload", "userPreferencePayload":
			if err := checkKind(k, v, pkString, typ); err != nil {
				return nil, err
			}
		case "priority":
			n, ok := v.(json.Number)
			if !ok {
				return nil, checkKind(k, v, pkInt, typ)
			}
			if i, err := n.Int64(); err != nil || i < 0 || i > 1<<31-1 {
				return nil, odataErr("Cannot convert the literal '%s' to the expected type 'Edm.Int32' (property 'priority').", n)
			}
		default:
			if strings.Contains(k, "@odata.") {
				continue
			}
			if strict {
				return nil, unknownProperty(k, typ)
			}
			continue
		}
		out[k] = v
	}
	return out, nil
}

func (s *Server) serveOffice(c *reqCtx, rt *route) {
	strict := !s.cfg.LenientValidation
	switch rt.kind {
	case rkOfficeSingleton:
		if _, ok := c.parseQuery("select", "expand"); !ok {
			return
		}
		if c.r.Method == http.MethodPatch {
			if _, ok := c.readJSONBody(); !ok {
				return
			}
			c.writeNoContent(http.StatusNoContent)
			return
		}
		c.writeJSON(http.StatusOK, obj{
			{"@odata.context", c.metadataURL("officeConfiguration")},
			{"id", s.officeCfg.id},
			{"tenantCheckinStatuses", []any{}},
			{"tenantUserCheckinSummary", newCheckinSummary()},
		})
		return
	case rkOfficeCollection:
		if c.r.Method == http.MethodPost {
			s.officeCreate(c, strict)
		} else {
			s.officeList(c)
		}
		return
	case rkOfficeCount:
		if _, ok := c.parseQuery("filter", "search"); !ok {
			return
		}
		s.mu.Lock()
		n := len(s.offices.order)
		s.mu.Unlock()
		c.writeCount(n)
		return
	case rkOfficeUpdatePriorities:
		s.officeUpdatePriorities(c, strict)
		return
	}
	s.mu.Lock()
	p, ok := s.offices.get(rt.policyID)
	s.mu.Unlock()
	if !ok {
		c.notFound("officeClientConfiguration", rt.policyID)
		return
	}
	if rt.cast != "" && !strings.EqualFold("#microsoft.graph."+rt.cast, p.odataType) && !strings.EqualFold(rt.cast, "officeClientConfiguration") {
		c.notFound("officeClientConfiguration of type microsoft.graph."+rt.cast, rt.policyID)
		return
	}
	switch rt.kind {
	case rkOfficeItem:
		switch c.r.Method {
		case http.MethodGet:
			s.officeGet(c, p.id)
		case http.MethodPatch:
			s.officePatch(c, p.id, strict)
		case http.MethodDelete:
			if _, ok := c.parseQuery(); !ok {
				return
			}
			s.mu.Lock()
			s.offices.del(p.id)
			s.mu.Unlock()
			c.writeNoContent(http.StatusOK) // docs: 200 OK (spec 3.2)
		}
	case rkOfficeAssign:
		s.officeAssign(c, p.id, strict)
	case rkOfficeAssignments:
		if c.r.Method == http.MethodPost {
			s.officeAssignmentCreate(c, p.id, strict)
		} else {
			s.officeAssignmentList(c, p.id)
		}
	case rkOfficeAssignmentsCount:
		if _, ok := c.parseQuery("filter", "search"); !ok {
			return
		}
		s.mu.Lock()
		n := len(p.lag.visible(p.assigns))
		s.mu.Unlock()
		c.writeCount(n)
	case rkOfficeAssignment:
		s.officeAssignmentItem(c, p.id, rt.assignmentID, strict)
	}
}

// renderOffice applies $select/$expand; caller holds s.mu.
func (s *Server) renderOffice(c *reqCtx, p *officePolicy, sel, exp []string) obj {
	o := project(p.json(), sel)
	for _, e := range exp {
		vals := []any{}
		for _, a := range p.lag.visible(p.assigns) {
			vals = append(vals, officeAssignmentJSON(a))
		}
		o = append(o, kv{e + "@odata.context", c.metadataURL(fmt.Sprintf("officeConfiguration/clientConfigurations('%s')/assignments", p.id))}, kv{e, vals})
	}
	return o
}

func (s *Server) officeList(c *reqCtx) {
	q, ok := c.parseQuery("top", "skip", "count", "select", "expand", "filter", "orderby", "search", "skiptoken")
	if !ok {
		return
	}
	sel, ok := c.resolveSelect(q, "microsoft.graph.officeClientConfiguration", officeSelectable)
	if !ok {
		return
	}
	exp, ok := c.expandSpec(q, "microsoft.graph.officeClientConfiguration", []string{"assignments"})
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
	for _, p := range s.offices.list() {
		if flt.match(p.json()) {
			items = append(items, s.renderOffice(c, p, sel, exp))
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
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL("officeConfiguration/clientConfigurations"+contextSuffix(sel, exp)), pi, len(items), vals))
}

func (s *Server) officeGet(c *reqCtx, id string) {
	q, ok := c.parseQuery("select", "expand")
	if !ok {
		return
	}
	sel, ok := c.resolveSelect(q, "microsoft.graph.officeClientConfiguration", officeSelectable)
	if !ok {
		return
	}
	exp, ok := c.expandSpec(q, "microsoft.graph.officeClientConfiguration", []string{"assignments"})
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := s.offices.get(id)
	var body obj
	if found {
		body = append(obj{{"@odata.context", c.metadataURL("officeConfiguration/clientConfigurations" + contextSuffix(sel, exp) + "/$entity")}}, s.renderOffice(c, p, sel, exp)...)
	}
	s.mu.Unlock()
	if !found {
		c.notFound("officeClientConfiguration", id)
		return
	}
	c.writeJSON(http.StatusOK, body)
}

// priorityTaken reports whether another policy uses prio; caller holds s.mu.
func (s *Server) priorityTaken(prio int, exceptID string) bool {
	for _, o := range s.offices.list() {
		if o.priority == prio && !strings.EqualFold(o.id, exceptID) {
			return true
		}
	}
	return false
}

// nextPriority is one above the highest priority in use; caller holds s.mu.
func (s *Server) nextPriority() int {
	n := 0
	for _, o := range s.offices.list() {
		if o.priority >= n {
			n = o.priority + 1
		}
	}
	return n
}

func (p *officePolicy) apply(props map[string]any) {
	for k, v := range props {
		switch k {
		case "displayName":
			p.displayName = v
		case "description":
			p.description = v
		case "policyPayload":
			p.policyPayload = v
		case "userPreferencePayload":
			p.userPrefPayload = v
		case "priority":
			n, _ := v.(json.Number).Int64()
			p.priority = int(n)
		}
	}
}

func (s *Server) officeCreate(c *reqCtx, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	rawType, hasType, err := stringField(m, "@odata.type", "microsoft.graph.officeClientConfiguration")
	if err != nil {
		c.validationFailed(err)
		return
	}
	if !hasType || rawType == "" {
		if strict {
			c.validationFailed(odataErr("Cannot create an instance of the abstract type 'microsoft.graph.officeClientConfiguration'; the payload needs an '@odata.type'."))
			return
		}
		rawType = DefaultOfficeClientConfigurationType
	}
	typ, ok := canonicalType(rawType, officePolicyTypes)
	if !ok {
		c.validationFailed(odataErr("The type '%s' is not a valid officeClientConfiguration type: expected microsoft.graph.windowsOfficeClientConfiguration or microsoft.graph.windowsOfficeClientSecurityConfiguration.", rawType))
		return
	}
	props, err := validateOfficeProps(m, typ, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	if dn, _ := props["displayName"].(string); strings.TrimSpace(dn) == "" && strict {
		c.badRequest("displayName is required")
		return
	}
	p := &officePolicy{id: newGUID(), odataType: typ, modified: time.Now(), userCheckinSummary: newCheckinSummary()}
	s.mu.Lock()
	p.apply(props)
	if _, has := props["priority"]; !has {
		p.priority = s.nextPriority()
	} else if s.priorityTaken(p.priority, "") && strict {
		s.mu.Unlock()
		c.badRequest(fmt.Sprintf("priority %d is already used by another policy; priorities must be unique", p.priority))
		return
	}
	s.offices.put(p.id, p)
	body := append(obj{{"@odata.context", c.metadataURL("officeConfiguration/clientConfigurations/$entity")}}, p.json()...)
	s.mu.Unlock()
	c.writeJSON(http.StatusCreated, body)
}

func (s *Server) officePatch(c *reqCtx, id string, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := s.offices.get(id)
	s.mu.Unlock()
	if !found {
		c.notFound("officeClientConfiguration", id)
		return
	}
	if rawType, has, err := stringField(m, "@odata.type", p.odataType); err != nil {
		c.validationFailed(err)
		return
	} else if has {
		if t, ok := canonicalType(rawType, officePolicyTypes); !ok || t != p.odataType {
			c.validationFailed(odataErr("The @odata.type '%s' does not match the type of the existing entity '%s'.", rawType, strings.TrimPrefix(p.odataType, "#")))
			return
		}
	}
	props, err := validateOfficeProps(m, p.odataType, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	s.mu.Lock()
	if v, has := props["priority"]; has && strict {
		n, _ := v.(json.Number).Int64()
		if s.priorityTaken(int(n), p.id) {
			s.mu.Unlock()
			c.badRequest(fmt.Sprintf("priority %d is already used by another policy; priorities must be unique", n))
			return
		}
	}
	p.apply(props)
	p.modified = time.Now()
	body := append(obj{{"@odata.context", c.metadataURL("officeConfiguration/clientConfigurations/$entity")}}, p.json()...)
	s.mu.Unlock()
	c.writeJSON(http.StatusOK, body) // docs: 200 + entity (spec 3.2)
}

// officeAssign is the documented replace-all action (spec 3.4).
func (s *Server) officeAssign(c *reqCtx, policyID string, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	for k := range m {
		if k != "officeConfigurationAssignments" && strict {
			c.validationFailed(odataErr("The parameter '%s' in the request payload is not a valid parameter for the operation 'assign'.", k))
			return
		}
	}
	var list []any
	switch v := m["officeConfigurationAssignments"].(type) {
	case nil:
	case []any:
		list = v
	default:
		c.validationFailed(odataErr("The parameter 'officeConfigurationAssignments' must be a JSON array."))
		return
	}
	var out []Assignment
	index := map[string]int{}
	for i, raw := range list {
		a, err := parseOfficeAssignment(raw, policyID, strict)
		if err != nil {
			if ve, ok := err.(*validationError); ok && !ve.odata {
				err = vErr("officeConfigurationAssignments[%d]: %s", i, ve.msg)
			}
			c.validationFailed(err)
			return
		}
		key := strings.ToLower(a.ID)
		if j, dup := index[key]; dup {
			if strict {
				c.badRequest(fmt.Sprintf("officeConfigurationAssignments[%d] and [%d] target the same group %s", j, i, a.Target.GroupID))
				return
			}
			out[j] = a
			continue
		}
		index[key] = len(out)
		out = append(out, a)
	}
	s.mu.Lock()
	p, found := s.offices.get(policyID)
	if found {
		s.noteAssignChange(&p.lag, p.assigns)
		p.assigns = out
	}
	s.mu.Unlock()
	if !found {
		c.notFound("officeClientConfiguration", policyID)
		return
	}
	vals := []any{}
	for _, a := range out {
		vals = append(vals, officeAssignmentJSON(a))
	}
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL("Collection(microsoft.graph.officeClientConfigurationAssignment)"), pageInfo{}, 0, vals))
}

func (s *Server) officeAssignmentList(c *reqCtx, policyID string) {
	q, ok := c.parseQuery("top", "skip", "count", "select", "expand", "filter", "orderby", "search", "skiptoken")
	if !ok {
		return
	}
	sel, ok := c.resolveSelect(q, "microsoft.graph.officeClientConfigurationAssignment", officeAssignmentProps)
	if !ok {
		return
	}
	if _, ok := c.expandSpec(q, "microsoft.graph.officeClientConfigurationAssignment", nil); !ok {
		return
	}
	flt, err := parseFilter(q.filter)
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	s.mu.Lock()
	var items []obj
	if p, found := s.offices.get(policyID); found {
		for _, a := range p.lag.visible(p.assigns) {
			full := officeAssignmentJSON(a)
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
	ctx := fmt.Sprintf("officeConfiguration/clientConfigurations('%s')/assignments%s", policyID, contextSuffix(sel, nil))
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL(ctx), pi, len(items), vals))
}

func (s *Server) officeAssignmentCreate(c *reqCtx, policyID string, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	a, err := parseOfficeAssignment(m, policyID, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	s.mu.Lock()
	p, found := s.offices.get(policyID)
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
		c.notFound("officeClientConfiguration", policyID)
	case conflict:
		c.intuneError(http.StatusConflict, "Conflict", "", "assignment "+a.ID+" already exists")
	default:
		ctx := c.metadataURL(fmt.Sprintf("officeConfiguration/clientConfigurations('%s')/assignments/$entity", policyID))
		c.writeJSON(http.StatusCreated, append(obj{{"@odata.context", ctx}}, officeAssignmentJSON(a)...))
	}
}

func (s *Server) officeAssignmentItem(c *reqCtx, policyID, aid string, strict bool) {
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
	if c.r.Method == http.MethodPatch {
		if patch, ok = c.readJSONBody(); !ok {
			return
		}
	}
	s.mu.Lock()
	p, found := s.offices.get(policyID)
	var cur Assignment
	idx := -1
	if found {
		set := p.assigns
		if c.r.Method == http.MethodGet {
			set = p.lag.visible(p.assigns)
		}
		for i, a := range set {
			if strings.EqualFold(a.ID, aid) {
				idx, cur = i, a
			}
		}
	}
	s.mu.Unlock()
	if !found {
		c.notFound("officeClientConfiguration", policyID)
		return
	}
	if idx < 0 {
		c.notFound("officeClientConfigurationAssignment", aid)
		return
	}
	ctx := c.metadataURL(fmt.Sprintf("officeConfiguration/clientConfigurations('%s')/assignments/$entity", policyID))
	switch c.r.Method {
	case http.MethodGet:
		sel, ok := c.resolveSelect(q, "microsoft.graph.officeClientConfigurationAssignment", officeAssignmentProps)
		if !ok {
			return
		}
		if _, ok := c.expandSpec(q, "microsoft.graph.officeClientConfigurationAssignment", nil); !ok {
			return
		}
		c.writeJSON(http.StatusOK, append(obj{{"@odata.context", ctx}}, project(officeAssignmentJSON(cur), sel)...))
	case http.MethodDelete:
		s.mu.Lock()
		for i, a := range p.assigns {
			if strings.EqualFold(a.ID, aid) {
				s.noteAssignChange(&p.lag, p.assigns)
				p.assigns = append(p.assigns[:i:i], p.assigns[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		c.writeNoContent(http.StatusNoContent)
	case http.MethodPatch:
		merged := map[string]any{"target": targetToMap(cur.Target)}
		for k, v := range patch {
			merged[k] = v
		}
		na, err := parseOfficeAssignment(merged, policyID, strict)
		if err != nil {
			c.validationFailed(err)
			return
		}
		na.ID = cur.ID
		s.mu.Lock()
		s.noteAssignChange(&p.lag, p.assigns)
		for i, a := range p.assigns {
			if strings.EqualFold(a.ID, aid) {
				p.assigns[i] = na
			}
		}
		s.mu.Unlock()
		c.writeJSON(http.StatusOK, append(obj{{"@odata.context", ctx}}, officeAssignmentJSON(na)...))
	}
}

// officeUpdatePriorities applies parallel id/priority arrays atomically
// (spec 3.5).
func (s *Server) officeUpdatePriorities(c *reqCtx, strict bool) {
	if _, ok := c.parseQuery(); !ok {
		return
	}
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	for k := range m {
		if k != "officeConfigurationPolicyIds" && k != "officeConfigurationPriorities" && strict {
			c.validationFailed(odataErr("The parameter '%s' in the request payload is not a valid parameter for the operation 'updatePriorities'.", k))
			return
		}
	}
	ids, _ := m["officeConfigurationPolicyIds"].([]any)
	prios, _ := m["officeConfigurationPriorities"].([]any)
	if len(ids) != len(prios) {
		c.badRequest(fmt.Sprintf("officeConfigurationPolicyIds has %d entries but officeConfigurationPriorities has %d", len(ids), len(prios)))
		return
	}
	want := map[string]int{}
	for i := range ids {
		id, ok1 := ids[i].(string)
		n, ok2 := prios[i].(json.Number)
		v, err := n.Int64()
		if !ok1 || !ok2 || err != nil || v < 0 {
			c.validationFailed(odataErr("officeConfigurationPolicyIds must be strings and officeConfigurationPriorities non-negative integers (entry %d)", i))
			return
		}
		want[strings.ToLower(id)] = int(v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	final := map[string]int{}
	for _, p := range s.offices.list() {
		final[strings.ToLower(p.id)] = p.priority
	}
	for id, v := range want {
		if _, ok := final[id]; !ok {
			c.notFound("officeClientConfiguration", id)
			return
		}
		final[id] = v
	}
	if strict {
		seen := map[int]string{}
		for id, v := range final {
			if other, dup := seen[v]; dup {
				c.badRequest(fmt.Sprintf("policies %s and %s would both have priority %d", other, id, v))
				return
			}
			seen[v] = id
		}
	}
	for _, p := range s.offices.list() {
		p.priority = final[strings.ToLower(p.id)]
	}
	c.writeNoContent(http.StatusOK)
}

// --- seeding / inspection API ---------------------------------------------

// AddOfficeClientConfiguration stores an office client policy directly and
// returns its id.
func (s *Server) AddOfficeClientConfiguration(oc OfficeClientConfiguration) string {
	if oc.ID == "" {
		oc.ID = newGUID()
	}
	typ := DefaultOfficeClientConfigurationType
	if oc.ODataType != "" {
		if t, ok := canonicalType(oc.ODataType, officePolicyTypes); ok {
			typ = t
		} else {
			typ = "#" + strings.TrimPrefix(oc.ODataType, "#")
		}
	}
	p := &officePolicy{id: oc.ID, odataType: typ, displayName: oc.DisplayName, modified: time.Now(), userCheckinSummary: newCheckinSummary()}
	if oc.Description != "" {
		p.description = oc.Description
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.priority = oc.Priority
	if oc.Priority == 0 {
		p.priority = s.nextPriority()
	}
	s.offices.put(p.id, p)
	return p.id
}

// DeleteOfficeClientConfiguration removes an office policy; it reports
// whether it existed.
func (s *Server) DeleteOfficeClientConfiguration(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offices.del(id)
}

// OfficeClientConfigurationAssignments returns an office policy's
// assignments (Target.ODataType "#microsoft.graph.officeConfigurationGroupAssignmentTarget").
func (s *Server) OfficeClientConfigurationAssignments(policyID string) ([]Assignment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.offices.get(policyID)
	if !ok {
		return nil, false
	}
	return append([]Assignment{}, p.assigns...), true
}

// SetOfficeClientConfigurationAssignments overwrites an office policy's
// assignments verbatim (drift simulation). Empty ids are computed.
func (s *Server) SetOfficeClientConfigurationAssignments(policyID string, as []Assignment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.offices.get(policyID)
	if !ok {
		return fmt.Errorf("emulator: officeClientConfiguration %s not found", policyID)
	}
	out := make([]Assignment, 0, len(as))
	for i, a := range as {
		if a.Target.ODataType == "" {
			a.Target.ODataType = TargetOfficeGroup
		}
		t, ok := canonicalType(a.Target.ODataType, []string{TargetOfficeGroup})
		if !ok {
			return fmt.Errorf("emulator: assignment %d: unknown office target type %q", i, a.Target.ODataType)
		}
		a.Target.ODataType = t
		if a.ID == "" {
			a.ID = p.id + "_" + strings.ToLower(a.Target.GroupID)
		}
		out = append(out, Assignment{ID: a.ID, Target: Target{ODataType: t, GroupID: a.Target.GroupID}})
	}
	s.noteAssignChange(&p.lag, p.assigns)
	p.assigns = out
	return nil
}
