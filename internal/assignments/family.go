// Package assignments is the one assignment engine that every policy family shares:
// schema pieces, plan-time validation, the HCL <-> Graph mapping, set comparison and the
// CRUD flow. A policy family is data (a Family), not code.
package assignments

import (
	"fmt"
	"strings"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Field names a per-kind identifier attribute of an assignment target.
type Field int

const (
	FieldNone Field = iota
	FieldGroupID
	FieldCollectionID
)

// TargetKind is one kind of assignment target, as users write it and as Graph sends it.
type TargetKind struct {
	Name        string // HCL value of `target`, e.g. "exclusion_group"
	ODataType   string // wire @odata.type with '#'
	Needs       Field  // the identifier this kind requires (all others are forbidden)
	Excludes    bool   // an exclusion: its group must not also be included
	Filterable  bool   // accepts an assignment filter
	Description string // for the docs
}

// Family describes one policy family's assignments. The resource, the data source, their
// schemas, validation and docs are all derived from it.
type Family struct {
	Stem              string       // every type name derives from it, e.g. "device_configuration" (see names.go)
	PolicyIDAttribute string       // e.g. "device_configuration_id"
	PolicyNoun        string       // e.g. "device configuration", used in diagnostics and docs
	Graph             graph.Family // every Graph fact of the family: paths, body key, sources...
	Targets           []TargetKind
	Filters           bool // targets may carry an assignment filter
	// FilterKind is the assignmentFilterManagementType the family's filters must have:
	// FilterKindDevices ("" means it too) or FilterKindApps (app protection and managed-app
	// configuration, graph-families.md G7). A known filter of the other kind fails the plan.
	FilterKind string

	// Lookups: the policies' name property ("" for displayName; settings-catalog policies
	// have "name"), whether they have derived types worth showing (odata_type), and
	// further attributes the lookups return.
	NameProperty string
	NoODataType  bool
	LookupExtra  []LookupAttr

	// Permission is the Graph application permission that reads the family's policies
	// (lookups and docs); "" means DeviceManagementConfiguration.Read.All.
	Permission string

	// Fields are what an assignment carries besides its target (fields.go): an app's
	// intent (identity) and settings, a remediation's schedule (data).
	Fields []AssignmentField
	// IncludedOnce: an included target (a group, all devices, all users) may appear under
	// one value of the identity fields only (graph-families.md 22.2: one group, one intent
	// of an app); an exclusion may appear under several.
	IncludedOnce bool
	// Rules are further checks of one assignment at plan time, with zero requests (an app's
	// install deadline and restart rules). Each reports problems, attribute paths relative
	// to the assignment.
	Rules []Rule
	// Warnings are checks of the whole set at plan time that warn rather than refuse (an
	// app's user and device targets under different intents, which Intune resolves by its
	// conflict table). Problems' paths are ignored.
	Warnings func([]ElementView) []Problem
	// Policy, when set, is read at plan time (once per policy per run) and its checks run
	// on what the plan writes: the policy's type and state (an app's type and publishing
	// state decide which settings and intents it takes).
	Policy *PolicyCheck

	// Descriptions for the docs; "" derives one from the family's data
	// (resourceDescription, dataSourceDescription).
	ResourceDescription   string
	DataSourceDescription string
}

// permission is the Graph permission that reads the family's policies.
func (f *Family) permission() string {
	if f.Permission == "" {
		return "DeviceManagementConfiguration.Read.All"
	}
	return f.Permission
}

// WriteMode says in words how the family's writes reach Graph, for the docs.
func (f *Family) WriteMode() string {
	switch {
	case f.Graph.PerAssignment:
		return "per assignment (`POST …/assignments`, `DELETE …/assignments/{id}`)"
	case f.Graph.AssignAction != "":
		return "replace-all `" + f.Graph.AssignAction + "`" + map[bool]string{true: ", answered 204 and read back"}[f.Graph.AssignNoContent]
	case f.Graph.AssignNoContent:
		return "replace-all `assign`, answered 204 and read back"
	default:
		return "replace-all `assign`, answered with the set"
	}
}

// resourceDescription is ResourceDescription, or one derived from the family's data.
func (f *Family) resourceDescription() string {
	if f.ResourceDescription != "" {
		return f.ResourceDescription
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Manages the direct assignments of one Intune %s (`%s`). The resource is authoritative: ", f.PolicyNoun, f.Graph.CollectionPath)
	switch {
	case f.Graph.PerAssignment:
		b.WriteString("Graph has no replace-all action for this family's groups, so create and update add and remove one assignment " +
			"at a time (`POST …/assignments`, `DELETE …/assignments/{id}`), adds first. Such a write is not atomic: if a call fails " +
			"part-way, the error lists what was applied and what was not, the state records what Graph holds, and the next plan shows the rest. ")
	default:
		action := "`assign` action"
		if f.Graph.AssignAction != "" {
			action = "`assign` action, routed only as `…/{id}/" + f.Graph.AssignAction + "`"
		}
		fmt.Fprintf(&b, "create and update send the whole set with Graph's replace-all %s", action)
		if f.Graph.AssignNoContent {
			b.WriteString(", which answers 204 No Content, so the provider reads the set back to record what Graph holds")
		}
		b.WriteString(". ")
	}
	b.WriteString("Assignments made elsewhere show as drift and are removed on the next apply. Destroying the resource removes every " +
		"direct assignment and leaves the " + f.PolicyNoun + " itself in place.")
	switch {
	case f.sources():
		b.WriteString(" Assignments inherited from policy sets are left alone.")
	case f.guardsPolicySets() && f.Graph.SingleCreateRefused:
		b.WriteString(" Its assignments carry no `source`, so those a policy set made cannot be told apart from direct ones: the plan " +
			"refuses to manage a policy that belongs to a policy set (so does `" + f.singleType() + "`, which writes through the same " +
			"action: Graph has no route that adds one assignment), and a destroy sends nothing for one.")
	case f.guardsPolicySets():
		b.WriteString(" Its assignments carry no `source`, so those a policy set made cannot be told apart from direct ones: the plan " +
			"refuses to manage a policy that belongs to a policy set (use `" + f.singleType() + "`), and a destroy sends nothing for one.")
	}
	return b.String()
}

// dataSourceDescription is DataSourceDescription, or one derived from the family's data.
func (f *Family) dataSourceDescription() string {
	if f.DataSourceDescription != "" {
		return f.DataSourceDescription
	}
	if f.sources() {
		return "Lists every assignment of one Intune " + f.PolicyNoun + ", including those inherited from policy sets."
	}
	return "Lists every assignment of one Intune " + f.PolicyNoun + "."
}

// sources: assignments have source/sourceId; only direct ones are managed.
func (f *Family) sources() bool { return f.Graph.Sources }

// api is the family's assignment calls on a client.
func (f *Family) api(c *graph.Client) graph.AssignmentAPI { return c.Assignments(f.Graph) }

// hasTargetAttribute: a family with a single target kind has no `target` attribute; the
// kind is implied (Office policies only target groups).
func (f *Family) hasTargetAttribute() bool { return len(f.Targets) > 1 }

func (f *Family) uses(field Field) bool {
	for _, k := range f.Targets {
		if k.Needs == field {
			return true
		}
	}
	return false
}

func (f *Family) kindByName(name string) (TargetKind, bool) {
	if !f.hasTargetAttribute() {
		return f.Targets[0], true
	}
	for _, k := range f.Targets {
		if k.Name == name {
			return k, true
		}
	}
	return TargetKind{}, false
}

func (f *Family) kindByODataType(t string) (TargetKind, bool) {
	for _, k := range f.Targets {
		if strings.EqualFold(k.ODataType, t) {
			return k, true
		}
	}
	return TargetKind{}, false
}

func (f *Family) targetNames() []string {
	names := make([]string, len(f.Targets))
	for i, k := range f.Targets {
		names[i] = k.Name
	}
	return names
}
