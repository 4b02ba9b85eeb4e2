# A remediation script by the name the Intune portal shows.
data "intune_device_health_script" "windows_update" {
  display_name = "Restart stopped Windows Update service"
}

# Run it every day at 07:00 UTC on one team's devices, remediating what it detects; the
# script's other assignments are left alone.
resource "intune_device_health_script_assignment" "windows_update_team" {
  device_health_script_id = data.intune_device_health_script.windows_update.id
  target                  = "group"
  group_id                = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
  run_remediation_script  = true
  run_schedule            = { type = "daily", interval = 1, time = "07:00", use_utc = true }
}
