package resources

import (
	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// DeviceCompliancePolicy is every policy under /deviceManagement/deviceCompliancePolicies
// (internal/graph/NOTES.md#compliance-policies). The provider never touches
// scheduledActionsForRule.
var DeviceCompliancePolicy = &assignments.Family{
	Stem:              "device_compliance_policy",
	PolicyIDAttribute: "device_compliance_policy_id",
	PolicyNoun:        "device compliance policy",
	Graph:             graph.DeviceCompliancePoliciesFamily,
	Filters:           true,
	Targets:           deviceTargets,
	ResourceDescription: "Manages the direct assignments of one Intune device compliance policy (any type under " +
		"`/deviceManagement/deviceCompliancePolicies`). The resource is authoritative: create and update send the whole set " +
		"with Graph's replace-all `assign` action, so assignments made elsewhere show as drift and are removed on the next " +
		"apply. Destroying the resource removes every direct assignment and leaves the policy (and its actions for " +
		"noncompliance) in place. Assignments inherited from policy sets are left alone.",
	DataSourceDescription: "Lists every assignment of one Intune device compliance policy, including those inherited from policy sets.",
}
