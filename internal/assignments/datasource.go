package assignments

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

var (
	_ datasource.DataSource              = &DataSource{}
	_ datasource.DataSourceWithConfigure = &DataSource{}
)

// DataSource lists every assignment of one policy, policy-set ones included.
type DataSource struct {
	f    *Family
	data *ProviderData
}

// NewDataSource returns the data source factory for a family.
func NewDataSource(f *Family) func() datasource.DataSource {
	return func() datasource.DataSource { return &DataSource{f: f} }
}

func (d *DataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.f.authoritativeSuffix()
}

func (d *DataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = d.f.dataSourceSchema()
}

func (d *DataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// listedAttrTypes is the object type of one element of the data source's list.
func (f *Family) listedAttrTypes() map[string]attr.Type {
	m := f.takenAttrTypes()
	m[attrID] = types.StringType
	if f.sources() {
		m[attrSource] = types.StringType
		m[attrSourceID] = types.StringType
	}
	return m
}

func (d *DataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var policyID types.String
	var to timeouts.Value
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(d.f.PolicyIDAttribute), &policyID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("timeouts"), &to)...)
	id := policyID.ValueString()
	summary := fmt.Sprintf("Reading assignments of %s %s", d.f.PolicyNoun, id)
	client := d.data.requireClient(summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || client == nil {
		return
	}
	// The same budget as a resource's read: pacing and retries under throttling go on
	// until this deadline, not for a fixed number of attempts.
	timeout, diags := to.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	got, _, err := d.data.reader(d.f).Get(ctx, id)
	if err != nil {
		detail := errorDetail(err, d.f, id)
		var ns *graph.NotSentError
		if !errors.As(err, &ns) {
			detail += "\n\nNothing was changed: a data source only reads."
		}
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	// Sorted into a slice of its own: what the reader answers is not this data source's to
	// reorder (other reads of the policy in this run may hold the same answer).
	got = slices.SortedStableFunc(slices.Values(got), func(a, b graph.Assignment) int { return strings.Compare(a.ID, b.ID) })

	objType := types.ObjectType{AttrTypes: d.f.listedAttrTypes()}
	vals := make([]attr.Value, 0, len(got))
	for _, a := range got {
		e, _ := d.f.fromGraph(a)
		if !d.f.hasTargetAttribute() {
			e.Target = types.StringNull()
		}
		all := map[string]attr.Value{
			attrTarget: e.Target, attrGroupID: e.GroupID, attrCollectionID: e.CollectionID,
			attrFilterID: e.FilterID, attrFilterType: e.FilterType,
			attrID: types.StringValue(a.ID), attrSource: nullIfEmpty(a.Source), attrSourceID: nullIfEmpty(a.SourceID),
		}
		for k, v := range d.f.fieldValues(e) {
			all[k] = v
		}
		fields := make(map[string]attr.Value, len(objType.AttrTypes))
		for name := range objType.AttrTypes {
			fields[name] = all[name]
		}
		o, diags := types.ObjectValue(objType.AttrTypes, fields)
		resp.Diagnostics.Append(diags...)
		vals = append(vals, o)
	}
	list, diags := types.ListValue(objType, vals)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.f.PolicyIDAttribute), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("assignments"), list)...)
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
