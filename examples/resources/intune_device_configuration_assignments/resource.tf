# Roll the Defender for Endpoint onboarding policy out to the pilot ring and
# the finance devices, keep the kiosks out, and cover every co-managed device
# in the Configuration Manager collection.
resource "intune_device_configuration_assignments" "defender_onboarding" {
  device_configuration_id = "5f3a1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"

  assignments = [
    { target = "group", group_id = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a" },
    {
      # Only the corporate-owned Windows devices of the finance team.
      target      = "group"
      group_id    = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
      filter_id   = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type = "include"
    },
    { target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
    { target = "configuration_manager_collection", collection_id = "MEM00012" },
  ]
}

# Assign a baseline to every licensed user, except those on devices that match a filter.
resource "intune_device_configuration_assignments" "baseline" {
  device_configuration_id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

  assignments = [
    {
      target      = "all_licensed_users"
      filter_id   = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type = "exclude"
    },
  ]
}
