import {
  to       = intune_device_configuration_assignment.pilot
  identity = { device_configuration_id = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", assignment_id = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f_6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b" }
}
