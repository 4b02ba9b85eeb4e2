package graph

import (
	"strings"
	"testing"
)

func TestMethodExplainsUnusableSettings(t *testing.T) {
	cases := []struct {
		c    Credentials
		want string
	}{
		{Credentials{UseOIDC: true, UseMSI: true}, "use_oidc is set but no token source"},
		{Credentials{UseOIDC: true, OIDCRequestURL: "https://gh"}, "use_oidc is set but no token source"},
		{Credentials{UseAKSWorkloadIdentity: true}, "AZURE_FEDERATED_TOKEN_FILE is not"},
		{Credentials{}, "no sign-in method is configured"},
	}
	for _, c := range cases {
		if _, err := c.c.Method(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error containing %q", c.c, err, c.want)
		}
	}
}

func TestConfiguredCountsOIDCOnceAndLeavesOutTheCLIFallback(t *testing.T) {
	c := Credentials{ClientSecret: "s", UseOIDC: true, OIDCToken: "t", OIDCRequestURL: "u", OIDCRequestToken: "r", UseMSI: true, UseCLI: true}
	got := c.Configured()
	want := []Method{MethodClientSecret, MethodOIDCToken, MethodManagedIdentity}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if m, _ := c.Method(); m != got[0] {
		t.Fatalf("the method used (%s) must head the configured list %v", m, got)
	}
}
