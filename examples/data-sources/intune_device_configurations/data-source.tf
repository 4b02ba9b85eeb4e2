# Every Defender for Endpoint policy whose name starts with "MDE -".
data "intune_device_configurations" "mde" {
  display_name_prefix = "MDE -"
  odata_type          = "windowsDefenderAdvancedThreatProtectionConfiguration"
}

# Their IDs, sorted by name: one per import block or `terraform import`
# (see the guide "Adopting a tenant").
output "mde_policy_ids" {
  value = data.intune_device_configurations.mde.ids
}
