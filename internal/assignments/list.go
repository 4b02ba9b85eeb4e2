package assignments

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// ListResource is a family's list resource for `terraform query` (Terraform 1.14+): each
// result is one policy with its direct assignments, identified by the policy ID, shown as
// "<display name> (<type>)". With include_resource the result carries the whole resource,
// so `terraform query -generate-config-out=FILE` writes resource and import blocks that
// plan with no change. Policies are listed with the lookup's GET of the collection; their
// assignments are read through the family's reader (reader.go), so a tenant is read in a
// handful of requests.
type ListResource struct {
	f    *Family
	data *ProviderData
}

var (
	_ list.ListResource              = &ListResource{}
	_ list.ListResourceWithConfigure = &ListResource{}
)

// NewListResource returns the list resource factory for a family.
func NewListResource(f *Family) func() list.ListResource {
	return func() list.ListResource { return &ListResource{f: f} }
}

func (l *ListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + l.f.authoritativeSuffix()
}

func (l *ListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *ListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	noun := l.f.PolicyNoun
	defer func() {
		if l.f.NoODataType {
			delete(resp.Schema.Attributes, "odata_type")
		}
	}()
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Finds " + PluralNoun(noun) + " with their direct assignments, for `terraform query`; with " +
			"`-generate-config-out` it writes a resource and an import block for each.",
		Attributes: map[string]listschema.Attribute{
			"display_name_prefix": listschema.StringAttribute{Optional: true,
				MarkdownDescription: "Only " + PluralNoun(noun) + " whose name starts with this, without regard to case."},
			"odata_type": listschema.StringAttribute{Optional: true,
				MarkdownDescription: "Only " + PluralNoun(noun) + " of this Graph type, with or without `#microsoft.graph.`, without regard to case."},
			"assigned": listschema.BoolAttribute{Optional: true,
				MarkdownDescription: "`true`: only " + PluralNoun(noun) + " with direct assignments; `false`: only those without. Unset: all."},
		},
	}
}

type listConfig struct {
	Prefix, Type types.String
	Assigned     types.Bool
}

// readConcurrency is how many policies' assignments are asked for at once: enough for the
// reader to batch and list, as a refresh's walk does.
const readConcurrency = 10

func (l *ListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg listConfig
	var diags diag.Diagnostics
	diags.Append(req.Config.GetAttribute(ctx, path.Root("display_name_prefix"), &cfg.Prefix)...)
	diags.Append(req.Config.GetAttribute(ctx, path.Root("assigned"), &cfg.Assigned)...)
	cfg.Type = types.StringNull()
	if !l.f.NoODataType {
		diags.Append(req.Config.GetAttribute(ctx, path.Root("odata_type"), &cfg.Type)...)
	}
	summary := "Listing " + PluralNoun(l.f.PolicyNoun)
	client := l.data.requireClient(summary, &diags)
	if diags.HasError() || client == nil {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	items, err := client.ListItems(ctx, l.f.Lookup().Collection)
	if err != nil {
		diags.AddError(summary, errorDetail(err, l.f, "")+"\n\nNothing was changed: a query only reads.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	wantType := strings.TrimPrefix(strings.TrimPrefix(cfg.Type.ValueString(), "#"), "microsoft.graph.")
	var kept []graph.Item
	for _, it := range items {
		if !cfg.Prefix.IsNull() && !strings.HasPrefix(strings.ToLower(it.DisplayName), strings.ToLower(cfg.Prefix.ValueString())) {
			continue
		}
		if !cfg.Type.IsNull() && !strings.EqualFold(it.ODataType, wantType) {
			continue
		}
		kept = append(kept, it)
	}
	sortItems(kept)

	// Read every kept policy's assignments, several at a time, through the reader.
	got := make([][]graph.Assignment, len(kept))
	errs := make([]error, len(kept))
	sem := make(chan struct{}, readConcurrency)
	var wg sync.WaitGroup
	rd := l.data.reader(l.f)
	for i, it := range kept {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got[i], _, errs[i] = rd.Get(ctx, it.ID)
		}()
	}
	wg.Wait()

	stream.Results = func(push func(list.ListResult) bool) {
		n := int64(0)
		for i, it := range kept {
			if req.Limit > 0 && n >= req.Limit {
				return
			}
			if graph.IsNotFound(errs[i]) {
				continue // deleted since it was listed
			}
			result := req.NewListResult(ctx)
			if errs[i] != nil {
				result.Diagnostics.AddError(fmt.Sprintf("Reading assignments of %s %s", l.f.PolicyNoun, it.ID),
					errorDetail(errs[i], l.f, it.ID)+"\n\nNothing was changed: a query only reads.")
				if !push(result) {
					return
				}
				continue
			}
			elems, unsupported := l.f.reconcile(nil, directOnly(got[i]))
			if !cfg.Assigned.IsNull() && cfg.Assigned.ValueBool() != (len(elems)+len(unsupported) > 0) {
				continue
			}
			result.DisplayName = it.DisplayName
			if it.ODataType != "" {
				result.DisplayName += " (" + it.ODataType + ")"
			}
			result.Diagnostics.Append(result.Identity.SetAttribute(ctx, path.Root(l.f.PolicyIDAttribute), strings.ToLower(it.ID))...)
			if req.IncludeResource {
				l.setResource(ctx, result.Resource, it.ID, elems, &result.Diagnostics)
				if len(unsupported) > 0 {
					result.Diagnostics.AddWarning(fmt.Sprintf("%s %s has assignments this provider does not manage", upperFirst(l.f.PolicyNoun), it.ID),
						fmt.Sprintf("%d of its direct assignments have target types this provider does not know; the generated resource "+
							"does not list them, and applying it would remove them. Review the policy in Intune before applying.", len(unsupported)))
				}
			}
			n++
			if !push(result) {
				return
			}
		}
	}
}

// setResource fills a result's resource as an import followed by a refresh leaves it.
func (l *ListResource) setResource(ctx context.Context, res *tfsdk.Resource, policyID string, elems []element, diags *diag.Diagnostics) {
	set, d := l.f.setFromElements(elems)
	diags.Append(d...)
	diags.Append(res.SetAttribute(ctx, path.Root("id"), policyID)...)
	diags.Append(res.SetAttribute(ctx, path.Root(l.f.PolicyIDAttribute), policyID)...)
	diags.Append(res.SetAttribute(ctx, path.Root("assignments"), set)...)
}
