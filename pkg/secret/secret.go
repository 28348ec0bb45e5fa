// Package secret knows what a secret looks like once it has been through a
// server, a library or a log: its lines (Parts), the encodings in which it
// may come back (Forms), how to keep server text that echoes one out of
// a message (Redact), and the parts of a URL that may carry one
// (RedactURLs). pkg/emit masks with it, the flows clean server messages
// with it, the transport and the app clean error texts with it, and the
// tests' leak checker searches with it, so they agree on what counts as
// the secret.
package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Parts splits a secret into what is worth masking. A multi-line value
// (a PEM key, a pasted service key) is masked line by line by the runner
// anyway; lines such as "{" or "-----END PRIVATE KEY-----" are dropped so
// that masking them does not blank out unrelated log lines.
func Parts(secret string) []string {
	if !strings.ContainsAny(secret, "\r\n") {
		if strings.TrimSpace(secret) == "" {
			return nil
		}
		return []string{secret}
	}
	var parts []string
	for line := range strings.FieldsFuncSeq(secret, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if len(line) < minFormLen || strings.HasPrefix(line, "-----") || strings.Trim(line, "{}[],\":") == "" {
			continue
		}
		parts = append(parts, line)
	}
	return parts
}

// minFormLen is the shortest derived form (and multi-line part) worth
// masking: shorter strings ("abc", "%3D") occur in ordinary log lines, and
// masking them would blank out text that holds no secret.
const minFormLen = 8

// Forms returns what to mask for secret: its parts (see [Parts]),
// then the forms in which a server or a library might echo each part in an
// error: %-encoded for a query (url.QueryEscape) and for a path
// (url.PathEscape), HTML-escaped, JSON-escaped (with and without
// encoding/json's \u003c-style HTML escaping, without the quotes), and
// base64 (standard and URL alphabets, padded and raw). Duplicates are
// dropped, and so are derived forms shorter than 8 bytes. The order is
// stable, so golden files can hold the resulting ::add-mask:: lines.
//
// A secret that is only part of an encoded string (such as the base64 of
// "client-id:secret" in a Basic header) is encoded differently; the caller
// masks that whole string as a secret of its own.
func Forms(secret string) []string {
	parts := Parts(secret)
	var forms []string
	seen := map[string]bool{}
	add := func(s string, derived bool) {
		if seen[s] || (derived && len(s) < minFormLen) {
			return
		}
		seen[s] = true
		forms = append(forms, s)
	}
	for _, p := range parts {
		add(p, false)
	}
	for _, p := range parts {
		// Derived forms are for what a server sees and may echo encoded:
		// client secrets, passwords, passcodes, short tokens. A long value
		// or a structured one (a service key's JSON) is masked as is: its
		// encodings would only fill the log with mask commands.
		if len(p) > maxDerivedLen || strings.ContainsAny(p, "{}") {
			continue
		}
		for _, f := range derivedForms(p) {
			add(f, true)
		}
	}
	return forms
}

// maxDerivedLen is the longest secret whose encodings Forms adds.
const maxDerivedLen = 1024

// derivedForms returns the encodings of s that Forms masks.
func derivedForms(s string) []string {
	return []string{
		url.QueryEscape(s),
		url.PathEscape(s),
		html.EscapeString(s),
		jsonEscape(s, true),
		jsonEscape(s, false),
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.URLEncoding.EncodeToString([]byte(s)),
		base64.RawStdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)),
	}
}

// jsonEscape returns s as encoding/json writes it inside a string, without
// the quotes.
func jsonEscape(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // encoding a string cannot fail
	out := strings.TrimSuffix(b.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}

// Redact keeps the secrets out of text, a server's message, and reports
// whether the result is clean. It decodes text every way a server could
// have encoded it (HTML entities, percent-encoding until stable, JSON and
// other backslash escapes, base64 of its parts, and these on top of each
// other) and looks in every decoded layer for each secret whole, its
// lines (see [Parts]) and its white space collapsed. Where one is found,
// the bytes of text that encode it are replaced with "***", and the
// result is searched again. It is not clean when a fragment of a secret is
// still in some layer: half of a part, but at least 8 and at most 16 bytes
// (all of a part shorter than 8). Text that is not clean must not be
// shown at all (say that it was left out): a server that echoes a
// truncated or transformed credential tells nothing worth the risk.
//
// Only the first 4096 bytes of text are looked at; a longer text is cut
// there and ends in "…".
func Redact(text string, secrets []string) (string, bool) {
	f := newFinder(secrets)
	if len(f.whole) == 0 {
		return text, true
	}
	text = cut(text)
	// The forms masks announce first: what the runner would mask, this
	// masks the same way.
	var forms []string
	for _, s := range secrets {
		if strings.TrimSpace(s) != "" {
			forms = append(forms, Forms(s)...)
		}
	}
	// Longest first, so that a form is not cut by a shorter one inside it.
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, form := range forms {
		text = strings.ReplaceAll(text, form, "***")
	}
	for range maxRounds {
		spans, fragment := f.find(layers(text))
		switch {
		case fragment:
			return "", false
		case len(spans) == 0:
			return text, true
		}
		text = replaceSpans(text, spans)
	}
	return "", false
}

// maxRounds is how many times Redact replaces what it found and searches
// again before it gives up on a text.
const maxRounds = 3

// fragmentLen is the most bytes of a secret that make a leak.
const fragmentLen = 16

// OneLine makes text (a server's message, a certificate's subject) fit on
// one log line: control characters, line breaks and the Unicode line and
// paragraph separators become spaces, and runs of white space collapse.
// A message cleaned so can neither span lines nor forge a workflow
// command on the next one.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// userInfo and urlTail match the parts of a URL that may hold a secret:
// the user info (https://user:password@host) and the query and fragment
// (a token URL with ?client_secret=, a runner's request URL with a token).
var (
	userInfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s"@?#]*@`)
	urlTail  = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s"?#]*)[?#][^\s"]*`)
)

// placeholderLogin is the user info of the form our own advice shows
// (http://user:password@host:port, for a proxy that asks for a login):
// words, not a secret, and the advice is useless without them.
const placeholderLogin = "user:password@"

// RedactURLs removes the user info, query and fragment of every URL in s
// (scheme://… up to white space or a quote), keeping scheme, host and
// path. It is for error texts that quote a URL, such as net/http's
// *url.Error (`Get "https://host/path?client_secret=…": …`), which names
// the whole URL. The placeholder user:password of the tool's own advice is
// kept.
func RedactURLs(s string) string {
	s = userInfo.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasSuffix(m, "://"+placeholderLogin) {
			return m
		}
		return userInfo.ReplaceAllString(m, "$1")
	})
	return urlTail.ReplaceAllString(s, "$1")
}
