// Package assignments is the one assignment engine that every policy family shares:
// schema pieces, plan-time validation, the HCL <-> Graph mapping, set comparison and the
// CRUD flow. A policy family is data (a Family), not code.
package assignments

import (
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

	ResourceDescription   string
	DataSourceDescription string
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
