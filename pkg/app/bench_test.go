package app_test

import (
	"context"
	"io"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// BenchmarkRun measures one whole run in shell mode, settings to stdout,
// against the in-process fakes: what a pipeline step costs beyond process
// start and the network.
func BenchmarkRun(b *testing.B) {
	p := saptest.MustPKI(b)
	ias := saptest.MustIAS(b, p)
	uaa := saptest.MustUAA(b, p, saptest.UAAConfig{Clients: map[string]string{"client": "secret"}})
	c := saptest.MustClient(b, p, "bench")
	p12 := saptest.MustPKCS12(b, c, saptest.P12Modern, "pw")
	ca := string(p.RootPEM())
	cases := []struct {
		name string
		env  map[string]string
	}{
		{"ias-passcode", map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_IAS_TENANT": ias.URL,
			"SAP_CI_AUTH_CERTIFICATE": string(p12), "SAP_CI_AUTH_CERTIFICATE_PASSWORD": "pw", "SAP_CI_AUTH_CA_CERTIFICATES": ca}},
		{"client-credentials", map[string]string{"SAP_CI_AUTH_FLOW": "client-credentials", "SAP_CI_AUTH_TOKEN_URL": uaa.TokenURL(),
			"SAP_CI_AUTH_CLIENT_ID": "client", "SAP_CI_AUTH_CLIENT_SECRET": "secret", "SAP_CI_AUTH_CA_CERTIFICATES": ca}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				m := &app.Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return tc.env[k] }}
				if code := m.Run(context.Background()); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
