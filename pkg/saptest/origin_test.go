package saptest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestUAALoginHint: users of another origin authenticate only with its
// login_hint, in the body or the query, and each request is answered once.
func TestUAALoginHint(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	cfg := uaaConfig()
	cfg.Origins = map[string]map[string]string{"corp-idp": {"jane@corp.example": "corp-Pw-1"}}
	hc := p.HTTPClient(nil)
	const unmatched = "The origin provided in the login_hint does not match an active Identity Provider, that supports password grant."

	hint := func(origin string) string { return `{"origin":"` + origin + `"}` }
	cases := []struct {
		name, user, password string
		bodyHint, queryHint  string
		wantStatus           int
		wantError, wantDesc  string
		wantOrigin           string
	}{
		{name: "default user, no hint", user: "COCKPIT_ADMIN", password: "Pa ss:w%rd!", wantStatus: 200, wantOrigin: "uaa"},
		{name: "default user, hint uaa", user: "COCKPIT_ADMIN", password: "Pa ss:w%rd!", bodyHint: hint("uaa"), wantStatus: 200, wantOrigin: "uaa"},
		{name: "corp user without hint", user: "jane@corp.example", password: "corp-Pw-1",
			wantStatus: 401, wantError: "unauthorized", wantDesc: "Name or password mismatch"},
		{name: "corp user, hint in the body", user: "jane@corp.example", password: "corp-Pw-1", bodyHint: hint("corp-idp"), wantStatus: 200, wantOrigin: "corp-idp"},
		{name: "corp user, hint in the query", user: "jane@corp.example", password: "corp-Pw-1", queryHint: hint("corp-idp"), wantStatus: 200, wantOrigin: "corp-idp"},
		{name: "corp user, wrong password", user: "jane@corp.example", password: "wrong", bodyHint: hint("corp-idp"),
			wantStatus: 401, wantError: "unauthorized", wantDesc: "Name or password mismatch"},
		{name: "default user, hint of the other origin", user: "COCKPIT_ADMIN", password: "Pa ss:w%rd!", bodyHint: hint("corp-idp"),
			wantStatus: 401, wantError: "unauthorized", wantDesc: "Name or password mismatch"},
		{name: "unknown origin", user: "jane@corp.example", password: "corp-Pw-1", bodyHint: hint("nope-idp"),
			wantStatus: 401, wantError: "unauthorized", wantDesc: unmatched},
		{name: "hint not JSON", user: "jane@corp.example", password: "corp-Pw-1", bodyHint: "corp-idp",
			wantStatus: 401, wantError: "unauthorized", wantDesc: "The origin provided in the login hint is invalid."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := saptest.MustUAA(t, p, cfg)
			form := url.Values{"grant_type": {"password"}, "username": {tc.user}, "password": {tc.password},
				"client_id": {"plain"}, "client_secret": {"plain-secret"}}
			if tc.bodyHint != "" {
				form.Set("login_hint", tc.bodyHint)
			}
			target := uaa.TokenURL()
			if tc.queryHint != "" {
				target += "?" + url.Values{"login_hint": {tc.queryHint}}.Encode()
			}
			got, err := do(t, hc, newRequest(t, http.MethodPost, target, "application/x-www-form-urlencoded", form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			if n := uaa.Count(saptest.DefaultTokenPath); n != 1 {
				t.Errorf("%d requests reached the UAA, want 1", n)
			}
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d (%s), want %d", got.status, got.body, tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				var e struct {
					Error            string `json:"error"`
					ErrorDescription string `json:"error_description"`
				}
				if err := json.Unmarshal([]byte(got.body), &e); err != nil {
					t.Fatalf("error body %q: %v", got.body, err)
				}
				if e.Error != tc.wantError || e.ErrorDescription != tc.wantDesc {
					t.Errorf("error = %q %q, want %q %q", e.Error, e.ErrorDescription, tc.wantError, tc.wantDesc)
				}
				return
			}
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal([]byte(got.body), &tok); err != nil {
				t.Fatal(err)
			}
			claims := jwtClaims(t, tok.AccessToken)
			if claims["origin"] != tc.wantOrigin || claims["user_name"] != tc.user {
				t.Errorf("claims origin, user_name = %v, %v, want %s, %s", claims["origin"], claims["user_name"], tc.wantOrigin, tc.user)
			}
		})
	}
}

// TestUAADiscovery: the discovery document names the token endpoint and its
// mTLS alias, which answers X.509 clients on the same server.
func TestUAADiscovery(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	cases := []struct {
		name                     string
		cfg                      saptest.UAAConfig
		wantPath                 string
		wantTokenPath, wantAlias string
	}{
		{name: "XSUAA", cfg: uaaConfig(), wantPath: "/.well-known/openid-configuration",
			wantTokenPath: "/oauth/token", wantAlias: "/cert/oauth/token"},
		{name: "cockpit under /uaa-security", cfg: saptest.UAAConfig{Clients: map[string]string{x509Client: ""}, TokenPath: "/uaa-security/oauth/token"},
			wantPath: "/uaa-security/.well-known/openid-configuration", wantTokenPath: "/uaa-security/oauth/token", wantAlias: "/cert/uaa-security/oauth/token"},
		{name: "own cert path", cfg: saptest.UAAConfig{Clients: map[string]string{x509Client: ""}, CertTokenPath: "/mtls/token"},
			wantPath: "/.well-known/openid-configuration", wantTokenPath: "/oauth/token", wantAlias: "/mtls/token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := saptest.MustUAA(t, p, tc.cfg)
			if got := uaa.DiscoveryURL(); got != uaa.URL+tc.wantPath {
				t.Errorf("DiscoveryURL() = %q, want %q", got, uaa.URL+tc.wantPath)
			}
			got, err := do(t, p.HTTPClient(nil), newRequest(t, http.MethodGet, uaa.DiscoveryURL(), "", ""))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Issuer              string            `json:"issuer"`
				TokenEndpoint       string            `json:"token_endpoint"`
				MTLSEndpointAliases map[string]string `json:"mtls_endpoint_aliases"`
			}
			if got.status != 200 || got.header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(got.body), &doc) != nil {
				t.Fatalf("discovery answered %d %q: %s", got.status, got.header.Get("Content-Type"), got.body)
			}
			if doc.Issuer != uaa.URL+tc.wantTokenPath || doc.TokenEndpoint != uaa.TokenURL() || doc.TokenEndpoint != uaa.URL+tc.wantTokenPath {
				t.Errorf("issuer, token_endpoint = %q, %q, want %q", doc.Issuer, doc.TokenEndpoint, uaa.URL+tc.wantTokenPath)
			}
			alias := doc.MTLSEndpointAliases["token_endpoint"]
			if alias != uaa.URL+tc.wantAlias || alias != uaa.CertTokenURL() {
				t.Errorf("mtls_endpoint_aliases.token_endpoint = %q, want %q", alias, uaa.URL+tc.wantAlias)
			}

			// The alias answers an X.509 client.
			c := saptest.MustClient(t, p, x509Client, saptest.WithECKey())
			id := c.TLSCertificate()
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}}
			tok, err := do(t, clientWith(p, &id), newRequest(t, http.MethodPost, alias, "application/x-www-form-urlencoded", form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			if tok.status != 200 {
				t.Errorf("token from the alias: %d %s, want 200", tok.status, tok.body)
			}
			if got, want := uaa.Count(tc.wantAlias), 1; got != want {
				t.Errorf("Count(alias) = %d, want %d", got, want)
			}
			if got := uaa.Count(tc.wantTokenPath); got != 0 {
				t.Errorf("Count(token path) = %d, want 0", got)
			}

			post, err := do(t, p.HTTPClient(nil), newRequest(t, http.MethodPost, uaa.DiscoveryURL(), "", ""))
			if err != nil {
				t.Fatal(err)
			}
			if post.status != 405 {
				t.Errorf("POST discovery: %d, want 405", post.status)
			}
		})
	}
}

func TestNewUAACertPath(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	for _, path := range []string{"relative/token", "/oauth/token"} {
		if _, err := saptest.NewUAA(p, saptest.UAAConfig{CertTokenPath: path}); err == nil {
			t.Errorf("NewUAA(CertTokenPath %q) error = nil, want one", path)
		}
	}
}
