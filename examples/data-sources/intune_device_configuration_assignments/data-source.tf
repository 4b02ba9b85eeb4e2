# Everything that targets a policy, including what it inherits from policy sets.
data "intune_device_configuration_assignments" "bitlocker" {
  device_configuration_id = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
}

output "bitlocker_included_groups" {
  value = [for a in data.intune_device_configuration_assignments.bitlocker.assignments : a.group_id if a.target == "group"]
}

output "bitlocker_from_policy_sets" {
  value = [for a in data.intune_device_configuration_assignments.bitlocker.assignments : a.target if a.source == "policySets"]
}
