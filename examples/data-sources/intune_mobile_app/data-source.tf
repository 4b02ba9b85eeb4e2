# The Contoso VPN client, by the name the Intune portal shows, and what kind of app it is.
data "intune_mobile_app" "vpn_client" {
  display_name = "Contoso VPN client"
}

output "vpn_client" {
  value = {
    id               = data.intune_mobile_app.vpn_client.id
    odata_type       = data.intune_mobile_app.vpn_client.odata_type       # "win32LobApp"
    publisher        = data.intune_mobile_app.vpn_client.publisher        # "Contoso"
    publishing_state = data.intune_mobile_app.vpn_client.publishing_state # "published"
  }
}

# Offer it in the Company Portal to one team; the app's other assignments are left alone.
resource "intune_mobile_app_assignment" "vpn_client_team" {
  mobile_app_id = data.intune_mobile_app.vpn_client.id
  intent        = "available"
  target        = "group"
  group_id      = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
  settings      = { notifications = "showAll" }
}
