package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestGoldenOddInputsAndAnswers runs, as a GitHub step sees them, the
// inputs given in a form the tool cannot use but can name (an assertion
// that is no JWT or has expired, base64 of a DER certificate as
// ca-certificates, a path in certificate, a VCAP_SERVICES document with
// several bindings as the service key), and answers that are odd but
// readable (a scope as a JSON list) or not what they claim (a passcode of
// 100 KB). An input error sends nothing; the counts say so. Regenerate with
// `go test ./pkg/app -run TestGolden -update` and review the diff.
func TestGoldenOddInputsAndAnswers(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	iasServer := saptest.MustIAS(t, p)
	iasServer.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"passcode":"` + strings.Repeat("P", 100_000) + `","expires_in":300}`})
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
	uaa.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"access_token":"` + goldenToken + `","token_type":"bearer","expires_in":43199,"scope":["it!b5678.MonitorDataRead","openid"]}`})
	oddScope := saptest.MustUAA(t, p, saptest.UAAConfig{})
	oddScope.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"access_token":"` + goldenToken + `","token_type":"bearer","expires_in":43199,"scope":{"granted":"openid"}}`})
	user := saptest.MustClient(t, p, "technical-user", saptest.WithECKey(),
		saptest.ValidBetween(goldenNow.AddDate(-1, 0, 0), goldenNow.AddDate(1, 0, 0)))
	dir := t.TempDir()
	p12 := filepath.Join(dir, "cert.p12")
	if err := user.WritePKCS12(p12, saptest.P12Modern, "golden-p12-password"); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, p.RootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	// What `base64 -w0 ca.der` gives for the CA: one line, no PEM lines.
	block, _ := pem.Decode(p.RootPEM())
	if block == nil {
		t.Fatal("the PKI's root is not PEM")
	}
	caDER := base64.StdEncoding.EncodeToString(block.Bytes)
	enc := base64.RawURLEncoding.EncodeToString
	expiredJWT := enc([]byte(`{"alg":"RS256","kid":"golden","typ":"JWT"}`)) + "." +
		enc(fmt.Appendf(nil, `{"iss":"https://token.actions.githubusercontent.com","aud":"sap-ci-auth-golden","sub":"repo:octo-org/octo-repo:ref:refs/heads/main","exp":%d,"iat":%d}`,
			goldenNow.Add(-time.Minute).Unix(), goldenNow.Add(-6*time.Minute).Unix())) + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
	binding := func(name, secret string) string {
		return `{"name":"` + name + `","label":"xsuaa","credentials":{"clientid":"sb-` + name + `!t1","clientsecret":"` + secret +
			`","url":"https://acme.authentication.eu10.hana.ondemand.com"}}`
	}
	vcap := `{"xsuaa":[` + binding("my-uaa", "golden-vcap-secret-1") + `],"destination":[` + binding("my-dest", "golden-vcap-secret-2") + `]}`
	client := map[string]string{"INPUT_TOKEN-URL": uaa.TokenURL(), "INPUT_CLIENT-ID": "sb-golden!b1|it!b2", "INPUT_CLIENT-SECRET": "golden-client-secret"}
	with := func(base map[string]string, more ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(more); i += 2 {
			out[more[i]] = more[i+1]
		}
		return out
	}
	cases := []struct {
		name string
		flow string
		in   map[string]string
		// requests are what the IAS and the UAAs must have got.
		iasRequests, uaaRequests int
	}{
		{name: "jwt-bearer-assertion-not-jwt-github", flow: "jwt-bearer", in: with(client, "INPUT_ASSERTION", "not-a-jwt")},
		{name: "jwt-bearer-assertion-expired-github", flow: "jwt-bearer", in: with(client, "INPUT_ASSERTION", expiredJWT)},
		{name: "ca-certificates-der-github", flow: "client-credentials", in: with(client, "INPUT_CA-CERTIFICATES", caDER)},
		// A path relative to the working directory, the same every run
		// (it is masked, so it shows in the golden file).
		{name: "certificate-path-github", flow: "ias-passcode", in: map[string]string{"INPUT_IAS-TENANT": iasServer.URL,
			"INPUT_CERTIFICATE": filepath.Join("testdata", "golden", "help.golden"), "INPUT_CERTIFICATE-PASSWORD": "golden-p12-password"}},
		{name: "service-key-vcap-github", flow: "client-credentials", in: map[string]string{"INPUT_SERVICE-KEY": vcap}},
		{name: "client-credentials-scope-list-github", flow: "client-credentials", in: client, uaaRequests: 1},
		{name: "client-credentials-scope-odd-github", flow: "client-credentials", in: with(client, "INPUT_TOKEN-URL", oddScope.TokenURL()), uaaRequests: 1},
		{name: "ias-passcode-too-long-github", flow: "ias-passcode", in: map[string]string{"INPUT_IAS-TENANT": iasServer.URL,
			"INPUT_CERTIFICATE-FILE": p12, "INPUT_CERTIFICATE-PASSWORD": "golden-p12-password"}, iasRequests: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: each case counts the requests to the shared
			// servers.
			env := map[string]string{"GITHUB_ACTIONS": "true", "INPUT_FLOW": tc.flow, "INPUT_TIMEOUT": "30s",
				"INPUT_CLIENT-AUTH": "body", "INPUT_CA-CERTIFICATES": caFile}
			for k, v := range tc.in {
				env[k] = v
			}
			dir := t.TempDir()
			out, summary := filepath.Join(dir, "set_output"), filepath.Join(dir, "step_summary")
			env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = out, summary
			ias0, uaa0 := iasServer.Count(""), uaa.Count("")+oddScope.Count("")
			var stdout, stderr bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return goldenNow },
				Getenv: func(k string) string { return env[k] }, GitHubOptions: []emit.GitHubOption{emit.WithRandom(zeros{})}}
			code := m.Run(context.Background())
			outputs, _ := os.ReadFile(out)
			got := "exit code: " + strconv.Itoa(code) + "\n--- stdout\n" + stdout.String() + "--- stderr\n" + stderr.String() +
				"--- GITHUB_OUTPUT\n" + string(outputs)
			if md, err := os.ReadFile(summary); err == nil {
				got += "--- GITHUB_STEP_SUMMARY\n" + string(md)
			}
			got = normalize(got, map[string]string{iasServer.URL: "https://IAS", uaa.URL: "https://UAA", oddScope.URL: "https://UAA"})
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), got)
			if got, want := iasServer.Count("")-ias0, tc.iasRequests; got != want {
				t.Errorf("IAS got %d requests, want %d", got, want)
			}
			if got, want := uaa.Count("")+oddScope.Count("")-uaa0, tc.uaaRequests; got != want {
				t.Errorf("the UAAs got %d requests, want %d", got, want)
			}
			// Besides the masks, which announce the secret inputs.
			var log []string
			for line := range strings.Lines(stdout.String() + stderr.String()) {
				if !strings.HasPrefix(line, "::add-mask::") {
					log = append(log, line)
				}
			}
			for _, s := range []string{"help.golden", caDER, "golden-vcap-secret", strings.Repeat("P", 64)} {
				if strings.Contains(strings.Join(log, ""), s) {
					t.Errorf("the log holds %.40q…", s)
				}
			}
		})
	}
}
