package app_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestSummaryNeverStopsTheRun: a GITHUB_STEP_SUMMARY that cannot be written
// (a directory, a path in a missing directory) is a warning; the request is
// still sent, the outputs written, and the step succeeds. A hostile server
// text in a failed run's summary cannot add Markdown structure or a secret.
func TestSummaryNeverStopsTheRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, summary string }{
		{"a directory", "DIR"},
		{"in a missing directory", "DIR/missing/summary.md"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			r := w.runStep(t, map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey},
				map[string]string{"GITHUB_STEP_SUMMARY": strings.Replace(tc.summary, "DIR", t.TempDir(), 1)})
			if r.code != 0 || r.outputs["access-token"] == "" {
				t.Fatalf("exit %d, outputs %v; want success with an access token:\n%s", r.code, keys(r.outputs), r.stdout)
			}
			if n := w.l.UAA.Count(""); n != 1 {
				t.Errorf("the UAA got %d requests, want 1", n)
			}
			if !bytes.Contains(r.stdout, []byte("::warning::job summary: ")) {
				t.Errorf("no job summary warning in:\n%s", r.stdout)
			}
			w.checkLeaks(t, r)
		})
	}
	t.Run("hostile server text", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.l.UAA.SetFault(saptest.Fault{Status: 400, ContentType: "application/json",
			Body: `{"error":"invalid_request","error_description":"x\n## injected\n| a | b |\n<script>alert(1)</script> [link](https://evil.example) ` + w.l.CPIClientSecret + `"}`})
		r := w.runStep(t, map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey}, nil)
		if r.code != 1 || len(r.summary) == 0 {
			t.Fatalf("exit %d, summary %q; want a failed run with a summary", r.code, r.summary)
		}
		for line := range strings.Lines(string(r.summary)) {
			if strings.HasPrefix(line, "## injected") || strings.HasPrefix(line, "| a | b |") || strings.Contains(line, "<script>") {
				t.Errorf("the server's text added Markdown structure to the summary: %q", line)
			}
		}
		w.checkLeaks(t, r)
	})
}
