package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// defaultAssignmentsPostUnsupportedFamilies are the collections whose single
// assignment create is not routed when Config.AssignmentsPostUnsupportedFamilies
// is empty: the two families with reports
// (internal/graph/NOTES.md#refused-route).
var defaultAssignmentsPostUnsupportedFamilies = []string{
	"deviceManagement/deviceConfigurations",
	"deviceManagement/deviceCompliancePolicies",
}

// assignmentsPostRule is whether POST {collection}/{id}/assignments is routed
// (Config.AssignmentsPostUnsupported, SetAssignmentsPostUnsupported). Guarded
// by Server.mu.
type assignmentsPostRule struct {
	on       bool
	families []string // collection paths; empty => defaultAssignmentsPostUnsupportedFamilies
}

// SetAssignmentsPostUnsupported changes at run time whether POST
// {collection}/{id}/assignments (single assignment create) is routed, as
// Config.AssignmentsPostUnsupported and Config.AssignmentsPostUnsupportedFamilies
// do at start: on makes it answer 400 "No method match route template" for
// the collection paths in families (e.g. "deviceManagement/deviceConfigurations";
// none given => deviceConfigurations, deviceCompliancePolicies and the
// unverified families beyond the first five). [INF,
// internal/graph/NOTES.md#refused-route]
func (s *Server) SetAssignmentsPostUnsupported(on bool, families ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignPost = assignmentsPostRule{on: on, families: append([]string(nil), families...)}
}

// assignmentsPostUnrouted reports whether a POST to f's {id}/assignments is
// not routed under the current rule.
func (s *Server) assignmentsPostUnrouted(f *policyFamily) bool {
	if f != nil && f.assignPostRefused {
		return true // [OBS] G10: never routed
	}
	s.mu.Lock()
	rule := s.assignPost
	s.mu.Unlock()
	if !rule.on || f == nil {
		return false
	}
	fams := rule.families
	if len(fams) == 0 {
		if f.assignPostUnverified {
			return true
		}
		fams = defaultAssignmentsPostUnsupportedFamilies
	}
	for _, p := range fams {
		if strings.EqualFold(normCollectionPath(p), f.path) {
			return true
		}
	}
	return false
}

// normCollectionPath accepts "/beta/deviceManagement/deviceConfigurations/"
// as well as "deviceManagement/deviceConfigurations".
func normCollectionPath(p string) string {
	p = strings.Trim(strings.TrimSpace(p), "/")
	if len(p) >= 5 && strings.EqualFold(p[:5], "beta/") {
		p = p[5:]
	}
	return p
}

// assignmentsPostNotRouted writes the gateway's 400 for an unrouted POST
// {id}/assignments: the plain error form (no nested Intune message) quoting
// the route template and the front-end request path with the unversioned
// service name, exactly as reported (internal/graph/NOTES.md#refused-route):
//
//	{"error":{"code":"No method match route template","message":"No OData route exists that match template ~/singleton/navigation/key/navigation with http verb POST for request /DeviceConfiguration/StatelessDeviceConfigurationFEService/deviceManagement/deviceConfigurations('<id>')/assignments.","innerError":{...}}}
func (c *reqCtx) assignmentsPostNotRouted(rt *route) {
	c.routeNotMatched(rt, "POST "+rt.family().path+"/{id}/assignments is not routed (Config.AssignmentsPostUnsupported, internal/graph/NOTES.md#refused-route); use /assign")
}

// routeNotMatched is the gateway's 400 for a path it has no route for, in the
// form of assignmentsPostNotRouted; reason goes to X-Emulator-Reason.
func (c *reqCtx) routeNotMatched(rt *route, reason string) {
	f := rt.family()
	svc := f.fefService
	if i := strings.IndexByte(svc, '/'); i > 0 {
		head := svc[:i]
		if j := strings.LastIndexByte(head, '_'); j > 0 && isDigits(head[j+1:]) {
			head = head[:j] // "DeviceConfiguration_2408" => "DeviceConfiguration"
		}
		svc = head + svc[i:]
	}
	msg := fmt.Sprintf("No OData route exists that match template %s with http verb %s for request /%s%s.", rt.template, c.r.Method, svc, rt.internalPath())
	c.graphError(http.StatusBadRequest, "No method match route template", msg, reason)
}

func isDigits(v string) bool {
	if v == "" {
		return false
	}
	for _, ch := range v {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return true
}
