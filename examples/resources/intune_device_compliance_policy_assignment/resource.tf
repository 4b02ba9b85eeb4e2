# The iOS compliance policy is owned centrally; the retail team adds its shared iPads
# and leaves every other target alone.
resource "intune_device_compliance_policy_assignment" "retail_ipads" {
  device_compliance_policy_id = "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d"
  target                      = "group"
  group_id                    = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
}
