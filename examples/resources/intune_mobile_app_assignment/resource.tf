# The desktop team owns the Company Portal (a WinGet app); this region adds its own group, narrowed
# by a device filter, and leaves every other assignment of the app alone. A WinGet app's required
# and available assignments need settings.notifications.
resource "intune_mobile_app_assignment" "company_portal_emea" {
  mobile_app_id = "5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c53"
  intent        = "required"
  target        = "group"
  group_id      = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
  filter_id     = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
  filter_type   = "include"

  settings = {
    notifications = "hideAll"
    install_time_settings = {
      use_local_time     = true
      deadline_date_time = "2026-10-01T08:00:00Z"
    }
  }
}
