package transport

// The texts of package transport. msg… constants are messages, each listed
// in TROUBLESHOOTING.md; text… constants are other texts users see; match…
// constants are texts of other programs (crypto/tls, net) that the code
// looks for.
const (
	// Reasons shared by several causes (pkg/flow's StatusHint gives the
	// same two texts for the client certificate, so that
	// TROUBLESHOOTING.md holds one entry for both).
	msgTimeout       = "no answer within the timeout: check the URL, the network and any proxy (HTTPS_PROXY), or raise timeout"
	msgNoClientCert  = "no client certificate was sent: the key/certificate input has no certificate, or this is not the certificate (mTLS) endpoint"
	msgBadClientCert = "the server refused the client certificate: it does not trust its issuer, or the chain is incomplete"
	msgOldTLS        = "the server only speaks TLS older than 1.2, which is refused: the server must enable TLS 1.2 or 1.3"
	msgCanceled      = "the request was canceled"

	// Reasons of a failure to read an answer whose status arrived.
	msgBodyTimeout = "the answer did not arrive in full within the timeout: check the network and any proxy (HTTPS_PROXY), or raise timeout"
	msgBodyCut     = "the answer was cut short: the server, a proxy or the network closed the connection"

	// Reasons of failures without an answer.
	msgServerChoseOldTLS = "the server chose %s, which is refused (TLS 1.2 or newer is required): the server must enable TLS 1.2 or 1.3"
	msgPlainHTTP         = "the server answered plain HTTP on a TLS port: check the URL's port, or whether the service needs https at all"
	msgNotTLS            = "the server does not speak TLS at this address: check the URL's port"
	msgBadPort           = "the URL's port is out of range: use a port from 1 to 65535"
	msgUnknownHost       = "the host name does not resolve: check the URL's host"
	msgDNSFailed         = "the host name could not be resolved (DNS failed): check the URL's host and the runner's DNS, or retry later"
	msgConnRefused       = "the server refused the connection: check the URL's host and port, and that the service is up"
	msgConnReset         = "the connection was reset: the server refused the client certificate, or a firewall or proxy cut the connection; check the certificate and HTTPS_PROXY, or retry later"
	msgClosedEarly       = "the server closed the connection without an answer: it may have refused the client certificate or be overloaded; check the certificate, or retry later"
	msgHandshakeFailed   = "the TLS handshake failed"
	msgRequestFailed     = "the request failed"

	// textUnknownVersion names a TLS version crypto/tls gave in hex, in
	// msgServerChoseOldTLS.
	textUnknownVersion = "protocol version 0x%s"

	// Reasons of a failed verification of the server's certificate.
	msgSystemRoots          = "the system CA certificates could not be read: check SSL_CERT_FILE and SSL_CERT_DIR (or install the ca-certificates package), or give the server's CA with ca-certificates"
	msgUnknownCA            = "the server's certificate is not signed by a trusted CA: add its CA with ca-certificates"
	msgWrongHost            = "the server's certificate is for another host name: check the URL's host"
	msgServerCertExpired    = "the server's certificate has expired or is not yet valid: the server must renew it (or the runner's clock is wrong)"
	msgServerCertInvalid    = "the server's certificate is not valid for a TLS server: check the URL's host"
	msgServerCertUnverified = "the server's certificate could not be verified: check the URL's host and ca-certificates"

	// Reasons of a TLS alert from the server.
	msgUntrustedClientIssuer = "the server does not trust the issuer of the client certificate: send the certificate with its chain, or have its CA trusted by the server"
	msgClientCertExpired     = "the server says the client certificate has expired or is not yet valid: renew it"
	msgClientCertRevoked     = "the server says the client certificate was revoked: get a new one"
	msgHandshakeRefused      = "the server ended the TLS handshake: it found no TLS version or cipher in common, or wanted a client certificate that was not sent"
	msgAlert                 = "the server ended the TLS handshake with an alert"

	// Texts of crypto/tls's and net's errors.
	matchUnsupportedVersion = "server selected unsupported protocol version "
	matchRemoteError        = "remote error: tls:"
	// matchAlert precedes the name of a TLS alert from the server.
	matchAlert       = matchRemoteError + " "
	matchTLSError    = "tls: "
	matchInvalidPort = "invalid port"

	// Names of TLS alerts, as crypto/tls prints them after matchAlert.
	matchAlertCertRequired      = "certificate required"
	matchAlertUnknownCA         = "unknown certificate authority"
	matchAlertBadCert           = "bad certificate"
	matchAlertUnsupportedCert   = "unsupported certificate"
	matchAlertUnknownCert       = "unknown certificate"
	matchAlertAccessDenied      = "access denied"
	matchAlertExpiredCert       = "expired certificate"
	matchAlertRevokedCert       = "revoked certificate"
	matchAlertVersion           = "protocol version not supported"
	matchAlertHandshakeFailure  = "handshake failure"
	matchAlertInsufficientLevel = "insufficient security level"

	// Failures at the proxy: its variable, then (for a refused CONNECT)
	// the status.
	msgBadProxy           = "failed to read the proxy from %s: it is not a proxy URL; set it to http://host:port (http://user:password@host:port for a proxy that asks for a login), or unset it"
	msgProxyLoginRefused  = "the proxy in %s refused the login (%s): check the user and password in the variable, with special characters percent-encoded"
	msgProxyLoginNeeded   = "the proxy in %s demands a login (%s): put the user and password in the variable as http://user:password@host:port"
	msgProxyTunnelRefused = "the proxy in %s refused the tunnel to the server (%s): have the proxy allow this host and port, or list the host in NO_PROXY"
	msgProxyUnreachable   = "cannot reach the proxy in %s: check the variable's host and port, or unset it"
	msgConnectRefused     = "the proxy answered CONNECT with %d %s"

	// A request that failed although it was retried (retryError): its
	// attempts and time, whether the timeout stopped it, then its first
	// and last failure and the fix.
	msgRetriesFailed       = "failed to get an answer in %d %s over %s"
	msgStoppedByTimeout    = ", stopped by the timeout"
	msgRetryLater          = "; retry later"
	msgRetryLaterOrTimeout = "; retry later, or raise timeout"
	// The server's Retry-After ended past the deadline (retryError.Wait):
	// how long it asked to wait, then the fix (raising timeout only for a
	// wait a CI step can afford).
	msgServerAskedWait       = "; the server asked to wait %s before another request (Retry-After), which ends past timeout, so none was sent"
	msgRunAfterWait          = "; run the step again after that wait"
	msgRunAfterWaitOrTimeout = "; run the step again after that wait, or raise timeout above it"
	// How long a server asked to wait (roundWait), from two minutes up.
	textMinutes   = "%d minutes"
	textHours     = "%d hours"
	textDays      = "%d days"
	textYears     = "%d years"
	msgRewindBody = "failed to rewind the request body for a retry: %w"

	// A reason phrase that echoed a secret of the request in a form that
	// could not be replaced by ***.
	msgEchoLeftOut = "server text that held a secret was left out"
)
