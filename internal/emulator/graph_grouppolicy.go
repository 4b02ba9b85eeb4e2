package emulator

import (
	"net/http"
	"strings"
	"time"
)

// Administrative-template policies
// (internal/graph/NOTES.md#administrative-templates):
// deviceManagement/groupPolicyConfigurations. The entity type is concrete (no
// @odata.type on reads or required on create). Assignments carry
// lastModifiedDateTime, one stamp per write, and no source/sourceId (so no
// policy sets) or intent (same section).

const groupPolicyType = "#microsoft.graph.groupPolicyConfiguration"

// groupPolicyIngestionTypes are the policyConfigurationIngestionType members
// (internal/graph/NOTES.md#administrative-templates).
var groupPolicyIngestionTypes = []string{"unknown", "custom", "builtIn", "mixed", "unknownFutureValue"}

// GroupPolicyConfiguration seeds an administrative-template policy
// (AddGroupPolicyConfiguration). ID "" => new GUID.
type GroupPolicyConfiguration struct{ ID, DisplayName, Description string }

// groupPolicyConfig is a stored groupPolicyConfiguration.
type groupPolicyConfig struct {
	policyCore
	created, modified time.Time
	displayName       string
	description       any   // string or nil
	roleScopeTagIDs   []any // nil => ["0"]
}

// groupPolicyNavs are the navigations
// (internal/graph/NOTES.md#administrative-templates); definitionValues
// expands to [] (same section).
var groupPolicyNavs = []string{"assignments", "definitionValues"}

// groupPolicyFamily is deviceManagement/groupPolicyConfigurations for the
// shared policy handlers.
var groupPolicyFamily = &policyFamily{
	entity:       "groupPolicyConfiguration",
	path:         "deviceManagement/groupPolicyConfigurations",
	assignEntity: "groupPolicyConfigurationAssignment",
	fefService:   "GroupPolicy/StatelessGroupPolicyFEService", // [INF] no captured error names it
	selectable:   append([]string{"createdDateTime", "displayName", "description", "roleScopeTagIds", "policyConfigurationIngestionType", "id", "lastModifiedDateTime"}, groupPolicyNavs...),
	navs:         groupPolicyNavs,
	assignProps:  modifiedAssignmentProps,

	collectionCastIsBad: true,
	itemCastTemplate:    true,
	unemulatedNavs:      []string{"definitionValues", "updateDefinitionValues"}, // only $expand=definitionValues is served (internal/graph/NOTES.md#administrative-templates)

	concreteType: true,

	deleteStatus:   http.StatusNoContent,
	createLocation: true,

	assignParam:             "assignments",
	assignModified:          true,
	rereadAssignment:        true,
	assignItemSelectContext: true,

	store:           func(s *Server) policyStore { return storeOf[*groupPolicyConfig]{s.groupPolicies} },
	defaultType:     groupPolicyType,
	canonicalType:   exactType(groupPolicyType),
	validateProps:   validateGroupPolicyProps,
	insert:          insertGroupPolicy,
	update:          updateGroupPolicy,
	assignmentJSON:  (*Server).intuneAssignmentJSON,
	parseAssignment: parseIntuneAssignment,
	duplicateAssign: duplicateTargetReason,
	seedAssignment:  seedIntuneAssignment,
}

// json renders the policy as real reads do
// (internal/graph/NOTES.md#administrative-templates): no @odata.type; order
// createdDateTime, displayName, description, roleScopeTagIds,
// policyConfigurationIngestionType, id, lastModifiedDateTime. A configuration
// made through Graph reads "unknown" ingestion.
func (p *groupPolicyConfig) json() obj {
	rst := p.roleScopeTagIDs
	if rst == nil {
		rst = []any{"0"}
	}
	return obj{
		{"createdDateTime", fmtTime(p.created)},
		{"displayName", p.displayName},
		{"description", p.description},
		{"roleScopeTagIds", rst},
		{"policyConfigurationIngestionType", "unknown"},
		{"id", p.id},
		{"lastModifiedDateTime", fmtTime(p.modified)},
	}
}

// validateGroupPolicyProps checks a create/PATCH payload and returns the
// writable members. policyConfigurationIngestionType is server-managed
// [INF]: a valid value is accepted and ignored.
func validateGroupPolicyProps(m map[string]any, typ string, strict bool) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range m {
		var err error
		switch k {
		case "@odata.type", "id", "createdDateTime", "lastModifiedDateTime", "assignments", "definitionValues":
			continue
		case "policyConfigurationIngestionType":
			if err := checkKind(k, v, pkString, typ); err != nil {
				return nil, err
			}
			if t, ok := v.(string); ok {
				if _, ok := enumMember(t, groupPolicyIngestionTypes, strict); !ok {
					return nil, odataErr("Requested value '%s' was not found. (property '%s' of '%s')", t, k, typ[1:])
				}
			}
			continue
		case "displayName", "description":
			err = checkKind(k, v, pkString, typ)
		case "roleScopeTagIds":
			err = checkKind(k, v, pkStringArray, typ)
		default:
			if strict && !strings.Contains(k, "@odata.") {
				return nil, unknownProperty(k, typ)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// apply stores validated members (validateGroupPolicyProps).
func (p *groupPolicyConfig) apply(props map[string]any) {
	for k, v := range props {
		switch k {
		case "displayName":
			p.displayName, _ = v.(string)
		case "description":
			p.description = v
		case "roleScopeTagIds":
			p.roleScopeTagIDs, _ = v.([]any)
		}
	}
}

// insertGroupPolicy stores a validated new policy; caller holds s.mu.
func insertGroupPolicy(s *Server, _ string, props map[string]any, _ bool) (policy, error) {
	now := time.Now()
	p := &groupPolicyConfig{policyCore: policyCore{id: newGUID(), odataType: groupPolicyType}, created: now, modified: now}
	p.apply(props)
	s.groupPolicies.put(p.id, p)
	return p, nil
}

// updateGroupPolicy applies a validated PATCH; caller holds s.mu.
func updateGroupPolicy(_ *Server, pol policy, props map[string]any, strict bool) error {
	if err := emptyName(props, "displayName", strict); err != nil {
		return err
	}
	p := pol.(*groupPolicyConfig)
	p.apply(props)
	p.modified = time.Now()
	return nil
}

// --- seeding / inspection API ---------------------------------------------

// AddGroupPolicyConfiguration stores an administrative-template policy
// directly (no HTTP, no auth) and returns its id.
func (s *Server) AddGroupPolicyConfiguration(gp GroupPolicyConfiguration) string {
	if gp.ID == "" {
		gp.ID = newGUID()
	}
	now := time.Now()
	p := &groupPolicyConfig{policyCore: policyCore{id: gp.ID, odataType: groupPolicyType}, created: now, modified: now, displayName: gp.DisplayName}
	if gp.Description != "" {
		p.description = gp.Description
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupPolicies.put(gp.ID, p)
	return gp.ID
}

// DeleteGroupPolicyConfiguration removes an administrative-template policy;
// it reports whether it existed.
func (s *Server) DeleteGroupPolicyConfiguration(id string) bool {
	return s.deletePolicy(groupPolicyFamily, id)
}

// GroupPolicyConfigurationAssignments returns the current assignments of an
// administrative-template policy in stored order; ok is false for an
// unknown policy.
func (s *Server) GroupPolicyConfigurationAssignments(policyID string) ([]Assignment, bool) {
	return s.policyAssignments(groupPolicyFamily, policyID)
}

// SetGroupPolicyConfigurationAssignments overwrites an administrative-
// template policy's assignments verbatim (drift simulation). Empty ids are
// computed, a zero LastModifiedDateTime is the time of the call; Source,
// SourceID and Intent are dropped
// (internal/graph/NOTES.md#administrative-templates); only the target type is
// checked.
func (s *Server) SetGroupPolicyConfigurationAssignments(policyID string, as []Assignment) error {
	return s.setPolicyAssignments(groupPolicyFamily, policyID, as)
}
