data "intune_assignment_filter" "corporate" {
  display_name = "Corporate Windows devices"
}

output "corporate_filter_rule" {
  value = data.intune_assignment_filter.corporate.rule
}
