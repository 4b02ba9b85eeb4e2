# The groups an Office cloud policy targets today.
data "intune_office_client_configuration_assignments" "office_defaults" {
  office_client_configuration_id = "0a9b8c7d-6e5f-4a4b-9c3d-2e1f0a9b8c7d"
}

output "office_defaults_groups" {
  value = data.intune_office_client_configuration_assignments.office_defaults.assignments[*].group_id
}
