package saptest_test

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

func TestIASPasscode(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p)

	ec := saptest.WithECKey()
	past := saptest.ValidBetween(time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	future := saptest.ValidBetween(time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour))
	id := func(cn string, opts ...saptest.ClientOption) *tls.Certificate {
		c := saptest.MustClient(t, p, cn, opts...).TLSCertificate()
		return &c
	}
	leafOnly := func(cn string) *tls.Certificate {
		c := saptest.MustClient(t, p, cn, ec, saptest.ViaIntermediate()).TLSCertificate()
		c.Certificate = c.Certificate[:1]
		return &c
	}

	cases := []struct {
		name       string
		id         *tls.Certificate
		force      bool // send the certificate even if the server lists no matching CA
		wantStatus int  // 0: the handshake fails
		wantErr    string
		wantBody   string
	}{
		{name: "rsa from root", id: id("P000001 (rsa)"), wantStatus: 200},
		{name: "ec from root", id: id("P000002 (ec)", ec), wantStatus: 200},
		{name: "intermediate with chain", id: id("P000003 (chain)", ec, saptest.ViaIntermediate()), wantStatus: 200},
		{name: "intermediate without chain", id: leafOnly("P000004 (no chain)"), wantErr: "certificate required"},
		{name: "intermediate without chain, sent", id: leafOnly("P000004 (no chain, sent)"), force: true, wantErr: "unknown certificate authority"},
		{name: "untrusted", id: id("P000005 (untrusted)", ec, saptest.Untrusted()), wantErr: "certificate required"},
		{name: "untrusted, sent", id: id("P000005 (untrusted, sent)", ec, saptest.Untrusted()), force: true, wantErr: "unknown certificate authority"},
		{name: "expired", id: id("P000006 (expired)", ec, past), force: true, wantErr: "expired certificate"},
		{name: "not yet valid", id: id("P000007 (future)", ec, future), force: true, wantErr: "expired certificate"},
		{name: "no certificate", id: nil, wantErr: "certificate required"},
		{
			name: "certificate login disabled", id: id("P000008 NoLogin", ec), wantStatus: 403,
			wantBody: `{"error":"access_denied","error_description":"Certificate-based authentication is not enabled for the user type"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, http.MethodGet, ias.PasscodeURL(), "", "")
			req.Header.Set("Accept", "application/json")
			hc := clientWith(p, tc.id)
			if tc.force {
				hc = forcingClient(p, tc.id)
			}
			got, err := do(t, hc, req)
			if tc.wantStatus == 0 {
				if err == nil {
					t.Fatalf("GET passcode = %d, want a TLS error", got.status)
				}
				if !strings.Contains(err.Error(), "tls: "+tc.wantErr) {
					t.Errorf("error = %v, want TLS alert %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET passcode error = %v", err)
			}
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", got.status, tc.wantStatus, got.body)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if tc.wantBody != "" {
				if got.body != tc.wantBody {
					t.Errorf("body = %s, want %s", got.body, tc.wantBody)
				}
				return
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(got.body), &body); err != nil {
				t.Fatalf("body %q: %v", got.body, err)
			}
			pc, _ := body["passcode"].(string)
			if len(pc) != 32 || body["expires_in"] != float64(300) || len(body) != 2 {
				t.Errorf("body = %s, want a 32-character passcode and expires_in 300", got.body)
			}
			found := false
			for _, issued := range ias.Passcodes() {
				found = found || issued == pc
			}
			if !found {
				t.Errorf("passcode %q not in Passcodes()", pc)
			}
		})
	}
	t.Cleanup(func() {
		// Handshake failures never reach HTTP: 4 requests were recorded.
		if got := len(ias.Requests()); got != 4 {
			t.Errorf("len(Requests()) = %d, want 4", got)
		}
		if got := len(ias.Passcodes()); got != 3 {
			t.Errorf("len(Passcodes()) = %d, want 3", got)
		}
	})
}

func TestIASOmitExpiresIn(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p)
	ias.OmitExpiresIn(true)
	id := saptest.MustClient(t, p, "omit", saptest.WithECKey()).TLSCertificate()
	got, err := do(t, clientWith(p, &id), newRequest(t, http.MethodGet, ias.PasscodeURL(), "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"passcode":"` + ias.Passcodes()[0] + `"}`; got.body != want {
		t.Errorf("body = %s, want %s", got.body, want)
	}
}

func TestIASRouting(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p)
	c := saptest.MustClient(t, p, "router", saptest.WithECKey())
	hc := p.HTTPClient(c)

	cases := []struct {
		name, method, path string
		wantStatus         int
		wantAllow          string
	}{
		{"post", http.MethodPost, "/service/users/passcode", 405, "GET"},
		{"delete", http.MethodDelete, "/service/users/passcode", 405, "GET"},
		{"other path", http.MethodGet, "/service/users/passcodes", 404, ""},
		{"root", http.MethodGet, "/", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := do(t, hc, newRequest(t, tc.method, ias.URL+tc.path, "", ""))
			if err != nil {
				t.Fatal(err)
			}
			if got.status != tc.wantStatus || got.header.Get("Allow") != tc.wantAllow {
				t.Errorf("status, Allow = %d, %q, want %d, %q", got.status, got.header.Get("Allow"), tc.wantStatus, tc.wantAllow)
			}
		})
	}
	t.Cleanup(func() {
		if got := len(ias.Passcodes()); got != 0 {
			t.Errorf("len(Passcodes()) = %d, want 0", got)
		}
	})
}

func TestIASMinTLS12(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p)
	cfg := p.ClientTLSConfig(saptest.MustClient(t, p, "old tls", saptest.WithECKey()))
	cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS11, tls.VersionTLS11
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	_, err := do(t, hc, newRequest(t, http.MethodGet, ias.PasscodeURL(), "", ""))
	if err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("got %v, want a TLS protocol version failure", err)
	}
	// The same client may speak TLS 1.2: then the handshake works.
	cfg.MaxVersion = tls.VersionTLS12
	if _, err := do(t, hc, newRequest(t, http.MethodGet, ias.PasscodeURL(), "", "")); err != nil {
		t.Errorf("TLS 1.2: %v", err)
	}
}

func TestIASURLIsLoopback(t *testing.T) {
	t.Parallel()
	ias := saptest.MustIAS(t, testPKI(t))
	if !strings.HasPrefix(ias.URL, "https://127.0.0.1:") {
		t.Errorf("URL = %q, want https://127.0.0.1:<port>", ias.URL)
	}
}

func TestIASConcurrent(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p)
	hc := p.HTTPClient(saptest.MustClient(t, p, "many", saptest.WithECKey()))
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, err := hc.Get(ias.PasscodeURL())
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	if got := len(ias.Passcodes()); got != n {
		t.Errorf("len(Passcodes()) = %d, want %d", got, n)
	}
	seen := map[string]bool{}
	for _, pc := range ias.Passcodes() {
		if seen[pc] {
			t.Errorf("passcode %q issued twice", pc)
		}
		seen[pc] = true
	}
}
