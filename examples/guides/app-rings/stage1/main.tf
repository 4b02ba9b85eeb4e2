terraform {
  required_providers {
    intune = { source = "intunetf/intune" }
  }
}

# Credentials come from the environment (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET).
provider "intune" {}

# Stage 1: the pilot ring may install Contoso Expenses from the Company Portal.
resource "intune_mobile_app_assignments" "expenses" {
  mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c56"

  assignments = [
    # Pilot ring
    { intent = "available", target = "group", group_id = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a" },
    # Never on the lab devices
    { intent = "required", target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
  ]
}
