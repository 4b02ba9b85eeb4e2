# Import by the administrative template (group policy configuration) ID; the resource then
# holds the template's current assignments.
terraform import intune_group_policy_configuration_assignments.edge b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e
