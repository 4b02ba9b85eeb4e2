terraform {
  required_providers {
    intune = {
      source = "intunetf/intune"
    }
  }
}

# Credentials come from the environment, as for azurerm and azuread:
# ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET.
provider "intune" {}
