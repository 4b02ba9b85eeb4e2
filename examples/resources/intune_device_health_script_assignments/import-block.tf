# Adopt what the portal already assigned: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you, run schedules included.
import {
  to = intune_device_health_script_assignments.outlook_profile
  id = "7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a63"
}
