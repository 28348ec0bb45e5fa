package emit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakePEM armours body like a PEM private key. The armour is assembled at run
// time so that no file in the repository looks like a committed key; body is
// not a key at all.
func fakePEM(body string) string {
	const kind = "PRIVATE" + " KEY"
	return "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n"
}

func TestMaskParts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"single line", "s3cr3t!|x", []string{"s3cr3t!|x"}},
		{"short single line kept", "pw", []string{"pw"}},
		{"blank", "  ", nil},
		{"pem drops armour", fakePEM("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc"), []string{"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"}},
		{"json braces dropped", "{\n  \"clientsecret\": \"abcdefgh12\"\n}", []string{`"clientsecret": "abcdefgh12"`}},
		{"crlf", "line-one-long\r\nline-two-long", []string{"line-one-long", "line-two-long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := MaskParts(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestGitHub(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		outs       []Output
		unsetFile  bool
		wantErr    string
		wantOutput string
	}{
		{
			name:       "outputs written",
			outs:       []Output{{"passcode", "abc"}, {"expires-in", "300"}},
			wantOutput: "passcode<<_GitHubActionsFileCommandDelimeter_\nabc\n_GitHubActionsFileCommandDelimeter_\nexpires-in<<_GitHubActionsFileCommandDelimeter_\n300\n_GitHubActionsFileCommandDelimeter_\n",
		},
		{name: "newline refused, nothing written", outs: []Output{{"a", "ok"}, {"b", "x\nevil<<EOF"}}, wantErr: "output b contains a line break"},
		{name: "NUL refused", outs: []Output{{"a", "x\x00"}}, wantErr: "output a contains"},
		{name: "delimiter refused", outs: []Output{{"a", "_GitHubActionsFileCommandDelimeter_"}}, wantErr: "delimiter"},
		{name: "no GITHUB_OUTPUT is an error, not a panic", outs: []Output{{"a", "b"}}, unsetFile: true, wantErr: "GITHUB_OUTPUT is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "set_output")
			env := map[string]string{"GITHUB_OUTPUT": file}
			if tc.unsetFile {
				env = map[string]string{}
			}
			var stdout bytes.Buffer
			g := NewGitHub(&stdout, func(k string) string { return env[k] })
			err := g.Outputs(tc.outs, "")
			got, _ := os.ReadFile(file)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want %q", err, tc.wantErr)
				}
				if len(got) != 0 {
					t.Errorf("output file was half-written: %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.wantOutput {
				t.Errorf("output file:\n got %q\nwant %q", got, tc.wantOutput)
			}
			want := map[string]string{}
			for _, o := range tc.outs {
				want[o.Name] = o.Value
			}
			if parsed := ParseOutputFile(got); !reflect.DeepEqual(parsed, want) {
				t.Errorf("ParseOutputFile: got %v, want %v", parsed, want)
			}
		})
	}
}

func TestGitHubUnwritableOutputIsAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g := NewGitHub(&bytes.Buffer{}, func(k string) string { return filepath.Join(dir, "missing-dir", "out") })
	if err := g.Outputs([]Output{{"a", "b"}}, ""); err == nil || !strings.Contains(err.Error(), "failed to write a workflow command") {
		t.Errorf("got %v, want a write error instead of a panic", err)
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
	g.Warning("expires soon")
	g.Error("ias-tenant: missing")
	want := "::add-mask::AAAABBBBCCCC\n::add-mask::s3c%25ret\n::warning::expires soon\n::error::ias-tenant: missing\n"
	if stdout.String() != want {
		t.Errorf("got %q, want %q", stdout.String(), want)
	}
	if err := NewGitHub(failWriter{}, nil).Mask("x"); err == nil {
		t.Error("a failed mask write must be an error, not a panic or silence")
	}
}

func TestShell(t *testing.T) {
	t.Parallel()
	outs := []Output{{"access-token", "tok"}, {"expires-in", "60"}}
	cases := []struct {
		name    string
		json    bool
		outs    []Output
		want    string
		wantErr string
	}{
		{name: "primary alone", outs: outs, want: "tok\n"},
		{name: "json", json: true, outs: outs, want: `{"access-token":"tok","expires-in":"60"}` + "\n"},
		{name: "line break refused", outs: []Output{{"access-token", "a\nb"}}, wantErr: "line break"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			s := NewShell(&stdout, &stderr, tc.json)
			err := s.Outputs(tc.outs, "access-token")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || stdout.Len() != 0 {
					t.Fatalf("got %v and stdout %q", err, stdout.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tc.want {
				t.Errorf("got %q, want %q", stdout.String(), tc.want)
			}
			if tc.json && !json.Valid(stdout.Bytes()) {
				t.Error("not JSON")
			}
		})
	}
	var stdout, stderr bytes.Buffer
	s := NewShell(&stdout, &stderr, false)
	s.Warning("w")
	s.Error("e")
	if err := s.Mask("secret"); err != nil || stdout.Len() != 0 {
		t.Errorf("shell Mask must print nothing: %v %q", err, stdout.String())
	}
	if stderr.String() != "sap-ci-auth: warning: w\nsap-ci-auth: error: e\n" {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestWriteDotenv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.env")
	if err := WriteDotenv(path, []Output{{"passcode", "abc"}, {"expires-in", "300"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "PASSCODE=abc\nEXPIRES_IN=300\n" {
		t.Errorf("got %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	// A refused value leaves the previous file untouched and no temp files.
	if err := WriteDotenv(path, []Output{{"passcode", "new"}, {"bad", "a\rb"}}); err == nil {
		t.Fatal("want an error for CR")
	}
	got, _ = os.ReadFile(path)
	if string(got) != "PASSCODE=abc\nEXPIRES_IN=300\n" {
		t.Errorf("file changed after a refused write: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left files behind: %v", entries)
	}
	if err := WriteDotenv(filepath.Join(dir, "nope", "x.env"), nil); err == nil {
		t.Error("want an error for a missing directory")
	}
}
