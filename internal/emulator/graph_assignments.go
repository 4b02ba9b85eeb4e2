package emulator

import (
	"fmt"
	"strings"
	"time"
)

// Assignments of the Intune device families (deviceConfigurations,
// deviceCompliancePolicies, configurationPolicies,
// groupPolicyConfigurations): deviceAndAppManagementAssignmentTarget targets
// (internal/graph/NOTES.md#targets) and the computed ids of
// internal/graph/NOTES.md#assignment-ids. Which members an assignment carries
// besides id and target is a policyFamily field each: source/sourceId
// (assignSource), intent (assignIntent), lastModifiedDateTime
// (assignModified).

// Assignment $select names, per shape.
var (
	sourcedAssignmentProps  = []string{"id", "source", "sourceId", "target"}   // internal/graph/NOTES.md#families
	modifiedAssignmentProps = []string{"id", "lastModifiedDateTime", "target"} // internal/graph/NOTES.md#administrative-templates
)

// intuneAssignmentJSON renders an assignment in the member order of real
// reads: id, [lastModifiedDateTime], [source, sourceId], [intent], target
// (internal/graph/NOTES.md#assignments, internal/graph/NOTES.md#families).
// Config.AssignmentODataType adds the assignment type first;
// Config.OmitIntent drops intent.
func (s *Server) intuneAssignmentJSON(f *policyFamily, a Assignment) obj {
	o := obj{}
	if s.cfg.AssignmentODataType {
		o = append(o, kv{"@odata.type", "#" + f.assignTypeName()})
	}
	o = append(o, kv{"id", a.ID})
	if f.assignModified {
		o = append(o, kv{"lastModifiedDateTime", fmtTime(a.LastModifiedDateTime)})
	}
	if f.assignSource {
		o = append(o, kv{"source", a.Source}, kv{"sourceId", a.SourceID})
	}
	if f.assignIntent && !s.cfg.OmitIntent {
		o = append(o, kv{"intent", a.Intent})
	}
	tj := deviceTargetJSON
	if f.targetJSON != nil {
		tj = f.targetJSON
	}
	return appendExtra(append(o, kv{"target", tj(a.Target)}), a.Extra)
}

// modelledTargets are the target types f's model has.
func (f *policyFamily) modelledTargets() []string {
	switch {
	case f.targetTypes != nil:
		return f.targetTypes
	case f == officeFamily:
		return []string{TargetOfficeGroup}
	}
	return deviceTargetTypes
}

// modeledMembers are the assignment members f's model has; everything else is Extra.
func (f *policyFamily) modeledMembers() map[string]bool {
	m := map[string]bool{"@odata.type": true, "id": true, "target": true}
	if f.assignSource {
		m["source"], m["sourceId"] = true, true
	}
	if f.assignIntent {
		m["intent"] = true
	}
	if f.assignModified {
		m["lastModifiedDateTime"] = true
	}
	return m
}

// modeledTargetMembers are the members the model has for a target type.
func modeledTargetMembers(typ string) map[string]bool {
	m := map[string]bool{"@odata.type": true}
	if typ != TargetOfficeGroup {
		m["deviceAndAppManagementAssignmentFilterId"], m["deviceAndAppManagementAssignmentFilterType"] = true, true
	}
	switch typ {
	case TargetGroup, TargetExclusionGroup, TargetOfficeGroup:
		m["groupId"] = true
	case TargetConfigMgrColl:
		m["collectionId"] = true
	case TargetCloudPcGroup, TargetCloudPcExclusionGroup:
		m = cloudPcTargetMembers(typ)
	}
	return m
}

// normaliseAssignment fills the defaults of
// internal/graph/NOTES.md#assignments and
// internal/graph/NOTES.md#assignment-ids for the members the family's
// assignments carry, and clears the others.
func (f *policyFamily) normaliseAssignment(policyID string, a Assignment) Assignment {
	if f.assignSource {
		if a.Source == "" {
			a.Source = "direct"
		}
		if a.SourceID == "" && a.Source == "direct" {
			a.SourceID = policyID
		}
	} else if f.hiddenSource && a.Source == "policySets" {
		// G8: kept, never answered (internal/graph/NOTES.md#families-beyond-the-first-five)
	} else {
		a.Source, a.SourceID = "", ""
	}
	if !f.assignIntent {
		a.Intent = ""
	} else if a.Intent == "" && f.intentValues == nil {
		a.Intent = "apply"
	}
	if !f.assignModified {
		a.LastModifiedDateTime = time.Time{}
	}
	if a.Target.ODataType != "" && !strings.HasPrefix(a.Target.ODataType, "#") {
		a.Target.ODataType = "#" + a.Target.ODataType
	}
	if a.ID == "" {
		if f.assignID != nil {
			a.ID = f.assignID(policyID, a)
		} else {
			a.ID = policyID + "_" + a.Target.targetKey() + f.assignIDSuffix
		}
	}
	return a
}

// parseIntuneAssignment validates one assignment payload of the family:
// members other than the family's are unknown properties (strict) unless
// seeding added them to the schema (ext: kept in Extra); client id, source,
// sourceId and lastModifiedDateTime are ignored, the server sets them
// (internal/graph/NOTES.md#assignments).
func parseIntuneAssignment(f *policyFamily, v any, policyID string, strict bool, ext *famExt) (Assignment, error) {
	typ := "#" + f.assignTypeName()
	extra := extMembers(v, ext)
	if f.assignSource {
		extra = append(extra, "source", "sourceId")
	}
	if f.assignIntent {
		extra = append(extra, "intent")
	}
	if f.assignModified {
		extra = append(extra, "lastModifiedDateTime")
	}
	m, err := assignmentMembers(v, typ, extra, strict)
	if err != nil {
		return Assignment{}, err
	}
	if f.assignSource {
		if _, _, err := stringField(m, "sourceId", typ); err != nil {
			return Assignment{}, err
		}
	}
	var intent string
	if f.assignIntent {
		var hasIntent bool
		if intent, hasIntent, err = stringField(m, "intent", typ); err != nil {
			return Assignment{}, err
		}
		if hasIntent && intent != "apply" && intent != "remove" {
			return Assignment{}, odataErr("Requested value '%s' was not found. (intent must be apply or remove)", intent)
		}
	}
	if f.assignSource {
		if src, has, err := stringField(m, "source", typ); err != nil {
			return Assignment{}, err
		} else if has && src != "direct" && src != "policySets" {
			return Assignment{}, odataErr("Requested value '%s' was not found. (source must be direct or policySets)", src)
		}
	}
	if f.assignModified {
		if _, _, err := stringField(m, "lastModifiedDateTime", typ); err != nil {
			return Assignment{}, err
		}
	}
	parseTarget := parseDeviceTarget
	if f.parseTarget != nil {
		parseTarget = f.parseTarget
	}
	t, err := parseTarget(m["target"], strict, ext)
	if err != nil {
		return Assignment{}, err
	}
	a := Assignment{Intent: intent, Target: t, Extra: takeExtra(m, func(k string) bool { return !f.modeledMembers()[k] && ext.assignMember(k) })}
	return f.normaliseAssignment(policyID, a), nil
}

// extMembers are the members of the payload v that seeding added to the schema.
func extMembers(v any, ext *famExt) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		if ext.assignMember(k) {
			out = append(out, k)
		}
	}
	return out
}

// seedIntuneAssignment normalises the i-th assignment of a
// Set*Assignments call: only the target type and the Extra members are
// checked. A "#microsoft.graph.…AssignmentTarget" the model lacks is a
// newer target type (schema_ext.go): its members go in Target.Extra.
func seedIntuneAssignment(f *policyFamily, policyID string, i int, a Assignment) (Assignment, error) {
	t, ok := canonicalType(a.Target.ODataType, f.modelledTargets())
	if !ok {
		if t, ok = seedTargetType(a.Target.ODataType); !ok {
			return Assignment{}, fmt.Errorf("emulator: assignment %d: unknown target type %q", i, a.Target.ODataType)
		}
		if a.Target.GroupID != "" || a.Target.CollectionID != "" {
			return Assignment{}, fmt.Errorf("emulator: assignment %d: target type %s is not modelled; put its members in Target.Extra", i, t)
		}
	}
	a.Target.ODataType = t
	var err error
	if a.Target.Extra, err = checkExtra(fmt.Sprintf("assignment %d target", i), a.Target.Extra, modeledTargetMembers(t)); err != nil {
		return Assignment{}, err
	}
	if a.Extra, err = checkExtra(fmt.Sprintf("assignment %d", i), a.Extra, f.modeledMembers()); err != nil {
		return Assignment{}, err
	}
	return f.normaliseAssignment(policyID, a), nil
}

// duplicateTargetReason is the strict 400 reason for two entries of an assign
// list with the same computed id (internal/graph/NOTES.md#assignment-ids).
func duplicateTargetReason(j, i int, a Assignment) string {
	return fmt.Sprintf("assignments[%d] and assignments[%d] resolve to the same assignment id %s (duplicate target, or a group both included and excluded)", j, i, a.ID)
}
