package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// routeKind names the resource a /beta path resolved to.
type routeKind int

const (
	rkCollection routeKind = iota + 1 // a policy family's collection
	rkCount
	rkItem
	rkAssign
	rkAssignments
	rkAssignmentsCount
	rkAssignment
	rkNavEmpty // groupAssignments, deviceStatuses...: served as empty collections
	rkOfficeSingleton
	rkOfficeUpdatePriorities
	rkFilterCollection // deviceManagement/assignmentFilters (internal/graph/NOTES.md#assignment-filters)
	rkFilterCount
	rkFilter
	rkBatch
	rkNotEmulated
	rkPolicySetCollection // deviceAppManagement/policySets (graph_policysets.go)
	rkPolicySet
	rkPolicySetItems
	rkPolicySetItem
)

// route is a parsed /beta path.
type route struct {
	kind         routeKind
	fam          *policyFamily // the policy family of the path; nil for $batch, assignment filters and rkNotEmulated
	path         string        // collection path below /beta of a route outside the policy families (assignment filters)
	policyID     string        // the URL key of a policy, or of an assignment filter
	assignmentID string
	cast         string // type-cast segment on an item (without "microsoft.graph.")
	navName      string // for rkNavEmpty / rkNotEmulated
	template     string // OData route template, for the 405 message
	methods      []string
}

// splitGraphPath turns "/beta/a/b('k')/c" into ["a","b","k","c"]: key-in-
// parentheses addressing is flattened into a key segment
// (internal/graph/NOTES.md#addressing).
func splitGraphPath(escaped string) ([]string, string, bool) {
	rest := escaped[5:] // strip "/beta" (any case)
	var out []string
	for _, raw := range strings.Split(rest, "/") {
		if raw == "" {
			continue
		}
		seg, err := url.PathUnescape(raw)
		if err != nil {
			return nil, raw, false
		}
		if i := strings.IndexByte(seg, '('); i > 0 && strings.HasSuffix(seg, ")") {
			name, key := seg[:i], seg[i+1:len(seg)-1]
			if len(key) >= 2 && key[0] == '\'' && key[len(key)-1] == '\'' {
				key = strings.ReplaceAll(key[1:len(key)-1], "''", "'")
			}
			if key == "" {
				return nil, seg, false
			}
			out = append(out, name, key)
			continue
		}
		out = append(out, seg)
	}
	return out, "", true
}

func eq(a, b string) bool { return strings.EqualFold(a, b) }

// castName returns the type name of a "microsoft.graph.X" segment.
func castName(seg string) (string, bool) {
	const p = "microsoft.graph."
	if len(seg) > len(p) && strings.EqualFold(seg[:len(p)], p) {
		return seg[len(p):], true
	}
	return "", false
}

// parseRoute resolves segments to a route; on failure it returns the
// offending segment for the "Resource not found for the segment" 400.
func parseRoute(t []string) (*route, string) {
	if len(t) == 0 {
		return nil, "beta"
	}
	switch {
	case eq(t[0], "$batch") && len(t) == 1:
		return &route{kind: rkBatch, template: "~/$batch", methods: []string{"POST"}}, ""
	case eq(t[0], "deviceManagement"):
		return parseDeviceRoute(t)
	case eq(t[0], "officeConfiguration"):
		return parseOfficeRoute(t)
	case eq(t[0], "deviceAppManagement"):
		return parseAppRoute(t)
	}
	return nil, t[0]
}

// familyRoute resolves a path of one of the families below
// deviceManagement or deviceAppManagement, whose collection path may have
// more than two segments (deviceManagement/virtualEndpoint/userSettings).
func familyRoute(t []string) (*route, string, bool) {
	for _, f := range policyFamilies() {
		parts := strings.Split(f.path, "/")
		if f == officeFamily || len(t) < len(parts) {
			continue
		}
		match := true
		for i, p := range parts {
			match = match && eq(t[i], p)
		}
		if match {
			r, bad := parsePolicyRoute(t[len(parts)-2:], f)
			return r, bad, true
		}
	}
	return nil, "", false
}

func parseAppRoute(t []string) (*route, string) {
	if len(t) == 1 {
		return &route{kind: rkNotEmulated, navName: "deviceAppManagement"}, ""
	}
	if eq(t[1], "policySets") {
		return parsePolicySetRoute(t)
	}
	if r, bad, ok := familyRoute(t); ok {
		return r, bad
	}
	return nil, t[1]
}

func parseDeviceRoute(t []string) (*route, string) {
	if len(t) == 1 {
		return &route{kind: rkNotEmulated, navName: "deviceManagement"}, ""
	}
	if eq(t[1], "assignmentFilters") {
		return parseFilterRoute(t)
	}
	if r, bad, ok := familyRoute(t); ok {
		return r, bad
	}
	if eq(t[1], "virtualEndpoint") {
		if len(t) == 2 {
			return &route{kind: rkNotEmulated, navName: "virtualEndpoint"}, ""
		}
		return nil, t[2]
	}
	return nil, t[1]
}

func parseOfficeRoute(t []string) (*route, string) {
	if len(t) == 1 {
		return &route{kind: rkOfficeSingleton, fam: officeFamily, template: "~/singleton", methods: []string{"GET", "PATCH"}}, ""
	}
	if !eq(t[1], "clientConfigurations") {
		if eq(t[1], "tenantCheckinStatuses") || eq(t[1], "tenantUserCheckinSummary") {
			return &route{kind: rkNotEmulated, navName: t[1]}, ""
		}
		return nil, t[1]
	}
	if len(t) > 2 && (eq(t[2], "updatePriorities") || eq(t[2], "microsoft.graph.updatePriorities") || eq(t[2], "microsoft.management.services.api.updatePriorities")) {
		if len(t) > 3 {
			return nil, t[3]
		}
		return &route{kind: rkOfficeUpdatePriorities, fam: officeFamily, template: "~/singleton/navigation/action", methods: []string{"POST"}}, ""
	}
	return parsePolicyRoute(t, officeFamily)
}

// parsePolicyRoute resolves t[2:], the segments after a family's collection
// (t[0]/t[1]).
func parsePolicyRoute(t []string, f *policyFamily) (*route, string) {
	if len(t) == 2 {
		return &route{kind: rkCollection, fam: f, template: "~/singleton/navigation", methods: []string{"GET", "POST"}}, ""
	}
	if eq(t[2], "$count") {
		if len(t) > 3 {
			return nil, t[3]
		}
		return &route{kind: rkCount, fam: f, template: "~/singleton/navigation/$count", methods: []string{"GET"}}, ""
	}
	if _, ok := castName(t[2]); ok && f.collectionCastIsBad {
		// a cast on the collection is not something this provider uses
		return nil, t[2]
	}
	r := &route{fam: f, policyID: t[2]}
	i := 3
	if i < len(t) {
		if n, ok := castName(t[i]); ok && !eq(n, "assign") {
			r.cast = n
			i++
		}
	}
	if i == len(t) {
		r.kind, r.template, r.methods = rkItem, "~/singleton/navigation/key", []string{"GET", "PATCH", "DELETE"}
		if r.cast != "" && f.itemCastTemplate {
			r.template += "/cast"
		}
		return r, ""
	}
	seg := t[i]
	switch {
	case (eq(seg, "assign") || eq(seg, "microsoft.graph.assign")) && !f.noAssignAction:
		if i+1 != len(t) {
			return nil, t[i+1]
		}
		r.kind, r.template, r.methods = rkAssign, "~/singleton/navigation/key/action", []string{"POST"}
	case eq(seg, "assignments"):
		switch {
		case i+1 == len(t):
			r.kind, r.template, r.methods = rkAssignments, "~/singleton/navigation/key/navigation", []string{"GET", "POST"}
		case eq(t[i+1], "$count") && i+2 == len(t):
			r.kind, r.template, r.methods = rkAssignmentsCount, "~/singleton/navigation/key/navigation/$count", []string{"GET"}
		case i+2 == len(t):
			r.assignmentID = t[i+1]
			r.kind, r.template, r.methods = rkAssignment, "~/singleton/navigation/key/navigation/key", []string{"GET", "PATCH", "DELETE"}
			if f.noAssignmentPatch {
				r.methods = []string{"GET", "DELETE"}
			}
		default:
			return nil, t[i+2]
		}
	case anyEq(seg, f.emptyNavs):
		if i+1 != len(t) {
			return &route{kind: rkNotEmulated, navName: seg}, ""
		}
		r.kind, r.navName, r.template, r.methods = rkNavEmpty, seg, "~/singleton/navigation/key/navigation", []string{"GET"}
	case anyEq(seg, f.unemulatedNavs):
		return &route{kind: rkNotEmulated, navName: seg}, ""
	default:
		return nil, seg
	}
	return r, ""
}

// anyEq reports whether seg equals one of names, ignoring case.
func anyEq(seg string, names []string) bool {
	for _, n := range names {
		if eq(seg, n) {
			return true
		}
	}
	return false
}

// family is the route's policy family; paths outside the families ($batch,
// assignment filters) are quoted as deviceConfigurations ones.
func (r *route) family() *policyFamily {
	if r.fam == nil {
		return deviceFamily
	}
	return r.fam
}

// fefURL renders the internal Intune front-end URL quoted in nested errors.
func (r *route) fefURL(path string) string {
	return "https://fef.msua01.manage.microsoft.com/" + r.family().fefService + path + "?api-version=5023-07-19"
}

// internalPath is the canonical OData path Intune logs (key in parentheses,
// actions namespace-qualified as microsoft.management.services.api).
func (r *route) internalPath() string {
	var b strings.Builder
	switch {
	case r.kind == rkOfficeSingleton:
		b.WriteString("/officeConfiguration")
	case r.path != "":
		b.WriteString("/" + r.path)
	default:
		b.WriteString("/" + r.family().path)
	}
	if r.policyID != "" {
		fmt.Fprintf(&b, "('%s')", r.policyID)
	}
	switch r.kind {
	case rkAssign:
		b.WriteString("/microsoft.management.services.api.assign")
	case rkOfficeUpdatePriorities:
		b.WriteString("/microsoft.management.services.api.updatePriorities")
	case rkAssignments, rkAssignment, rkAssignmentsCount:
		b.WriteString("/assignments")
		if r.assignmentID != "" {
			fmt.Fprintf(&b, "('%s')", r.assignmentID)
		}
	}
	return b.String()
}

// permissions needed for a method (internal/graph/NOTES.md#permissions):
// reads accept Read.All or ReadWrite.All, everything else needs
// ReadWrite.All.
func requiredPerms(method string) []string {
	if method == http.MethodGet || method == http.MethodHead {
		return []string{PermReadAll, PermReadWriteAll}
	}
	return []string{PermReadWriteAll}
}

// serveGraph authenticates, routes and dispatches a /beta request. The
// order mirrors the real pipeline: injected faults/throttling at the
// gateway, token validation (401), URL parsing (400), verb (405), then the
// workload: permission (403), existence (404), payload validation (400).
func (s *Server) serveGraph(c *reqCtx) {
	if !c.batchItem && !sleepCtx(c.r.Context(), s.latency()) {
		c.dropConnection() // the client gave up while the request was "in flight"
	}
	if s.applyFault(c, s.serveGraphRequest) {
		return
	}
	s.serveGraphRequest(c)
}

// serveGraphRequest is the pipeline behind the fault-injection gateway.
func (s *Server) serveGraphRequest(c *reqCtx) {
	claims, err := s.verifyBearer(c.r.Header.Get("Authorization"))
	if err != nil {
		c.w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="", authorization_uri="%s/common/oauth2/authorize", client_id="%s"`, c.baseURL(), graphAppID))
		c.graphError(http.StatusUnauthorized, "InvalidAuthenticationToken", err.Error(), "")
		return
	}
	c.claims = claims
	if s.applyThrottle(c) {
		return
	}
	segs, bad, ok := splitGraphPath(c.r.URL.EscapedPath())
	if !ok {
		c.badSegment(bad)
		return
	}
	rt, bad := parseRoute(segs)
	if rt == nil {
		c.badSegment(bad)
		return
	}
	if rt.kind == rkNotEmulated {
		c.graphError(http.StatusNotImplemented, "NotImplemented", fmt.Sprintf("The emulator does not implement '%s'.", rt.navName), "")
		return
	}
	c.fefURL = rt.fefURL(rt.internalPath())
	if rt.kind == rkAssignments && c.r.Method == http.MethodPost && s.assignmentsPostUnrouted(rt.fam) {
		// [INF, internal/graph/NOTES.md#refused-route] no route for the
		// single create: a routing failure, so before permissions and the
		// policy lookup.
		c.assignmentsPostNotRouted(rt)
		return
	}
	if rt.cast != "" && rt.fam != nil && rt.fam.castAssignmentsRefused && (rt.kind == rkAssignments || rt.kind == rkAssignment || rt.kind == rkAssignmentsCount) {
		// [OBS] PS#2985: the cast routes of an item's assignments are not routed
		rt.template = strings.Replace(rt.template, "/key/navigation", "/key/cast/navigation", 1)
		c.routeNotMatched(rt, rt.fam.path+"/{id}/microsoft.graph."+rt.cast+"/assignments is not routed (PS#2985); use "+rt.fam.path+"/{id}/assignments")
		return
	}
	if rt.kind == rkAssign && rt.fam != nil && rt.fam.assignCast != "" && !eq(rt.cast, rt.fam.assignCast) {
		// [OBS, G3] only the cast path is routed
		c.routeNotMatched(rt, rt.fam.path+"/{id}/assign is not routed; use "+rt.fam.path+"/{id}/microsoft.graph."+rt.fam.assignCast+"/assign (G3)")
		return
	}
	allowed := false
	for _, m := range rt.methods {
		if m == c.r.Method {
			allowed = true
		}
	}
	if !allowed {
		c.w.Header().Set("Allow", strings.Join(rt.methods, ", "))
		st := s.cfg.WrongVerbStatus
		code := "No method match route template"
		if st == http.StatusBadRequest {
			code = "BadRequest"
		}
		c.graphError(st, code, fmt.Sprintf("No OData route exists that match template %s with http verb %s for request %s.", rt.template, c.r.Method, strings.TrimPrefix(c.fefURL, "https://fef.msua01.manage.microsoft.com")), "")
		return
	}
	if rt.kind == rkBatch {
		s.serveBatch(c)
		return
	}
	if perms := requiredPerms(c.r.Method); !claims.hasAnyPermission(perms) {
		c.intuneError(http.StatusForbidden, "Forbidden",
			"Application is not authorized to perform this operation. Application must have one of the following scopes: "+strings.Join(perms, ", "),
			"token lacks "+strings.Join(perms, " or "))
		return
	}
	switch rt.kind {
	case rkOfficeSingleton:
		s.serveOfficeSingleton(c)
	case rkOfficeUpdatePriorities:
		s.officeUpdatePriorities(c, !s.cfg.LenientValidation)
	case rkFilterCollection, rkFilterCount, rkFilter:
		s.serveAssignmentFilters(c, rt)
	case rkPolicySetCollection, rkPolicySet, rkPolicySetItems, rkPolicySetItem:
		s.servePolicySets(c, rt)
	default:
		s.servePolicy(c, rt, rt.fam)
	}
}

// writeCount answers a /$count request: text/plain integer.
func (c *reqCtx) writeCount(n int) {
	c.setGraphHeaders()
	c.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(c.w, "%d", n) // the client may have gone: nothing to tell it
}

// notFound is the Intune 404 for an unknown policy or assignment id.
func (c *reqCtx) notFound(what, id string) {
	c.intuneError(http.StatusNotFound, "ResourceNotFound", "", fmt.Sprintf("%s '%s' not found", what, id))
}

// badRequest is the Intune validation 400.
func (c *reqCtx) badRequest(reason string) {
	c.intuneError(http.StatusBadRequest, "BadRequest", "", reason)
}
