# Roll the Contoso VPN client (a Win32 app) out with one assignment per intent: installed on the
# pilot ring's corporate devices by a deadline, offered in the Company Portal to the finance
# team, removed from the retired kiosks, and kept away from the excluded group.
resource "intune_mobile_app_assignments" "vpn_client" {
  mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c51"

  assignments = [
    {
      # required: Intune installs the app. Only on the devices the filter matches.
      intent      = "required"
      target      = "group"
      group_id    = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
      filter_id   = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type = "include"
      settings = {
        notifications         = "showReboot"
        install_time_settings = { deadline_date_time = "2026-09-01T18:00:00Z" }
      }
    },
    {
      # available: users install it from the Company Portal when they choose (so no deadline).
      # The restart countdown fits in the grace period, and the snooze in half of what is left:
      # (1440 - 15) / 2 = 712 minutes at most.
      intent   = "available"
      target   = "group"
      group_id = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
      settings = {
        notifications                  = "showAll"
        delivery_optimization_priority = "foreground"
        restart_settings = {
          grace_period_in_minutes                         = 1440
          countdown_display_before_restart_in_minutes     = 15
          restart_notification_snooze_duration_in_minutes = 240
        }
      }
    },
    # uninstall: Intune removes the app from the retired kiosks.
    { intent = "uninstall", target = "group", group_id = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" },
    # A group is included under one intent of an app only, but may be excluded under another:
    # the kiosks are uninstalled and also kept out of the Company Portal offer.
    { intent = "available", target = "exclusion_group", group_id = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" },
    { intent = "required", target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
    # intent = "availableWithoutEnrollment" is for iOS/iPadOS and Android apps only (devices that
    # are not enrolled); for this Win32 app it fails the plan. See the Authenticator below.
  ]
}

# An iOS store app: required on the pilot ring's corporate iPhones, not removable, and offered to
# every licensed user on devices Intune does not manage.
resource "intune_mobile_app_assignments" "authenticator" {
  mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c52"

  assignments = [
    {
      intent      = "required"
      target      = "group"
      group_id    = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
      filter_id   = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
      filter_type = "include"
      settings = {
        is_removable                = false
        uninstall_on_device_removal = true
        prevent_managed_app_backup  = true
      }
    },
    { intent = "availableWithoutEnrollment", target = "all_licensed_users" },
  ]
}
