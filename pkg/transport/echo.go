package transport

import (
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBody bounds what is read of a request's form body to learn its
// secrets.
const maxFormBody = 64 << 10

// publicParams are the form and query parameters that carry nothing
// secret; every other value of a request counts as one, so that a
// parameter added later is kept out of messages too.
var publicParams = map[string]bool{
	"grant_type": true, "client_id": true, "scope": true, "username": true, "login_hint": true,
	"response_type": true, "client_assertion_type": true, "token_format": true, "audience": true,
	"redirect_uri": true, "resource": true,
}

// requestSecrets lists what req carries that a server (or a proxy) could
// echo in its reason phrase: the credentials of its Authorization and
// Proxy-Authorization headers (a Basic header also decoded, and its
// password form-decoded), the password of its URL, and every value of its
// query and of its form body but the public ones.
func requestSecrets(req *http.Request) []string {
	var out []string
	for _, h := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range req.Header.Values(h) {
			out = append(out, credentials(v)...)
		}
	}
	if req.URL != nil {
		if pw, ok := req.URL.User.Password(); ok {
			out = append(out, pw)
		}
		out = append(out, privateValues(req.URL.Query())...)
	}
	if req.GetBody != nil {
		mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		if body, err := req.GetBody(); err == nil && mt == "application/x-www-form-urlencoded" {
			b, _ := io.ReadAll(io.LimitReader(body, maxFormBody))
			_ = body.Close()
			if form, err := url.ParseQuery(string(b)); err == nil {
				out = append(out, privateValues(form)...)
			}
		}
	}
	return out
}

// credentials returns the secrets of an Authorization header's value: the
// credentials after the scheme, and for Basic the decoded user:password,
// the password and the password form-decoded (RFC 6749 §2.3.1).
func credentials(header string) []string {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok {
		return []string{header}
	}
	cred = strings.TrimSpace(cred)
	out := []string{cred}
	if !strings.EqualFold(scheme, "Basic") {
		return out
	}
	dec, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return out
	}
	out = append(out, string(dec))
	if _, pw, ok := strings.Cut(string(dec), ":"); ok {
		out = append(out, pw)
		if u, err := url.QueryUnescape(pw); err == nil && u != pw {
			out = append(out, u)
		}
	}
	return out
}

// privateValues returns the values of vals whose names are not public.
func privateValues(vals url.Values) []string {
	var out []string
	for k, vs := range vals {
		if !publicParams[strings.ToLower(k)] {
			out = append(out, vs...)
		}
	}
	return out
}
