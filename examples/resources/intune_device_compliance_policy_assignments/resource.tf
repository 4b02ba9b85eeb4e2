# Require the Windows compliance policy on every licensed user's corporate-owned devices,
# except the break-glass accounts' group, and on the pilot ring's devices, whoever owns them.
resource "intune_device_compliance_policy_assignments" "windows" {
  device_compliance_policy_id = "8e1c2a4b-3d5f-4a6e-9b7c-0d1e2f3a4b5c"

  assignments = [
    {
      target      = "all_licensed_users"
      filter_id   = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type = "include"
    },
    { target = "group", group_id = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a" },
    { target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
  ]
}
