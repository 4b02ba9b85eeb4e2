package graph_test

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

func newClient(t *testing.T, srv *emulator.Server, clientID, secret string) *graph.Client {
	t.Helper()
	c, err := graph.NewClient(graph.Config{
		Credentials:     graph.Credentials{TenantID: srv.TenantID(), ClientID: clientID, ClientSecret: secret},
		Cloud:           graph.Cloud{AuthorityHost: srv.URL() + "/", GraphEndpoint: srv.URL()},
		CustomAuthority: true,
		Scope:           "https://graph.microsoft.com/.default",
		Transport:       srv.HTTPClient().Transport.(*http.Transport).Clone(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func start(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func describe(as []graph.Assignment) string {
	var out []string
	for _, a := range as {
		out = append(out, strings.Join([]string{a.Target.ODataType, a.Target.GroupID, a.Target.CollectionID, a.Target.FilterID, a.Target.FilterType, a.Source}, "|"))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

var sample = []graph.Assignment{
	{Target: graph.Target{ODataType: graph.ODataGroupTarget, GroupID: "11111111-1111-1111-1111-111111111111", FilterID: "99999999-9999-9999-9999-999999999999", FilterType: "include"}},
	{Target: graph.Target{ODataType: graph.ODataExclusionGroupTarget, GroupID: "22222222-2222-2222-2222-222222222222"}},
	{Target: graph.Target{ODataType: graph.ODataAllLicensedUsersTarget}},
	{Target: graph.Target{ODataType: graph.ODataConfigMgrCollectionTarget, CollectionID: "MEM00012"}},
}

// Device assignments round-trip through the family's URL templates, through paging: what
// the assign answers, what the list reads page by page and what the emulator stores agree.
func TestDeviceAssignmentsRoundTripThroughPaging(t *testing.T) {
	srv := start(t, emulator.Config{PageSize: 1})
	c := newClient(t, srv, emulator.DefaultClientID, emulator.DefaultClientSecret)
	policy := srv.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	ctx := context.Background()
	api := c.Assignments(graph.DeviceConfigurationsFamily)

	got, err := api.Assign(ctx, policy, sample)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(describe(sample), "|\n", "|direct\n") + "direct"
	if describe(got) != want {
		t.Fatalf("assign answered\n%s\nwant\n%s", describe(got), want)
	}
	listed, err := api.List(ctx, policy)
	if err != nil {
		t.Fatal(err)
	}
	if describe(listed) != want {
		t.Fatalf("list (one assignment a page) read\n%s\nwant\n%s", describe(listed), want)
	}
	stored, _ := srv.DeviceConfigurationAssignments(policy)
	if len(stored) != len(sample) {
		t.Fatalf("the emulator stores %d assignments, want %d", len(stored), len(sample))
	}
	if _, err := api.Assign(ctx, policy, []graph.Assignment{}); err != nil {
		t.Fatal(err)
	}
	if left, _ := api.List(ctx, policy); len(left) != 0 {
		t.Fatalf("an empty assign must clear the policy, %d left", len(left))
	}
}

func TestErrorsAreTypedAndReadable(t *testing.T) {
	srv := start(t, emulator.Config{Apps: []emulator.App{
		{ClientID: emulator.DefaultClientID, ClientSecret: emulator.DefaultClientSecret, Roles: []string{emulator.PermReadWriteAll}},
		{ClientID: "5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a", ClientSecret: "reader", Roles: []string{emulator.PermReadAll}},
	}})
	ctx := context.Background()
	c := newClient(t, srv, emulator.DefaultClientID, emulator.DefaultClientSecret)

	_, err := c.Assignments(graph.DeviceConfigurationsFamily).List(ctx, "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a")
	var ge *graph.Error
	if !graph.IsNotFound(err) || !errors.As(err, &ge) {
		t.Fatalf("want a typed 404, got %T %v", err, err)
	}
	if ge.Code != "ResourceNotFound" || ge.RequestID == "" || strings.HasPrefix(ge.Message, "{") {
		t.Fatalf("404 not readable: code=%q request-id=%q message=%q", ge.Code, ge.RequestID, ge.Message)
	}

	reader := newClient(t, srv, "5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a", "reader")
	policy := srv.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	_, err = reader.Assignments(graph.DeviceConfigurationsFamily).Assign(ctx, policy, sample)
	if !errors.As(err, &ge) || ge.StatusCode != http.StatusForbidden {
		t.Fatalf("want a typed 403, got %T %v", err, err)
	}
	if !strings.Contains(ge.Message, "DeviceManagementConfiguration.ReadWrite.All") || !strings.Contains(ge.Details(), "DeviceManagementConfiguration.ReadWrite.All") {
		t.Fatalf("403 must name the permission: %q / %q", ge.Message, ge.Details())
	}

	bad := newClient(t, srv, emulator.DefaultClientID, "not-the-secret")
	_, err = bad.Assignments(graph.DeviceConfigurationsFamily).List(ctx, policy)
	var se *graph.SignInError
	if !errors.As(err, &se) || se.Method != graph.MethodClientSecret || se.Code != "invalid_client" || !strings.HasPrefix(se.Description, "AADSTS7000215") {
		t.Fatalf("want a SignInError with AADSTS7000215, got %T %v", err, err)
	}
}

func TestOfficeAssignRoundTrip(t *testing.T) {
	srv := start(t, emulator.Config{PageSize: 1})
	c := newClient(t, srv, emulator.DefaultClientID, emulator.DefaultClientSecret)
	policy := srv.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: "o"})
	in := []graph.Assignment{
		{Target: graph.Target{ODataType: graph.ODataOfficeGroupTarget, GroupID: "11111111-1111-1111-1111-111111111111"}},
		{Target: graph.Target{ODataType: graph.ODataOfficeGroupTarget, GroupID: "22222222-2222-2222-2222-222222222222"}},
	}
	if _, err := c.Assignments(graph.OfficeClientConfigurationsFamily).Assign(context.Background(), policy, in); err != nil {
		t.Fatal(err)
	}
	got, err := c.Assignments(graph.OfficeClientConfigurationsFamily).List(context.Background(), policy)
	if err != nil {
		t.Fatal(err)
	}
	if describe(got) != describe(in) {
		t.Fatalf("got\n%s\nwant\n%s", describe(got), describe(in))
	}
}

// A Graph endpoint with the version on it would send every request to /beta/beta/...; it
// is refused before any request, with the root to give instead.
func TestNewClientRefusesAVersionInTheGraphEndpoint(t *testing.T) {
	for _, ep := range []string{"https://graph.microsoft.com/beta", "https://127.0.0.1:8443/beta/", "https://graph.microsoft.us/v1.0"} {
		_, err := graph.NewClient(graph.Config{
			Credentials: graph.Credentials{TenantID: "t", ClientID: "c", ClientSecret: "s"},
			Cloud:       graph.Cloud{AuthorityHost: "https://login.microsoftonline.com/", GraphEndpoint: ep},
			Scope:       "https://graph.microsoft.com/.default",
		})
		if err == nil || !strings.Contains(err.Error(), "ends with the API version") || !strings.Contains(err.Error(), "provider adds /beta itself") {
			t.Errorf("%s: err = %v", ep, err)
		}
	}
	if _, err := graph.NewClient(graph.Config{Credentials: graph.Credentials{TenantID: "t", ClientID: "c", ClientSecret: "s"},
		Cloud: graph.Cloud{AuthorityHost: "https://login.microsoftonline.com/", GraphEndpoint: "https://example.com/betas"}, Scope: "x/.default"}); err != nil {
		t.Errorf("a path that only looks like a version must be accepted: %v", err)
	}
}

// Against the emulator, only its answer for an unknown policy means "not found": a
// graph_endpoint with a path that is not Graph's root (the emulator answers 404 with a
// body that is no Graph error, as a web server or proxy would) and an injected 404 with
// another code are errors that name the request, never a deleted policy.
func TestWrongRoute404IsNotNotFound(t *testing.T) {
	srv := start(t, emulator.Config{})
	policy := srv.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	ctx := context.Background()
	c, err := graph.NewClient(graph.Config{
		Credentials:     graph.Credentials{TenantID: srv.TenantID(), ClientID: emulator.DefaultClientID, ClientSecret: emulator.DefaultClientSecret},
		Cloud:           graph.Cloud{AuthorityHost: srv.URL() + "/", GraphEndpoint: srv.URL() + "/not-graph"},
		CustomAuthority: true,
		Scope:           "https://graph.microsoft.com/.default",
		Transport:       srv.HTTPClient().Transport.(*http.Transport).Clone(),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Assignments(graph.DeviceConfigurationsFamily).List(ctx, policy)
	var ge *graph.Error
	if graph.IsNotFound(err) || !errors.As(err, &ge) || ge.StatusCode != http.StatusNotFound {
		t.Fatalf("a graph_endpoint that is not Graph's root: want a 404 *Error that is not IsNotFound, got %T %v", err, err)
	}
	want := "GET " + srv.URL() + "/not-graph/beta/deviceManagement/deviceConfigurations/" + policy + "/assignments"
	if !strings.Contains(ge.Details(), want) {
		t.Fatalf("the details do not name the request %q:\n%s", want, ge.Details())
	}

	good := newClient(t, srv, emulator.DefaultClientID, emulator.DefaultClientSecret)
	srv.AddFault(emulator.Fault{Match: emulator.PathContains("GET", "/assignments"), Status: http.StatusNotFound})
	_, err = good.Assignments(graph.DeviceConfigurationsFamily).List(ctx, policy)
	if graph.IsNotFound(err) || !errors.As(err, &ge) || ge.StatusCode != http.StatusNotFound || ge.Code != "NotFound" {
		t.Fatalf("an injected 404 NotFound: want a 404 *Error that is not IsNotFound, got %T %v", err, err)
	}
	if _, err := good.Assignments(graph.DeviceConfigurationsFamily).List(ctx, policy); err != nil {
		t.Fatalf("the policy exists: %v", err)
	}
}
