data "intune_office_client_configurations" "all" {}

output "office_policy_names" {
  value = [for p in data.intune_office_client_configurations.all.policies : p.display_name]
}
