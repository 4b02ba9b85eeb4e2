# Everything that targets the Teams app today, with each assignment's intent and settings.
data "intune_mobile_app_assignments" "teams_android" {
  mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c54"
}

# The included groups by intent, e.g. { required = ["7d6c…"], availableWithoutEnrollment = ["2b3c…"] }.
output "teams_groups_by_intent" {
  value = {
    for a in data.intune_mobile_app_assignments.teams_android.assignments : a.intent => a.group_id... if a.target == "group"
  }
}

# How Managed Google Play updates the app for each included group.
output "teams_auto_update_modes" {
  value = {
    for a in data.intune_mobile_app_assignments.teams_android.assignments : a.group_id => a.settings.auto_update_mode
    if a.target == "group" && a.settings != null
  }
}

# The assignment IDs, for importing one into intune_mobile_app_assignment.
output "teams_assignment_ids" {
  value = [for a in data.intune_mobile_app_assignments.teams_android.assignments : a.id]
}
