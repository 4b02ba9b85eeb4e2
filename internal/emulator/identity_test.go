package emulator_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func TestOpenIDConfigurationOnOwnHost(t *testing.T) {
	s := startEmu(t, nil)
	r := doReq(t, s, "GET", "/"+tenant+"/v2.0/.well-known/openid-configuration", "", nil, nil)
	if r.status != 200 {
		t.Fatalf("status %d %s", r.status, r.raw)
	}
	for _, k := range []string{"token_endpoint", "issuer", "authorization_endpoint", "device_authorization_endpoint"} {
		if !strings.HasPrefix(r.str(k), s.URL()+"/"+tenant+"/") {
			t.Errorf("%s = %q, want prefix %s", k, r.str(k), s.URL())
		}
	}
	if r.str("token_endpoint") != s.URL()+"/"+tenant+"/oauth2/v2.0/token" {
		t.Errorf("token_endpoint %q", r.str("token_endpoint"))
	}
	bad := doReq(t, s, "GET", "/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration", "", nil, nil)
	if bad.status != 400 || bad.str("error") != "invalid_request" {
		t.Errorf("unknown tenant metadata: %d %s", bad.status, bad.raw)
	}
	d := doReq(t, s, "GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint="+url.QueryEscape(s.URL()+"/"+tenant+"/oauth2/v2.0/authorize"), "", nil, nil)
	if d.status != 200 || d.str("tenant_discovery_endpoint") != s.URL()+"/"+tenant+"/v2.0/.well-known/openid-configuration" {
		t.Errorf("instance discovery: %d %s", d.status, d.raw)
	}
}

func TestTokenFlow(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.TokenLifetime = 30 * time.Minute })
	base := func() url.Values {
		return url.Values{
			"grant_type":    {"client_credentials"},
			"client_id":     {rwClient},
			"client_secret": {secret},
			"scope":         {"https://graph.microsoft.com/.default openid offline_access profile"},
			"client_info":   {"1"},
			"claims":        {`{"access_token":{"xms_cc":{"values":["CP1"]}}}`},
		}
	}

	t.Run("good secret", func(t *testing.T) {
		r := tokenReq(t, s, tenant, base())
		if r.status != 200 {
			t.Fatalf("status %d %s", r.status, r.raw)
		}
		if r.str("token_type") != "Bearer" || r.json["expires_in"] != float64(1800) || r.json["ext_expires_in"] != float64(1800) {
			t.Errorf("body %s", r.raw)
		}
		c := jwtClaims(t, r.str("access_token"))
		if c["aud"] != "https://graph.microsoft.com" || c["tid"] != tenant || c["appid"] != rwClient || c["azp"] != rwClient || c["idtyp"] != "app" {
			t.Errorf("claims %v", c)
		}
		if c["iss"] != "https://sts.windows.net/"+tenant+"/" {
			t.Errorf("iss %v", c["iss"])
		}
		roles, _ := c["roles"].([]any)
		if len(roles) != 1 || roles[0] != emulator.PermReadWriteAll {
			t.Errorf("roles %v", c["roles"])
		}
		exp, iat := c["exp"].(float64), c["iat"].(float64)
		if exp-iat != 1800 {
			t.Errorf("exp-iat = %v", exp-iat)
		}
	})
	t.Run("basic auth", func(t *testing.T) {
		f := base()
		f.Del("client_secret")
		f.Del("client_id")
		r := doReqBasic(t, s, f, rwClient, secret)
		if r.status != 200 {
			t.Fatalf("basic: %d %s", r.status, r.raw)
		}
	})
	check := func(t *testing.T, r *resp, status int, errCode string, aadsts float64) {
		t.Helper()
		if r.status != status || r.str("error") != errCode {
			t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, errCode)
		}
		codes, _ := r.json["error_codes"].([]any)
		if len(codes) != 1 || codes[0] != aadsts {
			t.Errorf("error_codes %v want %v", codes, aadsts)
		}
		desc := r.str("error_description")
		for _, want := range []string{"AADSTS", "\r\nTrace ID: ", "\r\nCorrelation ID: ", "\r\nTimestamp: "} {
			if !strings.Contains(desc, want) {
				t.Errorf("error_description %q lacks %q", desc, want)
			}
		}
		if r.str("trace_id") == "" || r.str("correlation_id") == "" || r.str("timestamp") == "" {
			t.Errorf("missing trace/correlation/timestamp: %s", r.raw)
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("content-type %q", r.header.Get("Content-Type"))
		}
	}
	t.Run("bad secret", func(t *testing.T) {
		f := base()
		f.Set("client_secret", "nope")
		check(t, tokenReq(t, s, tenant, f), 401, "invalid_client", 7000215)
	})
	t.Run("unknown client", func(t *testing.T) {
		f := base()
		f.Set("client_id", "bbbbbbbb-0000-4000-8000-000000000009")
		check(t, tokenReq(t, s, tenant, f), 400, "unauthorized_client", 700016)
	})
	t.Run("unknown tenant", func(t *testing.T) {
		check(t, tokenReq(t, s, "99999999-2222-4333-8444-555555555555", base()), 400, "invalid_request", 90002)
	})
	t.Run("scope without .default", func(t *testing.T) {
		f := base()
		f.Set("scope", "https://graph.microsoft.com/DeviceManagementConfiguration.Read.All")
		check(t, tokenReq(t, s, tenant, f), 400, "invalid_scope", 1002012)
	})
	t.Run("malformed client assertion", func(t *testing.T) {
		f := base()
		f.Del("client_secret")
		f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		f.Set("client_assertion", "a.b.c")
		check(t, tokenReq(t, s, tenant, f), 400, "invalid_request", 50027)
	})
	t.Run("other resource becomes aud", func(t *testing.T) {
		f := base()
		f.Set("scope", "https://graph.microsoft.us/.default")
		r := tokenReq(t, s, tenant, f)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if aud := jwtClaims(t, r.str("access_token"))["aud"]; aud != "https://graph.microsoft.us" {
			t.Errorf("aud %v", aud)
		}
		// ...and Graph (global cloud) refuses it.
		g := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations", r.str("access_token"), nil, nil)
		if g.status != 401 || g.str("error", "code") != "InvalidAuthenticationToken" {
			t.Errorf("foreign audience accepted: %d %s", g.status, g.raw)
		}
	})
}

// Every token is unique, like Entra's (uti): two sign-ins of one app in the same second
// get different tokens, so tests can tell which sign-in a Graph request came from.
func TestTokensAreUnique(t *testing.T) {
	s := startEmu(t, nil)
	first, second := getToken(t, s, rwClient), getToken(t, s, rwClient)
	c1, c2 := jwtClaims(t, first), jwtClaims(t, second)
	if c1["uti"] == nil || c1["uti"] == "" || c1["uti"] == c2["uti"] || first == second {
		t.Fatalf("two sign-ins got the same token or no uti: %v / %v", c1["uti"], c2["uti"])
	}
	// The same claims as the first sign-in, same second: only uti tells them apart.
	minted, err := s.IssueToken(emulator.TokenOptions{ClientID: rwClient, Roles: []string{emulator.PermReadWriteAll},
		IssuedAt: time.Unix(int64(c1["iat"].(float64)), 0)})
	if err != nil {
		t.Fatal(err)
	}
	if minted == first || jwtClaims(t, minted)["uti"] == c1["uti"] {
		t.Fatal("IssueToken repeated a token issued in the same second")
	}
}

func doReqBasic(t *testing.T, s *emulator.Server, f url.Values, user, pass string) *resp {
	t.Helper()
	return doReq(t, s, "POST", "/"+tenant+"/oauth2/v2.0/token", "", f.Encode(), map[string]string{
		"Content-Type":  "application/x-www-form-urlencoded",
		"Authorization": "Basic " + basic(user, pass),
	})
}

func basic(u, p string) string {
	return b64(url.QueryEscape(u) + ":" + url.QueryEscape(p))
}
