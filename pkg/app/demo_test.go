package app_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestDemoOnlyAsCommand: the fakes start only for `sap-ci-auth demo`; a
// flow input or variable named demo is an unknown flow, so no real run (the
// action passes no arguments) can reach them.
func TestDemoOnlyAsCommand(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"github input": {"GITHUB_ACTIONS": "true", "INPUT_FLOW": "demo"},
		"shell env":    {"SAP_CI_AUTH_FLOW": "demo"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := execute(t, env)
			if r.code != 2 || !strings.Contains(r.stdout+r.stderr, "flow: unknown flow") || strings.Contains(r.stdout, "FAKE SAP") {
				t.Errorf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestFlowsDoNotImportSaptest: the packages of a real run never link the
// fakes' code paths in; only pkg/app's demo and the tests do.
func TestFlowsDoNotImportSaptest(t *testing.T) {
	t.Parallel()
	pkgs := []string{"certs", "config", "emit", "ias", "oauth", "servicekey", "transport"}
	args := []string{"list", "-deps", "-f", "{{.ImportPath}}"}
	for _, p := range pkgs {
		args = append(args, "github.com/sap-ci-auth/sap-ci-auth/pkg/"+p)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "/pkg/saptest") {
		t.Errorf("a flow package depends on pkg/saptest:\n%s", out)
	}
}

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
		"expires-in = 14399", // the cockpit's UAA
		"scope = it!b202.IntegrationOperationServer.read",
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
