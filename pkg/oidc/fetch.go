// Package oidc reads a CI job's OpenID Connect identity token: it fetches the
// token from GitHub's or Azure Pipelines' token service (FetchGitHub,
// FetchAzure), or takes the one Bitbucket or CircleCI put in a variable, and
// reads the token's claims for a trust report. It does not verify signatures: the token is the job's own, and the
// server that receives it (SAP Cloud Identity Services, UAA) verifies it.
//
// The package reads no environment variable itself: its flow (and
// PrepareJobToken, which jwt-bearer shares) takes the loaded settings,
// where pkg/config put the values of ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, and the HTTP client of its flow.Env;
// FetchGitHub takes those values and the client as arguments.
//
// References: GitHub's token request as actions/toolkit's core.getIDToken
// makes it (GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud> with
// Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN, answer
// {"value":"<jwt>"}); JWT claims of RFC 7519 §4.1; the claim references of
// GitHub ("OpenID Connect reference") and GitLab ("ID token authentication").
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// maxBody bounds how much of the token service's answer is read.
const maxBody = 1 << 20

// tokenStatusError is the error [FetchGitHub] and [FetchAzure] return when
// the token service answers with a status other than 200. Its message names
// the status and, for 401 and 403, the likely fix; it never holds the body.
type tokenStatusError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Retried is what the first attempt got when the answer came to a
	// retry (flow.FirstAttempt), else empty.
	Retried string
	// service holds the token service's texts.
	service serviceErrors
}

// Error describes the status and what to do about it.
func (e *tokenStatusError) Error() string {
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf(e.service.refused, e.StatusCode) + e.Retried
	}
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		return fmt.Sprintf(e.service.redirect, e.StatusCode) + e.Retried
	}
	return fmt.Sprintf(e.service.status, e.StatusCode, http.StatusText(e.StatusCode)) + e.Retried
}

// FetchGitHub asks GitHub's token service for the job's ID token and returns
// the JWT.
//
// requestURL and requestToken are the values of ACTIONS_ID_TOKEN_REQUEST_URL
// and ACTIONS_ID_TOKEN_REQUEST_TOKEN. audience is added as the "audience"
// query parameter; empty leaves it out, and GitHub then uses its default (the
// URL of the repository owner). The request token is sent as a bearer token
// to requestURL only: the URL must be https, and a redirect is answered with
// an error, never followed, whatever hc's CheckRedirect says. hc is used as
// is otherwise (its timeout and retries apply); it must not be nil.
//
// Errors never contain the request token, the JWT or the answer's body. A
// status other than 200 gives an error that names it (and for 401 or 403
// the job's missing `id-token: write` permission).
func FetchGitHub(ctx context.Context, hc *http.Client, requestURL, requestToken, audience string) (string, error) {
	if hc == nil {
		return "", errors.New(msgNoHTTPClient)
	}
	if requestToken == "" {
		return "", errors.New(msgNoRequestToken)
	}
	u, err := url.Parse(requestURL)
	if err != nil {
		// url.Parse's error quotes the URL, which is not secret.
		return "", fmt.Errorf(msgBadRequestURL, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf(msgRequestURLInClear, u.Scheme)
	}
	if audience != "" {
		// Append rather than re-encode, so the runner's own query stays
		// byte for byte as given (toolkit does `${url}&audience=…`).
		a := "audience=" + url.QueryEscape(audience)
		if u.RawQuery == "" {
			u.RawQuery = a
		} else {
			u.RawQuery += "&" + a
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf(msgBuildRequest, err)
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")

	body, err := tokenServiceAnswer(hc, req, serviceErrors{failed: msgFetchFailed, read: msgReadAnswer, tooLarge: msgAnswerTooLarge,
		refused: msgRequestTokenRefused, redirect: msgRedirect, status: msgStatus})
	if err != nil {
		return "", err
	}
	var answer struct {
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		// json's messages may quote a character or a type, never the
		// whole body; still, say only what is wrong.
		return "", errors.New(msgAnswerNotJSON)
	}
	if answer.Value == nil || *answer.Value == "" {
		return "", errors.New(msgAnswerNoValue)
	}
	return *answer.Value, nil
}

// serviceErrors are the messages of one CI token service for tokenServiceAnswer.
type serviceErrors struct {
	// failed wraps a failed request or a status other than 200 (%w).
	failed string
	// read wraps a failure reading the answer (%w).
	read string
	// tooLarge is the error for an answer over maxBody.
	tooLarge string
	// refused (401, 403) and redirect (3xx) take the status code; status,
	// for any other status, the code and its text (tokenStatusError).
	refused, redirect, status string
}

// tokenServiceAnswer sends req, which carries the job's request token,
// through hc without following a redirect whatever hc's CheckRedirect says
// (the request token goes to its own URL only; a 3xx comes back as the
// answer and is refused), and returns the body of a 200 answer, at most
// maxBody bytes. No error holds the body.
func tokenServiceAnswer(hc *http.Client, req *http.Request, e serviceErrors) ([]byte, error) {
	// A shallow copy shares hc's transport; only the redirect policy
	// changes.
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return nil, fmt.Errorf(e.failed, flow.RequestError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused; never echo it.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf(e.failed, &tokenStatusError{StatusCode: resp.StatusCode, Retried: flow.FirstAttempt(resp), service: e})
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf(e.read, err)
	}
	if len(body) > maxBody {
		return nil, errors.New(e.tooLarge)
	}
	return body, nil
}
