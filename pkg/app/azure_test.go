package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestAzureDecodePercentsOffExitCode: with the agent's DECODE_PERCENTS off,
// a run is refused with exit 2 before anything is sent, whether or not a
// secret input has a form that no logging command could carry (a ";" in
// the client secret is "%3B" %-encoded, which the agent would read back as
// ";"): the same situation, the same exit code, one error as logissue.
func TestAzureDecodePercentsOffExitCode(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, p.RootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, secret string }{
		{name: "plain secret", secret: "plain-secret-4711"},
		{name: "secret whose %-encoded form no command carries", secret: "semi;colon]secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
			env := map[string]string{"TF_BUILD": "True", "DECODE_PERCENTS": "false", "SAP_CI_AUTH_CLIENT_ID": "sb-x!b1",
				"SAP_CI_AUTH_CLIENT_SECRET": tc.secret, "SAP_CI_AUTH_TOKEN_URL": uaa.TokenURL(),
				"SAP_CI_AUTH_CA_CERTIFICATES": caFile, "SAP_CI_AUTH_CLIENT_AUTH": "body"}
			var stdout, stderr bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stderr, Args: []string{"client-credentials"},
				Getenv: func(k string) string { return env[k] }}
			if code := m.Run(context.Background()); code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr.String())
			}
			if n := uaa.Count("/oauth/token"); n != 0 {
				t.Errorf("%d token requests, want none", n)
			}
			log := saptest.ReadVsoLog(stderr.String(), false)
			if len(log.Issues) != 1 || log.Issues[0].Type != "error" || !strings.Contains(log.Issues[0].Message, "DECODE_PERCENTS is false") {
				t.Errorf("issues %q, want one error naming DECODE_PERCENTS", log.Issues)
			}
			if stdout.Len() != 0 || len(log.Variables) != 0 {
				t.Errorf("stdout %q, variables %v: want nothing written", stdout.String(), log.Variables)
			}
			saptest.CheckNoLeaks(t, []string{tc.secret}, map[string][]byte{"log": []byte(strings.Join(log.Lines, "\n"))}, nil)
		})
	}
}
