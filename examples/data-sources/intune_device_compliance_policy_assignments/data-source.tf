# Who must comply with a policy, including what it inherits from policy sets.
data "intune_device_compliance_policy_assignments" "windows" {
  device_compliance_policy_id = "8e1c2a4b-3d5f-4a6e-9b7c-0d1e2f3a4b5c"
}

output "windows_compliance_excluded_groups" {
  value = [for a in data.intune_device_compliance_policy_assignments.windows.assignments : a.group_id if a.target == "exclusion_group"]
}

output "windows_compliance_from_policy_sets" {
  value = [for a in data.intune_device_compliance_policy_assignments.windows.assignments : a.source_id if a.source == "policySets"]
}
