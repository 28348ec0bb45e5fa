package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// elapsed matches the time a run spent on its attempts, which varies.
var elapsed = regexp.MustCompile(`over [0-9.]+(µs|ms|s)`)

// TestGoldenRetries shows, as a shell user sees them, the messages of a
// run whose retries the server's answers decide: a Retry-After past the
// timeout, a given jwt-bearer assertion after a 500 (not sent again), and
// a token answer that trickles in past the timeout.
func TestGoldenRetries(t *testing.T) {
	t.Parallel()
	p, err := sharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, p.RootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	rateLimited := saptest.MustUAA(t, p, saptest.UAAConfig{})
	rateLimited.SetFaults(saptest.RateLimitedThenOK(999999999)...)
	failing := saptest.MustUAA(t, p, saptest.UAAConfig{})
	failing.SetFaults(saptest.ServerErrorThenOK()...)
	client := func(tokenURL string, more ...string) map[string]string {
		env := map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": caFile, "SAP_CI_AUTH_TOKEN_URL": tokenURL,
			"SAP_CI_AUTH_CLIENT_ID": "sb-golden!b1|it!b2", "SAP_CI_AUTH_CLIENT_SECRET": "golden-client-secret"}
		for i := 0; i+1 < len(more); i += 2 {
			env[more[i]] = more[i+1]
		}
		return env
	}
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		count func() int // requests the server got
	}{
		{name: "retry-after-past-timeout-shell", args: []string{"client-credentials"},
			env: client(rateLimited.TokenURL()), count: func() int { return rateLimited.Count("") }},
		{name: "jwt-bearer-500-given-assertion-shell", args: []string{"jwt-bearer"},
			env: client(failing.TokenURL(), "SAP_CI_AUTH_ASSERTION", goldenJWT), count: func() int { return failing.Count("") }},
		{name: "token-answer-trickles-shell", args: []string{"client-credentials"},
			env: client(saptest.MustTrickle(t, p, 100*time.Millisecond), "SAP_CI_AUTH_TIMEOUT", "1s")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stderr, Args: tc.args, Now: func() time.Time { return goldenNow },
				Getenv: func(k string) string { return tc.env[k] }}
			code := m.Run(context.Background())
			got := "exit code: " + strconv.Itoa(code) + "\n--- stdout\n" + stdout.String() + "--- stderr\n" + stderr.String()
			got = elapsed.ReplaceAllString(got, "over TIME")
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), got)
			if tc.count != nil {
				if n := tc.count(); n != 1 {
					t.Errorf("the server got %d requests, want 1", n)
				}
			}
		})
	}
}
