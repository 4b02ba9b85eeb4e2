# Every administrative template whose name starts with "Office -".
data "intune_group_policy_configurations" "office" {
  display_name_prefix = "Office -"
}

# Their IDs, sorted by name: one per import block or `terraform import`
# (see the guide "Adopting a tenant").
output "office_template_ids" {
  value = data.intune_group_policy_configurations.office.ids
}
