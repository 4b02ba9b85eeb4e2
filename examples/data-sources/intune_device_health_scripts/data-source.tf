# Every remediation script in the tenant (no prefix), sorted by name.
data "intune_device_health_scripts" "all" {}

output "remediation_script_names" {
  value = [for s in data.intune_device_health_scripts.all.policies : "${s.display_name} (${s.id})"]
}

# Their IDs: one per import block or `terraform import` (see the guide "Adopting a tenant").
output "remediation_script_ids" {
  value = data.intune_device_health_scripts.all.ids
}
