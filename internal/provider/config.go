package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Env is where settings not in HCL come from; tests pass a map.
type Env interface{ Getenv(string) string }

type osEnv struct{}

func (osEnv) Getenv(k string) string { return os.Getenv(k) }

// resolver reads each argument from HCL first, then from its environment variables.
type resolver struct {
	env   Env
	diags diag.Diagnostics

	// certAttr is the argument that holds the client certificate (client_certificate_path
	// or client_certificate), for the path of its diagnostics.
	certAttr string
}

func (r *resolver) str(name string, v types.String) string {
	s, _ := r.strFrom(name, v)
	return s
}

// strFrom is str, and where the value came from: the argument's name when it is set in
// HCL, else the environment variable that held it.
func (r *resolver) strFrom(name string, v types.String) (value, from string) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString(), name
	}
	for _, e := range envVars[name] {
		if s := r.env.Getenv(e); s != "" {
			return s, e
		}
	}
	return "", ""
}

func (r *resolver) boolean(name string, v types.Bool, def bool) bool {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool()
	}
	for _, e := range envVars[name] {
		if s := r.env.Getenv(e); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				r.diags.AddAttributeError(path.Root(name), "Invalid "+name, fmt.Sprintf("%s=%q is not true or false.", e, s))
				return def
			}
			return b
		}
	}
	return def
}

// valueOrFile resolves a secret given inline, as a file, or both (which must agree).
func (r *resolver) valueOrFile(valueName, value, fileName, file string, decode func(string) ([]byte, error)) []byte {
	var inline, fromFile []byte
	if value != "" {
		inline = []byte(value)
		if decode != nil {
			b, err := decode(value)
			if err != nil {
				r.diags.AddAttributeError(path.Root(valueName), "Invalid "+valueName, valueName+" is not valid base64: "+err.Error())
				return nil
			}
			inline = b
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			r.diags.AddAttributeError(path.Root(fileName), "Unreadable "+fileName, err.Error())
			return nil
		}
		fromFile = b
		if decode == nil {
			fromFile = bytes.TrimSpace(b)
		}
	}
	if inline != nil && fromFile != nil && !bytes.Equal(inline, fromFile) {
		r.diags.AddAttributeError(path.Root(fileName), "Conflicting "+valueName,
			fmt.Sprintf("%s and the content of %s (%s) differ. Set one of them, or make them agree.", valueName, fileName, file))
		return nil
	}
	if inline != nil {
		return inline
	}
	return fromFile
}

// resolveConfig turns the provider block and the environment into a Graph client
// configuration: a value set in HCL wins, else its environment variables, else the
// default. It sends nothing; sign-in happens on the first Graph call.
func resolveConfig(m providerModel, env Env) (graph.Config, diag.Diagnostics) {
	r := &resolver{env: env}
	c := graph.Credentials{
		TenantID:                  r.str("tenant_id", m.TenantID),
		ClientID:                  r.str("client_id", m.ClientID),
		ClientCertificatePassword: r.str("client_certificate_password", m.ClientCertificatePassword),
		SendCertificateChain:      r.boolean("client_certificate_send_chain", m.ClientCertificateChain, false),
		UseOIDC:                   r.boolean("use_oidc", m.UseOIDC, false),
		OIDCRequestURL:            r.str("oidc_request_url", m.OIDCRequestURL),
		OIDCRequestToken:          r.str("oidc_request_token", m.OIDCRequestToken),
		ADOServiceConnectionID:    r.str("ado_pipeline_service_connection_id", m.ADOServiceConnectionID),
		UseAKSWorkloadIdentity:    r.boolean("use_aks_workload_identity", m.UseAKSWorkloadIdentity, false),
		FederatedTokenFile:        env.Getenv(EnvFederatedTokenFile),
		UseMSI:                    r.boolean("use_msi", m.UseMSI, false),
		UseCLI:                    r.boolean("use_cli", m.UseCLI, true),
	}
	c.ClientSecret = string(r.valueOrFile("client_secret", r.str("client_secret", m.ClientSecret),
		"client_secret_file_path", r.str("client_secret_file_path", m.ClientSecretFilePath), nil))
	certValue, certFrom := r.strFrom("client_certificate", m.ClientCertificate)
	certPath := r.str("client_certificate_path", m.ClientCertificatePath)
	c.ClientCertificate = r.valueOrFile("client_certificate", certValue, "client_certificate_path", certPath, base64.StdEncoding.DecodeString)
	// Diagnostics name the file, or the setting: never the content.
	switch {
	case certPath != "":
		r.certAttr, c.ClientCertificateSource = "client_certificate_path", certPath
	case certValue != "":
		r.certAttr, c.ClientCertificateSource = "client_certificate", certFrom
	}
	if c.UseOIDC {
		c.OIDCToken = r.str("oidc_token", m.OIDCToken)
		c.OIDCTokenFilePath = r.str("oidc_token_file_path", m.OIDCTokenFilePath)
		if c.OIDCToken != "" && c.OIDCTokenFilePath != "" {
			// Checked for agreement once; the credential reads the file at each sign-in.
			r.valueOrFile("oidc_token", c.OIDCToken, "oidc_token_file_path", c.OIDCTokenFilePath, nil)
		}
	}
	cfg := graph.Config{Credentials: c}

	envName := strings.ToLower(r.str("environment", m.Environment))
	if envName == "" || envName == "public" {
		envName = "global"
	}
	cloud, ok := graph.Clouds[envName]
	if !ok {
		r.diags.AddAttributeError(path.Root("environment"), "Unknown environment",
			fmt.Sprintf("%q (from %s) is not one of %s.", envName, EnvEnvironment, strings.Join(environmentNames(), ", ")))
		return cfg, r.diags
	}
	// The token is for the cloud's Graph even when requests go to a custom endpoint.
	cfg.Scope = strings.TrimRight(cloud.GraphEndpoint, "/") + "/.default"
	if v := r.str("graph_endpoint", m.GraphEndpoint); v != "" {
		cloud.GraphEndpoint = v
	}
	if v := r.str("authority_host", m.AuthorityHost); v != "" {
		cfg.CustomAuthority = !knownAuthority(v)
		cloud.AuthorityHost = v
	}
	cfg.Cloud = cloud
	cfg.Credentials.FederatedAudience = cloud.FederatedAudience
	for _, u := range []struct{ attr, value string }{
		{"graph_endpoint", cloud.GraphEndpoint},
		{"authority_host", cloud.AuthorityHost},
	} {
		parsed, err := url.Parse(u.value)
		if err != nil || parsed.Scheme != "https" || parsed.Host == "" {
			r.diags.AddAttributeError(path.Root(u.attr), "Invalid "+u.attr,
				fmt.Sprintf("%q (from the provider block or %s) must be an absolute https URL.", u.value, envVars[u.attr][0]))
		}
	}

	limits := graph.DefaultLimits
	if !m.RateLimit.IsNull() && !m.RateLimit.IsUnknown() {
		var rl rateLimitModel
		r.diags.Append(m.RateLimit.As(context.Background(), &rl, basetypes.ObjectAsOptions{})...)
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

	r.checkMethod(cfg.Credentials)
	return cfg, r.diags
}

// checkMethod reports, before any request, what the selected sign-in method still lacks.
func (r *resolver) checkMethod(c graph.Credentials) {
	if r.diags.HasError() {
		return
	}
	method, err := c.Method()
	if err != nil {
		r.diags.AddError("No usable sign-in method", err.Error())
		return
	}
	if configured := c.Configured(); len(configured) > 1 {
		names := make([]string, len(configured)-1)
		for i, m := range configured[1:] {
			names[i] = string(m)
		}
		r.diags.AddWarning("Several sign-in methods are configured",
			fmt.Sprintf("The provider signs in with the %s, the first in its documented order, and ignores: %s. "+
				"Remove the settings (or ARM_* environment variables) of the methods you do not mean to use.",
				method, strings.Join(names, ", ")))
	}
	needs := []struct{ attr, value string }{{"tenant_id", c.TenantID}, {"client_id", c.ClientID}}
	switch method {
	case graph.MethodManagedIdentity:
		needs = nil // the machine's identity; client_id only picks a user-assigned one
	case graph.MethodAzureCLI:
		needs = nil // the CLI's account and default tenant
	}
	for _, n := range needs {
		if n.value == "" {
			r.diags.AddAttributeError(path.Root(n.attr), "Missing "+n.attr,
				fmt.Sprintf("Signing in with the %s needs %s. Set it in the provider block or in %s.",
					method, n.attr, strings.Join(envVars[n.attr], " or ")))
		}
	}
	if c.TenantID != "" && !validTenant(c.TenantID) {
		r.diags.AddAttributeError(path.Root("tenant_id"), "Invalid tenant_id", fmt.Sprintf("%q is not a tenant ID or domain name.", c.TenantID))
	}
	if method == graph.MethodClientCertificate {
		r.checkCertificate(c)
	}
}

// checkCertificate reads the client certificate now, so that a wrong password, a missing
// or mismatched key or an expired certificate stops the run with its own diagnostic
// before any request. The certificate is read again when the client is built.
func (r *resolver) checkCertificate(c graph.Credentials) {
	_, err := graph.ParseClientCertificate(c.ClientCertificate, c.ClientCertificatePassword, c.ClientCertificateSource)
	if err == nil {
		return
	}
	var ce *graph.CertificateError
	if !errors.As(err, &ce) {
		r.diags.AddAttributeError(path.Root(r.certAttr), "Invalid client certificate", err.Error())
		return
	}
	attr := r.certAttr
	if ce.Problem == graph.CertificateWrongPassword || ce.Problem == graph.CertificatePasswordNeeded {
		attr = "client_certificate_password"
	}
	r.diags.AddAttributeError(path.Root(attr), ce.Summary(), ce.Details())
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
