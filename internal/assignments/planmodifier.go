package assignments

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// requiresReplaceUnlessCaseOnly forces a new resource when the policy ID changes, but not
// when only its letter case does: Graph IDs are GUIDs and compare without regard to case,
// and a replacement would clear every direct assignment and assign them again, so devices
// would briefly lose the policy. Terraform still shows the new spelling as an in-place
// update; Update then finds Graph already holding the planned set and sends nothing.
func requiresReplaceUnlessCaseOnly() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
		},
		"Changing the ID to another policy forces a new resource; a change of letter case does not.",
		"Changing the ID to another policy forces a new resource; a change of letter case does not.",
	)
}
