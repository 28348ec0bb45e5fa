package e2e

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

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
