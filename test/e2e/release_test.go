package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// pinScript is scripts/pin-action-image.sh, which release.yml runs to make
// the release form of action.yml (test/container.sh rehearses the release
// with it; these cases are what it must refuse).
func pinScript(t *testing.T) (script, actionYML string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	return filepath.Join(root, "scripts", "pin-action-image.sh"), filepath.Join(root, "action.yml")
}

// runPin runs the script on a copy of text and returns the exit code, the
// stderr, the file afterwards and the directory's entries.
func runPin(t *testing.T, text, ref string) (code int, stderr, after string, entries []os.DirEntry) {
	t.Helper()
	script, _ := pinScript(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "action.yml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(need(t, "bash"), script, ref, path)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, err = os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return code, errb.String(), string(b), entries
}

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestPinActionImage: the one line becomes docker://<ref>, the comment that
// says the image is built on every run goes, and nothing else changes.
func TestPinActionImage(t *testing.T) {
	t.Parallel()
	_, actionYML := pinScript(t)
	orig, err := os.ReadFile(actionYML)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"ghcr.io/sap-ci-auth/sap-ci-auth@" + digest, "127.0.0.1:5000/sap-ci-auth@" + digest, "localhost/a.b_c--d/e@" + digest} {
		t.Run(ref, func(t *testing.T) {
			t.Parallel()
			code, stderr, after, _ := runPin(t, string(orig), ref)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// Build what must come out: action.yml with the comment block
			// right above the image line and that line replaced by two.
			lines := strings.SplitAfter(string(orig), "\n")
			img := -1
			for i, l := range lines {
				if l == "  image: Dockerfile\n" {
					img = i
				}
			}
			if img < 0 {
				t.Fatal("action.yml has no '  image: Dockerfile' line")
			}
			start := img
			for start > 0 && strings.HasPrefix(lines[start-1], "  #") {
				start--
			}
			if !strings.Contains(strings.Join(lines[start:img], ""), "on every run") {
				t.Fatalf("the comment above the image line no longer says the image is built on every run; update this test:\n%s", strings.Join(lines[start:img], ""))
			}
			want := strings.Join(lines[:start], "") +
				"  # Released: the image built by .github/workflows/release.yml from this commit's parent, by digest.\n" +
				"  image: docker://" + ref + "\n" + strings.Join(lines[img+1:], "")
			if after != want {
				t.Errorf("released action.yml:\n%s\nwant:\n%s", after, want)
			}
			if strings.Contains(after, "on every run") || strings.Contains(after, "Dockerfile") {
				t.Error("the released action.yml still mentions the Dockerfile")
			}
		})
	}
}

// TestPinActionImageRefuses: anything but NAME@sha256:<64 hex>, and a file
// without exactly one '  image: Dockerfile' line, exit 1 with one line on
// stderr, and leave the file as it was (no temporary file either).
func TestPinActionImageRefuses(t *testing.T) {
	t.Parallel()
	_, actionYML := pinScript(t)
	b, err := os.ReadFile(actionYML)
	if err != nil {
		t.Fatal(err)
	}
	orig := string(b)
	released := strings.Replace(orig, "  image: Dockerfile\n", "  image: docker://ghcr.io/o/r@"+digest+"\n", 1)
	ok := "ghcr.io/sap-ci-auth/sap-ci-auth@" + digest
	cases := []struct{ name, text, ref, want string }{
		{"a tag", orig, "ghcr.io/sap-ci-auth/sap-ci-auth:v1.2.3", "is not NAME@sha256"},
		{"63 hex", orig, ok[:len(ok)-1], "is not NAME@sha256"},
		{"65 hex", orig, ok + "0", "is not NAME@sha256"},
		{"upper-case hex", orig, strings.ToUpper(ok[:len(ok)-64]) + strings.ToUpper(digest[7:]), "is not NAME@sha256"},
		{"a tag and a digest", orig, "ghcr.io/sap-ci-auth/sap-ci-auth:v1@" + digest, "is not NAME@sha256"},
		{"sha512", orig, "ghcr.io/o/r@sha512:" + digest[7:] + digest[7:], "is not NAME@sha256"},
		{"no name", orig, "@" + digest, "is not NAME@sha256"},
		{"a digest alone", orig, digest, "is not NAME@sha256"},
		{"a docker:// prefix", orig, "docker://" + ok, "is not NAME@sha256"},
		{"a newline", orig, ok + "\n", "is not NAME@sha256"},
		{"no image line", released, ok, "has 0 lines '  image: Dockerfile'"},
		{"image line indented otherwise", strings.Replace(orig, "  image: Dockerfile", "    image: Dockerfile", 1), ok, "has 0 lines"},
		{"two image lines", orig + "  image: Dockerfile\n", ok, "has 2 lines"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, stderr, after, entries := runPin(t, c.text, c.ref)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "pin-action-image: ") || !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q, want one line 'pin-action-image: …%s…'", stderr, c.want)
			}
			if after != c.text {
				t.Error("the file changed")
			}
			if len(entries) != 1 {
				t.Errorf("%d files in the directory, want action.yml alone", len(entries))
			}
		})
	}
}
