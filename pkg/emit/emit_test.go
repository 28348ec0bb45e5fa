package emit

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestCheckValue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		value   string
		wantErr string
	}{
		{"plain token accepted", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", ""},
		{"U+2028 accepted (JSON escapes it)", "a\u2028b", ""},
		{"U+0085 accepted (valid in JSON)", "a\u0085b", ""},
		{"tab accepted", "a\tb", ""},
		{"LF refused", "a\nb", "line break"},
		{"CR refused", "a\rb", "line break"},
		{"NUL refused", "a\x00b", "NUL"},
		{"invalid UTF-8 refused", "a\xffb", "not valid UTF-8"},
		{"truncated UTF-8 refused", "a\xe2\x80", "not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckValue(Output{"access-token", tc.value})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), "access-token") || strings.Contains(err.Error(), tc.value) {
				t.Errorf("error %q must name the output and not show the value", err)
			}
		})
	}
}

// fakePEM armours body like a PEM private key. The armour is assembled at run
// time so that no file in the repository looks like a committed key; body is
// not a key at all.
func fakePEM(body string) string {
	const kind = "PRIVATE" + " KEY"
	return "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n"
}

// TestMessagesHideURLSecrets: whatever a notice, warning or error quotes of
// a URL, its user info, query and fragment never reach the log, in either
// sink.
func TestMessagesHideURLSecrets(t *testing.T) {
	t.Parallel()
	msg := `failed: Post "https://user:s3cr3t@host.example/oauth/token?client_secret=s3cr3t#s3cr3t": reset`
	var gh, shell bytes.Buffer
	g := NewGitHub(&gh, func(string) string { return "" })
	sh := NewShell(io.Discard, &shell, ShellOptions{})
	for _, s := range []Sink{g, sh} {
		s.Notice(msg)
		s.Warning(msg)
		s.Error(msg)
	}
	for name, out := range map[string]string{"github": gh.String(), "shell": shell.String()} {
		if strings.Contains(out, "s3cr3t") || strings.Count(out, "https://host.example/oauth/token") != 3 {
			t.Errorf("%s sink printed %q; want the URL three times without user info, query or fragment", name, out)
		}
	}
}
