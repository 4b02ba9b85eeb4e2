# Everything that targets the Outlook profile remediation today, with its run schedules.
data "intune_device_health_script_assignments" "outlook_profile" {
  device_health_script_id = "7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a63"
}

# Each included group's schedule, e.g. { "7d6c…" = "daily, every 1, at 09:00:00" }.
output "outlook_profile_schedules" {
  value = {
    for a in data.intune_device_health_script_assignments.outlook_profile.assignments :
    a.group_id => "${a.run_schedule.type}, every ${a.run_schedule.interval}, at ${coalesce(a.run_schedule.time, "-")}"
    if a.target == "group" && a.run_schedule != null
  }
}

# run_remediation_script is null here: Graph reads it back as false whatever the portal or a
# write set, so a read cannot tell whether the remediation runs.
