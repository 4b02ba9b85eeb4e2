// Package certtest makes client certificates at test time, in each format the certificate
// sign-in reads (graph.ParseClientCertificate): PKCS#12 with modern and legacy algorithms
// and without a password, PEM with a plain or password-encrypted private key, for RSA and
// EC keys. Everything is made with Go's crypto packages, go-pkcs12 and youmark/pkcs8, so
// no test depends on the openssl CLI; each test gets fresh keys.
package certtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"
)

// Identity is a private key, its certificate and the certificate's issuers.
type Identity struct {
	Key   crypto.Signer
	Cert  *x509.Certificate   // the signing (leaf) certificate
	Chain []*x509.Certificate // Cert's issuers, nearest first; empty when Cert is self-signed
}

// Options shape an Identity. The zero value is a self-signed RSA 2048 certificate valid
// from an hour ago for a year, like `openssl req -x509 -newkey rsa:2048`.
type Options struct {
	CommonName string // default "intune-terraform"
	EC         bool   // an ECDSA P-256 key instead of RSA 2048
	NotBefore  time.Time
	NotAfter   time.Time
	Issued     bool // issued by an intermediate CA under a root CA, both made for it
}

// New makes an identity.
func New(t testing.TB, o Options) *Identity {
	t.Helper()
	if o.CommonName == "" {
		o.CommonName = "intune-terraform"
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().AddDate(1, 0, 0)
	}
	var key crypto.Signer
	var err error
	if o.EC {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: o.CommonName},
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	id := &Identity{Key: key}
	if !o.Issued {
		id.Cert = sign(t, tmpl, tmpl, key.Public(), key)
		return id
	}
	rootKey, intKey := ecKey(t), ecKey(t)
	root := sign(t, caTemplate(o.CommonName+" root CA"), caTemplate(o.CommonName+" root CA"), rootKey.Public(), rootKey)
	intermediate := sign(t, caTemplate(o.CommonName+" issuing CA"), root, intKey.Public(), rootKey)
	id.Cert = sign(t, tmpl, intermediate, key.Public(), intKey)
	id.Chain = []*x509.Certificate{intermediate, root}
	return id
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func caTemplate(cn string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// All is Cert then Chain: what the file holds, and the x5c header when the chain is sent.
func (id *Identity) All() []*x509.Certificate {
	return append([]*x509.Certificate{id.Cert}, id.Chain...)
}

// CertPEM is Cert then Chain as CERTIFICATE blocks, as `openssl x509` writes each.
func (id *Identity) CertPEM() []byte {
	var out []byte
	for _, c := range id.All() {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// KeyFormat is how a PEM file holds the private key.
type KeyFormat int

const (
	// PKCS8 is "PRIVATE KEY", as OpenSSL 3 writes keys unencrypted (`openssl genpkey`,
	// `openssl req -newkey ... -noenc`).
	PKCS8 KeyFormat = iota
	// Traditional is "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE KEY" (SEC 1), as
	// `openssl genrsa -traditional` and `openssl ecparam -genkey` write them.
	Traditional
	// PKCS8AES256 is "ENCRYPTED PRIVATE KEY": PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC,
	// as `openssl pkcs8 -topk8 -v2 aes256` and `openssl genpkey -aes256` write it.
	PKCS8AES256
	// PKCS8AES128SHA1 is PBES2 with PBKDF2-HMAC-SHA1 and AES-128-CBC
	// (`openssl pkcs8 -topk8 -v2 aes128 -v2prf hmacWithSHA1`, OpenSSL 1.1 era).
	PKCS8AES128SHA1
	// PKCS8Scrypt is PBES2 with scrypt and AES-256-CBC (`openssl pkcs8 -topk8 -scrypt`).
	PKCS8Scrypt
	// LegacyEncrypted is a traditional key with "Proc-Type: 4,ENCRYPTED" headers
	// (`openssl rsa -aes256` in OpenSSL 1.x). The provider refuses these by their headers
	// without decrypting, so the block body here is random bytes, not a real encryption.
	LegacyEncrypted
)

// KeyPEM is the private key as one PEM block of format f; password is used by the
// encrypted formats only.
func (id *Identity) KeyPEM(t testing.TB, f KeyFormat, password string) []byte {
	t.Helper()
	var block *pem.Block
	var err error
	switch f {
	case PKCS8:
		var der []byte
		der, err = x509.MarshalPKCS8PrivateKey(id.Key)
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	case Traditional:
		block, err = id.traditional()
	case PKCS8AES256, PKCS8AES128SHA1, PKCS8Scrypt:
		opts := &pkcs8.Opts{Cipher: pkcs8.AES256CBC, KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: 2048, HMACHash: crypto.SHA256}}
		switch f {
		case PKCS8AES128SHA1:
			opts = &pkcs8.Opts{Cipher: pkcs8.AES128CBC, KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 8, IterationCount: 2048, HMACHash: crypto.SHA1}}
		case PKCS8Scrypt:
			opts = &pkcs8.Opts{Cipher: pkcs8.AES256CBC, KDFOpts: pkcs8.ScryptOpts{SaltSize: 16, CostParameter: 1 << 14, BlockSize: 8, ParallelizationParameter: 1}}
		}
		var der []byte
		der, err = pkcs8.MarshalPrivateKey(id.Key, []byte(password), opts)
		block = &pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}
	case LegacyEncrypted:
		block, err = id.traditional()
		if err == nil {
			junk := make([]byte, len(block.Bytes)+16-len(block.Bytes)%16)
			_, err = rand.Read(junk)
			block.Bytes = junk
			block.Headers = map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

func (id *Identity) traditional() (*pem.Block, error) {
	switch k := id.Key.(type) {
	case *rsa.PrivateKey:
		return &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}, nil
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		return &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}, err
	}
	return nil, nil
}

// PEM is the certificates then the key, as `cat client.crt client.key` makes it.
func (id *Identity) PEM(t testing.TB, f KeyFormat, password string) []byte {
	t.Helper()
	return append(id.CertPEM(), id.KeyPEM(t, f, password)...)
}

// PFX is a PKCS#12 file of the key, Cert and Chain, written by enc (pkcs12.Modern2023,
// pkcs12.LegacyDES, pkcs12.Passwordless...).
func (id *Identity) PFX(t testing.TB, enc *pkcs12.Encoder, password string) []byte {
	t.Helper()
	b, err := enc.Encode(id.Key, id.Cert, id.Chain, password)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Format is one way people hold a client certificate.
type Format struct {
	Name     string
	Password bool // whether the password protects it (a wrong one must be refused)
	Make     func(t testing.TB, id *Identity, password string) []byte
}

func pfx(enc *pkcs12.Encoder, withPassword bool) func(testing.TB, *Identity, string) []byte {
	return func(t testing.TB, id *Identity, password string) []byte {
		if !withPassword {
			password = ""
		}
		return id.PFX(t, enc, password)
	}
}

func pemFile(f KeyFormat) func(testing.TB, *Identity, string) []byte {
	return func(t testing.TB, id *Identity, password string) []byte { return id.PEM(t, f, password) }
}

// Formats are the formats the certificate sign-in accepts, each with the tool that
// writes it.
var Formats = []Format{
	{"PKCS#12 AES-256, SHA-256 MAC (OpenSSL 3 default, Windows AES256-SHA256, Key Vault)", true, pfx(pkcs12.Modern2023, true)},
	{"PKCS#12 AES-256, PBMAC1 (openssl pkcs12 -export -pbmac1_pbkdf2)", true, pfx(pkcs12.Modern2026, true)},
	{"PKCS#12 3DES, SHA-1 MAC (Windows TripleDES-SHA1, openssl -descert)", true, pfx(pkcs12.LegacyDES, true)},
	{"PKCS#12 RC2 and 3DES, SHA-1 MAC (openssl pkcs12 -export -legacy, OpenSSL 1.1)", true, pfx(pkcs12.LegacyRC2, true)},
	{"PKCS#12 empty password (openssl pkcs12 -export -passout pass:)", false, pfx(pkcs12.Modern2023, false)},
	{"PKCS#12 no password, no MAC (openssl pkcs12 -export -keypbe NONE -certpbe NONE -nomac)", false, pfx(pkcs12.Passwordless, false)},
	{"PEM with a PKCS#8 key (openssl req -x509 -noenc)", false, pemFile(PKCS8)},
	{"PEM with a PKCS#1 or SEC 1 key (openssl genrsa -traditional, openssl ecparam -genkey)", false, pemFile(Traditional)},
	{"PEM with a PKCS#8 key encrypted AES-256 (openssl pkcs8 -topk8 -v2 aes256)", true, pemFile(PKCS8AES256)},
	{"PEM with a PKCS#8 key encrypted AES-128, HMAC-SHA1 (openssl pkcs8 -topk8 -v2 aes128 -v2prf hmacWithSHA1)", true, pemFile(PKCS8AES128SHA1)},
	{"PEM with a PKCS#8 key encrypted with scrypt (openssl pkcs8 -topk8 -scrypt)", true, pemFile(PKCS8Scrypt)},
	{"PEM with the key first (cat client.key client.crt)", false, func(t testing.TB, id *Identity, _ string) []byte {
		return append(id.KeyPEM(t, PKCS8, ""), id.CertPEM()...)
	}},
}
