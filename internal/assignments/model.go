package assignments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Attribute names inside one assignment object.
const (
	attrTarget       = "target"
	attrGroupID      = "group_id"
	attrCollectionID = "collection_id"
	attrFilterID     = "filter_id"
	attrFilterType   = "filter_type"
	attrID           = "id"
	attrSource       = "source"
	attrSourceID     = "source_id"
)

// element is one assignment as written in HCL. Attributes a family does not have stay null.
type element struct {
	Target       types.String
	GroupID      types.String
	CollectionID types.String
	FilterID     types.String
	FilterType   types.String
}

// elementAttrTypes is the object type of one element of the resource's `assignments` set:
// every target attribute, for every family. Terraform drops an attribute a nested object's
// type lacks without a word, so the ones a family does not take are there too, and
// validation refuses them (refusedNestedAttributes).
func (f *Family) elementAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{attrTarget: types.StringType, attrGroupID: types.StringType, attrCollectionID: types.StringType,
		attrFilterID: types.StringType, attrFilterType: types.StringType}
}

// takenAttrTypes are the target attributes the family takes (the data source lists only these).
func (f *Family) takenAttrTypes() map[string]attr.Type {
	m := map[string]attr.Type{}
	if f.hasTargetAttribute() {
		m[attrTarget] = types.StringType
	}
	if f.uses(FieldGroupID) {
		m[attrGroupID] = types.StringType
	}
	if f.uses(FieldCollectionID) {
		m[attrCollectionID] = types.StringType
	}
	if f.Filters {
		m[attrFilterID] = types.StringType
		m[attrFilterType] = types.StringType
	}
	return m
}

func stringAttr(attrs map[string]attr.Value, name string) types.String {
	if v, ok := attrs[name].(types.String); ok {
		return v
	}
	return types.StringNull()
}

// elementFromObject reads one set element; attributes missing from the family read as null.
func elementFromObject(obj types.Object) element {
	a := obj.Attributes()
	return element{
		Target:       stringAttr(a, attrTarget),
		GroupID:      stringAttr(a, attrGroupID),
		CollectionID: stringAttr(a, attrCollectionID),
		FilterID:     stringAttr(a, attrFilterID),
		FilterType:   stringAttr(a, attrFilterType),
	}
}

func (f *Family) toObject(e element) (types.Object, diag.Diagnostics) {
	all := map[string]attr.Value{
		attrTarget: e.Target, attrGroupID: e.GroupID, attrCollectionID: e.CollectionID,
		attrFilterID: e.FilterID, attrFilterType: e.FilterType,
	}
	types_ := f.elementAttrTypes()
	vals := make(map[string]attr.Value, len(types_))
	for name := range types_ {
		vals[name] = all[name]
	}
	return types.ObjectValue(types_, vals)
}

// elementsFromSet reads the `assignments` set. The caller has checked it is known.
func elementsFromSet(ctx context.Context, set types.Set) ([]element, []types.Object, diag.Diagnostics) {
	var objs []types.Object
	diags := set.ElementsAs(ctx, &objs, false)
	out := make([]element, len(objs))
	for i, o := range objs {
		out[i] = elementFromObject(o)
	}
	return out, objs, diags
}

func (f *Family) setFromElements(elems []element) (setValue, diag.Diagnostics) {
	var diags diag.Diagnostics
	objType := types.ObjectType{AttrTypes: f.elementAttrTypes()}
	vals := make([]attr.Value, 0, len(elems))
	for _, e := range elems {
		o, d := f.toObject(e)
		diags.Append(d...)
		vals = append(vals, o)
	}
	s, d := types.SetValue(objType, vals)
	diags.Append(d...)
	return setValue{SetValue: s}, diags
}

// toGraph maps a validated element to its wire form.
func (f *Family) toGraph(e element) (graph.Assignment, error) {
	kind, ok := f.kindByName(e.Target.ValueString())
	if !ok {
		return graph.Assignment{}, fmt.Errorf("unknown target %q", e.Target.ValueString())
	}
	t := graph.Target{ODataType: kind.ODataType}
	switch kind.Needs {
	case FieldGroupID:
		t.GroupID = e.GroupID.ValueString()
	case FieldCollectionID:
		t.CollectionID = e.CollectionID.ValueString()
	}
	if kind.Filterable && !e.FilterType.IsNull() {
		t.FilterID = e.FilterID.ValueString()
		t.FilterType = e.FilterType.ValueString()
	}
	return graph.Assignment{Target: t}, nil
}

// fromGraph maps a wire assignment to the element a user would have written for it. A
// target kind the provider does not model keeps its @odata.type as `target`, so a plan
// shows it (and its removal) instead of hiding it; ok is false only when the family has no
// `target` attribute to show it in.
func (f *Family) fromGraph(a graph.Assignment) (element, bool) {
	e := element{
		Target: types.StringNull(), GroupID: types.StringNull(), CollectionID: types.StringNull(),
		FilterID: types.StringNull(), FilterType: types.StringNull(),
	}
	kind, known := f.kindByODataType(a.Target.ODataType)
	if f.hasTargetAttribute() {
		if known {
			e.Target = types.StringValue(kind.Name)
		} else {
			e.Target = types.StringValue(a.Target.ODataType)
		}
	} else if !known {
		return e, false
	}
	if a.Target.GroupID != "" && f.uses(FieldGroupID) {
		e.GroupID = types.StringValue(a.Target.GroupID)
	}
	if a.Target.CollectionID != "" && f.uses(FieldCollectionID) {
		e.CollectionID = types.StringValue(a.Target.CollectionID)
	}
	if f.Filters && a.Target.FilterType != "" {
		e.FilterType = types.StringValue(a.Target.FilterType)
		if a.Target.FilterID != "" {
			e.FilterID = types.StringValue(a.Target.FilterID)
		}
	}
	return e, true
}

// key is an element's identity for comparison: GUIDs and collection ids compare without
// regard to case, and attributes Graph fills in (ids, intent, filter "none") play no part.
func (f *Family) key(e element) string {
	target := e.Target.ValueString()
	if !f.hasTargetAttribute() {
		target = f.Targets[0].Name
	}
	return strings.Join([]string{
		target,
		strings.ToLower(e.GroupID.ValueString()),
		strings.ToLower(e.CollectionID.ValueString()),
		strings.ToLower(e.FilterID.ValueString()),
		strings.ToLower(e.FilterType.ValueString()),
	}, "|")
}

// reconcile turns what Graph holds into state. Where an element of `prior` (the plan, or
// the previous state) means the same assignment, it is kept as the user spelled it, so
// upper-case GUIDs never show as a change.
func (f *Family) reconcile(prior []element, remote []graph.Assignment) (elems []element, unsupported []graph.Assignment) {
	byKey := make(map[string]element, len(prior))
	for _, p := range prior {
		byKey[f.key(p)] = p
	}
	seen := map[string]bool{}
	for _, a := range remote {
		e, ok := f.fromGraph(a)
		if !ok {
			unsupported = append(unsupported, a)
			continue
		}
		k := f.key(e)
		if seen[k] {
			continue
		}
		seen[k] = true
		if p, ok := byKey[k]; ok {
			e = p
		}
		elems = append(elems, e)
	}
	return elems, unsupported
}

// remote is the direct assignments Graph holds, as elements (unsupported ones left out).
func (f *Family) remote(as []graph.Assignment) []element {
	elems, _ := f.reconcile(nil, directOnly(as))
	return elems
}

// sameRemote says two answers from Graph hold the same direct assignments.
func (f *Family) sameRemote(a, b []graph.Assignment) bool {
	return f.sameSet(f.remote(a), f.remote(b))
}

// keys are the sorted identities of a set of elements.
func (f *Family) keys(elems []element) []string {
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = f.key(e)
	}
	sort.Strings(out)
	return out
}

// blame finds the one planned element a Graph 400 names by one of its IDs, so the
// diagnostic can point at it in the configuration; -1 when none or several match.
func (f *Family) blame(err error, planned []element) int {
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.StatusCode != http.StatusBadRequest {
		return -1
	}
	msg := strings.ToLower(ge.Message)
	found := -1
	for i, e := range planned {
		for _, id := range []string{e.GroupID.ValueString(), e.CollectionID.ValueString(), e.FilterID.ValueString()} {
			if id != "" && strings.Contains(msg, strings.ToLower(id)) {
				if found >= 0 && found != i {
					return -1
				}
				found = i
			}
		}
	}
	return found
}

// difference lists the keys in a that are not in b, sorted, for diagnostics.
func (f *Family) difference(a, b []element) []string {
	inB := map[string]bool{}
	for _, e := range b {
		inB[f.key(e)] = true
	}
	var out []string
	for _, e := range a {
		if k := f.key(e); !inB[k] {
			out = append(out, f.describe(e))
		}
	}
	sort.Strings(out)
	return out
}

// describe renders an element for a person, e.g. `group 1111… (filter include 9999…)`.
func (f *Family) describe(e element) string {
	var b strings.Builder
	if f.hasTargetAttribute() {
		b.WriteString(e.Target.ValueString())
	} else {
		b.WriteString(f.Targets[0].Name)
	}
	if v := e.GroupID.ValueString(); v != "" {
		b.WriteString(" " + v)
	}
	if v := e.CollectionID.ValueString(); v != "" {
		b.WriteString(" " + v)
	}
	if v := e.FilterType.ValueString(); v != "" {
		fmt.Fprintf(&b, " (filter %s %s)", v, e.FilterID.ValueString())
	}
	return b.String()
}

// sameSet reports whether two sets of elements mean the same assignments (by key).
func (f *Family) sameSet(a, b []element) bool {
	return strings.Join(f.keys(a), "\n") == strings.Join(f.keys(b), "\n")
}

// removedBy lists the elements of remote that no planned element means, for a person.
// Planned elements with values unknown until apply match nothing; unsure reports them.
func (f *Family) removedBy(remote, planned []element) (removed []string, unsure bool) {
	known := make([]element, 0, len(planned))
	for _, p := range planned {
		if p.hasUnknown() {
			unsure = true
			continue
		}
		known = append(known, p)
	}
	return f.difference(remote, known), unsure
}

func (e element) hasUnknown() bool {
	for _, v := range []types.String{e.Target, e.GroupID, e.CollectionID, e.FilterID, e.FilterType} {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// resourceType is the family's resource type name as users write it.
func (f *Family) resourceType() string { return "intune_" + f.authoritativeSuffix() }

func upperFirst(s string) string { return UpperFirst(s) }
