# The security team owns the endpoint security antivirus policy; the server team adds its
# test servers and leaves every other target alone.
resource "intune_configuration_policy_assignment" "server_test" {
  configuration_policy_id = "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
  target                  = "group"
  group_id                = "1a2b3c4d-5e6f-4789-9abc-def012345678"
}
