import {
  to       = intune_group_policy_configuration_assignment.legal
  identity = { group_policy_configuration_id = "e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9", assignment_id = "e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9_3c4d5e6f-7081-4923-8a4b-5c6d7e8f9012" }
}
