# Adopt what the portal already assigned: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you.
import {
  to = intune_device_configuration_assignments.adopted
  id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
}
