# Everything that targets a settings catalog policy, including what it inherits from policy sets.
data "intune_configuration_policy_assignments" "bitlocker" {
  configuration_policy_id = "d4c3b2a1-6f5e-4d7c-8b9a-0e1f2a3b4c5d"
}

output "bitlocker_targets" {
  value = [for a in data.intune_configuration_policy_assignments.bitlocker.assignments : coalesce(a.group_id, a.collection_id, a.target)]
}
