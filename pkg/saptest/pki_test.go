package saptest_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

func TestPKCS12Formats(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	rsaCert := saptest.MustClient(t, p, "p12 rsa", saptest.ViaIntermediate())
	ecCert := saptest.MustClient(t, p, "p12 ec", saptest.WithECKey())

	cases := []struct {
		name     string
		cert     *saptest.ClientCert
		format   saptest.P12Format
		password string
	}{
		{"modern rsa chain", rsaCert, saptest.P12Modern, "pässwörd"},
		{"legacy rc2 rsa chain", rsaCert, saptest.P12LegacyRC2, "secret"},
		{"legacy des rsa chain", rsaCert, saptest.P12LegacyDES, "secret"},
		{"passwordless rsa chain", rsaCert, saptest.P12Passwordless, ""},
		{"modern ec", ecCert, saptest.P12Modern, "secret"},
		{"legacy rc2 ec", ecCert, saptest.P12LegacyRC2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			der, err := tc.cert.PKCS12(tc.format, tc.password)
			if err != nil {
				t.Fatalf("PKCS12(%s) error = %v", tc.format, err)
			}
			key, leaf, chain, err := pkcs12.DecodeChain(der, tc.password)
			if err != nil {
				t.Fatalf("DecodeChain() error = %v", err)
			}
			if !leaf.Equal(tc.cert.Certificate) {
				t.Errorf("leaf = %s, want %s", leaf.Subject, tc.cert.Certificate.Subject)
			}
			if got, want := len(chain), len(tc.cert.Chain); got != want {
				t.Fatalf("len(chain) = %d, want %d", got, want)
			}
			for i := range chain {
				if !chain[i].Equal(tc.cert.Chain[i]) {
					t.Errorf("chain[%d] = %s, want %s", i, chain[i].Subject, tc.cert.Chain[i].Subject)
				}
			}
			signer, ok := key.(crypto.Signer)
			if !ok {
				t.Fatalf("key is %T, not a crypto.Signer", key)
			}
			if !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.cert.Key.Public()) {
				t.Error("decoded key does not match the certificate's key")
			}
			if tc.format != saptest.P12Passwordless {
				if _, _, _, err := pkcs12.DecodeChain(der, tc.password+"wrong"); !errors.Is(err, pkcs12.ErrIncorrectPassword) {
					t.Errorf("DecodeChain(wrong password) error = %v, want ErrIncorrectPassword", err)
				}
			}
		})
	}
}

func TestPKCS12Errors(t *testing.T) {
	t.Parallel()
	c := saptest.MustClient(t, testPKI(t), "p12 errors", saptest.WithECKey())
	if _, err := c.PKCS12(saptest.P12Passwordless, "x"); err == nil {
		t.Error("PKCS12(passwordless, non-empty password) error = nil, want error")
	}
	if _, err := c.PKCS12(saptest.P12Format(42), "x"); err == nil {
		t.Error("PKCS12(unknown format) error = nil, want error")
	}
}

func TestWritePKCS12(t *testing.T) {
	t.Parallel()
	c := saptest.MustClient(t, testPKI(t), "writer", saptest.ViaIntermediate())
	path := filepath.Join(t.TempDir(), "cert.p12")
	if err := c.WritePKCS12(path, saptest.P12LegacyDES, "pw"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	_, leaf, chain, err := pkcs12.DecodeChain(b, "pw")
	if err != nil || leaf.Subject.CommonName != "writer" || len(chain) != 1 {
		t.Errorf("DecodeChain: %v, CN %q, %d CA certificates", err, leaf.Subject.CommonName, len(chain))
	}
	if err := c.WritePKCS12(filepath.Join(t.TempDir(), "missing", "x.p12"), saptest.P12Modern, "pw"); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestIssueClient(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	past1 := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	past2 := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	future1 := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	future2 := future1.Add(24 * time.Hour)

	cases := []struct {
		name          string
		opts          []saptest.ClientOption
		wantEC        bool
		wantChain     int
		wantNotBefore time.Time // zero: default (about now - 1h)
		wantNotAfter  time.Time
		verifies      bool // against ClientCAPool with the chain
	}{
		{name: "default rsa", verifies: true},
		{name: "ec", opts: []saptest.ClientOption{saptest.WithECKey()}, wantEC: true, verifies: true},
		{name: "via intermediate", opts: []saptest.ClientOption{saptest.ViaIntermediate(), saptest.WithECKey()}, wantEC: true, wantChain: 1, verifies: true},
		{name: "untrusted", opts: []saptest.ClientOption{saptest.Untrusted(), saptest.ViaIntermediate(), saptest.WithECKey()}, wantEC: true},
		{name: "expired", opts: []saptest.ClientOption{saptest.ValidBetween(past1, past2), saptest.WithECKey()}, wantEC: true, wantNotBefore: past1, wantNotAfter: past2, verifies: true},
		{name: "not yet valid", opts: []saptest.ClientOption{saptest.ValidBetween(future1, future2), saptest.WithECKey()}, wantEC: true, wantNotBefore: future1, wantNotAfter: future2, verifies: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := p.IssueClient("user "+tc.name, tc.opts...)
			if err != nil {
				t.Fatalf("IssueClient() error = %v", err)
			}
			if got, want := c.Certificate.Subject.CommonName, "user "+tc.name; got != want {
				t.Errorf("CN = %q, want %q", got, want)
			}
			switch k := c.Key.(type) {
			case *ecdsa.PrivateKey:
				if !tc.wantEC || k.Curve != elliptic.P256() {
					t.Errorf("key = ECDSA %s, want EC %v", k.Curve.Params().Name, tc.wantEC)
				}
			case *rsa.PrivateKey:
				if tc.wantEC || k.N.BitLen() != 2048 {
					t.Errorf("key = RSA %d, want EC %v", k.N.BitLen(), tc.wantEC)
				}
			default:
				t.Errorf("key type = %T", k)
			}
			if got := len(c.Chain); got != tc.wantChain {
				t.Errorf("len(Chain) = %d, want %d", got, tc.wantChain)
			}
			if !tc.wantNotAfter.IsZero() {
				if !c.Certificate.NotBefore.Equal(tc.wantNotBefore) || !c.Certificate.NotAfter.Equal(tc.wantNotAfter) {
					t.Errorf("validity = %v..%v, want %v..%v", c.Certificate.NotBefore, c.Certificate.NotAfter, tc.wantNotBefore, tc.wantNotAfter)
				}
			} else if now := time.Now(); now.Before(c.Certificate.NotBefore) || now.After(c.Certificate.NotAfter) {
				t.Errorf("validity = %v..%v does not cover now", c.Certificate.NotBefore, c.Certificate.NotAfter)
			}

			at := time.Now()
			if !tc.wantNotAfter.IsZero() {
				at = tc.wantNotBefore.Add(time.Minute) // judge the chain, not the clock
			}
			inter := x509.NewCertPool()
			for _, ca := range c.Chain {
				inter.AddCert(ca)
			}
			_, err = c.Certificate.Verify(x509.VerifyOptions{
				Roots: p.ClientCAPool(), Intermediates: inter, CurrentTime: at,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			})
			if gotOK := err == nil; gotOK != tc.verifies {
				t.Errorf("Verify() error = %v, want verifies %v", err, tc.verifies)
			}
			if tc.wantChain > 0 {
				_, err := c.Certificate.Verify(x509.VerifyOptions{Roots: p.ClientCAPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
				if err == nil {
					t.Error("Verify() without the chain succeeded, want failure")
				}
			}
		})
	}
}

func TestPEM(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	c := saptest.MustClient(t, p, "pem", saptest.ViaIntermediate(), saptest.WithECKey())

	var types []string
	for rest := c.PEM(); ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		types = append(types, b.Type)
	}
	if got, want := types, []string{"CERTIFICATE", "CERTIFICATE", "PRIVATE KEY"}; !equalStrings(got, want) {
		t.Errorf("PEM() blocks = %q, want %q", got, want)
	}
	pair, err := tls.X509KeyPair(c.CertPEM(), c.KeyPEM())
	if err != nil {
		t.Fatalf("X509KeyPair(CertPEM, KeyPEM) error = %v", err)
	}
	if got := len(pair.Certificate); got != 2 {
		t.Errorf("len(pair.Certificate) = %d, want 2", got)
	}
	if !bytes.HasPrefix(c.PEM(), c.CertPEM()) {
		t.Error("PEM() does not start with CertPEM()")
	}

	if n := bytes.Count(p.CAPEM(), []byte("BEGIN CERTIFICATE")); n != 2 {
		t.Errorf("CAPEM() holds %d certificates, want 2", n)
	}
	if n := bytes.Count(p.RootPEM(), []byte("BEGIN CERTIFICATE")); n != 1 {
		t.Errorf("RootPEM() holds %d certificates, want 1", n)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.RootPEM()) {
		t.Error("RootPEM() does not parse")
	}
}

func TestServerCertificate(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	leaf := p.ServerCertificate().Leaf
	for _, name := range []string{"127.0.0.1", "::1", "localhost", "ias.localtest"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: p.RootPool()})
			if err != nil {
				t.Errorf("Verify(%s) error = %v", name, err)
			}
		})
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: p.RootPool()}); err == nil {
		t.Error("Verify(example.com) error = nil, want a name mismatch")
	}
	// Pools are copies: changing one does not change the PKI.
	pool := p.RootPool()
	pool.AddCert(saptest.MustClient(t, p, "intruder", saptest.WithECKey(), saptest.Untrusted()).Certificate)
	if p.RootPool().Equal(pool) {
		t.Error("RootPool() returned a shared pool")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestClientKeys: by default and with WithECKey every certificate has a key
// of its own; WithSharedRSAKey certificates share one RSA key.
func TestClientKeys(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	plain := saptest.MustClient(t, p, "plain")
	plain2 := saptest.MustClient(t, p, "plain2")
	ec := saptest.MustClient(t, p, "ec", saptest.WithECKey())
	shared := saptest.MustClient(t, p, "shared", saptest.WithSharedRSAKey())
	shared2 := saptest.MustClient(t, p, "shared2", saptest.WithSharedRSAKey(), saptest.ViaIntermediate())
	lastWins := saptest.MustClient(t, p, "last", saptest.WithSharedRSAKey(), saptest.WithECKey())
	cases := []struct {
		name      string
		x, y      *saptest.ClientCert
		wantEqual bool
	}{
		{"two default certificates", plain, plain2, false},
		{"default and shared", plain, shared, false},
		{"two shared", shared, shared2, true},
		{"shared and EC", shared, ec, false},
		{"EC after shared is EC", ec, lastWins, false},
	}
	for _, tc := range cases {
		if got := tc.x.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.y.Key.Public()); got != tc.wantEqual {
			t.Errorf("%s: keys equal = %v, want %v", tc.name, got, tc.wantEqual)
		}
	}
	for _, c := range []*saptest.ClientCert{plain, shared} {
		if k, ok := c.Key.(*rsa.PrivateKey); !ok || k.N.BitLen() != 2048 {
			t.Errorf("%s: key %T, want RSA 2048", c.Certificate.Subject.CommonName, c.Key)
		}
	}
	if _, ok := lastWins.Key.(*ecdsa.PrivateKey); !ok {
		t.Errorf("last: key %T, want ECDSA", lastWins.Key)
	}
}
