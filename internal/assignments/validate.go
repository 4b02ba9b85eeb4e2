package assignments

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validate checks the rules that span attributes of one assignment, or several
// assignments, at plan time. Per-attribute rules (GUID format, allowed values) are schema
// validators. Unknown values are skipped: they are checked again once known.
func (f *Family) validate(ctx context.Context, set types.Set, root path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if set.IsNull() || set.IsUnknown() {
		return diags
	}
	elems, objs, d := f.elementsFromSet(ctx, set)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}

	type seenTarget struct {
		excludes bool
		where    path.Path
	}
	seen := map[string]seenTarget{}

	for i, e := range elems {
		at := root.AtSetValue(objs[i])
		if !f.validateElement(e, at, &diags) {
			continue
		}
		kind, _ := f.kindByName(e.Target.ValueString())

		// Graph gives each target one assignment id
		// (internal/graph/NOTES.md#assignment-ids), so a target may appear once: the same
		// group included twice, or included and excluded, collides.
		identity := kind.Name
		switch kind.Needs {
		case FieldGroupID:
			if e.GroupID.IsUnknown() || e.GroupID.IsNull() {
				continue
			}
			identity = "group " + strings.ToLower(e.GroupID.ValueString())
		case FieldCollectionID:
			if e.CollectionID.IsUnknown() || e.CollectionID.IsNull() {
				continue
			}
			identity = "collection " + strings.ToLower(e.CollectionID.ValueString())
		}
		// Identity fields (an app's intent) make one target's assignments distinct.
		identity += f.identityOf(e)
		if prev, dup := seen[identity]; dup {
			switch {
			case prev.excludes != kind.Excludes:
				under := "for a policy"
				if id := f.identityOf(e); id != "" {
					under = "under one " + strings.ReplaceAll(strings.TrimPrefix(id, "|"), "=", " ") + " (it may be excluded under another)"
				}
				addPlanError(&diags, at.AtName(attrGroupID), "Group both included and excluded",
					fmt.Sprintf("Group %s appears as an included and as an excluded target. A group can be one or the other %s; remove one of the two assignments.", e.GroupID.ValueString(), under))
			default:
				addPlanError(&diags, at, "Duplicate assignment target",
					fmt.Sprintf("The same target (%s) appears in more than one assignment. Graph keeps one assignment per target; merge them into one.", identity))
			}
			continue
		}
		seen[identity] = seenTarget{excludes: kind.Excludes, where: at}
	}
	f.checkIncludedOnce(elems, func(i int) path.Path { return root.AtSetValue(objs[i]) }, &diags)
	if f.Warnings != nil {
		views := make([]ElementView, 0, len(elems))
		for _, e := range elems {
			if !e.hasUnknown() {
				views = append(views, f.view(e))
			}
		}
		for _, p := range f.Warnings(views) {
			diags.AddAttributeWarning(root, p.Summary, p.Detail)
		}
	}
	return diags
}

// validateElement checks the rules within one assignment (at is where its attributes live:
// a set element, or the root of a single-assignment resource). It reports false when the
// target is unknown or invalid, so that checks across assignments skip it.
func (f *Family) validateElement(e element, at path.Path, diags *diag.Diagnostics) bool {
	if e.Target.IsUnknown() {
		return false
	}
	kind, ok := f.kindByName(e.Target.ValueString())
	if !ok {
		return false // the target attribute's own validator reports it
	}
	for _, fc := range []struct {
		field Field
		name  string
		value types.String
		what  string
	}{
		{FieldGroupID, attrGroupID, e.GroupID, "the object ID of an Entra ID group"},
		{FieldCollectionID, attrCollectionID, e.CollectionID, "a Configuration Manager collection ID"},
	} {
		if !f.uses(fc.field) {
			continue
		}
		switch {
		case kind.Needs == fc.field && fc.value.IsNull():
			addPlanError(diags, at.AtName(fc.name), "Missing "+fc.name,
				fmt.Sprintf("An assignment with target %q needs %s, %s.", kind.Name, fc.name, fc.what))
		case kind.Needs != fc.field && !fc.value.IsNull() && !fc.value.IsUnknown():
			addPlanError(diags, at.AtName(fc.name), "Unexpected "+fc.name,
				fmt.Sprintf("The assignment with target %q has %s = %q, but that target does not take %s; only %s do. Remove it, or change the target.",
					kind.Name, fc.name, fc.value.ValueString(), fc.name, quoted(f.kindsNeeding(fc.field))))
		}
	}

	// Attributes of the set element that the family does not take (nestedAttributes).
	if !f.uses(FieldCollectionID) && !e.CollectionID.IsNull() && !e.CollectionID.IsUnknown() {
		addPlanError(diags, at.AtName(attrCollectionID), "Unexpected collection_id",
			fmt.Sprintf("An assignment has collection_id = %q, but %s take no Configuration Manager collection targets. Remove collection_id from it.",
				e.CollectionID.ValueString(), PluralNoun(f.PolicyNoun)))
	}
	if !f.Filters && (!e.FilterID.IsNull() && !e.FilterID.IsUnknown() || !e.FilterType.IsNull() && !e.FilterType.IsUnknown()) {
		name := attrFilterID
		if e.FilterID.IsNull() {
			name = attrFilterType
		}
		addPlanError(diags, at.AtName(name), "Assignment filter not allowed",
			fmt.Sprintf("Intune applies no assignment filters to %s, and the assignment %s has one. Remove filter_id and filter_type from it.",
				PluralNoun(f.PolicyNoun), f.describe(e)))
	}
	f.checkFields(e, at, diags)
	if f.Filters {
		// "has" means known and set; an unknown value may still turn out null.
		hasID := !e.FilterID.IsNull() && !e.FilterID.IsUnknown()
		hasType := !e.FilterType.IsNull() && !e.FilterType.IsUnknown()
		unknown := e.FilterID.IsUnknown() || e.FilterType.IsUnknown()
		switch {
		case !kind.Filterable && (hasID || hasType):
			name := attrFilterID
			if !hasID {
				name = attrFilterType
			}
			addPlanError(diags, at.AtName(name), "Assignment filter not allowed",
				fmt.Sprintf("Intune does not apply assignment filters to target %q, and the assignment %s has one. Remove filter_id and filter_type from it.", kind.Name, f.describe(e)))
		case hasID && isZeroGUID(e.FilterID.ValueString()):
			// Graph spells "no filter" as the all-zero ID (internal/graph/NOTES.md#targets);
			// with a filter type it refuses the assignment with a 400.
			addPlanError(diags, at.AtName(attrFilterID), "filter_id names no filter",
				fmt.Sprintf("The assignment %s has filter_id %q, the all-zero ID that Graph uses for \"no filter\", so it cannot "+
					"include or exclude devices. For no filter, leave out filter_id and filter_type; otherwise give the ID of an "+
					"assignment filter (the intune_assignment_filter data source finds it by name).", f.describe(e), e.FilterID.ValueString()))
		case unknown:
		case hasID && !hasType:
			addPlanError(diags, at.AtName(attrFilterType), "Missing filter_type",
				fmt.Sprintf("The assignment %s has filter_id %q, so filter_type must say how the filter applies: \"include\" or \"exclude\".", f.describe(e), e.FilterID.ValueString()))
		case hasType && !hasID:
			addPlanError(diags, at.AtName(attrFilterID), "Missing filter_id",
				fmt.Sprintf("The assignment %s has filter_type %q, so filter_id must name the assignment filter. Leave both out for no filter.", f.describe(e), e.FilterType.ValueString()))
		}
	}
	return true
}

// addPlanError reports a configuration error found at plan time; the detail says what to
// change, and this adds that nothing was sent.
func addPlanError(diags *diag.Diagnostics, at path.Path, summary, detail string) {
	diags.AddAttributeError(at, summary, detail+" Nothing was sent to Graph.")
}

// isZeroGUID: the all-zero GUID, which Graph sends for "no filter".
func isZeroGUID(id string) bool {
	return strings.Trim(strings.ReplaceAll(id, "-", ""), "0") == "" && id != ""
}
