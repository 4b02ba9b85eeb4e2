# The groups an administrative template includes and excludes today.
data "intune_group_policy_configuration_assignments" "edge" {
  group_policy_configuration_id = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
}

output "edge_included_groups" {
  value = [for a in data.intune_group_policy_configuration_assignments.edge.assignments : a.group_id if a.target == "group"]
}

output "edge_excluded_groups" {
  value = [for a in data.intune_group_policy_configuration_assignments.edge.assignments : a.group_id if a.target == "exclusion_group"]
}
