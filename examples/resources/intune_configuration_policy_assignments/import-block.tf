# Adopt what the portal already assigned: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you.
import {
  to = intune_configuration_policy_assignments.adopted
  id = "d4c3b2a1-6f5e-4d7c-8b9a-0e1f2a3b4c5d"
}
