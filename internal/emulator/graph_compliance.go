package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// Device compliance policies (internal/graph/NOTES.md#compliance-policies):
// deviceManagement/deviceCompliancePolicies. Like deviceConfigurations the
// entity type is abstract (a create needs a derived @odata.type) and
// assignments carry source/sourceId, but no intent. A create needs
// scheduledActionsForRule with exactly one block action (same section).

// DefaultDeviceCompliancePolicyType is the derived type used when a seeded
// compliance policy has no ODataType.
const DefaultDeviceCompliancePolicyType = "#microsoft.graph.windows10CompliancePolicy"

// defaultCompliancePolicyType is the tenant's built-in policy: [INF,
// internal/graph/NOTES.md#compliance-policies] not created by clients.
const defaultCompliancePolicyType = "#microsoft.graph.defaultDeviceCompliancePolicy"

// complianceTypes are the derived types the Go SDK discriminator knows
// (internal/graph/NOTES.md#compliance-policies); any other @odata.type is
// refused.
var complianceTypes = []string{
	"#microsoft.graph.androidCompliancePolicy",
	"#microsoft.graph.androidDeviceOwnerCompliancePolicy",
	"#microsoft.graph.androidForWorkCompliancePolicy",
	"#microsoft.graph.androidWorkProfileCompliancePolicy",
	"#microsoft.graph.aospDeviceOwnerCompliancePolicy",
	defaultCompliancePolicyType,
	"#microsoft.graph.iosCompliancePolicy",
	"#microsoft.graph.macOSCompliancePolicy",
	DefaultDeviceCompliancePolicyType,
	"#microsoft.graph.windows10MobileCompliancePolicy",
	"#microsoft.graph.windows81CompliancePolicy",
	"#microsoft.graph.windowsPhone81CompliancePolicy",
}

// complianceActionTypes are the deviceComplianceActionType members
// (internal/graph/NOTES.md#compliance-policies).
var complianceActionTypes = []string{"noAction", "notification", "block", "retire", "wipe", "removeResourceAccessProfiles", "pushNotification", "remoteLock"}

// msgOneBlockAction is the service's 400 for a create without exactly one
// block action (internal/graph/NOTES.md#compliance-policies).
const msgOneBlockAction = "Compliance policy must have one and only one block scheduled action"

// DeviceCompliancePolicy seeds a compliance policy
// (AddDeviceCompliancePolicy). ID "" => new GUID; ODataType "" =>
// DefaultDeviceCompliancePolicyType. The policy gets one block action with no
// grace period (internal/graph/NOTES.md#compliance-policies [INF]).
type DeviceCompliancePolicy struct{ ID, ODataType, DisplayName, Description string }

// compliancePolicy is a stored deviceCompliancePolicy.
type compliancePolicy struct {
	policyCore
	created  time.Time
	modified time.Time
	version  int
	props    map[string]any // client-writable members (base + derived) but scheduledActionsForRule
	rules    []complianceRule
}

// complianceRule is one deviceComplianceScheduledActionForRule.
type complianceRule struct {
	ruleName any // string or nil
	actions  []complianceAction
}

// complianceAction is one deviceComplianceActionItem.
type complianceAction struct {
	id                 string
	actionType         string
	gracePeriodHours   json.Number
	notificationTmplID string
	ccList             []any
}

// complianceNavs are the collection-valued navigations
// (internal/graph/NOTES.md#compliance-policies); the two status overviews are
// single-valued and not emulated.
var complianceNavs = []string{"assignments", "scheduledActionsForRule", "deviceStatuses", "userStatuses", "deviceSettingStateSummaries"}

// complianceBaseProps are the writable base members
// (internal/graph/NOTES.md#compliance-policies).
var complianceBaseProps = []propDef{
	{"roleScopeTagIds", pkStringArray},
	{"description", pkString},
	{"displayName", pkString},
}

// complianceIgnored are server-managed members and navigations other than
// scheduledActionsForRule: accepted in payloads (the SDK may echo them) and
// ignored.
var complianceIgnored = map[string]bool{
	"@odata.type": true, "id": true, "createdDateTime": true, "lastModifiedDateTime": true, "version": true,
	"assignments": true, "deviceStatuses": true, "userStatuses": true, "deviceStatusOverview": true,
	"userStatusOverview": true, "deviceSettingStateSummaries": true,
}

// complianceFamily is deviceManagement/deviceCompliancePolicies for the
// shared policy handlers.
var complianceFamily = &policyFamily{
	entity:       "deviceCompliancePolicy",
	path:         "deviceManagement/deviceCompliancePolicies",
	assignEntity: "deviceCompliancePolicyAssignment",
	fefService:   "DeviceConfiguration_2408/StatelessDeviceConfigurationFEService", // the service of the reports in internal/graph/NOTES.md#refused-route
	selectable:   append([]string{"id", "createdDateTime", "lastModifiedDateTime", "version", "roleScopeTagIds", "description", "displayName"}, complianceNavs...),
	navs:         complianceNavs,
	assignProps:  sourcedAssignmentProps,

	collectionCastIsBad: true,
	itemCastTemplate:    true,
	emptyNavs:           []string{"deviceStatuses", "userStatuses", "deviceSettingStateSummaries"},
	unemulatedNavs:      []string{"deviceStatusOverview", "userStatusOverview", "scheduleActionsForRules"},

	castContexts:  true,
	nestedExpands: map[string][]string{"scheduledActionsForRule": {"scheduledActionConfigurations"}},
	expandNav:     complianceExpandNav,

	deleteStatus:   http.StatusNoContent,
	createLocation: true,

	assignParam:             "assignments",
	assignSource:            true,
	rereadAssignment:        true,
	assignItemSelectContext: true,
	policySetsUndeletable:   true,

	store:           func(s *Server) policyStore { return storeOf[*compliancePolicy]{s.compliance} },
	defaultType:     DefaultDeviceCompliancePolicyType,
	canonicalType:   canonicalComplianceType,
	validateProps:   validateComplianceProps,
	insert:          insertCompliance,
	update:          updateCompliance,
	assignmentJSON:  (*Server).intuneAssignmentJSON,
	parseAssignment: parseIntuneAssignment,
	duplicateAssign: duplicateTargetReason,
	seedAssignment:  seedIntuneAssignment,
}

// canonicalComplianceType maps a payload's @odata.type onto complianceTypes;
// the abstract base type and other names are refused.
func canonicalComplianceType(raw string) (string, error) {
	if t, ok := canonicalType(raw, complianceTypes); ok {
		return t, nil
	}
	if n := strings.TrimPrefix(strings.TrimSpace(raw), "#"); strings.EqualFold(n, "microsoft.graph.deviceCompliancePolicy") {
		return "", odataErr("Cannot create an instance of the abstract type 'microsoft.graph.deviceCompliancePolicy'; specify a derived '@odata.type'.")
	}
	return "", odataErr("The type '%s' is not derived from 'microsoft.graph.deviceCompliancePolicy'.", strings.TrimPrefix(raw, "#"))
}

// json renders the policy in the member order of real reads
// (internal/graph/NOTES.md#compliance-policies):
// @odata.type, roleScopeTagIds, id, createdDateTime, description,
// lastModifiedDateTime, displayName, version, then the derived type's
// members (sorted by name: the emulator does not model their schemas).
// scheduledActionsForRule is a navigation, answered only under $expand.
func (p *compliancePolicy) json() obj {
	rst := p.props["roleScopeTagIds"]
	if rst == nil {
		rst = []any{"0"}
	}
	o := obj{
		{"@odata.type", p.odataType},
		{"roleScopeTagIds", rst},
		{"id", p.id},
		{"createdDateTime", fmtTime(p.created)},
		{"description", p.props["description"]},
		{"lastModifiedDateTime", fmtTime(p.modified)},
		{"displayName", p.props["displayName"]},
		{"version", p.version},
	}
	var extra []string
	for k := range p.props {
		if k != "roleScopeTagIds" && k != "description" && k != "displayName" {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		o = append(o, kv{k, p.props[k]})
	}
	return o
}

// complianceExpandNav answers $expand=scheduledActionsForRule in the shape of
// internal/graph/NOTES.md#compliance-policies: each rule {"id": <policy id>,
// "ruleName"}, its action items only under the nested
// $expand=scheduledActionConfigurations [INF]. The other navigations are
// empty.
func complianceExpandNav(c *reqCtx, f *policyFamily, pol policy, e expansion, _ string) []any {
	if e.nav != "scheduledActionsForRule" {
		return nil
	}
	p := pol.(*compliancePolicy)
	withActions := slices.Contains(e.nested, "scheduledActionConfigurations")
	out := []any{}
	for _, r := range p.rules {
		o := obj{{"id", p.id}, {"ruleName", r.ruleName}}
		if withActions {
			// [INF] the context of the nested collection
			ctx := c.metadataURL(f.itemPath(p.id) + "/" + strings.TrimPrefix(p.odataType, "#") + "/scheduledActionsForRule('" + p.id + "')/scheduledActionConfigurations")
			acts := []any{}
			for _, a := range r.actions {
				acts = append(acts, obj{
					{"id", a.id},
					{"gracePeriodHours", a.gracePeriodHours},
					{"actionType", a.actionType},
					{"notificationTemplateId", a.notificationTmplID},
					{"notificationMessageCCList", a.ccList},
				})
			}
			o = append(o, kv{"scheduledActionConfigurations@odata.context", ctx}, kv{"scheduledActionConfigurations", acts})
		}
		out = append(out, o)
	}
	return out
}

// validateComplianceProps checks payload members and returns the writable
// ones; a scheduledActionsForRule deep insert is returned parsed
// ([]complianceRule). The derived types' schemas are not modelled: their
// members are accepted as sent.
func validateComplianceProps(m map[string]any, typ string, strict bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		if complianceIgnored[k] || strings.Contains(k, "@odata.") {
			continue
		}
		if k == "scheduledActionsForRule" {
			if v == nil {
				continue
			}
			rules, err := parseComplianceRules(v, strict)
			if err != nil {
				return nil, err
			}
			out[k] = rules
			continue
		}
		for _, p := range complianceBaseProps {
			if p.name == k {
				if err := checkKind(k, v, p.kind, typ); err != nil {
					return nil, err
				}
			}
		}
		out[k] = v
	}
	return out, nil
}

// parseComplianceRules validates a scheduledActionsForRule deep insert
// (internal/graph/NOTES.md#compliance-policies): an array of {ruleName,
// scheduledActionConfigurations: [{actionType, gracePeriodHours,
// notificationTemplateId, notificationMessageCCList}]}. Client ids are
// ignored; action items get new ones.
func parseComplianceRules(v any, strict bool) ([]complianceRule, error) {
	const ruleType = "#microsoft.graph.deviceComplianceScheduledActionForRule"
	const actionType = "#microsoft.graph.deviceComplianceActionItem"
	arr, ok := v.([]any)
	if !ok {
		raw, _ := json.Marshal(v)
		return nil, odataErr("Cannot convert the literal '%s' to the expected type 'Collection(%s)' (property 'scheduledActionsForRule').", raw, ruleType[1:])
	}
	var rules []complianceRule
	for _, rv := range arr {
		rm, err := complexMembers(rv, ruleType, []string{"ruleName", "scheduledActionConfigurations"}, strict)
		if err != nil {
			return nil, err
		}
		r := complianceRule{}
		if name, has, err := stringField(rm, "ruleName", ruleType); err != nil {
			return nil, err
		} else if has {
			r.ruleName = name
		}
		acts, _ := rm["scheduledActionConfigurations"].([]any)
		if raw := rm["scheduledActionConfigurations"]; raw != nil && acts == nil {
			return nil, odataErr("The property 'scheduledActionConfigurations' of '%s' must be a JSON array.", ruleType[1:])
		}
		for _, av := range acts {
			am, err := complexMembers(av, actionType, []string{"actionType", "gracePeriodHours", "notificationTemplateId", "notificationMessageCCList"}, strict)
			if err != nil {
				return nil, err
			}
			a := complianceAction{id: newGUID(), actionType: "noAction", gracePeriodHours: "0", notificationTmplID: zeroGUID, ccList: []any{}}
			if t, has, err := stringField(am, "actionType", actionType); err != nil {
				return nil, err
			} else if has {
				canon, ok := enumMember(t, complianceActionTypes, strict)
				if !ok {
					return nil, odataErr("Requested value '%s' was not found. (actionType)", t)
				}
				a.actionType = canon
			}
			if g := am["gracePeriodHours"]; g != nil {
				if err := checkKind("gracePeriodHours", g, pkInt, actionType); err != nil {
					return nil, err
				}
				a.gracePeriodHours = g.(json.Number)
			}
			if t, has, err := stringField(am, "notificationTemplateId", actionType); err != nil {
				return nil, err
			} else if has {
				a.notificationTmplID = t
			}
			if cc := am["notificationMessageCCList"]; cc != nil {
				if err := checkKind("notificationMessageCCList", cc, pkStringArray, actionType); err != nil {
					return nil, err
				}
				a.ccList = cc.([]any)
			}
			r.actions = append(r.actions, a)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// complexMembers is a nested object of a deep insert: members other than
// @odata.type, id and allowed are unknown properties in strict mode.
func complexMembers(v any, typ string, allowed []string, strict bool) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		raw, _ := json.Marshal(v)
		return nil, odataErr("Cannot convert the literal '%s' to the expected type '%s'.", raw, typ[1:])
	}
	if strict {
		for k := range m {
			if k != "@odata.type" && k != "id" && !slices.Contains(allowed, k) && !strings.Contains(k, "@odata.") {
				return nil, unknownProperty(k, typ)
			}
		}
	}
	return m, nil
}

// blockActions counts the block actions of all rules.
func blockActions(rules []complianceRule) int {
	n := 0
	for _, r := range rules {
		for _, a := range r.actions {
			if a.actionType == "block" {
				n++
			}
		}
	}
	return n
}

// defaultComplianceRules is the one block rule a policy gets when it is
// created without rules (seeds, or under ComplianceAllowNoBlockAction) [INF,
// internal/graph/NOTES.md#compliance-policies].
func defaultComplianceRules() []complianceRule {
	return []complianceRule{{actions: []complianceAction{{id: newGUID(), actionType: "block", gracePeriodHours: "0", notificationTmplID: zeroGUID, ccList: []any{}}}}}
}

// insertCompliance stores a validated new policy; caller holds s.mu. The
// built-in default policy type is refused [INF], and so, unless
// ComplianceAllowNoBlockAction, are rules without exactly one block action
// (internal/graph/NOTES.md#compliance-policies, with the service's message).
func insertCompliance(s *Server, typ string, props map[string]any, strict bool) (policy, error) {
	if typ == defaultCompliancePolicyType && strict {
		return nil, vErr("defaultDeviceCompliancePolicy is the tenant's built-in compliance policy and cannot be created")
	}
	rules, _ := props["scheduledActionsForRule"].([]complianceRule)
	delete(props, "scheduledActionsForRule")
	if !s.complianceAllowNoBlock && blockActions(rules) != 1 {
		return nil, serviceErr(msgOneBlockAction)
	}
	if len(rules) == 0 {
		rules = defaultComplianceRules()
	}
	now := time.Now()
	p := &compliancePolicy{policyCore: policyCore{id: newGUID(), odataType: typ}, created: now, modified: now, version: 1, props: props, rules: rules}
	s.compliance.put(p.id, p)
	return p, nil
}

// updateCompliance applies a validated PATCH; caller holds s.mu.
// scheduledActionsForRule is a navigation: a PATCH does not change it [INF]
// (the service has the scheduleActionsForRules action for that, not
// emulated).
func updateCompliance(_ *Server, pol policy, props map[string]any, strict bool) error {
	if err := emptyName(props, "displayName", strict); err != nil {
		return err
	}
	p := pol.(*compliancePolicy)
	for k, v := range props {
		if k != "scheduledActionsForRule" {
			p.props[k] = v
		}
	}
	p.version++
	p.modified = time.Now()
	return nil
}

// --- seeding / inspection API ---------------------------------------------

// AddDeviceCompliancePolicy stores a compliance policy directly (no HTTP, no
// auth, no block-action check) and returns its id.
func (s *Server) AddDeviceCompliancePolicy(dc DeviceCompliancePolicy) string {
	if dc.ID == "" {
		dc.ID = newGUID()
	}
	typ := dc.ODataType
	if typ == "" {
		typ = DefaultDeviceCompliancePolicyType
	}
	if t, ok := canonicalType(typ, complianceTypes); ok {
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
	s.compliance.put(dc.ID, &compliancePolicy{policyCore: policyCore{id: dc.ID, odataType: typ}, created: now, modified: now, version: 1, props: props, rules: defaultComplianceRules()})
	return dc.ID
}

// DeleteDeviceCompliancePolicy removes a compliance policy; it reports
// whether it existed.
func (s *Server) DeleteDeviceCompliancePolicy(id string) bool {
	return s.deletePolicy(complianceFamily, id)
}

// DeviceCompliancePolicyAssignments returns the current assignments of a
// compliance policy, all sources, in stored order; ok is false for an
// unknown policy.
func (s *Server) DeviceCompliancePolicyAssignments(policyID string) ([]Assignment, bool) {
	return s.policyAssignments(complianceFamily, policyID)
}

// SetDeviceCompliancePolicyAssignments overwrites a compliance policy's
// assignments verbatim, including policySets-sourced ones (drift simulation).
// Empty fields get the defaults of internal/graph/NOTES.md#assignments;
// Intent is dropped (compliance assignments have none); only the target type
// is checked.
func (s *Server) SetDeviceCompliancePolicyAssignments(policyID string, as []Assignment) error {
	return s.setPolicyAssignments(complianceFamily, policyID, as)
}

// SetComplianceAllowNoBlockAction changes at run time what
// Config.ComplianceAllowNoBlockAction sets at start: on accepts compliance
// creates without exactly one block action
// (internal/graph/NOTES.md#compliance-policies).
func (s *Server) SetComplianceAllowNoBlockAction(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.complianceAllowNoBlock = on
}
