package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxAnswer is the largest token answer accepted. x/oauth2 reads at most
// 1 MiB and would report a longer answer as unparsable; saying "too large"
// is clearer.
const maxAnswer = 1 << 20

// errTooLarge is the normalizer's error for an answer over maxAnswer.
var errTooLarge = fmt.Errorf(msgTooLarge, maxAnswer)

// answer is what the normalizer learned of the token answer.
type answer struct {
	// expiresIn is the raw expires_in: a json.RawMessage from a JSON
	// answer, a string from a form answer, nil when absent.
	expiresIn any
}

// normalizer sits between x/oauth2 and the transport and makes a
// successful token answer readable by x/oauth2 without losing a token:
//
//   - x/oauth2 refuses the whole answer when expires_in is not a JSON
//     integer (internal/token.go, expirationTime: 3599.5, "soon", true all
//     fail with "cannot parse json"), so expires_in is taken out here and
//     read by flow.ExpiresIn instead, in one place with the other flows;
//   - a byte order mark before the JSON is dropped;
//   - an answer over maxAnswer is refused with a clear error.
//
// Error answers (non-2xx) pass through untouched, for x/oauth2's
// RetrieveError.
type normalizer struct {
	base http.RoundTripper
	ans  *answer
}

// RoundTrip implements http.RoundTripper.
func (n *normalizer) RoundTrip(req *http.Request) (*http.Response, error) {
	base := n.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	resp.Body.Close()
	if err != nil {
		return nil, &answerError{err: err}
	}
	if len(body) > maxAnswer {
		return nil, errTooLarge
	}
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded", "text/plain":
		if vals, err := url.ParseQuery(string(body)); err == nil && vals.Has("expires_in") {
			n.ans.expiresIn = vals.Get("expires_in")
		}
	default:
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			// encoding/json, and so x/oauth2, match field names without
			// regard to case: "Expires_In" would fail there too.
			// The exact name wins; else the first variant in sorted order,
			// so that the choice does not depend on map order.
			var variants []string
			for k := range m {
				if strings.EqualFold(k, "expires_in") {
					variants = append(variants, k)
				}
			}
			if len(variants) > 0 {
				slices.Sort(variants)
				pick := variants[0]
				if _, ok := m["expires_in"]; ok {
					pick = "expires_in"
				}
				n.ans.expiresIn = m[pick]
				for _, k := range variants {
					delete(m, k)
				}
				if b, err := json.Marshal(m); err == nil {
					body = b
				}
			}
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// answerError is a 2xx answer whose body could not be read to its end. Its
// message is the transport's explanation of the read error alone (the
// answer was cut short, or did not arrive in full within the timeout),
// which says what broke; a prefix of ours could only contradict it.
type answerError struct{ err error }

func (e *answerError) Error() string { return e.err.Error() }
func (e *answerError) Unwrap() error { return e.err }

// scopeOf reads the scope of a token answer as x/oauth2 decoded it: a
// string (RFC 6749 §5.1), or a JSON list of strings, which some servers
// send and which is joined with spaces into the RFC's form. Absent is "".
// Anything else is "" and not ok, for a warning: the scope output would
// otherwise be left empty without a word.
func scopeOf(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case []any:
		scopes := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			scopes = append(scopes, s)
		}
		return strings.Join(scopes, " "), true
	}
	return "", false
}
