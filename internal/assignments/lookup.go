package assignments

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Lookup describes a collection users find things in by name: the policies of a family
// (derived from the Family, see Family.Lookup) or assignment filters. It yields two data
// sources: one entity by `display_name` or `id`, and every entity, optionally narrowed.
type Lookup struct {
	TypeSuffix   string // single data source, e.g. "device_configuration"
	PluralSuffix string // plural data source, e.g. "device_configurations"
	ListAttr     string // the plural data source's result attribute, e.g. "policies"
	Noun         string // e.g. "device configuration"
	Collection   graph.Collection
	// ODataType: entities have derived types worth showing and narrowing by (policies).
	ODataType bool
	// Extra are further computed attributes read from Graph properties.
	Extra []LookupAttr
	// Narrow are further plural arguments that match an Extra attribute exactly (case-insensitive).
	Narrow []string
	// Permission is what the app needs to read the collection, for the docs.
	Permission string
}

// LookupAttr maps a Graph property to a computed attribute.
type LookupAttr struct {
	Name, Property, Description string
}

// Lookup is the family's policies as a lookup: `intune_<noun>` and `intune_<noun>s`.
func (f *Family) Lookup() *Lookup {
	single := f.Stem
	l := &Lookup{
		TypeSuffix: single, PluralSuffix: pluralOf(single), ListAttr: "policies", Noun: f.PolicyNoun,
		Collection: graph.Collection{Path: f.Graph.CollectionPath, NameProperty: f.NameProperty},
		ODataType:  !f.NoODataType, Extra: f.LookupExtra,
		Permission: f.permission(),
	}
	for _, e := range f.LookupExtra {
		l.Collection.Props = append(l.Collection.Props, e.Property)
	}
	return l
}

// pluralOf is the English plural of a type stem: policy -> policies. A stem that is
// already plural (terms_and_conditions) takes "_list", so the two lookups differ.
func pluralOf(stem string) string {
	if strings.HasSuffix(stem, "s") {
		return stem + "_list"
	}
	if strings.HasSuffix(stem, "y") {
		return strings.TrimSuffix(stem, "y") + "ies"
	}
	return stem + "s"
}

// NewLookupDataSource and NewLookupListDataSource return the two data source factories.
func NewLookupDataSource(l *Lookup) func() datasource.DataSource {
	return func() datasource.DataSource { return &lookupDataSource{l: l} }
}

func NewLookupListDataSource(l *Lookup) func() datasource.DataSource {
	return func() datasource.DataSource { return &lookupDataSource{l: l, plural: true} }
}

type lookupDataSource struct {
	l      *Lookup
	plural bool
	data   *ProviderData
}

var (
	_ datasource.DataSourceWithConfigure        = &lookupDataSource{}
	_ datasource.DataSourceWithConfigValidators = &lookupDataSource{}
)

func (d *lookupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + map[bool]string{false: d.l.TypeSuffix, true: d.l.PluralSuffix}[d.plural]
}

func (d *lookupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *lookupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	if d.plural {
		return nil
	}
	roots := []path.Expression{path.MatchRoot("id"), path.MatchRoot("display_name")}
	if d.l.nameAlias() {
		roots = append(roots, path.MatchRoot("name"))
	}
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(roots...)}
}

// nameAlias: the entities' name is Graph's `name` (settings catalog), so the lookups also
// take and return `name`, the same value as display_name.
func (l *Lookup) nameAlias() bool { return l.Collection.NameProperty == "name" }

// entityAttrs are the computed attributes of one entity.
func (l *Lookup) entityAttrs() map[string]dschema.Attribute {
	attrs := map[string]dschema.Attribute{
		"id":            dschema.StringAttribute{Computed: true, MarkdownDescription: "The " + l.Noun + "'s ID."},
		"display_name":  dschema.StringAttribute{Computed: true, MarkdownDescription: "Its name as the Intune portal shows it."},
		"last_modified": dschema.StringAttribute{Computed: true, MarkdownDescription: "When it was last changed (RFC 3339, as Graph reports `lastModifiedDateTime`)."},
	}
	if l.ODataType {
		attrs["odata_type"] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Its Graph type without the `#microsoft.graph.` prefix, e.g. `windowsDefenderAdvancedThreatProtectionConfiguration`."}
	}
	for _, e := range l.Extra {
		attrs[e.Name] = dschema.StringAttribute{Computed: true, MarkdownDescription: e.Description}
	}
	if l.nameAlias() {
		attrs["display_name"] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Its name as the Intune portal shows it (Graph's `name`)."}
		attrs["name"] = dschema.StringAttribute{Computed: true, MarkdownDescription: "The same as `display_name`: Graph calls it `name`."}
	}
	return attrs
}

func (l *Lookup) entityAttrTypes() map[string]attr.Type {
	out := map[string]attr.Type{}
	for name := range l.entityAttrs() {
		out[name] = types.StringType
	}
	return out
}

func (d *lookupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	l := d.l
	permission := " The app needs `" + l.Permission + "` (or the ReadWrite permission)."
	if !d.plural {
		attrs := l.entityAttrs()
		attrs["id"] = dschema.StringAttribute{Optional: true, Computed: true,
			MarkdownDescription: "The " + l.Noun + "'s ID. Give `id` or `display_name`, not both.", Validators: []validator.String{guidValidator()}}
		attrs["display_name"] = dschema.StringAttribute{Optional: true, Computed: true,
			MarkdownDescription: "The " + l.Noun + "'s name, matched exactly but without regard to case. Exactly one " + l.Noun +
				" must have it: none, or several, is an error that lists what was found."}
		if l.nameAlias() {
			attrs["name"] = dschema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Another way to write `display_name`: Graph calls this policy's name `name`. Give one of `id`, `display_name` or `name`."}
		}
		resp.Schema = dschema.Schema{
			MarkdownDescription: "Finds one Intune " + l.Noun + " by name or ID (`GET " + l.Collection.Path + "`, every page)." + permission,
			Attributes:          attrs,
			Blocks:              map[string]dschema.Block{"timeouts": timeouts.Block(context.Background())},
		}
		return
	}
	attrs := map[string]dschema.Attribute{
		"display_name_prefix": dschema.StringAttribute{Optional: true,
			MarkdownDescription: "Only " + PluralNoun(l.Noun) + " whose name starts with this, without regard to case."},
		l.ListAttr: dschema.SetNestedAttribute{Computed: true,
			MarkdownDescription: "Every matching " + l.Noun + ".", NestedObject: dschema.NestedAttributeObject{Attributes: l.entityAttrs()}},
		"ids": dschema.ListAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "The IDs of `" + l.ListAttr + "`, sorted by name then ID: handy for `for_each` and import blocks."},
	}
	if l.ODataType {
		attrs["odata_type"] = dschema.StringAttribute{Optional: true,
			MarkdownDescription: "Only " + PluralNoun(l.Noun) + " of this Graph type, with or without the `#microsoft.graph.` prefix, without regard to case."}
	}
	for _, n := range l.Narrow {
		attrs[n] = dschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + PluralNoun(l.Noun) + " whose `" + n + "` is this, without regard to case."}
	}
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Lists Intune " + PluralNoun(l.Noun) + " (`GET " + l.Collection.Path + "`, every page), optionally narrowed." + permission,
		Attributes:          attrs,
		Blocks:              map[string]dschema.Block{"timeouts": timeouts.Block(context.Background())},
	}
}

func (l *Lookup) object(it graph.Item) (types.Object, error) {
	vals := map[string]attr.Value{
		"id": types.StringValue(it.ID), "display_name": types.StringValue(it.DisplayName), "last_modified": nullIfEmpty(it.LastModified),
	}
	if l.nameAlias() {
		vals["name"] = types.StringValue(it.DisplayName)
	}
	if l.ODataType {
		vals["odata_type"] = nullIfEmpty(it.ODataType)
	}
	for _, e := range l.Extra {
		vals[e.Name] = nullIfEmpty(it.Props[e.Property])
	}
	o, diags := types.ObjectValue(l.entityAttrTypes(), vals)
	if diags.HasError() {
		return o, fmt.Errorf("%s", diags)
	}
	return o, nil
}

// describe is one line naming an entity for a diagnostic.
func (l *Lookup) describe(it graph.Item) string {
	s := fmt.Sprintf("%s  %q", it.ID, it.DisplayName)
	if l.ODataType && it.ODataType != "" {
		s += "  (" + it.ODataType + ")"
	}
	return s
}

func (d *lookupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	l := d.l
	var to timeouts.Value
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("timeouts"), &to)...)
	summary := "Reading " + PluralNoun(l.Noun) + ""
	client := d.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	timeout, diags := to.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(summary string, err error) {
		detail := err.Error()
		var detailed interface{ Details() string }
		if errors.As(err, &detailed) {
			detail = detailed.Details()
		}
		resp.Diagnostics.AddError(summary, detail+"\n\nNothing was changed: a data source only reads.")
	}

	if !d.plural {
		var id, name types.String
		nameAttr := "display_name"
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("display_name"), &name)...)
		if l.nameAlias() && name.IsNull() {
			resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
			nameAttr = "name"
		}
		if resp.Diagnostics.HasError() {
			return
		}
		var found graph.Item
		if !id.IsNull() {
			summary = fmt.Sprintf("Reading %s %s", l.Noun, id.ValueString())
			it, err := client.GetItem(ctx, l.Collection, id.ValueString())
			if graph.IsNotFound(err) {
				resp.Diagnostics.AddAttributeError(path.Root("id"), fmt.Sprintf("No %s with ID %s", l.Noun, id.ValueString()),
					fmt.Sprintf("Graph has no %s with this ID in the tenant (GET %s/%s answered 404). Check the ID, or look the %s up by display_name. Nothing was changed: a data source only reads.",
						l.Noun, l.Collection.Path, id.ValueString(), l.Noun))
				return
			}
			if err != nil {
				fail(summary, err)
				return
			}
			found = it
		} else {
			want := name.ValueString()
			summary = fmt.Sprintf("Finding the %s named %q", l.Noun, want)
			items, err := client.ListItems(ctx, l.Collection)
			if err != nil {
				fail(summary, err)
				return
			}
			var matches, near []graph.Item
			for _, it := range items {
				switch {
				case strings.EqualFold(it.DisplayName, want):
					matches = append(matches, it)
				case strings.Contains(strings.ToLower(it.DisplayName), strings.ToLower(want)):
					near = append(near, it)
				}
			}
			switch len(matches) {
			case 1:
				found = matches[0]
			case 0:
				detail := fmt.Sprintf("None of the %d %s in the tenant is named %q (names compare without regard to case).", len(items), PluralNoun(l.Noun), want)
				if len(near) > 0 {
					detail += " These names contain it:\n  " + strings.Join(l.describeAll(near, 20), "\n  ")
				}
				resp.Diagnostics.AddAttributeError(path.Root(nameAttr), fmt.Sprintf("No %s named %q", l.Noun, want),
					detail+"\n\nCheck the spelling (the portal shows the name), or use id. Nothing was changed: a data source only reads.")
				return
			default:
				resp.Diagnostics.AddAttributeError(path.Root(nameAttr), fmt.Sprintf("%d %s are named %q", len(matches), PluralNoun(l.Noun), want),
					fmt.Sprintf("Intune allows several %s with one name, and this data source does not pick one. They are:\n  %s\n\n"+
						"Use id with the one you mean, or rename the others in Intune. Nothing was changed: a data source only reads.",
						PluralNoun(l.Noun), strings.Join(l.describeAll(matches, 50), "\n  ")))
				return
			}
		}
		o, err := l.object(found)
		if err != nil {
			resp.Diagnostics.AddError(summary, err.Error())
			return
		}
		for name, v := range o.Attributes() {
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
		}
		return
	}

	var prefix, typ types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("display_name_prefix"), &prefix)...)
	if l.ODataType {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("odata_type"), &typ)...)
	}
	narrow := map[string]types.String{}
	for _, n := range l.Narrow {
		var v types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(n), &v)...)
		narrow[n] = v
	}
	if resp.Diagnostics.HasError() {
		return
	}
	items, err := client.ListItems(ctx, l.Collection)
	if err != nil {
		fail(summary, err)
		return
	}
	wantType := strings.TrimPrefix(strings.TrimPrefix(typ.ValueString(), "#"), "microsoft.graph.")
	var kept []graph.Item
	for _, it := range items {
		if !prefix.IsNull() && !strings.HasPrefix(strings.ToLower(it.DisplayName), strings.ToLower(prefix.ValueString())) {
			continue
		}
		if !typ.IsNull() && !strings.EqualFold(it.ODataType, wantType) {
			continue
		}
		ok := true
		for _, e := range l.Extra {
			if v, set := narrow[e.Name]; set && !v.IsNull() && !strings.EqualFold(it.Props[e.Property], v.ValueString()) {
				ok = false
			}
		}
		if ok {
			kept = append(kept, it)
		}
	}
	sortItems(kept)
	objType := types.ObjectType{AttrTypes: l.entityAttrTypes()}
	objs := make([]attr.Value, 0, len(kept))
	ids := make([]attr.Value, 0, len(kept))
	for _, it := range kept {
		o, err := l.object(it)
		if err != nil {
			resp.Diagnostics.AddError(summary, err.Error())
			return
		}
		objs = append(objs, o)
		ids = append(ids, types.StringValue(it.ID))
	}
	set, diags := types.SetValue(objType, objs)
	resp.Diagnostics.Append(diags...)
	idList, diags := types.ListValue(types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(l.ListAttr), set)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ids"), idList)...)
}

func (l *Lookup) describeAll(items []graph.Item, max int) []string {
	sortItems(items)
	out := make([]string, 0, len(items))
	for i, it := range items {
		if i == max {
			out = append(out, fmt.Sprintf("... and %d more", len(items)-max))
			break
		}
		out = append(out, l.describe(it))
	}
	return out
}

func sortItems(items []graph.Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := strings.ToLower(items[i].DisplayName), strings.ToLower(items[j].DisplayName)
		if a != b {
			return a < b
		}
		return items[i].ID < items[j].ID
	})
}
