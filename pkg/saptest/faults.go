package saptest

import (
	"net/http"
	"strconv"
)

// The fault sequences below are the cases a client's retry policy has to get
// right (SAP's own policy, from XSUAA's "best practices when handling access
// tokens"): a retry after 503, a wait for Retry-After after 429, a retry
// after a dropped connection, and exactly one request after a 401, which
// must never be retried because SAP locks a client or user for 60 minutes
// after five failed logons. Pass them to SetFaults with "...":
//
//	uaa.SetFaults(saptest.UnavailableThenOK()...)
//
// "Then OK" means the normal answer of the fake afterwards, which is a
// passcode or a token when the client's credentials are right.

// UnavailableThenOK is one 503 Service Unavailable (an HTML page, as a load
// balancer sends it) and then normal answers.
func UnavailableThenOK() []Fault {
	return []Fault{{
		Status:      http.StatusServiceUnavailable,
		Body:        "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
		ContentType: "text/html",
		Times:       1,
	}}
}

// ServerErrorThenOK is one 500 Internal Server Error with an OAuth error
// body, and then normal answers. The failed request still counts for
// [UAA.RefuseReusedJTI] and [IAS.RefuseReusedJTI]: sending its assertion
// again is refused.
func ServerErrorThenOK() []Fault {
	return []Fault{{
		Status:      http.StatusInternalServerError,
		Body:        `{"error":"server_error","error_description":"The authorization server encountered an unexpected condition"}`,
		ContentType: "application/json",
		Times:       1,
	}}
}

// RateLimitedThenOK is one 429 Too Many Requests whose Retry-After header
// asks for a wait of the given seconds, and then normal answers.
func RateLimitedThenOK(retryAfterSeconds int) []Fault {
	return []Fault{{
		Status:      http.StatusTooManyRequests,
		Body:        `{"error":"too_many_requests","error_description":"Rate limit exceeded"}`,
		ContentType: "application/json",
		RetryAfter:  strconv.Itoa(retryAfterSeconds),
		Times:       1,
	}}
}

// ResetThenOK is one request whose connection is reset without an answer
// (see [Fault.Reset]), and then normal answers.
func ResetThenOK() []Fault {
	return []Fault{{Reset: true, Times: 1}}
}

// UnauthorizedForever answers every request with 401 and UAA's JSON error
// {"error":"unauthorized","error_description":"Bad credentials"}, until
// ClearFault: a client that retries it would lock the account.
func UnauthorizedForever() []Fault {
	return []Fault{{
		Status:      http.StatusUnauthorized,
		Body:        `{"error":"unauthorized","error_description":"Bad credentials"}`,
		ContentType: uaaContentType,
	}}
}
