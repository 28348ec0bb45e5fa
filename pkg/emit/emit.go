// Package emit is where results leave sap-ci-auth: GitHub Actions workflow
// commands and file commands (GITHUB_OUTPUT, GITHUB_ENV), plain stdout for
// shells, JSON, and dotenv files for GitLab reports. It is the only package
// that knows the runners' formats; the flows return plain values and pkg/app
// decides the order: check every destination, mask, then write.
package emit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Output is one named result.
type Output struct {
	// Name is the output name (kebab case, as in action.yml).
	Name string
	// Value is what the output holds.
	Value string
}

// Sink receives logs, masks and outputs for one run.
type Sink interface {
	// Check makes sure every destination of Outputs can be written, before
	// anything is requested: a passcode is single use, so a run must not
	// fetch one it cannot deliver. Errors name the destination and the fix.
	Check() error
	// Mask announces a secret, and the forms a server might echo it in, so
	// that the runner hides them from logs. It must be called before
	// anything containing the secret is written.
	Mask(secret string) error
	// Notice logs a notice (an annotation on GitHub).
	Notice(msg string)
	// Warning logs a warning (an annotation on GitHub).
	Warning(msg string)
	// Error logs an error (an annotation on GitHub).
	Error(msg string)
	// Outputs publishes all outputs at once; primary names the one a shell
	// prints alone. It checks every value before it writes any.
	Outputs(outs []Output, primary string) error
}

// CheckValue refuses a value that cannot be written safely as a single-line
// output: CR, LF or NUL would let a value forge further lines in a file
// command or a dotenv file, and invalid UTF-8 would be changed silently by
// the JSON encoder (into U+FFFD) and rejected by GitLab.
func CheckValue(o Output) error {
	if strings.ContainsAny(o.Value, "\r\n\x00") {
		return fmt.Errorf("output %s contains a line break or NUL and cannot be written safely", o.Name)
	}
	if !utf8.ValidString(o.Value) {
		return fmt.Errorf("output %s is not valid UTF-8 and cannot be written safely", o.Name)
	}
	return nil
}

// checkValues runs CheckValue on every output, so that nothing is written
// when any value is refused.
func checkValues(outs []Output) error {
	for _, o := range outs {
		if err := CheckValue(o); err != nil {
			return err
		}
	}
	return nil
}

// MaskParts splits a secret into what is worth masking. A multi-line value
// (a PEM key, a pasted service key) is masked line by line by the runner
// anyway; lines such as "{" or "-----END PRIVATE KEY-----" are dropped so
// that masking them does not blank out unrelated log lines.
func MaskParts(secret string) []string {
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

// MaskForms returns what to mask for secret: its parts (see [MaskParts]),
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
func MaskForms(secret string) []string {
	parts := MaskParts(secret)
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

// maxDerivedLen is the longest secret whose encodings MaskForms adds.
const maxDerivedLen = 1024

// derivedForms returns the encodings of s that MaskForms masks.
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
