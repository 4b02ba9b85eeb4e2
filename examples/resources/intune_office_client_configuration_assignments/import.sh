# Import by the Office client configuration (policy) ID.
terraform import intune_office_client_configuration_assignments.office_security_baseline 6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090
