package emulator

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as a SHA-1 thumbprint (RFC 7515 4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Certificate and federated (workload identity) client credentials: the
// client_assertion half of the token endpoint
// (internal/graph/NOTES.md#sign-in).

// DefaultFederatedAudience is the audience Entra expects in federated
// assertions unless a credential says otherwise.
const DefaultFederatedAudience = "api://AzureADTokenExchange"

// FederatedCredential is a federated identity credential of an App: an
// external token whose iss and sub match exactly (case-sensitive, as Entra
// does since 2025) and whose aud contains one of Audiences is accepted as
// the app's client assertion.
type FederatedCredential struct {
	// Issuer is the issuer URL, or the bare name of an emulator issuer:
	// "github" means URL()+"/oidc/github" (handy in a Config written before
	// the port is known). Only emulator issuers can be verified, since the
	// emulator holds their signing key.
	Issuer    string
	Subject   string
	Audiences []string // default [DefaultFederatedAudience]
}

// IssuerURL returns the issuer URL of the emulator's external OIDC issuer
// name (e.g. "github", "ado", "k8s"); any name made of letters, digits, '-'
// and '_' is an issuer, serving discovery and JWKS under that URL.
func (s *Server) IssuerURL(name string) string { return s.url + "/oidc/" + name }

func validIssuerName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// resolveIssuer expands an emulator issuer name to its URL.
func (s *Server) resolveIssuer(iss string) string {
	if !strings.Contains(iss, "://") && validIssuerName(iss) {
		return s.IssuerURL(iss)
	}
	return iss
}

// emulatorIssuerName returns the issuer name when iss is one of the
// emulator's own issuers.
func (s *Server) emulatorIssuerName(iss string) (string, bool) {
	prefix := s.url + "/oidc/"
	if len(iss) <= len(prefix) || !strings.EqualFold(iss[:len(prefix)], prefix) {
		return "", false
	}
	name := iss[len(prefix):]
	return name, validIssuerName(name)
}

// federationKey lazily creates the key that signs every emulator issuer's
// tokens; most tests never need it, and RSA key generation is slow.
func (s *Server) federationKey() (*rsa.PrivateKey, string, error) {
	s.fedOnce.Do(func() {
		s.fedKey, s.fedErr = rsa.GenerateKey(rand.Reader, 2048)
		if s.fedErr == nil {
			sum := sha256.Sum256(s.fedKey.N.Bytes())
			s.fedKid = b64url(sum[:12])
		}
	})
	return s.fedKey, s.fedKid, s.fedErr
}

// defaultFederatedLifetime mirrors the short life of CI OIDC tokens.
const defaultFederatedLifetime = 10 * time.Minute

// IssueFederatedToken mints a token of the emulator issuer issuerName (see
// IssuerURL) with the given sub and aud, as GitHub Actions, Azure DevOps or
// a Kubernetes projected service-account token would; lifetime 0 means 10
// minutes, negative gives an expired token. Tests write it to the file of
// AZURE_FEDERATED_TOKEN_FILE or return it from a ClientAssertionCredential
// callback.
func (s *Server) IssueFederatedToken(issuerName, subject, audience string, lifetime time.Duration) (string, error) {
	if !validIssuerName(issuerName) {
		return "", fmt.Errorf("emulator: invalid issuer name %q", issuerName)
	}
	key, kid, err := s.federationKey()
	if err != nil {
		return "", err
	}
	if lifetime == 0 {
		lifetime = defaultFederatedLifetime
	}
	now := time.Now()
	iat := now
	if lifetime < 0 {
		iat = now.Add(lifetime - time.Minute)
	}
	claims := obj{
		{"jti", newGUID()},
		{"sub", subject},
		{"aud", audience},
		{"iss", s.IssuerURL(issuerName)},
		{"nbf", iat.Unix()},
		{"iat", iat.Unix()},
		{"exp", now.Add(lifetime).Unix()},
	}
	return signRS256(key, map[string]any{"kid": kid, "x5t": kid}, claims)
}

// serveExternalIssuer serves the OIDC discovery document and JWKS of the
// emulator issuer {URL}/oidc/{name}, so a verifier can fetch the keys the
// way Entra does for GitHub or a Kubernetes cluster.
func (s *Server) serveExternalIssuer(c *reqCtx, name, rest string) {
	if !validIssuerName(name) {
		c.writeIdentityJSON(http.StatusNotFound, obj{{"error", "not_found"}})
		return
	}
	iss := s.IssuerURL(name)
	switch strings.ToLower(rest) {
	case ".well-known/openid-configuration":
		c.writeIdentityJSON(http.StatusOK, obj{
			{"issuer", iss},
			{"jwks_uri", iss + "/.well-known/jwks"},
			{"subject_types_supported", []string{"public", "pairwise"}},
			{"response_types_supported", []string{"id_token"}},
			{"claims_supported", []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"}},
			{"id_token_signing_alg_values_supported", []string{"RS256"}},
			{"scopes_supported", []string{"openid"}},
		})
	case ".well-known/jwks", "keys", "openid/v1/jwks":
		key, kid, err := s.federationKey()
		if err != nil {
			c.writeIdentityJSON(http.StatusInternalServerError, obj{{"error", err.Error()}})
			return
		}
		c.writeIdentityJSON(http.StatusOK, obj{{"keys", []any{rsaJWK(&key.PublicKey, kid)}}})
	default:
		c.writeIdentityJSON(http.StatusNotFound, obj{{"error", "not_found"}, {"error_description", "The emulator issuer serves .well-known/openid-configuration and .well-known/jwks only."}})
	}
}

func rsaJWK(pub *rsa.PublicKey, kid string) obj {
	return obj{
		{"kty", "RSA"}, {"use", "sig"}, {"alg", "RS256"}, {"kid", kid}, {"x5t", kid},
		{"n", b64url(pub.N.Bytes())},
		{"e", b64url(big.NewInt(int64(pub.E)).Bytes())},
	}
}

// verifyClientAssertion validates a jwt-bearer client assertion for app. A
// self-issued assertion (iss == client_id) is a certificate credential
// (what MSAL builds from a certificate); any other issuer is treated as a
// federated identity credential, which is how Entra tells them apart.
func (s *Server) verifyClientAssertion(app *App, assertion, tokenEndpoint string) *aadError {
	j, err := parseJWS(assertion)
	if err != nil {
		return newAAD(http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed.")
	}
	if strings.EqualFold(j.claim("iss"), app.ClientID) {
		return s.verifyCertificateAssertion(app, j, tokenEndpoint)
	}
	return s.verifyFederatedAssertion(app, j)
}

// lifetimeError checks exp (required) and nbf with the configured skew.
func (s *Server) lifetimeError(j *jws) *aadError {
	now := time.Now()
	exp, hasExp := j.numClaim("exp")
	nbf, hasNbf := j.numClaim("nbf")
	if !hasExp {
		return newAAD(http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed: the client assertion has no 'exp' claim.")
	}
	expired := now.After(time.Unix(exp, 0).Add(s.cfg.ClockSkew))
	early := hasNbf && now.Add(s.cfg.ClockSkew).Before(time.Unix(nbf, 0))
	if expired || early {
		from := "unspecified"
		if hasNbf {
			from = time.Unix(nbf, 0).UTC().Format(time.RFC3339)
		}
		return newAAD(http.StatusUnauthorized, "invalid_client", 700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
			now.UTC().Format(time.RFC3339), from, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// verifyCertificateAssertion is the MSAL certificate flow: header alg
// PS256 (MSAL v1.6, with x5t#S256) or RS256 (older MSAL and ADFS, with
// x5t), ES256 accepted too; the thumbprint picks the registered
// certificate whose key must verify the signature.
func (s *Server) verifyCertificateAssertion(app *App, j *jws, tokenEndpoint string) *aadError {
	var cert *x509.Certificate
	var shown string // thumbprint quoted in errors, as Entra does (upper-case hex SHA-1)
	if v := j.hdr("x5t#S256"); v != "" {
		tp, _ := decodeThumbprint(v)
		shown = strings.ToUpper(hex.EncodeToString(tp))
		for _, c := range app.Certificates {
			if sum := sha256.Sum256(c.Raw); bytes.Equal(sum[:], tp) {
				cert = c
			}
		}
	} else if v := j.hdr("x5t"); v != "" {
		tp, _ := decodeThumbprint(v)
		shown = strings.ToUpper(hex.EncodeToString(tp))
		for _, c := range app.Certificates {
			if sum := sha1.Sum(c.Raw); bytes.Equal(sum[:], tp) { // #nosec G401 -- thumbprint, not a signature
				cert = c
			}
		}
	}
	keyNotFound := func(reason string) *aadError {
		return newAAD(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - %s, Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if your app is in a national cloud.]", reason, shown, app.ClientID)
	}
	if cert == nil {
		return keyNotFound("The key was not found.")
	}
	if time.Now().After(cert.NotAfter) {
		return keyNotFound("The key used is expired.")
	}
	if err := j.verify(cert.PublicKey); err != nil {
		return keyNotFound("The provided signature value did not match the expected signature value.")
	}
	if !strings.EqualFold(j.claim("sub"), app.ClientID) {
		return newAAD(http.StatusUnauthorized, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .")
	}
	audOK := false
	for _, a := range j.audiences() {
		audOK = audOK || sameEndpoint(a, tokenEndpoint)
	}
	if !audOK {
		return newAAD(http.StatusUnauthorized, "invalid_client", 50012, "Client assertion audience claim does not match Realm issuer. Expected '%s'.", tokenEndpoint)
	}
	return s.lifetimeError(j)
}

// sameEndpoint compares URLs the way the token endpoint matches aud:
// scheme/host case-insensitive, path case-insensitive (tenant ids and
// "V2.0" appear in either case), trailing slash ignored.
func sameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.EqualFold(strings.TrimSuffix(ua.Path, "/"), strings.TrimSuffix(ub.Path, "/"))
}

// verifyFederatedAssertion is workload identity federation: the assertion
// comes from an external issuer the app trusts through a federated
// identity credential.
func (s *Server) verifyFederatedAssertion(app *App, j *jws) *aadError {
	iss, sub, auds := j.claim("iss"), j.claim("sub"), j.audiences()
	noMatch := func() *aadError {
		return newAAD(http.StatusBadRequest, "invalid_request", 70021, "No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation", iss, sub, strings.Join(auds, ","))
	}
	var byIssuer []FederatedCredential
	for _, fc := range app.FederatedCredentials {
		if s.resolveIssuer(fc.Issuer) == iss {
			byIssuer = append(byIssuer, fc)
		}
	}
	if len(byIssuer) == 0 {
		return noMatch()
	}
	if _, ours := s.emulatorIssuerName(iss); !ours {
		return newAAD(http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed: the signing keys of issuer '%s' cannot be retrieved (the emulator only verifies its own issuers).", iss)
	}
	key, kid, err := s.federationKey()
	if err != nil {
		return newAAD(http.StatusInternalServerError, "server_error", 50000, "There was an error issuing a token: %v", err)
	}
	if k := j.hdr("kid"); k != "" && k != kid {
		return newAAD(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - The key was not found., Key ID used by client: '%s', issuer '%s']", k, iss)
	}
	if err := j.verify(&key.PublicKey); err != nil {
		return newAAD(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - %v, issuer '%s']", err, iss)
	}
	if ae := s.lifetimeError(j); ae != nil {
		return ae
	}
	for _, fc := range byIssuer {
		if fc.Subject != sub {
			continue
		}
		want := fc.Audiences
		if len(want) == 0 {
			want = []string{DefaultFederatedAudience}
		}
		for _, w := range want {
			for _, a := range auds {
				if strings.EqualFold(w, a) {
					return nil
				}
			}
		}
	}
	return noMatch()
}

// NewTestCertificate creates a self-signed RSA 2048 certificate (valid from
// an hour ago for a year) for certificate-credential tests: register cert
// in App.Certificates and give certPEM+keyPEM (PKCS#8 "PRIVATE KEY") to
// azidentity.ParseCertificates.
func NewTestCertificate(commonName string) (certPEM, keyPEM []byte, cert *x509.Certificate, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})
	return certPEM, keyPEM, cert, nil
}
