import {
  to       = intune_configuration_policy_assignment.server_test
  identity = { configuration_policy_id = "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d", assignment_id = "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d_1a2b3c4d-5e6f-4789-9abc-def012345678" }
}
