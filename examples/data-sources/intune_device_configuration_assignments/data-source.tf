# Every assignment of the policy, including those it inherits from policy sets.
data "intune_device_configuration_assignments" "defender_onboarding" {
  device_configuration_id = "5f3a1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"
}

output "defender_onboarding_groups" {
  value = [for a in data.intune_device_configuration_assignments.defender_onboarding.assignments : a.group_id if a.group_id != null]
}
