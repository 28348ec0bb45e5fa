package app_test

import (
	"regexp"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	r := execute(t, map[string]string{}, "demo")
	if r.code != 0 {
		t.Fatalf("demo exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"FAKE SAP endpoints on 127.0.0.1",
		"passcode = ***  (32 characters, masked)",
		"btp login --url https://cli.btp.cloud.sap",
		"--idp 127.0.0.1:",
		"cf login -a",
		"GET /api/v1/MessageProcessingLogs with the Authorization output: 200 OK",
		"GET /resource/RegisteredResourcesGet with the Authorization output: 200 OK, registered resource SYSTEMDB@H4C",
		"stdout: one line, the access token",
		"all 4 steps passed",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The demo's fake secrets are never shown: not the inputs, and no
	// passcode (32 letters and digits) or JWT.
	for _, secret := range []string{"demo-cpi-client-secret", "demo-cockpit-client-secret", "demo-cockpit-password", "demo-p12-password"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("demo printed %s", secret)
		}
	}
	if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}|= [A-Za-z0-9]{32}\b`).FindString(r.stdout); m != "" {
		t.Errorf("demo printed a credential: %q", m)
	}
}
