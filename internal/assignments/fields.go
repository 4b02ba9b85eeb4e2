package assignments

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Family-defined fields: what an assignment carries besides its target (graph-families.md
// G2). An app's `intent` is part of the assignment's identity; its `settings`, and a
// remediation's `run_schedule` and `run_remediation_script`, are data. A family declares
// them (Family.Fields) and the engine derives the schema, validation, the Graph mapping,
// comparison, import and docs from the declaration.
//
// Inside the engine a field's value is a tree of plain Go values: nil (null), unknownValue
// (known only after apply), string, bool, int64, []string, and map[string]any for an
// object (by attribute name, every attribute present, nil for null).

// ValueKind is the type of a field or of one of its attributes.
type ValueKind int

const (
	KindString     ValueKind = iota
	KindBool                 // JSON boolean
	KindInt                  // JSON integer (Int32 in Graph)
	KindObject               // JSON object; Attrs are its members
	KindStringList           // JSON array of strings
	KindTimeOfDay            // Edm.TimeOfDay: written HH:MM or HH:MM:SS; compared as a time of day
	KindDate                 // Edm.Date: YYYY-MM-DD
	KindDateTime             // Edm.DateTimeOffset: RFC 3339; compared as an instant
)

// Attr is a family-defined field, or one attribute of an object field.
type Attr struct {
	Name        string    // HCL attribute name, e.g. "restart_settings"
	Member      string    // Graph member name, e.g. "restartSettings"
	Kind        ValueKind // its type
	Attrs       []Attr    // KindObject: its attributes
	ODataType   string    // KindObject: the @odata.type written for it ("" none; see Variants)
	OneOf       []string  // KindString: the values Graph takes (exact spelling)
	Min, Max    int64     // KindInt: bounds, inclusive (Max 0: none)
	Description string    // for the docs

	// Default is the value Graph fills in when the attribute is not sent
	// (graph-families.md 22.3). Read without a prior value (import, an assignment made
	// elsewhere) an attribute holding it reads as null, so a configuration that leaves it
	// out plans clean; a value the user writes is kept as written.
	Default any
	// Only names what takes the attribute: for a field with Variants, the policy types
	// (an app's type, e.g. "win32LobApp"); inside an object with a Discriminator, its
	// values (e.g. "daily"). nil means all. Setting it for another fails the plan.
	Only []string
	// Required: an attribute of an object that must be set whenever the object is.
	Required bool
	// Discriminator makes a KindString attribute of an object choose the object's
	// @odata.type: HCL value => type (a run schedule's `type`).
	Discriminator map[string]string
}

// AssignmentField is a family-defined field of an assignment (Family.Fields).
type AssignmentField struct {
	Attr
	// Identity: the field is part of the assignment's identity (an app's intent): two
	// assignments of one target that differ in it are two assignments, and changing it
	// removes one and adds another. Otherwise the field is data: a change is an update
	// of the same assignment, and "Graph already holds it" means the target and this data.
	Identity bool
	Required bool
	// NotReadBack: Graph answers a fixed value whatever was written (graph-families.md 19:
	// runRemediationScript reads false). The value written is sent, kept in the state and
	// never shown as drift; an import cannot know it and leaves it null.
	NotReadBack bool
	// Variants chooses the @odata.type of an object field from the policy's own
	// @odata.type (an app's settings type follows the app's type): policy type (without
	// '#', as Graph spells it) => variant. A policy type not listed takes no value.
	Variants    map[string]Variant
	VariantNoun string // what the policy's type is called, e.g. "app type"
}

// Variant is one @odata.type an object field takes.
type Variant struct {
	Name      string // as Attr.Only names it, e.g. "win32Lob"
	ODataType string // e.g. "#microsoft.graph.win32LobAppAssignmentSettings"
}

// unknownValue marks a value known only after apply.
type unknownValue struct{}

// ---- attr.Value <-> tree ----

func (a *Attr) attrType() attr.Type {
	switch a.Kind {
	case KindBool:
		return types.BoolType
	case KindInt:
		return types.Int64Type
	case KindObject:
		return types.ObjectType{AttrTypes: a.objectAttrTypes()}
	case KindStringList:
		return types.ListType{ElemType: types.StringType}
	default:
		return types.StringType
	}
}

func (a *Attr) objectAttrTypes() map[string]attr.Type {
	m := make(map[string]attr.Type, len(a.Attrs))
	for i := range a.Attrs {
		m[a.Attrs[i].Name] = a.Attrs[i].attrType()
	}
	return m
}

// toTree reads a framework value.
func (a *Attr) toTree(v attr.Value) any {
	if v == nil || v.IsNull() {
		return nil
	}
	if v.IsUnknown() {
		return unknownValue{}
	}
	switch a.Kind {
	case KindBool:
		if b, ok := v.(types.Bool); ok {
			return b.ValueBool()
		}
	case KindInt:
		if n, ok := v.(types.Int64); ok {
			return n.ValueInt64()
		}
	case KindObject:
		if o, ok := v.(types.Object); ok {
			attrs := o.Attributes()
			m := make(map[string]any, len(a.Attrs))
			for i := range a.Attrs {
				m[a.Attrs[i].Name] = a.Attrs[i].toTree(attrs[a.Attrs[i].Name])
			}
			return m
		}
	case KindStringList:
		if l, ok := v.(types.List); ok {
			out := []string{}
			for _, e := range l.Elements() {
				if s, ok := e.(types.String); ok {
					if s.IsUnknown() {
						return unknownValue{}
					}
					out = append(out, s.ValueString())
				}
			}
			return out
		}
	default:
		if s, ok := v.(types.String); ok {
			return s.ValueString()
		}
	}
	return nil
}

// fromTree is the framework value of a tree.
func (a *Attr) fromTree(t any) attr.Value {
	if _, unknown := t.(unknownValue); unknown {
		switch a.Kind {
		case KindBool:
			return types.BoolUnknown()
		case KindInt:
			return types.Int64Unknown()
		case KindObject:
			return types.ObjectUnknown(a.objectAttrTypes())
		case KindStringList:
			return types.ListUnknown(types.StringType)
		default:
			return types.StringUnknown()
		}
	}
	switch a.Kind {
	case KindBool:
		if b, ok := t.(bool); ok {
			return types.BoolValue(b)
		}
		return types.BoolNull()
	case KindInt:
		if n, ok := t.(int64); ok {
			return types.Int64Value(n)
		}
		return types.Int64Null()
	case KindObject:
		m, ok := t.(map[string]any)
		if !ok {
			return types.ObjectNull(a.objectAttrTypes())
		}
		vals := make(map[string]attr.Value, len(a.Attrs))
		for i := range a.Attrs {
			vals[a.Attrs[i].Name] = a.Attrs[i].fromTree(m[a.Attrs[i].Name])
		}
		return types.ObjectValueMust(a.objectAttrTypes(), vals)
	case KindStringList:
		l, ok := t.([]string)
		if !ok {
			return types.ListNull(types.StringType)
		}
		vals := make([]attr.Value, len(l))
		for i, s := range l {
			vals[i] = types.StringValue(s)
		}
		return types.ListValueMust(types.StringType, vals)
	default:
		if s, ok := t.(string); ok {
			return types.StringValue(s)
		}
		return types.StringNull()
	}
}

func hasUnknown(t any) bool {
	switch v := t.(type) {
	case unknownValue:
		return true
	case map[string]any:
		for _, x := range v {
			if hasUnknown(x) {
				return true
			}
		}
	}
	return false
}

// ---- tree <-> Graph JSON ----

// toJSON is the Graph value of a known, non-null tree. variant is the object's variant
// (Field.Variants), "" for none; a discriminator attribute chooses its own.
func (a *Attr) toJSON(t any, odataType string) any {
	switch a.Kind {
	case KindObject:
		m, _ := t.(map[string]any)
		out := map[string]any{}
		if odataType == "" {
			odataType = a.ODataType
		}
		for i := range a.Attrs {
			sub := &a.Attrs[i]
			v := m[sub.Name]
			if v == nil {
				continue
			}
			if sub.Discriminator != nil {
				odataType = sub.Discriminator[v.(string)]
				continue
			}
			out[sub.Member] = sub.toJSON(v, "")
		}
		if odataType != "" {
			out["@odata.type"] = odataType
		}
		return out
	case KindTimeOfDay:
		if c, ok := canonTime(t.(string)); ok {
			return c
		}
	}
	return t
}

// fromJSON reads Graph's value; members the attribute does not model are ignored (an
// assignment Graph holds goes back with them, graph.Assignment.Raw).
func (a *Attr) fromJSON(j any) any {
	if j == nil {
		return nil
	}
	switch a.Kind {
	case KindBool:
		b, _ := j.(bool)
		if _, ok := j.(bool); !ok {
			return nil
		}
		return b
	case KindInt:
		if n, ok := j.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i
			}
		}
		if f, ok := j.(float64); ok && f == math.Trunc(f) {
			return int64(f)
		}
		return nil
	case KindObject:
		m, ok := j.(map[string]any)
		if !ok {
			return nil
		}
		out := make(map[string]any, len(a.Attrs))
		typ, _ := m["@odata.type"].(string)
		for i := range a.Attrs {
			sub := &a.Attrs[i]
			if sub.Discriminator != nil {
				out[sub.Name] = nil
				for v, t := range sub.Discriminator {
					if strings.EqualFold(strings.TrimPrefix(t, "#"), strings.TrimPrefix(typ, "#")) {
						out[sub.Name] = v
					}
				}
				continue
			}
			out[sub.Name] = sub.fromJSON(m[sub.Member])
		}
		return out
	case KindStringList:
		l, ok := j.([]any)
		if !ok {
			return nil
		}
		out := make([]string, 0, len(l))
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	default:
		s, ok := j.(string)
		if !ok {
			return nil
		}
		if c, ok := canonTime(s); ok && a.Kind == KindTimeOfDay {
			return c // Graph's 02:30:00.0000000 reads as a user writes it
		}
		return s
	}
}

// canonTime is a time of day as Graph's Edm.TimeOfDay, HH:MM:SS, from HH:MM, HH:MM:SS or
// HH:MM:SS.fffffff (a fraction is dropped: run schedules are in whole minutes).
func canonTime(s string) (string, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	if len(parts) == 3 {
		parts[2], _, _ = strings.Cut(parts[2], ".")
	} else {
		parts = append(parts, "00")
	}
	lim := []int{23, 59, 59}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || len(p) != 2 || n < 0 || n > lim[i] {
			return "", false
		}
	}
	return strings.Join(parts, ":"), true
}

// ---- comparison ----

// canon is a tree as text that two values meaning the same thing share (key and content
// comparison): IDs compare without case, times as times of day.
func (a *Attr) canon(t any) string {
	switch v := t.(type) {
	case nil:
		return "null"
	case unknownValue:
		return "?"
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case []string:
		return "[" + strings.Join(v, ",") + "]"
	case map[string]any:
		names := make([]string, 0, len(a.Attrs))
		for i := range a.Attrs {
			if v[a.Attrs[i].Name] != nil {
				names = append(names, a.Attrs[i].Name+"="+a.Attrs[i].canon(v[a.Attrs[i].Name]))
			}
		}
		sort.Strings(names)
		return "{" + strings.Join(names, ",") + "}"
	case string:
		switch a.Kind {
		case KindTimeOfDay:
			if c, ok := canonTime(v); ok {
				return c
			}
		case KindDateTime:
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return t.UTC().Format(time.RFC3339)
			}
		case KindString:
			if guidPattern.MatchString(v) {
				return strings.ToLower(v)
			}
		}
		return v
	}
	return fmt.Sprint(t)
}

// satisfied reports whether remote holds every value prior writes: an attribute prior
// leaves null is not managed, and whatever Graph holds there (its fill-ins) is accepted.
func (a *Attr) satisfied(prior, remote any) bool {
	if prior == nil {
		return true
	}
	pm, ok := prior.(map[string]any)
	if !ok || a.Kind != KindObject {
		return a.canon(prior) == a.canon(remote)
	}
	rm, ok := remote.(map[string]any)
	if !ok {
		return false
	}
	for i := range a.Attrs {
		sub := &a.Attrs[i]
		if !sub.satisfied(pm[sub.Name], rm[sub.Name]) {
			return false
		}
	}
	return true
}

// withoutDefaults is a tree read without a prior value, with what Graph fills in
// (Attr.Default) left out; an object left with nothing reads as null.
func (a *Attr) withoutDefaults(t any) any {
	if t == nil {
		return nil
	}
	if a.Default != nil && a.canon(t) == a.canon(a.Default) {
		return nil
	}
	m, ok := t.(map[string]any)
	if !ok || a.Kind != KindObject {
		return t
	}
	out := make(map[string]any, len(a.Attrs))
	empty := true
	for i := range a.Attrs {
		sub := &a.Attrs[i]
		v := m[sub.Name]
		if sub.Discriminator == nil {
			v = sub.withoutDefaults(v)
		}
		out[sub.Name] = v
		empty = empty && (v == nil || sub.Discriminator != nil)
	}
	if empty {
		return nil
	}
	return out
}

// merged is remote with prior's values written over it: what the state records for an
// assignment whose written values Graph no longer holds (drift shows on those only).
func (a *Attr) merged(prior, remote any) any {
	pm, ok := prior.(map[string]any)
	rm, ok2 := remote.(map[string]any)
	if !ok || !ok2 || a.Kind != KindObject {
		return remote
	}
	out := make(map[string]any, len(a.Attrs))
	for i := range a.Attrs {
		sub := &a.Attrs[i]
		if pm[sub.Name] == nil {
			out[sub.Name] = nil // not managed: left out, as the user wrote it
			continue
		}
		out[sub.Name] = sub.merged(pm[sub.Name], rm[sub.Name])
	}
	return out
}

// ---- the family's fields ----

func (f *Family) field(name string) *AssignmentField {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// identityOf is the text of e's identity fields, for the key.
func (f *Family) identityOf(e element) string {
	var b strings.Builder
	for i := range f.Fields {
		if fd := &f.Fields[i]; fd.Identity {
			b.WriteString("|" + fd.Name + "=" + fd.canon(e.Fields[fd.Name]))
		}
	}
	return b.String()
}

// contentOf is the text of e's data fields, for comparing content.
func (f *Family) contentOf(e element) string {
	var b strings.Builder
	for i := range f.Fields {
		if fd := &f.Fields[i]; !fd.Identity && e.Fields[fd.Name] != nil {
			b.WriteString("|" + fd.Name + "=" + fd.canon(e.Fields[fd.Name]))
		}
	}
	return b.String()
}

// fieldsFromGraph reads the fields of an assignment: Graph's item (raw, graph.Assignment.Raw)
// with the members the provider writes over it (graph.Assignment.Members), objects merged
// member by member as the write merges them.
func (f *Family) fieldsFromGraph(raw, members string) map[string]any {
	if len(f.Fields) == 0 {
		return nil
	}
	out := make(map[string]any, len(f.Fields))
	m := mergeJSON(decodeObject(raw), decodeObject(members))
	for i := range f.Fields {
		fd := &f.Fields[i]
		if fd.NotReadBack {
			out[fd.Name] = nil
			continue
		}
		out[fd.Name] = fd.fromJSON(m[fd.Member])
	}
	return out
}

func decodeObject(s string) map[string]any {
	var m map[string]any
	if s != "" {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		_ = dec.Decode(&m)
	}
	return m
}

// mergeJSON is over written onto base, objects merged member by member.
func mergeJSON(base, over map[string]any) map[string]any {
	if base == nil {
		return over
	}
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		bm, ok1 := out[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = mergeJSON(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

// fieldsToGraph are the members e's known, non-null fields are written as, in the
// order declared; policyType chooses variants (Field.Variants).
func (f *Family) fieldsToGraph(e element, policyType string) (string, error) {
	return f.fieldsToGraphOver(e, element{}, policyType)
}

// fieldsToGraphOver is fieldsToGraph for an assignment Graph holds whose last written
// values (the state's element, was) may set what e no longer does: each of those is written
// as null, so Graph clears it (and applies its default) rather than keep it. A value left
// out that was never written stays Graph's (not managed).
func (f *Family) fieldsToGraphOver(e, was element, policyType string) (string, error) {
	var out []string
	for i := range f.Fields {
		fd := &f.Fields[i]
		v := e.Fields[fd.Name]
		if v == nil {
			if was.Fields[fd.Name] != nil && !fd.Identity {
				out = append(out, fd.Member, "null")
			}
			continue
		}
		if hasUnknown(v) {
			return "", fmt.Errorf("%s is not known", fd.Name)
		}
		odataType := ""
		if fd.Variants != nil {
			vr, ok := fd.variant(policyType)
			if !ok {
				return "", fmt.Errorf("%s: a %s of type %s takes none", fd.Name, fd.VariantNoun, policyType)
			}
			odataType = vr.ODataType
		}
		j := fd.toJSON(v, odataType)
		if m, ok := j.(map[string]any); ok {
			clearDropped(&fd.Attr, m, v, was.Fields[fd.Name])
		}
		raw, err := json.Marshal(j)
		if err != nil {
			return "", err
		}
		out = append(out, fd.Member, string(raw))
	}
	return graph.MembersObject(out...), nil
}

// clearDropped adds to j (the Graph object of value v) a null for each attribute that the
// last written value was set and v leaves out, at any depth. An object whose kind changed (a
// run schedule from daily to hourly) replaces Graph's whole object, so it needs none.
func clearDropped(a *Attr, j map[string]any, v, was any) {
	wm, ok := was.(map[string]any)
	vm, _ := v.(map[string]any)
	if !ok {
		return
	}
	for i := range a.Attrs {
		if d := &a.Attrs[i]; d.Discriminator != nil && vm[d.Name] != wm[d.Name] {
			return
		}
	}
	for i := range a.Attrs {
		sub := &a.Attrs[i]
		if sub.Discriminator != nil || wm[sub.Name] == nil {
			continue
		}
		cur, present := j[sub.Member]
		switch {
		case !present:
			j[sub.Member] = nil
		case sub.Kind == KindObject:
			if cm, ok := cur.(map[string]any); ok {
				clearDropped(sub, cm, vm[sub.Name], wm[sub.Name])
			}
		}
	}
}

// variant is the field's variant for a policy type (with or without '#').
func (fd *AssignmentField) variant(policyType string) (Variant, bool) {
	v, ok := fd.Variants[strings.TrimPrefix(policyType, "#")]
	if !ok {
		for k, x := range fd.Variants {
			if strings.EqualFold(k, strings.TrimPrefix(policyType, "#")) {
				return x, true
			}
		}
	}
	return v, ok
}

// needsPolicyType: writing e needs the policy's @odata.type (a variant field is set).
func (f *Family) needsPolicyType(elems []element) bool {
	for i := range f.Fields {
		if f.Fields[i].Variants == nil {
			continue
		}
		for _, e := range elems {
			if e.Fields[f.Fields[i].Name] != nil {
				return true
			}
		}
	}
	return false
}

// ---- schema ----

var (
	datePattern     = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
	dateTimePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
	timePattern     = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,7})?)?$`)
)

// description is the attribute's docs, with its values, bounds and variants.
func (a *Attr) description() string {
	d := a.Description
	if len(a.OneOf) > 0 {
		d += " One of " + quoted(a.OneOf) + "."
	}
	if a.Discriminator != nil {
		keys := make([]string, 0, len(a.Discriminator))
		for k := range a.Discriminator {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d += " One of " + quoted(keys) + "."
	}
	if a.Kind == KindInt && a.Max > 0 {
		d += fmt.Sprintf(" From %d to %d.", a.Min, a.Max)
	}
	if a.Only != nil {
		d += " Only for " + strings.Join(a.Only, ", ") + "."
	}
	return strings.TrimSpace(d)
}

// resourceAttribute is the attribute in a resource's schema; required only at the top.
func (a *Attr) resourceAttribute(required bool) schema.Attribute {
	desc := a.description()
	switch a.Kind {
	case KindBool:
		return schema.BoolAttribute{Required: required, Optional: !required, MarkdownDescription: desc}
	case KindInt:
		var vs []validator.Int64
		if a.Max > 0 {
			vs = append(vs, int64validator.Between(a.Min, a.Max))
		}
		return schema.Int64Attribute{Required: required, Optional: !required, MarkdownDescription: desc, Validators: vs}
	case KindObject:
		attrs := make(map[string]schema.Attribute, len(a.Attrs))
		for i := range a.Attrs {
			attrs[a.Attrs[i].Name] = a.Attrs[i].resourceAttribute(a.Attrs[i].Discriminator != nil || a.Attrs[i].Required)
		}
		return schema.SingleNestedAttribute{Required: required, Optional: !required, MarkdownDescription: desc, Attributes: attrs}
	case KindStringList:
		return schema.ListAttribute{ElementType: types.StringType, Required: required, Optional: !required, MarkdownDescription: desc}
	default:
		var vs []validator.String
		switch {
		case len(a.OneOf) > 0:
			vs = append(vs, stringvalidator.OneOf(a.OneOf...))
		case a.Discriminator != nil:
			keys := make([]string, 0, len(a.Discriminator))
			for k := range a.Discriminator {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			vs = append(vs, stringvalidator.OneOf(keys...))
		case a.Kind == KindTimeOfDay:
			vs = append(vs, stringvalidator.RegexMatches(timePattern, "must be a time of day, HH:MM or HH:MM:SS (24-hour clock), such as 02:30"))
		case a.Kind == KindDate:
			vs = append(vs, stringvalidator.RegexMatches(datePattern, "must be a date, YYYY-MM-DD, such as 2027-01-31"))
		case a.Kind == KindDateTime:
			vs = append(vs, stringvalidator.RegexMatches(dateTimePattern, "must be a date and time with its offset (RFC 3339), such as 2027-01-31T18:00:00Z"))
		}
		return schema.StringAttribute{Required: required, Optional: !required, MarkdownDescription: desc, Validators: vs}
	}
}

// dataSourceAttribute is the attribute as a data source lists it.
func (a *Attr) dataSourceAttribute() dschema.Attribute {
	desc := a.description()
	switch a.Kind {
	case KindBool:
		return dschema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	case KindInt:
		return dschema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	case KindObject:
		attrs := make(map[string]dschema.Attribute, len(a.Attrs))
		for i := range a.Attrs {
			attrs[a.Attrs[i].Name] = a.Attrs[i].dataSourceAttribute()
		}
		return dschema.SingleNestedAttribute{Computed: true, MarkdownDescription: desc, Attributes: attrs}
	case KindStringList:
		return dschema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
	default:
		return dschema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
}

// fieldAttributes are the family's fields in a resource's schema.
func (f *Family) fieldAttributes() map[string]schema.Attribute {
	m := make(map[string]schema.Attribute, len(f.Fields))
	for i := range f.Fields {
		fd := &f.Fields[i]
		a := fd.Attr
		if fd.NotReadBack {
			a.Description += " Graph reads this back as `false` whatever was written, so the value written is what the provider sends and keeps; it never shows as drift, and an import leaves it null."
		}
		if !fd.Identity && !fd.NotReadBack && fd.Kind == KindObject {
			a.Description += " Values never written are not managed: whatever Graph holds for them (its defaults) is kept and never shows as a change. A value written and then left out is cleared (sent as null), and the plan shows it going."
		}
		m[fd.Name] = a.resourceAttribute(fd.Required)
	}
	return m
}
