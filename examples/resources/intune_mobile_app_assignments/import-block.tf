# Adopt what the portal already assigned: `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you, intents and settings included.
import {
  to = intune_mobile_app_assignments.teams_android
  id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c54"
}
