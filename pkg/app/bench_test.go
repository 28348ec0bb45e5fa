package app_test

import (
	"context"
	"io"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// BenchmarkRun measures one whole run in shell mode, the value to stdout,
// against the in-process fake landscape: what a pipeline step costs beyond
// process start, the system roots (loaded once per process, so not in these
// figures) and the network. test/bench.sh measures whole processes.
func BenchmarkRun(b *testing.B) {
	p, err := sharedPKI()
	if err != nil {
		b.Fatal(err)
	}
	l := saptest.MustLandscape(b, saptest.WithPKI(p))
	ca := string(l.PKI.RootPEM())
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"ias-passcode", []string{"ias-passcode", "--ias-tenant", l.IAS.URL}, map[string]string{
			"SAP_CI_AUTH_CERTIFICATE": string(l.ClientP12), "SAP_CI_AUTH_CERTIFICATE_PASSWORD": l.ClientP12Password,
			"SAP_CI_AUTH_CA_CERTIFICATES": ca}},
		{"client-credentials", []string{"client-credentials"}, map[string]string{
			"SAP_CI_AUTH_SERVICE_KEY": l.CPIKey, "SAP_CI_AUTH_CA_CERTIFICATES": ca}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			getenv := func(k string) string { return tc.env[k] }
			for b.Loop() {
				m := &app.Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: getenv, Args: tc.args}
				if code := m.Run(context.Background()); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}

// BenchmarkLoad measures reading and validating the settings alone
// (go-envconfig's reflection included), which every run pays before it
// sends anything.
func BenchmarkLoad(b *testing.B) {
	env := map[string]string{"SAP_CI_AUTH_FLOW": "client-credentials", "SAP_CI_AUTH_SERVICE_KEY": `{"clientid":"c","clientsecret":"s","url":"https://uaa.example.com"}`}
	src := config.Source{Getenv: func(k string) string { return env[k] }, Flows: []string{"client-credentials"}}
	for b.Loop() {
		if _, err := config.Load(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}
