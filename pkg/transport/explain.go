package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// explainedError is a request that got no HTTP answer, or an answer whose
// body broke off, explained: Reason names the likely cause and the fix, Err
// is the base transport's error. Every failure without an answer leaves the
// client's RoundTripper as one (or as a *retryError, whose failures are
// such errors), and every read error of an answer's body (see
// [answerBody]), so no caller has to remember to explain it.
type explainedError struct {
	// Reason says what went wrong and what to do, in one line.
	Reason string
	// Request names the request as net/http's *url.Error does, with the
	// URL's user info, query and fragment left out: `Post
	// "https://host/path"`. It is empty for a failure inside a *retryError
	// and for a body that broke off, whose caller knows the request.
	Request string
	// Err is the error of the base transport.
	Err error
}

// Error returns "<reason>: <request>: <cause>", the cause on one line,
// with any URL's query, fragment and user info removed (a token URL may
// carry ?client_secret=).
func (e *explainedError) Error() string {
	s := e.Reason
	if e.Request != "" {
		s += ": " + e.Request
	}
	if e.Err != nil {
		s += ": " + secret.RedactURLs(secret.OneLine(e.Err.Error()))
	}
	return s
}

// Unwrap returns the base transport's error.
func (e *explainedError) Unwrap() error { return e.Err }

// explain returns err, a failure of req that got no HTTP answer, as the
// client's RoundTripper returns it: a *retryError or an *explainedError as
// it is, anything else as an *explainedError that names the cause, the fix
// and the request.
func explain(req *http.Request, err error) error {
	switch err.(type) {
	case *retryError, *explainedError:
		return err
	}
	return &explainedError{Reason: reason(err), Request: requestName(req), Err: err}
}

// requestName is `Post "https://host/path"`: the method as net/http's
// *url.Error spells it, and the URL without user info, query and fragment.
func requestName(req *http.Request) string {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	op := method[:1] + strings.ToLower(method[1:])
	if req.URL == nil {
		return op
	}
	u := *req.URL
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return op + " " + strconv.Quote(u.String())
}

// Reasons shared by several causes.
const (
	reasonTimeout       = "no answer within the timeout: check the URL, the network and any proxy (HTTPS_PROXY), or raise timeout"
	reasonNoClientCert  = "no client certificate was sent: the key/certificate input has no certificate, or this is not the certificate (mTLS) endpoint"
	reasonBadClientCert = "the server refused the client certificate: it does not trust its issuer, or the chain is incomplete"
	reasonOldTLS        = "the server only speaks TLS older than 1.2, which is refused: the server must enable TLS 1.2 or 1.3"
)

// answerBody is the body of an answer the client returns. A read error
// comes out explained (io.EOF stays as it is), and Close ends the
// request's timeout.
type answerBody struct {
	rc io.ReadCloser
	// cancel releases the request's timeout; nil without one.
	cancel context.CancelFunc
}

// Read reads the answer; an error other than io.EOF is an *explainedError.
func (b *answerBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == nil || err == io.EOF || errors.Is(err, http.ErrBodyReadAfterClose) {
		// A read after Close is the caller's mistake, not the network's.
		return n, err
	}
	return n, &explainedError{Reason: bodyReason(err), Err: err}
}

// Close closes the answer and ends the request's timeout.
func (b *answerBody) Close() error {
	err := b.rc.Close()
	if b.cancel != nil {
		b.cancel()
	}
	return err
}

// bodyReason explains a failure to read an answer whose status arrived.
func bodyReason(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "the request was canceled"
	case timedOut(err):
		return "the answer did not arrive in full within the timeout: check the network and any proxy (HTTPS_PROXY), or raise timeout"
	}
	return "the answer was cut short: the server, a proxy or the network closed the connection"
}

// timedOut reports whether err is the run's deadline or a network timeout.
func timedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

func reason(err error) string {
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		return "the request was canceled"
	}
	if pf, ok := errors.AsType[*proxyFailure](err); ok {
		return proxyReason(pf)
	}
	if timedOut(err) {
		return reasonTimeout
	}
	if r := certProblem(err); r != "" {
		return r
	}
	if _, after, ok := strings.Cut(msg, "server selected unsupported protocol version "); ok {
		return "the server chose " + tlsVersionName(strings.Fields(after)[0]) + ", which is refused (TLS 1.2 or newer is required): the server must enable TLS 1.2 or 1.3"
	}
	if _, alert, ok := strings.Cut(msg, "remote error: tls: "); ok {
		return alertReason(alert)
	}
	if rh, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		if string(rh.RecordHeader[:]) == "HTTP/" {
			return "the server answered plain HTTP on a TLS port: check the URL's port, or whether the service needs https at all"
		}
		return "the server does not speak TLS at this address: check the URL's port"
	}
	if ae, ok := errors.AsType[*net.AddrError](err); ok && ae.Err == "invalid port" {
		return "the URL's port is out of range: use a port from 1 to 65535"
	}
	if dns, ok := errors.AsType[*net.DNSError](err); ok {
		if dns.IsNotFound {
			return "the host name does not resolve: check the URL's host"
		}
		return "the host name could not be resolved (DNS failed): check the URL's host and the runner's DNS, or retry later"
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the server refused the connection: check the URL's host and port, and that the service is up"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return "the connection was reset: the server refused the client certificate, or a firewall or proxy cut the connection; check the certificate and HTTPS_PROXY, or retry later"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection without an answer: it may have refused the client certificate or be overloaded; check the certificate, or retry later"
	case strings.Contains(msg, "tls: "):
		return "the TLS handshake failed"
	}
	return "the request failed"
}

// certProblem explains a failed verification of the server's certificate,
// or returns "".
func certProblem(err error) string {
	if _, ok := errors.AsType[x509.SystemRootsError](err); ok {
		return "the system CA certificates could not be read: check SSL_CERT_FILE and SSL_CERT_DIR (or install the ca-certificates package), or give the server's CA with ca-certificates"
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return "the server's certificate is not signed by a trusted CA: add its CA with ca-certificates"
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return "the server's certificate is for another host name: check the URL's host"
	}
	if inv, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		if inv.Reason == x509.Expired {
			return "the server's certificate has expired or is not yet valid: the server must renew it (or the runner's clock is wrong)"
		}
		return "the server's certificate is not valid for a TLS server: check the URL's host"
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return "the server's certificate could not be verified: check the URL's host and ca-certificates"
	}
	return ""
}

// alertReason explains a TLS alert from the server. Over TCP, crypto/tls
// reports it as a *net.OpError "remote error" around an unexported type
// (tls.AlertError is the QUIC form and never matches), so the text is all
// there is to go by.
func alertReason(alert string) string {
	switch {
	case strings.HasPrefix(alert, "certificate required"):
		return reasonNoClientCert
	case strings.HasPrefix(alert, "unknown certificate authority"):
		return "the server does not trust the issuer of the client certificate: send the certificate with its chain, or have its CA trusted by the server"
	case strings.HasPrefix(alert, "bad certificate"), strings.HasPrefix(alert, "unsupported certificate"), strings.HasPrefix(alert, "unknown certificate"), strings.HasPrefix(alert, "access denied"):
		return reasonBadClientCert
	case strings.HasPrefix(alert, "expired certificate"):
		return "the server says the client certificate has expired or is not yet valid: renew it"
	case strings.HasPrefix(alert, "revoked certificate"):
		return "the server says the client certificate was revoked: get a new one"
	case strings.HasPrefix(alert, "protocol version not supported"):
		return reasonOldTLS
	case strings.HasPrefix(alert, "handshake failure"), strings.HasPrefix(alert, "insufficient security level"):
		return "the server ended the TLS handshake: it found no TLS version or cipher in common, or wanted a client certificate that was not sent"
	}
	return "the server ended the TLS handshake with an alert"
}

// tlsVersionName names a TLS version given in hex as crypto/tls prints it.
func tlsVersionName(hex string) string {
	switch hex {
	case "300":
		return "SSL 3.0"
	case "301":
		return "TLS 1.0"
	case "302":
		return "TLS 1.1"
	}
	return "protocol version 0x" + hex
}

// proxyReason explains a failure at the proxy, naming its variable.
func proxyReason(pf *proxyFailure) string {
	// 407 is the proxy's own status for a login (RFC 9110 §15.5.8); some
	// proxies (tinyproxy 1.11) answer a CONNECT with a wrong login with 401.
	login := pf.Status == http.StatusProxyAuthRequired || pf.Status == http.StatusUnauthorized
	status := strconv.Itoa(pf.Status) + " " + pf.Text
	switch {
	case login && pf.Login:
		return "the proxy in " + pf.Variable + " refused the login (" + status + "): check the user and password in the variable, with special characters percent-encoded"
	case login:
		return "the proxy in " + pf.Variable + " demands a login (" + status + "): put the user and password in the variable as http://user:password@host:port"
	case pf.Status != 0:
		return "the proxy in " + pf.Variable + " refused the tunnel to the server (" + status +
			"): have the proxy allow this host and port, or list the host in NO_PROXY"
	}
	return "cannot reach the proxy in " + pf.Variable + ": check the variable's host and port, or unset it"
}
