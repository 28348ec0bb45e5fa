// Package certs loads client identities from PKCS#12 files (via go-pkcs12)
// and PEM text, checks their validity period, and builds the trust store
// from the system roots plus extra CA certificates.
//
// PKCS#12 files are accepted as real tools write them: OpenSSL 3's default
// (PBES2, AES-256-CBC, PBKDF2, SHA-256 MAC), -legacy (RC2-40), 3DES, with a
// CA chain, EC or RSA keys, and empty or UTF-8 passwords.
package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"

	"software.sslmate.com/src/go-pkcs12"
)

// Errors of Parse. The exported ones are those other packages branch on
// (pkg/flow, pkg/oauth); the rest only reach the user as text.
var (
	// ErrWrongPassword means the PKCS#12 password does not open the file.
	ErrWrongPassword = errors.New(msgWrongPassword)
	// errNoPrivateKey means the data holds no private key.
	errNoPrivateKey = errors.New(msgNoPrivateKey)
	// ErrNoCertificate means the data holds no certificate.
	ErrNoCertificate = errors.New(msgNoCertificate)
	// errUnrecognized means the data is neither PKCS#12 nor PEM.
	errUnrecognized = errors.New(msgUnrecognized)
	// errKeyMismatch means the private key does not belong to the certificate.
	errKeyMismatch = errors.New(msgKeyMismatch)
)

// Identity is a client certificate with its key and chain.
type Identity struct {
	// TLS is ready for tls.Config.Certificates: leaf first, then the chain.
	TLS tls.Certificate
	// Leaf is the client certificate itself.
	Leaf *x509.Certificate
}

// Parse reads data as a PKCS#12 file (binary, or base64 as a CI secret holds
// it) or as PEM text with the certificate, its chain and the private key.
// The password is used for PKCS#12 only.
func Parse(data []byte, password string) (*Identity, error) {
	if len(data) > 0 && data[0] == 0x30 {
		// A binary PFX (an ASN.1 SEQUENCE; base64 text starts with "M" and
		// PEM with "-"). It is used untouched: its last bytes are often a
		// random MAC salt, which trimming white space would cut short.
		return parsePKCS12(data, password)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf(msgEmpty, errUnrecognized)
	}
	if bytes.Contains(trimmed, []byte("-----BEGIN ")) {
		return parsePEM(trimmed)
	}
	der := trimmed
	if b, err := decodeBase64(trimmed); err == nil {
		der = b
	}
	if len(der) == 0 || der[0] != 0x30 { // an ASN.1 SEQUENCE starts every PFX
		return nil, errUnrecognized
	}
	return parsePKCS12(der, password)
}

// decodeBase64 accepts standard or URL alphabet, padded or not, with line
// breaks (base64 -w76 or PowerShell output).
func decodeBase64(b []byte) ([]byte, error) {
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, string(b))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if out, err := enc.DecodeString(s); err == nil {
			return out, nil
		}
	}
	return nil, errors.New("not base64")
}

func parsePKCS12(der []byte, password string) (*Identity, error) {
	key, leaf, chain, err := pkcs12.DecodeChain(der, password)
	if err != nil {
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword):
			return nil, ErrWrongPassword
		case strings.Contains(err.Error(), matchPKCS12NoKey):
			return nil, errNoPrivateKey
		case strings.Contains(err.Error(), matchPKCS12NoCert):
			return nil, ErrNoCertificate
		}
		// go-pkcs12's messages describe structure, never content.
		return nil, fmt.Errorf(msgNotPKCS12, err, errUnrecognized)
	}
	if key == nil {
		return nil, errNoPrivateKey
	}
	return newIdentity(key, leaf, chain)
}

// parsePEM reads the certificate, its chain and the private key with
// tls.X509KeyPair, which also checks that the key matches the certificate.
func parsePEM(data []byte) (*Identity, error) {
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if strings.HasSuffix(block.Type, "PRIVATE KEY") && (strings.Contains(block.Type, "ENCRYPTED") || block.Headers["Proc-Type"] != "") {
			return nil, errors.New(msgEncryptedKey)
		}
	}
	c, err := tls.X509KeyPair(data, data)
	if err != nil {
		// crypto/tls's messages describe structure, never content.
		msg := err.Error()
		switch {
		case strings.Contains(msg, matchKeyMismatch):
			return nil, errKeyMismatch
		case strings.Contains(msg, matchNoPEM), strings.Contains(msg, matchNoCertPEM):
			return nil, ErrNoCertificate
		case strings.Contains(msg, matchPrivateKey), strings.Contains(msg, matchCertNotKey):
			return nil, errNoPrivateKey
		case strings.Contains(msg, matchParseCertificate):
			return nil, fmt.Errorf(msgBadCertBlock, errUnrecognized)
		}
		return nil, fmt.Errorf(msgBadKey, errUnrecognized)
	}
	return &Identity{TLS: c, Leaf: c.Leaf}, nil
}

func newIdentity(key crypto.PrivateKey, leaf *x509.Certificate, chain []*x509.Certificate) (*Identity, error) {
	if leaf == nil {
		return nil, ErrNoCertificate
	}
	if !keyMatches(key, leaf) {
		return nil, errKeyMismatch
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return &Identity{TLS: cert, Leaf: leaf}, nil
}

func keyMatches(key crypto.PrivateKey, leaf *x509.Certificate) bool {
	type publicKeyer interface{ Public() crypto.PublicKey }
	k, ok := key.(publicKeyer)
	if !ok {
		return false
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	switch pub := k.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return pub.(equaler).Equal(leaf.PublicKey)
	}
	return false
}

// Subject is the certificate's subject, for messages.
func (id *Identity) Subject() string { return id.Leaf.Subject.String() }

// validityError says the certificate is outside its validity period.
type validityError struct {
	Subject             string
	NotBefore, NotAfter time.Time
	Expired             bool
}

func (e *validityError) Error() string {
	if e.Expired {
		return fmt.Sprintf(msgExpired, e.Subject, e.NotAfter.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf(msgNotYetValid, e.Subject, e.NotBefore.UTC().Format(time.RFC3339))
}

// warnWithin is how close to notAfter a certificate earns a warning.
const warnWithin = 14 * 24 * time.Hour

// CheckValidity refuses a certificate that has expired or is not yet valid
// at now, and returns a warning when it expires within [warnWithin].
func (id *Identity) CheckValidity(now time.Time) (warning string, err error) {
	l := id.Leaf
	switch {
	case now.After(l.NotAfter):
		return "", &validityError{Subject: id.Subject(), NotBefore: l.NotBefore, NotAfter: l.NotAfter, Expired: true}
	case now.Before(l.NotBefore):
		return "", &validityError{Subject: id.Subject(), NotBefore: l.NotBefore, NotAfter: l.NotAfter}
	case l.NotAfter.Sub(now) < warnWithin:
		days := int(l.NotAfter.Sub(now).Hours() / 24)
		return fmt.Sprintf(msgExpiresSoon, id.Subject(), l.NotAfter.UTC().Format(time.RFC3339), days), nil
	}
	return "", nil
}

// errSlowSystemRoots means the system trust store did not load in time:
// SSL_CERT_FILE or SSL_CERT_DIR names a FIFO, or a file system that hangs.
var errSlowSystemRoots = errors.New(msgSlowSystemRoots)

// RootPool checks extraPEM at once and returns the trust store to come: the
// system roots plus the certificates of extraPEM.
//
// The system roots are read on another goroutine from this call on, and the
// returned function waits for them at most wait from this call on: a store
// that cannot be read (a FIFO behind SSL_CERT_FILE) must end the run with a
// message that names it, not hang it until a handshake times out. When the
// system roots cannot be read at all, the pool holds the extra certificates
// alone and the first call says so through warn (on the caller's
// goroutine); without extra certificates the pool is then nil, and
// crypto/tls reports the unreadable store at the handshake.
func RootPool(extraPEM []byte, wait time.Duration, warn func(string)) (func() (*x509.CertPool, error), error) {
	extra := len(bytes.TrimSpace(extraPEM)) > 0
	if extra && !x509.NewCertPool().AppendCertsFromPEM(extraPEM) {
		return nil, errors.New(msgNoCACertificate)
	}
	// Written before ready is closed, read after.
	var (
		pool    *x509.CertPool
		warning string
	)
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		p, err := x509.SystemCertPool()
		if !extra {
			if err == nil {
				pool = p
			}
			return
		}
		if err != nil || p == nil {
			p = x509.NewCertPool()
		}
		if err != nil {
			warning = fmt.Sprintf(msgSystemRootsUnread, secret.OneLine(err.Error()))
		}
		p.AppendCertsFromPEM(extraPEM)
		pool = p
	}()
	deadline := time.Now().Add(wait) // one wait, however many clients a flow makes
	var warned sync.Once
	return func() (*x509.CertPool, error) {
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		select {
		case <-ready:
		case <-timer.C:
			return nil, errSlowSystemRoots
		}
		warned.Do(func() {
			if warning != "" {
				warn(warning)
			}
		})
		return pool, nil
	}, nil
}

// Describe is the one-line, non-secret report of a client certificate:
// subject, issuer, serial, not-after and days left, key type and size,
// chain length, and that the key matches (tls.X509KeyPair and
// go-pkcs12 refuse a key that does not).
func Describe(c *tls.Certificate, now time.Time) string {
	leaf := c.Leaf
	if leaf == nil && len(c.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(c.Certificate[0])
	}
	if leaf == nil {
		return textNoCertificate
	}
	days := int(leaf.NotAfter.Sub(now).Hours() / 24)
	return fmt.Sprintf(textDescribe,
		secret.OneLine(leaf.Subject.String()), secret.OneLine(leaf.Issuer.String()), leaf.SerialNumber.Text(16),
		leaf.NotAfter.UTC().Format(time.RFC3339), days, keyKind(leaf.PublicKey), len(c.Certificate))
}

// keyKind names a public key's type and size.
func keyKind(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return "unknown"
}
