package demo

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestDemo runs every step against a landscape the test holds, so that it
// can check that no secret the landscape handed out or issued is printed.
func TestDemo(t *testing.T) {
	t.Parallel()
	l := saptest.MustLandscape(t)
	var out, errOut bytes.Buffer
	// A fixed clock, near the real one: the certificates are checked
	// against it and were minted an hour ago.
	fixed := time.Now().Add(-time.Minute).Truncate(time.Second)
	code := run(t.Context(), l, &out, &errOut, func() time.Time { return fixed })
	if code != 0 {
		t.Fatalf("run() = %d, want 0:\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{
		"FAKE SAP endpoints on 127.0.0.1",
		"passcode = ***  (32 characters, masked)",
		"btp login --url https://cli.btp.cloud.sap",
		"--idp 127.0.0.1:",
		"cf login -a",
		"GET /api/v1/MessageProcessingLogs with the Authorization output: 200 OK, latest message",
		"GET /resource/RegisteredResourcesGet with the Authorization output: 200 OK, registered resource SYSTEMDB@H4C",
		"expires-in = 14399", // the cockpit's UAA
		"expires-at = " + fixed.Add(14399*time.Second).UTC().Format(time.RFC3339),
		"scope = " + saptest.LandscapeCPIScope,
		"stdout: one line, the access token",
		"OIDC trust report",
		"subject = " + saptest.GitHubSubject,
		"5c. jwt-bearer at XSUAA",
		"cf auth --assertion",
		"5d. zero stored secrets",
		"client-auth: id-token",
		"Client Authentication → JSON Web Tokens",
		"verify-url answered 200 OK: the token is accepted",
		"GET /oauth2/userinfo with the Authorization output: 200 OK, IAS user P",
		"all 6 steps passed",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errOut.String())
	}
	// Every request reached its fake exactly as often as the steps send it:
	// no retry, no stray call.
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"IAS passcode", l.IAS.Count(saptest.PasscodePath), 1},
		{"UAA token (steps 2, 4, 5c and 6)", l.UAA.Count(saptest.DefaultTokenPath), 4},
		{"CPI (steps 2, 4, 5c and 6)", l.CPI.Count(saptest.MessageProcessingLogsPath), 4},
		{"job token service (5a, 5b, 5d)", l.Issuer.Count(saptest.IssuerTokenRequestPath), 3},
		{"IAS token (5b, 5d)", l.IAS.Count(saptest.IASTokenPath), 2},
		{"IAS userinfo (5d: verify-url, then a later step)", l.IAS.Count(saptest.IASUserInfoPath), 2},
		{"cockpit UAA token", l.CockpitUAA.Count(saptest.LandscapeCockpitTokenPath), 1},
		{"cockpit API", l.Cockpit.Count(saptest.RegisteredResourcesPath), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d requests, want %d", c.name, c.got, c.want)
		}
	}
	secrets := l.Secrets()
	if len(secrets) < 8+1+2+2 { // handed out + passcode + 2 tokens + cockpit token and refresh
		t.Fatalf("Secrets() holds %d values, want the issued ones too", len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(out.String(), s) {
			t.Errorf("the demo printed a secret of %d characters", len(s))
		}
	}
	if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}`).FindString(out.String()); m != "" {
		t.Errorf("the demo printed a JWT: %q", m)
	}
}

func TestRunRefusesArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"client-credentials"}} {
		var out, errOut bytes.Buffer
		if code := Run(t.Context(), args, &out, &errOut); code != 2 {
			t.Errorf("Run(%q) = %d, want 2", args, code)
		}
		if out.Len() != 0 || !strings.Contains(errOut.String(), "demo takes no arguments") {
			t.Errorf("Run(%q): stdout %q, stderr %q", args, out.String(), errOut.String())
		}
	}
}
