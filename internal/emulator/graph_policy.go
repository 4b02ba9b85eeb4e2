package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// policyCore is the part every stored policy shares: identity and the
// assignment set (with its read-lag views). Guarded by Server.mu.
type policyCore struct {
	id        string
	odataType string // with '#'
	assigns   []Assignment
	lag       assignLag // stale views served under SetReadLag
}

func (c *policyCore) core() *policyCore { return c }

// policy is a stored policy of either family.
type policy interface {
	core() *policyCore
	json() obj // full entity in real Graph's member order
}

// policyStore is a family's store seen through the policy interface.
type policyStore interface {
	get(id string) (policy, bool)
	list() []policy
	del(id string) bool
}

// storeOf adapts a typed store to policyStore.
type storeOf[T policy] struct{ st *store[T] }

func (a storeOf[T]) get(id string) (policy, bool) {
	if p, ok := a.st.get(id); ok {
		return p, true
	}
	return nil, false // not a typed nil in the interface
}

func (a storeOf[T]) list() []policy {
	out := make([]policy, 0, len(a.st.order))
	for _, p := range a.st.list() {
		out = append(out, p)
	}
	return out
}

func (a storeOf[T]) del(id string) bool { return a.st.del(id) }

// policyFamily describes one policy collection (deviceConfigurations,
// officeConfiguration/clientConfigurations) for the handlers shared by both
// families. Where the two families answer differently, the difference is
// a field here, kept exactly as each family behaves.
type policyFamily struct {
	entity       string // entity type without namespace: 404s, casts, abstract-type errors
	path         string // collection path below /beta: metadata contexts, Location, internal path
	assignEntity string // assignment entity type without namespace
	fefService   string // Intune front-end service quoted in nested errors

	selectable  []string // $select names of a policy
	navs        []string // $expand names of a policy; navs[0] ("assignments") is what '*' expands
	assignProps []string // $select names of an assignment

	// Route shape (graph.go).
	collectionCastIsBad bool     // a type cast right after the collection is a bad segment
	itemCastTemplate    bool     // the 405 template of a cast item ends in "/cast"
	emptyNavs           []string // item navigations served as empty collections
	unemulatedNavs      []string // item navigations answered 501

	// Policy item.
	itemByStoredID    bool // item GET/PATCH/DELETE address the stored id, not the URL key (differs only in a 404 when the policy vanishes mid-request)
	deleteParsesQuery bool // DELETE validates query options
	deleteStatus      int  // status of a successful DELETE (no body)
	createLocation    bool // POST answers a Location header

	// Assignments.
	assignParam             string   // body member of the assign action holding the list
	assignIgnoredParams     []string // further assign members: accepted if arrays, ignored
	sourceIntent            bool     // assignments carry source/sourceId/intent (a PATCH merges intent)
	createReplacesAll       bool     // a POST of an existing assignment id replaces every match, not only the first
	rereadAssignment        bool     // assignment GET/PATCH re-read it after validation (first match, 404 if gone) instead of the match of the first scan (the last one)
	assignItemSelectContext bool     // an assignment GET's @odata.context carries the $select suffix

	patchAlwaysEntity bool // PATCH of a policy or assignment answers 200 + entity whatever Config.PatchReturnsEntity says

	// Per-family code.
	store           func(s *Server) policyStore                                                     // the family's policies; use with s.mu held
	defaultType     string                                                                          // lenient POST without @odata.type
	canonicalType   func(raw string) (string, error)                                                // a payload's policy @odata.type
	validateProps   func(m map[string]any, typ string, strict bool) (map[string]any, error)         // writable members of a payload
	insert          func(s *Server, typ string, props map[string]any, strict bool) (policy, string) // stores a new policy (s.mu held); or a 400 reason
	update          func(s *Server, p policy, props map[string]any, strict bool) string             // applies a PATCH (s.mu held); or a 400 reason
	assignmentJSON  func(s *Server, a Assignment) obj
	parseAssignment func(v any, policyID string, strict bool) (Assignment, error)
	// duplicateAssign is the strict 400 reason for entries j < i of an assign list resolving to the same assignment.
	duplicateAssign func(j, i int, a Assignment) string
	// seedAssignment normalises one assignment of Set*Assignments (the i-th).
	seedAssignment func(policyID string, i int, a Assignment) (Assignment, error)
}

func (f *policyFamily) typeName() string       { return "microsoft.graph." + f.entity }
func (f *policyFamily) assignTypeName() string { return "microsoft.graph." + f.assignEntity }

// itemPath is the metadata path of one policy.
func (f *policyFamily) itemPath(id string) string { return fmt.Sprintf("%s('%s')", f.path, id) }

// collectionQuery are the query options a collection GET accepts.
var collectionQuery = []string{"top", "skip", "count", "select", "expand", "filter", "orderby", "search", "skiptoken"}

// servePolicy dispatches the collection, item and assignment routes of a
// policy family.
func (s *Server) servePolicy(c *reqCtx, rt *route, f *policyFamily) {
	strict := !s.cfg.LenientValidation
	switch rt.kind {
	case rkCollection:
		if c.r.Method == http.MethodPost {
			s.policyCreate(c, f, strict)
		} else {
			s.policyList(c, f)
		}
		return
	case rkCount:
		if _, ok := c.parseQuery("filter", "search"); !ok {
			return
		}
		s.mu.Lock()
		n := len(f.store(s).list())
		s.mu.Unlock()
		c.writeCount(n)
		return
	}

	// Every per-policy path answers 404 for an unknown policy (spec 1.1).
	s.mu.Lock()
	p, ok := f.store(s).get(rt.policyID)
	s.mu.Unlock()
	if !ok {
		c.notFound(f.entity, rt.policyID)
		return
	}
	pc := p.core()
	if rt.cast != "" && !strings.EqualFold("#microsoft.graph."+rt.cast, pc.odataType) && !strings.EqualFold(rt.cast, f.entity) {
		c.notFound(f.entity+" of type microsoft.graph."+rt.cast, rt.policyID)
		return
	}
	switch rt.kind {
	case rkItem:
		id := rt.policyID
		if f.itemByStoredID {
			id = pc.id
		}
		switch c.r.Method {
		case http.MethodGet:
			s.policyGet(c, f, id)
		case http.MethodPatch:
			s.policyPatch(c, f, id, strict)
		case http.MethodDelete:
			if f.deleteParsesQuery {
				if _, ok := c.parseQuery(); !ok {
					return
				}
			}
			s.mu.Lock()
			f.store(s).del(id)
			s.mu.Unlock()
			c.writeNoContent(f.deleteStatus)
		}
	case rkAssign:
		s.policyAssign(c, f, pc.id, strict)
	case rkAssignments:
		if c.r.Method == http.MethodPost {
			s.assignmentCreate(c, f, pc.id, strict)
		} else {
			s.assignmentList(c, f, pc.id)
		}
	case rkAssignmentsCount:
		if _, ok := c.parseQuery("filter", "search"); !ok {
			return
		}
		s.mu.Lock()
		n := len(pc.lag.visible(pc.assigns))
		s.mu.Unlock()
		c.writeCount(n)
	case rkAssignment:
		s.assignmentItem(c, f, pc.id, rt.assignmentID, strict)
	case rkNavEmpty:
		q, ok := c.parseQuery(collectionQuery...)
		if !ok {
			return
		}
		pi := c.paginate(q, 0)
		c.writeJSON(http.StatusOK, collectionBody(c.metadataURL(f.itemPath(pc.id)+"/"+rt.navName), pi, 0, nil))
	}
}

// writePage orders items, cuts the page the query asks for and answers the
// collection body.
func (c *reqCtx) writePage(q *queryOpts, items []obj, context string) {
	if err := orderBy(items, q.orderby); err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	pi := c.paginate(q, len(items))
	vals := make([]any, 0, pi.end-pi.start)
	for _, it := range items[pi.start:pi.end] {
		vals = append(vals, it)
	}
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL(context), pi, len(items), vals))
}

// entityBody is a created/updated policy with its $entity context. Caller
// holds s.mu.
func (c *reqCtx) entityBody(f *policyFamily, p policy) obj {
	return append(obj{{"@odata.context", c.metadataURL(f.path + "/$entity")}}, p.json()...)
}

// renderPolicy applies $select/$expand to one policy: "assignments" is
// served, other navigation properties are empty. list says the policy is an
// item of a collection answer. Under Server.expand the assignments may be
// cut with a next link, or left empty on lists (graph-api.md 11.4, 13.1).
// Caller holds s.mu.
func (s *Server) renderPolicy(c *reqCtx, f *policyFamily, p policy, sel, exp []string, list bool) obj {
	pc := p.core()
	o := project(p.json(), sel)
	for _, e := range exp {
		ctx := c.metadataURL(f.itemPath(pc.id) + "/" + e)
		vals := []any{}
		next := ""
		if e == "assignments" && !(list && slices.Contains(s.expand.emptyOnLists, f.path)) {
			visible := pc.lag.visible(pc.assigns)
			if lim := s.expand.limit; lim > 0 && len(visible) > lim {
				visible = visible[:lim]
				next = c.baseURL() + "/beta/" + f.itemPath(pc.id) + "/assignments?$skiptoken=" + encodeSkipToken(lim)
			}
			for _, a := range visible {
				vals = append(vals, f.assignmentJSON(s, a))
			}
		}
		o = append(o, kv{e + "@odata.context", ctx}, kv{e, vals})
		if next != "" {
			o = append(o, kv{e + "@odata.nextLink", next})
		}
	}
	return o
}

// selectExpand resolves $select and $expand against an entity's
// properties and navigation properties.
func (c *reqCtx) selectExpand(q *queryOpts, typeName string, props, navs []string) (sel, exp []string, ok bool) {
	if sel, ok = c.resolveSelect(q, typeName, props); !ok {
		return nil, nil, false
	}
	if exp, ok = c.expandSpec(q, typeName, navs); !ok {
		return nil, nil, false
	}
	return sel, exp, true
}

// listQuery parses the query of a collection GET: options, $select,
// $expand, $filter. Errors are written here.
func (c *reqCtx) listQuery(typeName string, props, navs []string) (q *queryOpts, sel, exp []string, flt *filterExpr, ok bool) {
	if q, ok = c.parseQuery(collectionQuery...); !ok {
		return
	}
	if sel, exp, ok = c.selectExpand(q, typeName, props, navs); !ok {
		return
	}
	flt, err := parseFilter(q.filter)
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return q, nil, nil, nil, false
	}
	return q, sel, exp, flt, true
}

// payload parses the query (no options allowed) and JSON body of a write.
func (c *reqCtx) payload() (map[string]any, bool) {
	if _, ok := c.parseQuery(); !ok {
		return nil, false
	}
	return c.readJSONBody()
}

func (s *Server) policyList(c *reqCtx, f *policyFamily) {
	q, sel, exp, flt, ok := c.listQuery(f.typeName(), f.selectable, f.navs)
	if !ok {
		return
	}
	s.mu.Lock()
	var items []obj
	for _, p := range f.store(s).list() {
		if flt.match(p.json()) {
			items = append(items, s.renderPolicy(c, f, p, sel, exp, true))
		}
	}
	s.mu.Unlock()
	c.writePage(q, items, f.path+contextSuffix(sel, exp))
}

func (s *Server) policyGet(c *reqCtx, f *policyFamily, id string) {
	q, ok := c.parseQuery("select", "expand")
	if !ok {
		return
	}
	sel, exp, ok := c.selectExpand(q, f.typeName(), f.selectable, f.navs)
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := f.store(s).get(id)
	var body obj
	if found {
		body = append(obj{{"@odata.context", c.metadataURL(f.path + contextSuffix(sel, exp) + "/$entity")}}, s.renderPolicy(c, f, p, sel, exp, false)...)
	}
	s.mu.Unlock()
	if !found {
		c.notFound(f.entity, id)
		return
	}
	c.writeJSON(http.StatusOK, body)
}

func (s *Server) policyCreate(c *reqCtx, f *policyFamily, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	rawType, hasType, err := stringField(m, "@odata.type", f.typeName())
	if err != nil {
		c.validationFailed(err)
		return
	}
	if !hasType || rawType == "" {
		if strict {
			c.validationFailed(odataErr("Cannot create an instance of the abstract type '%s'; the payload needs an '@odata.type'.", f.typeName()))
			return
		}
		rawType = f.defaultType
	}
	typ, err := f.canonicalType(rawType)
	if err != nil {
		c.validationFailed(err)
		return
	}
	props, err := f.validateProps(m, typ, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	if dn, _ := props["displayName"].(string); strings.TrimSpace(dn) == "" && strict {
		c.badRequest("displayName is required")
		return
	}
	s.mu.Lock()
	p, reason := f.insert(s, typ, props, strict)
	if reason != "" {
		s.mu.Unlock()
		c.badRequest(reason)
		return
	}
	body := c.entityBody(f, p)
	s.mu.Unlock()
	if f.createLocation {
		c.w.Header().Set("Location", c.baseURL()+"/beta/"+f.itemPath(p.core().id))
	}
	c.writeJSON(http.StatusCreated, body)
}

func (s *Server) policyPatch(c *reqCtx, f *policyFamily, id string, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := f.store(s).get(id)
	s.mu.Unlock()
	if !found {
		c.notFound(f.entity, id)
		return
	}
	pc := p.core()
	if rawType, has, err := stringField(m, "@odata.type", pc.odataType); err != nil {
		c.validationFailed(err)
		return
	} else if has {
		// stored office types are canonical or unlike every known one, so
		// case-insensitive equality is the exact match there
		t, err := f.canonicalType(rawType)
		if err != nil || !strings.EqualFold(t, pc.odataType) {
			c.validationFailed(odataErr("The @odata.type '%s' does not match the type of the existing entity '%s'.", rawType, strings.TrimPrefix(pc.odataType, "#")))
			return
		}
	}
	props, err := f.validateProps(m, pc.odataType, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	s.mu.Lock()
	if reason := f.update(s, p, props, strict); reason != "" {
		s.mu.Unlock()
		c.badRequest(reason)
		return
	}
	body := c.entityBody(f, p)
	s.mu.Unlock()
	if f.patchAlwaysEntity || s.cfg.PatchReturnsEntity {
		c.writeJSON(http.StatusOK, body)
		return
	}
	c.writeNoContent(http.StatusNoContent)
}

// policyAssign implements POST {id}/assign: replace-all of the direct
// assignments, policySets ones kept (spec 1.4, 3.4).
func (s *Server) policyAssign(c *reqCtx, f *policyFamily, policyID string, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	for k := range m {
		known := k == f.assignParam
		for _, p := range f.assignIgnoredParams {
			known = known || k == p
		}
		if !known && strict {
			c.validationFailed(odataErr("The parameter '%s' in the request payload is not a valid parameter for the operation 'assign'.", k))
			return
		}
	}
	var list []any
	switch v := m[f.assignParam].(type) {
	case nil:
	case []any:
		list = v
	default:
		c.validationFailed(odataErr("The parameter '%s' must be a JSON array.", f.assignParam))
		return
	}
	for _, p := range f.assignIgnoredParams {
		if v, has := m[p]; has && v != nil {
			if _, isArr := v.([]any); !isArr {
				c.validationFailed(odataErr("The parameter '%s' must be a JSON array.", p))
				return
			}
		}
	}
	var direct []Assignment
	index := map[string]int{}
	for i, raw := range list {
		a, err := s.parseAssignment(f, raw, policyID, strict)
		if err != nil {
			if ve, ok := err.(*validationError); ok && !ve.odata {
				err = vErr("%s[%d]: %s", f.assignParam, i, ve.msg)
			}
			c.validationFailed(err)
			return
		}
		key := strings.ToLower(a.ID)
		if j, dup := index[key]; dup {
			if strict {
				c.badRequest(f.duplicateAssign(j, i, a))
				return
			}
			direct[j] = a // lenient: last one wins
			continue
		}
		index[key] = len(direct)
		direct = append(direct, a)
	}
	s.mu.Lock()
	p, found := f.store(s).get(policyID)
	var vals []any
	if found {
		pc := p.core()
		var kept []Assignment
		for _, a := range pc.assigns {
			if a.Source != "" && a.Source != "direct" { // office assignments have no source
				kept = append(kept, a)
			}
		}
		s.noteAssignChange(&pc.lag, pc.assigns)
		pc.assigns = append(kept, direct...)
		for _, a := range direct {
			vals = append(vals, f.assignmentJSON(s, a))
		}
	}
	s.mu.Unlock()
	if !found {
		c.notFound(f.entity, policyID)
		return
	}
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL("Collection("+f.assignTypeName()+")"), pageInfo{}, 0, vals))
}

func (s *Server) assignmentList(c *reqCtx, f *policyFamily, policyID string) {
	q, sel, _, flt, ok := c.listQuery(f.assignTypeName(), f.assignProps, nil)
	if !ok {
		return
	}
	s.mu.Lock()
	var items []obj
	if p, found := f.store(s).get(policyID); found {
		pc := p.core()
		for _, a := range pc.lag.visible(pc.assigns) {
			full := f.assignmentJSON(s, a)
			if flt.match(full) {
				items = append(items, project(full, sel))
			}
		}
	}
	s.mu.Unlock()
	c.writePage(q, items, f.itemPath(policyID)+"/assignments"+contextSuffix(sel, nil))
}

// assignmentCreate implements POST {id}/assignments, the single create of
// spec 1.6 and 3.2: 201 + the entity with its server-computed id (1.5); an
// existing id is upserted, or 409 under Config.ConflictOnDuplicateAssignment.
// Under Config.AssignmentsPostUnsupported the router answers 400 before this
// is reached (13.2).
func (s *Server) assignmentCreate(c *reqCtx, f *policyFamily, policyID string, strict bool) {
	m, ok := c.payload()
	if !ok {
		return
	}
	a, err := s.parseAssignment(f, m, policyID, strict)
	if err != nil {
		c.validationFailed(err)
		return
	}
	s.mu.Lock()
	p, found := f.store(s).get(policyID)
	conflict := false
	if found {
		pc := p.core()
		_, exists := findAssignment(pc.assigns, a.ID)
		conflict = exists && s.cfg.ConflictOnDuplicateAssignment
		if !conflict {
			s.noteAssignChange(&pc.lag, pc.assigns)
			if exists {
				for i, old := range pc.assigns {
					if strings.EqualFold(old.ID, a.ID) {
						pc.assigns[i] = a
						if !f.createReplacesAll {
							break
						}
					}
				}
			} else {
				pc.assigns = append(pc.assigns, a)
			}
		}
	}
	s.mu.Unlock()
	switch {
	case !found:
		c.notFound(f.entity, policyID)
	case conflict:
		c.intuneError(http.StatusConflict, "Conflict", "", "assignment "+a.ID+" already exists")
	default:
		ctx := c.metadataURL(f.itemPath(policyID) + "/assignments/$entity")
		c.writeJSON(http.StatusCreated, append(obj{{"@odata.context", ctx}}, f.assignmentJSON(s, a)...))
	}
}

func (s *Server) assignmentItem(c *reqCtx, f *policyFamily, policyID, aid string, strict bool) {
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
	p, found := f.store(s).get(policyID)
	var pc *policyCore
	var cur Assignment
	idx := -1
	if found {
		pc = p.core()
		set := pc.assigns
		if c.r.Method == http.MethodGet {
			set = pc.lag.visible(pc.assigns)
		}
		for i, a := range set {
			if strings.EqualFold(a.ID, aid) {
				idx, cur = i, a
			}
		}
	}
	s.mu.Unlock()
	if !found {
		c.notFound(f.entity, policyID)
		return
	}
	if idx < 0 {
		c.notFound(f.assignEntity, aid)
		return
	}
	// reread looks the assignment up again after validation, in set.
	reread := func(set func() []Assignment) bool {
		if !f.rereadAssignment {
			return true
		}
		s.mu.Lock()
		var still bool
		cur, still = findAssignment(set(), aid)
		s.mu.Unlock()
		if !still {
			c.notFound(f.assignEntity, aid)
		}
		return still
	}
	entityCtx := c.metadataURL(f.itemPath(policyID) + "/assignments/$entity")
	switch c.r.Method {
	case http.MethodGet:
		sel, _, ok := c.selectExpand(q, f.assignTypeName(), f.assignProps, nil)
		if !ok {
			return
		}
		if !reread(func() []Assignment { return pc.lag.visible(pc.assigns) }) {
			return
		}
		ctx := entityCtx
		if f.assignItemSelectContext {
			ctx = c.metadataURL(f.itemPath(policyID) + "/assignments" + contextSuffix(sel, nil) + "/$entity")
		}
		c.writeJSON(http.StatusOK, append(obj{{"@odata.context", ctx}}, project(f.assignmentJSON(s, cur), sel)...))
	case http.MethodDelete:
		s.mu.Lock()
		for i, a := range pc.assigns {
			if strings.EqualFold(a.ID, aid) {
				s.noteAssignChange(&pc.lag, pc.assigns)
				pc.assigns = append(pc.assigns[:i:i], pc.assigns[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		c.writeNoContent(http.StatusNoContent)
	case http.MethodPatch:
		if !reread(func() []Assignment { return pc.assigns }) {
			return
		}
		merged := map[string]any{"target": targetToMap(cur.Target)}
		if f.sourceIntent {
			merged["intent"] = cur.Intent
		}
		for k, v := range patch {
			merged[k] = v
		}
		na, err := s.parseAssignment(f, merged, policyID, strict)
		if err != nil {
			c.validationFailed(err)
			return
		}
		na.ID, na.Source, na.SourceID = cur.ID, cur.Source, cur.SourceID // office assignments have no source
		s.mu.Lock()
		s.noteAssignChange(&pc.lag, pc.assigns)
		for i, a := range pc.assigns {
			if strings.EqualFold(a.ID, aid) {
				pc.assigns[i] = na
			}
		}
		s.mu.Unlock()
		if f.patchAlwaysEntity || s.cfg.PatchReturnsEntity {
			c.writeJSON(http.StatusOK, append(obj{{"@odata.context", entityCtx}}, f.assignmentJSON(s, na)...))
			return
		}
		c.writeNoContent(http.StatusNoContent)
	}
}

// assignmentMembers is the common start of assignment payload parsing: a
// JSON object of type typ (an optional @odata.type must name it) whose
// members are @odata.type, id, target and extra (others are rejected in
// strict mode), with a string id (ignored: the server computes ids).
func assignmentMembers(v any, typ string, extra []string, strict bool) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, odataErr("Each assignment must be a JSON object.")
	}
	for k := range m {
		known := k == "@odata.type" || k == "id" || k == "target"
		for _, e := range extra {
			known = known || k == e
		}
		if !known && strict {
			return nil, unknownProperty(k, typ)
		}
	}
	if t, has, err := stringField(m, "@odata.type", typ); err != nil {
		return nil, err
	} else if has {
		if _, ok := canonicalType(t, []string{typ}); !ok {
			return nil, odataErr("The type '%s' is not compatible with '%s'.", t, strings.TrimPrefix(typ, "#"))
		}
	}
	if _, _, err := stringField(m, "id", typ); err != nil {
		return nil, err
	}
	return m, nil
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

// --- seeding / inspection, shared by the exported per-family methods -------

func (s *Server) deletePolicy(f *policyFamily, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f.store(s).del(id)
}

func (s *Server) policyAssignments(f *policyFamily, policyID string) ([]Assignment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := f.store(s).get(policyID)
	if !ok {
		return nil, false
	}
	return append([]Assignment{}, p.core().assigns...), true
}

func (s *Server) setPolicyAssignments(f *policyFamily, policyID string, as []Assignment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := f.store(s).get(policyID)
	if !ok {
		return fmt.Errorf("emulator: %s %s not found", f.entity, policyID)
	}
	pc := p.core()
	out := make([]Assignment, 0, len(as))
	for i, a := range as {
		na, err := f.seedAssignment(pc.id, i, a)
		if err != nil {
			return err
		}
		out = append(out, na)
	}
	s.noteAssignChange(&pc.lag, pc.assigns)
	pc.assigns = out
	return nil
}

// parseAssignment parses a posted assignment with the family's parser and stores its GUIDs
// the way the service does: Intune keeps ids as GUIDs and answers them in lower case
// whatever case the client sent [INF, switchable with Config.PreserveGUIDCase]. Clients must
// therefore compare GUIDs without regard to case.
func (s *Server) parseAssignment(f *policyFamily, v any, policyID string, strict bool) (Assignment, error) {
	a, err := f.parseAssignment(v, policyID, strict)
	if err != nil || s.cfg.PreserveGUIDCase {
		return a, err
	}
	if isGUID(a.Target.GroupID) {
		a.Target.GroupID = strings.ToLower(a.Target.GroupID)
	}
	if isGUID(a.Target.FilterID) {
		a.Target.FilterID = strings.ToLower(a.Target.FilterID)
	}
	return a, nil
}
