# Every iOS/iPadOS compliance policy.
data "intune_device_compliance_policies" "ios" {
  odata_type = "iosCompliancePolicy"
}

output "ios_compliance_policies" {
  value = [for p in data.intune_device_compliance_policies.ios.policies : "${p.display_name} (${p.id})"]
}
