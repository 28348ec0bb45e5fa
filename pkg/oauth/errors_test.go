package oauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// netErr is a net.Error for timeouts.
type netErr struct{ timeout bool }

func (e netErr) Error() string   { return "i/o timeout" }
func (e netErr) Timeout() bool   { return e.timeout }
func (e netErr) Temporary() bool { return false }

// remoteAlert mimics crypto/tls's unexported alert type, received from the
// server as a net.OpError "remote error".
type remoteAlert string

func (a remoteAlert) Error() string { return "tls: " + string(a) }

func TestFromTransport(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name     string
		ctx      context.Context
		err      error
		wantHint string
	}{
		{"expired server certificate", nil,
			&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired}},
			"the server's certificate has expired or is not yet valid"},
		{"server certificate not for TLS servers", nil,
			&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.IncompatibleUsage}},
			"the server's certificate is not valid"},
		{"other verification error", nil,
			&tls.CertificateVerificationError{Err: errors.New("x509: something")},
			"the server's certificate could not be verified"},
		{"TLS 1.2 server without a client certificate", nil,
			&net.OpError{Op: "remote error", Err: remoteAlert("handshake failure")},
			"the server demands a client certificate, or refused the one sent; an X.509 client needs its certificate and key"},
		{"bad client certificate", nil,
			&net.OpError{Op: "remote error", Err: remoteAlert("bad certificate")},
			"the server demands a client certificate, or refused the one sent; an X.509 client needs its certificate and key"},
		{"client certificate from an unknown CA", nil,
			&net.OpError{Op: "remote error", Err: remoteAlert("unknown certificate authority")},
			"the server does not trust the issuer of the client certificate"},
		{"expired client certificate", nil,
			&net.OpError{Op: "remote error", Err: remoteAlert("certificate expired")},
			"the server says the client certificate has expired"},
		{"other alert", nil,
			&net.OpError{Op: "remote error", Err: remoteAlert("protocol version not supported")},
			"the server refused the TLS handshake"},
		{"local TLS failure", nil,
			errors.New("tls: first record does not look like a TLS handshake"),
			"the TLS handshake failed"},
		{"not TLS", nil,
			tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"},
			"the server does not speak TLS on that port; check the token URL"},
		{"net timeout", nil,
			netErr{timeout: true},
			"the token endpoint did not answer in time (timeout)"},
		{"deadline", nil,
			context.DeadlineExceeded,
			"the token endpoint did not answer in time (timeout)"},
		{"canceled", canceled,
			context.Canceled,
			"the request was canceled"},
		{"unknown host", nil,
			&net.DNSError{Err: "no such host", Name: "uaa.invalid", IsNotFound: true},
			"the token URL's host name could not be resolved"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			ue := &url.Error{Op: "Post", URL: "https://uaa.example.com/oauth/token", Err: tc.err}
			got := fromTransport(ctx, ue)
			if got.Hint != tc.wantHint {
				t.Errorf("fromTransport() = %q, want %q", got.Hint, tc.wantHint)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("errors.Is(%v, %v) = false, want true", got, tc.err)
			}
			if want := "token request failed: " + tc.wantHint + `: Post "https://uaa.example.com/oauth/token": `; !strings.HasPrefix(got.Error(), want) {
				t.Errorf("Error() = %q, want prefix %q", got.Error(), want)
			}
		})
	}
}

func TestClassifyKeepsBodyOut(t *testing.T) {
	t.Parallel()
	r := &Request{Grant: ClientCredentials, ClientID: "id", ClientSecret: "very-secret"}
	body := []byte(`{"error":"invalid_client","error_description":"very-secret is wrong","access_token":"tok-123"}`)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"retrieve error", &oauth2.RetrieveError{Body: body, ErrorCode: "invalid_client", ErrorDescription: "very-secret is wrong"},
			"token request failed (invalid_client): client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key"},
		{"json parse error", errors.New(`oauth2: cannot parse json: invalid character 'v' looking for beginning of value`),
			"token request failed: " + notTokenHint},
		{"form parse error", errors.New(`oauth2: cannot parse response: invalid URL escape "%ve"`),
			"token request failed: " + notTokenHint},
		{"no access token", errors.New("oauth2: server response missing access_token"),
			"token request failed: " + notTokenHint},
		{"body read timeout", errors.New("oauth2: cannot fetch token: net/http: request canceled (Client.Timeout or context cancellation while reading body)"),
			"token request failed: the token endpoint did not answer in time (timeout): oauth2: cannot fetch token: net/http: request canceled (Client.Timeout or context cancellation while reading body)"},
		{"unknown error", errors.New("oauth2: very-secret"),
			"token request failed: the token request failed for an unexpected reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := r.classify(context.Background(), tc.err)
			if got := err.Error(); got != tc.want {
				t.Errorf("classify() = %q, want %q", got, tc.want)
			}
			var re *oauth2.RetrieveError
			if errors.As(err, &re) {
				t.Errorf("classify() keeps the *oauth2.RetrieveError in the chain")
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	secrets := []string{"", "s3cret", "tok.en", "pass word"}
	cases := []struct {
		name, in, want string
	}{
		{"plain", "Bad credentials", "Bad credentials"},
		{"lines and tabs", " Bad\r\n\tcredentials\u2028now ", "Bad credentials now"},
		{"secret", "the secret s3cret is wrong", ""},
		{"secret made by joining lines", "your pass\nword is wrong", ""},
		{"token", "issued tok.en", ""},
		{"invalid UTF-8", "bad \xff byte", "bad \uFFFD byte"},
		{"long", strings.Repeat("é", 250), strings.Repeat("é", maxDescription-1) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sanitize(tc.in, secrets, maxDescription); got != tc.want {
				t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
