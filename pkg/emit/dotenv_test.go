package emit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// safeDotenvValues are values WriteDotenv must write, and that both sh and
// GitLab must read back unchanged.
var safeDotenvValues = []string{
	"it!b5678.MonitorDataRead",
	"!hist",
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl-_", // JWT
	"ab+/cd==",                    // base64 with padding
	"2026-01-02T03:04:05Z",        // RFC 3339 time
	"user@host.example:8080,a%41", // @ : , %
	"-leading-dash",
	"a=b=c", // "=" inside a value
	"0123456789abcdef",
	"", // empty
}

// unsafeDotenvValues are values WriteDotenv must leave out: each would run
// a command, print something, or be read differently by sh and GitLab.
var unsafeDotenvValues = []string{
	"openid uaa.user", // two-word scope: runs uaa.user as a command
	"Bearer tok",      // the authorization output
	"$(touch pwned)",
	"`touch pwned`",
	"${HOME}",
	"$HOME",
	"a;touch pwned",
	"a&&touch pwned",
	"a|touch pwned",
	"a>pwned",
	"a<pwned",
	"(touch pwned)",
	"~root",
	"x:~/y",
	"*",
	"a?b",
	"[ab]",
	"{a,b}",
	"'single'",
	`"double"`,
	`back\slash`,
	"#comment",
	"^caret",
	"=ls", // zsh expands =cmd
	"tab\there",
	"nbsp\u00a0here",
	"caf\u00e9",
	"esc\x1b[31m",
	"a\nB=evil", // CheckValue refuses it too; WriteDotenv must not rely on that
}

func TestWriteDotenv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.env")
	warnings, err := WriteDotenv(path, []Output{{"passcode", "abc"}, {"expires-in", "300"}, {"scope", "openid uaa.user"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "PASSCODE=abc\nEXPIRES_IN=300\n" {
		t.Errorf("got %q", got)
	}
	want := []string{"dotenv-file: SCOPE (output scope) is left out: its value holds white space, which a shell or GitLab would not read literally"}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	// A refused write leaves the previous file untouched and no temp files.
	if _, err := WriteDotenv(path, []Output{{"passcode", "new"}, {"bad.name", "x"}}); err == nil {
		t.Fatal("want an error for a name that is no dotenv name")
	}
	got, _ = os.ReadFile(path)
	if string(got) != "PASSCODE=abc\nEXPIRES_IN=300\n" {
		t.Errorf("file changed after a refused write: %q", got)
	}
	if names := listDir(t, dir); !reflect.DeepEqual(names, []string{"auth.env"}) {
		t.Errorf("left files behind: %v", names)
	}
}

func TestWriteDotenvLeavesOutUnsafeValues(t *testing.T) {
	t.Parallel()
	for _, v := range unsafeDotenvValues {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "auth.env")
			warnings, err := WriteDotenv(path, []Output{{"access-token", "tok"}, {"scope", v}})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != "ACCESS_TOKEN=tok\n" {
				t.Errorf("file %q, want only the safe value", got)
			}
			if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "dotenv-file: SCOPE (output scope) is left out: its value holds ") {
				t.Fatalf("warnings %q, want one naming SCOPE", warnings)
			}
			if strings.Contains(warnings[0], "nothing unsafe") {
				t.Errorf("warning %q does not say why", warnings[0])
			}
			if len(v) >= 3 && strings.Contains(warnings[0], v) {
				t.Errorf("warning %q shows the value", warnings[0])
			}
		})
	}
}

func TestWriteDotenvLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A", 2600)
	many := make([]Output, 21)
	for i := range many {
		many[i] = Output{fmt.Sprintf("out-%d", i), "1"}
	}
	cases := []struct {
		name string
		outs []Output
		want []string
	}{
		{"small file: no warning", []Output{{"access-token", long}}, nil},
		{"two 2.6 KB tokens exceed GitLab's 5 KB", []Output{{"access-token", long}, {"id-token", long}},
			[]string{"dotenv-file: the file is 5224 bytes; GitLab rejects a dotenv report of 5120 bytes (5 KB) or more unless the instance raised dotenv_size"}},
		{"21 variables exceed GitLab's default 20", many,
			[]string{"dotenv-file: the file holds 21 variables; GitLab Self-Managed rejects more than 20 unless the instance raised dotenv_variables"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			warnings, err := WriteDotenv(filepath.Join(t.TempDir(), "auth.env"), tc.outs)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(warnings, tc.want) {
				t.Errorf("warnings %q, want %q", warnings, tc.want)
			}
		})
	}
}

func TestCheckDotenv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string) string
		wantErr string
	}{
		{name: "new file in an existing directory accepted", setup: func(_ *testing.T, dir string) string { return filepath.Join(dir, "auth.env") }},
		{name: "existing regular file accepted", setup: func(t *testing.T, dir string) string { return mkfile(t, dir, "auth.env", "A=1\n") }},
		{name: "empty path refused", setup: func(*testing.T, string) string { return "" }, wantErr: "dotenv-file is empty"},
		{name: "symlink to a regular file refused", setup: func(t *testing.T, dir string) string {
			return mklink(t, mkfile(t, dir, "real.env", ""), filepath.Join(dir, "auth.env"))
		}, wantErr: "is a symbolic link"},
		{name: "dangling symlink refused", setup: func(t *testing.T, dir string) string {
			return mklink(t, filepath.Join(dir, "elsewhere"), filepath.Join(dir, "auth.env"))
		}, wantErr: "is a symbolic link"},
		{name: "/dev/stdout refused", setup: func(*testing.T, string) string { return "/dev/stdout" }, wantErr: "dotenv-file (/dev/stdout) is"},
		{name: "device refused", setup: func(*testing.T, string) string { return os.DevNull }, wantErr: "not a regular file"},
		{name: "directory refused", setup: func(_ *testing.T, dir string) string { return dir }, wantErr: "is a directory"},
		{name: "missing directory refused", setup: func(_ *testing.T, dir string) string { return filepath.Join(dir, "nope", "auth.env") }, wantErr: "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := tc.setup(t, dir)
			before := listDir(t, dir)
			err := CheckDotenv(path)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "dotenv-file")) {
				t.Fatalf("got %v, want an error naming dotenv-file and containing %q", err, tc.wantErr)
			}
			if after := listDir(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("CheckDotenv changed the directory: %v, before %v", after, before)
			}
		})
	}
}

func TestWriteDotenvRefusesNonRegularTargets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string) string
		wantErr string
	}{
		{"symlink: neither it nor its target replaced", func(t *testing.T, dir string) string {
			return mklink(t, mkfile(t, dir, "real.env", "OLD=1\n"), filepath.Join(dir, "auth.env"))
		}, "is a symbolic link"},
		{"directory", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "auth.env")
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}, "is a directory"},
		{"missing directory", func(_ *testing.T, dir string) string { return filepath.Join(dir, "nope", "auth.env") }, "failed to create dotenv-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := tc.setup(t, dir)
			before := listDir(t, dir)
			_, err := WriteDotenv(path, []Output{{"access-token", "tok"}})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			if after := listDir(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("directory changed: %v, before %v", after, before)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "real.env")); err == nil && string(b) != "OLD=1\n" {
				t.Errorf("symlink target written: %q", b)
			}
		})
	}
}

// gitlabDotenv parses a dotenv report as GitLab's
// Ci::ParseDotenvArtifactService does: every line must match ^(.*?)=(.*)$,
// name and value are stripped of white space, names must match
// \A[a-zA-Z0-9_]+\z, and the file must be smaller than 5120 bytes.
func gitlabDotenv(t *testing.T, data []byte) map[string]string {
	t.Helper()
	if len(data) >= dotenvSizeLimit {
		t.Fatalf("GitLab rejects %d bytes", len(data))
	}
	name := regexp.MustCompile(`\A[a-zA-Z0-9_]+\z`)
	vars := map[string]string{}
	for line := range strings.Lines(string(data)) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !name.MatchString(k) {
			t.Fatalf("GitLab rejects the line %q", line)
		}
		vars[k] = v
	}
	return vars
}

// TestDotenvSourcedByShell writes hostile and ordinary values, sources the
// file with `set -a; . ./auth.env` in every POSIX shell found, and checks
// that nothing ran or printed and that the safe values arrive unchanged,
// as GitLab reads them too.
func TestDotenvSourcedByShell(t *testing.T) {
	t.Parallel()
	var outs []Output
	want := map[string]string{}
	for i, v := range safeDotenvValues {
		name := fmt.Sprintf("safe-%d", i)
		outs = append(outs, Output{name, v})
		want[DotenvName(name)] = v
	}
	var unsafeNames []string
	for i, v := range unsafeDotenvValues {
		name := fmt.Sprintf("unsafe-%d", i)
		outs = append(outs, Output{name, v})
		unsafeNames = append(unsafeNames, DotenvName(name))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.env")
	warnings, err := WriteDotenv(path, outs)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != len(unsafeDotenvValues) {
		t.Errorf("got %d warnings, want one per unsafe value (%d): %q", len(warnings), len(unsafeDotenvValues), warnings)
	}
	data, _ := os.ReadFile(path)
	if got := gitlabDotenv(t, data); !reflect.DeepEqual(got, want) {
		t.Errorf("GitLab reads %q, want %q", got, want)
	}

	shells := [][]string{{"sh"}, {"dash"}, {"bash", "--posix"}, {"bash"}, {"busybox", "sh"}, {"zsh", "--emulate", "sh"}, {"zsh"}, {"ksh"}, {"mksh"}}
	ran := 0
	for _, sh := range shells {
		bin, err := exec.LookPath(sh[0])
		if err != nil {
			if sh[0] == "sh" {
				t.Errorf("SKIPPED the shell half of this test: no sh on PATH (%v)", err)
				continue
			}
			// A loud skip (.ci/run installs every shell of the list).
			t.Run(strings.Join(sh, " "), func(t *testing.T) {
				t.Skipf("SKIPPED: %s is not installed (apt-get install %s); the file was not sourced by it", sh[0], sh[0])
			})
			continue
		}
		ran++
		t.Run(strings.Join(sh, " "), func(t *testing.T) {
			work := t.TempDir()
			if err := os.WriteFile(filepath.Join(work, "auth.env"), data, 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(sh[1:], "-c", "set -a; . ./auth.env; echo __END_OF_SOURCE__; env")
			cmd := exec.Command(bin, args...)
			cmd.Dir = work
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s failed: %v; stderr %q", bin, err, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("sourcing printed on stderr: %q", stderr.String())
			}
			printed, env, ok := strings.Cut(stdout.String(), "__END_OF_SOURCE__\n")
			if !ok || printed != "" {
				t.Errorf("sourcing printed on stdout: %q", printed)
			}
			if names := listDir(t, work); !reflect.DeepEqual(names, []string{"auth.env"}) {
				t.Errorf("sourcing ran a command that created files: %v", names)
			}
			got := map[string]string{}
			for line := range strings.Lines(env) {
				k, v, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
				got[k] = v
			}
			for k, v := range want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s: got %q (set: %v), want %q", k, g, ok, v)
				}
			}
			for _, k := range unsafeNames {
				if _, ok := got[k]; ok {
					t.Errorf("%s is set, want it left out", k)
				}
			}
		})
	}
	if ran == 0 {
		t.Error("no shell ran")
	}
}
