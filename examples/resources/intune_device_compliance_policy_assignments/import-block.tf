# Adopt what the portal already assigned: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you.
import {
  to = intune_device_compliance_policy_assignments.adopted
  id = "8e1c2a4b-3d5f-4a6e-9b7c-0d1e2f3a4b5c"
}
