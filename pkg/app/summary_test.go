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
