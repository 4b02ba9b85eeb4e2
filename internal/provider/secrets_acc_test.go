package provider_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/graph/certtest"
)

// A full create, update and destroy, signing in with a client secret, then a
// password-protected PKCS#12 certificate (OpenSSL 3's default algorithms, base64 in HCL),
// then a certificate file with an encrypted PKCS#8 key, then an OIDC token, with
// trace logging on everywhere: Terraform's log (TF_ACC_LOG_PATH), the in-process
// provider's tflog/SDK log (the test sink writes to the same file), and azcore/azidentity's
// log events. None of the credentials, nor any access token the emulator issued, may
// appear in those logs or in the state: not the secrets and passwords, not the private key
// in any encoding.
func TestAccSecrets_neverLoggedOrStored(t *testing.T) {
	clearAuthEnv(t)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	workDir := t.TempDir()
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG_PATH_MASK", "") // would take precedence over TF_ACC_LOG_PATH
	t.Setenv("TF_LOG_PATH", "")
	t.Setenv("TF_ACC_LOG", "") // plugintest then runs terraform at TRACE
	t.Setenv("TF_ACC_TEMP_DIR", workDir)

	// azcore and azidentity log through a process-wide listener (AZURE_SDK_GO_LOGGING=all
	// sends it to stderr); capture every event.
	var azMu sync.Mutex
	var azLog bytes.Buffer
	azlog.SetListener(func(ev azlog.Event, msg string) {
		azMu.Lock()
		defer azMu.Unlock()
		fmt.Fprintf(&azLog, "[%s] %s\n", ev, msg)
	})
	t.Cleanup(func() { azlog.SetListener(nil) })

	secret := "canary-secret-" + randomHex(t)
	password := "canary-pfx-password-" + randomHex(t)
	pemPassword := "canary-pem-password-" + randomHex(t)
	id := certtest.New(t, certtest.Options{})
	pfx := base64.StdEncoding.EncodeToString(id.PFX(t, pkcs12.Modern2023, password))
	encryptedKey := id.KeyPEM(t, certtest.PKCS8AES256, pemPassword)
	pemFile := writeTempFile(t, "client.pem", append(id.CertPEM(), encryptedKey...))
	rsaKey, _ := id.Key.(*rsa.PrivateKey)
	const clientID = "5ec2e750-0000-4000-8000-00000000c0de"
	env := acctest.Start(t, func(c *emulator.Config) {
		c.Apps = []emulator.App{{
			ClientID:             clientID,
			ClientSecret:         secret,
			Roles:                []string{emulator.PermReadWriteAll},
			Certificates:         []*x509.Certificate{id.Cert},
			FederatedCredentials: []emulator.FederatedCredential{{Issuer: "github", Subject: ghSubject}},
		}}
	})
	oidcToken := federatedToken(t, env, "github", ghSubject, 0)
	policy := authPolicy(env)

	needles := []needle{
		{"the client secret", secret},
		{"the client certificate password", password},
		{"the client certificate (base64 PKCS#12)", pfx},
		{"the PEM key password", pemPassword},
		{"the private key (PKCS#8 PEM)", pemBody(id.KeyPEM(t, certtest.PKCS8, ""))},
		{"the private key (PKCS#1 PEM)", pemBody(id.KeyPEM(t, certtest.Traditional, ""))},
		{"the encrypted private key (PEM)", pemBody(encryptedKey)},
		{"the private exponent", rsaKey.D.String()},
		{"the private exponent (hex)", rsaKey.D.Text(16)},
		{"the federated (OIDC) token", oidcToken},
		{"the federated (OIDC) token's signature", jwtSignature(oidcToken)},
	}
	// accessTokens are the bearer tokens Graph saw: every access token the emulator issued
	// that the provider used.
	accessTokens := func() []needle {
		seen := map[string]bool{}
		var out []needle
		for _, r := range requestsTo(env, isGraph) {
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if tok == "" || seen[tok] {
				continue
			}
			seen[tok] = true
			out = append(out, needle{"an access token", tok}, needle{"an access token's signature", jwtSignature(tok)})
		}
		return out
	}

	mark := 0
	since := func() { mark = len(env.Server.Requests()) }
	// usedSince checks that this step signed in with the method check recognises, and that
	// Graph was called with an access token no earlier step used: the one this step's
	// sign-in obtained (the emulator makes every token unique, so this holds however
	// quickly the steps follow each other).
	usedSince := func(check func(url.Values) error) resource.TestCheckFunc {
		return func(*terraform.State) error {
			all := env.Server.Requests()
			earlier := map[string]bool{}
			for _, r := range all[:mark] {
				if isGraph(r) {
					earlier[r.Header.Get("Authorization")] = true
				}
			}
			fresh := false
			for _, r := range all[mark:] {
				if isGraph(r) && r.Header.Get("Authorization") != "" && !earlier[r.Header.Get("Authorization")] {
					fresh = true
				}
			}
			if !fresh {
				return fmt.Errorf("Graph saw no access token in this step that an earlier step had not used")
			}
			reqs := all[mark:]
			n := 0
			for _, r := range reqs {
				if !isTokenEndpoint(r) {
					continue
				}
				n++
				f, err := url.ParseQuery(string(r.Body))
				if err != nil {
					return err
				}
				if err := check(f); err != nil {
					return fmt.Errorf("token request %v: %w", redactForm(f), err)
				}
			}
			if n == 0 {
				return fmt.Errorf("no sign-in in this step")
			}
			return nil
		}
	}
	stateFiles := 0
	noLeakInState := func(s *terraform.State) error {
		all := append(append([]needle{}, needles...), accessTokens()...)
		var leaks []string
		for _, m := range s.Modules {
			for addr, rs := range m.Resources {
				if rs.Primary == nil {
					continue
				}
				var b strings.Builder
				b.WriteString(rs.Primary.ID + "\n")
				for k, v := range rs.Primary.Attributes {
					fmt.Fprintf(&b, "%s = %s\n", k, v)
				}
				for k, v := range rs.Primary.Meta {
					fmt.Fprintf(&b, "%s = %v\n", k, v)
				}
				leaks = append(leaks, findLeaks("state of "+addr, []byte(b.String()), all)...)
			}
		}
		// The raw state files of the working directory, and the private data in them.
		err := filepath.WalkDir(workDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".tfstate") {
				return err
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			stateFiles++
			leaks = append(leaks, findLeaks(p, raw, all)...)
			leaks = append(leaks, findLeaks(p+" (private data)", privateData(raw), all)...)
			return nil
		})
		if err != nil {
			return err
		}
		if len(leaks) > 0 {
			return fmt.Errorf("secrets in the state:\n%s", strings.Join(leaks, "\n"))
		}
		return nil
	}
	assigned := func(want ...string) resource.TestCheckFunc {
		return acctest.CheckAssignments(env.Server.DeviceConfigurationAssignments, policy, "direct", want...)
	}
	config := func(assignments string, attrs ...string) string {
		return authProvider(env, append([]string{hclStr("tenant_id", env.Server.TenantID()), hclStr("client_id", clientID)}, attrs...)...) +
			fmt.Sprintf(`
resource "intune_device_configuration_assignments" "test" {
  device_configuration_id = %q
  assignments             = [%s]
}
`, policy, assignments)
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(assigned(), noLeakInState),
		Steps: []resource.TestStep{
			{
				PreConfig: since,
				Config:    config(`{ target = "all_devices" }`, hclStr("client_secret", secret)),
				Check: resource.ComposeAggregateTestCheckFunc(
					assigned("allDevicesAssignmentTarget"),
					usedSince(secretUsed(clientID, secret)),
					noLeakInState),
			},
			{
				PreConfig: since,
				Config: config(`{ target = "all_devices" }, { target = "all_licensed_users" }`,
					hclStr("client_certificate", pfx), hclStr("client_certificate_password", password)),
				Check: resource.ComposeAggregateTestCheckFunc(
					assigned("allDevicesAssignmentTarget", "allLicensedUsersAssignmentTarget"),
					usedSince(certificateUsed(clientID, id.Cert)),
					noLeakInState),
			},
			{
				PreConfig: since,
				Config: config(`{ target = "all_licensed_users" }`,
					hclStr("client_certificate_path", pemFile), hclStr("client_certificate_password", pemPassword)),
				Check: resource.ComposeAggregateTestCheckFunc(
					assigned("allLicensedUsersAssignmentTarget"),
					usedSince(certificateUsed(clientID, id.Cert)),
					noLeakInState),
			},
			{
				PreConfig: since,
				Config:    config(`{ target = "all_devices" }`, "use_oidc = true", hclStr("oidc_token", oidcToken)),
				Check: resource.ComposeAggregateTestCheckFunc(
					assigned("allDevicesAssignmentTarget"),
					usedSince(federatedUsed(env, clientID, "github", ghSubject, oidcToken)),
					noLeakInState),
			},
		},
	})

	if stateFiles == 0 {
		t.Error("no state file was found under TF_ACC_TEMP_DIR: the raw state was not checked")
	}
	all := append(append([]needle{}, needles...), accessTokens()...)
	if n := len(all) - len(needles); n < 8 {
		t.Errorf("only %d access tokens were seen by Graph; expected one per method at least", n/2)
	}

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the Terraform log: %v", err)
	}
	// The log must really hold trace output of both Terraform and the provider under
	// test, or finding nothing in it proves nothing.
	cliLine := "Terraform version:"
	if acctest.TestCLI(t).OpenTofu {
		cliLine = "OpenTofu version:"
	}
	for _, want := range []string{
		cliLine, // the CLI
		"GRPCProvider.v6: ApplyResourceChange",
		"[TRACE] sdk.proto: Received request:", // the in-process provider (terraform-plugin-go)
		"tf_provider_addr=" + acctest.ProviderHost() + "/hashicorp/intune tf_rpc=ConfigureProvider",
		"[TRACE] sdk.framework:", // the in-process provider (terraform-plugin-framework)
	} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the log (%d bytes) has no %q line", len(raw), want)
		}
	}
	azMu.Lock()
	azText := azLog.Bytes()
	azMu.Unlock()
	if !bytes.Contains(azText, []byte("[Authentication]")) || !bytes.Contains(azText, []byte("[Request]")) {
		t.Errorf("azcore logged no authentication or request events:\n%s", azText)
	}

	// terraform-plugin-testing itself logs each step's configuration at TRACE
	// (internal/plugintest/working_dir.go:119, "Setting Terraform configuration",
	// field test_terraform_configuration), so the HCL credentials of this test are in
	// those records by construction. They are a test-harness echo of the test's own input,
	// not something Terraform or the provider logs; they are scanned separately and must
	// hold exactly the HCL inputs, which also shows the scan finds what is there.
	rest, echo := splitConfigEcho(raw)
	leaks := append(findLeaks(logPath, rest, all), findLeaks("azcore/azidentity log events", azText, all)...)
	if len(leaks) > 0 {
		t.Errorf("secrets in the logs:\n%s", strings.Join(leaks, "\n"))
	}
	inEcho := map[string]bool{}
	for _, n := range all {
		if len(findLeaks("", echo, []needle{n})) > 0 {
			inEcho[n.what] = true
		}
	}
	for _, want := range []string{"the client secret", "the client certificate password", "the client certificate (base64 PKCS#12)", "the PEM key password", "the federated (OIDC) token"} {
		if !inEcho[want] {
			t.Errorf("%s is not in terraform-plugin-testing's configuration echo: the log scan does not work", want)
		}
	}
	if len(inEcho) != 6 { // the five HCL inputs and the OIDC token's signature, nothing else
		t.Errorf("the configuration echo holds %v", inEcho)
	}
	t.Logf("checked %d secrets and access tokens in %d bytes of Terraform/provider log, %d bytes of azcore log and %d state snapshots",
		len(all), len(raw), len(azText), stateFiles)
}

type needle struct{ what, value string }

// logRecordStart is how each record of the Terraform/SDK log starts.
var logRecordStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\S+ \[(TRACE|DEBUG|INFO|WARN|ERROR)\] `)

// splitConfigEcho separates terraform-plugin-testing's "Setting Terraform configuration"
// records (multi-line) from the rest of the log; rest keeps the line numbers of the file.
func splitConfigEcho(raw []byte) (rest, echo []byte) {
	var r, e bytes.Buffer
	inEcho := false
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if logRecordStart.MatchString(line) {
			inEcho = strings.Contains(line, "sdk.helper_resource: Setting Terraform configuration") ||
				strings.Contains(line, "sdk.helper_resource: Setting Terraform query configuration")
		}
		if inEcho {
			e.WriteString(line)
			r.WriteString("\n")
		} else {
			r.WriteString(line)
		}
	}
	return r.Bytes(), e.Bytes()
}

// findLeaks reports each line of haystack holding a needle, with the needle masked.
func findLeaks(where string, haystack []byte, needles []needle) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(haystack))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		var found []string
		for _, n := range needles {
			if len(n.value) >= 12 && strings.Contains(text, n.value) {
				found = append(found, n.what)
				text = strings.ReplaceAll(text, n.value, "<"+n.what+">")
			}
		}
		if len(found) > 0 {
			sort.Strings(found)
			if len(text) > 600 {
				text = text[:600] + "..."
			}
			out = append(out, fmt.Sprintf("%s:%d: %s: %s", where, line, strings.Join(found, ", "), text))
		}
	}
	return out
}

// privateData decodes the base64 private data of each resource instance in a state file.
func privateData(raw []byte) []byte {
	var st struct {
		Resources []struct {
			Instances []struct {
				Private string `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if json.Unmarshal(raw, &st) != nil {
		return nil
	}
	var out []byte
	for _, r := range st.Resources {
		for _, i := range r.Instances {
			if b, err := base64.StdEncoding.DecodeString(i.Private); err == nil {
				out = append(append(out, b...), '\n')
			}
		}
	}
	return out
}

func jwtSignature(tok string) string {
	if i := strings.LastIndex(tok, "."); i >= 0 {
		return tok[i+1:]
	}
	return tok
}

// pemBody is the base64 text of a PEM block on one line.
func pemBody(p []byte) string {
	var lines []string
	for _, l := range strings.Split(string(p), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)/2] // a full 64-character line from the middle of the key
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
