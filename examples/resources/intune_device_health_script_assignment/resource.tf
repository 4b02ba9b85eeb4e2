# The collaboration team owns the "Clear the Teams cache" remediation; this region adds its own
# group, narrowed by a device filter, running daily at noon, and leaves every other target alone.
resource "intune_device_health_script_assignment" "teams_cache_emea" {
  device_health_script_id = "7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a62"
  target                  = "group"
  group_id                = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
  filter_id               = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
  filter_type             = "include"
  run_remediation_script  = true

  run_schedule = {
    type     = "daily"
    interval = 1
    time     = "12:00"
  }
}
