package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// send sends the token request r, with the credentials that a gives for
// each attempt, through hc.
//
// A request that carries a single-use credential (the jwt-bearer grant's
// assertion, the job's ID token as the client's credential) goes through a
// client that never sends a request again once it may have reached the
// server (Env.SingleUse): a server that enforces RFC 7523 §3 would refuse
// the token the second time (jti_known), and the first failure would be
// lost. When every such credential is the job's ID token from a CI token
// service, send repeats the request itself as the clients' retry policy
// allows (Env.Retry: the same schedule, Retry-After and timeout), each time
// with a fresh token, and a failure after a retry names the first attempt's
// too. A given token is sent once; when the policy would have retried the
// failure, the message says why it was not.
func send(ctx context.Context, env *flow.Env, hc *http.Client, r tokenRequest, a *attempt) (*issuedToken, error) {
	if !a.singleUse {
		req, err := a.with(ctx, r)
		if err != nil {
			return nil, err
		}
		return fetch(ctx, hc, req, env.Now)
	}
	retry := env.Retry()
	for {
		req, err := a.with(ctx, r)
		if err != nil {
			// The job's token for a retry failed: name what the first
			// attempt got as well.
			if note := flow.FirstFailure(retry.First()); note != "" {
				return nil, fmt.Errorf("%w%s", err, note)
			}
			return nil, err
		}
		tok, err := fetch(ctx, hc, req, env.Now)
		te, ok := errors.AsType[*tokenError](err)
		if err == nil || !ok {
			return tok, err
		}
		if !a.renewable {
			if retry.Retryable(te.resp, te.err) {
				te.note += msgAssertionNotRenewable
			}
			return nil, te
		}
		again, stop := retry.Again(ctx, te.resp, te.err)
		switch {
		case stop != nil:
			return nil, &tokenError{err: stop}
		case !again:
			te.note += flow.FirstFailure(retry.First())
			return nil, te
		}
	}
}
