package saptest_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// sharedPKI is minted once: a PKI is immutable, and RSA keys are slow under
// -race.
var sharedPKI = sync.OnceValues(func() (*saptest.PKI, error) {
	return saptest.NewPKI("ias.localtest")
})

func testPKI(t *testing.T) *saptest.PKI {
	t.Helper()
	p, err := sharedPKI()
	if err != nil {
		t.Fatalf("NewPKI() error = %v", err)
	}
	return p
}

// clientWith returns a client that trusts p's root and presents id, if any.
func clientWith(p *saptest.PKI, id *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: p.RootPool(), MinVersion: tls.VersionTLS12}
	if id != nil {
		cfg.Certificates = []tls.Certificate{*id}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

type response struct {
	status int
	header http.Header
	body   string
}

// forcingClient is clientWith, but sends id even when it does not chain to
// a CA that the server's CertificateRequest lists (Go's client would
// otherwise send no certificate), so that the server has to reject it.
func forcingClient(p *saptest.PKI, id *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: p.RootPool(), MinVersion: tls.VersionTLS12}
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return id, nil }
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}

// do sends req with hc and reads the whole response.
func do(t *testing.T, hc *http.Client, req *http.Request) (response, error) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("failed to read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

func newRequest(t *testing.T, method, url, contentType, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest() error = %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}
