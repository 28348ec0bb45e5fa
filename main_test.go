package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunDispatch: only the first argument "demo" reaches the demo (which
// refuses extra arguments before starting any fake); the word demo anywhere
// else goes to app, which refuses it as a flow.
func TestRunDispatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantStderr string
	}{
		{name: "demo with an argument reaches the demo", args: []string{"demo", "extra"}, wantCode: 2, wantStderr: "demo takes no arguments"},
		{name: "flow input named demo", env: map[string]string{"GITHUB_ACTIONS": "true", "INPUT_FLOW": "demo"}, wantCode: 2},
		{name: "flow variable named demo", env: map[string]string{"SAP_CI_AUTH_FLOW": "demo"}, wantCode: 2},
		{name: "version", args: []string{"version"}, wantCode: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, &stdout, &stderr, func(k string) string { return tc.env[k] })
			if code != tc.wantCode || !strings.Contains(stderr.String(), tc.wantStderr) || strings.Contains(stdout.String()+stderr.String(), "FAKE SAP") {
				t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d and stderr with %q", tc.args, code, stdout.String(), stderr.String(), tc.wantCode, tc.wantStderr)
			}
		})
	}
}
