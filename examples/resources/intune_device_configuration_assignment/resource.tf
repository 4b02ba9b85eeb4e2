# The central team owns the Defender onboarding policy; this region adds its pilot group,
# narrowed to corporate devices, and leaves every other target alone.
resource "intune_device_configuration_assignment" "emea_pilot" {
  device_configuration_id = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
  target                  = "group"
  group_id                = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
  filter_id               = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
  filter_type             = "include"
}
