package assignments

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// collectionPattern accepts what Graph accepts as a collectionId: any text that is not
// blank. Collection IDs are usually a site code and five hexadecimal digits
// (MEM00012), but built-in ones are not (SMSDM003, "All Desktop and Server Clients"),
// and Graph documents no format (internal/graph/NOTES.md#targets), so only a blank
// value is refused.
var collectionPattern = regexp.MustCompile(`\S`)

func guidValidator() validator.String {
	return stringvalidator.RegexMatches(guidPattern, "must be a GUID such as 11111111-2222-3333-4444-555555555555")
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

func (f *Family) targetDescription() string {
	var b strings.Builder
	b.WriteString("What the assignment targets. One of:\n")
	for _, k := range f.Targets {
		fmt.Fprintf(&b, "  - `%s`: %s\n", k.Name, k.Description)
	}
	return b.String()
}

// targetAttributes are the attributes of one assignment's target, shared by the
// authoritative resource's set elements and the single-assignment resource.
func (f *Family) targetAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{}
	if f.hasTargetAttribute() {
		attrs[attrTarget] = schema.StringAttribute{
			Required:            true,
			MarkdownDescription: f.targetDescription(),
			Validators:          []validator.String{stringvalidator.OneOf(f.targetNames()...)},
		}
	}
	if f.uses(FieldGroupID) {
		desc := "Object ID of the Entra ID group."
		if f.hasTargetAttribute() {
			desc += " Required for " + quoted(f.kindsNeeding(FieldGroupID)) + "; not allowed otherwise."
		}
		attrs[attrGroupID] = schema.StringAttribute{
			Required:            !f.hasTargetAttribute(),
			Optional:            f.hasTargetAttribute(),
			MarkdownDescription: desc,
			Validators:          []validator.String{guidValidator()},
		}
	}
	if f.uses(FieldCollectionID) {
		attrs[attrCollectionID] = schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Configuration Manager collection ID, such as `MEM00012` or the built-in `SMSDM003` " +
				"(All Desktop and Server Clients). Required for " + quoted(f.kindsNeeding(FieldCollectionID)) + "; not allowed otherwise.",
			Validators: []validator.String{stringvalidator.RegexMatches(collectionPattern,
				"must be a Configuration Manager collection ID, such as MEM00012 or SMSDM003 (not empty or blank)")},
		}
	}
	if f.Filters {
		attrs[attrFilterID] = schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "ID of an Intune assignment filter that narrows the assignment. Requires `filter_type`. " +
				"Not allowed on " + quoted(f.kindsNotFilterable()) + ".",
			Validators: []validator.String{guidValidator()},
		}
		attrs[attrFilterType] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "How `filter_id` applies: `include` (only matching devices) or `exclude` (all but matching devices). Requires `filter_id`; leave both out for no filter.",
			Validators:          []validator.String{stringvalidator.OneOf("include", "exclude")},
		}
	}
	return attrs
}

// nestedAttributes are targetAttributes plus, for the authoritative resource's set
// elements, the target attributes the family does not take: Terraform would drop them
// silently from a nested object (an HCL object converts to the element type by leaving
// out what the type lacks), so they are in the schema, and setting one fails the plan.
// `target` on a family with one kind is optional and takes that kind only.
func (f *Family) nestedAttributes() map[string]schema.Attribute {
	attrs := f.targetAttributes()
	nouns := PluralNoun(f.PolicyNoun)
	if _, ok := attrs[attrTarget]; !ok {
		attrs[attrTarget] = schema.StringAttribute{Optional: true,
			MarkdownDescription: "Optional: " + nouns + " take one kind of target, `" + f.Targets[0].Name + "`: " + f.Targets[0].Description,
			Validators:          []validator.String{stringvalidator.OneOf(f.Targets[0].Name)}}
	}
	if _, ok := attrs[attrCollectionID]; !ok {
		attrs[attrCollectionID] = schema.StringAttribute{Optional: true,
			MarkdownDescription: "Not taken: " + nouns + " have no Configuration Manager collection targets. Setting it fails the plan."}
	}
	if _, ok := attrs[attrFilterID]; !ok {
		for _, n := range []string{attrFilterID, attrFilterType} {
			attrs[n] = schema.StringAttribute{Optional: true,
				MarkdownDescription: "Not taken: Intune applies no assignment filters to " + nouns + ". Setting it fails the plan."}
		}
	}
	for name, a := range f.fieldAttributes() {
		attrs[name] = a
	}
	return attrs
}

func (f *Family) resourceSchema() schema.Schema {
	attrs := f.nestedAttributes()
	return schema.Schema{
		MarkdownDescription: f.resourceDescription(),
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The " + f.PolicyNoun + " ID, as `" + f.PolicyIDAttribute + "` was first written (a later change of letter case keeps it).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			f.PolicyIDAttribute: schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ID of the " + f.PolicyNoun + " whose direct assignments this resource manages. Changing it to another " +
					"policy forces a new resource; a change of letter case only is an in-place update that sends nothing to Graph.",
				Validators:    []validator.String{guidValidator()},
				PlanModifiers: []planmodifier.String{requiresReplaceUnlessCaseOnly()},
			},
			"assignments": schema.SetNestedAttribute{
				Required:   true,
				CustomType: setType{SetType: basetypes.SetType{ElemType: schema.NestedAttributeObject{Attributes: attrs}.Type()}},
				MarkdownDescription: "The complete set of direct assignments of the policy. Assignments not listed here are removed " +
					"on apply; an empty set removes them all." + f.sourcesNote(),
				NestedObject: schema.NestedAttributeObject{Attributes: attrs},
			},
		},
	}
}

func (f *Family) sourcesNote() string {
	if !f.sources() {
		return ""
	}
	return " Assignments the policy gets from policy sets are not managed here and never show as drift."
}

func (f *Family) dataSourceSchema() dschema.Schema {
	attrs := map[string]dschema.Attribute{
		attrID: dschema.StringAttribute{Computed: true, MarkdownDescription: "Assignment ID, as Graph reports it (opaque)."},
	}
	if f.hasTargetAttribute() {
		attrs[attrTarget] = dschema.StringAttribute{Computed: true, MarkdownDescription: f.targetDescription() +
			"A target kind this provider does not know shows as its Graph `@odata.type`."}
	}
	if f.uses(FieldGroupID) {
		attrs[attrGroupID] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Object ID of the targeted Entra ID group."}
	}
	if f.uses(FieldCollectionID) {
		attrs[attrCollectionID] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Targeted Configuration Manager collection ID."}
	}
	if f.Filters {
		attrs[attrFilterID] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Assignment filter ID, or null."}
		attrs[attrFilterType] = dschema.StringAttribute{Computed: true, MarkdownDescription: "`include`, `exclude`, or null for no filter."}
	}
	for i := range f.Fields {
		a := f.Fields[i].Attr
		if f.Fields[i].NotReadBack {
			a.Description += " Always null here: Graph reads it back as `false` whatever was written, so a read cannot tell."
		}
		attrs[f.Fields[i].Name] = a.dataSourceAttribute()
	}
	if f.sources() {
		attrs[attrSource] = dschema.StringAttribute{Computed: true, MarkdownDescription: "`direct`, or `policySets` for an assignment inherited from a policy set."}
		attrs[attrSourceID] = dschema.StringAttribute{Computed: true, MarkdownDescription: "ID of the policy (direct) or policy set the assignment comes from."}
	}
	return dschema.Schema{
		MarkdownDescription: f.dataSourceDescription(),
		Blocks: map[string]dschema.Block{
			"timeouts": dstimeouts.Block(context.Background()),
		},
		Attributes: map[string]dschema.Attribute{
			"id": dschema.StringAttribute{Computed: true, MarkdownDescription: "The " + f.PolicyNoun + " ID."},
			f.PolicyIDAttribute: dschema.StringAttribute{
				Required:            true,
				MarkdownDescription: "ID of the " + f.PolicyNoun + ".",
				Validators:          []validator.String{guidValidator()},
			},
			"assignments": dschema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every assignment of the policy, sorted by ID" + map[bool]string{true: ", including those inherited from policy sets.", false: "."}[f.sources()],
				NestedObject:        dschema.NestedAttributeObject{Attributes: attrs},
			},
		},
	}
}

func (f *Family) kindsNeeding(field Field) []string {
	var out []string
	for _, k := range f.Targets {
		if k.Needs == field {
			out = append(out, k.Name)
		}
	}
	return out
}

func (f *Family) kindsNotFilterable() []string {
	var out []string
	for _, k := range f.Targets {
		if !k.Filterable {
			out = append(out, k.Name)
		}
	}
	return out
}
