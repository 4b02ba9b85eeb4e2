# The Defender for Endpoint onboarding policy, by the name the Intune portal shows.
data "intune_device_configuration" "defender_onboarding" {
  display_name = "Defender for Endpoint onboarding"
}

data "intune_assignment_filter" "corporate" {
  display_name = "Corporate Windows devices"
}

resource "intune_device_configuration_assignments" "defender_onboarding" {
  device_configuration_id = data.intune_device_configuration.defender_onboarding.id
  assignments = [
    {
      target      = "group"
      group_id    = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
      filter_id   = data.intune_assignment_filter.corporate.id
      filter_type = "include"
    },
  ]
}
