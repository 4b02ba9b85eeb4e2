// Package provider is the intune provider: its schema, its configuration (HCL first, then
// the ARM_*/INTUNE_* environment) and the registry of resources and data sources.
package provider

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
	"github.com/intunetf/terraform-provider-intune/internal/resources"
)

var (
	_ provider.Provider                  = &Provider{}
	_ provider.ProviderWithListResources = &Provider{}
)

// families are the policy families the provider offers, each as a resource and a data source.
var families = append(append([]*assignments.Family{resources.DeviceConfiguration, resources.OfficeClientConfiguration,
	resources.DeviceCompliancePolicy, resources.ConfigurationPolicy, resources.GroupPolicyConfiguration},
	resources.MoreFamilies...), resources.FieldFamilies...)

// lookups are the collections found by name that are not policy families (each family's
// policies are a lookup too, see Family.Lookup).
var lookups = []*assignments.Lookup{resources.AssignmentFilter}

// Families returns the policy families the provider offers, in registration order, for
// tools that derive from them (scripts/docgen writes each family's doc templates).
func Families() []*assignments.Family { return append([]*assignments.Family(nil), families...) }

// Lookups returns the lookups that are not policy families (see lookups).
func Lookups() []*assignments.Lookup { return append([]*assignments.Lookup(nil), lookups...) }

// Provider is the intune provider.
type Provider struct {
	version   string
	transport http.RoundTripper
	clock     assignments.Clock
}

// Option changes how the provider is built; tests use it to inject dependencies.
type Option func(*Provider)

// WithTransport sets the HTTP transport under sign-in and Graph calls. Tests use it to
// trust the emulator's CA; production uses the system's trust store.
func WithTransport(rt http.RoundTripper) Option { return func(p *Provider) { p.transport = rt } }

// WithClock sets the engine's clock (the consistency wait after a write). Tests use a
// clock they step, shared with the emulator, so replication lag costs no real time.
func WithClock(c assignments.Clock) Option { return func(p *Provider) { p.clock = c } }

// New returns the provider factory.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &Provider{version: version}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

type providerModel struct {
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientSecretFilePath      types.String `tfsdk:"client_secret_file_path"`
	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	ClientCertificateChain    types.Bool   `tfsdk:"client_certificate_send_chain"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL            types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken          types.String `tfsdk:"oidc_request_token"`
	ADOServiceConnectionID    types.String `tfsdk:"ado_pipeline_service_connection_id"`
	UseAKSWorkloadIdentity    types.Bool   `tfsdk:"use_aks_workload_identity"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	Environment               types.String `tfsdk:"environment"`
	GraphEndpoint             types.String `tfsdk:"graph_endpoint"`
	AuthorityHost             types.String `tfsdk:"authority_host"`
	RateLimit                 types.Object `tfsdk:"rate_limit"`
}

type rateLimitModel struct {
	Writes        types.Int64 `tfsdk:"writes"`
	Requests      types.Int64 `tfsdk:"requests"`
	WindowSeconds types.Int64 `tfsdk:"window_seconds"`
}

func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "intune"
	resp.Version = p.version
}

func environmentNames() []string {
	names := make([]string, 0, len(graph.Clouds))
	for n := range graph.Clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// envDoc renders the environment variables of an argument for its description.
func envDoc(name string) string {
	vars := envVars[name]
	if len(vars) == 0 {
		return ""
	}
	q := make([]string, len(vars))
	for i, v := range vars {
		q[i] = "`" + v + "`"
	}
	return " Environment: " + strings.Join(q, ", ") + "."
}

func str(name, desc string, sensitive bool, v ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: desc + envDoc(name), Validators: v}
}

func boolean(name, desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, MarkdownDescription: desc + envDoc(name)}
}

func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Microsoft Intune policy assignments through Microsoft Graph (beta). " +
			"Each argument falls back to its environment variables when it is not set; a value in the configuration always wins.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": str("tenant_id", "Entra ID tenant ID.", false),
			"client_id": str("client_id", "Application (client) ID of the app registration, or of a user-assigned managed identity with `use_msi`.", false),

			"client_secret":           str("client_secret", "Client secret of the app registration.", true),
			"client_secret_file_path": str("client_secret_file_path", "Path to a file holding the client secret. Must agree with `client_secret` when both are set.", false),

			"client_certificate": str("client_certificate",
				"Base64-encoded client certificate with its RSA private key: PKCS#12 (`.pfx`, modern or legacy encryption, or none) or PEM (plain or encrypted PKCS#8 key). "+
					"See the authentication guide for the formats and the commands that make them.", true),
			"client_certificate_path": str("client_certificate_path",
				"Path to the client certificate with its RSA private key: PKCS#12 (`.pfx`) or PEM, as for `client_certificate`. Must agree with `client_certificate` when both are set.", false),
			"client_certificate_password": str("client_certificate_password", "Password of the PKCS#12 file, or of the encrypted PEM private key.", true),
			"client_certificate_send_chain": boolean("client_certificate_send_chain",
				"Send the certificate chain (`x5c` header: the certificate, then the others in the file) with each sign-in, for subject name and issuer authentication. Default `false`."),

			"use_oidc":             boolean("use_oidc", "Sign in with an OIDC token through workload identity federation (GitHub Actions, Azure Pipelines, any OIDC issuer). Default `false`."),
			"oidc_token":           str("oidc_token", "An OIDC ID token to exchange.", true),
			"oidc_token_file_path": str("oidc_token_file_path", "Path to a file holding the OIDC ID token; read again on each sign-in, so it may rotate. Must agree with `oidc_token` when both are set.", false),
			"oidc_request_url":     str("oidc_request_url", "GitHub Actions: the URL that issues the job's ID token.", false),
			"oidc_request_token": str("oidc_request_token",
				"Bearer token for `oidc_request_url` (GitHub Actions), or the pipeline's `System.AccessToken` (Azure Pipelines).", true),
			"ado_pipeline_service_connection_id": str("ado_pipeline_service_connection_id",
				"Azure Pipelines: ID of the service connection that uses workload identity federation. The agent's `SYSTEM_OIDCREQUESTURI` is read from the environment.", false),

			"use_aks_workload_identity": boolean("use_aks_workload_identity", "Sign in with AKS workload identity: the webhook's `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID` and `AZURE_TENANT_ID`. Default `false`."),
			"use_msi":                   boolean("use_msi", "Sign in with the machine's managed identity; `client_id` picks a user-assigned one. Default `false`."),
			"use_cli": boolean("use_cli",
				"Sign in as the Azure CLI's logged-in account (`az login`). Defaults to `true`, but is tried only when no other method is configured."),

			"environment": str("environment",
				"Microsoft cloud: `global` (default, also GCC), `usgovernment` (GCC High), `dod` or `china`. Sets the sign-in host, the Graph host and the token scope.", false,
				stringvalidator.OneOf(append(environmentNames(), "public")...)),
			"graph_endpoint": str("graph_endpoint",
				"Root URL of Microsoft Graph, without the version, e.g. `https://graph.microsoft.com`; the provider appends `/beta`. "+
					"Defaults from `environment`. Tokens are still requested for the environment's Graph, so this can point at a private endpoint or proxy.", false),
			"authority_host": str("authority_host",
				"Sign-in (authority) host, e.g. `https://login.microsoftonline.com/`. Must be https. Defaults from `environment`. A custom host turns off instance discovery.", false),
			"rate_limit": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "How fast the provider sends requests. It paces itself under Intune's documented limits for one app in one tenant " +
					"(100 writes and 1000 requests per 20 seconds), shared by every resource in the run, so that throttling (HTTP 429) is rare; " +
					"answers 429, 503 and 504 are retried after the service's `Retry-After` until the operation's timeout. " +
					"Lower the numbers when other tools use the same app at the same time.",
				Attributes: map[string]schema.Attribute{
					"writes": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Writes (assign calls) per window. Default `100`. `0` turns write pacing off.",
						Validators:          []validator.Int64{int64validator.AtLeast(0)},
					},
					"requests": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Requests of any kind per window. Default `1000`. `0` turns it off.",
						Validators:          []validator.Int64{int64validator.AtLeast(0)},
					},
					"window_seconds": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Length of the window in seconds. Default `20`.",
						Validators:          []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
		},
	}
}

func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if unknown := unknownArguments(req.Config.Raw); len(unknown) > 0 {
		// Known only after something else is applied: no client can be built now. Resources
		// and data sources that need Graph at plan time say which arguments and why.
		data := assignments.NewUnknownProviderData(unknown)
		resp.ResourceData, resp.DataSourceData, resp.ListResourceData = data, data, data
		return
	}
	cfg, diags := resolveConfig(m, osEnv{})
	resp.Diagnostics.Append(withNothingSent(diags)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Transport = p.transport

	client, err := graph.NewClient(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Configuring the intune provider", strings.TrimSuffix(err.Error(), ".")+
			". Nothing was sent to Graph or the identity platform. Check the sign-in arguments and graph_endpoint / authority_host in the provider block (or their ARM_* and INTUNE_* variables).")
		return
	}
	data := assignments.NewProviderData(client)
	data.Clock = p.clock
	resp.ResourceData, resp.DataSourceData, resp.ListResourceData = data, data, data
}

// withNothingSent adds to each error of the provider's configuration that it stopped the
// run before any request.
func withNothingSent(in diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, 0, len(in))
	for _, d := range in {
		if d.Severity() != diag.SeverityError {
			out = append(out, d)
			continue
		}
		detail := d.Detail() + " Nothing was sent to Graph or the identity platform."
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			out.AddAttributeError(wp.Path(), d.Summary(), detail)
		} else {
			out.AddError(d.Summary(), detail)
		}
	}
	return out
}

// unknownArguments lists the provider block's arguments whose values are unknown at plan
// time, sorted; a nested argument (rate_limit) counts as unknown when any part of it is.
func unknownArguments(raw tftypes.Value) []string {
	var attrs map[string]tftypes.Value
	if raw.IsNull() || raw.As(&attrs) != nil {
		return nil
	}
	var out []string
	for name, v := range attrs {
		if !v.IsFullyKnown() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (p *Provider) Resources(context.Context) []func() resource.Resource {
	out := make([]func() resource.Resource, 0, len(families))
	for _, f := range families {
		out = append(out, assignments.NewResource(f), assignments.NewSingleResource(f))
	}
	return out
}

// ListResources are each family's list resource, for `terraform query` (Terraform 1.14+).
func (p *Provider) ListResources(context.Context) []func() list.ListResource {
	out := make([]func() list.ListResource, 0, len(families))
	for _, f := range families {
		out = append(out, assignments.NewListResource(f))
	}
	return out
}

func (p *Provider) DataSources(context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, f := range families {
		out = append(out, assignments.NewDataSource(f), assignments.NewLookupDataSource(f.Lookup()), assignments.NewLookupListDataSource(f.Lookup()))
	}
	for _, l := range lookups {
		out = append(out, assignments.NewLookupDataSource(l), assignments.NewLookupListDataSource(l))
	}
	return out
}
