# Every Win32 app whose name starts with "Contoso".
data "intune_mobile_apps" "contoso_win32" {
  display_name_prefix = "Contoso"
  odata_type          = "win32LobApp"
}

# Those that can be assigned now: only a published app can (the plan refuses the others).
output "assignable_contoso_apps" {
  value = [for a in data.intune_mobile_apps.contoso_win32.policies : a.display_name if a.publishing_state == "published"]
}

# Those still uploading or processing, e.g. "Contoso CAD 2026 (still uploading)".
output "unpublished_contoso_apps" {
  value = [for a in data.intune_mobile_apps.contoso_win32.policies : "${a.display_name} (${a.publishing_state})" if a.publishing_state != "published"]
}
