# Import by the remediation script's ID; the resource then holds its current direct
# assignments. Graph reads run_remediation_script back as false whatever was written, so an
# import leaves it null: write it in the configuration, and the next apply sends it.
terraform import intune_device_health_script_assignments.windows_update 7e2f4a6c-8d0b-4c1e-9f3a-5b7d9e1f3a61
