package emulator

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Cloud PC assignment targets (reference section 25, G5): the
// cloudPcManagementAssignmentTarget hierarchy, not the
// deviceAndAppManagementAssignmentTarget one. No filter members.

// Cloud PC target type names.
const (
	// TargetCloudPcGroup is the documented target of provisioning policies
	// (groupId, servicePlanId, allotmentDisplayName, allotmentLicensesCount)
	// and user settings (groupId) [DOC; SDK].
	TargetCloudPcGroup = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
	// TargetCloudPcExclusionGroup is sent by one public provider, undocumented
	// [CODE, unverified]: refused unless Config.AcceptAnyTargetKind [INF].
	TargetCloudPcExclusionGroup = "#microsoft.graph.cloudPcManagementExclusionGroupAssignmentTarget"
)

var cloudPcTargetTypes = []string{TargetCloudPcGroup, TargetCloudPcExclusionGroup}

// cloudPcTargetMembers are the modelled members of a Cloud PC target type.
func cloudPcTargetMembers(typ string) map[string]bool {
	m := map[string]bool{"@odata.type": true, "groupId": true}
	if typ == TargetCloudPcGroup {
		m["servicePlanId"], m["allotmentDisplayName"], m["allotmentLicensesCount"] = true, true, true
	}
	return m
}

// parseCloudPcTarget validates a cloudPcManagementAssignmentTarget.
func parseCloudPcTarget(v any, strict bool, ext *famExt) (Target, error) {
	m, rawType, err := targetMembers(v, "cloudPcManagementAssignmentTarget", strict)
	if err != nil {
		return Target{}, err
	}
	if rawType == "" {
		return Target{}, missingTargetType("cloudPcManagementAssignmentTarget")
	}
	typ, ok := canonicalType(rawType, cloudPcTargetTypes)
	if !ok {
		typ, ok = ext.targetType(rawType)
	}
	if !ok {
		return Target{}, odataErr("The type '%s' is not compatible with 'microsoft.graph.cloudPcManagementAssignmentTarget': expected microsoft.graph.cloudPcManagementGroupAssignmentTarget.", strings.TrimPrefix(rawType, "#"))
	}
	modelled := cloudPcTargetMembers(typ)
	if !slices.Contains(cloudPcTargetTypes, typ) {
		modelled = map[string]bool{"@odata.type": true}
	}
	t := Target{ODataType: typ}
	t.Extra = takeExtra(m, func(k string) bool { return !modelled[k] && ext.targetMember(typ, k) })
	for k := range m {
		if strict && !modelled[k] && !ext.targetMember(typ, k) {
			return Target{}, unknownProperty(k, typ)
		}
	}
	if !slices.Contains(cloudPcTargetTypes, typ) {
		return t, nil
	}
	if t.GroupID, err = groupIDMember(m, typ); err != nil {
		return Target{}, err
	}
	if typ != TargetCloudPcGroup {
		return t, nil
	}
	if t.ServicePlanID, _, err = stringField(m, "servicePlanId", typ); err != nil {
		return Target{}, err
	}
	if t.AllotmentDisplayName, _, err = stringField(m, "allotmentDisplayName", typ); err != nil {
		return Target{}, err
	}
	switch n := m["allotmentLicensesCount"].(type) {
	case nil:
	case json.Number:
		i, err := strconv.Atoi(n.String())
		if err != nil || i < 0 {
			return Target{}, odataErr("Cannot convert the literal '%s' to the expected type 'Edm.Int32' (property 'allotmentLicensesCount' of '%s').", n, typ[1:])
		}
		t.AllotmentLicensesCount = i
	default:
		raw, _ := json.Marshal(n)
		return Target{}, odataErr("Cannot convert the literal '%s' to the expected type 'Edm.Int32' (property 'allotmentLicensesCount' of '%s').", raw, typ[1:])
	}
	return t, nil
}

// cloudPcTargetJSON renders a Cloud PC target: @odata.type, groupId, then
// (group target) servicePlanId, allotmentDisplayName, allotmentLicensesCount,
// null when unset [DOC member order].
func cloudPcTargetJSON(t Target) obj {
	o := obj{{"@odata.type", t.ODataType}}
	switch t.ODataType {
	case TargetCloudPcGroup:
		o = append(o, kv{"groupId", t.GroupID})
		for _, m := range []string{"servicePlanId", "allotmentDisplayName", "allotmentLicensesCount"} {
			v, ok := cloudPcTargetMap(t)[m]
			if !ok {
				v = nil
			}
			o = append(o, kv{m, v})
		}
	case TargetCloudPcExclusionGroup:
		o = append(o, kv{"groupId", t.GroupID})
	}
	return appendExtra(o, t.Extra)
}

// cloudPcTargetMap holds the set plan and allotment members of t.
func cloudPcTargetMap(t Target) map[string]any {
	m := map[string]any{}
	if t.ServicePlanID != "" {
		m["servicePlanId"] = t.ServicePlanID
	}
	if t.AllotmentDisplayName != "" {
		m["allotmentDisplayName"] = t.AllotmentDisplayName
	}
	if t.AllotmentLicensesCount != 0 {
		m["allotmentLicensesCount"] = t.AllotmentLicensesCount
	}
	return m
}
