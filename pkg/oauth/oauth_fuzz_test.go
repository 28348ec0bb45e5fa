package oauth

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// fuzzBase is a base RoundTripper that answers 200 with a fixed body.
type fuzzBase struct {
	body        []byte
	contentType string
}

func (b fuzzBase) RoundTrip(*http.Request) (*http.Response, error) {
	h := http.Header{}
	h.Set("Content-Type", b.contentType)
	h.Set("Content-Length", "1")
	return &http.Response{StatusCode: http.StatusOK, Header: h, Body: io.NopCloser(bytes.NewReader(b.body))}, nil
}

// FuzzNormalizer drives the normalizer with a 200 answer of any body and
// Content-Type: no panic and no error; a JSON object with expires_in comes
// out as valid JSON with every other field unchanged and expires_in taken
// out and kept for flow.ExpiresIn; any other answer (a form answer, which
// keeps its expires_in for flow.ExpiresIn too) passes as it was, less a
// byte order mark; the length matches the body.
func FuzzNormalizer(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		ans := &answer{}
		n := &normalizer{base: fuzzBase{body: body, contentType: contentType}, ans: ans}
		req, err := http.NewRequest(http.MethodPost, "https://uaa.example/oauth/token", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := n.RoundTrip(req)
		if err != nil {
			t.Fatalf("RoundTrip error for a %d byte answer: %v", len(body), err)
		}
		out, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != int64(len(out)) || resp.Header.Get("Content-Length") != "" {
			t.Errorf("ContentLength = %d, Content-Length header %q; want %d and none", resp.ContentLength, resp.Header.Get("Content-Length"), len(out))
		}
		in := bytes.TrimPrefix(body, []byte("\ufeff"))
		mt, _, _ := mime.ParseMediaType(contentType)
		if mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
			if !bytes.Equal(out, in) {
				t.Errorf("form answer changed: %q, want %q", out, in)
			}
			if vals, err := url.ParseQuery(string(in)); err == nil && vals.Has("expires_in") && ans.expiresIn != vals.Get("expires_in") {
				t.Errorf("expiresIn = %#v, want %q", ans.expiresIn, vals.Get("expires_in"))
			}
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(in, &m) != nil || !hasExpiresInKey(m) {
			if !bytes.Equal(out, in) {
				t.Errorf("answer without expires_in changed: %q, want %q", out, in)
			}
			if ans.expiresIn != nil {
				t.Errorf("expiresIn = %#v, want nil", ans.expiresIn)
			}
			if m != nil && hasExpiresInKey(m) {
				t.Errorf("answer keeps a key x/oauth2 reads as expires_in: %q", out)
			}
			return
		}
		want := m["expires_in"]
		if want == nil {
			var variants []string
			for k := range m {
				if strings.EqualFold(k, "expires_in") {
					variants = append(variants, k)
				}
			}
			slices.Sort(variants)
			want = m[variants[0]]
		}
		if raw, _ := ans.expiresIn.(json.RawMessage); !bytes.Equal(raw, want) {
			t.Errorf("expiresIn = %#v, want %s", ans.expiresIn, m["expires_in"])
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("answer is no longer a JSON object (%v): %q", err, out)
		}
		if hasExpiresInKey(got) {
			t.Errorf("answer still holds expires_in: %q", out)
		}
		for k := range m {
			if strings.EqualFold(k, "expires_in") {
				delete(m, k)
			}
		}
		if !slices.Equal(sortedKeys(got), sortedKeys(m)) {
			t.Errorf("fields = %q, want %q", sortedKeys(got), sortedKeys(m))
		}
		for k, v := range m {
			if !reflect.DeepEqual(decodeAny(t, v), decodeAny(t, got[k])) {
				t.Errorf("field %q = %s, want %s", k, got[k], v)
			}
		}
	})
}

// hasExpiresInKey reports a key that encoding/json, and so x/oauth2, matches
// to "expires_in": it matches field names without regard to case.
func hasExpiresInKey(m map[string]json.RawMessage) bool {
	for k := range m {
		if strings.EqualFold(k, "expires_in") {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func decodeAny(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("field %s is not JSON: %v", raw, err)
	}
	return v
}

// FuzzJWTExpiry checks jwtExpiry on any access token: no panic, and an
// expiry only from a three-part token with a positive exp.
func FuzzJWTExpiry(f *testing.F) {
	f.Fuzz(func(t *testing.T, token string) {
		exp, ok := jwtExpiry(token)
		if !ok {
			if !exp.IsZero() {
				t.Errorf("jwtExpiry(%q) = %v, false; want the zero time", token, exp)
			}
			return
		}
		if strings.Count(token, ".") != 2 || exp.Unix() <= 0 {
			t.Errorf("jwtExpiry(%q) = %v, true; want a positive exp from a three-part token", token, exp)
		}
	})
}

// FuzzSanitize checks sanitize on any server text, secret and limit: the
// result is valid UTF-8 on one line without control characters, at most
// limit characters, and never shows the secret.
func FuzzSanitize(f *testing.F) {
	f.Fuzz(func(t *testing.T, desc, sec string, limit int) {
		if limit < 0 {
			limit = -(limit + 1)
		}
		limit = 1 + limit%(2*maxDescription)
		got, ok := sanitize(desc, []string{sec}, limit)
		if !ok && got != "" {
			t.Errorf("sanitize = %q, false; want \"\" when left out", got)
		}
		if !utf8.ValidString(got) {
			t.Errorf("sanitize = %q, not valid UTF-8", got)
		}
		if strings.ContainsFunc(got, func(r rune) bool {
			return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
		}) {
			t.Errorf("sanitize = %q, want no control characters or line breaks", got)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Errorf("sanitize = %q, want white space collapsed", got)
		}
		if n := utf8.RuneCountInString(got); n > limit {
			t.Errorf("sanitize = %d characters, want at most %d", n, limit)
		}
		if len(sec) >= 8 && strings.Contains(got, sec) {
			t.Errorf("sanitize = %q, holds the secret", got)
		}
		// The secret as the same cleaning would write it must not be there
		// either: a server that echoes it is cleaned before it is redacted.
		// (Not for a secret that is not valid UTF-8: cleaning turns any
		// invalid byte into U+FFFD, so other text would match it.)
		if s := secret.OneLine(sec); utf8.ValidString(sec) && len(s) >= 8 && strings.Contains(got, s) {
			t.Errorf("sanitize = %q, holds the secret with its white space collapsed", got)
		}
	})
}
