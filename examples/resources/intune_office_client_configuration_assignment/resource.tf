# One team's group on a shared Office cloud policy; other teams' groups are left alone.
resource "intune_office_client_configuration_assignment" "finance" {
  office_client_configuration_id = "0a9b8c7d-6e5f-4a4b-9c3d-2e1f0a9b8c7d"
  group_id                       = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
}
