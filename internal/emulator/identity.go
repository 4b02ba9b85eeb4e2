package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// aadError is an identity-platform error (the AADSTS shape of
// internal/graph/NOTES.md#sign-in).
type aadError struct {
	status int
	err    string // OAuth error code, e.g. "invalid_client"
	code   int    // AADSTS number
	msg    string // text after "AADSTSnnn: "
}

func newAAD(status int, e string, code int, format string, a ...any) *aadError {
	return &aadError{status: status, err: e, code: code, msg: fmt.Sprintf(format, a...)}
}

// writeAADError renders the AADSTS error body with trace/correlation ids.
func (c *reqCtx) writeAADError(e *aadError) {
	now := time.Now().UTC()
	ts := now.Format("2006-01-02 15:04:05Z")
	trace := c.requestID
	corr := c.clientRequestID
	desc := fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.code, e.msg, trace, corr, ts)
	body := obj{
		{"error", e.err},
		{"error_description", desc},
		{"error_codes", []int{e.code}},
		{"timestamp", ts},
		{"trace_id", trace},
		{"correlation_id", corr},
		{"error_uri", c.baseURL() + "/error?code=" + fmt.Sprint(e.code)},
	}
	c.writeIdentityJSON(e.status, body)
}

func (c *reqCtx) writeIdentityJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(c.w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("x-ms-request-id", c.requestID)
	h.Set("x-ms-ests-server", "2.1.0 - EMU ProdSlices")
	if !strings.EqualFold(c.r.Header.Get("return-client-request-id"), "false") {
		h.Set("client-request-id", c.clientRequestID)
	}
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

// serveIdentity routes the Microsoft identity platform endpoints
// (internal/graph/NOTES.md#sign-in): OIDC metadata, instance discovery, JWKS
// and the token endpoint. Path segments are matched case-insensitively like
// AAD does.
func (s *Server) serveIdentity(c *reqCtx) {
	segs := strings.Split(strings.Trim(c.r.URL.Path, "/"), "/")
	// Non-Entra token sources first: none of these names is a tenant.
	switch lower := strings.ToLower(c.r.URL.Path); {
	case len(segs) >= 2 && strings.EqualFold(segs[0], "oidc"):
		s.serveExternalIssuer(c, segs[1], strings.Join(segs[2:], "/"))
		return
	case strings.HasPrefix(lower, "/github/idtoken"):
		s.addStat(func(st *Stats) { st.TokenRequests++ })
		s.githubIDToken(c)
		return
	case lower == "/ado/oidctoken" || lower == "/ado/oidctoken/":
		s.addStat(func(st *Stats) { st.TokenRequests++ })
		s.adoOIDCToken(c)
		return
	case lower == "/msi/token" || lower == "/msi/token/":
		s.addStat(func(st *Stats) { st.TokenRequests++ })
		s.managedIdentityToken(c)
		return
	}
	match := func(want ...string) bool {
		if len(segs) != len(want)+1 {
			return false
		}
		for i, w := range want {
			if !strings.EqualFold(segs[i+1], w) {
				return false
			}
		}
		return true
	}
	switch {
	case len(segs) == 3 && strings.EqualFold(segs[0], "common") && strings.EqualFold(segs[1], "discovery") && strings.EqualFold(segs[2], "instance"):
		s.instanceDiscovery(c)
	case match("v2.0", ".well-known", "openid-configuration"):
		s.openIDConfiguration(c, segs[0])
	case match("discovery", "v2.0", "keys"), match("discovery", "keys"):
		s.jwks(c, segs[0])
	case match("oauth2", "v2.0", "token"):
		s.addStat(func(st *Stats) { st.TokenRequests++ })
		s.tokenEndpoint(c, segs[0])
	default:
		c.writeIdentityJSON(http.StatusNotFound, obj{{"error", "not_found"}, {"error_description", "The emulator has no identity endpoint at " + c.r.URL.Path}})
	}
}

// findApp returns a copy of the registered app with that client id.
func (s *Server) findApp(clientID string) (App, bool) {
	s.appsMu.RLock()
	defer s.appsMu.RUnlock()
	for _, a := range s.cfg.Apps {
		if strings.EqualFold(a.ClientID, clientID) {
			return a, true
		}
	}
	return App{}, false
}

// AddApp registers an app (or replaces the one with the same client id)
// at run time, e.g. to add a federated credential whose issuer URL is only
// known after Start.
func (s *Server) AddApp(app App) {
	s.appsMu.Lock()
	defer s.appsMu.Unlock()
	for i, a := range s.cfg.Apps {
		if strings.EqualFold(a.ClientID, app.ClientID) {
			s.cfg.Apps[i] = app
			return
		}
	}
	s.cfg.Apps = append(s.cfg.Apps, app)
}

// tenantKnown resolves the tenant path segment.
func (s *Server) tenantKnown(t string) bool { return strings.EqualFold(t, s.cfg.TenantID) }

func tenantNotFound(t string) *aadError {
	return newAAD(http.StatusBadRequest, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", t)
}

func (s *Server) openIDConfiguration(c *reqCtx, tenant string) {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900561, "The endpoint only accepts GET requests. Received a %s request.", c.r.Method))
		return
	}
	if !s.tenantKnown(tenant) {
		c.writeAADError(tenantNotFound(tenant))
		return
	}
	base := c.baseURL() + "/" + s.cfg.TenantID
	c.writeIdentityJSON(http.StatusOK, obj{
		{"token_endpoint", base + "/oauth2/v2.0/token"},
		{"token_endpoint_auth_methods_supported", []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
		{"jwks_uri", base + "/discovery/v2.0/keys"},
		{"response_modes_supported", []string{"query", "fragment", "form_post"}},
		{"subject_types_supported", []string{"pairwise"}},
		{"id_token_signing_alg_values_supported", []string{"RS256"}},
		{"response_types_supported", []string{"code", "id_token", "code id_token", "id_token token"}},
		{"scopes_supported", []string{"openid", "profile", "email", "offline_access"}},
		{"issuer", base + "/v2.0"},
		{"request_uri_parameter_supported", false},
		{"userinfo_endpoint", c.baseURL() + "/oidc/userinfo"},
		{"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
		{"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
		{"http_logout_supported", true},
		{"frontchannel_logout_supported", true},
		{"end_session_endpoint", base + "/oauth2/v2.0/logout"},
		{"claims_supported", []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"}},
		{"tenant_region_scope", "NA"},
		{"cloud_instance_name", "microsoftonline.com"},
		{"cloud_graph_host_name", "graph.windows.net"},
		{"msgraph_host", "graph.microsoft.com"},
		{"rbac_url", "https://pas.windows.net"},
	})
}

// instanceDiscovery answers MSAL's /common/discovery/instance
// (internal/graph/NOTES.md#sign-in) with the emulator host as its own only
// alias.
func (s *Server) instanceDiscovery(c *reqCtx) {
	tenant := s.cfg.TenantID
	if ae := c.r.URL.Query().Get("authorization_endpoint"); ae != "" {
		if u, err := url.Parse(ae); err == nil {
			if seg := strings.Split(strings.Trim(u.Path, "/"), "/"); len(seg) > 0 && seg[0] != "" {
				tenant = seg[0]
			}
		}
	}
	host := c.r.Host
	c.writeIdentityJSON(http.StatusOK, obj{
		{"tenant_discovery_endpoint", c.baseURL() + "/" + tenant + "/v2.0/.well-known/openid-configuration"},
		{"api-version", "1.1"},
		{"metadata", []any{obj{{"preferred_network", host}, {"preferred_cache", host}, {"aliases", []string{host}}}}},
	})
}

// jwks publishes the token signing key, so external tools can verify the
// emulator's tokens.
func (s *Server) jwks(c *reqCtx, tenant string) {
	if !s.tenantKnown(tenant) {
		c.writeAADError(tenantNotFound(tenant))
		return
	}
	pub := s.signKey.PublicKey
	c.writeIdentityJSON(http.StatusOK, obj{{"keys", []any{obj{
		{"kty", "RSA"}, {"use", "sig"}, {"kid", s.kid}, {"x5t", s.kid},
		{"n", base64.RawURLEncoding.EncodeToString(pub.N.Bytes())},
		{"e", base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())},
		{"issuer", c.baseURL() + "/" + s.cfg.TenantID + "/v2.0"},
	}}}})
}

// Client assertion type of RFC 7523 (certificate / federated credentials).
const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// authenticateClient checks the client credential carried by the token
// request; a switch on client_assertion_type keeps room for more methods.
func (s *Server) authenticateClient(c *reqCtx, form url.Values, app *App, basicSecret string, hasBasic bool) *aadError {
	if at := form.Get("client_assertion_type"); at != "" || form.Get("client_assertion") != "" {
		switch at {
		case jwtBearerAssertionType:
			if form.Get("client_assertion") == "" {
				return newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion'.")
			}
			return s.verifyClientAssertion(app, form.Get("client_assertion"), c.baseURL()+c.r.URL.Path)
		case "":
			return newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_assertion_type'.")
		default:
			return newAAD(http.StatusBadRequest, "invalid_request", 50027, "Invalid client_assertion_type '%s'.", at)
		}
	}
	secret, has := form.Get("client_secret"), form.Has("client_secret")
	if !has && hasBasic {
		secret, has = basicSecret, true
	}
	if !has || secret == "" {
		return newAAD(http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
	if app.ClientSecret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return newAAD(http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)
	}
	return nil
}

// oidcScopes are the scopes MSAL appends to every request
// (internal/graph/NOTES.md#sign-in).
var oidcScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true, "email": true}

// resourceFromScopes extracts the single "<resource>/.default" scope of a
// client-credentials request.
func resourceFromScopes(scope string) (string, *aadError) {
	var res []string
	for _, sc := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(sc)] {
			continue
		}
		if !strings.HasSuffix(sc, "/.default") {
			return "", newAAD(http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)
		}
		r := strings.TrimSuffix(strings.TrimSuffix(sc, "/.default"), "/")
		if r == "" {
			return "", newAAD(http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", sc)
		}
		if u, err := url.Parse(r); err == nil && u.Scheme != "" && u.Host != "" {
			r = u.Scheme + "://" + u.Host
		} else if !isGUID(r) {
			return "", newAAD(http.StatusBadRequest, "invalid_resource", 500011, "The resource principal named %s was not found in the tenant.", r)
		}
		res = append(res, r)
	}
	if len(res) == 0 {
		return "", newAAD(http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
	}
	if len(res) > 1 {
		return "", newAAD(http.StatusBadRequest, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid. The scope %s is not valid. Only one resource can be requested per token.", scope)
	}
	return res[0], nil
}

// tokenEndpoint implements the client-credentials grant
// (internal/graph/NOTES.md#sign-in).
func (s *Server) tokenEndpoint(c *reqCtx, tenant string) {
	if c.r.Method != http.MethodPost {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests. Received a %s request.", c.r.Method))
		return
	}
	if !s.tenantKnown(tenant) {
		c.writeAADError(tenantNotFound(tenant))
		return
	}
	ct := strings.ToLower(c.r.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."))
		return
	}
	form, err := url.ParseQuery(string(c.body))
	if err != nil {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."))
		return
	}
	gt := form.Get("grant_type")
	if gt == "" {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."))
		return
	}
	if gt != "client_credentials" {
		c.writeAADError(newAAD(http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", gt))
		return
	}
	clientID := form.Get("client_id")
	basicUser, basicPass, hasBasic := c.r.BasicAuth()
	if hasBasic {
		if u, err := url.QueryUnescape(basicUser); err == nil {
			basicUser = u
		}
		if p, err := url.QueryUnescape(basicPass); err == nil {
			basicPass = p
		}
		if clientID == "" {
			clientID = basicUser
		}
	}
	if clientID == "" {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."))
		return
	}
	found, ok := s.findApp(clientID)
	app := &found
	if !ok {
		c.writeAADError(newAAD(http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, s.cfg.TenantID))
		return
	}
	if ae := s.authenticateClient(c, form, app, basicPass, hasBasic); ae != nil {
		c.writeAADError(ae)
		return
	}
	if !form.Has("scope") || strings.TrimSpace(form.Get("scope")) == "" {
		c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."))
		return
	}
	resource, ae := resourceFromScopes(form.Get("scope"))
	if ae != nil {
		c.writeAADError(ae)
		return
	}
	if cl := form.Get("claims"); cl != "" {
		var v any
		if json.Unmarshal([]byte(cl), &v) != nil {
			c.writeAADError(newAAD(http.StatusBadRequest, "invalid_request", 90014, "The claims parameter is not valid JSON."))
			return
		}
	}
	aud := resource
	if strings.EqualFold(resource, graphAppID) {
		aud = "https://graph.microsoft.com"
	}
	now := time.Now()
	tok, err := s.IssueToken(TokenOptions{ClientID: app.ClientID, Roles: app.Roles, Audience: aud, IssuedAt: now, Lifetime: s.cfg.TokenLifetime})
	if err != nil {
		c.writeAADError(newAAD(http.StatusInternalServerError, "server_error", 50000, "There was an error issuing a token: %v", err))
		return
	}
	secs := int(s.cfg.TokenLifetime / time.Second)
	c.writeIdentityJSON(http.StatusOK, obj{
		{"token_type", "Bearer"},
		{"expires_in", secs},
		{"ext_expires_in", secs},
		{"access_token", tok},
	})
}
