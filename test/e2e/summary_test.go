package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestJobSummary runs the binary as the GitHub action (INPUT_*,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY in the workspace) and reads the job
// summary it appends: on success the flow, the outputs by name, the
// lifetime and expiry in UTC and each required scope marked; on a 401 the
// error and its link into TROUBLESHOOTING.md, of main for a development
// build and of the tag for a release build (-X …/pkg/app.version, as
// scripts/release-binaries.sh stamps it). No secret, in any encoding, is
// in it (saptest.CheckNoLeaks).
func TestJobSummary(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	release := filepath.Join(t.TempDir(), "sap-ci-auth-v1.2.3")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", release, "-ldflags", "-X github.com/sap-ci-auth/sap-ci-auth/pkg/app.version=v1.2.3", ".")
	build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build a release binary: %v\n%s", err, out)
	}
	const (
		token  = "summary-access-token-5Rt8Lq2Wx"
		secret = "summary-Client+Secret/7Yh3=" // its %-encoded and base64 forms are checked too
		link   = "/TROUBLESHOOTING.md#token-endpoint-and-oauth-errors-client-credentials-password-jwt-bearer)"
	)
	cases := []struct {
		name, binary string
		status       int
		code         int
		want         []string
		wantNot      []string
	}{
		{name: "success", binary: binary, status: 200, want: []string{
			"### sap-ci-auth: client-credentials succeeded", "| flow | client-credentials |",
			"| obtained | `access-token`, `authorization`, `token-type`, `expires-in`, `expires-at`, `scope` (step outputs; values are never shown here) |",
			"| scopes granted | it\\!b5678.MonitorDataRead |", "| required scope | MonitorDataRead: present |"},
			wantNot: []string{"**Error:**", "TROUBLESHOOTING.md"}},
		{name: "401, development build", binary: binary, status: 401, code: 1, want: []string{
			"### sap-ci-auth: client-credentials failed", "**Error:** ", "HTTP 401",
			"See [Troubleshooting: Token endpoint and OAuth errors", "https://github.com/sap-ci-auth/sap-ci-auth/blob/main" + link},
			wantNot: []string{"| obtained |", "| lifetime |"}},
		{name: "401, release build", binary: release, status: 401, code: 1, want: []string{
			"### sap-ci-auth: client-credentials failed", "https://github.com/sap-ci-auth/sap-ci-auth/blob/v1.2.3" + link}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newOAuthFixture(t, p, saptest.UAAConfig{})
			if tc.status == 200 {
				f.uaa.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
					Body: `{"access_token":"` + token + `","token_type":"bearer","expires_in":3600,"scope":"it!b5678.MonitorDataRead"}`})
			} else {
				f.uaa.SetFault(saptest.Fault{Status: 401, ContentType: "application/json",
					Body: `{"error":"invalid_client","error_description":"Bad credentials for ` + secret + `"}`})
			}
			key := `{"clientid":"sb-summary!b1","clientsecret":"` + secret + `","url":"https://x.example","tokenurl":"` + f.uaa.TokenURL() + `"}`
			env := githubEnv(f.ws, "client-credentials", map[string]string{"service-key": key, "ca-certificates": f.ca,
				"required-scopes": "MonitorDataRead"})
			cmd := exec.Command(tc.binary)
			cmd.Dir = f.ws
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			ran := time.Now().UTC()
			r := runCmd(t, cmd)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q", r.code, tc.code, r.stdout)
			}
			b, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
			if err != nil {
				t.Fatalf("no job summary: %v", err)
			}
			summary := string(b)
			for _, w := range tc.want {
				if !strings.Contains(summary, w) {
					t.Errorf("summary lacks %q:\n%s", w, summary)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(summary, w) {
					t.Errorf("summary holds %q:\n%s", w, summary)
				}
			}
			if tc.status == 200 {
				// The lifetime and its end in UTC, as the run saw the clock.
				m := regexp.MustCompile(`\| lifetime \| (\S+), until (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC \|`).FindStringSubmatch(summary)
				if m == nil {
					t.Fatalf("no lifetime row in:\n%s", summary)
				}
				until, err := time.Parse("2006-01-02 15:04:05", m[2])
				if d, _ := time.ParseDuration(m[1]); err != nil || d < 59*time.Minute || d > time.Hour ||
					until.Before(ran.Add(59*time.Minute)) || until.After(ran.Add(time.Hour+time.Minute)) {
					t.Errorf("lifetime %s until %s UTC, want 1h from %s", m[1], m[2], ran.Format(time.RFC3339))
				}
			}
			secrets := []string{secret, key, token}
			saptest.CheckNoLeaks(t, secrets, map[string][]byte{"GITHUB_STEP_SUMMARY": b}, nil)
		})
	}
}
