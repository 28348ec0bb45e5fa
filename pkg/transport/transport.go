// Package transport builds the one HTTP client every flow uses: TLS 1.2 or
// newer with verification always on, an optional client certificate for
// mutual TLS, the proxy from the environment, and an overall timeout.
//
// There is deliberately no way to skip certificate verification: a private
// CA is added through Options.RootCAs instead.
package transport

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Options configures [New]. The zero value is a client with the system
// roots, no client certificate and no timeout.
type Options struct {
	// Timeout bounds each request from dial to the end of the body.
	Timeout time.Duration
	// RootCAs verifies servers; nil means the system roots.
	RootCAs *x509.CertPool
	// ClientCertificate is sent when the server asks for one; nil sends none.
	ClientCertificate *tls.Certificate
	// Proxy picks the proxy for a request; nil means http.ProxyFromEnvironment
	// (HTTPS_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
}

// New returns a client configured by o.
func New(o Options) *http.Client {
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
	proxy := o.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	return &http.Client{
		Timeout: o.Timeout,
		Transport: &http.Transport{
			Proxy:               proxy,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:     tc,
			TLSHandshakeTimeout: 10 * time.Second,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        4,
			IdleConnTimeout:     30 * time.Second,
		},
		// Token and passcode endpoints answer directly; a redirect usually
		// means a login page, which we report instead of following blindly.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
