package demo_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
)

// TestDemoOnlyAsCommand: pkg/app no longer knows the demo. A flow input or
// variable named demo, or the word demo handed to app.Main, is refused as
// bad input, so no real run (the action passes no arguments) can reach the
// fakes.
func TestDemoOnlyAsCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"github input", map[string]string{"GITHUB_ACTIONS": "true", "INPUT_FLOW": "demo"}, nil},
		{"shell env", map[string]string{"SAP_CI_AUTH_FLOW": "demo"}, nil},
		{"flag", map[string]string{}, []string{"--flow", "demo"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return tc.env[k] }, Args: tc.args}
			code := m.Run(t.Context())
			log := stdout.String() + stderr.String()
			if code != 2 || strings.Contains(log, "FAKE SAP") || !strings.Contains(log, "flow") {
				t.Errorf("exit %d, want 2 naming the flow input and no demo:\n%s", code, log)
			}
		})
	}
}
