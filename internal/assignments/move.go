package assignments

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithMoveState = &Resource{}

// MoveState takes a `moved` block from a family's single-assignment resource to its
// authoritative resource (Terraform 1.8+, OpenTofu 1.12): the moved state holds the one
// assignment, and the refresh that follows reads the policy's whole set, so the plan shows
// what taking authority over the policy adds and removes. Several single resources cannot
// move into one authoritative resource (a move has one source); the resource docs give the
// `removed` and `import` path for that.
func (r *Resource) MoveState(ctx context.Context) []resource.StateMover {
	var single resource.SchemaResponse
	(&SingleResource{f: r.f}).Schema(ctx, resource.SchemaRequest{}, &single)
	return []resource.StateMover{{SourceSchema: &single.Schema, StateMover: r.moveFromSingle}}
}

func (r *Resource) moveFromSingle(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if !r.f.isSingleType(req.SourceTypeName) || !isThisProvider(req.SourceProviderAddress) {
		return // not ours: the framework reports that no mover took it
	}
	summary := fmt.Sprintf("Moving %s to %s", req.SourceTypeName, r.f.resourceType())
	if req.SourceState == nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("The state of the %s resource could not be read with its schema, so it "+
			"cannot be moved. Nothing was sent to Graph and the state is as before. Refresh it with this provider version first "+
			"(terraform apply -refresh-only), then plan the move again.", req.SourceTypeName))
		return
	}
	var policyID types.String
	resp.Diagnostics.Append(req.SourceState.GetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), &policyID)...)
	e := r.f.elementFrom(ctx, req.SourceState.GetAttribute, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !e.known() || policyID.ValueString() == "" {
		resp.Diagnostics.AddError(summary, "The moved resource's state has no policy ID or target (it was imported and never "+
			"refreshed). Nothing was sent to Graph. Run terraform apply -refresh-only first, then plan the move again.")
		return
	}
	set, d := r.f.setFromElements([]element{e})
	resp.Diagnostics.Append(d...)
	pid := policyID.ValueString()
	resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, path.Root("id"), pid)...)
	resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, path.Root(r.f.PolicyIDAttribute), pid)...)
	resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, path.Root("assignments"), set)...)
	r.setIdentity(ctx, resp.TargetIdentity, pid, &resp.Diagnostics)
}

// isSingleType: name is the family's single-assignment type, with or without the
// provider's prefix (`intune_`).
func (f *Family) isSingleType(name string) bool {
	return name == f.singleType() || name == f.singleSuffix()
}

// isThisProvider: a move request's source provider address is this provider's, given in
// full (registry.terraform.io/intunetf/intune, registry.opentofu.org/...) or by its short
// name, as OpenTofu may send it.
func isThisProvider(addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	return addr == "" || addr == "intune" || strings.HasSuffix(addr, "/intune")
}
