# Import by <app ID>/<assignment ID>; the intune_mobile_app_assignments data source lists the
# assignment IDs (here the Teams app's required assignment to the pilot group).
terraform import intune_mobile_app_assignment.teams_pilot 5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c54/7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a_1_0
