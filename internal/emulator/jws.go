package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
)

// jws is a parsed compact JWS (the client assertions of
// internal/graph/NOTES.md#sign-in and the federated tokens of external
// issuers). Claims are kept generic because assertions come from many
// producers (MSAL, GitHub, Azure DevOps, k8s).
type jws struct {
	header       map[string]any
	claims       map[string]any
	signingInput []byte
	sig          []byte
}

var errMalformedJWT = errors.New("JWT is malformed")

func parseJWS(tok string) (*jws, error) {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return nil, errMalformedJWT
	}
	hdr, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	body, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if errors.Join(err1, err2, err3) != nil {
		return nil, errMalformedJWT
	}
	j := &jws{signingInput: []byte(parts[0] + "." + parts[1]), sig: sig}
	if decodeJSONNumbers(hdr, &j.header) != nil || decodeJSONNumbers(body, &j.claims) != nil || j.header == nil || j.claims == nil {
		return nil, errMalformedJWT
	}
	return j, nil
}

func decodeJSONNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func (j *jws) hdr(k string) string   { v, _ := j.header[k].(string); return v }
func (j *jws) claim(k string) string { v, _ := j.claims[k].(string); return v }

// numClaim reads a NumericDate claim (seconds; MSAL sends integers, other
// producers may send floats).
func (j *jws) numClaim(k string) (int64, bool) {
	switch v := j.claims[k].(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

// audiences returns aud as a list: RFC 7519 allows a string or an array
// (Kubernetes service-account tokens use the array form).
func (j *jws) audiences() []string {
	switch v := j.claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// verify checks the signature with pub for the header's alg: RS256 and PS256
// (what MSAL signs certificate assertions with) and ES256.
func (j *jws) verify(pub crypto.PublicKey) error {
	sum := sha256.Sum256(j.signingInput)
	bad := errors.New("signature mismatch")
	switch alg := j.hdr("alg"); alg {
	case "RS256", "PS256":
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return errors.New("alg " + alg + " needs an RSA key")
		}
		var err error
		if alg == "RS256" {
			err = rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], j.sig)
		} else {
			err = rsa.VerifyPSS(k, crypto.SHA256, sum[:], j.sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256})
		}
		if err != nil {
			return bad
		}
	case "ES256":
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return errors.New("alg ES256 needs an ECDSA key")
		}
		if len(j.sig) != 64 {
			return bad
		}
		r, s := new(big.Int).SetBytes(j.sig[:32]), new(big.Int).SetBytes(j.sig[32:])
		if !ecdsa.Verify(k, sum[:], r, s) {
			return bad
		}
	default:
		return errors.New("unsupported alg '" + alg + "'")
	}
	return nil
}

// signRS256 produces a compact RS256 JWS over claims.
func signRS256(key *rsa.PrivateKey, header map[string]any, claims any) (string, error) {
	h := map[string]any{"typ": "JWT", "alg": "RS256"}
	for k, v := range header {
		h[k] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	in := b64url(hb) + "." + b64url(cb)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return in + "." + b64url(sig), nil
}

// decodeThumbprint accepts any base64 flavour: RFC 7515 says base64url,
// but MSAL-Go v1.6 writes x5t#S256 with standard, padded base64.
func decodeThumbprint(v string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			return b, true
		}
	}
	return nil, false
}
