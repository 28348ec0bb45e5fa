package e2e

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestAzurePipelinesScriptStep runs the binary as an Azure Pipelines script
// step does (TF_BUILD=True, secrets mapped into env) and reads the step's
// stdout and stderr as the agent does (saptest.ReadVsoLog, from the agent's
// Command.cs): masks before any other line, every output a variable, the
// value alone in $(…), nothing secret in the log once the masks apply.
func TestAzurePipelinesScriptStep(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	const secretKey = "az;secret]%AZP25%"
	cases := []struct {
		name, token, scope, decode string
		wantCode                   int
		wantVars                   map[string]string
		wantIssue                  string
		wantRequests               int
	}{
		{name: "hostile token carried intact", token: "tok]en;%AZP25%x%0A", wantCode: 0, wantRequests: 1,
			wantVars: map[string]string{"ACCESS_TOKEN": "tok]en;%AZP25%x%0A", "TOKEN_TYPE": "Bearer", "EXPIRES_IN": "3600"}},
		{name: "hostile scope carried intact", token: "tok", scope: "a]b;c %AZP25 ##vso[task.complete]", wantCode: 0, wantRequests: 1,
			wantVars: map[string]string{"ACCESS_TOKEN": "tok", "SCOPE": "a]b;c %AZP25 ##vso[task.complete]"}},
		{name: "DECODE_PERCENTS off refused before sending", token: "tok", decode: "false", wantCode: 2,
			wantIssue: "DECODE_PERCENTS is false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newOAuthFixture(t, p, saptest.UAAConfig{})
			f.uaa.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
				Body: `{"access_token":"` + tc.token + `","token_type":"bearer","expires_in":3600,"scope":"` + tc.scope + `"}`})
			key := `{"clientid":"sb-az!b1","clientsecret":"` + secretKey + `","url":"https://x.example","tokenurl":"` + f.uaa.TokenURL() + `"}`
			script := `set -u
token=$("$BIN" client-credentials)
code=$?
printf 'len=%s\n' "${#token}"
exit $code
`
			cmd := exec.Command("bash", "-c", script)
			cmd.Dir = f.ws
			cmd.Env = []string{"PATH=/usr/bin:/bin", "BIN=" + binary, "TF_BUILD=True", "DECODE_PERCENTS=" + tc.decode,
				"SAP_CI_AUTH_SERVICE_KEY=" + key, "SAP_CI_AUTH_CA_CERTIFICATES=" + f.ca, "SAP_CI_AUTH_CLIENT_AUTH=body"}
			r := runCmd(t, cmd)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if got := f.uaa.Count("/oauth/token"); got != tc.wantRequests {
				t.Errorf("%d token requests, want %d", got, tc.wantRequests)
			}
			// The agent reads both streams; $(…) kept the value off stdout.
			if tc.wantCode == 0 && r.stdout != "len="+strconv.Itoa(len(tc.token))+"\n" {
				t.Errorf("script stdout %q: $(…) did not capture the value alone", r.stdout)
			}
			log := saptest.ReadVsoLog(r.stderr+r.stdout, tc.decode == "")
			if log.LastSecret > log.FirstOther && log.FirstOther >= 0 {
				t.Errorf("a mask after another line:\n%s", r.stderr)
			}
			if _, ok := log.Variables["AUTHORIZATION"]; ok {
				t.Errorf("AUTHORIZATION set: it is left out as in dotenv files")
			}
			if tc.wantCode != 0 && len(log.Variables) != 0 {
				t.Errorf("variables %v set by a failed run", log.Variables)
			}
			for name, want := range tc.wantVars {
				v := log.Variables[name]
				if v.Value != want || !v.Output || v.Secret != (name == "ACCESS_TOKEN") {
					t.Errorf("variable %s = %+v, want %q, output, secret only for the token", name, v, want)
				}
			}
			if tc.wantIssue != "" && (len(log.Issues) != 1 || log.Issues[0].Type != "error" || !strings.Contains(log.Issues[0].Message, tc.wantIssue)) {
				t.Errorf("issues %q, want one error with %q", log.Issues, tc.wantIssue)
			}
			// The log as the agent shows it: secrets masked by what the
			// binary registered.
			shown := strings.Join(log.Lines, "\n")
			for _, i := range log.Issues {
				shown += "\n" + i.Message
			}
			if tc.decode == "" && !containsAll(log.Secrets, secretKey) {
				t.Errorf("masks %q miss the client secret", log.Secrets)
			}
			secrets := []string{secretKey}
			if tc.wantCode == 0 {
				secrets = append(secrets, tc.token)
			}
			saptest.CheckNoLeaks(t, secrets, map[string][]byte{"log": []byte(shown)}, nil)
		})
	}
}

func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// TestAzurePipelinesJobToken runs oidc and jwt-bearer as an Azure Pipelines
// script step with the job's ID token from the agent's token service
// (TF_BUILD=True, SYSTEM_OIDCREQUESTURI, System.AccessToken mapped as
// SYSTEM_ACCESSTOKEN) and reads the step's output as the agent does
// (saptest.ReadVsoLog): the access token and the fetched job's token are
// registered with ##vso[task.setsecret] before any other line, every
// output is an output variable, secret exactly where config.Outputs says,
// and nothing secret is left in the log once the masks apply. Without
// SYSTEM_ACCESSTOKEN the step stops with exit 2 before anything is sent,
// with one ##vso[task.logissue type=error] naming System.AccessToken.
func TestAzurePipelinesJobToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, flow  string
		noAccess    bool
		code        int
		wantVars    []string
		wantPrimary func(w *world) string // what $(…) captured
	}{
		{name: "oidc", flow: "oidc", wantVars: []string{"ID_TOKEN", "ISSUER", "SUBJECT", "AUDIENCE", "EXPIRES_IN", "EXPIRES_AT"},
			wantPrimary: func(w *world) string { return w.Issuer.Tokens()[0] }},
		{name: "jwt-bearer", flow: "jwt-bearer", wantVars: []string{"ACCESS_TOKEN", "TOKEN_TYPE", "EXPIRES_IN", "EXPIRES_AT"},
			wantPrimary: func(w *world) string { return w.IAS.Tokens()[0] }},
		{name: "oidc without System.AccessToken", flow: "oidc", noAccess: true, code: 2},
		{name: "jwt-bearer without System.AccessToken", flow: "jwt-bearer", noAccess: true, code: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			// The IAS tenant trusts the Azure organisation's issuer with its
			// fixed audience, as a corporate identity provider would.
			w.IAS.TrustIssuer(w.Issuer, saptest.AzureAudience, "sub")
			script := `token=$("$BIN" "$FLOW")
code=$?
printf '%s' "$token" >"$CAPTURED"
exit $code
`
			captured := filepath.Join(w.dir, "captured")
			cmd := exec.Command("bash", "-c", script)
			cmd.Dir = w.dir
			cmd.Env = []string{"PATH=/usr/bin:/bin", "BIN=" + binary, "FLOW=" + tc.flow, "CAPTURED=" + captured,
				"TF_BUILD=True", "SYSTEM_OIDCREQUESTURI=" + w.Issuer.AzureRequestURI(), "SAP_CI_AUTH_CA_CERTIFICATES=" + w.caFile}
			if !tc.noAccess {
				cmd.Env = append(cmd.Env, "SYSTEM_ACCESSTOKEN="+w.Issuer.AzureAccessToken())
			}
			if tc.flow == "jwt-bearer" {
				cmd.Env = append(cmd.Env, "SAP_CI_AUTH_IAS_TENANT="+w.IAS.URL, "SAP_CI_AUTH_CLIENT_ID="+saptest.LandscapeIASClientID,
					"SAP_CI_AUTH_CLIENT_SECRET="+w.IASClientSecret)
			}
			r := runCmd(t, cmd)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", r.code, tc.code, r.stdout, r.stderr)
			}
			log := saptest.ReadVsoLog(r.stderr+r.stdout, true)
			secrets := w.Secrets()
			var azure int
			for _, req := range w.Issuer.Requests() {
				if req.Path == saptest.AzureTokenRequestPath {
					azure++
				}
			}
			if tc.code != 0 {
				if azure != 0 || len(w.IAS.Tokens()) != 0 {
					t.Errorf("%d requests to the token service, %d IAS tokens: want nothing sent", azure, len(w.IAS.Tokens()))
				}
				if len(log.Issues) != 1 || log.Issues[0].Type != "error" ||
					!strings.Contains(log.Issues[0].Message, "System.AccessToken") || !strings.Contains(log.Issues[0].Message, "SYSTEM_ACCESSTOKEN") {
					t.Errorf("issues %q, want one error naming System.AccessToken and SYSTEM_ACCESSTOKEN", log.Issues)
				}
				if len(log.Variables) != 0 {
					t.Errorf("variables %v set by a failed run", log.Variables)
				}
			} else {
				if azure != 1 || len(w.Issuer.Tokens()) != 1 {
					t.Fatalf("%d requests to the token service, %d job tokens issued; want one each", azure, len(w.Issuer.Tokens()))
				}
				jobToken := w.Issuer.Tokens()[0]
				// Masks first: the access token and the job's token are
				// registered before any line that is not a mask (the job's
				// token as soon as it is fetched, before the trust report);
				// a token the flow obtains afterwards before any line that
				// holds it.
				lines := vsoLines(r.stderr)
				first := firstOther(lines)
				for name, s := range map[string]string{"SYSTEM_ACCESSTOKEN": w.Issuer.AzureAccessToken(), "the job's token": jobToken} {
					if m := maskIndex(lines, s); m < 0 || m > first {
						t.Errorf("%s registered with ##vso[task.setsecret] at line %d, want before the first other line %d:\n%s", name, m, first, r.stderr)
					}
				}
				for _, s := range w.IAS.Tokens() {
					m := maskIndex(lines, s)
					for i, l := range lines {
						if c, ok := saptest.ParseVso(l, true); strings.Contains(l, s) && !(ok && c.Event == "setsecret") && (m < 0 || i < m) {
							t.Errorf("line %d holds an IAS token before its mask (line %d)", i, m)
						}
					}
				}
				got, err := os.ReadFile(captured)
				if err != nil || string(got) != tc.wantPrimary(w) {
					t.Errorf("$(…) captured %d bytes, want the primary value alone (%v)", len(got), err)
				}
				for _, name := range tc.wantVars {
					if _, ok := log.Variables[name]; !ok {
						t.Errorf("no variable %s; got %v", name, maps.Keys(log.Variables))
					}
				}
				for _, o := range config.Outputs {
					v, ok := log.Variables[emit.DotenvName(o.Name)]
					if ok && (v.Secret != o.Secret || !v.Output) {
						t.Errorf("variable %s: secret %t, output %t; want secret %t, output", emit.DotenvName(o.Name), v.Secret, v.Output, o.Secret)
					}
				}
				if tc.flow == "oidc" && log.Variables["ID_TOKEN"].Value != jobToken {
					t.Errorf("ID_TOKEN is not the job's token")
				}
				if tc.flow == "jwt-bearer" {
					if a := w.IAS.Requests(); len(a) == 0 || a[len(a)-1].Form.Get("assertion") != jobToken {
						t.Errorf("IAS did not get the job's token as the assertion")
					}
				}
			}
			// The log as the agent shows it, the masks applied.
			shown := strings.Join(log.Lines, "\n")
			for _, i := range log.Issues {
				shown += "\n" + i.Message
			}
			saptest.CheckNoLeaks(t, secrets, map[string][]byte{"log": []byte(shown), "script stdout": []byte(r.stdout)}, nil)
		})
	}
}

// vsoLines splits a step's output into lines as the agent reads them.
func vsoLines(out string) []string {
	return strings.FieldsFunc(strings.ReplaceAll(out, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
}

// maskIndex is the index of the ##vso[task.setsecret] line for secret, or -1.
func maskIndex(lines []string, secret string) int {
	for i, l := range lines {
		if c, ok := saptest.ParseVso(l, true); ok && c.Event == "setsecret" && c.Data == secret {
			return i
		}
	}
	return -1
}

// firstOther is the index of the first line that is not a
// ##vso[task.setsecret], or len(lines).
func firstOther(lines []string) int {
	for i, l := range lines {
		if c, ok := saptest.ParseVso(l, true); !ok || c.Event != "setsecret" {
			return i
		}
	}
	return len(lines)
}
