package provider

// Environment variables the provider reads when an argument is not set in HCL. The ARM_*
// names are the ones the azurerm and azuread providers use, so one pipeline configures all;
// where a CI system sets its own variable (GitHub Actions, Azure Pipelines, the AKS
// workload identity webhook), that one is read too, after the ARM_* one.
var envVars = map[string][]string{
	"tenant_id":                          {"ARM_TENANT_ID", "AZURE_TENANT_ID"},
	"client_id":                          {"ARM_CLIENT_ID", "AZURE_CLIENT_ID"},
	"client_secret":                      {"ARM_CLIENT_SECRET"},
	"client_secret_file_path":            {"ARM_CLIENT_SECRET_FILE_PATH"},
	"client_certificate":                 {"ARM_CLIENT_CERTIFICATE"},
	"client_certificate_path":            {"ARM_CLIENT_CERTIFICATE_PATH"},
	"client_certificate_password":        {"ARM_CLIENT_CERTIFICATE_PASSWORD"},
	"client_certificate_send_chain":      {"INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN"}, // azurerm and azuread have no such setting
	"use_oidc":                           {"ARM_USE_OIDC"},
	"oidc_token":                         {"ARM_OIDC_TOKEN"},
	"oidc_token_file_path":               {"ARM_OIDC_TOKEN_FILE_PATH"},
	"oidc_request_url":                   {"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"},
	"oidc_request_token":                 {"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"},
	"ado_pipeline_service_connection_id": {"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"},
	"use_aks_workload_identity":          {"ARM_USE_AKS_WORKLOAD_IDENTITY"},
	"use_msi":                            {"ARM_USE_MSI"},
	"use_cli":                            {"ARM_USE_CLI"},
	"environment":                        {"ARM_ENVIRONMENT"},
	"graph_endpoint":                     {"INTUNE_GRAPH_ENDPOINT"},
	"authority_host":                     {"INTUNE_AUTHORITY_HOST"},
}

// Names used directly by code and tests.
const (
	EnvTenantID      = "ARM_TENANT_ID"
	EnvClientID      = "ARM_CLIENT_ID"
	EnvClientSecret  = "ARM_CLIENT_SECRET"
	EnvEnvironment   = "ARM_ENVIRONMENT"
	EnvGraphEndpoint = "INTUNE_GRAPH_ENDPOINT"
	EnvAuthorityHost = "INTUNE_AUTHORITY_HOST"

	// EnvFederatedTokenFile is set by the AKS workload identity webhook.
	EnvFederatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
)
