# terraform query -generate-config-out=generated.tf   (Terraform 1.14+)
list "intune_configuration_policy_assignments" "assigned" {
  provider         = intune
  include_resource = true
  limit            = 10000 # the default is 100
  config {
    assigned = true
  }
}
