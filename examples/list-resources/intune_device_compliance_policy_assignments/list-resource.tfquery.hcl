# terraform query -generate-config-out=generated.tf   (Terraform 1.14+)
list "intune_device_compliance_policy_assignments" "windows" {
  provider         = intune
  include_resource = true
  limit            = 10000 # the default is 100
  config {
    odata_type = "windows10CompliancePolicy"
  }
}
