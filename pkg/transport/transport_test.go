package transport_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// TestNew checks the TLS policy against servers with different settings:
// only verified TLS 1.2+ servers are reached, and the client certificate
// with its chain is sent when asked for.
func TestNew(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	client := saptest.MustClient(t, p, "user", saptest.ViaIntermediate())
	cert := client.TLSCertificate()
	cases := []struct {
		name    string
		server  func(*tls.Config)
		roots   bool
		cert    bool
		wantErr string
	}{
		{name: "verified server", roots: true},
		{name: "unknown server CA", roots: false, wantErr: "certificate signed by unknown authority"},
		{name: "TLS 1.1 server refused", roots: true, server: func(c *tls.Config) { c.MaxVersion = tls.VersionTLS11 }, wantErr: "protocol version"},
		{name: "client certificate with chain", roots: true, cert: true, server: func(c *tls.Config) {
			c.ClientAuth = tls.RequireAndVerifyClientCert
			c.ClientCAs = p.ClientCAPool()
		}},
		{name: "client certificate demanded but none given", roots: true, server: func(c *tls.Config) {
			c.ClientAuth = tls.RequireAndVerifyClientCert
			c.ClientCAs = p.ClientCAPool()
		}, wantErr: "certificate required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
					w.Write([]byte(r.TLS.PeerCertificates[0].Subject.CommonName))
				}
			}))
			ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.ServerCertificate()}}
			if tc.server != nil {
				tc.server(ts.TLS)
			}
			ts.StartTLS()
			defer ts.Close()
			o := transport.Options{Timeout: 5 * time.Second}
			if tc.roots {
				o.RootCAs = p.RootPool()
			}
			if tc.cert {
				o.ClientCertificate = &cert
			}
			resp, err := transport.New(o).Get(ts.URL)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		})
	}
}

func TestNoRedirects(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	ts := httptest.NewUnstartedServer(http.RedirectHandler("https://login.example.com/", http.StatusFound))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.ServerCertificate()}}
	ts.StartTLS()
	defer ts.Close()
	resp, err := transport.New(transport.Options{RootCAs: p.RootPool()}).Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status %d: the redirect was followed", resp.StatusCode)
	}
}
