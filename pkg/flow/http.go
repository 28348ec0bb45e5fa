package flow

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// RequestError returns err, an error of http.Client.Do (or of a library
// that sends through the client, such as golang.org/x/oauth2), as a flow's
// message shows it: the error of the client's RoundTripper, without the
// *url.Error net/http puts around it. The client of [Env.Client] explains
// every failure without an answer itself (reason, request without query
// or user info, cause); the *url.Error would only repeat the method and
// the whole URL, query included, in front of it. An error without a
// *url.Error is returned as it is, and nil stays nil.
//
// Every flow prints a failed request's error through RequestError, so
// that the messages of all flows read alike and none depends on
// net/http's wording.
func RequestError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok && ue.Err != nil {
		return ue.Err
	}
	return err
}

// StatusHint explains the error pages with which a TLS-terminating proxy
// (nginx) answers a request whose client certificate it did not get or
// did not accept, from the status and body of the answer; "" for any other
// answer. The body is only searched, never quoted. The texts are those of
// the TLS alerts with the same meaning (pkg/transport), so that
// TROUBLESHOOTING.md holds one entry for both.
func StatusHint(status int, body []byte) string {
	if status != http.StatusBadRequest {
		return ""
	}
	switch {
	case bytes.Contains(body, []byte(matchNginxNoCert)):
		return msgNoClientCert
	case bytes.Contains(body, []byte(matchNginxCertError)):
		return msgBadClientCert
	}
	return ""
}

// FirstAttempt returns what a flow adds to its message about the final
// answer resp when the client sent the request more than once and resp
// came to a later attempt: what the first attempt got, which the answer
// alone does not tell ("; the request was retried: its first attempt got
// HTTP 503 Service Unavailable"). It returns "" for an answer to the first
// attempt, and for a nil resp. The client of [Env.Client] keeps the first
// failure with the answer's body (its FirstFailure method).
func FirstAttempt(resp *http.Response) string {
	if resp == nil || resp.Body == nil {
		return ""
	}
	if b, ok := resp.Body.(interface{ FirstFailure() error }); ok {
		return FirstFailure(b.FirstFailure())
	}
	return ""
}

// FirstFailure is FirstAttempt's text for first, the failure of the first
// attempt of a request the flow sent again itself ([Retry.First]); "" for
// nil.
func FirstFailure(first error) string {
	if first == nil {
		return ""
	}
	return fmt.Sprintf(msgFirstAttempt, first.Error())
}
