package saptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// organization is the subject O of every certificate minted here, so that a
// stray certificate is easy to recognise as a test artefact.
const organization = "sap-ci-auth saptest (NOT A REAL CA)"

// PKI is an in-memory test public key infrastructure:
//
//   - a root CA, which clients trust for the servers ([PKI.RootPEM]) and
//     servers trust for client certificates ([PKI.ClientCAPool]);
//   - an intermediate CA below the root, which issues client certificates
//     requested with [ViaIntermediate];
//   - a separate "untrusted" CA that no server trusts, for [Untrusted];
//   - one server certificate, issued by the root, used by every fake server.
//
// All keys of the CAs and the server are ECDSA P-256. A PKI is immutable after
// [NewPKI] and safe for concurrent use.
type PKI struct {
	root, inter, rogue          *x509.Certificate
	rootKey, interKey, rogueKey crypto.Signer
	server                      tls.Certificate
	rootPool                    *x509.CertPool
}

// NewPKI mints a root CA, a client intermediate CA, an untrusted CA and a
// server certificate valid for 127.0.0.1, ::1 and localhost plus the DNS names
// in serverNames (for example "ias.localtest", for clients that dial the
// loopback address under another name).
func NewPKI(serverNames ...string) (*PKI, error) {
	now := time.Now()
	p := &PKI{}
	var err error

	p.root, p.rootKey, err = newCA("saptest Root CA", nil, nil, now)
	if err != nil {
		return nil, fmt.Errorf("failed to create root CA: %w", err)
	}
	p.inter, p.interKey, err = newCA("saptest Client Intermediate CA", p.root, p.rootKey, now)
	if err != nil {
		return nil, fmt.Errorf("failed to create intermediate CA: %w", err)
	}
	p.rogue, p.rogueKey, err = newCA("saptest Untrusted CA", nil, nil, now)
	if err != nil {
		return nil, fmt.Errorf("failed to create untrusted CA: %w", err)
	}

	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("failed to generate server key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost", Organization: []string{organization}},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(7 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    append([]string{"localhost"}, serverNames...),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leaf, err := sign(tmpl, serverKey.Public(), p.root, p.rootKey)
	if err != nil {
		return nil, fmt.Errorf("failed to create server certificate: %w", err)
	}
	p.server = tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: serverKey, Leaf: leaf}

	p.rootPool = x509.NewCertPool()
	p.rootPool.AddCert(p.root)
	return p, nil
}

// newCA mints a CA certificate, self-signed when parent is nil.
func newCA(cn string, parent *x509.Certificate, parentKey crypto.Signer, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: cn, Organization: []string{organization}},
		// Long-lived, so that certificates minted with ValidBetween in the
		// past or future fail on their own dates, not their issuer's.
		NotBefore:             time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              now.AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	} else {
		tmpl.MaxPathLenZero = true
	}
	cert, err := sign(tmpl, key.Public(), parent, parentKey)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// sign gives tmpl a random serial number and signs it with parentKey.
func sign(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("failed to generate serial number: %w", err)
	}
	tmpl.SerialNumber = serial.Add(serial, big.NewInt(1))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("failed to sign certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate: %w", err)
	}
	return cert, nil
}

// RootPEM returns the root CA certificate as PEM: what a client passes as
// the ca-certificates input to trust the fake servers.
func (p *PKI) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.Raw})
}

// CAPEM returns the root and the client intermediate CA certificates as PEM,
// for tools that want every CA in one file (such as nginx's
// ssl_client_certificate).
func (p *PKI) CAPEM() []byte {
	return append(p.RootPEM(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.inter.Raw})...)
}

// RootPool returns a new pool holding the root CA, for a client's
// tls.Config.RootCAs.
func (p *PKI) RootPool() *x509.CertPool {
	return p.rootPool.Clone()
}

// ClientCAPool returns a new pool holding the roots that the servers use to
// verify client certificates. It holds only the root CA: a certificate issued
// with [ViaIntermediate] verifies only if the client sends the intermediate
// in its chain.
func (p *PKI) ClientCAPool() *x509.CertPool {
	return p.rootPool.Clone()
}

// ServerCertificate returns the certificate and key that every fake server
// presents. Its chain holds only the leaf, which the root CA signed directly.
func (p *PKI) ServerCertificate() tls.Certificate {
	return p.server
}

// ClientTLSConfig returns a client TLS configuration that trusts the root CA,
// requires TLS 1.2 or later and, when c is not nil, presents c with its chain.
func (p *PKI) ClientTLSConfig(c *ClientCert) *tls.Config {
	cfg := &tls.Config{RootCAs: p.RootPool(), MinVersion: tls.VersionTLS12}
	if c != nil {
		cfg.Certificates = []tls.Certificate{c.TLSCertificate()}
	}
	return cfg
}

// HTTPClient returns an HTTP client that trusts the root CA and, when c is
// not nil, presents c. It ignores proxy environment variables so that tests
// reach 127.0.0.1 directly.
func (p *PKI) HTTPClient(c *ClientCert) *http.Client {
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: p.ClientTLSConfig(c)},
		Timeout:   30 * time.Second,
	}
}

// ClientOption changes how [PKI.IssueClient] mints a certificate.
type ClientOption func(*clientOptions)

type clientOptions struct {
	notBefore, notAfter time.Time
	ec                  bool
	sharedRSA           bool
	viaIntermediate     bool
	untrusted           bool
}

// sharedRSAKey is the RSA 2048 key of every client certificate minted with
// [WithSharedRSAKey]: generating one costs ~70 ms (far more under -race), so
// the process pays for it once. It never changes after the first call.
var sharedRSAKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

// ValidBetween sets the validity period of the certificate. The default is
// from one hour ago to a year from now. A period in the past gives an
// expired certificate, one in the future a not-yet-valid one; servers reject
// both at the TLS handshake (alert "expired certificate"). The CAs are valid
// from 2000 to 30 years from now, so such a certificate fails on its own
// dates only.
func ValidBetween(notBefore, notAfter time.Time) ClientOption {
	return func(o *clientOptions) { o.notBefore, o.notAfter = notBefore, notAfter }
}

// WithECKey gives the certificate a new ECDSA P-256 key instead of a new RSA
// 2048 one. Minting it is ~1000 times faster.
func WithECKey() ClientOption {
	return func(o *clientOptions) { o.ec, o.sharedRSA = true, false }
}

// WithSharedRSAKey gives the certificate the RSA 2048 key that every
// certificate minted with this option in the process shares, instead of a
// new one: an RSA certificate at the cost of an EC one after the first. Two
// such certificates' keys match each other, so a test that pairs one
// certificate with another's key must not use it for both.
func WithSharedRSAKey() ClientOption {
	return func(o *clientOptions) { o.ec, o.sharedRSA = false, true }
}

// ViaIntermediate has the intermediate CA issue the certificate. The
// intermediate is returned in [ClientCert.Chain], and the client must send it
// for verification to succeed, because servers trust only the root.
func ViaIntermediate() ClientOption {
	return func(o *clientOptions) { o.viaIntermediate = true }
}

// Untrusted has a separate CA, which no fake server trusts, issue the
// certificate, so that servers reject it at the handshake. It takes
// precedence over [ViaIntermediate]; the chain is empty.
func Untrusted() ClientOption {
	return func(o *clientOptions) { o.untrusted = true }
}

// ClientCert is a client certificate with its key, as a user would download
// it from IAS or find it in an X.509 service key.
type ClientCert struct {
	// Certificate is the leaf. Its subject CN is the name given to
	// [PKI.IssueClient]; its extended key usage is client authentication.
	Certificate *x509.Certificate
	// Key is an *rsa.PrivateKey (RSA 2048; with [WithSharedRSAKey] the
	// one key shared by every such certificate of the process) or, with
	// [WithECKey], an *ecdsa.PrivateKey (P-256).
	Key crypto.Signer
	// Chain holds the intermediate CA when the certificate was issued
	// [ViaIntermediate], and is empty otherwise. It never holds the root.
	Chain []*x509.Certificate
}

// IssueClient mints a client certificate with subject CN commonName. By
// default the root CA issues it, it has a new RSA 2048 key and it is valid
// from one hour ago for a year, like a certificate from the IAS profile page,
// so it earns no expiry warning. Minting an RSA key costs ~70 ms; tests that
// mint many certificates should use [WithECKey] or [WithSharedRSAKey].
func (p *PKI) IssueClient(commonName string, opts ...ClientOption) (*ClientCert, error) {
	now := time.Now()
	o := clientOptions{notBefore: now.Add(-time.Hour), notAfter: now.Add(365 * 24 * time.Hour)}
	for _, opt := range opts {
		opt(&o)
	}

	var key crypto.Signer
	var err error
	keyUsage := x509.KeyUsageDigitalSignature
	switch {
	case o.ec:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case o.sharedRSA:
		key, err = sharedRSAKey()
		keyUsage |= x509.KeyUsageKeyEncipherment
	default:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		keyUsage |= x509.KeyUsageKeyEncipherment
	}
	if err != nil {
		return nil, fmt.Errorf("failed to generate client key: %w", err)
	}

	parent, parentKey := p.root, p.rootKey
	var chain []*x509.Certificate
	switch {
	case o.untrusted:
		parent, parentKey = p.rogue, p.rogueKey
	case o.viaIntermediate:
		parent, parentKey = p.inter, p.interKey
		chain = []*x509.Certificate{p.inter}
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{organization}},
		NotBefore:   o.notBefore,
		NotAfter:    o.notAfter,
		KeyUsage:    keyUsage,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	cert, err := sign(tmpl, key.Public(), parent, parentKey)
	if err != nil {
		return nil, fmt.Errorf("failed to issue client certificate for %q: %w", commonName, err)
	}
	return &ClientCert{Certificate: cert, Key: key, Chain: chain}, nil
}

// TLSCertificate returns the certificate, its chain and its key for a
// client's tls.Config.Certificates.
func (c *ClientCert) TLSCertificate() tls.Certificate {
	der := [][]byte{c.Certificate.Raw}
	for _, ca := range c.Chain {
		der = append(der, ca.Raw)
	}
	return tls.Certificate{Certificate: der, PrivateKey: c.Key, Leaf: c.Certificate}
}

// WritePKCS12 writes [ClientCert.PKCS12] to path with mode 0600, as a user
// keeps the cert.p12 downloaded from the IAS profile page; a pipeline test can
// hand the path to the certificate-file input.
func (c *ClientCert) WritePKCS12(path string, format P12Format, password string) error {
	b, err := c.PKCS12(format, password)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("failed to write the PKCS#12 file: %w", err)
	}
	// WriteFile sets the mode only when it creates the file.
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("failed to restrict the PKCS#12 file: %w", err)
	}
	return nil
}

// P12Format selects the encryption of a PKCS#12 file written by
// [ClientCert.PKCS12].
type P12Format int

const (
	// P12Modern is go-pkcs12's Modern2023: PBES2 with PBKDF2-HMAC-SHA-256
	// and AES-256-CBC, and an HMAC-SHA-256 MAC (the OpenSSL 3 default).
	P12Modern P12Format = iota
	// P12LegacyRC2 is go-pkcs12's LegacyRC2: certificates under 40-bit RC2,
	// the key under 3DES, an HMAC-SHA-1 MAC (openssl pkcs12 -legacy). An
	// SAP-generated file with pbeWithSHA1And40BitRC2-CBC has been reported.
	P12LegacyRC2
	// P12LegacyDES is go-pkcs12's LegacyDES: everything under 3DES, an
	// HMAC-SHA-1 MAC (openssl pkcs12 -descert).
	P12LegacyDES
	// P12Passwordless is go-pkcs12's Passwordless: no encryption and no MAC.
	// The password must be empty.
	P12Passwordless
)

// String returns the format's name, such as "modern".
func (f P12Format) String() string {
	switch f {
	case P12Modern:
		return "modern"
	case P12LegacyRC2:
		return "legacy-rc2"
	case P12LegacyDES:
		return "legacy-des"
	case P12Passwordless:
		return "passwordless"
	}
	return fmt.Sprintf("P12Format(%d)", int(f))
}

// PKCS12 encodes the key, the certificate and its chain as a PKCS#12 file in
// the given format, with go-pkcs12's encoders.
func (c *ClientCert) PKCS12(format P12Format, password string) ([]byte, error) {
	var enc *pkcs12.Encoder
	switch format {
	case P12Modern:
		enc = pkcs12.Modern2023
	case P12LegacyRC2:
		enc = pkcs12.LegacyRC2
	case P12LegacyDES:
		enc = pkcs12.LegacyDES
	case P12Passwordless:
		if password != "" {
			return nil, fmt.Errorf("failed to encode PKCS#12: format %s needs an empty password", format)
		}
		enc = pkcs12.Passwordless
	default:
		return nil, fmt.Errorf("failed to encode PKCS#12: unknown format %s", format)
	}
	der, err := enc.Encode(c.Key, c.Certificate, c.Chain, password)
	if err != nil {
		return nil, fmt.Errorf("failed to encode PKCS#12: %w", err)
	}
	return der, nil
}

// CertPEM returns the certificate followed by its chain as PEM.
func (c *ClientCert) CertPEM() []byte {
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate.Raw})
	for _, ca := range c.Chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	}
	return out
}

// KeyPEM returns the private key as an unencrypted PKCS#8 "PRIVATE KEY" PEM
// block.
func (c *ClientCert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		// Key is always an RSA or ECDSA key minted by IssueClient, which
		// PKCS#8 can always hold; a caller that swapped it broke that.
		panic(fmt.Sprintf("saptest: failed to marshal client key: %v", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PEM returns the certificate, its chain, then the PKCS#8 private key, as one
// PEM text: the shape of the certificate input in PEM form.
func (c *ClientCert) PEM() []byte {
	return append(c.CertPEM(), c.KeyPEM()...)
}
