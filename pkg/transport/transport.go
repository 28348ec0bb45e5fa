// Package transport is the one home of HTTP policy: every flow (and
// golang.org/x/oauth2, through its context client) talks to SAP through the
// client [New] builds.
//
// # Errors
//
// The client explains its own failures, so no caller has to remember to:
// every request that got no HTTP answer fails with an error that names the
// likely cause and the fix, then the request and Go's error, on one line
// ("the server refused the connection: check the URL's host and port, and
// that the service is up: Get "https://host/path": dial tcp …"), or, when
// it was retried, with one that counts the attempts and names the first
// failure so. An answer whose body breaks off is read with such an error
// too (the connection closed, or the timeout ran out mid-answer); io.EOF
// stays io.EOF. No URL in these texts keeps its user info, query or
// fragment ([secret.RedactURLs]), which may hold a client secret or a
// token.
//
// net/http's http.Client.Do still wraps the error in a *url.Error, whose
// text quotes the whole URL, query included; a flow prints the error inside
// it (flow.RequestError), and the app cleans every message it prints with
// secret.RedactURLs. The error types stay unexported: no caller branches on
// them.
//
// # TLS
//
// TLS 1.2 or newer, with verification always on. There is deliberately no
// way to skip certificate verification: a private CA is added through
// [Options.RootCAs]. A client certificate is sent whenever the server asks
// for one.
//
// # Redirects
//
// Redirects are never followed: a token or passcode endpoint answers
// directly, and a redirect usually leads to a login page. The 3xx answer is
// returned to the flow, which reports it.
//
// # Proxy
//
// HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case spellings, which
// win) are read through [Options.Getenv] with golang.org/x/net/http/httpproxy,
// the rules net/http itself uses. A value that is not a proxy URL is an error
// of [New] that names the variable, never a silent direct connection.
//
// # Retries
//
// The client retries as SAP's XSUAA documentation asks ("Best Practices When
// Handling Access Tokens",
// https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/best-practices-when-handling-access-tokens-8d39ef3.md):
//
//   - no answer (connection refused or reset, TLS handshake cut, a timeout
//     before any status): up to 3 retries, waiting 300 ms and doubling;
//   - 408, 502, 504: up to 3 retries, 300 ms and doubling;
//   - 500, 503: up to 3 retries, 1 s and tripling;
//   - 429: the wait the Retry-After header asks for (seconds or an HTTP
//     date), else as for 503; a 503 with Retry-After is honoured too. No
//     request goes out before the time the server asked for, and its wait is
//     never replaced by the schedule above: when it ends past the deadline,
//     however far, the client sends nothing more and says how long the
//     server asked to wait;
//   - every other status, 400, 401 and 403 above all, is final: SAP Cloud
//     Identity Services locks a client or a user for 60 minutes after 5
//     failed logons, so a retried 401 would lock the pipeline out;
//   - a failed TLS verification or a TLS alert is final too: it will not get
//     better, and an alert about the client certificate may count as a
//     failed logon.
//
// A client of [Options.SingleUse] sends a request again only when it
// certainly did not reach the server; the sender of a single-use
// credential follows a [Retry] of its own to renew it for each attempt.
//
// At most 4 requests go out in all. Every wait has jitter (±20 %, and up to
// +20 % on a Retry-After), and no wait starts that would end past the
// request's deadline (the timeout): the client stops and says so. A request
// whose body cannot be rewound (no Request.GetBody) is sent once. When the
// retries run out, the client returns an error that tells the first failure
// and the number of attempts rather than the last answer; an answer that is final (2xx, or a status that is never retried)
// is returned as usual.
//
// The delays come from github.com/cenkalti/backoff/v5.
package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Options configures [New]. The zero value is a client with the system
// roots, no client certificate, no overall timeout, the proxy from the
// process environment, Go's User-Agent, real waits and real jitter.
type Options struct {
	// Timeout bounds each request, retries and waits included, from the
	// first dial to the end of the answer's body. It also bounds each dial
	// and each TLS handshake, so a slow handshake fails only when the whole
	// timeout is spent. Zero means no overall limit; a dial then gives up
	// after 30 s and a handshake after 10 s, as net/http's defaults do.
	// The client's RoundTripper enforces it, not http.Client.Timeout
	// (which stays zero and would replace the explained error with its
	// own text).
	Timeout time.Duration
	// RootCAs verifies servers; nil means the system roots.
	RootCAs *x509.CertPool
	// ClientCertificate is sent, with its chain, when the server asks for
	// one; nil sends none.
	ClientCertificate *tls.Certificate
	// Getenv reads the proxy variables (https_proxy, HTTPS_PROXY,
	// http_proxy, HTTP_PROXY, no_proxy, NO_PROXY, REQUEST_METHOD); nil means
	// os.Getenv.
	Getenv func(string) string
	// UserAgent is sent as the User-Agent header of requests that do not
	// set their own; empty leaves Go's default.
	UserAgent string
	// Sleep waits d before a retry, returning early with an error when ctx
	// ends; nil means a real timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for the jitter of each wait; nil means
	// math/rand/v2's Float64.
	Rand func() float64
	// SingleUse makes a client for requests that carry a single-use
	// credential (a jwt-bearer assertion) and so must never reach the
	// server twice: a request is sent again only when it certainly did not
	// reach the server (a refused connection, a failed DNS lookup, a TLS
	// handshake that failed before the request was written); an answer,
	// or a failure once a connection was made (a reset, a timeout), is
	// returned as it is. Its sender may repeat the request with a renewed
	// credential, as a [Retry] of its own ([NewRetry]) allows.
	SingleUse bool
}

// Defaults of net/http (http.DefaultTransport) for a client without a timeout.
const (
	defaultDialTimeout      = 30 * time.Second
	defaultHandshakeTimeout = 10 * time.Second
)

// New returns the client configured by o. Its only error is for a malformed
// proxy variable.
func New(o Options) (*http.Client, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	proxy, err := proxyFromEnv(getenv)
	if err != nil {
		return nil, err
	}

	tc := &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    o.RootCAs,
	}
	if o.ClientCertificate != nil {
		cert := *o.ClientCertificate
		// GetClientCertificate sends the certificate (with its chain) even
		// when the server's list of acceptable CAs does not name our issuer
		// directly, as curl does; the server decides.
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil
		}
	}
	dial, handshake := defaultDialTimeout, defaultHandshakeTimeout
	if o.Timeout > 0 {
		// One timeout source: a dial or a handshake may take the whole
		// timeout, so raising `timeout` is always the right advice.
		dial, handshake = o.Timeout, o.Timeout
	}
	dialer := &net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}
	base := &http.Transport{
		Proxy:                  proxy.forRequest,
		OnProxyConnectResponse: proxy.onConnectResponse,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tc,
		TLSHandshakeTimeout:    handshake,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           4,
		IdleConnTimeout:        30 * time.Second,
	}
	rt := &retrier{base: base, dialer: dialer, timeout: o.Timeout, userAgent: o.UserAgent, sleep: o.Sleep, rand: o.Rand, proxy: proxy,
		singleUse: o.SingleUse}
	if rt.sleep == nil {
		rt.sleep = sleep
	}
	if rt.rand == nil {
		rt.rand = rand.Float64
	}
	return &http.Client{
		// No Timeout: the RoundTripper enforces o.Timeout (see
		// retrier.RoundTrip), so that its error stays explained.
		Transport: rt,
		// The one place redirects are refused: the 3xx answer goes back to
		// the flow, which names the likely cause (a login page).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// proxyError is a proxy variable that does not hold a usable proxy URL. Its
// message names the variable, never its value, which may hold a password.
type proxyError struct {
	// Variable is the environment variable's name as it was found, such as
	// "HTTPS_PROXY" or "https_proxy".
	Variable string
}

// Error names the variable and the fix, never the value.
func (e *proxyError) Error() string {
	return fmt.Sprintf(msgBadProxy, e.Variable)
}

// proxySettings is the proxy configuration read once by [New].
type proxySettings struct {
	// httpsVar and httpVar name the variables the proxies for https and
	// http URLs came from, empty when unset.
	httpsVar, httpVar string
	fn                func(*url.URL) (*url.URL, error)
}

// proxyFromEnv reads the proxy variables with httpproxy's precedence (the
// lower-case spelling first) and checks each proxy URL, because httpproxy
// silently ignores one it cannot parse and the request then goes direct.
func proxyFromEnv(getenv func(string) string) (*proxySettings, error) {
	lookup := func(names ...string) (string, string) {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return n, v
			}
		}
		return "", ""
	}
	httpsVar, httpsVal := lookup("https_proxy", "HTTPS_PROXY")
	httpVar, httpVal := lookup("http_proxy", "HTTP_PROXY")
	_, noProxy := lookup("no_proxy", "NO_PROXY")
	for _, v := range []struct{ name, value string }{{httpsVar, httpsVal}, {httpVar, httpVal}} {
		if v.value != "" && !validProxy(v.value) {
			return nil, &proxyError{Variable: v.name}
		}
	}
	cfg := &httpproxy.Config{HTTPSProxy: httpsVal, HTTPProxy: httpVal, NoProxy: noProxy, CGI: getenv("REQUEST_METHOD") != ""}
	return &proxySettings{httpsVar: httpsVar, httpVar: httpVar, fn: cfg.ProxyFunc()}, nil
}

// validProxy reports whether httpproxy will use v as a proxy, and whether
// net/http can dial it. It parses v as httpproxy does (a value without a
// scheme means http://) and then asks for a known scheme, a host and a port
// in range.
func validProxy(v string) bool {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if u2, err2 := url.Parse("http://" + v); err2 == nil {
			u, err = u2, nil
		}
	}
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return false
	}
	if u.Hostname() == "" || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	return true
}

// forRequest is the http.Transport's Proxy function.
func (p *proxySettings) forRequest(req *http.Request) (*url.URL, error) {
	return p.fn(req.URL)
}

// variable names the variable whose proxy serves URLs of scheme.
func (p *proxySettings) variable(scheme string) string {
	if scheme == "http" {
		return p.httpVar
	}
	return p.httpsVar
}

// onConnectResponse turns a refused CONNECT into a typed error that names
// the proxy variable and the status (net/http's own error is only the
// status text, such as "Access violation").
func (p *proxySettings) onConnectResponse(_ context.Context, proxyURL *url.URL, _ *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return &proxyFailure{Variable: p.httpsVar, Status: resp.StatusCode, Text: statusText(resp), Login: proxyURL.User != nil}
}

// proxyFailure is a request that failed at the proxy: the proxy refused the
// CONNECT (Status != 0) or could not be reached (Err).
type proxyFailure struct {
	Variable string
	Status   int
	Text     string
	// Login is set when the proxy URL holds a user and password.
	Login bool
	Err   error
}

func (e *proxyFailure) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf(msgConnectRefused, e.Status, e.Text)
	}
	return e.Err.Error()
}

func (e *proxyFailure) Unwrap() error { return e.Err }

// asProxyFailure wraps err, an error of a request that went through the
// proxy of variable, when the proxy itself could not be reached.
func asProxyFailure(err error, variable string) error {
	if variable == "" {
		return err
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "proxyconnect" {
		return &proxyFailure{Variable: variable, Err: err}
	}
	return err
}
