package secret

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The encoders below write a secret the way web frameworks and hostile
// servers do. They are written here, apart from the decoders of Redact, so
// that the test does not check the code against itself.

// pyHTML escapes as Python's html.escape and most templating engines do.
func pyHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)
}

// numericHTML writes every byte as a numeric character reference.
func numericHTML(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// pctReserved percent-encodes everything but RFC 3986's unreserved
// characters, the space as %20, in upper or lower case hex.
func pctReserved(s string, upper bool) string {
	format := "%%%02x"
	if upper {
		format = "%%%02X"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, format, c)
	}
	return b.String()
}

// pctEvery percent-encodes every byte.
func pctEvery(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// jsonU writes every character as a JSON \u escape (surrogate pairs
// beyond the BMP).
func jsonU(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, `\u%04X`, r)
	}
	return b.String()
}

func TestRedactEncodedEchoes(t *testing.T) {
	t.Parallel()
	// A password with every character an encoder treats specially.
	const pw = `Pa55 w0rd'"&<k>%+/=x`
	const plain = "cpi-Secret-9d8e7f6a" // nothing to escape
	b64 := base64.StdEncoding.EncodeToString
	cases := []struct {
		name   string
		secret string
		echo   string
		// exact: the echo is replaced whole; otherwise (base64 inside a
		// longer encoded text) only the secret's bytes are.
		exact bool
	}{
		{"verbatim", pw, pw, true},
		{"HTML &quot; &#x27; &amp; &lt;", pw, pyHTML(pw), true},
		{"HTML as Go escapes it (&#39; &#34;)", pw, strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(pw), true},
		{"HTML decimal references", pw, numericHTML(pw, "&#%d;"), true},
		{"HTML hex references", pw, numericHTML(pw, "&#x%x;"), true},
		{"HTML upper-case hex references", pw, numericHTML(pw, "&#X%X;"), true},
		{"HTML references without semicolons", pw, numericHTML(pw, "&#%d"), true},
		{"HTML escaped twice (&amp;quot;)", pw, pyHTML(pyHTML(pw)), true},
		{"percent-encoded, upper-case hex, space as %20", pw, pctReserved(pw, true), true},
		{"percent-encoded, lower-case hex", pw, pctReserved(pw, false), true},
		{"percent-encoded, every byte", pw, pctEvery(pw), true},
		{"percent-encoded, + for the space", pw, url.QueryEscape(pw), true},
		{"percent-encoded twice", pw, pctReserved(pctReserved(pw, true), false), true},
		{"percent-encoded three times", pw, pctEvery(pctEvery(pctEvery(pw))), true},
		{"percent-encoding of the HTML-escaped form", pw, pctReserved(pyHTML(pw), true), true},
		{"HTML escape of the percent-encoded form", pw, pyHTML(url.QueryEscape(pw)), true},
		{"JSON \\u escapes of every character", pw, jsonU(pw), true},
		{"JSON \\u escapes of the HTML-escaped form", pw, jsonU(pyHTML(pw)), true},
		{"half percent-encoded, half HTML", pw, pctEvery(pw[:8]) + numericHTML(pw[8:], "&#x%x;"), true},
		{"Go and Python \\x escapes", pw, strings.NewReplacer("'", `\x27`, `"`, `\x22`, "&", `\x26`).Replace(pw), true},
		{"base64 of the secret", pw, b64([]byte(pw)), true},
		{"base64url of the secret, unpadded", pw, base64.RawURLEncoding.EncodeToString([]byte(pw)), true},
		{"base64 of the percent-encoded secret", pw, b64([]byte(url.QueryEscape(pw))), false},
		{"percent-encoded base64 of the secret", pw, pctReserved(b64([]byte(pw)), true), false},
		{"base64 of a sentence holding the secret", pw, b64([]byte("the password " + pw + " is wrong")), false},
		{"base64 glued to a word", plain, "token" + b64([]byte(plain)), false},
		{"base64url of a plain secret", plain, base64.RawURLEncoding.EncodeToString([]byte(plain)), true},
		{"plain secret, every byte percent-encoded", plain, pctEvery(plain), true},
		{"plain secret as decimal references", plain, numericHTML(plain, "&#%d;"), true},
		{"plain secret as \\u escapes", plain, jsonU(plain), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text := "invalid credentials: " + tc.echo + " (rejected)"
			got, ok := Redact(text, []string{tc.secret, "another-secret-value"})
			if !ok {
				t.Fatalf("Redact(%q) = %q, false; want the echo replaced by ***", text, got)
			}
			if tc.exact {
				if want := "invalid credentials: *** (rejected)"; got != want {
					t.Errorf("Redact(%q) = %q, want %q", text, got, want)
				}
			} else if !strings.Contains(got, "***") || strings.Contains(got, tc.echo) || !strings.HasSuffix(got, " (rejected)") {
				t.Errorf("Redact(%q) = %q, want the secret's part of the echo replaced by ***", text, got)
			}
		})
	}
}

func TestRedactLeavesOrDrops(t *testing.T) {
	t.Parallel()
	const pw = `Pa55 w0rd'"&<k>%+/=x`
	cases := []struct {
		name, text, want string
		wantOK           bool
	}{
		{"ordinary text with escapes", "Bad &quot;credentials&quot; for user%20x", "Bad &quot;credentials&quot; for user%20x", true},
		{"ordinary words are not base64 of a secret", "Unauthorized: Full authentication is required", "Unauthorized: Full authentication is required", true},
		{"a fragment in HTML references", "got " + numericHTML(pw[:12], "&#%d;") + "…", "", false},
		{"a fragment percent-encoded", "got " + pctEvery(pw[3:15]), "", false},
		{"a fragment in base64", "got " + base64.StdEncoding.EncodeToString([]byte(pw[2:14])), "", false},
		{"stray escapes do not stop the decoding", "100% &bogus; \\q " + pctEvery(pw) + " %zz", "100% &bogus; \\q *** %zz", true},
		{"two secrets, two encodings", pyHTML(pw) + " and " + jsonU("client-Secret-0042"), "*** and ***", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Redact(tc.text, []string{pw, "client-Secret-0042"})
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Redact(%q) = %q, %v; want %q, %v", tc.text, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestRedactIsBounded: a hostile answer built to make every decoder work
// (escapes of every kind, long base64 runs) is cut at maxRedactLen and
// handled quickly, with tokens of JWT size among the secrets.
func TestRedactIsBounded(t *testing.T) {
	t.Parallel()
	unit := `%25&amp;\u0026+QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=&#x25;`
	text := strings.Repeat(unit, 1<<20/len(unit))
	// A token of 1 MiB, as a hostile error answer may carry, is a secret
	// too; its fragments are many more than the text's bytes.
	huge := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz", 1<<20/36)
	for _, secrets := range [][]string{
		{strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 60), `Pa55 w0rd'"&<k>%+/=x`, "client-Secret-0042"},
		{huge, "client-Secret-0042"},
	} {
		start := time.Now()
		got, _ := Redact(text, secrets)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Redact took %v on a 1 MiB hostile text, want well under 2s", took)
		}
		if len(got) > maxRedactLen+len("…") {
			t.Errorf("Redact returned %d bytes, want at most %d", len(got), maxRedactLen+len("…"))
		}
	}
	if got, ok := Redact("x "+huge[1000:1020]+" y", []string{huge}); ok {
		t.Errorf("Redact = %q, true; want a 20-byte fragment of a 1 MiB secret found", got)
	}
}
