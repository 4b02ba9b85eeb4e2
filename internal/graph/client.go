// Package graph is the provider's Microsoft Graph client: sign-in through azidentity,
// cloud endpoints, the kiota request adapter and its middleware, typed errors, and the
// assignment calls for each policy family. It knows nothing about Terraform.
package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	formser "github.com/microsoft/kiota-serialization-form-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	multipartser "github.com/microsoft/kiota-serialization-multipart-go"
	textser "github.com/microsoft/kiota-serialization-text-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	coreauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
)

// Cloud is one Microsoft cloud: where to sign in and where Graph lives.
type Cloud struct {
	AuthorityHost     string // login host, e.g. https://login.microsoftonline.com/
	GraphEndpoint     string // Graph root without the version, e.g. https://graph.microsoft.com
	FederatedAudience string // audience of federated (OIDC) tokens Entra accepts in this cloud
}

// Clouds maps the provider's `environment` values to endpoints (NOTES.md#national-clouds).
// GCC (moderate) uses the global endpoints, so it has no entry of its own.
var Clouds = map[string]Cloud{
	"global":       {AuthorityHost: "https://login.microsoftonline.com/", GraphEndpoint: "https://graph.microsoft.com", FederatedAudience: "api://AzureADTokenExchange"},
	"usgovernment": {AuthorityHost: "https://login.microsoftonline.us/", GraphEndpoint: "https://graph.microsoft.us", FederatedAudience: "api://AzureADTokenExchangeUSGov"},
	"dod":          {AuthorityHost: "https://login.microsoftonline.us/", GraphEndpoint: "https://dod-graph.microsoft.us", FederatedAudience: "api://AzureADTokenExchangeUSGov"},
	"china":        {AuthorityHost: "https://login.chinacloudapi.cn/", GraphEndpoint: "https://microsoftgraph.chinacloudapi.cn", FederatedAudience: "api://AzureADTokenExchangeChina"},
}

// defaultValidHosts is the SDK's own list; a custom endpoint host is added to it,
// because kiota silently drops the Authorization header for any host not listed.
var defaultValidHosts = []string{
	"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us",
	"graph.microsoft.de", "microsoftgraph.chinacloudapi.cn", "canary.graph.microsoft.com",
}

// Config is everything needed to build a Client.
type Config struct {
	Credentials Credentials

	// Cloud holds the endpoints; CustomAuthority is true when the login host did not
	// come from a known cloud, which turns off MSAL's instance discovery (it would
	// otherwise ask login.microsoftonline.com about a host it does not know).
	Cloud           Cloud
	CustomAuthority bool

	// Scope is the token scope, e.g. https://graph.microsoft.us/.default. It follows the
	// cloud, not graph_endpoint: a private endpoint or proxy in front of Graph still needs a
	// token for that cloud's Graph. Empty means derived from Cloud.GraphEndpoint.
	Scope string

	// Transport is the HTTP transport under both sign-in and Graph calls. Nil means a
	// clone of http.DefaultTransport, which trusts the system roots (SSL_CERT_FILE works).
	Transport http.RoundTripper

	// Limits paces requests under Intune's throttling limits; nil means DefaultLimits.
	Limits *Limits
}

// Client talks to one tenant's Graph beta endpoint.
type Client struct {
	adapter abs.RequestAdapter
	baseURL string
}

var serializersRegistered = false

// registerSerializers does what the SDK root package would do on client creation; the
// root package itself is never imported because it triples cold build time.
func registerSerializers() {
	if serializersRegistered {
		return
	}
	serializersRegistered = true
	abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return jsonser.NewJsonSerializationWriterFactory() })
	abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return textser.NewTextSerializationWriterFactory() })
	abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return formser.NewFormSerializationWriterFactory() })
	abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return multipartser.NewMultipartSerializationWriterFactory() })
	abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return jsonser.NewJsonParseNodeFactory() })
	abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return textser.NewTextParseNodeFactory() })
	abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return formser.NewFormParseNodeFactory() })
}

func init() { registerSerializers() }

// NewClient builds the credential and the request adapter. It sends no request: sign-in
// happens on the first Graph call, so a plan that fails validation never reaches the network.
func NewClient(cfg Config) (*Client, error) {
	graphURL, err := url.Parse(strings.TrimRight(cfg.Cloud.GraphEndpoint, "/"))
	if err != nil || graphURL.Scheme == "" || graphURL.Host == "" {
		return nil, fmt.Errorf("graph endpoint %q is not an absolute URL", cfg.Cloud.GraphEndpoint)
	}
	// The client adds the version (/beta) itself; an endpoint that already ends with one
	// would send every request to /beta/beta/... and fail with "Resource not found for the
	// segment 'beta'".
	if last := path.Base(graphURL.Path); strings.EqualFold(last, "beta") || strings.EqualFold(last, "v1.0") {
		return nil, fmt.Errorf("graph endpoint %q ends with the API version %q; give the Graph root without it (e.g. %s://%s%s): the provider adds /beta itself",
			cfg.Cloud.GraphEndpoint, last, graphURL.Scheme, graphURL.Host, strings.TrimSuffix(graphURL.Path, "/"+last))
	}
	authority, err := url.Parse(cfg.Cloud.AuthorityHost)
	if err != nil || authority.Scheme != "https" || authority.Host == "" {
		return nil, fmt.Errorf("authority host %q must be an absolute https URL", cfg.Cloud.AuthorityHost)
	}

	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	method, err := cfg.Credentials.Method()
	if err != nil {
		return nil, err
	}
	cred, err := cfg.Credentials.credential(method, authority.String(), cfg.CustomAuthority, transport)
	if err != nil {
		return nil, fmt.Errorf("setting up sign-in with the %s: %w", method, err)
	}
	scope := cfg.Scope
	if scope == "" {
		scope = graphURL.Scheme + "://" + graphURL.Host + "/.default"
	}
	limits := DefaultLimits
	if cfg.Limits != nil {
		limits = *cfg.Limits
	}
	return newClientWithCredential(namedCredential{cred, method}, graphURL, scope, transport,
		pacerFor(cfg.Credentials.TenantID, cfg.Credentials.ClientID, limits))
}

func newClientWithCredential(cred azcore.TokenCredential, graphURL *url.URL, scope string, transport http.RoundTripper, p *pacer) (*Client, error) {
	validHosts := append([]string{}, defaultValidHosts...)
	if h := graphURL.Hostname(); !contains(validHosts, h) {
		validHosts = append(validHosts, h)
	}
	authProvider, err := coreauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, validHosts)
	if err != nil {
		return nil, fmt.Errorf("building the Graph authentication provider: %w", err)
	}

	opts := core.GraphClientOptions{GraphServiceVersion: "beta", GraphServiceLibraryVersion: "0.165.0"}
	res := newResilience(p)
	tokens := authProvider.GetAuthorizationTokenProvider()
	res.token = func(ctx context.Context, u *url.URL) (string, error) {
		return tokens.GetAuthorizationToken(ctx, u, nil)
	}
	pipeline := middlewares(core.GetDefaultMiddlewaresWithOptions(&opts), res)
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(transport, pipeline...),
		// Redirects are the redirect middleware's business.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	adapter, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		authProvider, opts, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("building the Graph request adapter: %w", err)
	}
	base := strings.TrimRight(graphURL.String(), "/") + "/beta"
	adapter.SetBaseUrl(base)
	return &Client{adapter: adapter, baseURL: base}, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
