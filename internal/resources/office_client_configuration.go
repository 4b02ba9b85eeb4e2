package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// OfficeClientConfiguration is the Office cloud policies under
// /officeConfiguration/clientConfigurations (officeClientConfiguration and its derived
// windowsOfficeClientConfiguration and windowsOfficeClientSecurityConfiguration). They
// target groups only: no filters, exclusions or all-users/all-devices targets.
var OfficeClientConfiguration = &assignments.Family{
	Stem:              "office_client_configuration",
	PolicyIDAttribute: "office_client_configuration_id",
	PolicyNoun:        "Office client configuration",
	Graph:             graph.OfficeClientConfigurationsFamily,
	Targets: []assignments.TargetKind{
		{Name: "group", ODataType: graph.ODataOfficeGroupTarget, Needs: assignments.FieldGroupID,
			Description: "the members of an Entra ID group (`group_id`)."},
	},
	ResourceDescription: "Manages the targeted groups of one Office cloud policy (an `officeClientConfiguration` under " +
		"`/officeConfiguration/clientConfigurations`). The resource is authoritative: create and update send the whole set " +
		"with Graph's replace-all `assign` action (\"Replace all targeted groups for a policy\"), so groups added elsewhere show " +
		"as drift and are removed on the next apply. Destroying the resource removes every targeted group and leaves the policy in place.",
	DataSourceDescription: "Lists the targeted groups of one Office cloud policy.",
}
