# terraform query -generate-config-out=generated.tf   (Terraform 1.14+)
# Every remediation script with direct assignments, each as a resource block with its run
# schedules. Graph reads run_remediation_script back as false: set it in the generated blocks.
list "intune_device_health_script_assignments" "assigned" {
  provider         = intune
  include_resource = true
  limit            = 10000 # the default is 100
  config {
    assigned = true
  }
}
