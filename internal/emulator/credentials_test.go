package emulator_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

const (
	certClient = "cccccccc-0000-4000-8000-000000000001"
	ecClient   = "cccccccc-0000-4000-8000-000000000002"
	fedClient  = "cccccccc-0000-4000-8000-000000000003"
	miSystem   = "dddddddd-0000-4000-8000-000000000001"
	miUser     = "dddddddd-0000-4000-8000-000000000002"
	miDetached = "dddddddd-0000-4000-8000-000000000003"
	ghSubject  = "repo:intunetf/terraform-provider-intune:ref:refs/heads/main"
	adoSubject = "sc://intunetf/provider/intune-emulator"
	k8sSubject = "system:serviceaccount:ci:intune"
)

// signJWT builds a compact JWS the way MSAL (PS256/RS256) or another
// producer (ES256) would.
func signJWT(t *testing.T, alg string, key crypto.Signer, header, claims map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": alg, "typ": "JWT"}
	for k, v := range header {
		h[k] = v
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(in))
	var sig []byte
	var err error
	switch alg {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, sum[:])
	case "PS256":
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES256":
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), sum[:])
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func parsePEMKey(t *testing.T, keyPEM []byte) *rsa.PrivateKey {
	t.Helper()
	b, _ := pem.Decode(keyPEM)
	if b == nil || b.Type != "PRIVATE KEY" {
		t.Fatalf("key PEM %q", keyPEM)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

func ecCert(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "ec"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return key, c
}

func assertionForm(clientID, assertion string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {clientID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {"https://graph.microsoft.com/.default openid offline_access profile"},
		"client_info":           {"1"},
	}
}

func checkAAD(t *testing.T, r *resp, status int, errCode string, aadsts float64, descPart string) {
	t.Helper()
	codes, _ := r.json["error_codes"].([]any)
	if r.status != status || r.str("error") != errCode || len(codes) != 1 || codes[0] != aadsts {
		t.Fatalf("got %d %s, want %d %s AADSTS%v", r.status, r.raw, status, errCode, aadsts)
	}
	if !strings.Contains(r.str("error_description"), descPart) {
		t.Errorf("error_description %q lacks %q", r.str("error_description"), descPart)
	}
}

// canWrite reports the Graph status of a write with tok (201 or 403).
func graphWrite(t *testing.T, s *emulator.Server, tok string) int {
	t.Helper()
	return doReq(t, s, "POST", "/beta/deviceManagement/deviceConfigurations", tok,
		map[string]any{"@odata.type": "#microsoft.graph.windows10CustomConfiguration", "displayName": "x"}, nil).status
}

func TestCertificateCredential(t *testing.T) {
	certPEM, keyPEM, cert, err := emulator.NewTestCertificate("intune-emulator-test")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := pem.Decode(certPEM); p == nil || p.Type != "CERTIFICATE" {
		t.Fatalf("cert PEM %q", certPEM)
	}
	key := parsePEMKey(t, keyPEM)
	_, otherKeyPEM, otherCert, _ := emulator.NewTestCertificate("other")
	otherKey := parsePEMKey(t, otherKeyPEM)
	ecKey, ecC := ecCert(t)
	s := startEmu(t, func(c *emulator.Config) {
		c.Apps = append(c.Apps,
			emulator.App{ClientID: certClient, Roles: []string{emulator.PermReadWriteAll}, Certificates: []*x509.Certificate{cert}},
			emulator.App{ClientID: ecClient, Roles: []string{emulator.PermReadAll}, Certificates: []*x509.Certificate{ecC}})
	})
	endpoint := s.URL() + "/" + tenant + "/oauth2/v2.0/token"
	s256 := func(c *x509.Certificate) string {
		h := sha256.Sum256(c.Raw)
		return base64.StdEncoding.EncodeToString(h[:])
	}
	s1 := func(c *x509.Certificate) string {
		h := sha1.Sum(c.Raw)
		return base64.RawURLEncoding.EncodeToString(h[:])
	}
	claims := func(mod func(map[string]any)) map[string]any {
		now := time.Now()
		m := map[string]any{"aud": endpoint, "iss": certClient, "sub": certClient, "jti": "j1",
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		if mod != nil {
			mod(m)
		}
		return m
	}
	msal := func(mod func(map[string]any)) string { // MSAL-Go v1.6: PS256 + std-base64 x5t#S256
		return signJWT(t, "PS256", key, map[string]any{"x5t#S256": s256(cert)}, claims(mod))
	}

	t.Run("PS256 x5t#S256 (MSAL v1.6)", func(t *testing.T) {
		r := tokenReq(t, s, tenant, assertionForm(certClient, msal(nil)))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		c := jwtClaims(t, r.str("access_token"))
		if c["appid"] != certClient || c["aud"] != "https://graph.microsoft.com" {
			t.Errorf("claims %v", c)
		}
		if st := graphWrite(t, s, r.str("access_token")); st != 201 {
			t.Errorf("Graph write with certificate token: %d", st)
		}
	})
	t.Run("RS256 x5t (older MSAL/ADFS)", func(t *testing.T) {
		a := signJWT(t, "RS256", key, map[string]any{"x5t": s1(cert)}, claims(nil))
		if r := tokenReq(t, s, tenant, assertionForm(certClient, a)); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
	t.Run("ES256", func(t *testing.T) {
		a := signJWT(t, "ES256", ecKey, map[string]any{"x5t#S256": s256(ecC)}, claims(func(m map[string]any) { m["iss"], m["sub"] = ecClient, ecClient }))
		r := tokenReq(t, s, tenant, assertionForm(ecClient, a))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		// Read-only app: the Intune 403 on writes still applies.
		if st := graphWrite(t, s, r.str("access_token")); st != 403 {
			t.Errorf("read-only certificate app wrote: %d", st)
		}
	})
	t.Run("aud variants", func(t *testing.T) {
		for _, aud := range []string{endpoint + "/", strings.Replace(endpoint, "/oauth2/v2.0/", "/OAuth2/V2.0/", 1), strings.ToUpper(endpoint[:8]) + endpoint[8:]} {
			a := msal(func(m map[string]any) { m["aud"] = aud })
			if r := tokenReq(t, s, tenant, assertionForm(certClient, a)); r.status != 200 {
				t.Errorf("aud %q: %d %s", aud, r.status, r.raw)
			}
		}
		a := msal(func(m map[string]any) { m["aud"] = []any{"https://example.com", endpoint} })
		if r := tokenReq(t, s, tenant, assertionForm(certClient, a)); r.status != 200 {
			t.Errorf("aud array: %d %s", r.status, r.raw)
		}
	})
	t.Run("unknown thumbprint", func(t *testing.T) {
		a := signJWT(t, "PS256", otherKey, map[string]any{"x5t#S256": s256(otherCert)}, claims(nil))
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 700027, "The key was not found")
	})
	t.Run("no thumbprint", func(t *testing.T) {
		a := signJWT(t, "PS256", key, nil, claims(nil))
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 700027, "The key was not found")
	})
	t.Run("bad signature", func(t *testing.T) {
		a := signJWT(t, "PS256", otherKey, map[string]any{"x5t#S256": s256(cert)}, claims(nil))
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 700027, "signature value did not match")
	})
	t.Run("expired", func(t *testing.T) {
		a := msal(func(m map[string]any) { m["exp"] = time.Now().Add(-time.Minute).Unix() })
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 700024, "not within its valid time range")
	})
	t.Run("not yet valid", func(t *testing.T) {
		a := msal(func(m map[string]any) { m["nbf"] = time.Now().Add(5 * time.Minute).Unix() })
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 700024, "not within its valid time range")
	})
	t.Run("wrong aud", func(t *testing.T) {
		a := msal(func(m map[string]any) {
			m["aud"] = "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token"
		})
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 50012, "audience")
	})
	t.Run("sub is not the client", func(t *testing.T) {
		a := msal(func(m map[string]any) { m["sub"] = "someone-else" })
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(certClient, a)), 401, "invalid_client", 700021, "client_id")
	})
	t.Run("assertion for another app", func(t *testing.T) {
		// a valid assertion of certClient presented as ecClient: iss is not
		// ecClient, so it is a federated assertion nobody trusts
		checkAAD(t, tokenReq(t, s, tenant, assertionForm(ecClient, msal(nil))), 400, "invalid_request", 70021, "No matching federated identity record")
	})
	t.Run("no secret registered", func(t *testing.T) {
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {certClient}, "client_secret": {""}, "scope": {"https://graph.microsoft.com/.default"}}
		checkAAD(t, tokenReq(t, s, tenant, f), 401, "invalid_client", 7000218, "client_secret")
		f.Set("client_secret", "guess")
		checkAAD(t, tokenReq(t, s, tenant, f), 401, "invalid_client", 7000215, "Invalid client secret")
	})
}

func TestFederatedCredential(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) {
		c.Apps = append(c.Apps, emulator.App{ClientID: fedClient, Roles: []string{emulator.PermReadAll}, FederatedCredentials: []emulator.FederatedCredential{
			{Issuer: "github", Subject: ghSubject},
			{Issuer: "k8s", Subject: k8sSubject, Audiences: []string{"api://custom"}},
		}})
	})
	exchange := func(tok string) *resp { return tokenReq(t, s, tenant, assertionForm(fedClient, tok)) }
	mint := func(iss, sub, aud string, life time.Duration) string {
		tok, err := s.IssueFederatedToken(iss, sub, aud, life)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	t.Run("github token", func(t *testing.T) {
		tok := mint("github", ghSubject, emulator.DefaultFederatedAudience, 0)
		c := jwtClaims(t, tok)
		if c["iss"] != s.IssuerURL("github") || c["sub"] != ghSubject || c["aud"] != emulator.DefaultFederatedAudience {
			t.Fatalf("federated claims %v", c)
		}
		r := exchange(tok)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		at := r.str("access_token")
		if c := jwtClaims(t, at); c["appid"] != fedClient {
			t.Errorf("access token claims %v", c)
		}
		if g := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations", at, nil, nil); g.status != 200 {
			t.Errorf("read: %d", g.status)
		}
		if st := graphWrite(t, s, at); st != 403 {
			t.Errorf("Read.All federated app wrote: %d", st)
		}
	})
	t.Run("custom audience", func(t *testing.T) {
		if r := exchange(mint("k8s", k8sSubject, "api://custom", 0)); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		checkAAD(t, exchange(mint("k8s", k8sSubject, emulator.DefaultFederatedAudience, 0)), 400, "invalid_request", 70021, "Assertion Audience: 'api://AzureADTokenExchange'")
	})
	t.Run("wrong subject", func(t *testing.T) {
		checkAAD(t, exchange(mint("github", ghSubject+":x", emulator.DefaultFederatedAudience, 0)), 400, "invalid_request", 70021, "No matching federated identity record")
		// subjects match case-sensitively
		checkAAD(t, exchange(mint("github", strings.ToUpper(ghSubject), emulator.DefaultFederatedAudience, 0)), 400, "invalid_request", 70021, "Assertion Subject")
	})
	t.Run("untrusted issuer", func(t *testing.T) {
		checkAAD(t, exchange(mint("ado", ghSubject, emulator.DefaultFederatedAudience, 0)), 400, "invalid_request", 70021, "Assertion Issuer: '"+s.IssuerURL("ado")+"'")
	})
	t.Run("expired", func(t *testing.T) {
		checkAAD(t, exchange(mint("github", ghSubject, emulator.DefaultFederatedAudience, -time.Minute)), 401, "invalid_client", 700024, "valid time range")
	})
	t.Run("forged signature", func(t *testing.T) {
		tok := mint("github", ghSubject, emulator.DefaultFederatedAudience, 0)
		parts := strings.Split(tok, ".")
		forged, _ := rsa.GenerateKey(rand.Reader, 2048)
		hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var hdr map[string]any
		_ = json.Unmarshal(hb, &hdr)
		cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var cl map[string]any
		_ = json.Unmarshal(cb, &cl)
		delete(hdr, "alg")
		delete(hdr, "typ")
		checkAAD(t, exchange(signJWT(t, "RS256", forged, hdr, cl)), 401, "invalid_client", 700027, "invalid signature")
	})
	t.Run("discovery and JWKS verify the token", func(t *testing.T) {
		d := doReq(t, s, "GET", "/oidc/github/.well-known/openid-configuration", "", nil, nil)
		if d.status != 200 || d.str("issuer") != s.IssuerURL("github") {
			t.Fatalf("discovery %d %s", d.status, d.raw)
		}
		k := doReq(t, s, "GET", d.str("jwks_uri"), "", nil, nil)
		keys, _ := k.json["keys"].([]any)
		if k.status != 200 || len(keys) != 1 {
			t.Fatalf("jwks %d %s", k.status, k.raw)
		}
		jwk := keys[0].(map[string]any)
		n, _ := base64.RawURLEncoding.DecodeString(jwk["n"].(string))
		e, _ := base64.RawURLEncoding.DecodeString(jwk["e"].(string))
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		tok := mint("github", ghSubject, emulator.DefaultFederatedAudience, 0)
		parts := strings.Split(tok, ".")
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Errorf("token does not verify with the published JWKS: %v", err)
		}
	})
	t.Run("AddApp with a full issuer URL", func(t *testing.T) {
		const late = "cccccccc-0000-4000-8000-000000000009"
		s.AddApp(emulator.App{ClientID: late, Roles: []string{emulator.PermReadWriteAll},
			FederatedCredentials: []emulator.FederatedCredential{{Issuer: s.IssuerURL("tfc"), Subject: "workspace:x"}}})
		tok := mint("tfc", "workspace:x", emulator.DefaultFederatedAudience, 0)
		r := tokenReq(t, s, tenant, assertionForm(late, tok))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if st := graphWrite(t, s, r.str("access_token")); st != 201 {
			t.Errorf("ReadWrite federated app: %d", st)
		}
	})
}

func TestGitHubIDTokenEndpoint(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) {
		c.Apps = append(c.Apps, emulator.App{ClientID: fedClient, Roles: []string{emulator.PermReadWriteAll},
			FederatedCredentials: []emulator.FederatedCredential{{Issuer: "github", Subject: ghSubject}}})
	})
	get := func(path, bearer string) *resp {
		h := map[string]string{"Accept": "application/json; api-version=2.0"}
		if bearer != "" {
			h["Authorization"] = "Bearer " + bearer
		}
		return doReq(t, s, "GET", path, "", nil, h)
	}
	if r := get("/github/idtoken?audience=x", "req-token"); r.status != 404 {
		t.Errorf("unconfigured: %d", r.status)
	}
	s.SetGitHubRequestToken("req-token", ghSubject)
	aud := url.QueryEscape(emulator.DefaultFederatedAudience)
	for _, path := range []string{
		"/github/idtoken?api-version=2.0&audience=" + aud, // ACTIONS_ID_TOKEN_REQUEST_URL with a query + "&audience="
		"/github/idtoken?audience=" + aud,                 // no query + "?audience="
		"/github/idtoken&audience=" + aud,                 // no query + "&audience=" (naive append)
	} {
		r := get(path, "req-token")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		v := r.str("value")
		if n, _ := r.json["count"].(float64); int(n) != len(v) {
			t.Errorf("count %v for %d chars", r.json["count"], len(v))
		}
		c := jwtClaims(t, v)
		if c["iss"] != s.IssuerURL("github") || c["sub"] != ghSubject || c["aud"] != emulator.DefaultFederatedAudience {
			t.Errorf("%s: claims %v", path, c)
		}
		if x := tokenReq(t, s, tenant, assertionForm(fedClient, v)); x.status != 200 {
			t.Errorf("%s: exchange %d %s", path, x.status, x.raw)
		}
	}
	if r := get("/github/idtoken?audience="+aud, "wrong"); r.status != 401 {
		t.Errorf("wrong bearer: %d", r.status)
	}
	if r := get("/github/idtoken?audience="+aud, ""); r.status != 401 {
		t.Errorf("no bearer: %d", r.status)
	}
	// Without an audience the token is not accepted by Entra.
	r := get("/github/idtoken", "req-token")
	if r.status != 200 {
		t.Fatalf("no audience: %d", r.status)
	}
	checkAAD(t, tokenReq(t, s, tenant, assertionForm(fedClient, r.str("value"))), 400, "invalid_request", 70021, "Assertion Audience")
}

func TestAzurePipelinesEndpoint(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) {
		c.Apps = append(c.Apps, emulator.App{ClientID: fedClient, Roles: []string{emulator.PermReadWriteAll},
			FederatedCredentials: []emulator.FederatedCredential{{Issuer: "ado", Subject: adoSubject}}})
	})
	s.SetAzurePipelinesToken("system-access-token", "8f1c4a52-0000-4000-8000-00000000c0de", adoSubject)
	// No redirects: a 302 must be visible.
	noRedirect := &http.Client{Transport: s.HTTPClient().Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(method, query, bearer string, suppress bool) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(method, s.URL()+"/ado/oidctoken?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		if suppress {
			req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res, m
	}
	q := "api-version=7.1&serviceConnectionId=8f1c4a52-0000-4000-8000-00000000c0de"
	res, m := post("POST", q, "system-access-token", true)
	if res.StatusCode != 200 || res.Header.Get("x-vss-e2eid") == "" {
		t.Fatalf("%d %v", res.StatusCode, m)
	}
	tok, _ := m["oidcToken"].(string)
	c := jwtClaims(t, tok)
	if c["iss"] != s.IssuerURL("ado") || c["sub"] != adoSubject || c["aud"] != emulator.DefaultFederatedAudience {
		t.Errorf("claims %v", c)
	}
	if r := tokenReq(t, s, tenant, assertionForm(fedClient, tok)); r.status != 200 {
		t.Errorf("exchange %d %s", r.status, r.raw)
	}
	if res, m := post("POST", q, "wrong", true); res.StatusCode != 401 || !strings.Contains(m["message"].(string), "TF400813") {
		t.Errorf("wrong token: %d %v", res.StatusCode, m)
	}
	if res, _ := post("POST", q, "wrong", false); res.StatusCode != 302 {
		t.Errorf("wrong token without Suppress: %d", res.StatusCode)
	}
	if res, _ := post("POST", "api-version=7.1&serviceConnectionId=unknown", "system-access-token", true); res.StatusCode != 404 {
		t.Errorf("unknown connection: %d", res.StatusCode)
	}
	if res, _ := post("GET", q, "system-access-token", true); res.StatusCode != 405 {
		t.Errorf("GET: %d", res.StatusCode)
	}
	if res, _ := post("POST", "serviceConnectionId=8f1c4a52-0000-4000-8000-00000000c0de", "system-access-token", true); res.StatusCode != 400 {
		t.Errorf("no api-version: %d", res.StatusCode)
	}
}

func TestManagedIdentityEndpoint(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) {
		c.TokenLifetime = 2 * time.Hour
		c.Apps = append(c.Apps,
			emulator.App{ClientID: miSystem, Roles: []string{emulator.PermReadWriteAll}},
			emulator.App{ClientID: miUser, Roles: []string{emulator.PermReadAll}})
	})
	get := func(query, header string) *resp {
		h := map[string]string{}
		if header != "" {
			h["X-IDENTITY-HEADER"] = header
		}
		return doReq(t, s, "GET", "/msi/token?"+query, "", nil, h)
	}
	base := "api-version=2019-08-01&resource=" + url.QueryEscape("https://graph.microsoft.com")
	if r := get(base, "hdr"); r.status != 404 {
		t.Errorf("before SetManagedIdentity: %d", r.status)
	}
	s.SetManagedIdentity("hdr", miSystem, map[string]bool{miUser: true, miDetached: false})

	r := get(base, "hdr")
	if r.status != 200 || r.str("token_type") != "Bearer" || r.str("resource") != "https://graph.microsoft.com" || r.str("client_id") != miSystem {
		t.Fatalf("system-assigned: %d %s", r.status, r.raw)
	}
	exp, err := strconv.ParseInt(r.str("expires_on"), 10, 64)
	if err != nil || exp < time.Now().Add(2*time.Hour-time.Minute).Unix() || exp > time.Now().Add(2*time.Hour+time.Minute).Unix() {
		t.Errorf("expires_on %q", r.str("expires_on"))
	}
	if c := jwtClaims(t, r.str("access_token")); c["appid"] != miSystem || c["idtyp"] != "app" {
		t.Errorf("claims %v", c)
	}
	if st := graphWrite(t, s, r.str("access_token")); st != 201 {
		t.Errorf("system-assigned (ReadWrite) write: %d", st)
	}

	u := get(base+"&client_id="+miUser, "hdr")
	if u.status != 200 || u.str("client_id") != miUser {
		t.Fatalf("user-assigned: %d %s", u.status, u.raw)
	}
	if st := graphWrite(t, s, u.str("access_token")); st != 403 {
		t.Errorf("user-assigned (Read) write: %d", st)
	}
	if g := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations", u.str("access_token"), nil, nil); g.status != 200 {
		t.Errorf("user-assigned read: %d", g.status)
	}
	// object_id of the identity's service principal (the token's oid)
	oid := jwtClaims(t, u.str("access_token"))["oid"].(string)
	if o := get(base+"&object_id="+oid, "hdr"); o.status != 200 || o.str("client_id") != miUser {
		t.Errorf("object_id: %d %s", o.status, o.raw)
	}

	for name, c := range map[string]struct {
		query, header string
		status        int
	}{
		"detached identity": {base + "&client_id=" + miDetached, "hdr", 400},
		"unknown identity":  {base + "&client_id=eeeeeeee-0000-4000-8000-000000000000", "hdr", 400},
		"resource id":       {base + "&mi_res_id=/subscriptions/x/resourcegroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z", "hdr", 400},
		"wrong header":      {base, "nope", 401},
		"no header":         {base, "", 401},
		"old api-version":   {"api-version=2017-09-01&resource=https://graph.microsoft.com", "hdr", 400},
		"no resource":       {"api-version=2019-08-01", "hdr", 400},
	} {
		r := get(c.query, c.header)
		if r.status != c.status || r.json["statusCode"] != float64(c.status) || r.str("message") == "" || r.str("correlationId") == "" {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
		if name == "detached identity" && r.str("message") != "Unable to load the proper Managed Identity." {
			t.Errorf("message %q", r.str("message"))
		}
	}

	// A system-assigned identity is optional.
	s.SetManagedIdentity("hdr", "", map[string]bool{miUser: true})
	if r := get(base, "hdr"); r.status != 400 {
		t.Errorf("no system-assigned identity: %d", r.status)
	}
	if st := s.Stats(); st.TokenRequests < 10 {
		t.Errorf("token requests %d", st.TokenRequests)
	}
}
