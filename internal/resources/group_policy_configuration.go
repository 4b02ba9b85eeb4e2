package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// GroupPolicyConfiguration is the administrative templates under
// /deviceManagement/groupPolicyConfigurations (internal/graph/NOTES.md#administrative-templates).
// Their assignments have no source: there are no policy-set assignments to leave alone.
var GroupPolicyConfiguration = &assignments.Family{
	Stem:              "group_policy_configuration",
	PolicyIDAttribute: "group_policy_configuration_id",
	PolicyNoun:        "administrative template",
	Graph:             graph.GroupPolicyConfigurationsFamily,
	Filters:           true,
	Targets:           deviceTargets,
	NoODataType:       true,
	ResourceDescription: "Manages the assignments of one Intune administrative template (a `groupPolicyConfiguration` under " +
		"`/deviceManagement/groupPolicyConfigurations`). The resource is authoritative: create and update send the whole set " +
		"with Graph's replace-all `assign` action, so assignments made elsewhere show as drift and are removed on the next " +
		"apply. Destroying the resource removes every assignment and leaves the policy in place.",
	DataSourceDescription: "Lists every assignment of one Intune administrative template.",
}
