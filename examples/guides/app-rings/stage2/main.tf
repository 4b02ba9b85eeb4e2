terraform {
  required_providers {
    intune = { source = "intunetf/intune" }
  }
}

# Credentials come from the environment (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET).
provider "intune" {}

# Stage 2: the pilot ring gets the app installed (available -> required), and ring 1 (finance)
# may install it from the Company Portal.
# A required install restarts within a working day: a 15-minute countdown, snoozable for an hour.
locals {
  restart = {
    grace_period_in_minutes                         = 480
    countdown_display_before_restart_in_minutes     = 15
    restart_notification_snooze_duration_in_minutes = 60
  }
}

resource "intune_mobile_app_assignments" "expenses" {
  mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c56"

  assignments = [
    # Pilot ring
    {
      intent   = "required"
      target   = "group"
      group_id = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
      settings = { restart_settings = local.restart }
    },
    # Ring 1: finance
    { intent = "available", target = "group", group_id = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091" },
    # Never on the lab devices
    { intent = "required", target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
  ]
}
