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
	// Fields are the family-defined fields (Family.Fields) by name, as trees (fields.go);
	// nil for a family without any.
	Fields map[string]any
}

// elementAttrTypes is the object type of one element of the resource's `assignments` set:
// every target attribute, for every family. Terraform drops an attribute a nested object's
// type lacks without a word, so the ones a family does not take are there too, and
// validation refuses them (refusedNestedAttributes).
func (f *Family) elementAttrTypes() map[string]attr.Type {
	m := map[string]attr.Type{attrTarget: types.StringType, attrGroupID: types.StringType, attrCollectionID: types.StringType,
		attrFilterID: types.StringType, attrFilterType: types.StringType}
	for i := range f.Fields {
		m[f.Fields[i].Name] = f.Fields[i].attrType()
	}
	return m
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
	for i := range f.Fields {
		m[f.Fields[i].Name] = f.Fields[i].attrType()
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
func (f *Family) elementFromObject(obj types.Object) element {
	a := obj.Attributes()
	return element{
		Target:       stringAttr(a, attrTarget),
		GroupID:      stringAttr(a, attrGroupID),
		CollectionID: stringAttr(a, attrCollectionID),
		FilterID:     stringAttr(a, attrFilterID),
		FilterType:   stringAttr(a, attrFilterType),
		Fields:       f.fieldsFromAttrs(a),
	}
}

// fieldsFromAttrs reads the family's fields from an object's attributes.
func (f *Family) fieldsFromAttrs(a map[string]attr.Value) map[string]any {
	if len(f.Fields) == 0 {
		return nil
	}
	m := make(map[string]any, len(f.Fields))
	for i := range f.Fields {
		m[f.Fields[i].Name] = f.Fields[i].toTree(a[f.Fields[i].Name])
	}
	return m
}

// fieldValues are e's fields as framework values.
func (f *Family) fieldValues(e element) map[string]attr.Value {
	m := make(map[string]attr.Value, len(f.Fields))
	for i := range f.Fields {
		m[f.Fields[i].Name] = f.Fields[i].fromTree(e.Fields[f.Fields[i].Name])
	}
	return m
}

func (f *Family) toObject(e element) (types.Object, diag.Diagnostics) {
	all := map[string]attr.Value{
		attrTarget: e.Target, attrGroupID: e.GroupID, attrCollectionID: e.CollectionID,
		attrFilterID: e.FilterID, attrFilterType: e.FilterType,
	}
	for k, v := range f.fieldValues(e) {
		all[k] = v
	}
	types_ := f.elementAttrTypes()
	vals := make(map[string]attr.Value, len(types_))
	for name := range types_ {
		vals[name] = all[name]
	}
	return types.ObjectValue(types_, vals)
}

// elementsFromSet reads the `assignments` set. The caller has checked it is known.
func (f *Family) elementsFromSet(ctx context.Context, set types.Set) ([]element, []types.Object, diag.Diagnostics) {
	var objs []types.Object
	diags := set.ElementsAs(ctx, &objs, false)
	out := make([]element, len(objs))
	for i, o := range objs {
		out[i] = f.elementFromObject(o)
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

// toGraph maps a validated element to its wire form. policyType is the policy's
// @odata.type where a field's Graph type follows it (Field.Variants), else "".
func (f *Family) toGraph(e element, policyType string) (graph.Assignment, error) {
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
	ms, err := f.fieldsToGraph(e, policyType)
	if err != nil {
		return graph.Assignment{}, err
	}
	return graph.Assignment{Target: t, Members: ms}, nil
}

// fromGraph maps a wire assignment to the element a user would have written for it. A
// target kind the provider does not model keeps its @odata.type as `target`, so a plan
// shows it (and its removal) instead of hiding it; ok is false only when the family has no
// `target` attribute to show it in.
func (f *Family) fromGraph(a graph.Assignment) (element, bool) {
	e := element{
		Target: types.StringNull(), GroupID: types.StringNull(), CollectionID: types.StringNull(),
		FilterID: types.StringNull(), FilterType: types.StringNull(),
		Fields: f.fieldsFromGraph(a.Raw, a.Members),
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

// key is an element's identity and content for comparison: GUIDs and collection ids
// compare without regard to case, and attributes Graph fills in (ids, a device family's
// intent, filter "none") play no part. Two elements with one key are the same assignment
// holding the same data (reconcile makes an answer that satisfies the plan take the plan's
// values, so data Graph fills in plays no part either).
func (f *Family) key(e element) string {
	return f.identity(e) + f.contentOf(e)
}

// identity is what names one assignment of a policy: its target, filter and identity
// fields (an app's intent). A change of data fields keeps it.
func (f *Family) identity(e element) string {
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
	}, "|") + f.identityOf(e)
}

// reconcile turns what Graph holds into state. Where an element of `prior` (the plan, or
// the previous state) is the same assignment (identity) and Graph holds every value it
// writes, it is kept as the user wrote it: upper-case GUIDs and values Graph fills in never
// show as a change. Where Graph holds other values, the state records Graph's for what prior
// writes, so the plan shows the drift there. An assignment no prior names is read as a user
// would write it, without what Graph fills in (Attr.Default). Fields Graph does not read back
// (Field.NotReadBack) take prior's value.
func (f *Family) reconcile(prior []element, remote []graph.Assignment) (elems []element, unsupported []graph.Assignment) {
	return f.reconcileWritten(prior, remote, prior)
}

// reconcileWritten is reconcile, with the values of fields Graph does not read back taken
// from written (what was last written: the state) rather than from prior.
func (f *Family) reconcileWritten(prior []element, remote []graph.Assignment, written []element) (elems []element, unsupported []graph.Assignment) {
	byID := make(map[string]element, len(prior))
	for _, p := range prior {
		byID[f.identity(p)] = p
	}
	writtenByID := make(map[string]element, len(written))
	for _, w := range written {
		writtenByID[f.identity(w)] = w
	}
	seen := map[string]bool{}
	for _, a := range remote {
		e, ok := f.fromGraph(a)
		if !ok {
			unsupported = append(unsupported, a)
			continue
		}
		id := f.identity(e)
		if seen[id] {
			continue
		}
		seen[id] = true
		p, havePrior := byID[id]
		w := writtenByID[id]
		switch {
		case len(f.Fields) == 0 && havePrior:
			e = p
		case havePrior && f.satisfies(p, e):
			e = p
			e.Fields = f.withNotReadBack(p.Fields, w.Fields)
		case havePrior:
			fields := make(map[string]any, len(f.Fields))
			for i := range f.Fields {
				fd := &f.Fields[i]
				switch {
				case fd.Identity:
					fields[fd.Name] = p.Fields[fd.Name]
				case p.Fields[fd.Name] == nil:
					fields[fd.Name] = nil
				default:
					fields[fd.Name] = fd.merged(p.Fields[fd.Name], e.Fields[fd.Name])
				}
			}
			e = element{Target: p.Target, GroupID: p.GroupID, CollectionID: p.CollectionID, FilterID: p.FilterID, FilterType: p.FilterType,
				Fields: f.withNotReadBack(fields, w.Fields)}
		default:
			for i := range f.Fields {
				if fd := &f.Fields[i]; !fd.Identity {
					e.Fields[fd.Name] = fd.withoutDefaults(e.Fields[fd.Name])
				}
			}
			e.Fields = f.withNotReadBack(e.Fields, w.Fields)
		}
		elems = append(elems, e)
	}
	return elems, unsupported
}

// satisfies: Graph's element e holds every data value p writes.
func (f *Family) satisfies(p, e element) bool {
	for i := range f.Fields {
		fd := &f.Fields[i]
		if fd.Identity || fd.NotReadBack {
			continue
		}
		if !fd.satisfied(p.Fields[fd.Name], e.Fields[fd.Name]) {
			return false
		}
	}
	return true
}

// withNotReadBack is fields with the values of fields Graph does not read back taken from
// written (nil: none known).
func (f *Family) withNotReadBack(fields, written map[string]any) map[string]any {
	if fields == nil {
		return nil
	}
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		out[k] = v
	}
	for i := range f.Fields {
		if fd := &f.Fields[i]; fd.NotReadBack {
			out[fd.Name] = written[fd.Name]
		}
	}
	return out
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
	for i := range f.Fields {
		fd := &f.Fields[i]
		if v := e.Fields[fd.Name]; v != nil {
			if fd.Kind == KindString {
				fmt.Fprintf(&b, " %s %s", fd.Name, v)
			} else {
				fmt.Fprintf(&b, " %s %s", fd.Name, fd.canon(v))
			}
		}
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
	for _, v := range e.Fields {
		if hasUnknown(v) {
			return true
		}
	}
	return false
}

// resourceType is the family's resource type name as users write it.
func (f *Family) resourceType() string { return "intune_" + f.authoritativeSuffix() }

func upperFirst(s string) string { return UpperFirst(s) }
