package provider

// Environment variables the provider reads when an argument is not set in HCL. The ARM_*
// names are the ones the azurerm and azuread providers use, so one pipeline configures all.
const (
	EnvTenantID      = "ARM_TENANT_ID"
	EnvClientID      = "ARM_CLIENT_ID"
	EnvClientSecret  = "ARM_CLIENT_SECRET"
	EnvEnvironment   = "ARM_ENVIRONMENT"
	EnvGraphEndpoint = "INTUNE_GRAPH_ENDPOINT"
	EnvAuthorityHost = "INTUNE_AUTHORITY_HOST"
)
