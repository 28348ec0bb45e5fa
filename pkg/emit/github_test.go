package emit

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// zeroDelim is the delimiter made from a reader of zero bytes.
const zeroDelim = "ghadelimiter_00000000-0000-4000-8000-000000000000"

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// fileEnv returns a getenv that answers only for the file command variable
// name and fails the test on any other key, so a typo cannot pass unseen.
func fileEnv(t *testing.T, name, path string) func(string) string {
	return func(k string) string {
		if k != name {
			t.Errorf("getenv(%q), want only %q", k, name)
		}
		return path
	}
}

func TestGitHubCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns GITHUB_OUTPUT
		wantErr string
	}{
		{name: "unset is refused, naming the variable", setup: func(*testing.T, string) string { return "" }, wantErr: "GITHUB_OUTPUT is not set"},
		{name: "existing regular file accepted", setup: func(t *testing.T, dir string) string { return mkfile(t, dir, "out", "x=1\n") }},
		{name: "absent file in an existing directory accepted", setup: func(_ *testing.T, dir string) string { return filepath.Join(dir, "out") }},
		{name: "symlink to a regular file accepted", setup: func(t *testing.T, dir string) string {
			return mklink(t, mkfile(t, dir, "real", ""), filepath.Join(dir, "out"))
		}},
		{name: "directory refused", setup: func(_ *testing.T, dir string) string { return dir }, wantErr: "is a directory"},
		{name: "missing directory refused", setup: func(_ *testing.T, dir string) string { return filepath.Join(dir, "nope", "out") }, wantErr: "does not exist"},
		{name: "parent is a file refused", setup: func(t *testing.T, dir string) string { return filepath.Join(mkfile(t, dir, "f", ""), "out") }, wantErr: "GITHUB_OUTPUT"},
		{name: "device refused", setup: func(*testing.T, string) string { return os.DevNull }, wantErr: "not a regular file"},
		{name: "symlink to a device refused", setup: func(t *testing.T, dir string) string { return mklink(t, os.DevNull, filepath.Join(dir, "out")) }, wantErr: "not a regular file"},
		{name: "dangling symlink refused (the write would create its target)", setup: func(t *testing.T, dir string) string {
			return mklink(t, filepath.Join(dir, "elsewhere"), filepath.Join(dir, "out"))
		}, wantErr: "symbolic link to a missing file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := tc.setup(t, dir)
			before := listDir(t, dir)
			err := NewGitHub(io.Discard, fileEnv(t, "GITHUB_OUTPUT", path)).Check()
			if tc.wantErr == "" && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "GITHUB_OUTPUT") {
					t.Fatalf("got %v, want an error naming GITHUB_OUTPUT and containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is not one line", err)
				}
			}
			if after := listDir(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("Check changed the directory: %v, before %v", after, before)
			}
		})
	}
}

func TestGitHubCheckExportEnv(t *testing.T) {
	t.Parallel()
	err := NewGitHub(io.Discard, fileEnv(t, "GITHUB_ENV", "")).CheckExportEnv()
	if err == nil || !strings.Contains(err.Error(), "GITHUB_ENV is not set") {
		t.Errorf("got %v, want GITHUB_ENV is not set", err)
	}
	dir := t.TempDir()
	if err := NewGitHub(io.Discard, fileEnv(t, "GITHUB_ENV", dir)).CheckExportEnv(); err == nil || !strings.Contains(err.Error(), "GITHUB_ENV") {
		t.Errorf("got %v, want an error naming GITHUB_ENV for a directory", err)
	}
}

func TestGitHubOutputs(t *testing.T) {
	t.Parallel()
	block := func(name, value string) string {
		return name + "<<" + zeroDelim + "\n" + value + "\n" + zeroDelim + "\n"
	}
	cases := []struct {
		name     string
		existing string
		outs     []Output
		random   io.Reader
		wantErr  string
		want     string
	}{
		{
			name: "all outputs in heredoc blocks",
			outs: []Output{{"passcode", "abc"}, {"expires-in", "300"}},
			want: block("passcode", "abc") + block("expires-in", "300"),
		},
		{
			name:     "appended after earlier steps' outputs",
			existing: "earlier=1\n",
			outs:     []Output{{"passcode", "abc"}},
			want:     "earlier=1\n" + block("passcode", "abc"),
		},
		{
			name: "old fixed delimiter in a value is harmless",
			outs: []Output{{"a", "_GitHubActionsFileCommandDelimeter_"}},
			want: block("a", "_GitHubActionsFileCommandDelimeter_"),
		},
		{
			name:   "value holding the first delimiter: a new one is drawn",
			outs:   []Output{{"a", "x" + zeroDelim}},
			random: io.MultiReader(bytes.NewReader(make([]byte, 16)), bytes.NewReader(bytes.Repeat([]byte{0x11}, 16))),
			want:   "a<<ghadelimiter_11111111-1111-4111-9111-111111111111\nx" + zeroDelim + "\nghadelimiter_11111111-1111-4111-9111-111111111111\n",
		},
		{name: "value always holding the delimiter: an error, nothing written", outs: []Output{{"a", zeroDelim}}, wantErr: "delimiter"},
		{name: "newline refused, nothing written", outs: []Output{{"a", "ok"}, {"b", "x\nevil<<EOF"}}, wantErr: "output b contains a line break"},
		{name: "NUL refused", outs: []Output{{"a", "x\x00"}}, wantErr: "output a contains"},
		{name: "invalid UTF-8 refused", outs: []Output{{"a", "x\xff"}}, wantErr: "output a is not valid UTF-8"},
		{name: "a name that would change the line refused", outs: []Output{{"a<<b", "x"}}, wantErr: "output name"},
		{name: "failing random source is an error", outs: []Output{{"a", "x"}}, random: bytes.NewReader(nil), wantErr: "failed to make a heredoc delimiter"},
		{name: "no outputs: nothing written", outs: nil, want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "set_output")
			if tc.existing != "" {
				mkfile(t, filepath.Dir(file), "set_output", tc.existing)
			}
			random := tc.random
			if random == nil {
				random = zeroReader{}
			}
			var stdout bytes.Buffer
			g := NewGitHub(&stdout, fileEnv(t, "GITHUB_OUTPUT", file), WithRandom(random))
			err := g.Outputs(tc.outs, "")
			got, _ := os.ReadFile(file)
			if stdout.Len() != 0 {
				t.Errorf("outputs leaked to stdout: %q", stdout.String())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want %q", err, tc.wantErr)
				}
				if string(got) != tc.existing {
					t.Errorf("output file was written: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("output file:\n got %q\nwant %q", got, tc.want)
			}
			want := map[string]string{}
			if tc.existing != "" {
				want["earlier"] = "1"
			}
			for _, o := range tc.outs {
				want[o.Name] = o.Value
			}
			if parsed := ParseOutputFile(got); !reflect.DeepEqual(parsed, want) {
				t.Errorf("ParseOutputFile: got %v, want %v", parsed, want)
			}
		})
	}
}

func TestGitHubOutputsRandomDelimiter(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "set_output")
	g := NewGitHub(io.Discard, fileEnv(t, "GITHUB_OUTPUT", file))
	for range 2 {
		if err := g.Outputs([]Output{{"a", "1"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(file)
	re := regexp.MustCompile(`(?m)^a<<(ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$`)
	m := re.FindAllStringSubmatch(string(got), -1)
	if len(m) != 2 {
		t.Fatalf("got %q, want two blocks with ghadelimiter_<uuid v4>", got)
	}
	if m[0][1] == m[1][1] {
		t.Errorf("two runs used the same delimiter %s", m[0][1])
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("a new output file has mode %v, want 0600", st.Mode().Perm())
	}
}

func TestGitHubOutputsUnset(t *testing.T) {
	t.Parallel()
	g := NewGitHub(io.Discard, fileEnv(t, "GITHUB_OUTPUT", ""))
	if err := g.Outputs([]Output{{"a", "b"}}, ""); err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT is not set") {
		t.Errorf("got %v, want an error instead of a panic", err)
	}
}

func TestGitHubOutputsRefusesDeviceAtWriteTime(t *testing.T) {
	t.Parallel()
	// Check was not called (or the file changed since): the write itself
	// refuses a file that is not regular.
	g := NewGitHub(io.Discard, fileEnv(t, "GITHUB_OUTPUT", os.DevNull), WithRandom(zeroReader{}))
	if err := g.Outputs([]Output{{"a", "b"}}, ""); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("got %v, want a refusal of %s", err, os.DevNull)
	}
}

func TestExportEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		vars    []Output
		wantErr string
		want    string
	}{
		{name: "variables appended as heredoc blocks", vars: []Output{{"CF_PASSWORD", "p"}, {"BTP_ASSERTION", "j.w.t"}},
			want: "CF_PASSWORD<<" + zeroDelim + "\np\n" + zeroDelim + "\nBTP_ASSERTION<<" + zeroDelim + "\nj.w.t\n" + zeroDelim + "\n"},
		{name: "lower case refused", vars: []Output{{"cf_password", "p"}}, wantErr: "not an environment variable name"},
		{name: "leading digit refused", vars: []Output{{"1A", "p"}}, wantErr: "not an environment variable name"},
		{name: "hyphen refused", vars: []Output{{"A-B", "p"}}, wantErr: "not an environment variable name"},
		{name: "heredoc marker in name refused", vars: []Output{{"A<<EOF", "p"}}, wantErr: "not an environment variable name"},
		{name: "line break in value refused, nothing written", vars: []Output{{"A", "ok"}, {"B", "x\nPATH=/evil"}}, wantErr: "line break"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "set_env")
			g := NewGitHub(io.Discard, fileEnv(t, "GITHUB_ENV", file), WithRandom(zeroReader{}))
			err := g.ExportEnv(tc.vars)
			got, _ := os.ReadFile(file)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				if len(got) != 0 {
					t.Errorf("GITHUB_ENV written: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestGitHubCommands(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	g := NewGitHub(&stdout, func(string) string { return "" })
	if err := g.Mask(strings.TrimSuffix(fakePEM("AAAABBBBCCCC"), "\n")); err != nil {
		t.Fatal(err)
	}
	if err := g.Mask("s3c%r\x65t"); err != nil {
		t.Fatal(err)
	}
	g.Notice("trust report")
	g.Warning("expires soon")
	g.Error("ias-tenant: missing")
	want := "::add-mask::AAAABBBBCCCC\n::add-mask::QUFBQUJCQkJDQ0ND\n" +
		"::add-mask::s3c%25ret\n::add-mask::s3c%2525ret\n::add-mask::czNjJXJldA==\n::add-mask::czNjJXJldA\n" +
		"::notice::trust report\n::warning::expires soon\n::error::ias-tenant: missing\n"
	if stdout.String() != want {
		t.Errorf("got %q, want %q", stdout.String(), want)
	}
	if err := NewGitHub(failWriter{}, nil).Mask("x"); err == nil {
		t.Error("a failed mask write must be an error, not a panic or silence")
	}
}

func mkfile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mklink(t *testing.T, target, link string) string {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	return link
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestGitHubOutputsMissingDirectoryIsAnError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "out")
	g := NewGitHub(io.Discard, fileEnv(t, "GITHUB_OUTPUT", path), WithRandom(zeroReader{}))
	if err := g.Outputs([]Output{{"a", "b"}}, ""); err == nil || !strings.Contains(err.Error(), "failed to open GITHUB_OUTPUT") {
		t.Errorf("got %v, want an open error instead of a panic", err)
	}
}

// TestGitHubSummary checks that the job summary is appended to
// GITHUB_STEP_SUMMARY, with URLs redacted but for the caller's own links,
// which keep their anchors, and that an unusable file is an error (for a
// warning), never a panic.
func TestGitHubSummary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old"), []byte("# earlier step\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		path    string
		wantErr string
		want    string
	}{
		{name: "new file", path: filepath.Join(dir, "new"), want: "## sap-ci-auth\nhttps://host/p\nSee [this](https://x.example/T.md#anchor).\n"},
		{name: "appended", path: filepath.Join(dir, "old"), want: "# earlier step\n## sap-ci-auth\nhttps://host/p\nSee [this](https://x.example/T.md#anchor).\n"},
		{name: "unset", path: "", wantErr: "GITHUB_STEP_SUMMARY is not set"},
		{name: "directory", path: dir, wantErr: "GITHUB_STEP_SUMMARY (" + dir + ") is a directory"},
		{name: "missing directory", path: filepath.Join(dir, "no", "such"), wantErr: "the directory of GITHUB_STEP_SUMMARY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := NewGitHub(io.Discard, fileEnv(t, "GITHUB_STEP_SUMMARY", tc.path))
			err := g.Summary("## sap-ci-auth\nhttps://user:pw@host/p?secret=1#f\n", "See [this](https://x.example/T.md#anchor).")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			got, _ := os.ReadFile(tc.path)
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
