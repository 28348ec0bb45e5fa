package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// The secrets a hostile token server echoes below: every character a web
// framework escapes is in them (quotes, &, <, >, %, +, /, = and a space).
const (
	echoClientID     = "sb-echo!b42|it!b7"
	echoClientSecret = `Ech0'S3cr3t"&<k>%+/=x`
	echoUser         = "ECHO_USER"
	echoPassword     = `Pa55 w0rd'"&<k>%x`
)

// The encoders below write a secret as web frameworks escape it; they are
// the test's own, apart from the code's decoders.

// htmlEscape escapes as Python's html.escape and most template engines do.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)
}

// htmlEscape39 escapes as Go's html.EscapeString and PHP do.
func htmlEscape39(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// eachChar writes every character of s in format.
func eachChar(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// percentAll percent-encodes every reserved character and the space (as
// %20), in upper- or lower-case hex, as JavaScript's encodeURIComponent
// does and then some.
func percentAll(s string, upper bool) string {
	format := "%%%02x"
	if upper {
		format = "%%%02X"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, format, c)
		}
	}
	return b.String()
}

// echoForms are the forms in which the server echoes secret.
func echoForms(secret string) []struct{ name, echo string } {
	return []struct{ name, echo string }{
		{"HTML entities (&quot; &#x27; &amp; &lt;)", htmlEscape(secret)},
		{"HTML entities as Go escapes (&#39; &#34;)", htmlEscape39(secret)},
		{"HTML decimal references", eachChar(secret, "&#%d;")},
		{"HTML hex references", eachChar(secret, "&#x%x;")},
		{"percent-encoding, upper-case hex", percentAll(secret, true)},
		{"percent-encoding, lower-case hex", percentAll(secret, false)},
		{"percent-encoding of the HTML-escaped form", percentAll(htmlEscape(secret), true)},
		{"HTML escape of the percent-encoded form", htmlEscape(url.QueryEscape(secret))},
		{"percent-encoding twice", percentAll(percentAll(secret, true), false)},
		{"JSON \\u escapes", eachChar(secret, `\u%04x`)},
		{"base64 of a sentence holding it", base64.StdEncoding.EncodeToString([]byte("the secret " + secret + " was wrong"))},
	}
}

// jsonBody is an OAuth error answer with desc as error_description, written
// without encoding/json's HTML escaping so that the echo is sent as built.
func jsonBody(t *testing.T, code, desc string) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]string{"error": code, "error_description": desc}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// runnerLog is the step's log as GitHub's runner shows it: the workflow
// commands that announce masks are not shown, and each mask is replaced by
// *** in every other line, literally, longest first.
func runnerLog(stdout string) string {
	var masks, lines []string
	for line := range strings.Lines(stdout) {
		line = strings.TrimSuffix(line, "\n")
		if m, ok := strings.CutPrefix(line, "::add-mask::"); ok {
			masks = append(masks, m)
			continue
		}
		lines = append(lines, line)
	}
	slices.SortFunc(masks, func(a, b string) int { return len(b) - len(a) })
	for i, line := range lines {
		for _, m := range masks {
			if m != "" {
				line = strings.ReplaceAll(line, m, "***")
			}
		}
		lines[i] = line
	}
	return strings.Join(lines, "\n")
}

// TestEchoedSecretsNeverReachTheLog: a token server that puts the client
// secret or the user's password into its error_description, encoded the
// ways web frameworks encode, never gets it into the log. The GitHub log is
// checked as the runner shows it (masks applied literally) and as the
// binary wrote it (its own redaction, without the runner's help), for
// every encoding, by the leak checker that decodes them independently.
func TestEchoedSecretsNeverReachTheLog(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	cfg := saptest.UAAConfig{Clients: map[string]string{echoClientID: echoClientSecret},
		Users: map[string]string{echoUser: echoPassword}}
	type echoCase struct {
		name, flow, code string
		secret           string
	}
	var cases []echoCase
	for _, f := range echoForms(echoClientSecret) {
		cases = append(cases, echoCase{"client secret, " + f.name, "client-credentials", "invalid_client", f.echo})
	}
	for _, f := range echoForms(echoPassword) {
		cases = append(cases, echoCase{"password, " + f.name, "password", "unauthorized", f.echo})
	}
	for _, tc := range cases {
		for _, mode := range []string{"github", "shell"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				f := newOAuthFixture(t, p, cfg)
				f.uaa.SetFault(saptest.Fault{Status: 401, ContentType: "application/json;charset=UTF-8",
					Body: jsonBody(t, tc.code, "Bad credentials: "+tc.secret+" was rejected")})
				inputs := map[string]string{"ca-certificates": f.ca, "token-url": f.uaa.TokenURL(),
					"client-id": echoClientID, "client-secret": echoClientSecret}
				if tc.flow == "password" {
					inputs["username"], inputs["password"] = echoUser, echoPassword
				}
				var r result
				if mode == "github" {
					r = runBinary(t, f.ws, githubEnv(f.ws, tc.flow, inputs))
				} else {
					r = runBinary(t, f.ws, shellEnv(tc.flow, inputs))
				}
				if r.code != 1 {
					t.Errorf("exit %d, want 1:\n%s", r.code, r.log())
				}
				secrets := []string{echoClientSecret, echoPassword}
				shown := r.stderr
				if mode == "github" {
					shown = runnerLog(r.stdout)
					saptest.CheckNoLeaks(t, secrets, map[string][]byte{"runner log": []byte(shown), "stderr": []byte(r.stderr)}, nil)
				}
				// Without the runner's masks: the binary's own redaction.
				saptest.CheckNoLeaks(t, secrets, map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}, nil)
				t.Logf("%s", strings.TrimSpace(shown))
				// The binary's own line: the echo replaced, or left out and said so.
				own := r.stderr
				for line := range strings.Lines(r.stdout) {
					if !strings.HasPrefix(line, "::add-mask::") {
						own += line
					}
				}
				if !strings.Contains(own, `"Bad credentials: `) || !strings.Contains(own, "***") {
					if !strings.Contains(own, "server text that held a secret was left out") {
						t.Errorf("the error neither shows the description with *** nor says it was left out:\n%s", own)
					}
				}
				if got := len(f.uaa.Requests()); got != 1 {
					t.Errorf("UAA got %d requests, want 1", got)
				}
			})
		}
	}
}
