package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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
// and the request. Once req's deadline has passed the cause is the timeout,
// whatever net/http made of it (a cut connection, a canceled request), so
// that the message does not depend on which timer fired first.
func explain(req *http.Request, err error) error {
	switch err.(type) {
	case *retryError, *explainedError:
		return err
	}
	r := reason(err)
	if pastDeadline(req.Context()) && r != msgTimeout {
		r = msgTimeout
	}
	return &explainedError{Reason: r, Request: requestName(req), Err: err}
}

// pastDeadline reports whether ctx ended at its deadline (the timeout),
// rather than canceled (a signal) or not at all.
func pastDeadline(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.DeadlineExceeded)
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

// answerBody is the body of an answer the client returns. A read error
// comes out explained (io.EOF stays as it is), and Close ends the
// request's timeout.
type answerBody struct {
	rc io.ReadCloser
	// ctx is the request's context, timeout included.
	ctx context.Context
	// cancel releases the request's timeout; nil without one.
	cancel context.CancelFunc
	// first is the failure of the first attempt when this answer came to
	// a later one; nil otherwise.
	first error
}

// FirstFailure returns what the first attempt got, explained, when the
// client sent the request more than once and this answer came to a later
// attempt; nil for an answer to the first. A flow whose message is made
// from this answer names that failure too (pkg/flow's FirstAttempt finds
// this method on the answer's body).
func (b *answerBody) FirstFailure() error { return b.first }

// Read reads the answer; an error other than io.EOF is an *explainedError.
// Once the request's deadline has passed, the error is the timeout itself,
// whichever timer fired and whatever net/http made of it (the deadline, a
// canceled request, the connection closed under it): one message for an
// answer that did not arrive in full within the timeout.
func (b *answerBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == nil || err == io.EOF || errors.Is(err, http.ErrBodyReadAfterClose) {
		// A read after Close is the caller's mistake, not the network's.
		return n, err
	}
	if b.ctx != nil && pastDeadline(b.ctx) {
		return n, &explainedError{Reason: msgBodyTimeout, Err: context.DeadlineExceeded}
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
		return msgCanceled
	case timedOut(err):
		return msgBodyTimeout
	}
	return msgBodyCut
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
		return msgCanceled
	}
	if pf, ok := errors.AsType[*proxyFailure](err); ok {
		return proxyReason(pf)
	}
	if timedOut(err) {
		return msgTimeout
	}
	if r := certProblem(err); r != "" {
		return r
	}
	if _, after, ok := strings.Cut(msg, matchUnsupportedVersion); ok {
		return fmt.Sprintf(msgServerChoseOldTLS, tlsVersionName(strings.Fields(after)[0]))
	}
	if _, alert, ok := strings.Cut(msg, matchAlert); ok {
		return alertReason(alert)
	}
	if rh, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		if string(rh.RecordHeader[:]) == "HTTP/" {
			return msgPlainHTTP
		}
		return msgNotTLS
	}
	if ae, ok := errors.AsType[*net.AddrError](err); ok && ae.Err == matchInvalidPort {
		return msgBadPort
	}
	if dns, ok := errors.AsType[*net.DNSError](err); ok {
		if dns.IsNotFound {
			return msgUnknownHost
		}
		return msgDNSFailed
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return msgConnRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return msgConnReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return msgClosedEarly
	case strings.Contains(msg, matchTLSError):
		return msgHandshakeFailed
	}
	return msgRequestFailed
}

// certProblem explains a failed verification of the server's certificate,
// or returns "".
func certProblem(err error) string {
	if _, ok := errors.AsType[x509.SystemRootsError](err); ok {
		return msgSystemRoots
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return msgUnknownCA
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return msgWrongHost
	}
	if inv, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		if inv.Reason == x509.Expired {
			return msgServerCertExpired
		}
		return msgServerCertInvalid
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return msgServerCertUnverified
	}
	return ""
}

// alertReason explains a TLS alert from the server. Over TCP, crypto/tls
// reports it as a *net.OpError "remote error" around an unexported type
// (tls.AlertError is the QUIC form and never matches), so the text is all
// there is to go by.
func alertReason(alert string) string {
	switch {
	case strings.HasPrefix(alert, matchAlertCertRequired):
		return msgNoClientCert
	case strings.HasPrefix(alert, matchAlertUnknownCA):
		return msgUntrustedClientIssuer
	case strings.HasPrefix(alert, matchAlertBadCert), strings.HasPrefix(alert, matchAlertUnsupportedCert), strings.HasPrefix(alert, matchAlertUnknownCert), strings.HasPrefix(alert, matchAlertAccessDenied):
		return msgBadClientCert
	case strings.HasPrefix(alert, matchAlertExpiredCert):
		return msgClientCertExpired
	case strings.HasPrefix(alert, matchAlertRevokedCert):
		return msgClientCertRevoked
	case strings.HasPrefix(alert, matchAlertVersion):
		return msgOldTLS
	case strings.HasPrefix(alert, matchAlertHandshakeFailure), strings.HasPrefix(alert, matchAlertInsufficientLevel):
		return msgHandshakeRefused
	}
	return msgAlert
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
	return fmt.Sprintf(textUnknownVersion, hex)
}

// proxyReason explains a failure at the proxy, naming its variable.
func proxyReason(pf *proxyFailure) string {
	// 407 is the proxy's own status for a login (RFC 9110 §15.5.8); some
	// proxies (tinyproxy 1.11) answer a CONNECT with a wrong login with 401.
	login := pf.Status == http.StatusProxyAuthRequired || pf.Status == http.StatusUnauthorized
	status := strconv.Itoa(pf.Status) + " " + pf.Text
	switch {
	case login && pf.Login:
		return fmt.Sprintf(msgProxyLoginRefused, pf.Variable, status)
	case login:
		return fmt.Sprintf(msgProxyLoginNeeded, pf.Variable, status)
	case pf.Status != 0:
		return fmt.Sprintf(msgProxyTunnelRefused, pf.Variable, status)
	}
	return fmt.Sprintf(msgProxyUnreachable, pf.Variable)
}
