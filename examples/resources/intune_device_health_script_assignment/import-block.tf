import {
  to       = intune_device_health_script_assignment.outlook_pilot
  identity = { device_health_script_id = "7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a63", assignment_id = "7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a63_7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a" }
}
