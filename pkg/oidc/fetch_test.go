package oidc

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// sharedPKI is minted once: a PKI is immutable.
var sharedPKI = sync.OnceValues(func() (*saptest.PKI, error) { return saptest.NewPKI() })

func testPKI(t *testing.T) *saptest.PKI {
	t.Helper()
	p, err := sharedPKI()
	if err != nil {
		t.Fatalf("NewPKI() error = %v", err)
	}
	return p
}

// sharedIssuer is one fake issuer for the tests that only read from it:
// minting its RSA key is slow under -race.
var sharedIssuer = sync.OnceValues(func() (*saptest.Issuer, error) {
	p, err := sharedPKI()
	if err != nil {
		return nil, err
	}
	return saptest.NewIssuer(p)
})

func testIssuer(t *testing.T) *saptest.Issuer {
	t.Helper()
	i, err := sharedIssuer()
	if err != nil {
		t.Fatalf("NewIssuer() error = %v", err)
	}
	return i
}

// tlsServer starts an https server on 127.0.0.1 with the PKI's server
// certificate that counts its requests.
func tlsServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen() error = %v", err)
	}
	s := &httptest.Server{
		Listener: l,
		Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			h(w, r)
		})},
		TLS: &tls.Config{Certificates: []tls.Certificate{testPKI(t).ServerCertificate()}, MinVersion: tls.VersionTLS12},
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s, &n
}

// assertNoLeak fails when msg contains any of the secrets.
func assertNoLeak(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("error %q leaks a secret", msg)
		}
	}
}

func TestFetchGitHubFromIssuer(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t)
	hc := prodClient(t, testPKI(t))

	tests := []struct {
		name     string
		audience string
		wantAud  string
	}{
		{name: "plain audience", audience: "sap-ci-auth", wantAud: "sap-ci-auth"},
		{name: "audience that needs encoding", audience: "https://ias.example/a b?c=d&e=f#g", wantAud: "https://ias.example/a b?c=d&e=f#g"},
		{name: "no audience means GitHub's default", audience: "", wantAud: saptest.GitHubDefaultAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := FetchGitHub(context.Background(), hc, iss.RequestURL(), iss.RequestToken(), tt.audience)
			if err != nil {
				t.Fatalf("FetchGitHub() error = %v", err)
			}
			c, err := ParseUnverified(tok)
			if err != nil {
				t.Fatalf("ParseUnverified() error = %v", err)
			}
			if got := strings.Join(c.Audience, ","); got != tt.wantAud {
				t.Errorf("aud = %q, want %q", got, tt.wantAud)
			}
			// The request the issuer saw for this token.
			var found bool
			for _, r := range iss.Requests() {
				if r.Path != saptest.IssuerTokenRequestPath || r.Query.Get("audience") != tt.audience {
					continue
				}
				found = true
				if got, want := r.Header.Get("Authorization"), "Bearer "+iss.RequestToken(); got != want {
					t.Errorf("Authorization = %q, want the bearer request token", got)
				}
				if got := r.Header.Get("Accept"); got != "application/json" {
					t.Errorf("Accept = %q, want application/json", got)
				}
				if got := r.Query.Get("api-version"); got != "2.0" {
					t.Errorf("api-version = %q, want 2.0 (the runner's query kept)", got)
				}
				if _, has := r.Query["audience"]; has != (tt.audience != "") {
					t.Errorf("audience parameter present = %v, want %v", has, tt.audience != "")
				}
				if strings.Contains(r.Query.Encode(), iss.RequestToken()) || r.Body != "" {
					t.Errorf("request token outside the Authorization header: query %q body %q", r.Query.Encode(), r.Body)
				}
			}
			if !found {
				t.Errorf("issuer saw no token request with audience %q", tt.audience)
			}
		})
	}
}

func TestFetchGitHubFailures(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	hc := prodClient(t, p)
	const requestToken = "REQUEST-TOKEN-5ecr3t"
	const jwtInBody = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.c2lnbmF0dXJlLXNlY3JldA"

	// other must never be reached: a redirect to it carries no token.
	other, otherHits := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"value":"`+jwtInBody+`"}`)
	})

	tests := []struct {
		name       string
		handler    http.HandlerFunc
		url        func(base string) string
		wantErr    string
		wantStatus int
		wantHits   int32
	}{
		{
			name:     "URL without a query",
			handler:  func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"value":"a.b.c"}`) },
			url:      func(base string) string { return base + "/token" },
			wantHits: 1,
		},
		{
			name:       "401 names the permission",
			handler:    func(w http.ResponseWriter, r *http.Request) { http.Error(w, jwtInBody, http.StatusUnauthorized) },
			wantErr:    "id-token: write",
			wantStatus: http.StatusUnauthorized,
			wantHits:   1,
		},
		{
			name:       "403 names the permission and expiry",
			handler:    func(w http.ResponseWriter, r *http.Request) { http.Error(w, jwtInBody, http.StatusForbidden) },
			wantErr:    "request token expired",
			wantStatus: http.StatusForbidden,
			wantHits:   1,
		},
		{
			// The production client retries a 500 as SAP's policy says
			// (3 retries), then names the first failure.
			name:     "500 is retried, then named",
			handler:  func(w http.ResponseWriter, r *http.Request) { http.Error(w, jwtInBody, http.StatusInternalServerError) },
			wantErr:  "4 attempts over",
			wantHits: 4,
		},
		{
			// A retry that ends in another error names the first too.
			name: "503, then 401: both named",
			handler: func() http.HandlerFunc {
				var n atomic.Int32
				return func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) == 1 {
						http.Error(w, jwtInBody, http.StatusServiceUnavailable)
						return
					}
					http.Error(w, jwtInBody, http.StatusUnauthorized)
				}
			}(),
			wantErr:    "(HTTP 401): give the job `permissions: id-token: write`, or rerun it if the request token expired; the request was retried: its first attempt got HTTP 503 Service Unavailable",
			wantStatus: http.StatusUnauthorized,
			wantHits:   2,
		},
		{
			name: "redirect is not followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
			},
			wantErr:    "redirect (HTTP 307)",
			wantStatus: http.StatusTemporaryRedirect,
			wantHits:   1,
		},
		{
			name: "huge body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"value":"`+strings.Repeat("A", 1<<20)+`"}`)
			},
			wantErr:  "larger than 1 MiB",
			wantHits: 1,
		},
		{
			name:     "not JSON",
			handler:  func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<html>"+jwtInBody+"</html>") },
			wantErr:  `not the JSON object {"value": "<jwt>"}`,
			wantHits: 1,
		},
		{
			name:     "value of the wrong type",
			handler:  func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"value":["`+jwtInBody+`"]}`) },
			wantErr:  "not the JSON object",
			wantHits: 1,
		},
		{
			name: "missing value",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"count":1,"token":"`+jwtInBody+`"}`)
			},
			wantErr:  `no "value"`,
			wantHits: 1,
		},
		{
			name:     "empty value",
			handler:  func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"value":""}`) },
			wantErr:  `no "value"`,
			wantHits: 1,
		},
		{
			name:    "http is refused before any request",
			handler: func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"value":"a.b.c"}`) },
			url: func(base string) string {
				return strings.Replace(base, "https://", "http://", 1) + "/t?api-version=2.0"
			},
			wantErr:  "ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL",
			wantHits: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sawAuth atomic.Value
			srv, hits := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
				sawAuth.Store(r.Header.Get("Authorization") + " " + r.URL.RawQuery)
				tt.handler(w, r)
			})
			u := srv.URL + "/t?api-version=2.0"
			if tt.url != nil {
				u = tt.url(srv.URL)
			}
			tok, err := FetchGitHub(context.Background(), hc, u, requestToken, "sap-ci-auth")
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("token service requests = %d, want %d", got, tt.wantHits)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("FetchGitHub() error = %v", err)
				}
				if tok != "a.b.c" {
					t.Errorf("token = %q, want a.b.c", tok)
				}
				if got, want := sawAuth.Load(), "Bearer "+requestToken+" audience=sap-ci-auth"; got != want {
					t.Errorf("server saw %q, want %q", got, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("FetchGitHub() = %q, want error containing %q", tok, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
			assertNoLeak(t, err.Error(), requestToken, jwtInBody, strings.Repeat("A", 64))
			var se *tokenStatusError
			if got := errors.As(err, &se); got != (tt.wantStatus != 0) || (got && se.StatusCode != tt.wantStatus) {
				t.Errorf("StatusError = %v (%v), want status %d", se, got, tt.wantStatus)
			}
		})
	}
	t.Cleanup(func() {
		if n := otherHits.Load(); n != 0 {
			t.Errorf("redirect target got %d requests, want 0 (request token must not follow a redirect)", n)
		}
	})
}

func TestFetchGitHubBadInput(t *testing.T) {
	t.Parallel()
	hc := prodClient(t, testPKI(t))
	tests := []struct {
		name    string
		hc      *http.Client
		url     string
		token   string
		wantErr string
	}{
		{name: "no client", hc: nil, url: "https://127.0.0.1:1/t", token: "x", wantErr: "no HTTP client"},
		{name: "no request token", hc: hc, url: "https://127.0.0.1:1/t", token: "", wantErr: "id-token: write"},
		{name: "relative URL", hc: hc, url: "/t?api-version=2.0", token: "secret-tok", wantErr: "must be an https URL"},
		{name: "unparsable URL", hc: hc, url: "https://[::1", token: "secret-tok", wantErr: "failed to parse ACTIONS_ID_TOKEN_REQUEST_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FetchGitHub(context.Background(), tt.hc, tt.url, tt.token, "")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("FetchGitHub() error = %v, want %q", err, tt.wantErr)
			}
			assertNoLeak(t, err.Error(), tt.token)
		})
	}
}

func TestFetchGitHubWrongRequestToken(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t)
	const wrong = "wrong-request-token-value"
	_, err := FetchGitHub(context.Background(), prodClient(t, testPKI(t)), iss.RequestURL(), wrong, "aud-wrong-token")
	var se *tokenStatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusUnauthorized {
		t.Fatalf("FetchGitHub() error = %v, want a 401 StatusError", err)
	}
	assertNoLeak(t, err.Error(), wrong, iss.RequestToken())
}

// prodClient is the client production uses (transport.New), trusting p,
// with retry waits skipped (the retries themselves still happen).
func prodClient(t *testing.T, p *saptest.PKI) *http.Client {
	t.Helper()
	hc, err := transport.New(transport.Options{Timeout: 30 * time.Second, RootCAs: p.RootPool(),
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return hc
}
