import {
  to       = intune_device_compliance_policy_assignment.retail_ipads
  identity = { device_compliance_policy_id = "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d", assignment_id = "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d_5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b" }
}
