package emulator

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token sources outside Entra that azidentity uses: the GitHub Actions and
// Azure DevOps OIDC endpoints (which hand out federated assertions) and
// the App Service managed-identity endpoint (which hands out access tokens
// directly).

type adoConnection struct {
	systemAccessToken string
	subject           string
}

type managedIdentity struct {
	header        string
	defaultClient string            // system-assigned identity's client id ("" = none)
	userAssigned  map[string]string // lower-case => as configured: user-assigned client ids attached to the "resource"
}

type workloadState struct {
	mu            sync.Mutex
	githubToken   string
	githubSubject string
	ado           map[string]adoConnection // by lower-case service connection id
	mi            *managedIdentity
}

// SetGitHubRequestToken enables GET {URL}/github/idtoken (the
// ACTIONS_ID_TOKEN_REQUEST_URL) for callers presenting
// "Authorization: Bearer <token>" (ACTIONS_ID_TOKEN_REQUEST_TOKEN); the
// tokens it hands out come from the "github" issuer with the given sub,
// e.g. "repo:org/repo:ref:refs/heads/main".
func (s *Server) SetGitHubRequestToken(token, subject string) {
	s.workload.mu.Lock()
	defer s.workload.mu.Unlock()
	s.workload.githubToken, s.workload.githubSubject = token, subject
}

// SetAzurePipelinesToken registers an Azure DevOps service connection:
// POST {URL}/ado/oidctoken?api-version=7.1&serviceConnectionId=<id> (the
// SYSTEM_OIDCREQUESTURI) with "Authorization: Bearer <systemAccessToken>"
// answers a token of the "ado" issuer with the given sub (real ones look
// like "sc://org/project/connection") and aud DefaultFederatedAudience.
// Calling it again for another id adds a connection.
func (s *Server) SetAzurePipelinesToken(systemAccessToken, serviceConnectionID, subject string) {
	s.workload.mu.Lock()
	defer s.workload.mu.Unlock()
	if s.workload.ado == nil {
		s.workload.ado = map[string]adoConnection{}
	}
	s.workload.ado[strings.ToLower(serviceConnectionID)] = adoConnection{systemAccessToken: systemAccessToken, subject: subject}
}

// SetManagedIdentity enables the App Service managed-identity endpoint
// {URL}/msi/token (IDENTITY_ENDPOINT; IDENTITY_HEADER = identityHeader).
// defaultClientID is the system-assigned identity's client id ("" = none);
// userAssigned lists the user-assigned identities' client ids (true =
// attached). Tokens carry the identity's client id as appid and the Roles
// of the App registered with that client id (register it without a secret;
// an unregistered identity gets a token without roles).
func (s *Server) SetManagedIdentity(identityHeader, defaultClientID string, userAssigned map[string]bool) {
	mi := &managedIdentity{header: identityHeader, defaultClient: defaultClientID, userAssigned: map[string]string{}}
	for id, on := range userAssigned {
		if on {
			mi.userAssigned[strings.ToLower(id)] = id
		}
	}
	s.workload.mu.Lock()
	s.workload.mi = mi
	s.workload.mu.Unlock()
}

// bearerMatches compares an Authorization header with the expected token.
func bearerMatches(authz, want string) bool {
	scheme, tok, ok := strings.Cut(authz, " ")
	return ok && want != "" && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(want)) == 1
}

// githubIDToken serves the GitHub Actions ID-token request. Clients append
// "&audience=..." to ACTIONS_ID_TOKEN_REQUEST_URL, which already has a
// query on GitHub; when it has none the appended part lands in the path,
// so it is parsed from there too.
func (s *Server) githubIDToken(c *reqCtx) {
	const prefix = "/github/idtoken"
	esc := c.r.URL.EscapedPath()
	q := c.r.URL.Query()
	if rest := esc[len(prefix):]; rest != "" {
		if rest[0] != '&' && rest[0] != '?' {
			c.writeIdentityJSON(http.StatusNotFound, obj{{"message", "Not Found"}})
			return
		}
		extra, err := url.ParseQuery(rest[1:])
		if err != nil {
			c.writeIdentityJSON(http.StatusBadRequest, obj{{"message", "invalid query"}})
			return
		}
		for k, vs := range extra {
			q[k] = append(q[k], vs...)
		}
	}
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodPost {
		c.writeIdentityJSON(http.StatusMethodNotAllowed, obj{{"message", "Method Not Allowed"}})
		return
	}
	s.workload.mu.Lock()
	want, sub := s.workload.githubToken, s.workload.githubSubject
	s.workload.mu.Unlock()
	if want == "" {
		c.writeIdentityJSON(http.StatusNotFound, obj{{"message", "GitHub OIDC is not configured (SetGitHubRequestToken)."}})
		return
	}
	if !bearerMatches(c.r.Header.Get("Authorization"), want) {
		c.writeIdentityJSON(http.StatusUnauthorized, obj{{"message", "Unauthorized: the request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) is missing or invalid."}})
		return
	}
	// Without an audience GitHub uses the repository owner's URL, which no
	// Entra credential trusts: a client that forgets the audience must fail
	// at the token endpoint, as it would for real.
	aud := q.Get("audience")
	if aud == "" {
		aud = "https://github.com/emulator"
	}
	tok, err := s.IssueFederatedToken("github", sub, aud, 0)
	if err != nil {
		c.writeIdentityJSON(http.StatusInternalServerError, obj{{"message", err.Error()}})
		return
	}
	c.writeIdentityJSON(http.StatusOK, obj{{"count", len(tok)}, {"value", tok}})
}

// adoError is the Azure DevOps REST error shape (typeKey e.g.
// "UnauthorizedRequestException").
func adoError(message, typeKey string) obj {
	return obj{{"$id", "1"}, {"innerException", nil}, {"message", message},
		{"typeName", "Microsoft.VisualStudio.Services.WebApi." + typeKey + ", Microsoft.VisualStudio.Services.WebApi"},
		{"typeKey", typeKey}, {"errorCode", 0}, {"eventId", 3000}}
}

// adoOIDCToken serves Azure DevOps' service-connection OIDC endpoint as
// azidentity's AzurePipelinesCredential calls it: POST, no body,
// ?api-version=7.1&serviceConnectionId=..., Authorization: Bearer
// $(System.AccessToken), X-TFS-FedAuthRedirect: Suppress.
func (s *Server) adoOIDCToken(c *reqCtx) {
	h := c.w.Header()
	h.Set("x-vss-e2eid", newGUID())
	h.Set("x-msedge-ref", "Ref A: "+strings.ToUpper(strings.ReplaceAll(newGUID(), "-", ""))+" Ref B: EMU Ref C: "+time.Now().UTC().Format(time.RFC3339))
	if c.r.Method != http.MethodPost {
		c.writeIdentityJSON(http.StatusMethodNotAllowed, adoError("The requested resource does not support http method '"+c.r.Method+"'.", "VssResourceNotFoundException"))
		return
	}
	q := c.r.URL.Query()
	// System.AccessToken belongs to the build, not to a connection: any
	// configured one authenticates, so an unknown connection is a 404.
	s.workload.mu.Lock()
	conn, known := s.workload.ado[strings.ToLower(q.Get("serviceConnectionId"))]
	authorised := false
	for _, cn := range s.workload.ado {
		authorised = authorised || bearerMatches(c.r.Header.Get("Authorization"), cn.systemAccessToken)
	}
	s.workload.mu.Unlock()
	if !authorised {
		if !strings.EqualFold(c.r.Header.Get("X-TFS-FedAuthRedirect"), "Suppress") {
			// Without the Suppress header DevOps redirects to its sign-in page.
			h.Set("Location", c.baseURL()+"/ado/_signin?realm=emulator")
			c.w.WriteHeader(http.StatusFound)
			return
		}
		c.writeIdentityJSON(http.StatusUnauthorized, adoError("TF400813: The user '' is not authorized to access this resource.", "UnauthorizedRequestException"))
		return
	}
	if v := q.Get("api-version"); v == "" || !strings.HasPrefix(v, "7.") {
		c.writeIdentityJSON(http.StatusBadRequest, adoError("The requested REST API version of '"+v+"' is not supported by the emulator; use 7.1.", "VssVersionOutOfRangeException"))
		return
	}
	if !known {
		c.writeIdentityJSON(http.StatusNotFound, adoError("Service connection '"+q.Get("serviceConnectionId")+"' was not found or the pipeline is not authorized to use it.", "ServiceEndpointNotFoundException"))
		return
	}
	tok, err := s.IssueFederatedToken("ado", conn.subject, DefaultFederatedAudience, 0)
	if err != nil {
		c.writeIdentityJSON(http.StatusInternalServerError, adoError(err.Error(), "VssServiceException"))
		return
	}
	c.writeIdentityJSON(http.StatusOK, obj{{"oidcToken", tok}})
}

// appServiceMIAPIVersion is the api-version MSAL-Go v1.6 sends to the App
// Service identity endpoint.
const appServiceMIAPIVersion = "2019-08-01"

func (c *reqCtx) writeMIError(status int, msg string) {
	c.w.Header().Set("X-CORRELATION-ID", c.requestID)
	c.writeIdentityJSON(status, obj{{"statusCode", status}, {"message", msg}, {"correlationId", c.requestID}})
}

// managedIdentityToken serves the App Service identity endpoint the way
// MSAL-Go v1.6 (used by azidentity v1.13 ManagedIdentityCredential) calls
// it: GET ?api-version=2019-08-01&resource=<scope minus /.default>
// [&client_id=|&object_id=|&mi_res_id=], header X-IDENTITY-HEADER. The
// answer has expires_on as a string of Unix seconds.
func (s *Server) managedIdentityToken(c *reqCtx) {
	s.workload.mu.Lock()
	mi := s.workload.mi
	s.workload.mu.Unlock()
	if mi == nil {
		c.writeMIError(http.StatusNotFound, "Managed identity is not enabled on this emulator (SetManagedIdentity).")
		return
	}
	if c.r.Method != http.MethodGet {
		c.writeMIError(http.StatusMethodNotAllowed, "The identity endpoint only accepts GET requests.")
		return
	}
	hdr := c.r.Header.Get("X-IDENTITY-HEADER")
	if hdr == "" || subtle.ConstantTimeCompare([]byte(hdr), []byte(mi.header)) != 1 {
		c.writeMIError(http.StatusUnauthorized, "Unauthorized: the X-IDENTITY-HEADER request header is missing or does not match IDENTITY_HEADER.")
		return
	}
	q := c.r.URL.Query()
	if v := q.Get("api-version"); v != appServiceMIAPIVersion {
		c.writeMIError(http.StatusBadRequest, "The api-version '"+v+"' is not supported; expected "+appServiceMIAPIVersion+".")
		return
	}
	resource := strings.TrimSpace(q.Get("resource"))
	if resource == "" {
		c.writeMIError(http.StatusBadRequest, "The 'resource' query parameter is required.")
		return
	}
	var clientID string
	switch {
	case q.Get("client_id") != "":
		clientID = mi.userAssigned[strings.ToLower(q.Get("client_id"))]
	case q.Get("object_id") != "":
		for _, id := range mi.userAssigned {
			if app, ok := s.findApp(id); ok {
				id = app.ClientID // the oid is derived from the registered spelling
			}
			if strings.EqualFold(stableGUID("sp:"+id), q.Get("object_id")) {
				clientID = id
			}
		}
	case q.Get("mi_res_id") != "":
		// Resource ids of user-assigned identities are not modelled.
	default:
		clientID = mi.defaultClient
	}
	if clientID == "" {
		c.writeMIError(http.StatusBadRequest, "Unable to load the proper Managed Identity.")
		return
	}
	var roles []string
	if app, ok := s.findApp(clientID); ok {
		clientID, roles = app.ClientID, app.Roles
	}
	aud := strings.TrimSuffix(resource, "/")
	if strings.EqualFold(aud, graphAppID) {
		aud = "https://graph.microsoft.com"
	}
	now := time.Now()
	tok, err := s.IssueToken(TokenOptions{ClientID: clientID, Roles: roles, Audience: aud, IssuedAt: now, Lifetime: s.cfg.TokenLifetime})
	if err != nil {
		c.writeMIError(http.StatusInternalServerError, err.Error())
		return
	}
	c.writeIdentityJSON(http.StatusOK, obj{
		{"access_token", tok},
		{"expires_on", strconv.FormatInt(now.Add(s.cfg.TokenLifetime).Unix(), 10)},
		{"resource", resource},
		{"token_type", "Bearer"},
		{"client_id", clientID},
	})
}
