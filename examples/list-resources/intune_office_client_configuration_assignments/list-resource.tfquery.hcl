# terraform query -generate-config-out=generated.tf   (Terraform 1.14+)
list "intune_office_client_configuration_assignments" "all" {
  provider         = intune
  include_resource = true
  limit            = 10000 # the default is 100
}
