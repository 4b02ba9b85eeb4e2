# The Windows compliance policy, by the name the Intune portal shows.
data "intune_device_compliance_policy" "windows" {
  display_name = "Windows 11 - compliance baseline"
}

resource "intune_device_compliance_policy_assignments" "windows" {
  device_compliance_policy_id = data.intune_device_compliance_policy.windows.id
  assignments = [
    { target = "all_licensed_users" },
  ]
}
