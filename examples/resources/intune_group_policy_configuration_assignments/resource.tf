# Microsoft Edge settings from an administrative template for every device, except the
# training room's, and for the finance team's users on corporate-owned devices.
resource "intune_group_policy_configuration_assignments" "edge" {
  group_policy_configuration_id = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"

  assignments = [
    { target = "all_devices" },
    { target = "exclusion_group", group_id = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" },
    {
      target      = "group"
      group_id    = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
      filter_id   = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type = "include"
    },
  ]
}
