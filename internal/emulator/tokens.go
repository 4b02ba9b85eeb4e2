package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Graph's first-party application id; real v1 tokens for Graph may carry it
// as aud instead of the URL form, so the emulator accepts both by default.
const graphAppID = "00000003-0000-0000-c000-000000000000"

// GraphRoleIDs maps the Graph application permissions this emulator knows to their
// well-known app-role ids (internal/graph/NOTES.md#permissions), for tests that
// want to assert on or display them.
var GraphRoleIDs = map[string]string{
	"DeviceManagementConfiguration.Read.All":      "dc377aa6-52d8-4e23-b271-2a7ae04cedf3",
	"DeviceManagementConfiguration.ReadWrite.All": "9241abd9-d0e6-425a-bd4f-47ba86e767a4",
}

// TokenOptions describes an access token minted directly by IssueToken,
// bypassing the OAuth endpoint. Tests use it to craft expired tokens, tokens
// without roles, delegated (scp) tokens or tokens for another audience.
type TokenOptions struct {
	ClientID string        // appid/azp; default: first configured app
	Roles    []string      // "roles" claim (application permissions)
	Scopes   []string      // "scp" claim (delegated permissions), space-joined
	Audience string        // default "https://graph.microsoft.com"
	TenantID string        // default: the configured tenant
	IssuedAt time.Time     // default now
	Lifetime time.Duration // default Config.TokenLifetime; negative gives an already expired token
}

// tokenClaims is the subset of AAD access-token claims the emulator mints and
// checks (internal/graph/NOTES.md#sign-in).
type tokenClaims struct {
	Aud   string   `json:"aud"`
	Iss   string   `json:"iss"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	AppID string   `json:"appid,omitempty"`
	Azp   string   `json:"azp,omitempty"`
	Idtyp string   `json:"idtyp,omitempty"`
	Oid   string   `json:"oid,omitempty"`
	Sub   string   `json:"sub,omitempty"`
	Roles []string `json:"roles,omitempty"`
	Scp   string   `json:"scp,omitempty"`
	Tid   string   `json:"tid"`
	Uti   string   `json:"uti,omitempty"`
	Ver   string   `json:"ver,omitempty"`
	Xms   []string `json:"xms_cc,omitempty"`
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signJWT produces an RS256 compact JWS with the server's signing key.
func (s *Server) signJWT(c tokenClaims) (string, error) {
	hdr, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "RS256", "kid": s.kid, "x5t": s.kid})
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signing := b64url(hdr) + "." + b64url(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, s.signKey, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64url(sig), nil
}

// IssueToken mints an access token signed by this emulator without going
// through the token endpoint (see TokenOptions).
func (s *Server) IssueToken(o TokenOptions) (string, error) {
	if o.ClientID == "" {
		s.appsMu.RLock()
		if len(s.cfg.Apps) > 0 {
			o.ClientID = s.cfg.Apps[0].ClientID
		}
		s.appsMu.RUnlock()
	}
	if o.Audience == "" {
		o.Audience = "https://graph.microsoft.com"
	}
	if o.TenantID == "" {
		o.TenantID = s.cfg.TenantID
	}
	if o.IssuedAt.IsZero() {
		o.IssuedAt = time.Now()
	}
	if o.Lifetime == 0 {
		o.Lifetime = s.cfg.TokenLifetime
	}
	exp := o.IssuedAt.Add(o.Lifetime)
	c := tokenClaims{
		Aud:   o.Audience,
		Iss:   "https://sts.windows.net/" + o.TenantID + "/",
		Iat:   o.IssuedAt.Unix(),
		Nbf:   o.IssuedAt.Unix(),
		Exp:   exp.Unix(),
		AppID: o.ClientID,
		Azp:   o.ClientID,
		Roles: o.Roles,
		Tid:   o.TenantID,
		Ver:   "1.0",
		Oid:   stableGUID("sp:" + o.ClientID),
		Sub:   stableGUID("sp:" + o.ClientID),
		// A unique token identifier, as Entra puts in every token: without it, two
		// tokens of one app minted in the same second would be byte-identical (RS256
		// signatures are deterministic) and a test could not tell them apart.
		Uti: newUTI(),
	}
	if len(o.Scopes) > 0 {
		c.Scp = strings.Join(o.Scopes, " ")
		c.Idtyp = "user"
	} else {
		c.Idtyp = "app"
	}
	return s.signJWT(c)
}

// newUTI is a random token identifier in Entra's form (22 base64url characters).
func newUTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return b64url(b[:])
}

// authError carries the Graph-side 401 message for a rejected bearer token.
type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

// The exact texts real Graph returns (internal/graph/NOTES.md#errors).
const (
	msgTokenEmpty     = "Access token is empty."
	msgTokenNotJWT    = "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'."
	msgTokenBadSig    = "Access token validation failure. Invalid signature."
	msgTokenExpired   = "Lifetime validation failed, the token is expired."
	msgTokenNotYet    = "Lifetime validation failed, the token is not yet valid."
	msgTokenAudience  = "Access token validation failure. Invalid audience."
	msgTokenIssuer    = "Access token validation failure. Invalid issuer."
	msgTokenMalformed = "Access token validation failure."
)

// verifyBearer validates an Authorization header value and returns the
// claims. Signature, expiry, not-before, issuer/tenant and audience are all
// checked, because a provider bug (wrong scope => wrong aud, stale cached
// token) must surface as the same 401 the real service would send.
func (s *Server) verifyBearer(authz string) (*tokenClaims, error) {
	if authz == "" {
		return nil, &authError{msgTokenEmpty}
	}
	scheme, tok, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, &authError{msgTokenEmpty}
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return nil, &authError{msgTokenEmpty}
	}
	parts := strings.Split(tok, ".")
	if len(parts) == 1 {
		return nil, &authError{msgTokenNotJWT}
	}
	if len(parts) != 3 {
		return nil, &authError{msgTokenMalformed}
	}
	hdrB, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	bodyB, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, &authError{"IDX12729: Unable to decode the header '[PII of type 'System.String' is hidden]' as Base64Url encoded string."}
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if json.Unmarshal(hdrB, &hdr) != nil || hdr.Alg != "RS256" || hdr.Kid != s.kid {
		return nil, &authError{msgTokenBadSig}
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&s.signKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, &authError{msgTokenBadSig}
	}
	var c tokenClaims
	if err := json.Unmarshal(bodyB, &c); err != nil {
		return nil, &authError{msgTokenMalformed}
	}
	now := time.Now()
	skew := s.cfg.ClockSkew
	if now.After(time.Unix(c.Exp, 0).Add(skew)) {
		return nil, &authError{msgTokenExpired}
	}
	if now.Add(skew).Before(time.Unix(c.Nbf, 0)) {
		return nil, &authError{msgTokenNotYet}
	}
	if c.Tid != s.cfg.TenantID || c.Iss != "https://sts.windows.net/"+s.cfg.TenantID+"/" {
		return nil, &authError{msgTokenIssuer}
	}
	if !s.audienceOK(c.Aud) {
		return nil, &authError{msgTokenAudience}
	}
	return &c, nil
}

// audienceOK reports whether aud is an audience Graph accepts. Only the
// global Graph resource is accepted by default, so a client that derives its
// scope from the emulator URL (instead of passing
// https://graph.microsoft.com/.default) is caught.
func (s *Server) audienceOK(aud string) bool {
	if s.cfg.AcceptAnyAudience {
		return true
	}
	for _, a := range s.cfg.GraphAudiences {
		if strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(aud, "/")) {
			return true
		}
	}
	return false
}

// hasAnyPermission reports whether the token grants one of perms, through
// app roles or delegated scopes.
func (c *tokenClaims) hasAnyPermission(perms []string) bool {
	for _, p := range perms {
		for _, r := range c.Roles {
			if strings.EqualFold(r, p) {
				return true
			}
		}
		for _, sc := range strings.Fields(c.Scp) {
			if strings.EqualFold(sc, p) {
				return true
			}
		}
	}
	return false
}

// stableGUID derives a deterministic GUID-shaped string from a seed, used for
// service principal object ids so the same app always gets the same oid.
func stableGUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
