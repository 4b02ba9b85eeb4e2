package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Target is an assignment target as stored and emitted. ODataType always
// carries the leading '#' (internal/graph/NOTES.md#targets: the Go SDK
// discriminator needs it).
type Target struct {
	ODataType    string // wire value WITH '#', e.g. "#microsoft.graph.groupAssignmentTarget"
	GroupID      string
	CollectionID string
	FilterID     string // "" => null on the wire
	FilterType   string // "" => "none" on the wire (device family only)
	// Cloud PC group targets (cloudPcManagementGroupAssignmentTarget, G5): the
	// Frontline plan and allotment of a provisioning policy's assignment; ""
	// and 0 are null on the wire.
	ServicePlanID          string
	AllotmentDisplayName   string
	AllotmentLicensesCount int
	// Extra are the target's members that the emulator does not model, by wire name,
	// as decoded JSON (json.Number, map[string]any, []any, string, bool, nil): the
	// members of a target type the model lacks (ODataType a seeded
	// "#microsoft.graph.…AssignmentTarget"; GroupID and CollectionID stay empty, a
	// groupId belongs here), or newer members of a modelled type. Seeding them makes them
	// part of the emulated schema (schema_ext.go); they are stored and answered as sent,
	// after the modelled members, sorted by name.
	Extra map[string]any
}

// Assignment is a stored assignment of any family. Each family uses the
// members its assignments carry: office ones only ID and Target; compliance
// and settings-catalog ones no Intent; group policy (administrative template)
// ones ID, LastModifiedDateTime and Target
// (internal/graph/NOTES.md#families). The others are cleared when stored.
type Assignment struct {
	ID       string // server computed as in internal/graph/NOTES.md#assignment-ids when empty
	Source   string // "direct" (default when empty) or "policySets"
	SourceID string // default policy id for direct
	Intent   string // "apply" default
	Target   Target
	// LastModifiedDateTime is the time of the write that stored the
	// assignment (groupPolicyConfigurations only); zero in Set*Assignments
	// => the time of the call.
	LastModifiedDateTime time.Time
	// Extra are the assignment's members that the family's model lacks (newer members
	// such as a schedule or settings), as Target.Extra: seeding makes them part of the
	// emulated schema, writes may then carry them, and they are answered after the
	// modelled members, sorted by name. Set*Assignments and the inspection methods copy
	// them, so callers and the store share nothing.
	Extra map[string]any
}

// Device-family target type names (internal/graph/NOTES.md#targets), exactly
// the set the Go SDK v0.165.0 discriminator knows.
const (
	TargetGroup           = "#microsoft.graph.groupAssignmentTarget"
	TargetExclusionGroup  = "#microsoft.graph.exclusionGroupAssignmentTarget"
	TargetAllLicensedUser = "#microsoft.graph.allLicensedUsersAssignmentTarget"
	TargetAllDevices      = "#microsoft.graph.allDevicesAssignmentTarget"
	TargetConfigMgrColl   = "#microsoft.graph.configurationManagerCollectionAssignmentTarget"
	TargetOfficeGroup     = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"

	// Fixed target keys used in computed assignment ids
	// (internal/graph/NOTES.md#assignment-ids).
	allDevicesKey       = "adadadad-808e-44e2-905a-0b7873a8a531"
	allLicensedUsersKey = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"
	zeroGUID            = "00000000-0000-0000-0000-000000000000"
)

var deviceTargetTypes = []string{TargetGroup, TargetExclusionGroup, TargetAllLicensedUser, TargetAllDevices, TargetConfigMgrColl}

// canonicalType maps an input @odata.type (with or without '#', any case)
// onto one of the known wire values.
func canonicalType(in string, known []string) (string, bool) {
	n := strings.TrimPrefix(strings.TrimSpace(in), "#")
	for _, k := range known {
		if strings.EqualFold(n, k[1:]) {
			return k, true
		}
	}
	return "", false
}

// targetKey is the part after "{policyId}_" in a computed assignment id.
func (t Target) targetKey() string {
	switch t.ODataType {
	case TargetAllDevices:
		return allDevicesKey
	case TargetAllLicensedUser:
		return allLicensedUsersKey
	case TargetConfigMgrColl:
		return t.CollectionID
	case TargetGroup, TargetExclusionGroup, TargetOfficeGroup, TargetCloudPcGroup, TargetCloudPcExclusionGroup:
		return strings.ToLower(t.GroupID)
	default:
		return unknownTargetKey(t)
	}
}

// validationError is a 400 from payload validation. odata marks errors the
// OData layer raises (unknown property, bad literal) rather than Intune;
// service marks Intune errors whose text the service itself answers (in the
// nested message), where other Intune 400s only say "An error has occurred".
type validationError struct {
	msg     string
	odata   bool
	service bool
}

func (e *validationError) Error() string { return e.msg }

func vErr(format string, a ...any) error { return &validationError{msg: fmt.Sprintf(format, a...)} }
func odataErr(format string, a ...any) error {
	return &validationError{msg: fmt.Sprintf(format, a...), odata: true}
}
func serviceErr(format string, a ...any) error {
	return &validationError{msg: fmt.Sprintf(format, a...), service: true}
}

func unknownProperty(prop, typ string) error {
	return odataErr("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", prop, strings.TrimPrefix(typ, "#"))
}

// stringField reads an optional string member; null counts as absent.
func stringField(m map[string]any, key, typ string) (string, bool, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		raw, _ := json.Marshal(v)
		return "", true, odataErr("Cannot convert the literal '%s' to the expected type 'Edm.String' (property '%s' of '%s').", string(raw), key, strings.TrimPrefix(typ, "#"))
	}
	return s, true, nil
}

// targetMembers is the common start of target parsing: the target must be
// an object; its @odata.type (abstract names the base type for errors) is
// returned, "" when missing or empty. Very old Kiota SDKs wrote "type"
// (internal/graph/NOTES.md#targets); it is accepted only leniently.
func targetMembers(v any, abstract string, strict bool) (map[string]any, string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil, "", vErr("assignment target is required")
		}
		return nil, "", odataErr("The assignment 'target' must be a JSON object.")
	}
	rawType, hasType, err := stringField(m, "@odata.type", abstract)
	if err != nil {
		return nil, "", err
	}
	if !hasType && !strict {
		if legacy, ok := m["type"].(string); ok {
			rawType = legacy
		}
	}
	return m, rawType, nil
}

func missingTargetType(abstract string) error {
	return odataErr("A type name is required for the abstract type 'microsoft.graph.%s': the target needs an '@odata.type'.", abstract)
}

// groupIDMember reads the required, GUID-valued groupId of a group target.
func groupIDMember(m map[string]any, typ string) (string, error) {
	g, _, err := stringField(m, "groupId", typ)
	if err != nil {
		return "", err
	}
	if g == "" {
		return "", vErr("groupId is required for %s", typ)
	}
	if !isGUID(g) {
		return "", vErr("groupId '%s' is not a valid GUID", g)
	}
	return g, nil
}

// parseDeviceTarget validates and normalises a deviceAndAppManagement
// assignment target (internal/graph/NOTES.md#targets, the refused inputs).
// strict selects 400s over normalisation for the [INF] rules. Target types and
// members that seeding added to the schema (ext) are accepted and kept in Extra.
func parseDeviceTarget(v any, strict bool, ext *famExt) (Target, error) {
	m, rawType, err := targetMembers(v, "deviceAndAppManagementAssignmentTarget", strict)
	if err != nil {
		return Target{}, err
	}
	if rawType == "" {
		return Target{}, missingTargetType("deviceAndAppManagementAssignmentTarget")
	}
	typ, ok := canonicalType(rawType, deviceTargetTypes)
	if !ok {
		typ, ok = ext.targetType(rawType)
	}
	if !ok {
		return Target{}, odataErr("The type '%s' is not a known assignment target type: expected one of groupAssignmentTarget, exclusionGroupAssignmentTarget, allLicensedUsersAssignmentTarget, allDevicesAssignmentTarget, configurationManagerCollectionAssignmentTarget.", strings.TrimPrefix(rawType, "#"))
	}
	t := Target{ODataType: typ}
	allowed := map[string]bool{"@odata.type": true, "deviceAndAppManagementAssignmentFilterId": true, "deviceAndAppManagementAssignmentFilterType": true}
	switch typ {
	case TargetGroup, TargetExclusionGroup:
		allowed["groupId"] = true
	case TargetConfigMgrColl:
		allowed["collectionId"] = true
	}
	if !strict {
		allowed["type"] = true
	}
	t.Extra = takeExtra(m, func(k string) bool { return !allowed[k] && ext.targetMember(typ, k) })
	for k := range m {
		if strict && !allowed[k] && !ext.targetMember(typ, k) {
			return Target{}, unknownProperty(k, typ)
		}
	}
	switch typ {
	case TargetGroup, TargetExclusionGroup:
		g, err := groupIDMember(m, typ)
		if err != nil {
			return Target{}, err
		}
		t.GroupID = g
	case TargetConfigMgrColl:
		cid, _, err := stringField(m, "collectionId", typ)
		if err != nil {
			return Target{}, err
		}
		if strings.TrimSpace(cid) == "" {
			return Target{}, vErr("collectionId is required for %s", typ)
		}
		t.CollectionID = cid
	}
	fid, _, err := stringField(m, "deviceAndAppManagementAssignmentFilterId", typ)
	if err != nil {
		return Target{}, err
	}
	ftype, hasFType, err := stringField(m, "deviceAndAppManagementAssignmentFilterType", typ)
	if err != nil {
		return Target{}, err
	}
	if hasFType {
		switch ftype {
		case "none", "include", "exclude":
		default:
			if strict || !(strings.EqualFold(ftype, "none") || strings.EqualFold(ftype, "include") || strings.EqualFold(ftype, "exclude")) {
				return Target{}, odataErr("Requested value '%s' was not found. (deviceAndAppManagementAssignmentFilterType must be none, include or exclude)", ftype)
			}
			ftype = strings.ToLower(ftype)
		}
	} else {
		ftype = "none"
	}
	if fid == zeroGUID {
		// The zero GUID means "no filter" in some workloads
		// (internal/graph/NOTES.md#targets).
		fid = ""
	}
	if fid != "" && !isGUID(fid) {
		return Target{}, vErr("deviceAndAppManagementAssignmentFilterId '%s' is not a valid GUID", fid)
	}
	switch {
	case ftype != "none" && fid == "":
		if strict {
			return Target{}, vErr("deviceAndAppManagementAssignmentFilterType '%s' requires deviceAndAppManagementAssignmentFilterId", ftype)
		}
		ftype = "none"
	case ftype == "none" && fid != "":
		if strict {
			return Target{}, vErr("deviceAndAppManagementAssignmentFilterId is set but deviceAndAppManagementAssignmentFilterType is 'none'")
		}
		fid = ""
	}
	if typ == TargetExclusionGroup && ftype != "none" {
		if strict {
			return Target{}, vErr("assignment filters are not supported on exclusion group targets")
		}
		ftype, fid = "none", ""
	}
	t.FilterID = fid
	if ftype != "none" {
		t.FilterType = ftype
	}
	return t, nil
}

// parseOfficeTarget validates an officeConfigurationAssignmentTarget: only
// the group target exists
// (internal/graph/NOTES.md#office-client-configurations).
func parseOfficeTarget(v any, strict bool, ext *famExt) (Target, error) {
	m, rawType, err := targetMembers(v, "officeConfigurationAssignmentTarget", strict)
	if err != nil {
		return Target{}, err
	}
	if rawType == "" {
		if strict {
			return Target{}, missingTargetType("officeConfigurationAssignmentTarget")
		}
		rawType = TargetOfficeGroup
	}
	typ, ok := canonicalType(rawType, []string{TargetOfficeGroup})
	if !ok {
		typ, ok = ext.targetType(rawType)
	}
	if !ok {
		return Target{}, odataErr("The type '%s' is not a supported office assignment target type: expected microsoft.graph.officeConfigurationGroupAssignmentTarget.", strings.TrimPrefix(rawType, "#"))
	}
	modeled := func(k string) bool { return k == "@odata.type" || (typ == TargetOfficeGroup && k == "groupId") }
	extra := takeExtra(m, func(k string) bool { return !modeled(k) && ext.targetMember(typ, k) })
	if strict {
		for k := range m {
			if !modeled(k) && !ext.targetMember(typ, k) {
				return Target{}, unknownProperty(k, typ)
			}
		}
	}
	if typ != TargetOfficeGroup {
		return Target{ODataType: typ, Extra: extra}, nil
	}
	g, err := groupIDMember(m, typ)
	if err != nil {
		return Target{}, err
	}
	return Target{ODataType: typ, GroupID: g, Extra: extra}, nil
}

// deviceTargetJSON renders a device target as real Graph does: filter id null
// and filter type "none" when unfiltered (internal/graph/NOTES.md#targets).
func deviceTargetJSON(t Target) obj {
	o := obj{{"@odata.type", t.ODataType}}
	var fid any
	if t.FilterID != "" {
		fid = t.FilterID
	}
	ft := t.FilterType
	if ft == "" {
		ft = "none"
	}
	o = append(o, kv{"deviceAndAppManagementAssignmentFilterId", fid}, kv{"deviceAndAppManagementAssignmentFilterType", ft})
	switch t.ODataType {
	case TargetGroup, TargetExclusionGroup:
		o = append(o, kv{"groupId", t.GroupID})
	case TargetConfigMgrColl:
		o = append(o, kv{"collectionId", t.CollectionID})
	}
	return appendExtra(o, t.Extra)
}

func officeTargetJSON(t Target) obj {
	o := obj{{"@odata.type", t.ODataType}}
	if t.ODataType == TargetOfficeGroup {
		o = append(o, kv{"groupId", t.GroupID})
	}
	return appendExtra(o, t.Extra)
}
