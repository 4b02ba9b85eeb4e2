package graph

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- the certificate's thumbprint as Entra shows it, not a signature
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/youmark/pkcs8"
	"software.sslmate.com/src/go-pkcs12"
)

// Client certificates are read here rather than by azidentity.ParseCertificates, which
// opens neither the PKCS#12 files OpenSSL 3, Windows and Key Vault write today (AES-256
// with a SHA-256 MAC) nor encrypted PEM keys.

// ClientCertificate is a certificate and its private key, as ParseClientCertificate found
// them usable.
type ClientCertificate struct {
	// Chain is the signing certificate first (the one whose public key is Key's), then the
	// file's other certificates in the file's order. All of them go in the assertion's
	// x5c header when the chain is sent.
	Chain []*x509.Certificate
	Key   *rsa.PrivateKey
}

// CertificateProblem is why a client certificate cannot be used; each has its own
// diagnostic summary.
type CertificateProblem string

const (
	CertificateUnreadable     = CertificateProblem("Invalid client certificate")
	CertificateUnsupported    = CertificateProblem("Unsupported client certificate encryption")
	CertificatePasswordNeeded = CertificateProblem("Client certificate needs a password")
	CertificateWrongPassword  = CertificateProblem("Wrong client certificate password")
	CertificateNoPrivateKey   = CertificateProblem("Client certificate without its private key")
	CertificateNoCertificate  = CertificateProblem("Private key without its certificate")
	CertificateKeyMismatch    = CertificateProblem("Client certificate and private key do not match")
	CertificateNotRSA         = CertificateProblem("Client certificate key is not RSA")
	CertificateExpired        = CertificateProblem("Client certificate expired")
	CertificateNotYetValid    = CertificateProblem("Client certificate not yet valid")
)

// CertificateError says why a client certificate cannot be used: what was found (Reason,
// which names the file or setting but never quotes its content or the password) and what
// to change (Remedy).
type CertificateError struct {
	Problem CertificateProblem
	Source  string // the file's path, or the setting that held the certificate
	Reason  string // e.g. "The client certificate in /secrets/app.pfx expired on 2025-01-31 (CN=app, thumbprint 3F...)."
	Remedy  string // e.g. "Create a new certificate, upload it to the app registration and ..."
	Err     error  // the decoder's error, when there is one
}

func (e *CertificateError) Error() string {
	msg := strings.TrimSuffix(e.Reason, ".")
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Summary is the diagnostic's one-line summary, e.g. "Wrong client certificate password".
func (e *CertificateError) Summary() string { return string(e.Problem) }

// Details is the diagnostic's text: what was found, then what to change.
func (e *CertificateError) Details() string {
	d := e.Reason
	if e.Err != nil {
		d += "\n\nThe decoder said: " + e.Err.Error() + "."
	}
	return d + "\n\n" + e.Remedy
}

const (
	passwordSetting = "client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD)"
	newCertificate  = "openssl req -x509 -newkey rsa:2048 -sha256 -days 365 -subj \"/CN=intune-terraform\" -keyout client.key -out client.crt"
	toPKCS8         = "openssl pkcs8 -topk8 -v2 aes256 -in old.key -out client.key"
)

// ParseClientCertificate reads a client certificate with its private key and checks it
// can sign in, before anything is sent. data is one of:
//
//   - PKCS#12 (.pfx, .p12) with modern algorithms (AES-256 and a SHA-256 MAC or PBMAC1:
//     OpenSSL 3's default, Windows' AES256-SHA256 export, Azure Key Vault), legacy ones
//     (3DES or RC2 with a SHA-1 MAC: `openssl pkcs12 -legacy`, Windows' TripleDES-SHA1),
//     an empty password, or none at all (no MAC, nothing encrypted);
//   - PEM: CERTIFICATE blocks and one private key, as PKCS#8 ("PRIVATE KEY"), encrypted
//     PKCS#8 ("ENCRYPTED PRIVATE KEY": PBES2 with PBKDF2 or scrypt, AES or 3DES), PKCS#1
//     ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"), in any order.
//
// password opens the PKCS#12 file or the encrypted key; it is ignored where nothing is
// encrypted. source names the data in errors (a path, or the setting it came from).
//
// The signing certificate is the one whose public key is the private key's. It must be
// valid now, and its key RSA: Entra ID verifies certificate assertions with RSA keys only
// (PS256, or RS256 on ADFS), and MSAL signs with nothing else. Every failure is a
// *CertificateError.
func ParseClientCertificate(data []byte, password, source string) (*ClientCertificate, error) {
	if source == "" {
		source = "the configuration"
	}
	var certs []*x509.Certificate
	var key crypto.PrivateKey
	var err error
	if isPEM(data) {
		certs, key, err = readPEM(data, password, source)
	} else {
		certs, key, err = readPKCS12(data, password, source)
	}
	if err != nil {
		return nil, err
	}
	return usable(certs, key, source, time.Now())
}

func isPEM(data []byte) bool { return bytes.Contains(data, []byte("-----BEGIN ")) }

// readPKCS12 decodes a PFX: one private key, at least one certificate.
func readPKCS12(data []byte, password, source string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	key, leaf, others, err := pkcs12.DecodeChain(data, password)
	if err != nil && password != "" && err.Error() == "pkcs12: no MAC in data" {
		// Exported without a password (no MAC, nothing encrypted): none is needed.
		key, leaf, others, err = pkcs12.DecodeChain(data, "")
	}
	if err == nil {
		return append([]*x509.Certificate{leaf}, others...), key, nil
	}
	fail := func(p CertificateProblem, reason, remedy string) error {
		return &CertificateError{Problem: p, Source: source, Reason: reason, Remedy: remedy, Err: err}
	}
	var notImplemented pkcs12.NotImplementedError
	msg := err.Error()
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword) || strings.Contains(msg, pkcs12.ErrDecryption.Error()):
		if password == "" {
			err = nil // "password incorrect" would mislead: there is none
			return nil, nil, fail(CertificatePasswordNeeded,
				fmt.Sprintf("The PKCS#12 file in %s is protected by a password, and no password is set.", source),
				"Set "+passwordSetting+" to the password the file was exported with.")
		}
		return nil, nil, fail(CertificateWrongPassword,
			fmt.Sprintf("The password does not open the PKCS#12 file in %s.", source),
			"Set "+passwordSetting+" to the password the file was exported with (`openssl pkcs12 -in FILE -noout` asks for it and says whether it is right).")
	case msg == "pkcs12: private key missing":
		return nil, nil, fail(CertificateNoPrivateKey,
			fmt.Sprintf("The PKCS#12 file in %s holds certificates but no private key.", source),
			"Sign-in signs with the certificate's private key: export the certificate with its private key "+
				"(Windows: \"Yes, export the private key\"; OpenSSL: `openssl pkcs12 -export -inkey client.key -in client.crt -out client.pfx`).")
	case msg == "pkcs12: certificate missing":
		return nil, nil, fail(CertificateNoCertificate,
			fmt.Sprintf("The PKCS#12 file in %s holds a private key but no certificate.", source),
			"Export the key with its certificate: `openssl pkcs12 -export -inkey client.key -in client.crt -out client.pfx`.")
	case errors.As(err, &notImplemented) || strings.Contains(msg, "not supported"):
		return nil, nil, fail(CertificateUnsupported,
			fmt.Sprintf("The PKCS#12 file in %s uses a structure or algorithm the provider cannot read.", source),
			"Export it again with OpenSSL 3's defaults (AES-256, SHA-256 MAC): `openssl pkcs12 -in old.pfx -nodes | openssl pkcs12 -export -out client.pfx`, "+
				"or give a PEM file with the certificate and its private key.")
	case strings.HasPrefix(msg, "pkcs12: error reading P12 data"):
		remedy := "client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) must name the PKCS#12 (.pfx) or PEM file itself; " +
			"client_certificate (ARM_CLIENT_CERTIFICATE) must be that file's bytes in base64 (`base64 -w0 client.pfx`)."
		if looksLikeBase64(data) {
			remedy = "The content looks like base64 text, as Key Vault and `base64` print it: decode it into a file (`base64 -d < FILE > client.pfx`) " +
				"and point client_certificate_path at that, or give the text itself to client_certificate (ARM_CLIENT_CERTIFICATE)."
		}
		return nil, nil, fail(CertificateUnreadable,
			fmt.Sprintf("The client certificate in %s is neither PEM nor a PKCS#12 (PFX) file.", source), remedy)
	}
	return nil, nil, fail(CertificateUnreadable,
		fmt.Sprintf("The PKCS#12 file in %s is damaged or not a certificate with its key.", source),
		"Export the certificate with its private key again, to PKCS#12 (`openssl pkcs12 -export`) or PEM.")
}

func looksLikeBase64(data []byte) bool {
	text := bytes.Join(bytes.Fields(data), nil)
	if len(text) < 64 {
		return false
	}
	_, err := base64.StdEncoding.DecodeString(string(text))
	return err == nil
}

// readPEM collects the CERTIFICATE blocks and the one private key of a PEM file; other
// blocks (EC PARAMETERS, text between blocks such as OpenSSL's "Bag Attributes") are skipped.
func readPEM(data []byte, password, source string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	var certs []*x509.Certificate
	var keys []crypto.PrivateKey
	var types []string
	fail := func(p CertificateProblem, err error, reason, remedy string) error {
		return &CertificateError{Problem: p, Source: source, Reason: reason, Remedy: remedy, Err: err}
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		types = append(types, block.Type)
		var key crypto.PrivateKey
		var err error
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, nil, fail(CertificateUnreadable, err,
					fmt.Sprintf("A CERTIFICATE block in %s is not a valid X.509 certificate.", source),
					"Give the certificate as `openssl x509` writes it, with its private key.")
			}
			certs = append(certs, c)
			continue
		case "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
				return nil, nil, fail(CertificateUnsupported, nil,
					fmt.Sprintf("The private key in %s is encrypted the legacy OpenSSL way (Proc-Type: 4,ENCRYPTED; DEK-Info: %s), which is weak and not read.",
						source, strings.SplitN(block.Headers["DEK-Info"], ",", 2)[0]),
					"Convert it to an encrypted PKCS#8 key, which asks for the old password and then a new one: `"+toPKCS8+"`; "+
						"put it next to the certificate and set "+passwordSetting+" to the new password.")
			}
			if block.Type == "RSA PRIVATE KEY" {
				key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
			} else {
				key, err = x509.ParseECPrivateKey(block.Bytes)
			}
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			if password == "" {
				return nil, nil, fail(CertificatePasswordNeeded, nil,
					fmt.Sprintf("The private key in %s is encrypted, and no password is set.", source),
					"Set "+passwordSetting+" to the key's password.")
			}
			key, err = pkcs8.ParsePKCS8PrivateKey(block.Bytes, []byte(password))
			if err != nil {
				if err.Error() == "pkcs8: incorrect password" {
					return nil, nil, fail(CertificateWrongPassword, nil,
						fmt.Sprintf("The password does not decrypt the private key in %s.", source),
						"Set "+passwordSetting+" to the key's password (`openssl pkey -in FILE -noout` asks for it and says whether it is right).")
				}
				return nil, nil, fail(CertificateUnsupported, err,
					fmt.Sprintf("The private key in %s is encrypted with a scheme the provider cannot read.", source),
					"Encrypt it again with PBES2 and AES-256, which asks for the old password and then a new one: `"+toPKCS8+"`.")
			}
		default:
			continue
		}
		if err != nil {
			return nil, nil, fail(CertificateUnreadable, err,
				fmt.Sprintf("The %s block in %s cannot be read.", block.Type, source),
				"Give the private key as `openssl pkey` writes it, next to the certificate.")
		}
		keys = append(keys, key)
	}
	switch {
	case len(certs) == 0 && len(keys) == 0:
		found := "no PEM block it uses"
		if len(types) > 0 {
			found = "only " + strings.Join(types, ", ")
		}
		return nil, nil, fail(CertificateUnreadable, nil,
			fmt.Sprintf("The PEM file in %s holds %s: no CERTIFICATE and no private key.", source, found),
			"Give the certificate and its private key in one file (`cat client.crt client.key > client.pem`), or the PKCS#12 file.")
	case len(keys) > 1:
		return nil, nil, fail(CertificateUnreadable, nil,
			fmt.Sprintf("The PEM file in %s holds %d private keys.", source, len(keys)),
			"Keep only the private key of the certificate that is uploaded to the app registration.")
	case len(keys) == 0:
		return certs, nil, nil
	}
	return certs, keys[0], nil
}

// usable finds the signing certificate and checks key type and validity period.
func usable(certs []*x509.Certificate, key crypto.PrivateKey, source string, now time.Time) (*ClientCertificate, error) {
	fail := func(p CertificateProblem, reason, remedy string) error {
		return &CertificateError{Problem: p, Source: source, Reason: reason, Remedy: remedy}
	}
	if key == nil {
		return nil, fail(CertificateNoPrivateKey,
			fmt.Sprintf("The client certificate in %s holds %s but no private key.", source, describeCerts(certs)),
			"Sign-in signs with the certificate's private key: put the key in the same file (`cat client.crt client.key > client.pem`), "+
				"or give the PKCS#12 file exported with its private key.")
	}
	if len(certs) == 0 {
		return nil, fail(CertificateNoCertificate,
			fmt.Sprintf("The client certificate in %s holds a private key but no CERTIFICATE.", source),
			"Put the certificate that is uploaded to the app registration in the same file: `cat client.crt client.key > client.pem`.")
	}
	pub, _ := key.(interface{ Public() crypto.PublicKey })
	leaf := -1
	if pub != nil {
		if k, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool }); ok {
			for i, c := range certs {
				if k.Equal(c.PublicKey) {
					leaf = i
					break
				}
			}
		}
	}
	if leaf < 0 {
		belongs := "to its certificate (" + describeCert(certs[0]) + ")"
		if len(certs) > 1 {
			belongs = "to any of its " + describeCerts(certs)
		}
		return nil, fail(CertificateKeyMismatch,
			fmt.Sprintf("The private key in %s does not belong %s.", source, belongs),
			"Put the certificate issued for this key next to it (`openssl x509 -noout -pubkey -in client.crt` and `openssl pkey -pubout -in client.key` print the same key when they match), "+
				"or the key of the certificate that is uploaded to the app registration.")
	}
	chain := append([]*x509.Certificate{certs[leaf]}, append(append([]*x509.Certificate{}, certs[:leaf]...), certs[leaf+1:]...)...)
	c := chain[0]
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fail(CertificateNotRSA,
			fmt.Sprintf("The private key in %s is %s (certificate %s). Entra ID signs in with certificates whose key is RSA only.", source, describeKey(key), describeCert(c)),
			"Create an RSA certificate, upload it to the app registration and use it instead: `"+newCertificate+"`.")
	}
	if now.After(c.NotAfter) {
		return nil, fail(CertificateExpired,
			fmt.Sprintf("The certificate in %s expired on %s (%s). Entra ID refuses an expired certificate.", source, c.NotAfter.UTC().Format(time.RFC3339), describeCert(c)),
			"Create a new certificate (`"+newCertificate+"`), upload it to the app registration, and use it here.")
	}
	if now.Before(c.NotBefore) {
		return nil, fail(CertificateNotYetValid,
			fmt.Sprintf("The certificate in %s is valid only from %s (%s), and this machine's clock says %s.", source, c.NotBefore.UTC().Format(time.RFC3339), describeCert(c), now.UTC().Format(time.RFC3339)),
			"Check this machine's clock, or wait until the certificate is valid.")
	}
	return &ClientCertificate{Chain: chain, Key: rsaKey}, nil
}

// describeCert names a certificate the way the app registration's portal page lists it:
// subject and SHA-1 thumbprint.
func describeCert(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw) // #nosec G401 -- thumbprint
	subject := c.Subject.String()
	if subject == "" {
		subject = "no subject"
	}
	return fmt.Sprintf("%s, thumbprint %s", subject, strings.ToUpper(hex.EncodeToString(sum[:])))
}

func describeCerts(certs []*x509.Certificate) string {
	names := make([]string, len(certs))
	for i, c := range certs {
		names[i] = describeCert(c)
	}
	if len(certs) == 1 {
		return "1 certificate (" + names[0] + ")"
	}
	return fmt.Sprintf("%d certificates (%s)", len(certs), strings.Join(names, "; "))
}

func describeKey(key crypto.PrivateKey) string {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return "an ECDSA " + k.Curve.Params().Name + " key"
	case ed25519.PrivateKey:
		return "an Ed25519 key"
	case *ecdh.PrivateKey:
		return "an ECDH key"
	}
	return fmt.Sprintf("a %T key", key)
}
