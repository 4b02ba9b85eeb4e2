package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Method is a way to sign in. Credentials.Method picks one in this documented order:
// client certificate, client secret, OIDC (token, token file, Azure Pipelines, GitHub
// Actions), AKS workload identity, managed identity, Azure CLI.
type Method string

const (
	MethodClientCertificate = Method("client certificate")
	MethodClientSecret      = Method("client secret")
	MethodOIDCToken         = Method("OIDC token")
	MethodOIDCTokenFile     = Method("OIDC token file")
	MethodAzurePipelines    = Method("Azure Pipelines OIDC")
	MethodGitHubActions     = Method("GitHub Actions OIDC")
	MethodWorkloadIdentity  = Method("AKS workload identity")
	MethodManagedIdentity   = Method("managed identity")
	MethodAzureCLI          = Method("Azure CLI")
)

// FederatedAudience is the audience Entra expects in a federated (OIDC) token in the
// global cloud; Clouds gives each cloud's.
const FederatedAudience = "api://AzureADTokenExchange"

// Credentials are the sign-in settings, resolved from the provider block and the
// environment. Only one method is used: the first one configured, in Method's order.
type Credentials struct {
	TenantID string
	ClientID string

	ClientSecret string

	ClientCertificate         []byte // PKCS#12 (PFX) or PEM, certificate and key; see ParseClientCertificate
	ClientCertificatePassword string // of the PKCS#12 file or the encrypted PEM key
	ClientCertificateSource   string // names the certificate in errors: its path, or the setting it came from
	SendCertificateChain      bool   // x5c header, for subject name/issuer authentication

	UseOIDC                bool
	OIDCToken              string
	OIDCTokenFilePath      string // read on every token request: such tokens rotate
	OIDCRequestURL         string // GitHub Actions ACTIONS_ID_TOKEN_REQUEST_URL
	OIDCRequestToken       string // GitHub ACTIONS_ID_TOKEN_REQUEST_TOKEN, or Azure DevOps System.AccessToken
	ADOServiceConnectionID string // Azure Pipelines service connection (SYSTEM_OIDCREQUESTURI comes from the agent)

	UseAKSWorkloadIdentity bool
	FederatedTokenFile     string // AZURE_FEDERATED_TOKEN_FILE

	UseMSI bool // ClientID, when set, picks a user-assigned identity

	UseCLI bool

	// FederatedAudience is asked for when this provider requests the OIDC token itself
	// (GitHub Actions); empty means FederatedAudience.
	FederatedAudience string
}

// methodOrder is the documented order. Each entry says whether its settings are present,
// or why they are present but unusable (use_oidc without a token source).
var methodOrder = []struct {
	method  Method
	present func(Credentials) (bool, error)
}{
	{MethodClientCertificate, func(c Credentials) (bool, error) { return len(c.ClientCertificate) > 0, nil }},
	{MethodClientSecret, func(c Credentials) (bool, error) { return c.ClientSecret != "", nil }},
	{MethodOIDCToken, func(c Credentials) (bool, error) { return c.UseOIDC && c.OIDCToken != "", nil }},
	{MethodOIDCTokenFile, func(c Credentials) (bool, error) { return c.UseOIDC && c.OIDCTokenFilePath != "", nil }},
	{MethodAzurePipelines, func(c Credentials) (bool, error) {
		return c.UseOIDC && c.ADOServiceConnectionID != "" && c.OIDCRequestToken != "", nil
	}},
	{MethodGitHubActions, func(c Credentials) (bool, error) {
		if c.UseOIDC && (c.OIDCRequestURL == "" || c.OIDCRequestToken == "") {
			return false, errors.New("use_oidc is set but no token source is: set oidc_token, oidc_token_file_path, " +
				"ado_pipeline_service_connection_id with oidc_request_token (System.AccessToken), " +
				"or oidc_request_url with oidc_request_token (GitHub Actions sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN when the job has `permissions: id-token: write`)")
		}
		return c.UseOIDC, nil
	}},
	{MethodWorkloadIdentity, func(c Credentials) (bool, error) {
		if c.UseAKSWorkloadIdentity && c.FederatedTokenFile == "" {
			return false, errors.New("use_aks_workload_identity is set but AZURE_FEDERATED_TOKEN_FILE is not: is the pod labelled azure.workload.identity/use=true?")
		}
		return c.UseAKSWorkloadIdentity, nil
	}},
	{MethodManagedIdentity, func(c Credentials) (bool, error) { return c.UseMSI, nil }},
	{MethodAzureCLI, func(c Credentials) (bool, error) { return c.UseCLI, nil }},
}

// Method says which sign-in method these credentials select, or why none can be used.
func (c Credentials) Method() (Method, error) {
	for _, o := range methodOrder {
		ok, err := o.present(c)
		if err != nil {
			return "", err
		}
		if ok {
			return o.method, nil
		}
	}
	return "", errors.New("no sign-in method is configured: set client_secret, client_certificate_path, use_oidc, " +
		"use_msi or use_cli (or their ARM_* environment variables)")
}

// Configured lists the methods these credentials have settings for, in order, so the
// provider can say which ones it ignores. OIDC sources count once (the first present), and
// the Azure CLI, on by default as the last resort, is not listed.
func (c Credentials) Configured() []Method {
	var out []Method
	oidc := false
	for _, o := range methodOrder {
		if ok, _ := o.present(c); !ok || o.method == MethodAzureCLI {
			continue
		}
		isOIDC := o.method == MethodOIDCToken || o.method == MethodOIDCTokenFile || o.method == MethodAzurePipelines || o.method == MethodGitHubActions
		if isOIDC && oidc {
			continue
		}
		oidc = oidc || isOIDC
		out = append(out, o.method)
	}
	return out
}

// credential builds the azidentity credential for the selected method. It sends nothing.
func (c Credentials) credential(method Method, authority string, customAuthority bool, transport http.RoundTripper) (azcore.TokenCredential, error) {
	httpClient := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	co := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: authority},
		Transport: httpClient,
		Retry:     policy.RetryOptions{MaxRetries: 3},
	}
	assertion := func(get func(context.Context) (string, error)) (azcore.TokenCredential, error) {
		return azidentity.NewClientAssertionCredential(c.TenantID, c.ClientID, get,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customAuthority})
	}
	switch method {
	case MethodClientCertificate:
		cc, err := ParseClientCertificate(c.ClientCertificate, c.ClientCertificatePassword, c.ClientCertificateSource)
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, cc.Chain, cc.Key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customAuthority, SendCertificateChain: c.SendCertificateChain})
	case MethodClientSecret:
		return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customAuthority})
	case MethodOIDCToken:
		token := c.OIDCToken
		return assertion(func(context.Context) (string, error) { return token, nil })
	case MethodOIDCTokenFile:
		path := c.OIDCTokenFilePath
		return assertion(func(context.Context) (string, error) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("reading oidc_token_file_path: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		})
	case MethodGitHubActions:
		audience := c.FederatedAudience
		if audience == "" {
			audience = FederatedAudience
		}
		return assertion(githubToken(httpClient, c.OIDCRequestURL, c.OIDCRequestToken, audience))
	case MethodAzurePipelines:
		return azidentity.NewAzurePipelinesCredential(c.TenantID, c.ClientID, c.ADOServiceConnectionID, c.OIDCRequestToken,
			&azidentity.AzurePipelinesCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: customAuthority})
	case MethodWorkloadIdentity:
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: co, ClientID: c.ClientID, TenantID: c.TenantID, TokenFilePath: c.FederatedTokenFile,
			DisableInstanceDiscovery: customAuthority})
	case MethodManagedIdentity:
		opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if c.ClientID != "" {
			opts.ID = azidentity.ClientID(c.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(opts)
	case MethodAzureCLI:
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: c.TenantID})
	}
	return nil, fmt.Errorf("unknown sign-in method %q", method)
}

// githubToken asks the GitHub Actions token service for an ID token with Entra's audience,
// as the azure/login action does; each token request gets a fresh one.
func githubToken(client *http.Client, requestURL, requestToken, audience string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		u, err := url.Parse(requestURL)
		if err != nil {
			return "", fmt.Errorf("oidc_request_url %q: %w", requestURL, err)
		}
		q := u.Query()
		q.Set("audience", audience)
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+requestToken)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("requesting a GitHub Actions ID token: %w", err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("requesting a GitHub Actions ID token: HTTP %d (does the job have `permissions: id-token: write`?)", resp.StatusCode)
		}
		var out struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
			return "", errors.New("requesting a GitHub Actions ID token: the answer has no token")
		}
		return out.Value, nil
	}
}

// namedCredential labels sign-in failures with the method, and turns them into a
// SignInError carrying what the identity platform answered.
type namedCredential struct {
	azcore.TokenCredential
	method Method
}

func (n namedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := n.TokenCredential.GetToken(ctx, opts)
	if err != nil {
		return tok, newSignInError(n.method, err)
	}
	return tok, nil
}

// SignInError is a failed token request: which method was tried and what the identity
// platform answered, so a person sees the AADSTS code and message instead of a bare 401.
type SignInError struct {
	Method      Method
	StatusCode  int
	Code        string // OAuth error, e.g. invalid_client
	Description string // first line of error_description, e.g. "AADSTS7000215: Invalid client secret provided. ..."
	Err         error
}

func newSignInError(m Method, err error) *SignInError {
	out := &SignInError{Method: m, Err: err}
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) && af.RawResponse != nil {
		out.StatusCode = af.RawResponse.StatusCode
		if body, rerr := runtime.Payload(af.RawResponse); rerr == nil {
			var doc struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if json.Unmarshal(body, &doc) == nil {
				out.Code = doc.Error
				// The rest (trace and correlation ids, timestamp) is for support cases.
				out.Description = strings.TrimSpace(strings.SplitN(doc.Description, "\r\n", 2)[0])
			}
		}
	}
	return out
}

func (e *SignInError) Error() string {
	if e.Code == "" && e.Description == "" {
		return fmt.Sprintf("signing in with the %s failed: %v", e.Method, e.Err)
	}
	return fmt.Sprintf("signing in with the %s failed: %s: %s", e.Method, e.Code, e.Description)
}

func (e *SignInError) Unwrap() error { return e.Err }

// nextStep says what to check for each method.
var nextStep = map[Method]string{
	MethodClientSecret:      "Check tenant_id, client_id and client_secret (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET), and that the secret has not expired.",
	MethodClientCertificate: "Check tenant_id, client_id and the certificate (ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD): it must be uploaded to the app registration and not expired.",
	MethodOIDCToken:         "Check the app registration's federated credential: its issuer, subject and audience (" + FederatedAudience + ") must match the token.",
	MethodOIDCTokenFile:     "Check oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH) and the app registration's federated credential: issuer, subject and audience (" + FederatedAudience + ").",
	MethodGitHubActions:     "Check the job has `permissions: id-token: write` and the app registration has a federated credential for this repository, branch or environment (subject repo:ORG/REPO:...).",
	MethodAzurePipelines:    "Check ado_pipeline_service_connection_id (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID), that the step passes SYSTEM_ACCESSTOKEN, and the service connection's workload identity federation.",
	MethodWorkloadIdentity:  "Check the pod's service account is federated with the app registration (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE).",
	MethodManagedIdentity:   "Check the machine has a managed identity (and client_id names a user-assigned one attached to it).",
	MethodAzureCLI:          "Run `az login` (with --tenant for another tenant), or configure another method: client_secret, client_certificate_path, use_oidc or use_msi.",
}

// Details is a multi-line description for a diagnostic's detail text.
func (e *SignInError) Details() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Signing in with the %s failed", e.Method)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	b.WriteString(".\n\n")
	if e.Description != "" {
		fmt.Fprintf(&b, "The identity platform answered %s: %s\n\n", e.Code, e.Description)
	} else {
		fmt.Fprintf(&b, "%v\n\n", e.Err)
	}
	b.WriteString(nextStep[e.Method])
	b.WriteString("\n\nNothing was sent to Graph: no request is made without a token.")
	return b.String()
}
