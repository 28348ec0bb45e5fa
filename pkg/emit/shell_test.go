package emit

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestShell(t *testing.T) {
	t.Parallel()
	outs := []Output{{"access-token", "tok"}, {"expires-in", "60"}}
	cases := []struct {
		name       string
		opts       ShellOptions
		outs       []Output
		wantStdout string
		wantErr    string
	}{
		{name: "primary alone", outs: outs, wantStdout: "tok\n"},
		{name: "primary alone with masks on stderr", opts: ShellOptions{MaskOnStderr: true}, outs: outs, wantStdout: "tok\n"},
		{name: "json", opts: ShellOptions{JSON: true}, outs: outs, wantStdout: `{"access-token":"tok","expires-in":"60"}` + "\n"},
		{name: "line break refused, nothing printed", outs: []Output{{"access-token", "a\nb"}}, wantErr: "line break"},
		{name: "invalid UTF-8 refused in json, nothing printed", opts: ShellOptions{JSON: true}, outs: []Output{{"access-token", "ok"}, {"scope", "\xc3"}}, wantErr: "not valid UTF-8"},
		{name: "missing primary is an error", outs: []Output{{"expires-in", "60"}}, wantErr: "no output access-token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			s := NewShell(&stdout, &stderr, tc.opts)
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			err := s.Outputs(tc.outs, "access-token")
			if stderr.Len() != 0 {
				t.Errorf("stderr %q, want it empty", stderr.String())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || stdout.Len() != 0 {
					t.Fatalf("got %v and stdout %q, want %q and nothing printed", err, stdout.String(), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tc.wantStdout {
				t.Errorf("got %q, want %q", stdout.String(), tc.wantStdout)
			}
		})
	}
}

func TestShellMask(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		opts       ShellOptions
		wantStderr string
	}{
		{name: "no runner: masks print nothing", opts: ShellOptions{}},
		{name: "json and no runner: masks print nothing", opts: ShellOptions{JSON: true}},
		{
			name:       "inside a GitHub run: step: every form masked on stderr",
			opts:       ShellOptions{MaskOnStderr: true},
			wantStderr: "::add-mask::s3c%25ret-value\n::add-mask::s3c%2525ret-value\n::add-mask::czNjJXJldC12YWx1ZQ==\n::add-mask::czNjJXJldC12YWx1ZQ\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			s := NewShell(&stdout, &stderr, tc.opts)
			if err := s.Mask("s3c%ret-value"); err != nil {
				t.Fatal(err)
			}
			if err := s.Outputs([]Output{{"access-token", "s3c%ret-value"}}, "access-token"); err != nil {
				t.Fatal(err)
			}
			if stderr.String() != tc.wantStderr {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.wantStderr)
			}
			if !tc.opts.JSON && stdout.String() != "s3c%ret-value\n" {
				t.Errorf("stdout %q, want the value alone", stdout.String())
			}
		})
	}
	if err := NewShell(&bytes.Buffer{}, failWriter{}, ShellOptions{MaskOnStderr: true}).Mask("secret-value"); err == nil {
		t.Error("a failed mask write must be an error")
	}
}

func TestShellLogs(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	s := NewShell(&stdout, &stderr, ShellOptions{})
	s.Notice("n")
	s.Warning("w")
	s.Error("e")
	if stdout.Len() != 0 {
		t.Errorf("logs on stdout: %q", stdout.String())
	}
	if want := "sap-ci-auth: notice: n\nsap-ci-auth: warning: w\nsap-ci-auth: error: e\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// hostileJSONValues are values CheckValue accepts that naive JSON writers get
// wrong.
var hostileJSONValues = []string{
	"line\u2028sep", "para\u2029sep", "next\u0085line", `quote"back\slash`, "tab\there",
	"\x01\x1b[31mansi\x7f", "</script><!--", "emoji \U0001F600", "\ufeffbom", "",
}

func TestShellJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var outs []Output
	want := map[string]string{}
	for i, v := range hostileJSONValues {
		name := "out-" + string(rune('a'+i))
		outs = append(outs, Output{name, v})
		want[name] = v
	}
	var stdout bytes.Buffer
	if err := NewShell(&stdout, &bytes.Buffer{}, ShellOptions{JSON: true}).Outputs(outs, ""); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(stdout.Bytes()) {
		t.Fatalf("not JSON: %q", stdout.String())
	}
	var got map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip: got %q, want %q", got, want)
	}
	if strings.Count(stdout.String(), "\n") != 1 || !strings.HasSuffix(stdout.String(), "\n") {
		t.Errorf("want one line of JSON, got %q", stdout.String())
	}
	// Python's json module is strict about control characters in strings
	// (strict=True); jq users and Python scripts read this output.
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not found: the strict-parser half of this test did not run")
		return
	}
	cmd := exec.Command(py, "-c", "import json,sys; d=json.loads(sys.stdin.buffer.read().decode('utf-8')); sys.stdout.write(json.dumps(d, sort_keys=True))")
	cmd.Stdin = bytes.NewReader(stdout.Bytes())
	pyOut, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 rejected the JSON: %v", err)
	}
	var back map[string]string
	if err := json.Unmarshal(pyOut, &back); err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("python3 read %q (%v), want %q", back, err, want)
	}
}
