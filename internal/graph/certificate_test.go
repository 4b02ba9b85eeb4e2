package graph_test

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
	"github.com/intunetf/terraform-provider-intune/internal/graph/certtest"
)

const (
	certPassword = "c3rt-P@ss wörd"
	certSource   = "/secrets/intune-terraform.pfx"
)

// certProblem asserts err is a *graph.CertificateError of that problem, naming the source
// and holding neither the password nor any line of the private key.
func certProblem(t *testing.T, err error, want graph.CertificateProblem, id *certtest.Identity, mentions ...string) {
	t.Helper()
	var ce *graph.CertificateError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *graph.CertificateError %q", err, want)
	}
	if ce.Problem != want {
		t.Fatalf("problem %q (%v), want %q", ce.Problem, err, want)
	}
	text := ce.Error() + "\n" + ce.Details()
	if !strings.Contains(text, certSource) {
		t.Errorf("the diagnostic does not name %s:\n%s", certSource, text)
	}
	if ce.Remedy == "" || ce.Summary() != string(want) {
		t.Errorf("no remedy or summary: %+v", ce)
	}
	if strings.Contains(text, certPassword) {
		t.Errorf("the diagnostic holds the password:\n%s", text)
	}
	if id != nil {
		for _, line := range keyLines(t, id) {
			if strings.Contains(text, line) {
				t.Errorf("the diagnostic holds key material:\n%s", text)
			}
		}
	}
	for _, m := range mentions {
		if !strings.Contains(text, m) {
			t.Errorf("the diagnostic does not say %q:\n%s", m, text)
		}
	}
}

// keyLines are the base64 lines of the key in every PEM encoding.
func keyLines(t *testing.T, id *certtest.Identity) []string {
	var out []string
	for _, f := range []certtest.KeyFormat{certtest.PKCS8, certtest.Traditional} {
		for _, l := range strings.Split(string(id.KeyPEM(t, f, "")), "\n") {
			if len(l) == 64 {
				out = append(out, l)
			}
		}
	}
	return out
}

func sameChain(t *testing.T, got *graph.ClientCertificate, want []*x509.Certificate) {
	t.Helper()
	if len(got.Chain) != len(want) {
		t.Fatalf("chain of %d certificates, want %d", len(got.Chain), len(want))
	}
	for i := range want {
		if !got.Chain[i].Equal(want[i]) {
			t.Fatalf("chain[%d] is %s, want %s", i, got.Chain[i].Subject, want[i].Subject)
		}
	}
}

// Every format, with a self-signed certificate and with one issued under a two-level CA
// (whose chain comes back signing certificate first): read with its password, refused
// with a wrong one, asked for when none is set.
func TestParseClientCertificateReadsEveryFormat(t *testing.T) {
	ids := map[string]*certtest.Identity{
		"self-signed": certtest.New(t, certtest.Options{}),
		"issued":      certtest.New(t, certtest.Options{Issued: true}),
	}
	for _, f := range certtest.Formats {
		for kind, id := range ids {
			t.Run(f.Name+"/"+kind, func(t *testing.T) {
				data := f.Make(t, id, certPassword)
				pw := ""
				if f.Password {
					pw = certPassword
				}
				got, err := graph.ParseClientCertificate(data, pw, certSource)
				if err != nil {
					t.Fatal(err)
				}
				sameChain(t, got, id.All())
				if !got.Key.Equal(id.Key) {
					t.Fatal("not the identity's key")
				}
				if !f.Password {
					return
				}
				_, err = graph.ParseClientCertificate(data, "not-"+certPassword, certSource)
				certProblem(t, err, graph.CertificateWrongPassword, id, "does not", "client_certificate_password")
				_, err = graph.ParseClientCertificate(data, "", certSource)
				certProblem(t, err, graph.CertificatePasswordNeeded, id, "no password is set", "ARM_CLIENT_CERTIFICATE_PASSWORD")
			})
		}
	}
}

// A password given for a file that has none is not needed: unencrypted PEM keys and
// PKCS#12 files without a MAC are read regardless.
func TestParseClientCertificateIgnoresAPasswordNothingNeeds(t *testing.T) {
	id := certtest.New(t, certtest.Options{})
	for name, data := range map[string][]byte{
		"PEM":                  id.PEM(t, certtest.PKCS8, ""),
		"PKCS#12 without MAC":  id.PFX(t, pkcs12.Passwordless, ""),
		"PEM, traditional key": id.PEM(t, certtest.Traditional, ""),
	} {
		if _, err := graph.ParseClientCertificate(data, certPassword, certSource); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// EC keys are read in every format (decrypted with the password, matched to their
// certificate), then refused: Entra ID signs in with RSA certificate credentials only.
func TestParseClientCertificateRefusesECKeysByName(t *testing.T) {
	id := certtest.New(t, certtest.Options{EC: true})
	for _, f := range certtest.Formats {
		t.Run(f.Name, func(t *testing.T) {
			data := f.Make(t, id, certPassword)
			pw := ""
			if f.Password {
				pw = certPassword
			}
			_, err := graph.ParseClientCertificate(data, pw, certSource)
			certProblem(t, err, graph.CertificateNotRSA, id, "ECDSA P-256", "RSA only", "openssl req -x509 -newkey rsa:2048")
			if f.Password {
				_, err = graph.ParseClientCertificate(data, "not-"+certPassword, certSource)
				certProblem(t, err, graph.CertificateWrongPassword, id)
			}
		})
	}
}

func TestParseClientCertificateExplainsEachProblem(t *testing.T) {
	id := certtest.New(t, certtest.Options{CommonName: "the-app"})
	other := certtest.New(t, certtest.Options{CommonName: "another-app"})
	issued := certtest.New(t, certtest.Options{Issued: true})
	expired := certtest.New(t, certtest.Options{NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Hour)})
	future := certtest.New(t, certtest.Options{NotBefore: time.Now().Add(48 * time.Hour)})
	trustStore, err := pkcs12.Modern2023.EncodeTrustStore([]*x509.Certificate{id.Cert}, certPassword)
	if err != nil {
		t.Fatal(err)
	}
	mismatchPFX, err := pkcs12.Modern2023.Encode(other.Key, id.Cert, nil, certPassword)
	if err != nil {
		t.Fatal(err)
	}
	pbes1 := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: mustASN1(t, struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}, Parameters: asn1.RawValue{FullBytes: mustASN1(t, struct {
		Salt []byte
		Iter int
	}{[]byte("saltsalt"), 2048})}}, bytes.Repeat([]byte{7}, 1216)})})

	cases := []struct {
		name     string
		data     []byte
		password string
		id       *certtest.Identity
		want     graph.CertificateProblem
		mentions []string
	}{
		{"PEM certificate only", id.CertPEM(), "", id, graph.CertificateNoPrivateKey, []string{"CN=the-app, thumbprint ", "no private key"}},
		{"PKCS#12 certificates only", trustStore, certPassword, id, graph.CertificateNoPrivateKey, []string{"no private key", "openssl pkcs12 -export -inkey"}},
		{"PEM key only", id.KeyPEM(t, certtest.PKCS8, ""), "", id, graph.CertificateNoCertificate, []string{"no CERTIFICATE", "cat client.crt client.key"}},
		{"PEM of another certificate", append(other.CertPEM(), id.KeyPEM(t, certtest.PKCS8AES256, certPassword)...), certPassword, id, graph.CertificateKeyMismatch, []string{"CN=another-app", "openssl pkey -pubout"}},
		{"PKCS#12 of another certificate", mismatchPFX, certPassword, other, graph.CertificateKeyMismatch, []string{"CN=the-app"}},
		{"PEM with the chain but not the certificate", append(append(certBlock(issued.Chain[0]), certBlock(issued.Chain[1])...), issued.KeyPEM(t, certtest.PKCS8, "")...), "", issued, graph.CertificateKeyMismatch, []string{"2 certificates"}},
		{"expired", expired.PFX(t, pkcs12.Modern2023, certPassword), certPassword, expired, graph.CertificateExpired, []string{"expired on " + expired.Cert.NotAfter.UTC().Format(time.RFC3339), "upload it to the app registration"}},
		{"not yet valid", future.PEM(t, certtest.PKCS8, ""), "", future, graph.CertificateNotYetValid, []string{"valid only from " + future.Cert.NotBefore.UTC().Format(time.RFC3339), "clock"}},
		{"legacy PEM encryption", append(id.CertPEM(), id.KeyPEM(t, certtest.LegacyEncrypted, "")...), certPassword, id, graph.CertificateUnsupported, []string{"Proc-Type: 4,ENCRYPTED", "AES-256-CBC", "openssl pkcs8 -topk8 -v2 aes256"}},
		{"PBES1 encrypted PKCS#8", append(id.CertPEM(), pbes1...), certPassword, id, graph.CertificateUnsupported, []string{"openssl pkcs8 -topk8 -v2 aes256"}},
		{"two keys", append(id.PEM(t, certtest.PKCS8, ""), other.KeyPEM(t, certtest.PKCS8, "")...), "", id, graph.CertificateUnreadable, []string{"2 private keys"}},
		{"public key only", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: mustPKIX(t, id)}), "", id, graph.CertificateUnreadable, []string{"only PUBLIC KEY"}},
		{"not a certificate", []byte("this is not a certificate at all\n"), "", id, graph.CertificateUnreadable, []string{"neither PEM nor a PKCS#12", "base64 -w0"}},
		{"base64 text of a PFX", []byte(base64.StdEncoding.EncodeToString(id.PFX(t, pkcs12.Modern2023, certPassword)) + "\n"), certPassword, id, graph.CertificateUnreadable, []string{"looks like base64", "base64 -d"}},
		{"damaged PKCS#12", id.PFX(t, pkcs12.Modern2023, certPassword)[:300], certPassword, id, graph.CertificateUnreadable, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := graph.ParseClientCertificate(c.data, c.password, certSource)
			certProblem(t, err, c.want, c.id, c.mentions...)
		})
	}
}

// The signing certificate comes first whatever the file's order, the others keep theirs.
func TestParseClientCertificateFindsTheSigningCertificate(t *testing.T) {
	id := certtest.New(t, certtest.Options{Issued: true})
	var data []byte
	data = append(data, certBlock(id.Chain[1])...)
	data = append(data, id.KeyPEM(t, certtest.PKCS8, "")...)
	data = append(data, []byte("Bag Attributes\n    friendlyName: intune-terraform\n")...)
	data = append(data, certBlock(id.Cert)...)
	data = append(data, certBlock(id.Chain[0])...)
	got, err := graph.ParseClientCertificate(data, "", certSource)
	if err != nil {
		t.Fatal(err)
	}
	sameChain(t, got, []*x509.Certificate{id.Cert, id.Chain[1], id.Chain[0]})
}

func certBlock(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func mustASN1(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPKIX(t *testing.T, id *certtest.Identity) []byte {
	t.Helper()
	b, err := x509.MarshalPKIXPublicKey(id.Key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The files the openssl CLI writes with its defaults, when it is installed: the Go-made
// formats above cover every case without it.
func TestParseClientCertificateReadsOpenSSLOutput(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("no openssl on PATH; the Go-made formats cover every case")
	}
	dir := t.TempDir()
	run := func(args ...string) error {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
			return err
		}
		return nil
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if err := run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.crt",
		"-days", "2", "-subj", "/CN=openssl-made"); err != nil {
		t.Fatal("openssl req failed")
	}
	crt, _ := pem.Decode(read("client.crt"))
	cert, err := x509.ParseCertificate(crt.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pw := "pass:" + certPassword
	cases := []struct {
		name, file, password string
		args                 []string
		optional             bool // -legacy needs OpenSSL's legacy provider, which a build may leave out
	}{
		{"pkcs12 -export (defaults)", "default.pfx", certPassword, []string{"pkcs12", "-export", "-inkey", "client.key", "-in", "client.crt", "-passout", pw, "-out", "default.pfx"}, false},
		{"pkcs12 -export -passout pass:", "empty.pfx", "", []string{"pkcs12", "-export", "-inkey", "client.key", "-in", "client.crt", "-passout", "pass:", "-out", "empty.pfx"}, false},
		{"pkcs12 -export -legacy", "legacy.pfx", certPassword, []string{"pkcs12", "-export", "-legacy", "-inkey", "client.key", "-in", "client.crt", "-passout", pw, "-out", "legacy.pfx"}, true},
		{"pkcs8 -topk8 -v2 aes256", "enc.key", certPassword, []string{"pkcs8", "-topk8", "-v2", "aes256", "-in", "client.key", "-passout", pw, "-out", "enc.key"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := run(c.args...); err != nil {
				if c.optional {
					t.Skipf("this openssl cannot write it")
				}
				t.Fatal("openssl failed")
			}
			data := read(c.file)
			if strings.HasSuffix(c.file, ".key") {
				data = append(read("client.crt"), data...)
			}
			got, err := graph.ParseClientCertificate(data, c.password, certSource)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Chain[0].Equal(cert) {
				t.Fatal("not openssl's certificate")
			}
			if c.password != "" {
				_, err = graph.ParseClientCertificate(data, "wrong", certSource)
				certProblem(t, err, graph.CertificateWrongPassword, nil)
			}
		})
	}
}
