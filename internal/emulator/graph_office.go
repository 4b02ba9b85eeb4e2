package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Office client policy (officeConfiguration, "cirrus") types
// (internal/graph/NOTES.md#office-client-configurations).
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
	policyCore
	displayName        any
	description        any
	priority           int
	modified           time.Time
	policyPayload      any
	userPrefPayload    any
	userCheckinSummary obj
}

// officeFamily is officeConfiguration/clientConfigurations for the shared
// policy handlers.
var officeFamily = &policyFamily{
	entity:       "officeClientConfiguration",
	path:         "officeConfiguration/clientConfigurations",
	assignEntity: "officeClientConfigurationAssignment",
	fefService:   "OfficeCirrus_2408/StatelessOfficeCirrusFEService",
	selectable:   officeSelectable,
	navs:         []string{"assignments"},
	assignProps:  officeAssignmentProps,

	unemulatedNavs: []string{"policyPayload", "userPreferencePayload", "checkinStatuses", "userCheckinSummary"},

	itemByStoredID:    true,
	deleteParsesQuery: true,
	deleteStatus:      http.StatusOK, // docs: 200 OK (internal/graph/NOTES.md#office-client-configurations)

	assignParam:       "officeConfigurationAssignments",
	createReplacesAll: true,
	patchAlwaysEntity: true, // docs: 200 + entity (internal/graph/NOTES.md#office-client-configurations)

	store:           func(s *Server) policyStore { return storeOf[*officePolicy]{s.offices} },
	defaultType:     DefaultOfficeClientConfigurationType,
	canonicalType:   canonicalOfficeType,
	validateProps:   validateOfficeProps,
	insert:          insertOffice,
	update:          updateOffice,
	assignmentJSON:  func(_ *Server, _ *policyFamily, a Assignment) obj { return officeAssignmentJSON(a) },
	parseAssignment: parseOfficeAssignment,
	duplicateAssign: func(j, i int, a Assignment) string {
		return fmt.Sprintf("officeConfigurationAssignments[%d] and [%d] target the same group %s", j, i, a.Target.GroupID)
	},
	seedAssignment: func(f *policyFamily, policyID string, i int, a Assignment) (Assignment, error) {
		if a.Target.ODataType == "" {
			a.Target.ODataType = TargetOfficeGroup
		}
		t, ok := canonicalType(a.Target.ODataType, []string{TargetOfficeGroup})
		if !ok {
			if t, ok = seedTargetType(a.Target.ODataType); !ok {
				return Assignment{}, fmt.Errorf("emulator: assignment %d: unknown office target type %q", i, a.Target.ODataType)
			}
			if a.Target.GroupID != "" || a.Target.CollectionID != "" {
				return Assignment{}, fmt.Errorf("emulator: assignment %d: target type %s is not modelled; put its members in Target.Extra", i, t)
			}
		}
		te, err := checkExtra(fmt.Sprintf("assignment %d target", i), a.Target.Extra, modeledTargetMembers(t))
		if err != nil {
			return Assignment{}, err
		}
		ae, err := checkExtra(fmt.Sprintf("assignment %d", i), a.Extra, f.modeledMembers())
		if err != nil {
			return Assignment{}, err
		}
		tgt := Target{ODataType: t, GroupID: a.Target.GroupID, Extra: te}
		if a.ID == "" {
			a.ID = policyID + "_" + tgt.targetKey()
		}
		return Assignment{ID: a.ID, Target: tgt, Extra: ae}, nil
	},
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
	return appendExtra(obj{{"@odata.type", officeAssignmentType}, {"id", a.ID}, {"target", officeTargetJSON(a.Target)}}, a.Extra)
}

// parseOfficeAssignment validates one officeClientConfigurationAssignment;
// members seeding added to the schema (ext) are kept in Extra.
func parseOfficeAssignment(f *policyFamily, v any, policyID string, strict bool, ext *famExt) (Assignment, error) {
	m, err := assignmentMembers(v, officeAssignmentType, extMembers(v, ext), strict)
	if err != nil {
		return Assignment{}, err
	}
	t, err := parseOfficeTarget(m["target"], strict, ext)
	if err != nil {
		return Assignment{}, err
	}
	// [INF] office assignment ids: {policyId}_{groupId}
	// (internal/graph/NOTES.md#office-client-configurations).
	extra := takeExtra(m, func(k string) bool { return !f.modeledMembers()[k] && ext.assignMember(k) })
	return Assignment{ID: policyID + "_" + t.targetKey(), Target: t, Extra: extra}, nil
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

// serveOfficeSingleton answers GET/PATCH /officeConfiguration.
func (s *Server) serveOfficeSingleton(c *reqCtx) {
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

// canonicalOfficeType maps an @odata.type onto one of officePolicyTypes.
func canonicalOfficeType(raw string) (string, error) {
	typ, ok := canonicalType(raw, officePolicyTypes)
	if !ok {
		return "", odataErr("The type '%s' is not a valid officeClientConfiguration type: expected microsoft.graph.windowsOfficeClientConfiguration or microsoft.graph.windowsOfficeClientSecurityConfiguration.", raw)
	}
	return typ, nil
}

// insertOffice stores a validated new policy, at the next free priority
// unless the payload sets one; caller holds s.mu.
func insertOffice(s *Server, typ string, props map[string]any, strict bool) (policy, error) {
	p := &officePolicy{policyCore: policyCore{id: newGUID(), odataType: typ}, modified: time.Now(), userCheckinSummary: newCheckinSummary()}
	p.apply(props)
	if _, has := props["priority"]; !has {
		p.priority = s.nextPriority()
	} else if s.priorityTaken(p.priority, "") && strict {
		return nil, vErr("priority %d is already used by another policy; priorities must be unique", p.priority)
	}
	s.offices.put(p.id, p)
	return p, nil
}

// updateOffice applies a validated PATCH; caller holds s.mu.
func updateOffice(s *Server, pol policy, props map[string]any, strict bool) error {
	p := pol.(*officePolicy)
	if v, has := props["priority"]; has && strict {
		n, _ := v.(json.Number).Int64()
		if s.priorityTaken(int(n), p.id) {
			return vErr("priority %d is already used by another policy; priorities must be unique", n)
		}
	}
	p.apply(props)
	p.modified = time.Now()
	return nil
}

// officeUpdatePriorities applies parallel id/priority arrays atomically
// (internal/graph/NOTES.md#office-client-configurations).
func (s *Server) officeUpdatePriorities(c *reqCtx, strict bool) {
	m, ok := c.payload()
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
	p := &officePolicy{policyCore: policyCore{id: oc.ID, odataType: typ}, displayName: oc.DisplayName, modified: time.Now(), userCheckinSummary: newCheckinSummary()}
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
	return s.deletePolicy(officeFamily, id)
}

// OfficeClientConfigurationAssignments returns an office policy's
// assignments (Target.ODataType "#microsoft.graph.officeConfigurationGroupAssignmentTarget").
func (s *Server) OfficeClientConfigurationAssignments(policyID string) ([]Assignment, bool) {
	return s.policyAssignments(officeFamily, policyID)
}

// SetOfficeClientConfigurationAssignments overwrites an office policy's
// assignments verbatim (drift simulation). Empty ids are computed.
func (s *Server) SetOfficeClientConfigurationAssignments(policyID string, as []Assignment) error {
	return s.setPolicyAssignments(officeFamily, policyID, as)
}
