# Import by the device compliance policy ID; the resource then holds the policy's
# current direct assignments.
terraform import intune_device_compliance_policy_assignments.windows 8e1c2a4b-3d5f-4a6e-9b7c-0d1e2f3a4b5c
