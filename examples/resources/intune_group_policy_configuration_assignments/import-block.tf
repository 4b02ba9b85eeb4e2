# Adopt what the portal already assigned: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you.
import {
  to = intune_group_policy_configuration_assignments.adopted
  id = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
}
