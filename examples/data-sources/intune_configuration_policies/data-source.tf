# Every policy whose name starts with "Windows -".
data "intune_configuration_policies" "windows" {
  display_name_prefix = "Windows -"
}

# The endpoint security ones among them: a settings catalog policy's template_family is "none".
output "windows_endpoint_security_ids" {
  value = [for p in data.intune_configuration_policies.windows.policies : p.id if p.template_family != "none"]
}
