package emulator

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy sets (reference 14.4 and G8): deviceAppManagement/policySets, read
// only. A policy set is how a member policy gets assignments with source
// policySets; on families whose assignments have no source (G8) membership
// is visible only here, through $expand=items. The emulator serves the
// sets and their items as seeded (AddPolicySet); it does not assign member
// policies itself: seed those assignments with SetPolicyAssignments. Shapes
// from the Graph beta resource pages policySet and policySetItem [DOC].

const policySetsPath = "deviceAppManagement/policySets"

// PolicySet seeds a policy set (AddPolicySet). ID "" => new GUID.
type PolicySet struct {
	ID, DisplayName string
	Items           []PolicySetItem
}

// PolicySetItem is one member of a policy set: PayloadID is the member
// policy's id, ODataType the item type, e.g.
// "#microsoft.graph.deviceManagementScriptPolicySetItem".
type PolicySetItem struct{ PayloadID, ODataType, DisplayName string }

type policySet struct {
	id, displayName   string
	created, modified time.Time
	items             []policySetItem
}

type policySetItem struct {
	id string
	PolicySetItem
}

// policySetProps and policySetItemProps are the members of reads, in the
// docs' order.
var (
	policySetProps     = []string{"id", "displayName", "description", "createdDateTime", "lastModifiedDateTime", "status", "errorCode", "guidedDeploymentTags", "roleScopeTags"}
	policySetNavs      = []string{"items", "assignments"}
	policySetItemProps = []string{"id", "createdDateTime", "lastModifiedDateTime", "payloadId", "itemType", "displayName", "status", "errorCode", "guidedDeploymentTags"}
)

// json renders a set. status, errorCode and roleScopeTags are fixed [INF].
func (ps *policySet) json() obj {
	return obj{
		{"id", ps.id},
		{"displayName", ps.displayName},
		{"description", nil},
		{"createdDateTime", fmtTime(ps.created)},
		{"lastModifiedDateTime", fmtTime(ps.modified)},
		{"status", "success"},
		{"errorCode", "noError"},
		{"guidedDeploymentTags", []any{}},
		{"roleScopeTags", []any{"0"}},
	}
}

// itemJSON renders an item. itemType is the member policy's @odata.type
// when the emulator holds it, else the item type without "PolicySetItem"
// [INF]. Caller holds s.mu.
func (s *Server) policySetItemJSON(ps *policySet, it policySetItem) obj {
	var itemType any
	if t := strings.TrimSuffix(it.ODataType, "PolicySetItem"); t != it.ODataType {
		itemType = t
	}
	for _, f := range policyFamilies() {
		if p, ok := f.store(s).get(it.PayloadID); ok {
			itemType = p.core().odataType
			break
		}
	}
	var dn any
	if it.DisplayName != "" {
		dn = it.DisplayName
	}
	return obj{
		{"@odata.type", it.ODataType},
		{"id", it.id},
		{"createdDateTime", fmtTime(ps.created)},
		{"lastModifiedDateTime", fmtTime(ps.modified)},
		{"payloadId", it.PayloadID},
		{"itemType", itemType},
		{"displayName", dn},
		{"status", "success"},
		{"errorCode", "noError"},
		{"guidedDeploymentTags", []any{}},
	}
}

// parsePolicySetRoute resolves deviceAppManagement/policySets paths: the
// collection, a set, its items and one item, all GET only; the sets'
// assignments and actions are not emulated (501).
func parsePolicySetRoute(t []string) (*route, string) {
	r := &route{path: policySetsPath, methods: []string{"GET"}}
	switch len(t) {
	case 2:
		r.kind, r.template = rkPolicySetCollection, "~/singleton/navigation"
		return r, ""
	case 3:
		r.kind, r.template, r.policyID = rkPolicySet, "~/singleton/navigation/key", t[2]
		return r, ""
	}
	r.policyID = t[2]
	if !eq(t[3], "items") {
		if eq(t[3], "assignments") || eq(t[3], "update") || eq(t[3], "microsoft.graph.update") || eq(t[3], "getPolicySets") {
			return &route{kind: rkNotEmulated, navName: "policySets/" + t[3]}, ""
		}
		return nil, t[3]
	}
	switch len(t) {
	case 4:
		r.kind, r.template = rkPolicySetItems, "~/singleton/navigation/key/navigation"
	case 5:
		r.kind, r.template, r.assignmentID = rkPolicySetItem, "~/singleton/navigation/key/navigation/key", t[4]
	default:
		return nil, t[5]
	}
	return r, ""
}

// servePolicySets answers the policySets routes.
func (s *Server) servePolicySets(c *reqCtx, rt *route) {
	switch rt.kind {
	case rkPolicySetCollection:
		q, sel, exp, flt, ok := c.listQuery("microsoft.graph.policySet", append(append([]string(nil), policySetProps...), policySetNavs...), policySetNavs, nil)
		if !ok {
			return
		}
		s.mu.Lock()
		var items []obj
		for _, ps := range s.policySets.list() {
			if flt.match(ps.json()) {
				items = append(items, s.renderPolicySet(c, ps, sel, exp))
			}
		}
		s.mu.Unlock()
		c.writePage(q, items, policySetsPath+contextSuffix(sel, exp), pageSpec{})
	case rkPolicySet:
		q, ok := c.parseQuery("select", "expand")
		if !ok {
			return
		}
		sel, exp, ok := c.selectExpand(q, "microsoft.graph.policySet", append(append([]string(nil), policySetProps...), policySetNavs...), policySetNavs, nil)
		if !ok {
			return
		}
		s.mu.Lock()
		ps, found := s.policySets.get(rt.policyID)
		var body obj
		if found {
			body = append(obj{{"@odata.context", c.metadataURL(policySetsPath + contextSuffix(sel, exp) + "/$entity")}}, s.renderPolicySet(c, ps, sel, exp)...)
		}
		s.mu.Unlock()
		if !found {
			c.notFound("policySet", rt.policyID)
			return
		}
		c.writeJSON(http.StatusOK, body)
	case rkPolicySetItems:
		q, sel, _, flt, ok := c.listQuery("microsoft.graph.policySetItem", policySetItemProps, nil, nil)
		if !ok {
			return
		}
		s.mu.Lock()
		ps, found := s.policySets.get(rt.policyID)
		var items []obj
		if found {
			for _, it := range ps.items {
				full := s.policySetItemJSON(ps, it)
				if flt.match(full) {
					items = append(items, project(full, sel))
				}
			}
		}
		s.mu.Unlock()
		if !found {
			c.notFound("policySet", rt.policyID)
			return
		}
		c.writePage(q, items, policySetsPath+"('"+rt.policyID+"')/items"+contextSuffix(sel, nil), pageSpec{})
	case rkPolicySetItem:
		q, ok := c.parseQuery("select")
		if !ok {
			return
		}
		sel, ok := c.resolveSelect(q, "microsoft.graph.policySetItem", policySetItemProps)
		if !ok {
			return
		}
		s.mu.Lock()
		ps, found := s.policySets.get(rt.policyID)
		var body obj
		if found {
			for _, it := range ps.items {
				if strings.EqualFold(it.id, rt.assignmentID) {
					body = append(obj{{"@odata.context", c.metadataURL(policySetsPath + "('" + ps.id + "')/items/$entity")}}, project(s.policySetItemJSON(ps, it), sel)...)
				}
			}
		}
		s.mu.Unlock()
		switch {
		case !found:
			c.notFound("policySet", rt.policyID)
		case body == nil:
			c.notFound("policySetItem", rt.assignmentID)
		default:
			c.writeJSON(http.StatusOK, body)
		}
	}
}

// renderPolicySet applies $select/$expand to a set: items are expanded,
// the set's own assignments are not modelled (always []). Caller holds s.mu.
func (s *Server) renderPolicySet(c *reqCtx, ps *policySet, sel []string, exp []expansion) obj {
	o := project(ps.json(), sel)
	for _, e := range exp {
		ctx := c.metadataURL(policySetsPath + "('" + ps.id + "')/" + e.nav)
		vals := []any{}
		if e.nav == "items" {
			for _, it := range ps.items {
				vals = append(vals, s.policySetItemJSON(ps, it))
			}
		}
		o = append(o, kv{e.nav + "@odata.context", ctx}, kv{e.nav, vals})
	}
	return o
}

// AddPolicySet stores a policy set directly and returns its id. Item ids are
// derived from the set and payload ids.
func (s *Server) AddPolicySet(ps PolicySet) string {
	if ps.ID == "" {
		ps.ID = newGUID()
	}
	now := time.Now()
	p := &policySet{id: ps.ID, displayName: ps.DisplayName, created: now, modified: now}
	for i, it := range ps.Items {
		if it.ODataType != "" && !strings.HasPrefix(it.ODataType, "#") {
			it.ODataType = "#" + it.ODataType
		}
		p.items = append(p.items, policySetItem{id: stableGUID("policySetItem:" + ps.ID + ":" + it.PayloadID + ":" + strconv.Itoa(i)), PolicySetItem: it})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policySets.put(ps.ID, p)
	return ps.ID
}

// DeletePolicySet removes a policy set (not the assignments it made); it
// reports whether it existed.
func (s *Server) DeletePolicySet(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policySets.del(id)
}
