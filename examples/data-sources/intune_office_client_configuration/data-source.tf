data "intune_office_client_configuration" "baseline" {
  display_name = "Office security baseline"
}

output "office_baseline_type" {
  value = data.intune_office_client_configuration.baseline.odata_type
}
