package oauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"
)

// maxDescription and maxCode bound the length of a server's
// error_description and error in an error message.
const (
	maxDescription = 200
	maxCode        = 64
)

// Error is a failed token request. Its message is one line and never
// contains the client secret, the password, a token or the response body.
type Error struct {
	// Status is the HTTP status code, or 0 when there was no HTTP answer.
	Status int
	// Code is the OAuth error code (RFC 6749 §5.2), such as
	// "invalid_client", if the server sent one (sanitized like Description,
	// to at most 64 characters).
	Code string
	// Description is the server's error_description, made a single line of
	// at most 200 characters, and empty if it held a secret of the request.
	Description string
	// Hint says what went wrong and what to fix.
	Hint string

	// err is the cause: a *url.Error from the HTTP client for network, TLS
	// and timeout failures. Never an *oauth2.RetrieveError, whose message
	// contains the response body.
	err error
}

// Error returns `token request failed (HTTP 401, invalid_client: "Bad
// credentials"): <hint>`, followed by the cause for network and TLS errors.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("token request failed")
	var details []string
	if e.Status != 0 {
		details = append(details, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		c := strconv.Quote(e.Code)
		c = c[1 : len(c)-1]
		if e.Description != "" {
			c += ": " + strconv.Quote(e.Description)
		}
		details = append(details, c)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	b.WriteString(": " + e.Hint)
	if e.err != nil {
		b.WriteString(": " + oneLine(e.err.Error()))
	}
	return b.String()
}

// Unwrap returns the cause: the HTTP client's error for network, TLS and
// timeout failures, else nil.
func (e *Error) Unwrap() error { return e.err }

// classify turns an error of x/oauth2 into an *Error.
func (r *Request) classify(ctx context.Context, err error) error {
	if isAnswerError(err) {
		// The server answered 2xx and the answer could not be read: a
		// token may have been issued; nothing of the body is quoted.
		var inner error = errTooLarge
		if ae := (*answerError)(nil); errors.As(err, &ae) {
			inner = ae
		}
		return &Error{Hint: "the token endpoint answered, but " + inner.Error()}
	}
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		return r.fromResponse(re)
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fromTransport(ctx, ue)
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "oauth2: cannot fetch token:"):
		// Reading the body failed; the text is the read error, which holds
		// nothing of the body.
		if ctx.Err() != nil || strings.Contains(msg, "Timeout") || strings.Contains(msg, "deadline") {
			return &Error{Hint: "the token endpoint did not answer in time (timeout)", err: err}
		}
		return &Error{Hint: "the connection failed while reading the answer", err: err}
	case strings.HasPrefix(msg, "oauth2: cannot parse"), strings.Contains(msg, "missing access_token"):
		// A 2xx answer that is not a token (x/oauth2 reports parse errors
		// only for those, without the status). These texts may quote a
		// piece of the body; leave them out.
		return &Error{Hint: notTokenHint}
	}
	// x/oauth2 returns no other errors; keep the text out to be safe.
	return &Error{Hint: "the token request failed for an unexpected reason"}
}

const notTokenHint = "the token URL did not answer with a token; check that it is the token endpoint (…/oauth/token), not a web page"

// fromResponse maps an HTTP or OAuth error answer. It reads re.Body only to
// learn which tokens to keep out of the message.
func (r *Request) fromResponse(re *oauth2.RetrieveError) *Error {
	secrets := r.secrets(re.Body)
	e := &Error{
		Code:        sanitize(re.ErrorCode, secrets, maxCode),
		Description: sanitize(re.ErrorDescription, secrets, maxDescription),
	}
	if re.Response != nil {
		e.Status = re.Response.StatusCode
	}
	code, desc := strings.ToLower(re.ErrorCode), strings.ToLower(re.ErrorDescription)
	x509Client := r.ClientSecret == ""
	badClient := "client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key"
	if x509Client {
		badClient = "the client id or client certificate was not accepted; check that the certificate and key belong to the service key's client id"
	}
	switch {
	case code == "invalid_client":
		e.Hint = badClient
	case code == "unauthorized" && r.Grant == Password:
		// Covers "Bad credentials" (current UAA) and "Name or password
		// mismatch" (older UAA) for a wrong user password. A missing client
		// authentication is reported the same way, so tell that apart.
		if strings.Contains(desc, "full authentication") {
			e.Hint = "the server did not get the client credentials; check the client id and secret"
		} else {
			e.Hint = "the username or password is wrong"
		}
	case code == "unauthorized":
		// UAA before 76.26.0 said "unauthorized" "Bad credentials" for wrong
		// client credentials.
		e.Hint = badClient
	case code == "invalid_grant" && r.Grant == Password:
		e.Hint = "the username or password is wrong, or the user may not log in this way"
	case code == "invalid_scope":
		e.Hint = "a requested scope is not allowed for this client; fix the scope, or leave it empty for the client's default scopes"
	case code == "unsupported_grant_type", code == "unauthorized_client":
		e.Hint = fmt.Sprintf("the client is not allowed to use the %s grant; allow the grant type for the client, or use another flow", r.Grant)
	case e.Status == http.StatusNotFound, e.Status == http.StatusMethodNotAllowed:
		e.Hint = "the token URL is wrong: nothing there accepts token requests"
	case e.Status >= 300 && e.Status < 400:
		e.Hint = "the token URL redirects elsewhere (to a login page?); use the token endpoint itself"
	case e.Status == http.StatusUnauthorized && r.Grant == ClientCredentials:
		e.Hint = badClient
	case e.Status == http.StatusUnauthorized:
		e.Hint = "the server did not accept the client or user credentials"
	case e.Status == http.StatusBadRequest && code == "" && bytes.Contains(re.Body, []byte("SSL certificate")):
		// nginx (and other TLS-terminating proxies) answer an untrusted
		// client certificate with their own 400 page.
		e.Hint = "the server refused the client certificate: it does not trust the certificate's issuer, or the chain is incomplete"
	case code == "invalid_request":
		e.Hint = "the server found the request malformed"
	case e.Status == http.StatusForbidden:
		e.Hint = "the server refused the request (forbidden)"
	case e.Status == http.StatusTooManyRequests:
		e.Hint = "the server is rate limiting; try again later"
	case e.Status >= 500:
		e.Hint = "the server failed; try again later"
	case e.Status >= 200 && e.Status < 300:
		// A 2xx answer with an "error" field.
		e.Hint = "the server answered with an error instead of a token"
	default:
		e.Hint = "the token endpoint refused the request"
	}
	return e
}

// fromTransport maps an error of the HTTP client (no HTTP answer). Its text
// holds the method, the token URL and the cause, never a secret: the token
// URL has no user info (validate) and the body is not part of it.
func fromTransport(ctx context.Context, ue *url.Error) *Error {
	e := &Error{err: ue}
	msg := ue.Err.Error()
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invErr x509.CertificateInvalidError
	var verErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(ue, context.Canceled) && ctx.Err() != nil:
		e.Hint = "the request was canceled"
	case ue.Timeout() || errors.Is(ue, context.DeadlineExceeded):
		e.Hint = "the token endpoint did not answer in time (timeout)"
	case errors.As(ue, &authErr):
		e.Hint = "the server's certificate is issued by an unknown authority; add that CA to the trusted certificates (ca-certificates)"
	case errors.As(ue, &hostErr):
		e.Hint = "the server's certificate is not valid for the token URL's host name"
	case errors.As(ue, &invErr):
		if invErr.Reason == x509.Expired {
			e.Hint = "the server's certificate has expired or is not yet valid"
		} else {
			e.Hint = "the server's certificate is not valid"
		}
	case errors.As(ue, &verErr):
		e.Hint = "the server's certificate could not be verified"
	case errors.As(ue, &recErr):
		e.Hint = "the server does not speak TLS on that port; check the token URL"
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		e.Hint = "the server does not speak TLS on that port; check the token URL"
	case strings.Contains(msg, "remote error: tls: "):
		// The server sent a TLS alert. The alert type is unexported in
		// crypto/tls, so go by its text.
		switch {
		case strings.Contains(msg, "certificate required"), strings.Contains(msg, "handshake failure"), strings.Contains(msg, "bad certificate"):
			e.Hint = "the server demands a client certificate, or refused the one sent; an X.509 client needs its certificate and key"
		case strings.Contains(msg, "unknown certificate authority"):
			e.Hint = "the server does not trust the issuer of the client certificate"
		case strings.Contains(msg, "certificate expired"):
			e.Hint = "the server says the client certificate has expired"
		case strings.Contains(msg, "certificate revoked"):
			e.Hint = "the server says the client certificate is revoked"
		default:
			e.Hint = "the server refused the TLS handshake"
		}
	case strings.Contains(msg, "tls: "):
		e.Hint = "the TLS handshake failed"
	case errors.As(ue, &dnsErr):
		e.Hint = "the token URL's host name could not be resolved"
	default:
		e.Hint = "could not reach the token endpoint"
	}
	return e
}

// secrets lists what must never appear in an error message: the client
// secret and password (also in the encodings they are sent in) and any token
// in the response body.
func (r *Request) secrets(body []byte) []string {
	s := []string{r.ClientSecret, r.Password}
	for _, v := range []string{r.ClientSecret, r.Password} {
		if v != "" {
			s = append(s, url.QueryEscape(v))
		}
	}
	if r.ClientSecret != "" {
		s = append(s, base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(r.ClientID)+":"+url.QueryEscape(r.ClientSecret))))
	}
	var fields map[string]any
	if json.Unmarshal(body, &fields) == nil {
		for _, k := range []string{"access_token", "refresh_token", "id_token"} {
			if v, ok := fields[k].(string); ok {
				s = append(s, v)
			}
		}
	} else if vals, err := url.ParseQuery(string(body)); err == nil {
		for _, k := range []string{"access_token", "refresh_token", "id_token"} {
			s = append(s, vals.Get(k))
		}
	}
	return s
}

// sanitize makes a server's error or error_description fit for a message:
// one line of at most limit characters, and empty if it contains any of
// secrets. The text comes from the server and is not trusted.
func sanitize(desc string, secrets []string, limit int) string {
	desc = strings.ToValidUTF8(desc, "\uFFFD")
	clean := oneLine(desc)
	for _, s := range secrets {
		if s != "" && (strings.Contains(desc, s) || strings.Contains(clean, s)) {
			return ""
		}
	}
	if utf8.RuneCountInString(clean) > limit {
		r := []rune(clean)
		clean = strings.TrimSpace(string(r[:limit-1])) + "…"
	}
	return clean
}

// oneLine replaces control characters (line breaks included) with spaces and
// collapses runs of white space.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
