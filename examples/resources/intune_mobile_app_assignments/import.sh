# Import by the app ID; the resource then holds the app's current direct assignments, each
# with its intent and its settings as you would write them (Graph's defaults left out).
terraform import intune_mobile_app_assignments.vpn_client 5a1e7c3d-2b4f-4e6a-8c9d-0e1f2a3b4c51
