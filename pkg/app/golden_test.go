package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenNow is the fixed clock of the golden runs.
var goldenNow = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// Fixed answers, so that the golden files hold the same tokens every run.
const (
	goldenPasscode = "GoldenPasscode0123456789"
	goldenToken    = "golden-access-token-0123456789abcdef"
)

// goldenJWT is a fixed GitHub-style job token (its signature is not
// checked by the tool, so a made-up one keeps the golden files stable).
var goldenJWT = func() string {
	enc := base64.RawURLEncoding.EncodeToString
	claims := fmt.Sprintf(`{"iss":"https://token.actions.githubusercontent.com","aud":"sap-ci-auth-golden",`+
		`"sub":"repo:octo-org/octo-repo:ref:refs/heads/main","repository":"octo-org/octo-repo","repository_id":"123456789",`+
		`"repository_owner":"octo-org","repository_owner_id":"987654321","ref":"refs/heads/main",`+
		`"job_workflow_ref":"octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main","exp":%d,"iat":%d}`,
		goldenNow.Add(5*time.Minute).Unix(), goldenNow.Unix())
	return enc([]byte(`{"alg":"RS256","kid":"golden","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
}()

// TestGolden runs each flow as a user sees it, on GitHub (the whole log and
// the GITHUB_OUTPUT file) and in a shell (stdout and stderr), and compares
// with testdata/golden/<case>.golden. Regenerate with
// `go test ./pkg/app -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	iasServer := saptest.MustIAS(t, p)
	iasServer.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"passcode":"` + goldenPasscode + `","expires_in":300}`})
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
	uaa.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"access_token":"` + goldenToken + `","token_type":"bearer","expires_in":43199,"scope":"it!b5678.MonitorDataRead"}`})
	// Valid around the fixed clock, whatever day the test runs.
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
	// An IAS that refuses the job's token as a client's credential.
	refusing := saptest.MustUAA(t, p, saptest.UAAConfig{})
	refusing.SetFault(saptest.Fault{Status: 401, ContentType: "application/json",
		Body: `{"error":"invalid_client","error_description":"The subject of the client assertion is not the one configured"}`})
	key := `{"clientid":"sb-golden!b1|it!b2","clientsecret":"golden-client-secret","url":"https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com","tokenurl":"` + uaa.TokenURL() + `"}`

	github := func(flow string, in map[string]string) map[string]string {
		env := map[string]string{"GITHUB_ACTIONS": "true", "INPUT_FLOW": flow, "INPUT_TIMEOUT": "30s",
			"INPUT_CLIENT-AUTH": "body", "INPUT_CA-CERTIFICATES": caFile}
		for k, v := range in {
			env[k] = v
		}
		return env
	}
	shell := func(in map[string]string) map[string]string {
		env := map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": caFile}
		for k, v := range in {
			env[k] = v
		}
		return env
	}
	iasInputs := map[string]string{"INPUT_IAS-TENANT": iasServer.URL, "INPUT_CERTIFICATE-FILE": p12, "INPUT_CERTIFICATE-PASSWORD": "golden-p12-password"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{name: "help", args: []string{"--help"}},
		{name: "ias-passcode-github", env: github("ias-passcode", iasInputs)},
		{name: "client-credentials-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key})},
		{name: "password-github", env: github("password", map[string]string{"INPUT_SERVICE-KEY": key, "INPUT_USERNAME": "COCKPIT_ADMIN", "INPUT_PASSWORD": "golden-user-password"})},
		{name: "oidc-github", env: github("oidc", map[string]string{"INPUT_ID-TOKEN": goldenJWT})},
		{name: "jwt-bearer-github", env: github("jwt-bearer", map[string]string{"INPUT_TOKEN-URL": uaa.TokenURL(),
			"INPUT_CLIENT-ID": "sb-golden!b1|it!b2", "INPUT_CLIENT-SECRET": "golden-client-secret", "INPUT_ASSERTION": goldenJWT})},
		{name: "client-credentials-id-token-github", env: github("client-credentials", map[string]string{"INPUT_TOKEN-URL": uaa.TokenURL(),
			"INPUT_CLIENT-ID": "golden-ias-application", "INPUT_CLIENT-AUTH": "id-token", "INPUT_ID-TOKEN": goldenJWT})},
		{name: "client-credentials-id-token-refused-shell", args: []string{"client-credentials", "--token-url", refusing.TokenURL(),
			"--client-id", "golden-ias-application", "--client-auth", "id-token"}, env: shell(map[string]string{"SAP_CI_AUTH_ID_TOKEN": goldenJWT})},
		{name: "client-credentials-checks-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key,
			"INPUT_REQUIRED-SCOPES": "MonitorDataRead", "INPUT_VERIFY-URL": uaa.URL + "/api/v1/IntegrationPackages"})},
		{name: "client-credentials-missing-scope-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key,
			"INPUT_REQUIRED-SCOPES": "MonitorDataRead WorkspacePackagesEdit"})},
		{name: "summary-off-github", env: github("ias-passcode", map[string]string{"INPUT_IAS-TENANT": iasServer.URL,
			"INPUT_CERTIFICATE-FILE": p12, "INPUT_CERTIFICATE-PASSWORD": "golden-p12-password", "INPUT_SUMMARY": "false"})},
		// Errors found while the inputs are read, some before a flow is
		// chosen: the summary still names the error and links it.
		{name: "no-flow-github", env: github("", nil)},
		{name: "unknown-flow-github", env: github("ias-passcod", nil)},
		{name: "unreadable-file-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY-FILE": filepath.Join(dir, "no-such-key.json")})},
		{name: "unknown-output-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key, "SAP_CI_AUTH_OUTPUT": "nowhere"})},
		{name: "bad-timeout-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key, "INPUT_TIMEOUT": "soon"})},
		{name: "bad-summary-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key, "INPUT_SUMMARY": "maybe"})},
		{name: "bad-timeout-summary-off-github", env: github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": key, "INPUT_TIMEOUT": "soon", "INPUT_SUMMARY": "false"})},
		{name: "oidc-shell", args: []string{"oidc"}, env: shell(map[string]string{"SAP_CI_AUTH_ID_TOKEN": goldenJWT})},
		{name: "missing-input-github", env: github("ias-passcode", map[string]string{"INPUT_CERTIFICATE-FILE": p12})},
		{name: "ias-passcode-shell", args: []string{"ias-passcode", "--ias-tenant", iasServer.URL, "--certificate-file", p12},
			env: shell(map[string]string{"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "golden-p12-password"})},
		{name: "client-credentials-shell-json", args: []string{"client-credentials", "--output", "json"},
			env: shell(map[string]string{"SAP_CI_AUTH_SERVICE_KEY": key})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := tc.env
			dir := t.TempDir()
			out, summary := filepath.Join(dir, "set_output"), filepath.Join(dir, "step_summary")
			if env != nil && env["GITHUB_ACTIONS"] == "true" {
				env["GITHUB_OUTPUT"] = out
				env["GITHUB_STEP_SUMMARY"] = summary
			}
			var stdout, stderr bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stderr, Args: tc.args, Now: func() time.Time { return goldenNow },
				Getenv: func(k string) string { return env[k] }, GitHubOptions: []emit.GitHubOption{emit.WithRandom(zeros{})}}
			code := m.Run(context.Background())
			outputs, _ := os.ReadFile(out)
			got := "exit code: " + strconv.Itoa(code) + "\n--- stdout\n" + stdout.String() + "--- stderr\n" + stderr.String() +
				"--- GITHUB_OUTPUT\n" + string(outputs)
			if md, err := os.ReadFile(summary); err == nil {
				got += "--- GITHUB_STEP_SUMMARY\n" + string(md)
			}
			got = normalize(got, map[string]string{iasServer.URL: "https://IAS", uaa.URL: "https://UAA", refusing.URL: "https://REFUSING-IAS", dir: "DIR"})
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), got)
		})
	}
}

// zeros is a random source of zero bytes, so the golden files hold fixed
// heredoc delimiters (ghadelimiter_00000000-0000-4000-8000-000000000000).
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// serials matches the serial numbers of the certificates minted per run.
var serials = regexp.MustCompile(`serial [0-9a-f]+`)

func normalize(s string, replace map[string]string) string {
	for from, to := range replace {
		s = strings.ReplaceAll(s, from, to)
	}
	return serials.ReplaceAllString(s, "serial RANDOM")
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/app -run TestGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./pkg/app -run TestGolden -update, then review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
