# An administrative template, by the name the Intune portal shows.
data "intune_group_policy_configuration" "edge" {
  display_name = "Microsoft Edge - baseline"
}

resource "intune_group_policy_configuration_assignments" "edge" {
  group_policy_configuration_id = data.intune_group_policy_configuration.edge.id
  assignments = [
    { target = "all_devices" },
  ]
}
