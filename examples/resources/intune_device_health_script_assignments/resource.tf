# Run the "Restart stopped Windows Update service" remediation with one schedule of each kind, and
# let it remediate (run_remediation_script = true) wherever it detects the problem.
resource "intune_device_health_script_assignments" "windows_update" {
  device_health_script_id = "7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a61"

  assignments = [
    {
      # Once, on a date at a time (UTC here). Graph requires interval for this kind too: write 1.
      target                 = "group"
      group_id               = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
      run_remediation_script = true
      run_schedule = {
        type     = "once"
        interval = 1
        date     = "2026-09-01"
        time     = "22:00"
        use_utc  = true
      }
    },
    {
      # Every 4 hours, on the finance team's corporate devices.
      target                 = "group"
      group_id               = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
      filter_id              = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type            = "include"
      run_remediation_script = true
      run_schedule           = { type = "hourly", interval = 4 }
    },
    {
      # Every other day at 09:30, the device's local time (use_utc left out).
      target                 = "all_devices"
      run_remediation_script = true
      run_schedule           = { type = "daily", interval = 2, time = "09:30" }
    },
    { target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
  ]
}
