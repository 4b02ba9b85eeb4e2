// Package provider is the intune provider: its schema, its configuration (HCL first, then
// the ARM_*/INTUNE_* environment) and the registry of resources and data sources.
package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
	"github.com/intunetf/terraform-provider-intune/internal/resources"
)

var _ provider.Provider = &Provider{}

// families are the policy families the provider offers, each as a resource and a data source.
var families = []*assignments.Family{resources.DeviceConfiguration, resources.OfficeClientConfiguration}

// Provider is the intune provider.
type Provider struct {
	version   string
	transport http.RoundTripper
}

// Option changes how the provider is built; tests use it to inject dependencies.
type Option func(*Provider)

// WithTransport sets the HTTP transport under sign-in and Graph calls. Tests use it to
// trust the emulator's CA; production uses the system's trust store.
func WithTransport(rt http.RoundTripper) Option { return func(p *Provider) { p.transport = rt } }

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
	TenantID      types.String `tfsdk:"tenant_id"`
	ClientID      types.String `tfsdk:"client_id"`
	ClientSecret  types.String `tfsdk:"client_secret"`
	Environment   types.String `tfsdk:"environment"`
	GraphEndpoint types.String `tfsdk:"graph_endpoint"`
	AuthorityHost types.String `tfsdk:"authority_host"`
	RateLimit     types.Object `tfsdk:"rate_limit"`
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

func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Microsoft Intune policy assignments through Microsoft Graph (beta). " +
			"Each argument falls back to an environment variable when it is not set; a value in the configuration always wins.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Entra ID tenant ID. Environment: `" + EnvTenantID + "`.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Application (client) ID of the app registration. Environment: `" + EnvClientID + "`.",
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Client secret of the app registration. Environment: `" + EnvClientSecret + "`.",
			},
			"environment": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Microsoft cloud: `global` (default, also GCC), `usgovernment` (GCC High), `dod` or `china`. " +
					"Sets the sign-in host, the Graph host and the token scope. Environment: `" + EnvEnvironment + "`.",
				Validators: []validator.String{stringvalidator.OneOf(append(environmentNames(), "public")...)},
			},
			"graph_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Root URL of Microsoft Graph, without the version, e.g. `https://graph.microsoft.com`; the provider appends `/beta`. " +
					"Defaults from `environment`. Tokens are still requested for the environment's Graph, so this can point at a private endpoint or proxy. Environment: `" + EnvGraphEndpoint + "`.",
			},
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
			"authority_host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Sign-in (authority) host, e.g. `https://login.microsoftonline.com/`. Must be https. Defaults from `environment`. " +
					"A custom host turns off instance discovery. Environment: `" + EnvAuthorityHost + "`.",
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
	for _, v := range []attr.Value{m.TenantID, m.ClientID, m.ClientSecret, m.Environment, m.GraphEndpoint, m.AuthorityHost, m.RateLimit} {
		if v.IsUnknown() {
			// Known only after something else is applied; resources report it if used.
			return
		}
	}
	cfg, diags := resolveConfig(m, os.Getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Transport = p.transport
	cfg.UserAgent = "terraform-provider-intune/" + p.version

	client, err := graph.NewClient(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Configuring the intune provider", err.Error())
		return
	}
	resp.ResourceData = client
	resp.DataSourceData = client
}

// resolveConfig turns the provider block and the environment into a Graph client
// configuration: a value set in HCL wins, else its environment variable, else the
// environment's default. It sends nothing; sign-in happens on the first Graph call.
func resolveConfig(m providerModel, getenv func(string) string) (graph.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	pick := func(v types.String, env string) string {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString()
		}
		return getenv(env)
	}
	cfg := graph.Config{
		TenantID:     pick(m.TenantID, EnvTenantID),
		ClientID:     pick(m.ClientID, EnvClientID),
		ClientSecret: pick(m.ClientSecret, EnvClientSecret),
	}
	envName := strings.ToLower(pick(m.Environment, EnvEnvironment))
	if envName == "" || envName == "public" {
		envName = "global"
	}
	cloud, ok := graph.Clouds[envName]
	if !ok {
		diags.AddAttributeError(path.Root("environment"), "Unknown environment",
			fmt.Sprintf("%q (from %s) is not one of %s.", envName, EnvEnvironment, strings.Join(environmentNames(), ", ")))
		return cfg, diags
	}
	// The token is for the cloud's Graph even when requests go to a custom endpoint.
	cfg.Scope = strings.TrimRight(cloud.GraphEndpoint, "/") + "/.default"
	if v := pick(m.GraphEndpoint, EnvGraphEndpoint); v != "" {
		cloud.GraphEndpoint = v
	}
	if v := pick(m.AuthorityHost, EnvAuthorityHost); v != "" {
		cfg.CustomAuthority = !knownAuthority(v)
		cloud.AuthorityHost = v
	}
	cfg.Cloud = cloud

	limits := graph.DefaultLimits
	if !m.RateLimit.IsNull() && !m.RateLimit.IsUnknown() {
		var rl rateLimitModel
		diags.Append(m.RateLimit.As(context.Background(), &rl, basetypes.ObjectAsOptions{})...)
		if !rl.Writes.IsNull() {
			limits.Writes = int(rl.Writes.ValueInt64())
		}
		if !rl.Requests.IsNull() {
			limits.Requests = int(rl.Requests.ValueInt64())
		}
		if !rl.WindowSeconds.IsNull() {
			limits.Window = time.Duration(rl.WindowSeconds.ValueInt64()) * time.Second
		}
	}
	cfg.Limits = &limits

	for _, r := range []struct{ attr, env, value string }{
		{"tenant_id", EnvTenantID, cfg.TenantID},
		{"client_id", EnvClientID, cfg.ClientID},
		{"client_secret", EnvClientSecret, cfg.ClientSecret},
	} {
		if r.value == "" {
			diags.AddAttributeError(path.Root(r.attr), "Missing "+r.attr,
				fmt.Sprintf("The provider needs %s to sign in. Set it in the provider block or in the %s environment variable.", r.attr, r.env))
		}
	}
	if cfg.TenantID != "" && !validTenant(cfg.TenantID) {
		diags.AddAttributeError(path.Root("tenant_id"), "Invalid tenant_id",
			fmt.Sprintf("%q is not a tenant ID or domain name.", cfg.TenantID))
	}
	for _, u := range []struct{ attr, env, value string }{
		{"graph_endpoint", EnvGraphEndpoint, cloud.GraphEndpoint},
		{"authority_host", EnvAuthorityHost, cloud.AuthorityHost},
	} {
		parsed, err := url.Parse(u.value)
		if err != nil || parsed.Scheme != "https" || parsed.Host == "" {
			diags.AddAttributeError(path.Root(u.attr), "Invalid "+u.attr,
				fmt.Sprintf("%q (from the provider block or %s) must be an absolute https URL.", u.value, u.env))
		}
	}
	return cfg, diags
}

// knownAuthority reports whether a login host is one of the public clouds' hosts, for
// which MSAL's instance discovery works and is kept on.
func knownAuthority(host string) bool {
	u, err := url.Parse(host)
	if err != nil {
		return false
	}
	for _, c := range graph.Clouds {
		if cu, err := url.Parse(c.AuthorityHost); err == nil && strings.EqualFold(cu.Host, u.Host) {
			return true
		}
	}
	return false
}

// validTenant follows MSAL's rule for the tenant path segment.
func validTenant(t string) bool {
	for _, r := range t {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-') {
			return false
		}
	}
	return t != ""
}

func (p *Provider) Resources(context.Context) []func() resource.Resource {
	out := make([]func() resource.Resource, 0, len(families))
	for _, f := range families {
		out = append(out, assignments.NewResource(f))
	}
	return out
}

func (p *Provider) DataSources(context.Context) []func() datasource.DataSource {
	out := make([]func() datasource.DataSource, 0, len(families))
	for _, f := range families {
		out = append(out, assignments.NewDataSource(f))
	}
	return out
}
