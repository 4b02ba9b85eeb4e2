package provider_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/graph/certtest"
)

// Certificate sign-in with every format people export (internal/graph/certtest makes each
// at test time, with Go only), from each place the provider reads it, against the
// emulator: the assertion the emulator receives is checked (PS256, x5t#S256 of the
// certificate, x5c only when asked), and so is the identity that then calls Graph.

// certSource is where the provider is told about the certificate.
type certSource int

const (
	certFromPath    certSource = iota // client_certificate_path (+ client_certificate_password) in HCL
	certFromHCL                       // client_certificate (base64) in HCL
	certFromEnv                       // ARM_CLIENT_CERTIFICATE (base64) and ARM_CLIENT_CERTIFICATE_PASSWORD
	certFromEnvPath                   // ARM_CLIENT_CERTIFICATE_PATH and ARM_CLIENT_CERTIFICATE_PASSWORD
)

var certSources = []certSource{certFromPath, certFromHCL, certFromEnv, certFromEnvPath}

func (s certSource) String() string {
	return [...]string{"client_certificate_path", "client_certificate", "ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH"}[s]
}

// certProvider gives the certificate to the provider from src (setting the environment
// for the ARM_* sources) and returns the provider block; extra are more attribute lines.
// The file is named after its content, as people name theirs.
func certProvider(t *testing.T, env *acctest.Env, src certSource, data []byte, password string, extra ...string) string {
	t.Helper()
	name := "client.pfx"
	if bytes.Contains(data, []byte("-----BEGIN")) {
		name = "client.pem"
	}
	attrs := []string{hclStr("tenant_id", env.Server.TenantID()), hclStr("client_id", authCertApp)}
	switch src {
	case certFromPath:
		attrs = append(attrs, hclStr("client_certificate_path", writeTempFile(t, name, data)))
	case certFromHCL:
		attrs = append(attrs, hclStr("client_certificate", base64.StdEncoding.EncodeToString(data)))
	case certFromEnv:
		t.Setenv("ARM_CLIENT_CERTIFICATE", base64.StdEncoding.EncodeToString(data))
	case certFromEnvPath:
		t.Setenv("ARM_CLIENT_CERTIFICATE_PATH", writeTempFile(t, name, data))
	}
	if password != "" {
		if src == certFromEnv || src == certFromEnvPath {
			t.Setenv("ARM_CLIENT_CERTIFICATE_PASSWORD", password)
		} else {
			attrs = append(attrs, hclStr("client_certificate_password", password))
		}
	}
	return authProvider(env, append(attrs, extra...)...)
}

// The matrix: every format, each from one of the four places in turn; the formats the
// issue names (OpenSSL 3's default PKCS#12 and an encrypted PKCS#8 key) from all four.
func TestAccAuth_clientCertificateFormats(t *testing.T) {
	const password = "Format-p@ss w0rd-ü"
	headline := map[string]bool{certtest.Formats[0].Name: true, certtest.Formats[8].Name: true}
	if !strings.Contains(certtest.Formats[0].Name, "OpenSSL 3 default") || !strings.Contains(certtest.Formats[8].Name, "-v2 aes256") {
		t.Fatal("certtest.Formats changed order: pick the OpenSSL 3 default PKCS#12 and the AES-256 PKCS#8 key again")
	}
	for i, f := range certtest.Formats {
		sources := []certSource{certSources[i%len(certSources)]}
		if headline[f.Name] {
			sources = certSources
		}
		for _, src := range sources {
			t.Run(f.Name+"/"+src.String(), func(t *testing.T) {
				clearAuthEnv(t)
				id := certtest.New(t, certtest.Options{})
				pw := ""
				if f.Password {
					pw = password
				}
				env := acctest.Start(t, certApp(id.Cert))
				policy := authPolicy(env)
				authCase(t, env, certProvider(t, env, src, f.Make(t, id, password), pw), policy,
					checkTokenForms(env, certificateUsed(authCertApp, id.Cert)),
					checkGraphCaller(env, authCertApp))
			})
		}
	}
}

// client_certificate_send_chain (INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN) puts the file's
// certificates in the assertion's x5c header, the signing certificate first; without it
// there is no x5c even when the file holds a chain.
func TestAccAuth_clientCertificateSendsChainWhenAsked(t *testing.T) {
	const password = "chain-password"
	id := certtest.New(t, certtest.Options{Issued: true})
	cases := []struct {
		name  string
		data  []byte
		src   certSource
		extra []string
		env   string
		x5c   []*x509.Certificate
	}{
		{"PKCS#12, send_chain = true", id.PFX(t, pkcs12.Modern2023, password), certFromPath, []string{"client_certificate_send_chain = true"}, "", id.All()},
		{"PEM, INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN", id.PEM(t, certtest.PKCS8AES256, password), certFromEnv, nil, "true", id.All()},
		{"PKCS#12, default", id.PFX(t, pkcs12.Modern2023, password), certFromHCL, nil, "", nil},
		{"PEM, send_chain = false beats the environment", id.PEM(t, certtest.PKCS8, ""), certFromPath, []string{"client_certificate_send_chain = false"}, "true", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearAuthEnv(t)
			if c.env != "" {
				t.Setenv("INTUNE_CLIENT_CERTIFICATE_SEND_CHAIN", c.env)
			}
			pw := password
			if !bytes.Contains(c.data, []byte("ENCRYPTED")) && bytes.Contains(c.data, []byte("-----BEGIN")) {
				pw = ""
			}
			env := acctest.Start(t, certApp(id.Cert))
			policy := authPolicy(env)
			authCase(t, env, certProvider(t, env, c.src, c.data, pw, c.extra...), policy,
				checkTokenForms(env, certificateUsed(authCertApp, id.Cert, c.x5c...)),
				checkGraphCaller(env, authCertApp))
		})
	}
}

// phrase is a regexp for the words of s, whatever the line wrapping between them.
func phrase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(words, `\s+`)
}

// Each problem a certificate file can have stops the run when the provider is configured,
// with a diagnostic that names the file (or the setting), says what to change and that
// nothing was sent; nothing reaches the emulator. (The diagnostics' full text, and that it
// never holds the password or key material, is checked in internal/graph and config_test.go.)
func TestAccAuth_clientCertificateProblemsStopBeforeAnythingIsSent(t *testing.T) {
	clearAuthEnv(t)
	const password = "the-right-password"
	id := certtest.New(t, certtest.Options{CommonName: "registered"})
	other := certtest.New(t, certtest.Options{CommonName: "another-app"})
	expired := certtest.New(t, certtest.Options{CommonName: "expired", NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Hour)})
	ec := certtest.New(t, certtest.Options{CommonName: "ec", EC: true})
	env := acctest.Start(t, certApp(id.Cert))
	policy := authPolicy(env)
	nothingSent := phrase("Nothing was sent to Graph or the identity platform.")
	file := func(name string, data []byte) string { return writeTempFile(t, name, data) }

	wrongPFX := file("client.pfx", id.PFX(t, pkcs12.Modern2023, password))
	encryptedPEM := file("client.pem", id.PEM(t, certtest.PKCS8AES256, password))
	certOnly := file("client.crt", id.CertPEM())
	mismatched := file("mismatched.pem", append(other.CertPEM(), id.KeyPEM(t, certtest.PKCS8, "")...))
	expiredPFX := file("expired.pfx", expired.PFX(t, pkcs12.Modern2023, password))
	ecPEM := file("ec.pem", ec.PEM(t, certtest.PKCS8AES256, password))

	block := func(path, pw string) string {
		attrs := []string{hclStr("tenant_id", env.Server.TenantID()), hclStr("client_id", authCertApp), hclStr("client_certificate_path", path)}
		if pw != "" {
			attrs = append(attrs, hclStr("client_certificate_password", pw))
		}
		return authProvider(env, attrs...) + authResource(policy)
	}
	steps := []struct {
		config string
		want   []string
	}{
		{block(wrongPFX, "not-the-password"), []string{"Wrong client certificate password", "The password does not open the PKCS#12 file in " + wrongPFX, "Set client_certificate_password"}},
		{block(encryptedPEM, ""), []string{"Client certificate needs a password", "The private key in " + encryptedPEM + " is encrypted, and no password is set.", "ARM_CLIENT_CERTIFICATE_PASSWORD"}},
		{block(encryptedPEM, "not-the-password"), []string{"Wrong client certificate password", "does not decrypt the private key in " + encryptedPEM}},
		{block(certOnly, ""), []string{"Client certificate without its private key", certOnly + " holds 1 certificate (CN=registered", "but no private key"}},
		{block(mismatched, ""), []string{"Client certificate and private key do not match", "The private key in " + mismatched + " does not belong to its certificate (CN=another-app"}},
		{block(expiredPFX, password), []string{"Client certificate expired", "The certificate in " + expiredPFX + " expired on", "Entra ID refuses an expired certificate.", "upload it to the app registration"}},
		{block(ecPEM, password), []string{"Client certificate key is not RSA", "The private key in " + ecPEM + " is an ECDSA P-256 key", "RSA only", "openssl req -x509 -newkey rsa:2048"}},
	}
	var ts []resource.TestStep
	for _, s := range steps {
		parts := make([]string, len(s.want))
		for i, w := range s.want {
			parts[i] = phrase(w)
		}
		ts = append(ts, resource.TestStep{Config: s.config, ExpectError: regexp.MustCompile(`(?s)` + strings.Join(parts, ".*") + ".*" + nothingSent)})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.Factories(), Steps: ts})
	if n := len(env.Server.Requests()); n != 0 {
		t.Fatalf("%d requests reached the emulator with an unusable certificate", n)
	}
}

// The definition of done: a PKCS#12 file with OpenSSL 3's default algorithms and
// a certificate with an encrypted PKCS#8 key each sign in through a plain `terraform plan`
// (the real CLI, TF_LOG=trace), and neither the password nor the key appears in
// Terraform's log, the provider's log, azcore's log events or the CLI's output.
func TestAccAuth_clientCertificatePlainPlan(t *testing.T) {
	id := certtest.New(t, certtest.Options{})
	password := "plan-password-" + randomHex(t)
	cases := []struct {
		name string
		data []byte
		src  certSource
	}{
		{"PKCS#12 AES-256, SHA-256 MAC", id.PFX(t, pkcs12.Modern2023, password), certFromPath},
		{"PEM with an encrypted PKCS#8 key", id.PEM(t, certtest.PKCS8AES256, password), certFromEnvPath},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			planSignsIn(t, id.Cert, c.src, c.data, password, keyNeedles(t, id, c.data, password))
		})
	}
}

// planSignsIn runs `terraform init` and `terraform plan` with the certificate, at trace
// level, and checks the plan signed in with it and leaked none of needles.
func planSignsIn(t *testing.T, cert *x509.Certificate, src certSource, data []byte, password string, needles []needle) {
	t.Helper()
	clearAuthEnv(t)
	logs := t.TempDir()
	cliLog, providerLog := filepath.Join(logs, "terraform.log"), filepath.Join(logs, "provider.log")
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_LOG_PATH", cliLog)
	t.Setenv("TF_ACC_LOG_PATH", providerLog) // the in-process provider's sink
	t.Setenv("TF_LOG_PATH_MASK", "")
	var azMu sync.Mutex
	var azLog bytes.Buffer
	azlog.SetListener(func(ev azlog.Event, msg string) {
		azMu.Lock()
		defer azMu.Unlock()
		fmt.Fprintf(&azLog, "[%s] %s\n", ev, msg)
	})
	t.Cleanup(func() { azlog.SetListener(nil) })

	env := acctest.Start(t, certApp(cert))
	policy := authPolicy(env)
	config := acctest.RequiredProviders() + certProvider(t, env, src, data, password) + authResource(policy)
	cli := env.CLI(t)
	cli.Write("main.tf", config)
	out := cli.MustRun("init", "-input=false")
	plan := cli.MustRun("plan", "-input=false")
	out += plan
	if !strings.Contains(plan, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan:\n%s", plan)
	}
	if err := checkTokenForms(env, certificateUsed(authCertApp, cert))(nil); err != nil {
		t.Fatal(err)
	}
	if err := checkGraphCaller(env, authCertApp)(nil); err != nil {
		t.Fatal(err)
	}

	var leaks []string
	for _, f := range []string{cliLog, providerLog} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		if !bytes.Contains(raw, []byte("[TRACE]")) {
			t.Fatalf("%s has no trace records: the scan would prove nothing", f)
		}
		leaks = append(leaks, findLeaks(f, raw, needles)...)
	}
	azMu.Lock()
	leaks = append(leaks, findLeaks("azcore/azidentity log events", azLog.Bytes(), needles)...)
	azMu.Unlock()
	leaks = append(leaks, findLeaks("terraform's output", []byte(out), needles)...)
	if len(leaks) > 0 {
		t.Errorf("key material or the password in the logs:\n%s", strings.Join(leaks, "\n"))
	}
	// The scan does find what is there: the configuration on disk names the password when
	// the provider block holds it.
	if src == certFromPath && len(findLeaks("main.tf", []byte(config), needles[:1])) == 0 {
		t.Error("the leak scan does not find the password in main.tf")
	}
}

// keyNeedles are what must never be logged: the password, the private key in each
// encoding (PEM lines of PKCS#8 and PKCS#1, the file's own text or base64), and its
// private exponent in decimal and hex (what %v of the key would print).
func keyNeedles(t *testing.T, id *certtest.Identity, file []byte, password string) []needle {
	t.Helper()
	out := []needle{{"the certificate password", password}}
	for _, f := range []certtest.KeyFormat{certtest.PKCS8, certtest.Traditional} {
		out = append(out, needle{"the private key (PEM)", pemBody(id.KeyPEM(t, f, ""))})
	}
	for rest := file; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			out = append(out, needle{"the file's private key (" + b.Type + ")", pemBody(pem.EncodeToMemory(b))})
		}
	}
	b64 := base64.StdEncoding.EncodeToString(file)
	out = append(out, needle{"the certificate file (base64)", b64[len(b64)/2 : len(b64)/2+64]})
	if k, ok := id.Key.(*rsa.PrivateKey); ok {
		out = append(out, needle{"the private exponent", k.D.String()}, needle{"the private exponent (hex)", k.D.Text(16)})
	}
	return out
}

// The PKCS#12 file `openssl pkcs12 -export` writes with OpenSSL 3's defaults, from a key
// and certificate `openssl req -x509` made, signs in through a plain `terraform plan`.
// Skipped where openssl is not installed: the Go-made formats above cover every case.
func TestAccAuth_clientCertificateOpenSSLDefaultsPlan(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl on PATH; TestAccAuth_clientCertificateFormats covers the same formats made with Go")
	}
	dir := t.TempDir()
	password := "openssl-password-" + randomHex(t)
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.crt", "-days", "2", "-subj", "/CN=openssl-made"},
		{"pkcs12", "-export", "-inkey", "client.key", "-in", "client.crt", "-passout", "pass:" + password, "-out", "client.pfx"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", args[0], err, out)
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cb, _ := pem.Decode(read("client.crt"))
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := pem.Decode(read("client.key"))
	pfx := read("client.pfx")
	b64 := base64.StdEncoding.EncodeToString(pfx)
	planSignsIn(t, cert, certFromPath, pfx, password, []needle{
		{"the certificate password", password},
		{"the private key (PEM)", pemBody(pem.EncodeToMemory(kb))},
		{"the certificate file (base64)", b64[len(b64)/2 : len(b64)/2+64]},
	})
}

// certificateUsed: MSAL's self-signed assertion (iss == sub == client) signed PS256 with
// the SHA-256 thumbprint of cert in x5t#S256; x5c is absent, or exactly x5c (standard
// base64 DER, signing certificate first) when given.
func certificateUsed(clientID string, cert *x509.Certificate, x5c ...*x509.Certificate) func(url.Values) error {
	return func(f url.Values) error {
		if f.Get("client_id") != clientID || f.Get("client_assertion_type") != jwtBearerType || f.Has("client_secret") {
			return fmt.Errorf("not a client assertion sign-in of %s", clientID)
		}
		a := f.Get("client_assertion")
		h, err := jwtSegment(a, 0)
		if err != nil {
			return err
		}
		c, err := jwtSegment(a, 1)
		if err != nil {
			return err
		}
		if h["alg"] != "PS256" {
			return fmt.Errorf("assertion alg %v, want PS256", h["alg"])
		}
		tp, _ := h["x5t#S256"].(string)
		if got, ok := decodeAnyBase64(tp); !ok || !bytes.Equal(got, sha256Sum(cert.Raw)) {
			return fmt.Errorf("assertion x5t#S256 %q is not the certificate's SHA-256 thumbprint", tp)
		}
		chain, hasChain := h["x5c"].([]any)
		switch {
		case len(x5c) == 0 && h["x5c"] != nil:
			return fmt.Errorf("assertion has an x5c header of %d certificates; the chain was not asked for", len(chain))
		case len(x5c) > 0 && (!hasChain || len(chain) != len(x5c)):
			return fmt.Errorf("assertion x5c %v, want %d certificates", h["x5c"], len(x5c))
		}
		for i, want := range x5c {
			if s, _ := chain[i].(string); s != base64.StdEncoding.EncodeToString(want.Raw) {
				return fmt.Errorf("assertion x5c[%d] is not %s", i, want.Subject)
			}
		}
		if c["iss"] != clientID || c["sub"] != clientID {
			return fmt.Errorf("assertion iss %v sub %v, want %s", c["iss"], c["sub"], clientID)
		}
		return nil
	}
}

func decodeAnyBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
