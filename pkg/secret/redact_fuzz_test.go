package secret_test

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// FuzzRedact checks Redact on any text and secret: no panic; text that is
// not clean comes back empty; clean text holds no part of the secret, and no
// secret of 8 bytes or more, not even once the standard library's decoders
// (HTML entities, percent-encoding, Go's backslash escapes) have been
// applied to it.
func FuzzRedact(f *testing.F) {
	f.Fuzz(func(t *testing.T, text, s string) {
		got, ok := secret.Redact(text, []string{s})
		if !ok {
			if got != "" {
				t.Errorf("Redact = %q, false; want \"\" when not clean", got)
			}
			return
		}
		for _, p := range secret.Parts(s) {
			if strings.Contains(got, p) {
				t.Errorf("Redact = %q, true; holds the part %q", got, p)
			}
		}
		if len(s) < 8 || strings.TrimSpace(s) == "" {
			return
		}
		if strings.Contains(got, s) {
			t.Errorf("Redact = %q, true; holds the secret", got)
		}
		decoded := map[string]string{"html.UnescapeString": html.UnescapeString(got)}
		if d, err := url.PathUnescape(got); err == nil {
			decoded["url.PathUnescape"] = d
		}
		if d, err := url.QueryUnescape(got); err == nil {
			decoded["url.QueryUnescape"] = d
		}
		if d, err := strconv.Unquote(`"` + got + `"`); err == nil {
			decoded["strconv.Unquote"] = d
		}
		for how, d := range decoded {
			if strings.Contains(d, s) {
				t.Errorf("Redact = %q, true; %s of it holds the secret", got, how)
			}
		}
	})
}

// FuzzRedactURLs checks RedactURLs on a URL with a password and a query
// between any text: neither the password nor the query survives, and the
// host does.
func FuzzRedactURLs(f *testing.F) {
	f.Add(`Get "`, "uaa.example", "pw-s3cr3t", "client_secret=q-s3cr3t", `": EOF`)
	f.Add("", "h", "p", "q", "")
	f.Fuzz(func(t *testing.T, before, host, password, query, after string) {
		word := func(s string) bool {
			if s == "" {
				return false
			}
			for _, r := range s {
				if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '=' || r == '.') {
					return false
				}
			}
			return true
		}
		if !word(host) || !word(password) || !word(query) {
			t.Skip()
		}
		const pw, q = "PWMARK", "QMARK"
		in := before + " https://user:" + password + pw + "@" + host + "/p?" + query + q + " " + after
		got := secret.RedactURLs(in)
		if strings.Contains(got, password+pw) || strings.Contains(got, query+q) {
			t.Errorf("RedactURLs(%q) = %q, holds the password or the query", in, got)
		}
		if !strings.Contains(got, "https://"+host+"/p") {
			t.Errorf("RedactURLs(%q) = %q, lost the host", in, got)
		}
	})
}
