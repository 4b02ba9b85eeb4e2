package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
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

// policy is a stored policy of any family.
type policy interface {
	core() *policyCore
	json() obj // the entity as a plain read answers it, in real Graph's member order
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
// officeConfiguration/clientConfigurations, deviceCompliancePolicies,
// configurationPolicies, groupPolicyConfigurations) for the handlers shared
// by all families. Where the families answer differently, the difference is
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

	// Policy entity and reads.
	concreteType  bool                     // the entity type is not abstract: a payload needs no @odata.type (defaultType), and entities answer none (internal/graph/NOTES.md#settings-catalog, internal/graph/NOTES.md#administrative-templates)
	nameProp      string                   // the member naming a policy, required non-empty on create in strict mode; "" => "displayName"
	selectOnly    func(p policy) obj       // members answered only when $select names them (internal/graph/NOTES.md#settings-catalog); nil => none; caller holds s.mu
	listTips      string                   // "@microsoft.graph.tips" of a list answered without $select (internal/graph/NOTES.md#settings-catalog); "" => none
	listPage      func(s *Server) pageSpec // paging of the policy list (internal/graph/NOTES.md#paging); nil => the server's page size and tokens; caller holds s.mu
	castContexts  bool                     // the @odata.context of an expanded navigation names the policy's type cast (internal/graph/NOTES.md#compliance-policies)
	nestedExpands map[string][]string      // per navigation, the navigations expandable inside it ($expand=a($expand=b), internal/graph/NOTES.md#compliance-policies)
	// expandNav renders an expanded navigation other than assignments
	// (ctx is its @odata.context); nil, or a nil answer, is an empty
	// collection. Caller holds s.mu.
	expandNav func(c *reqCtx, f *policyFamily, p policy, e expansion, ctx string) []any
	// expandEmpty says $expand=assignments answers "assignments": [] for p
	// (internal/graph/NOTES.md#expanding-assignments) besides
	// Config.ExpandAssignmentsEmpty; nil => never. Caller holds s.mu.
	expandEmpty func(s *Server, p policy, list bool) bool

	// Policy item.
	itemByStoredID    bool // item GET/PATCH/DELETE address the stored id, not the URL key (differs only in a 404 when the policy vanishes mid-request)
	deleteParsesQuery bool // DELETE validates query options
	deleteStatus      int  // status of a successful DELETE (no body)
	createLocation    bool // POST answers a Location header

	// Assignments.
	assignParam             string   // body member of the assign action holding the list
	assignIgnoredParams     []string // further assign members: accepted if arrays, ignored
	assignSource            bool     // assignments carry source/sourceId; /assign keeps policySets ones (internal/graph/NOTES.md#assign)
	assignIntent            bool     // assignments carry intent (a PATCH merges it)
	assignModified          bool     // assignments carry lastModifiedDateTime, one stamp per write (internal/graph/NOTES.md#administrative-templates)
	policySetsUndeletable   bool     // strict: DELETE of a policySets assignment is a 400 (internal/graph/NOTES.md#assignments [INF])
	createReplacesAll       bool     // a POST of an existing assignment id replaces every match, not only the first
	rereadAssignment        bool     // assignment GET/PATCH re-read it after validation (first match, 404 if gone) instead of the match of the first scan (the last one)
	assignItemSelectContext bool     // an assignment GET's @odata.context carries the $select suffix

	patchAlwaysEntity bool // PATCH of a policy or assignment answers 200 + entity whatever Config.PatchReturnsEntity says

	// Families beyond the first five (graph_families.go,
	// internal/graph/NOTES.md#families-beyond-the-first-five); the zero
	// values are the first five's behaviour.
	assignNoContent      bool                                                  // /assign answers 204 with no body (G1)
	assignCast           string                                                // /assign is routed only under this type cast segment (G3, mobileAppConfigurations); "" => with or without a cast
	noAssignAction       bool                                                  // no assign action: "assign" is an unknown segment (G4, termsAndConditions)
	assignDeviceIDs      bool                                                  // /assign takes {"deviceIds":[…]}, answers 204 and leaves the group assignments alone (G4, Autopilot profiles)
	noAssignmentPatch    bool                                                  // PATCH of one assignment is not routed (G4: add and remove only)
	assignPostRefused    bool                                                  // POST {id}/assignments is never routed [OBS] (G10)
	assignPostUnverified bool                                                  // POST {id}/assignments is in the default families of Config.AssignmentsPostUnsupported (unverified on the service)
	hiddenSource         bool                                                  // assignments answer no source, yet policy sets make some (G8): Source/SourceID kept internally
	targetTypes          []string                                              // modelled target types; nil => deviceTargetTypes
	targetKinds          []string                                              // target types a write may use; nil => all modelled ones (Config.AcceptAnyTargetKind lifts the rest, unless targetKindsObserved)
	targetKindsObserved  bool                                                  // the refusal of other kinds is observed (MAM, G6): not switchable
	targetMembersOnly    []string                                              // cloud PC user settings: the only target members a write may set besides @odata.type [INF] (Config.AcceptAnyTargetKind lifts it)
	filterKind           string                                                // assignment filters a write may name: "" (first five: not checked), filterNone, or an assignmentFilterManagementType ("devices", "apps") (G7)
	assignIDSuffix       string                                                // appended to computed assignment ids (Autopilot's opaque "_0")
	parseTarget          func(v any, strict bool, ext *famExt) (Target, error) // nil => parseDeviceTarget
	targetJSON           func(t Target) obj                                    // nil => deviceTargetJSON

	// Mobile apps and remediations (graph_apps.go): assignments with state
	// beyond the target (G2).
	intentValues           []string                                                                 // the intents an assignment may carry, none defaulted (mobileApps); nil => apply/remove, "apply" by default
	assignID               func(policyID string, a Assignment) string                               // computes an assignment id; nil => "{policyId}_{targetKey}{assignIDSuffix}"
	finishAssignment       func(s *Server, p policy, a Assignment, strict bool) (Assignment, error) // checks and completes a parsed assignment against its policy (settings by app type, schedules); s.mu not held
	checkAssignSet         func(s *Server, set []Assignment) string                                 // a rule on the whole set a write leaves (intent conflicts): a 400 reason, "" when fine
	castAssignmentsRefused bool                                                                     // {id}/microsoft.graph.<type>/assignments… is not routed (PS#2985)

	// Per-family code.
	store           func(s *Server) policyStore                                                    // the family's policies; use with s.mu held
	defaultType     string                                                                         // POST without @odata.type: lenient, or always for a concreteType
	canonicalType   func(raw string) (string, error)                                               // a payload's policy @odata.type
	validateProps   func(m map[string]any, typ string, strict bool) (map[string]any, error)        // writable members of a payload
	insert          func(s *Server, typ string, props map[string]any, strict bool) (policy, error) // stores a new policy (s.mu held); or a 400 (validationError)
	update          func(s *Server, p policy, props map[string]any, strict bool) error             // applies a PATCH (s.mu held); or a 400 (validationError)
	assignmentJSON  func(s *Server, f *policyFamily, a Assignment) obj
	parseAssignment func(f *policyFamily, v any, policyID string, strict bool, ext *famExt) (Assignment, error) // ext: members seeding added to f's schema (schema_ext.go)
	// duplicateAssign is the strict 400 reason for entries j < i of an assign list resolving to the same assignment.
	duplicateAssign func(j, i int, a Assignment) string
	// seedAssignment normalises one assignment of Set*Assignments (the i-th).
	seedAssignment func(f *policyFamily, policyID string, i int, a Assignment) (Assignment, error)
}

func (f *policyFamily) typeName() string       { return "microsoft.graph." + f.entity }
func (f *policyFamily) assignTypeName() string { return "microsoft.graph." + f.assignEntity }

// name is the member naming a policy (nameProp).
func (f *policyFamily) name() string {
	if f.nameProp == "" {
		return "displayName"
	}
	return f.nameProp
}

// policyFamilies are every family the emulator serves, for code that walks
// all stores (SetReadLag).
func policyFamilies() []*policyFamily {
	return append([]*policyFamily{deviceFamily, officeFamily, complianceFamily, configPolicyFamily, groupPolicyFamily}, newFamilies...)
}

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

	// Every per-policy path answers 404 for an unknown policy
	// (internal/graph/NOTES.md#addressing).
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
		if f.assignDeviceIDs {
			s.policyAssignDevices(c, f, strict)
			return
		}
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
		pi := c.paginate(q, 0, pageSpec{})
		c.writeJSON(http.StatusOK, collectionBody(c.metadataURL(f.itemPath(pc.id)+"/"+rt.navName), pi, 0, nil))
	}
}

// writePage orders items, cuts the page the query asks for (ps: see
// pageSpec) and answers the collection body.
func (c *reqCtx) writePage(q *queryOpts, items []obj, context string, ps pageSpec) {
	if err := orderBy(items, q.orderby); err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", err.Error(), "")
		return
	}
	pi := c.paginate(q, len(items), ps)
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
// served, other navigation properties are what the family's expandNav
// answers (empty by default). list says the policy is an item of a
// collection answer. Under Server.expand the assignments may be cut with a
// next link, or left empty on lists; a family's expandEmpty may empty them
// too (internal/graph/NOTES.md#expanding-assignments). Caller holds s.mu.
func (s *Server) renderPolicy(c *reqCtx, f *policyFamily, p policy, sel []string, exp []expansion, list bool) obj {
	pc := p.core()
	full := p.json()
	if sel != nil && f.selectOnly != nil {
		full = append(full, f.selectOnly(p)...)
	}
	o := project(full, sel)
	for _, e := range exp {
		ctx := c.metadataURL(f.navPath(pc, e))
		vals := []any{}
		next := ""
		switch {
		case e.nav == "assignments":
			empty := list && slices.Contains(s.expand.emptyOnLists, f.path)
			if f.expandEmpty != nil && f.expandEmpty(s, p, list) {
				empty = true
			}
			if empty {
				break
			}
			visible := pc.lag.visible(pc.assigns)
			if lim := s.expand.limit; lim > 0 && len(visible) > lim {
				visible = visible[:lim]
				next = c.baseURL() + "/beta/" + f.itemPath(pc.id) + "/assignments?$skiptoken=" + encodeSkipToken(lim)
			}
			for _, a := range visible {
				vals = append(vals, f.assignmentJSON(s, f, a))
			}
		case f.expandNav != nil:
			if v := f.expandNav(c, f, p, e, ctx); v != nil {
				vals = v
			}
		}
		o = append(o, kv{e.nav + "@odata.context", ctx}, kv{e.nav, vals})
		if next != "" {
			o = append(o, kv{e.nav + "@odata.nextLink", next})
		}
	}
	return o
}

// navPath is the metadata path of an expanded navigation of a policy: with
// the type cast under castContexts, and the nested expansions in
// parentheses (internal/graph/NOTES.md#compliance-policies).
func (f *policyFamily) navPath(pc *policyCore, e expansion) string {
	p := f.itemPath(pc.id) + "/"
	if f.castContexts {
		p += strings.TrimPrefix(pc.odataType, "#") + "/"
	}
	p += e.nav
	if len(e.nested) > 0 {
		p += nestedSuffix(e.nested)
	}
	return p
}

// typedJSON is what $filter sees of a policy: the full entity (select-only
// members included) with its @odata.type, for isof(), even where reads
// answer none.
func (f *policyFamily) typedJSON(p policy) obj {
	o := p.json()
	if f.selectOnly != nil {
		o = append(o, f.selectOnly(p)...)
	}
	if len(o) == 0 || o[0].k != "@odata.type" {
		o = append(obj{{"@odata.type", p.core().odataType}}, o...)
	}
	return o
}

// selectExpand resolves $select and $expand against an entity's
// properties and navigation properties.
// nested names, per navigation, the navigations expandable inside it.
func (c *reqCtx) selectExpand(q *queryOpts, typeName string, props, navs []string, nested map[string][]string) (sel []string, exp []expansion, ok bool) {
	if sel, ok = c.resolveSelect(q, typeName, props); !ok {
		return nil, nil, false
	}
	if exp, ok = c.expandSpec(q, typeName, navs, nested); !ok {
		return nil, nil, false
	}
	return sel, exp, true
}

// listQuery parses the query of a collection GET: options, $select,
// $expand, $filter. Errors are written here.
func (c *reqCtx) listQuery(typeName string, props, navs []string, nested map[string][]string) (q *queryOpts, sel []string, exp []expansion, flt *filterExpr, ok bool) {
	if q, ok = c.parseQuery(collectionQuery...); !ok {
		return
	}
	if sel, exp, ok = c.selectExpand(q, typeName, props, navs, nested); !ok {
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
	q, sel, exp, flt, ok := c.listQuery(f.typeName(), f.selectable, f.navs, f.nestedExpands)
	if !ok {
		return
	}
	s.mu.Lock()
	var items []obj
	for _, p := range f.store(s).list() {
		if flt.match(f.typedJSON(p)) {
			items = append(items, s.renderPolicy(c, f, p, sel, exp, true))
		}
	}
	var ps pageSpec
	if f.listPage != nil {
		ps = f.listPage(s)
	}
	s.mu.Unlock()
	if sel == nil {
		ps.tips = f.listTips
	}
	c.writePage(q, items, f.path+contextSuffix(sel, exp), ps)
}

func (s *Server) policyGet(c *reqCtx, f *policyFamily, id string) {
	q, ok := c.parseQuery("select", "expand")
	if !ok {
		return
	}
	sel, exp, ok := c.selectExpand(q, f.typeName(), f.selectable, f.navs, f.nestedExpands)
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
		if strict && !f.concreteType {
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
	if dn, _ := props[f.name()].(string); strings.TrimSpace(dn) == "" && strict {
		c.badRequest(f.name() + " is required")
		return
	}
	s.mu.Lock()
	p, err := f.insert(s, typ, props, strict)
	if err != nil {
		s.mu.Unlock()
		c.validationFailed(err)
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
	if err := f.update(s, p, props, strict); err != nil {
		s.mu.Unlock()
		c.validationFailed(err)
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
// assignments, policySets ones kept (internal/graph/NOTES.md#assign).
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
			var ve *validationError
			if errors.As(err, &ve) && !ve.odata && !ve.service { // service texts are answered as the service words them
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
	if f.assignModified {
		now := time.Now() // one stamp for the whole write (internal/graph/NOTES.md#administrative-templates)
		for i := range direct {
			direct[i].LastModifiedDateTime = now
		}
	}
	s.mu.Lock()
	p, found := f.store(s).get(policyID)
	var vals []any
	if found {
		pc := p.core()
		var kept []Assignment
		for _, a := range pc.assigns {
			keep := a.Source != "" && a.Source != "direct" // office and group policy assignments have no source
			if f.hiddenSource && !s.cfg.AssignKeepsPolicySetAssignments {
				// [INF, G8] nothing on the wire tells the service's
				// replace-all which ones a policy set made: the worst case
				keep = false
			}
			if keep {
				kept = append(kept, a)
			}
		}
		if f.checkAssignSet != nil {
			if reason := f.checkAssignSet(s, append(slices.Clone(kept), direct...)); reason != "" {
				s.mu.Unlock()
				c.badRequest(reason)
				return
			}
		}
		s.noteAssignChange(&pc.lag, pc.assigns)
		pc.assigns = append(kept, direct...)
		for _, a := range direct {
			vals = append(vals, f.assignmentJSON(s, f, a))
		}
	}
	s.mu.Unlock()
	if !found {
		c.notFound(f.entity, policyID)
		return
	}
	if f.assignNoContent {
		c.writeNoContent(http.StatusNoContent)
		return
	}
	c.writeJSON(http.StatusOK, collectionBody(c.metadataURL("Collection("+f.assignTypeName()+")"), pageInfo{}, 0, vals))
}

func (s *Server) assignmentList(c *reqCtx, f *policyFamily, policyID string) {
	q, sel, _, flt, ok := c.listQuery(f.assignTypeName(), f.assignProps, nil, nil)
	if !ok {
		return
	}
	s.mu.Lock()
	var items []obj
	if p, found := f.store(s).get(policyID); found {
		pc := p.core()
		for _, a := range pc.lag.visible(pc.assigns) {
			full := f.assignmentJSON(s, f, a)
			if flt.match(full) {
				items = append(items, project(full, sel))
			}
		}
	}
	s.mu.Unlock()
	c.writePage(q, items, f.itemPath(policyID)+"/assignments"+contextSuffix(sel, nil), pageSpec{})
}

// assignmentCreate implements POST {id}/assignments, the single create of
// internal/graph/NOTES.md#single-assignments: 201 + the entity with its server-computed
// id (internal/graph/NOTES.md#assignment-ids); an existing id is upserted, or 409 under
// Config.ConflictOnDuplicateAssignment. Under Config.AssignmentsPostUnsupported the
// router answers 400 before this is reached (internal/graph/NOTES.md#refused-route).
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
	if f.assignModified {
		a.LastModifiedDateTime = time.Now()
	}
	s.mu.Lock()
	p, found := f.store(s).get(policyID)
	conflict := false
	if found {
		pc := p.core()
		_, exists := findAssignment(pc.assigns, a.ID)
		conflict = exists && s.cfg.ConflictOnDuplicateAssignment
		if !conflict && f.checkAssignSet != nil {
			set := slices.Clone(pc.assigns)
			if exists {
				for i, old := range set {
					if strings.EqualFold(old.ID, a.ID) {
						set[i] = a
					}
				}
			} else {
				set = append(set, a)
			}
			if reason := f.checkAssignSet(s, set); reason != "" {
				s.mu.Unlock()
				c.badRequest(reason)
				return
			}
		}
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
		c.writeJSON(http.StatusCreated, append(obj{{"@odata.context", ctx}}, f.assignmentJSON(s, f, a)...))
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
		sel, _, ok := c.selectExpand(q, f.assignTypeName(), f.assignProps, nil, nil)
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
		c.writeJSON(http.StatusOK, append(obj{{"@odata.context", ctx}}, project(f.assignmentJSON(s, f, cur), sel)...))
	case http.MethodDelete:
		if f.policySetsUndeletable && strict && cur.Source == "policySets" {
			// [INF, internal/graph/NOTES.md#assignments] a policy set owns it;
			// LenientValidation deletes it
			c.badRequest("assignment " + cur.ID + " comes from a policy set (source policySets, sourceId " + cur.SourceID + ") and cannot be deleted directly; change the policy set instead")
			return
		}
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
		for k, v := range cur.Extra {
			merged[k] = v
		}
		if f.assignIntent {
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
		na.ID, na.Source, na.SourceID = cur.ID, cur.Source, cur.SourceID // office and group policy assignments have no source
		if f.assignModified {
			na.LastModifiedDateTime = time.Now()
		}
		s.mu.Lock()
		if f.checkAssignSet != nil {
			set := slices.Clone(pc.assigns)
			for i, a := range set {
				if strings.EqualFold(a.ID, aid) {
					set[i] = na
				}
			}
			if reason := f.checkAssignSet(s, set); reason != "" {
				s.mu.Unlock()
				c.badRequest(reason)
				return
			}
		}
		s.noteAssignChange(&pc.lag, pc.assigns)
		for i, a := range pc.assigns {
			if strings.EqualFold(a.ID, aid) {
				pc.assigns[i] = na
			}
		}
		s.mu.Unlock()
		if f.patchAlwaysEntity || s.cfg.PatchReturnsEntity {
			c.writeJSON(http.StatusOK, append(obj{{"@odata.context", entityCtx}}, f.assignmentJSON(s, f, na)...))
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
	out := make([]Assignment, 0, len(p.core().assigns))
	for _, a := range p.core().assigns {
		out = append(out, cloneAssignment(a))
	}
	return out, true
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
	now := time.Now()
	modelled := f.modelledTargets()
	unknownTypes := map[string]bool{}
	for i, a := range as {
		if f.assignModified && a.LastModifiedDateTime.IsZero() {
			a.LastModifiedDateTime = now
		}
		na, err := f.seedAssignment(f, pc.id, i, a) // copies Extra (checkExtra)
		if err != nil {
			return err
		}
		if _, known := canonicalType(na.Target.ODataType, modelled); !known {
			unknownTypes[na.Target.ODataType] = true
		}
		out = append(out, na)
	}
	s.extendSchema(f, out, unknownTypes)
	s.noteAssignChange(&pc.lag, pc.assigns)
	pc.assigns = out
	return nil
}

// parseAssignment parses a posted assignment with the family's parser and stores its GUIDs
// the way the service does: Intune keeps ids as GUIDs and answers them in lower case
// whatever case the client sent [INF, switchable with Config.PreserveGUIDCase]. Clients must
// therefore compare GUIDs without regard to case.
func (s *Server) parseAssignment(f *policyFamily, v any, policyID string, strict bool) (Assignment, error) {
	a, err := f.parseAssignment(f, v, policyID, strict, s.schemaOf(f))
	if err == nil {
		err = s.checkTargetRules(f, a)
	}
	if err == nil && f.finishAssignment != nil {
		s.mu.Lock()
		p, found := f.store(s).get(policyID)
		s.mu.Unlock()
		if found {
			a, err = f.finishAssignment(s, p, a, strict)
		}
	}
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
