# Adopt the groups the portal already targets: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you.
import {
  to = intune_office_client_configuration_assignments.adopted
  id = "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090"
}
