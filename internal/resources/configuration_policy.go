package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// ConfigurationPolicy is the settings catalog and endpoint security policies under
// /deviceManagement/configurationPolicies (internal/graph/NOTES.md#settings-catalog).
// Their name is Graph's `name`, they have no @odata.type, and their lists neither page
// past 25 nor populate $expand=assignments (graph.ConfigurationPoliciesFamily says so,
// and the reader obeys).
var ConfigurationPolicy = &assignments.Family{
	Stem:              "configuration_policy",
	PolicyIDAttribute: "configuration_policy_id",
	PolicyNoun:        "configuration policy",
	Graph:             graph.ConfigurationPoliciesFamily,
	Filters:           true,
	Targets:           deviceTargets,
	NameProperty:      "name",
	NoODataType:       true,
	LookupExtra: []assignments.LookupAttr{
		{Name: "platforms", Property: "platforms", Description: "The platforms it applies to, as Graph lists them, e.g. `windows10`."},
		{Name: "technologies", Property: "technologies", Description: "The technologies it uses, e.g. `mdm,microsoftSense`."},
		{Name: "template_family", Property: "templateReference.templateFamily",
			Description: "`none` for a settings catalog policy, or its endpoint security template family, e.g. `endpointSecurityAntivirus`."},
	},
	ResourceDescription: "Manages the direct assignments of one Intune settings catalog or endpoint security policy " +
		"(`/deviceManagement/configurationPolicies`). The resource is authoritative: create and update send the whole set " +
		"with Graph's replace-all `assign` action, so assignments made elsewhere show as drift and are removed on the next " +
		"apply. Destroying the resource removes every direct assignment and leaves the policy in place. Assignments inherited " +
		"from policy sets are left alone.",
	DataSourceDescription: "Lists every assignment of one Intune settings catalog or endpoint security policy, including those inherited from policy sets.",
}
