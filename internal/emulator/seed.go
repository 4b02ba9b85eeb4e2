package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Seed is the JSON seed file format of the intune-emulator command:
//
//	{"deviceConfigurations":[{"id":..,"odataType":..,"displayName":..,"assignments":[...]}],
//	 "officeClientConfigurations":[{"id":..,"displayName":..,"priority":1,"assignments":[...]}],
//	 "deviceCompliancePolicies":[{"id":..,"odataType":..,"displayName":..,"assignments":[...]}],
//	 "configurationPolicies":[{"id":..,"name":..,"platforms":..,"technologies":..,"templateFamily":..,"assignments":[...]}],
//	 "groupPolicyConfigurations":[{"id":..,"displayName":..,"assignments":[...]}],
//	 "assignmentFilters":[{"id":..,"displayName":..,"description":..,"platform":..,"rule":..,"assignmentFilterManagementType":..}],
//	 "policies":[{"collection":"/deviceManagement/deviceManagementScripts","id":..,"odataType":..,"displayName":..,"props":{..},"assignments":[...]}],
//	 "policySets":[{"id":..,"displayName":..,"items":[{"payloadId":..,"odataType":"#microsoft.graph.deviceManagementScriptPolicySetItem","displayName":..}]}]}
//
// priority is for office policies only, odataType not for group policy
// configurations: a seed setting them elsewhere is refused. policies holds
// policies of any family, by collection (see SeedGenericPolicy); policySets
// holds policy sets (see SeedPolicySet).
type Seed struct {
	DeviceConfigurations       []SeedPolicy              `json:"deviceConfigurations"`
	OfficeClientConfigurations []SeedPolicy              `json:"officeClientConfigurations"`
	DeviceCompliancePolicies   []SeedPolicy              `json:"deviceCompliancePolicies"`
	ConfigurationPolicies      []SeedConfigurationPolicy `json:"configurationPolicies"`
	GroupPolicyConfigurations  []SeedPolicy              `json:"groupPolicyConfigurations"`
	AssignmentFilters          []SeedAssignmentFilter    `json:"assignmentFilters"`
	Policies                   []SeedGenericPolicy       `json:"policies"`
	PolicySets                 []SeedPolicySet           `json:"policySets"`
}

// SeedPolicySet is one seeded policy set, stored with AddPolicySet (id "" =>
// new GUID). Like AddPolicySet it assigns no member: the assignments a set
// made on its members are seeded on those policies (source "policySets",
// sourceId the set's id).
type SeedPolicySet struct {
	ID          string              `json:"id"`
	DisplayName string              `json:"displayName"`
	Items       []SeedPolicySetItem `json:"items"`
}

// SeedPolicySetItem is one member of a seeded policy set (see
// PolicySetItem): payloadId, the member policy's id, is required; odataType
// is the item type, e.g. "#microsoft.graph.deviceManagementScriptPolicySetItem"
// (the '#' is optional).
type SeedPolicySetItem struct {
	PayloadID   string `json:"payloadId"`
	ODataType   string `json:"odataType"`
	DisplayName string `json:"displayName"`
}

// SeedGenericPolicy is one seeded policy of any family, stored with
// AddPolicy and SetPolicyAssignments: collection is one of the Coll…
// paths ("/deviceManagement/deviceManagementScripts"; a leading /beta and
// the slashes are optional), an unknown one is an error. odataType "" =>
// the collection's default concrete type; on the families beyond the first
// five it must be one of the collection's types (e.g.
// "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration" for
// deviceEnrollmentConfigurations; the '#' is optional), and
// configurationPolicies and groupPolicyConfigurations take none.
// displayName is the "name" of compliancePolicies and configurationPolicies.
// The assignments are stored verbatim, as SetPolicyAssignments does: the
// family's target-kind and filter rules are not applied.
type SeedGenericPolicy struct {
	Collection  string `json:"collection"`
	ID          string `json:"id"`
	ODataType   string `json:"odataType"`
	DisplayName string `json:"displayName"`
	// Props are further entity members, as Policy.Props (e.g.
	// {"publisher":"Contoso","publishingState":"notPublished"}).
	Props       map[string]any   `json:"props"`
	Assignments []SeedAssignment `json:"assignments"`
}

// SeedConfigurationPolicy is one seeded settings-catalog policy (see
// ConfigurationPolicy); its assignments carry no intent.
type SeedConfigurationPolicy struct {
	ID             string           `json:"id"`
	Name           string           `json:"name"`
	Description    string           `json:"description"`
	Platforms      string           `json:"platforms"`
	Technologies   string           `json:"technologies"`
	TemplateFamily string           `json:"templateFamily"`
	Assignments    []SeedAssignment `json:"assignments"`
}

// SeedAssignmentFilter is one seeded assignment filter, with the wire names
// of internal/graph/NOTES.md#assignment-filters. id "" => new GUID; platform
// "" => "unknown"; assignmentFilterManagementType "" => "devices". Unknown
// enumeration values are an error (matched without regard to case).
type SeedAssignmentFilter struct {
	ID             string `json:"id"`
	DisplayName    string `json:"displayName"`
	Description    string `json:"description"`
	Platform       string `json:"platform"`
	Rule           string `json:"rule"`
	ManagementType string `json:"assignmentFilterManagementType"`
}

// SeedPolicy is one seeded deviceConfiguration, office client,
// compliance or group policy configuration policy.
type SeedPolicy struct {
	ID          string           `json:"id"`
	ODataType   string           `json:"odataType"`
	DisplayName string           `json:"displayName"`
	Description string           `json:"description"`
	Priority    int              `json:"priority"`
	Assignments []SeedAssignment `json:"assignments"`
}

// SeedAssignment is one seeded assignment; the target uses wire names.
type SeedAssignment struct {
	ID       string     `json:"id"`
	Source   string     `json:"source"`
	SourceID string     `json:"sourceId"`
	Intent   string     `json:"intent"`
	Target   SeedTarget `json:"target"`
	// Settings (mobileApps), RunSchedule and RunRemediationScript
	// (deviceHealthScripts) go to Assignment.Extra under their wire names,
	// stored as given.
	Settings             map[string]any `json:"settings"`
	RunSchedule          map[string]any `json:"runSchedule"`
	RunRemediationScript *bool          `json:"runRemediationScript"`
}

// SeedTarget mirrors the wire form of an assignment target.
type SeedTarget struct {
	ODataType    string `json:"@odata.type"`
	GroupID      string `json:"groupId"`
	CollectionID string `json:"collectionId"`
	FilterID     string `json:"deviceAndAppManagementAssignmentFilterId"`
	FilterType   string `json:"deviceAndAppManagementAssignmentFilterType"`
}

// LoadSeedFile reads a seed file and applies it (see Seed).
func (s *Server) LoadSeedFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only: a close error loses nothing
	return s.LoadSeed(f)
}

// LoadSeed decodes a Seed document (unknown fields rejected, so typos in
// hand-written seed files surface) and stores its assignment filters,
// policies and policy sets. Everything is checked before anything is stored.
func (s *Server) LoadSeed(r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var sd Seed
	if err := dec.Decode(&sd); err != nil {
		return fmt.Errorf("emulator: seed: %w", err)
	}
	// Filters first, and all checked before any is stored: policies'
	// assignments may name them.
	for i, f := range sd.AssignmentFilters {
		if _, ok := enumMember(f.Platform, filterPlatforms, false); !ok && f.Platform != "" {
			return fmt.Errorf("emulator: seed: assignmentFilters[%d]: unknown platform %q", i, f.Platform)
		}
		if _, ok := enumMember(f.ManagementType, filterManagementTypes, false); !ok && f.ManagementType != "" {
			return fmt.Errorf("emulator: seed: assignmentFilters[%d]: unknown assignmentFilterManagementType %q", i, f.ManagementType)
		}
	}
	for i, p := range sd.DeviceCompliancePolicies {
		if p.Priority != 0 {
			return fmt.Errorf("emulator: seed: deviceCompliancePolicies[%d]: priority is for officeClientConfigurations only", i)
		}
	}
	for i, p := range sd.GroupPolicyConfigurations {
		if p.Priority != 0 || p.ODataType != "" {
			return fmt.Errorf("emulator: seed: groupPolicyConfigurations[%d]: priority and odataType are not members of a group policy configuration", i)
		}
	}
	for i, p := range sd.Policies {
		if err := checkSeedPolicy(p); err != nil {
			return fmt.Errorf("emulator: seed: policies[%d]: %w", i, err)
		}
	}
	for i, ps := range sd.PolicySets {
		for j, it := range ps.Items {
			if it.PayloadID == "" {
				return fmt.Errorf("emulator: seed: policySets[%d].items[%d]: payloadId is required", i, j)
			}
		}
	}
	for _, f := range sd.AssignmentFilters {
		s.AddAssignmentFilter(AssignmentFilter(f))
	}
	for _, p := range sd.DeviceConfigurations {
		id := s.AddDeviceConfiguration(DeviceConfiguration{ID: p.ID, ODataType: p.ODataType, DisplayName: p.DisplayName, Description: p.Description})
		if err := s.SetDeviceConfigurationAssignments(id, seedAssignments(p.Assignments)); err != nil {
			return err
		}
	}
	for _, p := range sd.OfficeClientConfigurations {
		id := s.AddOfficeClientConfiguration(OfficeClientConfiguration{ID: p.ID, ODataType: p.ODataType, DisplayName: p.DisplayName, Description: p.Description, Priority: p.Priority})
		if err := s.SetOfficeClientConfigurationAssignments(id, seedAssignments(p.Assignments)); err != nil {
			return err
		}
	}
	for _, p := range sd.DeviceCompliancePolicies {
		id := s.AddDeviceCompliancePolicy(DeviceCompliancePolicy{ID: p.ID, ODataType: p.ODataType, DisplayName: p.DisplayName, Description: p.Description})
		if err := s.SetDeviceCompliancePolicyAssignments(id, seedAssignments(p.Assignments)); err != nil {
			return err
		}
	}
	for _, p := range sd.ConfigurationPolicies {
		id := s.AddConfigurationPolicy(ConfigurationPolicy{ID: p.ID, Name: p.Name, Description: p.Description, Platforms: p.Platforms, Technologies: p.Technologies, TemplateFamily: p.TemplateFamily})
		if err := s.SetConfigurationPolicyAssignments(id, seedAssignments(p.Assignments)); err != nil {
			return err
		}
	}
	for _, p := range sd.GroupPolicyConfigurations {
		id := s.AddGroupPolicyConfiguration(GroupPolicyConfiguration{ID: p.ID, DisplayName: p.DisplayName, Description: p.Description})
		if err := s.SetGroupPolicyConfigurationAssignments(id, seedAssignments(p.Assignments)); err != nil {
			return err
		}
	}
	for i, p := range sd.Policies {
		id := s.AddPolicy(p.Collection, Policy{ID: p.ID, DisplayName: p.DisplayName, ODataType: p.ODataType, Props: p.Props})
		if err := s.SetPolicyAssignments(p.Collection, id, seedAssignments(p.Assignments)); err != nil {
			return fmt.Errorf("emulator: seed: policies[%d]: %w", i, err)
		}
	}
	for _, ps := range sd.PolicySets {
		items := make([]PolicySetItem, 0, len(ps.Items))
		for _, it := range ps.Items {
			items = append(items, PolicySetItem(it))
		}
		s.AddPolicySet(PolicySet{ID: ps.ID, DisplayName: ps.DisplayName, Items: items})
	}
	return nil
}

// checkSeedPolicy refuses an entry of the policies key that AddPolicy would
// panic on (an unknown collection) or store with a type its family does not have.
func checkSeedPolicy(p SeedGenericPolicy) error {
	f := familyOf(p.Collection)
	if f == nil {
		known := make([]string, 0, len(policyFamilies()))
		for _, g := range policyFamilies() {
			known = append(known, "/"+g.path)
		}
		return fmt.Errorf("unknown collection %q (known: %s)", p.Collection, strings.Join(known, ", "))
	}
	if sp := specOf(f); sp != nil {
		for k, vals := range sp.enums {
			if v, has := p.Props[k]; has {
				if err := checkEnum(k, v, vals); err != nil {
					return fmt.Errorf("props: %w", err)
				}
			}
		}
	}
	if p.ODataType == "" {
		return nil
	}
	switch sp := specOf(f); {
	case f == configPolicyFamily || f == groupPolicyFamily:
		return fmt.Errorf("odataType %q: %s policies have no odataType", p.ODataType, p.Collection)
	case sp != nil:
		if _, ok := sp.seedType(p.ODataType); !ok {
			return fmt.Errorf("odataType %q is not a type of %s (one of %s)", p.ODataType, p.Collection, strings.Join(sp.types, ", "))
		}
	}
	return nil
}

func seedAssignments(in []SeedAssignment) []Assignment {
	out := make([]Assignment, 0, len(in))
	for _, a := range in {
		ft := a.Target.FilterType
		if ft == "none" {
			ft = ""
		}
		var extra map[string]any
		put := func(k string, v any) {
			if extra == nil {
				extra = map[string]any{}
			}
			extra[k] = v
		}
		if a.Settings != nil {
			put("settings", a.Settings)
		}
		if a.RunSchedule != nil {
			put("runSchedule", a.RunSchedule)
		}
		if a.RunRemediationScript != nil {
			put("runRemediationScript", *a.RunRemediationScript)
		}
		out = append(out, Assignment{ID: a.ID, Source: a.Source, SourceID: a.SourceID, Intent: a.Intent, Target: Target{
			ODataType: a.Target.ODataType, GroupID: a.Target.GroupID, CollectionID: a.Target.CollectionID, FilterID: a.Target.FilterID, FilterType: ft,
		}, Extra: extra})
	}
	return out
}
