package demo_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sap-ci-auth/sap-ci-auth"

// forbidden are the packages no package of a real run may link in: the
// fakes, and the test server they are built on.
var forbidden = []string{module + "/pkg/saptest", "net/http/httptest"}

// TestRealRunNeverLinksTheFakes: pkg/app and every other package under pkg/
// (the flows, config, transport, emit, and any flow added later), apart from
// pkg/saptest itself and this package, depend on neither pkg/saptest nor
// net/http/httptest, directly or through another package. Test files do not
// count: they may use the fakes.
func TestRealRunNeverLinksTheFakes(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/pkg/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		if pkg == module+"/pkg/saptest" || pkg == module+"/pkg/demo" {
			continue
		}
		checked[strings.TrimPrefix(pkg, module+"/")] = true
		for _, f := range forbidden {
			if slices.Contains(deps, f) {
				t.Errorf("%s depends on %s; only pkg/demo and tests may", pkg, f)
			}
		}
	}
	// The list must hold the packages this rule is for, or the test
	// proves nothing.
	for _, want := range []string{"pkg/app", "pkg/ias", "pkg/oauth", "pkg/certs", "pkg/servicekey", "pkg/transport", "pkg/config", "pkg/emit"} {
		if !checked[want] {
			t.Errorf("go list did not report %s", want)
		}
	}
}

// TestDemoLinksTheFakes: the check above can fail: this package, which
// does import the fakes, is reported as depending on them.
func TestDemoLinksTheFakes(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{join .Deps "\n"}}`, module+"/pkg/demo").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if !slices.Contains(strings.Split(string(out), "\n"), forbidden[0]) {
		t.Errorf("go list does not show pkg/demo depending on pkg/saptest:\n%s", out)
	}
}
