// Package e2e runs the built sap-ci-auth binary, as a user's shell or the
// GitHub runner would, against real peers on 127.0.0.1: nginx with client
// certificate verification, and the fakes of pkg/saptest. Certificates and
// PKCS#12 files are minted at run time, the P12s by the real openssl CLI.
package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// binary is the sap-ci-auth built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sap-ci-auth-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "sap-ci-auth")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = root
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "failed to build sap-ci-auth:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// need finds a program or, outside CI, skips loudly; under CI=true a missing
// program fails the test, because .ci/run installs it.
func need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if _, err := os.Stat(filepath.Join(dir, program)); err == nil {
			return filepath.Join(dir, program)
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; .ci/run must install it", program)
	}
	t.Skipf("SKIPPED: %s is not installed (apt-get install %s); this end-to-end test did not run", program, program)
	return ""
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) log() string { return r.stdout + r.stderr }

// runBinary runs sap-ci-auth with exactly env (plus PATH) and args.
func runBinary(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return runCmd(t, cmd)
}

func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", cmd.Path, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// assertMaskedFirst checks that each secret is announced with ::add-mask::
// before any other stdout line mentions it, and never shows up elsewhere.
// The mask of a longer secret may contain it (a private key's lines inside
// the key as written with literal \n): runners never print mask commands.
func assertMaskedFirst(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if !strings.Contains(r.stdout, "::add-mask::"+s+"\n") {
			t.Errorf("secret %.4s… never masked; stdout:\n%s", s, r.stdout)
		}
	}
	assertAbsent(t, r, secrets...)
}

// assertAbsent runs the one leak checker (saptest.CheckNoLeaks): no secret,
// no encoded form and no long fragment of one anywhere in the log outside
// ::add-mask:: lines.
func assertAbsent(t *testing.T, r result, secrets ...string) {
	t.Helper()
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	saptest.CheckNoLeaks(t, nonEmpty, map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}, nil)
}

// readOutputs parses a GITHUB_OUTPUT file.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read outputs: %v", err)
	}
	return emit.ParseOutputFile(b)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitPort waits until something listens on the port.
func waitPort(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on port %d", port)
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// world is the fake SAP landscape with its credentials written to files,
// where a workflow would keep them.
type world struct {
	*saptest.Landscape
	// dir is the workspace the files are in.
	dir string
	// caFile is the landscape's root CA (the ca-certificates input).
	caFile string
	// p12File is the IAS technical user's PKCS#12 (the certificate-file
	// input), under Landscape.ClientP12Password.
	p12File string
}

// newWorld starts a landscape that the test closes when it ends.
func newWorld(t *testing.T, opts ...saptest.LandscapeOption) *world {
	t.Helper()
	l := saptest.MustLandscape(t, opts...)
	w := &world{Landscape: l, dir: t.TempDir()}
	w.caFile = writeFile(t, filepath.Join(w.dir, "ca.pem"), l.PKI.RootPEM())
	w.p12File = writeFile(t, filepath.Join(w.dir, "cert.p12"), l.ClientP12)
	return w
}

// TestBinaryListsItsLibraries: the binary is built on the released
// upstream modules of the four libraries the product is built on, and
// says so (`go version -m`), so that a dependency graph, Dependabot or
// govulncheck sees them; no copy of a library is linked instead.
func TestBinaryListsItsLibraries(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "version", "-m", binary).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	deps := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "dep" {
			deps[f[1]] = true
		}
	}
	for _, lib := range []string{"github.com/sethvargo/go-githubactions", "golang.org/x/oauth2", "software.sslmate.com/src/go-pkcs12", "github.com/sethvargo/go-envconfig"} {
		if !deps[lib] {
			t.Errorf("go version -m does not list %s as a dependency of the binary:\n%s", lib, out)
		}
	}
}

// TestDemoCommand runs `sap-ci-auth demo` as a user would after go build.
func TestDemoCommand(t *testing.T) {
	t.Parallel()
	r := runBinary(t, t.TempDir(), nil, "demo")
	if r.code != 0 || !strings.Contains(r.stdout, "demo: all 6 steps passed") {
		t.Errorf("demo: exit %d\n%s", r.code, r.log())
	}
}
