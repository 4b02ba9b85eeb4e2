# Import by the device configuration (policy) ID; the resource then holds the
# policy's current direct assignments.
terraform import intune_device_configuration_assignments.defender_onboarding 5f3a1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b
