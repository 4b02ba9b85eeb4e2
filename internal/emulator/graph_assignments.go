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
	return append(o, kv{"target", deviceTargetJSON(a.Target)})
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
	} else {
		a.Source, a.SourceID = "", ""
	}
	if !f.assignIntent {
		a.Intent = ""
	} else if a.Intent == "" {
		a.Intent = "apply"
	}
	if !f.assignModified {
		a.LastModifiedDateTime = time.Time{}
	}
	if a.Target.ODataType != "" && !strings.HasPrefix(a.Target.ODataType, "#") {
		a.Target.ODataType = "#" + a.Target.ODataType
	}
	if a.ID == "" {
		a.ID = policyID + "_" + a.Target.targetKey()
	}
	return a
}

// parseIntuneAssignment validates one assignment payload of the family:
// members other than the family's are unknown properties (strict); client
// id, source, sourceId and lastModifiedDateTime are ignored, the server
// sets them (internal/graph/NOTES.md#assignments).
func parseIntuneAssignment(f *policyFamily, v any, policyID string, strict bool) (Assignment, error) {
	typ := "#" + f.assignTypeName()
	var extra []string
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
	t, err := parseDeviceTarget(m["target"], strict)
	if err != nil {
		return Assignment{}, err
	}
	return f.normaliseAssignment(policyID, Assignment{Intent: intent, Target: t}), nil
}

// seedIntuneAssignment normalises the i-th assignment of a
// Set*Assignments call: only the target type is checked.
func seedIntuneAssignment(f *policyFamily, policyID string, i int, a Assignment) (Assignment, error) {
	t, ok := canonicalType(a.Target.ODataType, deviceTargetTypes)
	if !ok {
		return Assignment{}, fmt.Errorf("emulator: assignment %d: unknown target type %q", i, a.Target.ODataType)
	}
	a.Target.ODataType = t
	return f.normaliseAssignment(policyID, a), nil
}

// duplicateTargetReason is the strict 400 reason for two entries of an assign
// list with the same computed id (internal/graph/NOTES.md#assignment-ids).
func duplicateTargetReason(j, i int, a Assignment) string {
	return fmt.Sprintf("assignments[%d] and assignments[%d] resolve to the same assignment id %s (duplicate target, or a group both included and excluded)", j, i, a.ID)
}
