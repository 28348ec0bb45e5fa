package certs

import (
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// BenchmarkParse measures decoding a client certificate, which every
// ias-passcode run pays once (testing-recipes.md: ~1.6 ms for an OpenSSL 3
// default P12, dominated by PBKDF2).
func BenchmarkParse(b *testing.B) {
	p := saptest.MustPKI(b)
	c := saptest.MustClient(b, p, "bench", saptest.ViaIntermediate())
	for _, f := range []saptest.P12Format{saptest.P12Modern, saptest.P12LegacyRC2, saptest.P12LegacyDES} {
		der := saptest.MustPKCS12(b, c, f, "pw")
		b.Run(f.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(der, "pw"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	pem := c.PEM()
	b.Run("pem", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse(pem, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
