package demo_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sap-ci-auth/sap-ci-auth"

// fakes are the packages the shipped binary links only for the demo
// subcommand: the fakes, and the test server they are built on.
var fakes = []string{module + "/pkg/saptest", "net/http/httptest"}

// importGraph returns the import graph of the main package and everything
// it links (go list -deps: test files do not count), by import path.
func importGraph(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	graph := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		graph[fields[0]] = fields[1:]
	}
	return graph
}

// reachable lists what the main package links, not walking through skip.
func reachable(graph map[string][]string, skip string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(pkg string) {
		if seen[pkg] || pkg == skip {
			return
		}
		seen[pkg] = true
		for _, dep := range graph[pkg] {
			walk(dep)
		}
	}
	walk(module)
	return seen
}

// TestOnlyTheDemoLinksTheFakes says exactly what the shipped binary links
// and why: the `demo` subcommand (`docker run IMAGE demo`) runs every flow
// against pkg/saptest's fakes, so the binary links pkg/saptest and
// net/http/httptest; it links them through pkg/demo alone. Take pkg/demo
// out of the main package's import graph and neither is reachable any
// more: no flow, no part of a real run (app, config, transport, emit …)
// imports them, directly or through another package, and main.go reaches
// the demo only by its first argument (TestRunDispatch in main_test.go).
func TestOnlyTheDemoLinksTheFakes(t *testing.T) {
	t.Parallel()
	graph := importGraph(t)
	all, real := reachable(graph, ""), reachable(graph, module+"/pkg/demo")
	for _, f := range fakes {
		if !all[f] {
			t.Errorf("the binary no longer links %s: update this test, docs/design.md and the demo", f)
		}
		if real[f] {
			t.Errorf("the binary links %s through a package other than pkg/demo; only the demo subcommand may", f)
		}
	}
	// The real run must be in the graph, or the check proves nothing.
	for _, want := range []string{"pkg/app", "pkg/ias", "pkg/oauth", "pkg/oidc", "pkg/certs", "pkg/servicekey", "pkg/transport", "pkg/config", "pkg/emit"} {
		if !real[module+"/"+want] {
			t.Errorf("the main package does not link %s without the demo", want)
		}
	}
	if !slices.Contains(graph[module], module+"/pkg/demo") {
		t.Error("main.go does not import pkg/demo: the demo subcommand is gone")
	}
}
