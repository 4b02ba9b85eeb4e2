# Every assignment filter for Windows devices.
data "intune_assignment_filters" "windows" {
  platform = "windows10AndLater"
}

output "windows_filters" {
  value = { for f in data.intune_assignment_filters.windows.filters : f.display_name => f.id }
}
