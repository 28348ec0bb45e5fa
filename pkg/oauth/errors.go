package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
	"golang.org/x/oauth2"
)

// maxDescription and maxCode bound the length of a server's
// error_description and error in an error message: enough for any real
// description (UAA's longest are about 150 characters), short enough that
// a hostile server cannot fill the log.
const (
	maxDescription = 1000
	maxCode        = 64
)

// tokenError is a failed token request. Its message is one line and never
// contains the client secret, the password, an assertion, a token or the
// response body.
type tokenError struct {
	// Status is the HTTP status code, or 0 when there was no HTTP answer.
	Status int
	// Code is the OAuth error code (RFC 6749 §5.2), such as
	// "invalid_client", if the server sent one (one line, at most 64
	// characters, empty if it echoed a secret).
	Code string
	// Description is the server's error_description on one line, with any
	// secret of the request replaced by ***, at most 1000 characters;
	// empty when it held a fragment of a secret (LeftOut is then set).
	Description string
	// LeftOut is set when the server's error, error_description or token
	// type held a secret (in any encoding) that could not be replaced by
	// *** where it stood, and was left out; the message says so.
	LeftOut bool
	// Hint says what went wrong and what to fix.
	Hint string

	// err is the cause for failures without an HTTP answer, as the
	// client's transport explained it (see flow.RequestError). Never an
	// *oauth2.RetrieveError, whose message contains the response body.
	err error
	// resp is the answer (its status and headers; the body was read), for
	// the retry policy of a grant that repeats the request itself.
	resp *http.Response
	// note ends the message: what the first attempt got when the answer
	// came to a retry, or why the request was not sent again.
	note string
}

// Error returns `token request failed (HTTP 401, invalid_client: "Bad
// credentials"): <hint>`, or `token request failed: <cause>` when no answer
// arrived.
func (e *tokenError) Error() string {
	var b strings.Builder
	b.WriteString(msgTokenRequestFailed)
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
	if e.LeftOut {
		details = append(details, msgEchoLeftOut)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	if e.err != nil {
		b.WriteString(": " + secret.OneLine(e.err.Error()))
	}
	b.WriteString(e.note)
	return b.String()
}

// Unwrap returns the cause of a failure without an HTTP answer, else nil.
func (e *tokenError) Unwrap() error { return e.err }

// classify turns an error of x/oauth2 into a *tokenError.
func (r *tokenRequest) classify(ctx context.Context, err error) error {
	if ae, ok := errors.AsType[*answerError](err); ok {
		// The server answered 2xx and the answer could not be read: a
		// token may have been issued; nothing of the body is quoted.
		return &tokenError{Hint: fmt.Sprintf(msgAnswered, ae.Error())}
	}
	if errors.Is(err, errTooLarge) {
		return &tokenError{Hint: fmt.Sprintf(msgAnsweredNotToken, errTooLarge.Error())}
	}
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		return r.fromResponse(re)
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return &tokenError{err: flow.RequestError(err)}
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, matchCannotFetch):
		// Reading an error answer's body failed. x/oauth2 formats the
		// read error into its text (%v), so there is no cause to wrap.
		return &tokenError{Hint: msgErrorAnswerBroke}
	case strings.HasPrefix(msg, matchCannotParse), strings.Contains(msg, matchMissingToken):
		// A 2xx answer that is not a token (x/oauth2 reports parse errors
		// only for those, without the status). These texts may quote a
		// piece of the body; leave them out.
		return &tokenError{Hint: msgNotToken}
	}
	if ctx.Err() != nil {
		return &tokenError{err: ctx.Err()}
	}
	// x/oauth2 returns no other errors; keep the text out to be safe.
	return &tokenError{Hint: msgUnexpected}
}

// fromResponse maps an HTTP or OAuth error answer. It reads re.Body only to
// learn which tokens to keep out of the message.
func (r *tokenRequest) fromResponse(re *oauth2.RetrieveError) *tokenError {
	secrets := r.secrets(re.Body)
	shownCode, codeOK := sanitize(re.ErrorCode, secrets, maxCode)
	shownDesc, descOK := sanitize(re.ErrorDescription, secrets, maxDescription)
	e := &tokenError{Code: shownCode, Description: shownDesc, LeftOut: !codeOK || !descOK}
	if re.Response != nil {
		e.Status = re.Response.StatusCode
		e.resp, e.note = re.Response, flow.FirstAttempt(re.Response)
	}
	code, desc := strings.ToLower(re.ErrorCode), strings.ToLower(re.ErrorDescription)
	var own string
	if g := r.grant(); g.hint != nil {
		own = g.hint(r, e.Status, code, desc)
	}
	switch {
	case e.Status == http.StatusBadRequest && code == "" && flow.StatusHint(e.Status, re.Body) != "":
		// nginx (and other TLS-terminating proxies) answer a missing or
		// untrusted client certificate with their own 400 page.
		e.Hint = flow.StatusHint(e.Status, re.Body)
	case code == "invalid_client", r.ClientAssertion != "" && e.Status == http.StatusUnauthorized && code == "":
		// A 401 without a code, with the job's ID token as the client's
		// credential, can only be about that token.
		e.Hint = r.badClient(desc)
	case own != "":
		// What the answer means for this grant (a user's password, an
		// assertion).
		e.Hint = own
	case code == "unauthorized":
		// UAA before 76.26.0 said "unauthorized" "Bad credentials" for wrong
		// client credentials.
		e.Hint = r.badClient(desc)
	case code == "invalid_scope":
		e.Hint = msgBadScope
	case code == "unsupported_grant_type":
		e.Hint = fmt.Sprintf(msgUnsupportedGrant, r.grant().name)
	case code == "unauthorized_client":
		e.Hint = fmt.Sprintf(msgUnauthorizedGrant, r.grant().name)
	case e.Status == http.StatusNotFound, e.Status == http.StatusMethodNotAllowed:
		e.Hint = msgWrongTokenURL
	case e.Status >= 300 && e.Status < 400:
		e.Hint = msgRedirected
	case e.Status == http.StatusUnauthorized:
		e.Hint = msgUnauthorized
	case code == "invalid_request":
		e.Hint = msgMalformed
	case e.Status == http.StatusForbidden:
		e.Hint = msgForbidden
	case e.Status == http.StatusTooManyRequests:
		e.Hint = msgRateLimited
	case e.Status >= 500:
		e.Hint = msgServerFailed
	case e.Status >= 200 && e.Status < 300:
		// A 2xx answer with an "error" field.
		e.Hint = msgErrorInAnswer
	default:
		e.Hint = msgRefused
	}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		e.Hint += msgLockout
	}
	return e
}

// otherAuthHint suggests the other client-auth style: some servers accept
// only Basic, some only the body, and some do not form-decode Basic
// credentials (RFC 6749 §2.3.1 says they must), which breaks ids such as
// sb-abc!b12|it!b34.
func (r *tokenRequest) otherAuthHint() string {
	if r.ClientSecret == "" {
		return ""
	}
	other := "basic"
	if r.ClientAuth == authBasic {
		other = "body"
	}
	return fmt.Sprintf(msgOtherAuth, other)
}

// badClient is the hint for client credentials that were not accepted;
// desc is the server's error_description in lower case.
func (r *tokenRequest) badClient(desc string) string {
	if r.ClientAssertion != "" {
		return r.assertionRefused(desc)
	}
	if r.ClientSecret == "" {
		return msgBadClientCert
	}
	return msgBadClientSecret + r.otherAuthHint()
}

// secrets lists what must never appear in an error message: the client
// secret, the password and the assertion (also in the encodings they are
// sent in), the run's other secrets (r.Secrets) and any token in the
// response body.
func (r *tokenRequest) secrets(body []byte) []string {
	s := append(append([]string{r.ClientSecret, r.ClientAssertion}, r.grant().secrets...), r.Secrets...)
	if r.ClientSecret != "" {
		s = append(s, basicForms(r.ClientID, r.ClientSecret)...)
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
	var out []string
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// minCleanedSecret is the shortest cleaned form of a secret (its white
// space collapsed) that sanitize looks for: shorter ones would match
// ordinary words.
const minCleanedSecret = 8

// sanitize makes a server's text (error, error_description, token type,
// an API's message) fit for a message: valid UTF-8 on one line, every
// secret replaced by *** wherever it stands in whatever encoding (see
// secret.Redact), cut at limit characters. It returns "", false when the
// text held a secret that could not be replaced and must be left out (the
// message then says so, msgEchoLeftOut). The text comes from the server
// and is not trusted.
func sanitize(desc string, secrets []string, limit int) (string, bool) {
	// Redact first: cleaning could change a secret's bytes (collapse its
	// white space, replace invalid UTF-8) so that it no longer matches.
	redacted, ok := secret.Redact(desc, secrets)
	if !ok {
		return "", false
	}
	// And again after: a secret may have been cut by a line break, and a
	// server may have collapsed the secret's own white space as this
	// cleaning does, so its cleaned form is looked for too. A secret that
	// is not valid UTF-8 was handled on the raw bytes above; here it could
	// only match inside an inserted U+FFFD.
	var valid []string
	for _, s := range secrets {
		if utf8.ValidString(s) {
			valid = append(valid, s)
			if c := secret.OneLine(s); c != s && len(c) >= minCleanedSecret {
				valid = append(valid, c)
			}
		}
	}
	clean, ok := secret.Redact(secret.OneLine(strings.ToValidUTF8(redacted, "\uFFFD")), valid)
	if !ok {
		return "", false
	}
	if utf8.RuneCountInString(clean) > limit {
		r := []rune(clean)
		clean = strings.TrimSpace(string(r[:limit-1])) + "…"
	}
	return clean, true
}
