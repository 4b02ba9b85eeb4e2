# terraform query -generate-config-out=generated.tf   (Terraform 1.14+)
# Every Win32 app with direct assignments, each as a resource block with its intents and settings.
list "intune_mobile_app_assignments" "win32_assigned" {
  provider         = intune
  include_resource = true
  limit            = 10000 # the default is 100
  config {
    odata_type = "win32LobApp"
    assigned   = true
  }
}
