# Target the Office security baseline at the pilot ring and the finance team.
resource "intune_office_client_configuration_assignments" "office_security_baseline" {
  office_client_configuration_id = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090"

  assignments = [
    { group_id = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a" },
    { group_id = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091" },
  ]
}
