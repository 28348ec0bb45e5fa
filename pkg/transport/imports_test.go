package transport

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sap-ci-auth/sap-ci-auth"

// goList runs go list -f format over pkgs and returns, per import path
// (the first field of each line), the other fields.
func goList(t *testing.T, format string, pkgs ...string) map[string][]string {
	t.Helper()
	args := append([]string{"list", "-f", format}, pkgs...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	got := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if fields := strings.Fields(line); len(fields) > 0 {
			got[fields[0]] = fields[1:]
		}
	}
	return got
}

// TestFlowsDoNotImportTransport: the flows get their client from
// flow.Env.Client and print its errors through flow.RequestError, because
// the client explains them itself; a flow that imports this package again
// has gone back to explaining at the call site. Their tests may import it
// (they use the production client), so only .Imports is read, not
// .TestImports.
func TestFlowsDoNotImportTransport(t *testing.T) {
	t.Parallel()
	flows := []string{module + "/pkg/ias", module + "/pkg/oauth", module + "/pkg/oidc"}
	imports := goList(t, `{{.ImportPath}} {{join .Imports " "}}`, flows...)
	// The list must hold every flow, with its imports, or the test proves
	// nothing: each flow imports pkg/flow.
	if len(imports) != len(flows) {
		t.Fatalf("go list reported %d packages, want %d: %v", len(imports), len(flows), imports)
	}
	for _, f := range flows {
		deps, ok := imports[f]
		if !ok || !slices.Contains(deps, module+"/pkg/flow") {
			t.Errorf("go list did not report %s with its imports (pkg/flow among them): %v", f, deps)
		}
		if slices.Contains(deps, module+"/pkg/transport") {
			t.Errorf("%s imports pkg/transport; print a request's error with flow.RequestError and the status hints with flow.StatusHint instead", f)
		}
	}
}

// TestNoStateSharedWithCerts: this package and pkg/certs depend on neither
// each other nor through another package, so they share no state (the
// trust store is gathered by pkg/certs and passed in as Options.RootCAs).
func TestNoStateSharedWithCerts(t *testing.T) {
	t.Parallel()
	transport, certs := module+"/pkg/transport", module+"/pkg/certs"
	deps := goList(t, `{{.ImportPath}} {{join .Deps " "}}`, transport, certs)
	if len(deps[transport]) == 0 || len(deps[certs]) == 0 {
		t.Fatalf("go list did not report the dependencies of both packages: %v", deps)
	}
	if slices.Contains(deps[transport], certs) {
		t.Errorf("pkg/transport depends on pkg/certs")
	}
	if slices.Contains(deps[certs], transport) {
		t.Errorf("pkg/certs depends on pkg/transport")
	}
}
