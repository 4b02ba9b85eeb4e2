package provider

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/intunetf/terraform-provider-intune/internal/graph/certtest"
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

// The certificate is read when the provider is configured: each problem is an error on
// the argument to change, naming the file or the setting the certificate came from, with
// neither the password nor the certificate's content in it.
func TestResolveConfigReadsTheClientCertificate(t *testing.T) {
	const password = "config-test-password"
	id := certtest.New(t, certtest.Options{})
	expired := certtest.New(t, certtest.Options{NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Minute)})
	pfx := id.PFX(t, pkcs12.Modern2023, password)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pfxPath, certOnly := write("client.pfx", pfx), write("client.crt", id.CertPEM())
	ids := map[string]string{EnvTenantID: "t", EnvClientID: "c"}
	with := func(kv ...string) map[string]string {
		e := map[string]string{}
		for k, v := range ids {
			e[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			e[kv[i]] = kv[i+1]
		}
		return e
	}
	b64 := base64.StdEncoding.EncodeToString

	cases := []struct {
		name    string
		m       providerModel
		env     map[string]string
		summary string // "" for no error
		attr    string
		source  string // named in the detail (or, without an error, ClientCertificateSource)
	}{
		{"PKCS#12 path and password in HCL", providerModel{ClientCertificatePath: types.StringValue(pfxPath), ClientCertificatePassword: types.StringValue(password)}, with(), "", "", pfxPath},
		{"PKCS#12 in ARM_CLIENT_CERTIFICATE", providerModel{}, with("ARM_CLIENT_CERTIFICATE", b64(pfx), "ARM_CLIENT_CERTIFICATE_PASSWORD", password), "", "", "ARM_CLIENT_CERTIFICATE"},
		{"inline and path agree: the path is named", providerModel{ClientCertificate: types.StringValue(b64(pfx)), ClientCertificatePath: types.StringValue(pfxPath), ClientCertificatePassword: types.StringValue(password)}, with(), "", "", pfxPath},
		{"wrong password from the environment", providerModel{}, with("ARM_CLIENT_CERTIFICATE", b64(pfx), "ARM_CLIENT_CERTIFICATE_PASSWORD", "wrong-"+password), "Wrong client certificate password", "client_certificate_password", "ARM_CLIENT_CERTIFICATE"},
		{"no password", providerModel{ClientCertificatePath: types.StringValue(pfxPath)}, with(), "Client certificate needs a password", "client_certificate_password", pfxPath},
		{"no private key", providerModel{}, with("ARM_CLIENT_CERTIFICATE_PATH", certOnly), "Client certificate without its private key", "client_certificate_path", certOnly},
		{"expired, base64 in HCL", providerModel{ClientCertificate: types.StringValue(b64(expired.PEM(t, certtest.PKCS8, "")))}, with(), "Client certificate expired", "client_certificate", "client_certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, diags := resolveConfig(c.m, env(c.env))
			if c.summary == "" {
				if diags.HasError() {
					t.Fatal(diags)
				}
				if cfg.Credentials.ClientCertificateSource != c.source {
					t.Fatalf("source %q, want %q", cfg.Credentials.ClientCertificateSource, c.source)
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want one error %q, got %v", c.summary, diags)
			}
			d := diags.Errors()[0]
			wp, ok := d.(diag.DiagnosticWithPath)
			if d.Summary() != c.summary || !ok || !wp.Path().Equal(path.Root(c.attr)) {
				t.Fatalf("got %q on %v, want %q on %s", d.Summary(), wp, c.summary, c.attr)
			}
			if !strings.Contains(d.Detail(), " "+c.source) {
				t.Errorf("the detail does not name %s:\n%s", c.source, d.Detail())
			}
			for _, secret := range []string{password, b64(pfx)[100:160], pemBody(id.KeyPEM(t, certtest.PKCS8, "")), pemBody(expired.KeyPEM(t, certtest.PKCS8, ""))} {
				if strings.Contains(d.Detail(), secret) {
					t.Errorf("the detail holds the password or key material:\n%s", d.Detail())
				}
			}
		})
	}
}

// pemBody is a full 64-character line from the middle of a PEM block.
func pemBody(p []byte) string {
	lines := strings.Split(string(p), "\n")
	return lines[len(lines)/2]
}

// The chain is sent only when asked, in HCL or INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN: the
// azurerm and azuread providers have no such setting, so there is no ARM_* name for it.
func TestResolveConfigSendChainSetting(t *testing.T) {
	cases := []struct {
		m    providerModel
		env  map[string]string
		want bool
	}{
		{providerModel{}, nil, false},
		{providerModel{}, map[string]string{"INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN": "true"}, true},
		{providerModel{}, map[string]string{"ARM_CLIENT_CERTIFICATE_SEND_CHAIN": "true"}, false},
		{providerModel{ClientCertificateChain: types.BoolValue(true)}, nil, true},
		{providerModel{ClientCertificateChain: types.BoolValue(false)}, map[string]string{"INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN": "true"}, false},
	}
	for _, c := range cases {
		e := map[string]string{EnvTenantID: "t", EnvClientID: "c", EnvClientSecret: "s"}
		for k, v := range c.env {
			e[k] = v
		}
		cfg, diags := resolveConfig(c.m, env(e))
		if diags.HasError() || cfg.Credentials.SendCertificateChain != c.want {
			t.Errorf("%+v %v: send chain %v, want %v (%v)", c.m.ClientCertificateChain, c.env, cfg.Credentials.SendCertificateChain, c.want, diags)
		}
	}
}
