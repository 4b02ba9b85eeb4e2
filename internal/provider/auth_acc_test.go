package provider_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/graph/certtest"
)

// One acceptance test per sign-in method: a real apply through the terraform CLI against
// the emulator's identity platform, then assertions on what the emulator holds and on how
// the provider signed in (which endpoint, which credential, which identity called Graph).
//
// Every test sets process environment variables (the provider runs in process), so none
// of them is parallel.

const (
	authCertApp    = "a1a1a1a1-0000-4000-8000-000000000001"
	authFedApp     = "a1a1a1a1-0000-4000-8000-000000000002"
	authMISystem   = "a1a1a1a1-0000-4000-8000-000000000003"
	authMIUser     = "a1a1a1a1-0000-4000-8000-000000000004"
	authReadOnly   = "a1a1a1a1-0000-4000-8000-000000000005"
	azureCLIAppID  = "04b07795-8ddb-461a-bbee-02f9e1bf7b46" // the Azure CLI's first-party client id
	ghSubject      = "repo:intunetf/intune-policies:environment:production"
	adoSubject     = "sc://intunetf/intune-policies/intune-production"
	adoConnection  = "5e1f0c3a-0000-4000-8000-00000000ad0c"
	k8sSubject     = "system:serviceaccount:intune:terraform"
	jwtBearerType  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	authResAddress = "intune_device_configuration_assignments.test"
)

// authEnvVars are every environment variable that can select or feed a sign-in method:
// the provider's (ARM_*, CI systems', AKS webhook's) and the ones azidentity and MSAL read
// on their own (managed identity sources, AZURE_* defaults).
var authEnvVars = []string{
	"ARM_TENANT_ID", "AZURE_TENANT_ID", "ARM_CLIENT_ID", "AZURE_CLIENT_ID",
	"ARM_CLIENT_SECRET", "ARM_CLIENT_SECRET_FILE_PATH",
	"ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PASSWORD", "INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN",
	"ARM_USE_OIDC", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH",
	"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL",
	"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN",
	"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "SYSTEM_OIDCREQUESTURI",
	"ARM_USE_AKS_WORKLOAD_IDENTITY", "AZURE_FEDERATED_TOKEN_FILE",
	"ARM_USE_MSI", "ARM_USE_CLI", "ARM_ENVIRONMENT", "INTUNE_GRAPH_ENDPOINT", "INTUNE_AUTHORITY_HOST",
	// azidentity / MSAL
	"AZURE_AUTHORITY_HOST", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"AZURE_REGIONAL_AUTHORITY_NAME", "AZURE_ADDITIONALLY_ALLOWED_TENANTS",
	"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
	"DEFAULT_IDENTITY_CLIENT_ID", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
}

// clearAuthEnv empties every sign-in variable for the test, so only what the test sets
// counts (an empty value is "not set" for the provider, azidentity and MSAL alike).
func clearAuthEnv(t *testing.T) {
	t.Helper()
	for _, v := range authEnvVars {
		t.Setenv(v, "")
	}
}

// authProvider renders a provider block pointing at the emulator, plus attribute lines.
func authProvider(env *acctest.Env, attrs ...string) string {
	var b strings.Builder
	b.WriteString("provider \"intune\" {\n")
	fmt.Fprintf(&b, "  graph_endpoint = %q\n", env.Server.URL())
	fmt.Fprintf(&b, "  authority_host = %q\n", env.Server.URL()+"/")
	for _, a := range attrs {
		b.WriteString("  " + a + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// hclStr renders `name = "value"`.
func hclStr(name, value string) string { return fmt.Sprintf("%s = %q", name, value) }

func authResource(policy string) string {
	return fmt.Sprintf(`
resource "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
  assignments             = [{ target = "all_devices" }]
}
`, policy)
}

// authCase is the usual test: apply the resource with this provider block, check the
// emulator holds the assignment plus the method-specific checks, destroy, check it is gone.
func authCase(t *testing.T, env *acctest.Env, provider, policy string, checks ...resource.TestCheckFunc) {
	t.Helper()
	all := append([]resource.TestCheckFunc{
		acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct", "allDevicesAssignmentTarget"),
		resource.TestCheckResourceAttr(authResAddress, "id", policy),
	}, checks...)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct"),
		Steps: []resource.TestStep{{
			Config: provider + authResource(policy),
			Check:  resource.ComposeAggregateTestCheckFunc(all...),
		}},
	})
}

// expectErrorCase runs one plan/apply that must fail with want.
func expectErrorCase(t *testing.T, env *acctest.Env, provider, policy string, want *regexp.Regexp) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps:                    []resource.TestStep{{Config: provider + authResource(policy), ExpectError: want}},
	})
}

func authPolicy(env *acctest.Env) string {
	return env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "Defender onboarding"})
}

// --- what reached the emulator ---

func isTokenEndpoint(r emulator.RecordedRequest) bool {
	return r.Method == "POST" && strings.HasSuffix(strings.ToLower(r.Path), "/oauth2/v2.0/token")
}

func isGraph(r emulator.RecordedRequest) bool { return strings.HasPrefix(r.Path, "/beta/") }

func requestsTo(env *acctest.Env, match func(emulator.RecordedRequest) bool) []emulator.RecordedRequest {
	var out []emulator.RecordedRequest
	for _, r := range env.Server.Requests() {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

func pathIs(method, p string) func(emulator.RecordedRequest) bool {
	return func(r emulator.RecordedRequest) bool {
		return r.Method == method && strings.EqualFold(strings.TrimSuffix(r.Path, "/"), p)
	}
}

// tokenForms are the form bodies posted to the emulator's token endpoint.
func tokenForms(env *acctest.Env) ([]url.Values, error) {
	var out []url.Values
	for _, r := range requestsTo(env, isTokenEndpoint) {
		f, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil, fmt.Errorf("token request body %q: %w", r.Body, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// jwtSegment decodes the JSON of a compact JWT's header (0) or claims (1).
func jwtSegment(tok string, i int) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// checkTokenForms asserts there was at least one token request and each satisfies check.
func checkTokenForms(env *acctest.Env, check func(url.Values) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		forms, err := tokenForms(env)
		if err != nil {
			return err
		}
		if len(forms) == 0 {
			return fmt.Errorf("no request reached the emulator's token endpoint")
		}
		for _, f := range forms {
			if err := check(f); err != nil {
				return fmt.Errorf("token request %v: %w", redactForm(f), err)
			}
		}
		return nil
	}
}

// redactForm keeps error messages short and free of credentials.
func redactForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		if k == "client_secret" || k == "client_assertion" {
			v = []string{"(redacted)"}
		}
		out[k] = v
	}
	return out
}

func checkNoTokenEndpoint(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := len(requestsTo(env, isTokenEndpoint)); n != 0 {
			return fmt.Errorf("%d requests reached the emulator's token endpoint; this method must not use it", n)
		}
		return nil
	}
}

// checkGraphCaller asserts Graph was called, always with a token of that client id.
func checkGraphCaller(env *acctest.Env, clientID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		graph := requestsTo(env, isGraph)
		if len(graph) == 0 {
			return fmt.Errorf("no Graph request reached the emulator")
		}
		for _, r := range graph {
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			c, err := jwtSegment(tok, 1)
			if err != nil {
				return fmt.Errorf("%s %s: bearer token: %w", r.Method, r.Path, err)
			}
			if c["appid"] != clientID {
				return fmt.Errorf("%s %s was made as %v, want %s", r.Method, r.Path, c["appid"], clientID)
			}
		}
		return nil
	}
}

func secretUsed(clientID, secret string) func(url.Values) error {
	return func(f url.Values) error {
		if f.Get("client_id") != clientID || f.Get("client_secret") != secret || f.Has("client_assertion") {
			return fmt.Errorf("not a client secret sign-in of %s", clientID)
		}
		return nil
	}
}

// federatedUsed: the client assertion is a token of the emulator issuer with that subject
// and Entra's audience (and, when exact is set, exactly that token).
func federatedUsed(env *acctest.Env, clientID, issuer, subject, exact string) func(url.Values) error {
	return func(f url.Values) error {
		if f.Get("client_id") != clientID || f.Get("client_assertion_type") != jwtBearerType || f.Has("client_secret") {
			return fmt.Errorf("not a client assertion sign-in of %s", clientID)
		}
		a := f.Get("client_assertion")
		if exact != "" && a != exact {
			return fmt.Errorf("the client assertion is not the configured OIDC token")
		}
		c, err := jwtSegment(a, 1)
		if err != nil {
			return err
		}
		if c["iss"] != env.Server.IssuerURL(issuer) || c["sub"] != subject || c["aud"] != emulator.DefaultFederatedAudience {
			return fmt.Errorf("assertion iss %v sub %v aud %v, want %s %s %s", c["iss"], c["sub"], c["aud"],
				env.Server.IssuerURL(issuer), subject, emulator.DefaultFederatedAudience)
		}
		return nil
	}
}

func writeTempFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func federatedToken(t *testing.T, env *acctest.Env, issuer, subject string, lifetime time.Duration) string {
	t.Helper()
	tok, err := env.Server.IssueFederatedToken(issuer, subject, emulator.DefaultFederatedAudience, lifetime)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// --- client secret ---

func TestAccAuth_clientSecretFromFile(t *testing.T) {
	clearAuthEnv(t)
	const secret = "file-secret-7Q~x.9" // a trailing newline in the file is not part of it
	env := acctest.Start(t, func(c *emulator.Config) {
		c.Apps = []emulator.App{{ClientID: emulator.DefaultClientID, ClientSecret: secret, Roles: []string{emulator.PermReadWriteAll}}}
	})
	file := writeTempFile(t, "secret", []byte(secret+"\n"))
	policy := authPolicy(env)
	authCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", emulator.DefaultClientID),
		hclStr("client_secret_file_path", file),
	), policy,
		checkTokenForms(env, secretUsed(emulator.DefaultClientID, secret)),
		checkGraphCaller(env, emulator.DefaultClientID))
}

// The inline secret and the file must agree; when they don't, nothing is sent.
func TestAccAuth_clientSecretConflictsWithFile(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t)
	file := writeTempFile(t, "secret", []byte("the-other-secret"))
	expectErrorCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", emulator.DefaultClientID),
		hclStr("client_secret", emulator.DefaultClientSecret),
		hclStr("client_secret_file_path", file),
	), authPolicy(env), regexp.MustCompile(`(?s)Conflicting\s+client_secret.*client_secret\s+and\s+the\s+content\s+of\s+client_secret_file_path`))
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("%d requests reached the emulator with conflicting secrets", n)
	}
}

// --- client certificate ---

func certApp(cert *x509.Certificate) func(*emulator.Config) {
	return func(c *emulator.Config) {
		c.Apps = []emulator.App{{ClientID: authCertApp, Roles: []string{emulator.PermReadWriteAll}, Certificates: []*x509.Certificate{cert}}}
	}
}

func testCertificate(t *testing.T, cn string) (certPEM, keyPEM []byte, cert *x509.Certificate) {
	t.Helper()
	certPEM, keyPEM, cert, err := emulator.NewTestCertificate(cn)
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM, cert
}

func TestAccAuth_clientCertificatePEMFile(t *testing.T) {
	clearAuthEnv(t)
	certPEM, keyPEM, cert := testCertificate(t, "intune-terraform")
	env := acctest.Start(t, certApp(cert))
	file := writeTempFile(t, "client.pem", append(certPEM, keyPEM...))
	policy := authPolicy(env)
	authCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", authCertApp),
		hclStr("client_certificate_path", file),
	), policy,
		checkTokenForms(env, certificateUsed(authCertApp, cert)),
		checkGraphCaller(env, authCertApp))
}

func TestAccAuth_clientCertificatePEMBase64FromEnvironment(t *testing.T) {
	clearAuthEnv(t)
	certPEM, keyPEM, cert := testCertificate(t, "intune-terraform")
	env := acctest.Start(t, certApp(cert))
	t.Setenv("ARM_TENANT_ID", env.Server.TenantID())
	t.Setenv("ARM_CLIENT_ID", authCertApp)
	t.Setenv("ARM_CLIENT_CERTIFICATE", base64.StdEncoding.EncodeToString(append(certPEM, keyPEM...)))
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		checkTokenForms(env, certificateUsed(authCertApp, cert)),
		checkGraphCaller(env, authCertApp))
}

// A password-protected PKCS#12 file with OpenSSL 3's default algorithms: a wrong password
// fails before anything is sent, the right one signs in.
func TestAccAuth_clientCertificatePFXFileWithPassword(t *testing.T) {
	clearAuthEnv(t)
	const password = "pfx-P@ssw0rd-ü"
	id := certtest.New(t, certtest.Options{})
	env := acctest.Start(t, certApp(id.Cert))
	file := writeTempFile(t, "client.pfx", id.PFX(t, pkcs12.Modern2023, password))
	policy := authPolicy(env)
	block := func(pw string) string {
		return authProvider(env,
			hclStr("tenant_id", env.Server.TenantID()),
			hclStr("client_id", authCertApp),
			hclStr("client_certificate_path", file),
			hclStr("client_certificate_password", pw),
		)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct"),
		Steps: []resource.TestStep{
			{
				Config: block("not-the-password") + authResource(policy),
				ExpectError: regexp.MustCompile(`(?s)Wrong\s+client\s+certificate\s+password.*` + phrase("The password does not open the PKCS#12 file in "+file) +
					`.*client_certificate_password.*` + phrase("Nothing was sent")),
			},
			{
				PreConfig: func() {
					if n := len(env.Server.Requests()); n != 0 {
						t.Fatalf("%d requests reached the emulator with an unreadable certificate", n)
					}
				},
				Config: block(password) + authResource(policy),
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct", "allDevicesAssignmentTarget"),
					checkTokenForms(env, certificateUsed(authCertApp, id.Cert)),
					checkGraphCaller(env, authCertApp)),
			},
		},
	})
}

// A legacy (3DES, SHA-1 MAC) PKCS#12 file, as Windows' TripleDES-SHA1 export writes it,
// from the ARM_* variables alone.
func TestAccAuth_clientCertificatePFXBase64WithPasswordFromEnvironment(t *testing.T) {
	clearAuthEnv(t)
	const password = "another pfx password"
	id := certtest.New(t, certtest.Options{})
	env := acctest.Start(t, certApp(id.Cert))
	t.Setenv("ARM_TENANT_ID", env.Server.TenantID())
	t.Setenv("ARM_CLIENT_ID", authCertApp)
	t.Setenv("ARM_CLIENT_CERTIFICATE", base64.StdEncoding.EncodeToString(id.PFX(t, pkcs12.LegacyDES, password)))
	t.Setenv("ARM_CLIENT_CERTIFICATE_PASSWORD", password)
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		checkTokenForms(env, certificateUsed(authCertApp, id.Cert)),
		checkGraphCaller(env, authCertApp))
}

// A certificate that is not uploaded to the app registration: Entra's AADSTS700027 and
// the certificate-specific next step, not a bare 401.
func TestAccAuth_clientCertificateNotRegistered(t *testing.T) {
	clearAuthEnv(t)
	_, _, registered := testCertificate(t, "registered")
	otherCert, otherKey, _ := testCertificate(t, "not-registered")
	env := acctest.Start(t, certApp(registered))
	file := writeTempFile(t, "other.pem", append(otherCert, otherKey...))
	expectErrorCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", authCertApp),
		hclStr("client_certificate_path", file),
	), authPolicy(env), regexp.MustCompile(`(?s)Signing\s+in\s+with\s+the\s+client\s+certificate\s+failed\s+\(HTTP\s+401\).*`+
		`invalid_client:\s+AADSTS700027:\s+Client\s+assertion\s+contains\s+an\s+invalid\s+signature.*`+
		`it\s+must\s+be\s+uploaded\s+to\s+the\s+app\s+registration`))
	if n := len(requestsTo(env, isGraph)); n != 0 {
		t.Fatalf("%d Graph requests after a failed sign-in", n)
	}
}

// --- OIDC (workload identity federation) ---

func fedApp(issuer, subject string) func(*emulator.Config) {
	return func(c *emulator.Config) {
		c.Apps = []emulator.App{{ClientID: authFedApp, Roles: []string{emulator.PermReadWriteAll},
			FederatedCredentials: []emulator.FederatedCredential{{Issuer: issuer, Subject: subject}}}}
	}
}

func TestAccAuth_oidcToken(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t, fedApp("github", ghSubject))
	tok := federatedToken(t, env, "github", ghSubject, 0)
	policy := authPolicy(env)
	authCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", authFedApp),
		"use_oidc = true",
		hclStr("oidc_token", tok),
	), policy,
		checkTokenForms(env, federatedUsed(env, authFedApp, "github", ghSubject, tok)),
		checkGraphCaller(env, authFedApp))
}

func TestAccAuth_oidcTokenFileFromEnvironment(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t, fedApp("tfc", "organization:intunetf:workspace:policies:run_phase:apply"))
	tok := federatedToken(t, env, "tfc", "organization:intunetf:workspace:policies:run_phase:apply", 0)
	t.Setenv("ARM_TENANT_ID", env.Server.TenantID())
	t.Setenv("ARM_CLIENT_ID", authFedApp)
	t.Setenv("ARM_USE_OIDC", "true")
	t.Setenv("ARM_OIDC_TOKEN_FILE_PATH", writeTempFile(t, "oidc-token", []byte(tok+"\n")))
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		checkTokenForms(env, federatedUsed(env, authFedApp, "tfc", "organization:intunetf:workspace:policies:run_phase:apply", tok)),
		checkGraphCaller(env, authFedApp))
}

// The variables a GitHub Actions job with `permissions: id-token: write` has.
func TestAccAuth_githubActionsFromEnvironment(t *testing.T) {
	clearAuthEnv(t)
	const requestToken = "gh-request-token-3f9a"
	env := acctest.Start(t, fedApp("github", ghSubject))
	env.Server.SetGitHubRequestToken(requestToken, ghSubject)
	t.Setenv("ARM_TENANT_ID", env.Server.TenantID())
	t.Setenv("ARM_CLIENT_ID", authFedApp)
	t.Setenv("ARM_USE_OIDC", "true")
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", env.Server.URL()+"/github/idtoken?api-version=2.0")
	t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", requestToken)
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		func(*terraform.State) error {
			reqs := requestsTo(env, func(r emulator.RecordedRequest) bool { return strings.HasPrefix(r.Path, "/github/idtoken") })
			if len(reqs) == 0 {
				return fmt.Errorf("the GitHub ID token endpoint was not called")
			}
			for _, r := range reqs {
				q, _ := url.ParseQuery(r.RawQuery)
				if r.Status != 200 || r.Header.Get("Authorization") != "Bearer "+requestToken ||
					q.Get("audience") != emulator.DefaultFederatedAudience || q.Get("api-version") != "2.0" {
					return fmt.Errorf("GitHub ID token request %s?%s answered %d", r.Path, r.RawQuery, r.Status)
				}
			}
			return nil
		},
		checkTokenForms(env, federatedUsed(env, authFedApp, "github", ghSubject, "")),
		checkGraphCaller(env, authFedApp))
}

// The variables an Azure Pipelines task has when it maps SYSTEM_ACCESSTOKEN.
func TestAccAuth_azurePipelinesFromEnvironment(t *testing.T) {
	clearAuthEnv(t)
	const systemAccessToken = "ado-system-access-token-77c1"
	env := acctest.Start(t, fedApp("ado", adoSubject))
	env.Server.SetAzurePipelinesToken(systemAccessToken, adoConnection, adoSubject)
	t.Setenv("ARM_TENANT_ID", env.Server.TenantID())
	t.Setenv("ARM_CLIENT_ID", authFedApp)
	t.Setenv("ARM_USE_OIDC", "true")
	t.Setenv("SYSTEM_OIDCREQUESTURI", env.Server.URL()+"/ado/oidctoken")
	t.Setenv("SYSTEM_ACCESSTOKEN", systemAccessToken)
	t.Setenv("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", adoConnection)
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		func(*terraform.State) error {
			reqs := requestsTo(env, pathIs("POST", "/ado/oidctoken"))
			if len(reqs) == 0 {
				return fmt.Errorf("the Azure DevOps OIDC endpoint was not called")
			}
			for _, r := range reqs {
				q, _ := url.ParseQuery(r.RawQuery)
				if r.Status != 200 || q.Get("serviceConnectionId") != adoConnection || r.Header.Get("Authorization") != "Bearer "+systemAccessToken {
					return fmt.Errorf("Azure DevOps OIDC request ?%s answered %d", r.RawQuery, r.Status)
				}
			}
			return nil
		},
		checkTokenForms(env, federatedUsed(env, authFedApp, "ado", adoSubject, "")),
		checkGraphCaller(env, authFedApp))
}

func TestAccAuth_oidcTokenExpired(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t, fedApp("github", ghSubject))
	expired := federatedToken(t, env, "github", ghSubject, -time.Minute)
	expectErrorCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", authFedApp),
		"use_oidc = true",
		hclStr("oidc_token", expired),
	), authPolicy(env), regexp.MustCompile(`(?s)Signing\s+in\s+with\s+the\s+OIDC\s+token\s+failed.*`+
		`invalid_client:\s+AADSTS700024:\s+Client\s+assertion\s+is\s+not\s+within\s+its\s+valid\s+time\s+range.*`+
		`Check\s+the\s+app\s+registration's\s+federated\s+credential`))
	if n := len(requestsTo(env, isGraph)); n != 0 {
		t.Fatalf("%d Graph requests after a failed sign-in", n)
	}
}

// --- AKS workload identity ---

// Only what the AKS webhook injects into the pod, plus the switch; no ARM_TENANT_ID or
// ARM_CLIENT_ID.
func TestAccAuth_aksWorkloadIdentity(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t, fedApp("k8s", k8sSubject))
	tok := federatedToken(t, env, "k8s", k8sSubject, 0)
	t.Setenv("ARM_USE_AKS_WORKLOAD_IDENTITY", "true")
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", writeTempFile(t, "azure-identity-token", []byte(tok)))
	t.Setenv("AZURE_CLIENT_ID", authFedApp)
	t.Setenv("AZURE_TENANT_ID", env.Server.TenantID())
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		checkTokenForms(env, federatedUsed(env, authFedApp, "k8s", k8sSubject, tok)),
		checkGraphCaller(env, authFedApp))
}

// --- managed identity (App Service endpoint) ---

// miEnv registers the identities as apps (their roles) and turns on the App Service
// endpoint. MSAL keeps managed identity tokens in a process-wide cache and reuses one until
// 5 minutes before it expires, so a 4-minute lifetime keeps a token of another test's
// emulator from being reused here (a real provider process is short-lived).
func miEnv(t *testing.T) *acctest.Env {
	t.Helper()
	clearAuthEnv(t)
	env := acctest.Start(t, func(c *emulator.Config) {
		c.TokenLifetime = 4 * time.Minute
		c.Apps = []emulator.App{
			{ClientID: authMISystem, Roles: []string{emulator.PermReadWriteAll}},
			{ClientID: authMIUser, Roles: []string{emulator.PermReadWriteAll}},
		}
	})
	const header = "identity-header-5d2e"
	env.Server.SetManagedIdentity(header, authMISystem, map[string]bool{authMIUser: true})
	t.Setenv("IDENTITY_ENDPOINT", env.Server.URL()+"/msi/token")
	t.Setenv("IDENTITY_HEADER", header)
	return env
}

func checkMIRequests(env *acctest.Env, userAssigned string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		reqs := requestsTo(env, pathIs("GET", "/msi/token"))
		if len(reqs) == 0 {
			return fmt.Errorf("the managed identity endpoint was not called")
		}
		for _, r := range reqs {
			q, _ := url.ParseQuery(r.RawQuery)
			if r.Status != 200 || q.Get("client_id") != userAssigned {
				return fmt.Errorf("managed identity request ?%s answered %d, want client_id %q", r.RawQuery, r.Status, userAssigned)
			}
		}
		return nil
	}
}

func TestAccAuth_managedIdentitySystemAssigned(t *testing.T) {
	env := miEnv(t)
	policy := authPolicy(env)
	authCase(t, env, authProvider(env, "use_msi = true"), policy,
		checkMIRequests(env, ""),
		checkNoTokenEndpoint(env),
		checkGraphCaller(env, authMISystem))
}

func TestAccAuth_managedIdentityUserAssignedFromEnvironment(t *testing.T) {
	env := miEnv(t)
	t.Setenv("ARM_USE_MSI", "true")
	t.Setenv("ARM_CLIENT_ID", authMIUser)
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		checkMIRequests(env, authMIUser),
		checkNoTokenEndpoint(env),
		checkGraphCaller(env, authMIUser))
}

// --- Azure CLI ---

// fakeAz puts an `az` on PATH that logs its arguments and runs body.
func fakeAz(t *testing.T, body string) (argsLog string) {
	t.Helper()
	dir := t.TempDir()
	argsLog = filepath.Join(dir, "az.args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + argsLog + "'\n" + body
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o700); err != nil { // #nosec G306 -- must be executable
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsLog
}

// No credentials at all: the provider falls back to the Azure CLI's account, whose token
// is delegated (scp), for Graph's audience.
func TestAccAuth_azureCLI(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t)
	tok, err := env.Server.IssueToken(emulator.TokenOptions{
		ClientID: azureCLIAppID,
		Scopes:   []string{emulator.PermReadWriteAll},
		Lifetime: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	out, _ := json.Marshal(map[string]any{
		"accessToken":  tok,
		"expiresOn":    exp.Local().Format("2006-01-02 15:04:05.000000"),
		"expires_on":   exp.Unix(),
		"subscription": "00000000-0000-4000-8000-00000000cafe",
		"tenant":       env.Server.TenantID(),
		"tokenType":    "Bearer",
	})
	argsLog := fakeAz(t, "cat <<'EOF'\n"+string(out)+"\nEOF\n")
	policy := authPolicy(env)
	authCase(t, env, authProvider(env), policy,
		func(*terraform.State) error {
			b, err := os.ReadFile(argsLog)
			if err != nil {
				return fmt.Errorf("az was not run: %w", err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if !strings.HasPrefix(line, "account get-access-token -o json --resource https://graph.microsoft.com") {
					return fmt.Errorf("az was run as `az %s`", line)
				}
			}
			return nil
		},
		checkNoTokenEndpoint(env),
		checkGraphCaller(env, azureCLIAppID))
}

func TestAccAuth_azureCLINotLoggedIn(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t)
	fakeAz(t, "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n")
	expectErrorCase(t, env, authProvider(env), authPolicy(env), regexp.MustCompile(
		`(?s)Signing\s+in\s+with\s+the\s+Azure\s+CLI\s+failed.*Please\s+run\s+'az\s+login'.*Run\s+`+"`az\\s+login`"))
	if n := len(requestsTo(env, isGraph)); n != 0 {
		t.Fatalf("%d Graph requests after a failed sign-in", n)
	}
}

// --- permissions ---

// Signing in works, but the app was only granted Read.All: the error names the
// permission to grant.
func TestAccAuth_missingWritePermissionNamed(t *testing.T) {
	clearAuthEnv(t)
	env := acctest.Start(t, func(c *emulator.Config) {
		c.Apps = []emulator.App{{ClientID: authReadOnly, ClientSecret: "read-only-secret", Roles: []string{emulator.PermReadAll}}}
	})
	policy := authPolicy(env)
	expectErrorCase(t, env, authProvider(env,
		hclStr("tenant_id", env.Server.TenantID()),
		hclStr("client_id", authReadOnly),
		hclStr("client_secret", "read-only-secret"),
	), policy, regexp.MustCompile(`(?s)HTTP\s+403.*application\s+permission\s+DeviceManagementConfiguration\.ReadWrite\.All`))
	if as, _ := env.Server.DeviceConfigurationAssignments(policy); len(as) != 0 {
		t.Fatalf("a read-only app assigned %v", as)
	}
	if len(requestsTo(env, func(r emulator.RecordedRequest) bool { return isGraph(r) && r.Status == 403 })) == 0 {
		t.Fatal("Graph never answered 403")
	}
}
