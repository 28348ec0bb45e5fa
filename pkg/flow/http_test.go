package flow_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

func TestRequestError(t *testing.T) {
	t.Parallel()
	inner := errors.New("the server refused the connection: check the URL's host and port, and that the service is up")
	ue := &url.Error{Op: "Post", URL: "https://uaa.example/oauth/token?client_secret=s3cr3t", Err: inner}
	plain := errors.New("not from a client")
	empty := &url.Error{Op: "Get", URL: "https://uaa.example/"}
	cases := []struct {
		name    string
		err     error
		want    error
		wantMsg string
	}{
		{name: "nil", err: nil, want: nil},
		{name: "net/http's *url.Error is dropped", err: ue, want: inner},
		{name: "also when wrapped", err: fmt.Errorf("oauth2: %w", ue), want: inner},
		{name: "an error without one is kept", err: plain, want: plain},
		{name: "a *url.Error with nothing inside is kept", err: empty, want: empty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := flow.RequestError(tc.err); got != tc.want {
				t.Errorf("RequestError(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestStatusHint(t *testing.T) {
	t.Parallel()
	nginx := func(title string) []byte {
		return []byte("<html>\r\n<head><title>400 " + title + "</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>" + title + "</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n")
	}
	cases := []struct {
		name   string
		status int
		body   []byte
		want   string
	}{
		{name: "no certificate sent", status: 400, body: nginx("No required SSL certificate was sent"), want: "no client certificate was sent: the key/certificate input has no certificate, or this is not the certificate (mTLS) endpoint"},
		{name: "certificate refused", status: 400, body: nginx("The SSL certificate error"), want: "the server refused the client certificate: it does not trust its issuer, or the chain is incomplete"},
		{name: "other 400", status: 400, body: []byte(`{"error":"invalid_request"}`), want: ""},
		{name: "nginx page with another status", status: 401, body: nginx("The SSL certificate error"), want: ""},
		{name: "empty", status: 400, want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := flow.StatusHint(tc.status, tc.body); got != tc.want {
				t.Errorf("StatusHint(%d) = %q, want %q", tc.status, got, tc.want)
			}
		})
	}
}

// firstFailureBody is an answer's body as the client of Env.Client returns
// it for an answer to a retry.
type firstFailureBody struct {
	io.ReadCloser
	first error
}

func (b firstFailureBody) FirstFailure() error { return b.first }

func TestFirstAttempt(t *testing.T) {
	t.Parallel()
	body := io.NopCloser(strings.NewReader("{}"))
	cases := []struct {
		name string
		resp *http.Response
		want string
	}{
		{name: "no answer", resp: nil},
		{name: "an answer of another client", resp: &http.Response{Body: body}},
		{name: "an answer to the first attempt", resp: &http.Response{Body: firstFailureBody{body, nil}}},
		{name: "an answer to a retry", resp: &http.Response{Body: firstFailureBody{body, errors.New("HTTP 503 Service Unavailable")}},
			want: "; the request was retried: its first attempt got HTTP 503 Service Unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := flow.FirstAttempt(tc.resp); got != tc.want {
				t.Errorf("FirstAttempt() = %q, want %q", got, tc.want)
			}
		})
	}
}
