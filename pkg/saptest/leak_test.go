package saptest_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// htmlDecimal writes every character of s as an HTML decimal reference.
func htmlDecimal(s string) string { return escapeEach(s, "&#%d;") }

// escapeEach writes every character of s (ASCII here) in format.
func escapeEach(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// recordingTB records Fatalf instead of stopping the test, so that a test can
// check that CheckNoLeaks fails, and what it says.
type recordingTB struct{ fatals []string }

func (r *recordingTB) Helper()        {}
func (r *recordingTB) Cleanup(func()) {}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestCheckNoLeaks(t *testing.T) {
	t.Parallel()
	const (
		passcode = "Pc7xQ2LmZ9rT4vWb"                          // 16 bytes
		secret   = "cl1ent-s&cr3t/with+special=chars%and-more" // 41 bytes
	)
	// Two JWTs of one issuer share their header and the start of their
	// claims; that is not a leak.
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"k1","typ":"JWT"}`))
	jwtA := header + ".eyJzdWIiOiJhIiwiZXhwIjoxfQ.c2lnbmF0dXJlLWEtc2lnbmF0dXJlLWE"
	jwtB := header + ".eyJzdWIiOiJiIiwiZXhwIjoyfQ.c2lnbmF0dXJlLWItc2lnbmF0dXJlLWI"
	secrets := []string{passcode, secret, jwtA}
	cases := []struct {
		name     string
		texts    map[string][]byte
		intended map[string][]string
		wantFail []string // substrings of the failure; nil: must pass
	}{
		{
			name:  "clean texts pass",
			texts: map[string][]byte{"stdout": []byte("ok\n"), "stderr": nil},
		},
		{
			name:  "secrets inside ::add-mask:: lines pass",
			texts: map[string][]byte{"stdout": []byte("::add-mask::" + passcode + "\n  ::add-mask::" + url.QueryEscape(secret) + "\n")},
		},
		{
			name:     "intended passcode in GITHUB_OUTPUT passes",
			texts:    map[string][]byte{"GITHUB_OUTPUT": []byte("passcode<<ghadelimiter_x\n" + passcode + "\nghadelimiter_x\n")},
			intended: map[string][]string{"GITHUB_OUTPUT": {passcode}},
		},
		{
			name:     "another JWT of the same issuer passes",
			texts:    map[string][]byte{"GITHUB_OUTPUT": []byte("id-token=" + jwtB + "\n")},
			intended: map[string][]string{},
		},
		{
			name:     "passcode intended in GITHUB_OUTPUT but also on stdout fails",
			texts:    map[string][]byte{"GITHUB_OUTPUT": []byte(passcode + "\n"), "stdout": []byte("got " + passcode + "\n")},
			intended: map[string][]string{"GITHUB_OUTPUT": {passcode}},
			wantFail: []string{"stdout line 1: secret #0, the secret itself"},
		},
		{
			name:     "secret verbatim on stderr fails, naming text and line",
			texts:    map[string][]byte{"stderr": []byte("first\nerror: " + secret + "\n")},
			wantFail: []string{"stderr line 2: secret #1, the secret itself"},
		},
		{
			name:     "add-mask not at the start of a line is no mask",
			texts:    map[string][]byte{"stdout": []byte("echo ::add-mask::" + passcode + "\n")},
			wantFail: []string{"stdout line 1: secret #0"},
		},
		{
			name:     "%-encoded secret in an error fails",
			texts:    map[string][]byte{"error": []byte("server said: bad client_secret=" + url.QueryEscape(secret))},
			wantFail: []string{"error line 1: secret #1, an encoded form"},
		},
		{
			name:     "base64 secret in the dotenv file fails",
			texts:    map[string][]byte{"dotenv": []byte("X=" + base64.StdEncoding.EncodeToString([]byte(secret)) + "\n")},
			wantFail: []string{"dotenv line 1: secret #1, an encoded form"},
		},
		{
			name:     "truncated secret (a 16-byte fragment) fails",
			texts:    map[string][]byte{"stderr": []byte("token prefix " + secret[3:22] + "…\n")},
			wantFail: []string{"stderr line 1: secret #1, a fragment of 16 bytes"},
		},
		{
			name:     "half of a short secret fails",
			texts:    map[string][]byte{"stderr": []byte("passcode starts " + passcode[:8] + "\n")},
			wantFail: []string{"stderr line 1: secret #0, a fragment of 8 bytes"},
		},
		{
			name:     "a JWT's signature fragment fails",
			texts:    map[string][]byte{"stdout": []byte(jwtA[len(jwtA)-20:] + "\n")},
			wantFail: []string{"stdout line 1: secret #2, a fragment of 16 bytes"},
		},
		{
			name:     "secret as HTML decimal references fails",
			texts:    map[string][]byte{"stdout": []byte("::error::bad " + htmlDecimal(secret) + "\n")},
			wantFail: []string{"stdout line 1: secret #1, the secret itself, once decoded"},
		},
		{
			name:     "secret percent-encoded after HTML escaping fails",
			texts:    map[string][]byte{"stdout": []byte("::error::bad " + escapeEach(strings.ReplaceAll(secret, "&", "&#x26;"), "%%%02X") + "\n")},
			wantFail: []string{"stdout line 1: secret #1, the secret itself, once decoded"},
		},
		{
			name:     "passcode as JSON \\u escapes fails",
			texts:    map[string][]byte{"stderr": []byte("got " + escapeEach(passcode, `\u%04x`) + "\n")},
			wantFail: []string{"stderr line 1: secret #0, the secret itself, once decoded"},
		},
		{
			name:     "base64 of a sentence holding the secret fails",
			texts:    map[string][]byte{"stderr": []byte("x" + base64.StdEncoding.EncodeToString([]byte("the secret "+secret+" is wrong")) + "\n")},
			wantFail: []string{"stderr line 1: secret #1, the secret itself, once decoded"},
		},
		{
			name:     "a fragment in HTML references fails",
			texts:    map[string][]byte{"stderr": []byte("got " + htmlDecimal(secret[4:24]) + "…\n")},
			wantFail: []string{"stderr line 1: secret #1, a fragment of 16 bytes of it or of an encoded form, once decoded"},
		},
		{
			name:  "ordinary escapes and words pass",
			texts: map[string][]byte{"stderr": []byte("Bad &quot;credentials&quot; for user%20x: \\u0041 Unauthorized\n")},
		},
		{
			name:     "intended naming a missing text fails (a typo must not switch the check off)",
			texts:    map[string][]byte{"GITHUB_OUTPUT": nil},
			intended: map[string][]string{"GITHUB_OUPUT": {passcode}},
			wantFail: []string{`intended names the text "GITHUB_OUPUT"`},
		},
		{
			name:     "every leak is listed, not only the first",
			texts:    map[string][]byte{"stdout": []byte(passcode), "stderr": []byte(secret)},
			wantFail: []string{"2 leak(s)", "stdout line 1: secret #0", "stderr line 1: secret #1"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var tb recordingTB
			saptest.CheckNoLeaks(&tb, secrets, tc.texts, tc.intended)
			if tc.wantFail == nil {
				if len(tb.fatals) != 0 {
					t.Fatalf("got failure %q, want none", tb.fatals)
				}
				return
			}
			if len(tb.fatals) != 1 {
				t.Fatalf("got %d failures %q, want one", len(tb.fatals), tb.fatals)
			}
			for _, w := range tc.wantFail {
				if !strings.Contains(tb.fatals[0], w) {
					t.Errorf("failure %q, want it to contain %q", tb.fatals[0], w)
				}
			}
			for _, s := range secrets {
				for _, frag := range []string{s, s[:8], s[len(s)-8:]} {
					if strings.Contains(tb.fatals[0], frag) {
						t.Errorf("failure message shows a secret: %q", tb.fatals[0])
					}
				}
			}
		})
	}
}
