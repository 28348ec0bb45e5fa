package app

import (
	"os"
	"strings"
	"testing"
)

// TestSummaryLinks checks that every link the job summary can give for an
// error names a section heading of TROUBLESHOOTING.md.
func TestSummaryLinks(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../TROUBLESHOOTING.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if strings.HasPrefix(line, "#") {
			anchors[githubAnchor(strings.TrimLeft(strings.TrimSpace(line), "# "))] = true
		}
	}
	flows := []string{"no-such-flow"}
	for _, f := range registry {
		flows = append(flows, f.Name)
	}
	for _, f := range flows {
		for _, code := range []int{exitRemote, exitInput} {
			for _, msg := range []string{"failed to get a token", "required-scopes: the token lacks x", "verify-url answered 403"} {
				h := troubleshootingHeading(f, code, msg)
				if !anchors[githubAnchor(h)] {
					t.Errorf("troubleshootingHeading(%q, %d, %q) = %q: got no heading with anchor %q, want one", f, code, msg, h, githubAnchor(h))
				}
			}
		}
	}
}

// TestTroubleshootingURL: a release build links the TROUBLESHOOTING.md of
// its own tag, any other build the one on main; the summary's error link
// follows the binary's version.
func TestTroubleshootingURL(t *testing.T) {
	t.Parallel()
	const base = "https://github.com/sap-ci-auth/sap-ci-auth/blob/"
	cases := []struct{ version, wantRef string }{
		{"v1.2.3", "v1.2.3"},
		{"v1.2.3-rc.1", "v1.2.3-rc.1"},
		{"(devel)", "main"},
		{"", "main"},
		{"v0.0.0-20261206063128-abcdef123456", "main"},
		{"v1.2.4-0.20261206063128-abcdef123456", "main"},
		{"v1.2.3+dirty", "main"},
		{"1.2.3", "main"},
	}
	for _, tc := range cases {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			if got, want := troubleshootingURL(tc.version), base+tc.wantRef+"/TROUBLESHOOTING.md#"; got != want {
				t.Errorf("troubleshootingURL(%q) = %q, want %q", tc.version, got, want)
			}
			r := &recorder{errors: []string{"failed to get a token"}, version: tc.version}
			_, md := r.markdown("client-credentials", exitRemote)
			if want := "](" + base + tc.wantRef + "/TROUBLESHOOTING.md#token-endpoint-and-oauth-errors-client-credentials-password-jwt-bearer)"; !strings.Contains(md, want) {
				t.Errorf("summary of version %q:\n%s\nwant the link %q", tc.version, md, want)
			}
		})
	}
}
