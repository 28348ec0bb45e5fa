package certs

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// parseBound is how long one Parse may take before the target calls it a
// hang. A real PKCS#12 file decodes in about 2 ms; the bound only has to
// tell a finite parse from an endless one on a loaded machine.
const parseBound = 10 * time.Second

// FuzzParse checks Parse on any bytes and password: no panic, an answer
// within parseBound, and an identity that is complete whenever there is no
// error; errors are one line and never show the password. The seeds are real
// PKCS#12 files (each go-pkcs12 format, binary and base64) and PEM text,
// minted here so that no key is committed.
func FuzzParse(f *testing.F) {
	p := saptest.MustPKI(f)
	c := saptest.MustClient(f, p, "fuzz-user", saptest.WithECKey(), saptest.ViaIntermediate())
	const pw = "S3cretPassw0rd"
	for _, format := range []saptest.P12Format{saptest.P12Modern, saptest.P12LegacyRC2, saptest.P12LegacyDES} {
		der := saptest.MustPKCS12(f, c, format, pw)
		f.Add(der, pw)
		f.Add(der, "wr0ngPassword")
		f.Add([]byte(base64.StdEncoding.EncodeToString(der)), pw)
	}
	f.Add(saptest.MustPKCS12(f, c, saptest.P12Passwordless, ""), "")
	f.Add(c.PEM(), "")
	f.Add(c.CertPEM(), "")
	f.Add(append(c.KeyPEM(), c.CertPEM()...), "")
	other := saptest.MustClient(f, p, "other", saptest.WithECKey())
	f.Add(append(c.CertPEM(), other.KeyPEM()...), "")
	// Split so that no file of the repository looks like it holds a key.
	const encrypted = "ENCRYPTED " + "PRIVATE KEY"
	f.Add([]byte("-----BEGIN "+encrypted+"-----\nAAAA\n-----END "+encrypted+"-----\n"), pw)

	f.Fuzz(func(t *testing.T, data []byte, password string) {
		type result struct {
			id  *Identity
			err error
		}
		done := make(chan result, 1)
		go func() {
			id, err := Parse(data, password)
			done <- result{id, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(parseBound):
			t.Fatalf("Parse(%d bytes) did not return within %v", len(data), parseBound)
		}
		if r.err != nil {
			msg := r.err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if len(password) >= 8 && strings.Contains(msg, password) {
				t.Errorf("error %q holds the password", msg)
			}
			return
		}
		id := r.id
		if id == nil || id.Leaf == nil || id.TLS.PrivateKey == nil || len(id.TLS.Certificate) == 0 {
			t.Fatalf("Parse returned no error but an incomplete identity: %+v", id)
		}
		if string(id.TLS.Certificate[0]) != string(id.Leaf.Raw) {
			t.Error("TLS.Certificate[0] is not the leaf")
		}
		_ = id.Subject()
		if _, err := id.CheckValidity(time.Now()); err != nil && strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("validity error spans lines: %q", err)
		}
	})
}
