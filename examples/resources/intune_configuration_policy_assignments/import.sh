# Import by the configuration policy (settings catalog or endpoint security) ID; the
# resource then holds the policy's current direct assignments.
terraform import intune_configuration_policy_assignments.bitlocker d4c3b2a1-6f5e-4d7c-8b9a-0e1f2a3b4c5d
