import {
  to       = intune_mobile_app_assignment.teams_pilot
  identity = { mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c54", assignment_id = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a_1_0" }
}
