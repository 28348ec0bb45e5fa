package transport

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestNew checks the TLS policy against saptest's fake IAS, which requires a
// client certificate (TLS 1.2+, verified against the PKI's root): only a
// verified server is reached, and the client certificate travels with its
// chain.
func TestNew(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	viaIntermediate := saptest.MustClient(t, p, "chained-user", saptest.ViaIntermediate()).TLSCertificate()
	leafOnly := viaIntermediate
	leafOnly.Certificate = leafOnly.Certificate[:1]
	cases := []struct {
		name    string
		roots   bool
		cert    *tls.Certificate
		wantCN  string
		wantErr string
	}{
		{name: "verified server, certificate with its chain", roots: true, cert: &viaIntermediate, wantCN: "chained-user"},
		{name: "unknown server CA", roots: false, cert: &viaIntermediate, wantErr: "certificate signed by unknown authority"},
		// A refused client certificate ends the handshake with an alert; under
		// TLS 1.3 the client may instead see the connection reset when it
		// sends the request, so those count too (no request reaches the
		// server either way).
		{name: "certificate without its chain", roots: true, cert: &leafOnly, wantErr: "remote error: tls|connection reset|broken pipe"},
		{name: "certificate demanded but none given", roots: true, wantErr: "certificate required|connection reset|broken pipe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ias := saptest.MustIAS(t, p)
			o := Options{Timeout: 5 * time.Second, ClientCertificate: tc.cert}
			if tc.roots {
				o.RootCAs = p.RootPool()
			}
			o.Getenv = env(nil)
			hc, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := hc.Get(ias.PasscodeURL())
			if tc.wantErr != "" {
				if err == nil || !regexp.MustCompile(tc.wantErr).MatchString(err.Error()) {
					t.Fatalf("got %v, want an error matching %q", err, tc.wantErr)
				}
				if n := len(ias.Requests()); n != 0 {
					t.Errorf("%d requests reached the server", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
			if reqs := ias.Requests(); len(reqs) != 1 || reqs[0].ClientCertCN != tc.wantCN {
				t.Errorf("requests %+v, want one from CN %q", reqs, tc.wantCN)
			}
		})
	}
}

// TestTLS11Refused needs a server that offers only TLS 1.0 and 1.1, which
// no saptest fake does (they all require TLS 1.2, as SAP's endpoints do).
// Go servers refuse TLS 1.1 by default, so the server's minimum is lowered,
// and a client that allows TLS 1.1 proves the server really speaks it.
func TestTLS11Refused(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.ServerCertificate()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	ts.Config.ErrorLog = discardLog()
	ts.StartTLS()
	defer ts.Close()
	old := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.RootPool(), MinVersion: tls.VersionTLS11}}}
	resp, err := old.Get(ts.URL)
	if err != nil {
		t.Fatalf("a TLS 1.1 client cannot reach the test server: %v", err)
	}
	resp.Body.Close()
	_, err = newClient(t, Options{RootCAs: p.RootPool(), Timeout: 5 * time.Second}).Get(ts.URL)
	if err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("got %v, want a protocol version error", err)
	}
}

func TestNoRedirects(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
	uaa.SetFault(saptest.Fault{Status: http.StatusFound, Location: "https://login.example.com/"})
	resp, err := newClient(t, Options{RootCAs: p.RootPool(), Timeout: 5 * time.Second}).Get(uaa.TokenURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://login.example.com/" {
		t.Errorf("status %d: the redirect was followed", resp.StatusCode)
	}
	if n := len(uaa.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
