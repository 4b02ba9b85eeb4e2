package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

type mapEnv map[string]string

func (m mapEnv) Getenv(k string) string { return m[k] }

func env(m map[string]string) Env { return mapEnv(m) }

var creds = map[string]string{EnvTenantID: "t-env", EnvClientID: "c-env", EnvClientSecret: "s-env"}

func TestResolveConfigMapsEachEnvironmentToItsHostsAndScope(t *testing.T) {
	cases := map[string][3]string{
		"":             {"https://login.microsoftonline.com/", "https://graph.microsoft.com", "https://graph.microsoft.com/.default"},
		"public":       {"https://login.microsoftonline.com/", "https://graph.microsoft.com", "https://graph.microsoft.com/.default"},
		"global":       {"https://login.microsoftonline.com/", "https://graph.microsoft.com", "https://graph.microsoft.com/.default"},
		"usgovernment": {"https://login.microsoftonline.us/", "https://graph.microsoft.us", "https://graph.microsoft.us/.default"},
		"dod":          {"https://login.microsoftonline.us/", "https://dod-graph.microsoft.us", "https://dod-graph.microsoft.us/.default"},
		"china":        {"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/.default"},
	}
	for name, want := range cases {
		m := providerModel{Environment: types.StringValue(name)}
		if name == "" {
			m.Environment = types.StringNull()
		}
		cfg, diags := resolveConfig(m, env(creds))
		if diags.HasError() {
			t.Fatalf("%q: %v", name, diags)
		}
		got := [3]string{cfg.Cloud.AuthorityHost, cfg.Cloud.GraphEndpoint, cfg.Scope}
		if got != want {
			t.Errorf("environment %q: got %q, want %q", name, got, want)
		}
		if cfg.CustomAuthority {
			t.Errorf("environment %q: a known cloud must keep instance discovery", name)
		}
	}
}

func TestResolveConfigPrefersHCLOverEnvironment(t *testing.T) {
	m := providerModel{
		TenantID: types.StringValue("t-hcl"), ClientSecret: types.StringValue("s-hcl"),
		Environment: types.StringNull(), GraphEndpoint: types.StringNull(), AuthorityHost: types.StringNull(),
	}
	e := map[string]string{EnvTenantID: "t-env", EnvClientID: "c-env", EnvClientSecret: "s-env", EnvEnvironment: "china"}
	cfg, diags := resolveConfig(m, env(e))
	if diags.HasError() {
		t.Fatal(diags)
	}
	c := cfg.Credentials
	if c.TenantID != "t-hcl" || c.ClientSecret != "s-hcl" || c.ClientID != "c-env" {
		t.Fatalf("HCL must win and env fill the gaps, got tenant=%q client=%q secret=%q", c.TenantID, c.ClientID, c.ClientSecret)
	}
	if cfg.Cloud.GraphEndpoint != "https://microsoftgraph.chinacloudapi.cn" {
		t.Fatalf("ARM_ENVIRONMENT ignored: %q", cfg.Cloud.GraphEndpoint)
	}
}

func TestResolveConfigCustomEndpointsKeepTheCloudScope(t *testing.T) {
	m := providerModel{Environment: types.StringValue("usgovernment")}
	e := map[string]string{EnvTenantID: "t", EnvClientID: "c", EnvClientSecret: "s",
		EnvGraphEndpoint: "https://127.0.0.1:8443", EnvAuthorityHost: "https://127.0.0.1:8443/"}
	cfg, diags := resolveConfig(m, env(e))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if cfg.Cloud.GraphEndpoint != "https://127.0.0.1:8443" || cfg.Cloud.AuthorityHost != "https://127.0.0.1:8443/" {
		t.Fatalf("endpoints not overridden: %+v", cfg.Cloud)
	}
	if !cfg.CustomAuthority {
		t.Fatal("a custom authority host must turn off instance discovery")
	}
	if cfg.Scope != "https://graph.microsoft.us/.default" {
		t.Fatalf("scope %q, want the cloud's Graph", cfg.Scope)
	}
}

func TestResolveConfigReportsEachMissingOrBadSetting(t *testing.T) {
	_, diags := resolveConfig(providerModel{ClientSecret: types.StringValue("s")}, env(nil))
	var got []string
	for _, d := range diags.Errors() {
		got = append(got, d.Summary())
	}
	if want := "Missing tenant_id,Missing client_id"; strings.Join(got, ",") != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !strings.Contains(diags.Errors()[0].Detail(), "ARM_TENANT_ID") || !strings.Contains(diags.Errors()[0].Detail(), "client secret") {
		t.Fatalf("the diagnostic must name the method and the environment variable: %s", diags.Errors()[0].Detail())
	}

	_, diags = resolveConfig(providerModel{UseCLI: types.BoolValue(false)}, env(nil))
	if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != "No usable sign-in method" {
		t.Fatalf("want No usable sign-in method, got %v", diags)
	}
	_, diags = resolveConfig(providerModel{GraphEndpoint: types.StringValue("graph.contoso.test")}, env(creds))
	if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != "Invalid graph_endpoint" {
		t.Fatalf("want Invalid graph_endpoint, got %v", diags)
	}
	_, diags = resolveConfig(providerModel{Environment: types.StringValue("mars")}, env(creds))
	if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != "Unknown environment" {
		t.Fatalf("want Unknown environment, got %v", diags)
	}
	_, diags = resolveConfig(providerModel{}, env(map[string]string{"ARM_USE_MSI": "yes please"}))
	if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != "Invalid use_msi" {
		t.Fatalf("want Invalid use_msi, got %v", diags)
	}
}

func TestResolveConfigChoosesTheFirstMethodInOrderAndWarnsAboutTheRest(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ARM_CLIENT_SECRET": "s", "ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN": "t", "ARM_USE_MSI": "true"}, "client secret"},
		{map[string]string{"ARM_USE_OIDC": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh/x", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "r", "ARM_USE_MSI": "true"}, "GitHub Actions OIDC"},
		{map[string]string{"ARM_USE_OIDC": "true", "SYSTEM_ACCESSTOKEN": "a", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID": "sc"}, "Azure Pipelines OIDC"},
		{map[string]string{"ARM_USE_AKS_WORKLOAD_IDENTITY": "true", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token", "ARM_USE_MSI": "true"}, "AKS workload identity"},
		{map[string]string{"ARM_USE_MSI": "true"}, "managed identity"},
		{map[string]string{}, "Azure CLI"},
	}
	for _, c := range cases {
		e := map[string]string{"ARM_TENANT_ID": "t", "ARM_CLIENT_ID": "c"}
		for k, v := range c.env {
			e[k] = v
		}
		cfg, diags := resolveConfig(providerModel{}, env(e))
		if diags.HasError() {
			t.Fatalf("%v: %v", c.env, diags)
		}
		m, err := cfg.Credentials.Method()
		if err != nil || string(m) != c.want {
			t.Errorf("%v: method %q (%v), want %q", c.env, m, err, c.want)
		}
		several := len(cfg.Credentials.Configured()) > 1
		if several != (diags.WarningsCount() == 1) {
			t.Errorf("%v: %d warnings for %d configured methods", c.env, diags.WarningsCount(), len(cfg.Credentials.Configured()))
		}
	}
}

func TestResolveConfigAsksEachCloudsFederatedAudience(t *testing.T) {
	for envName, want := range map[string]string{"global": "api://AzureADTokenExchange", "usgovernment": "api://AzureADTokenExchangeUSGov",
		"dod": "api://AzureADTokenExchangeUSGov", "china": "api://AzureADTokenExchangeChina"} {
		cfg, diags := resolveConfig(providerModel{Environment: types.StringValue(envName)}, env(creds))
		if diags.HasError() || cfg.Credentials.FederatedAudience != want {
			t.Errorf("%s: audience %q, want %q (%v)", envName, cfg.Credentials.FederatedAudience, want, diags)
		}
	}
}
