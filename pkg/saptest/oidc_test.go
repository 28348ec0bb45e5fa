package saptest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// getJSON GETs u with hc and decodes a 200 answer into v.
func getJSON(t *testing.T, hc *http.Client, u string, v any) {
	t.Helper()
	resp, err := do(t, hc, newRequest(t, http.MethodGet, u, "", ""))
	if err != nil {
		t.Fatalf("GET %s error = %v", u, err)
	}
	if resp.status != http.StatusOK {
		t.Fatalf("GET %s status = %d, want 200", u, resp.status)
	}
	if err := json.Unmarshal([]byte(resp.body), v); err != nil {
		t.Fatalf("GET %s body %q: %v", u, resp.body, err)
	}
}

// claimsOf verifies tok against keys and returns its claims; ok is false
// when the signature does not verify.
func claimsOf(t *testing.T, tok string, keys jose.JSONWebKeySet) (map[string]any, bool) {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("ParseSigned() error = %v", err)
	}
	ks := keys.Key(parsed.Headers[0].KeyID)
	if len(ks) != 1 {
		t.Fatalf("JWKS has %d keys with kid %q, want 1", len(ks), parsed.Headers[0].KeyID)
	}
	var c map[string]any
	if err := parsed.Claims(ks[0].Key, &c); err != nil {
		return nil, false
	}
	return c, true
}

func TestIssuerDiscoveryAndKeys(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	hc := clientWith(p, nil)

	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, hc, iss.URL+saptest.DiscoveryPath, &disc)
	if disc.Issuer != iss.URL || disc.JWKSURI != iss.JWKSURL() {
		t.Errorf("discovery = %+v, want issuer %s and jwks_uri %s", disc, iss.URL, iss.JWKSURL())
	}
	var keys jose.JSONWebKeySet
	getJSON(t, hc, disc.JWKSURI, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].Algorithm != "RS256" || !keys.Keys[0].IsPublic() {
		t.Fatalf("JWKS = %+v, want one public RS256 key", keys)
	}

	tests := []struct {
		name      string
		token     string
		wantValid bool
		check     func(map[string]any) string
	}{
		{name: "GitHub", token: iss.MintGitHub("aud-1"), wantValid: true, check: func(c map[string]any) string {
			if c["iss"] != iss.URL || c["aud"] != "aud-1" || c["repository_id"] != saptest.GitHubRepositoryID || c["sub"] != saptest.GitHubSubject {
				return "wrong GitHub claims"
			}
			return ""
		}},
		{name: "GitLab", token: iss.MintGitLab("aud-2"), wantValid: true, check: func(c map[string]any) string {
			if c["aud"] != "aud-2" || c["project_id"] != saptest.GitLabProjectID || c["namespace_id"] != saptest.GitLabNamespaceID || c["sub"] != saptest.GitLabSubject {
				return "wrong GitLab claims"
			}
			return ""
		}},
		{name: "expired", token: iss.MintGitHub("", saptest.Expired()), wantValid: true, check: func(c map[string]any) string {
			if exp := time.Unix(int64(c["exp"].(float64)), 0); !exp.Before(time.Now()) {
				return "exp is not in the past"
			}
			if c["aud"] != saptest.GitHubDefaultAudience {
				return "aud is not the default"
			}
			return ""
		}},
		{name: "other issuer", token: iss.MintGitHub("a", saptest.IssuedBy("https://evil.example")), wantValid: true, check: func(c map[string]any) string {
			if c["iss"] != "https://evil.example" {
				return "iss not replaced"
			}
			return ""
		}},
		{name: "claim changed and removed", token: iss.MintGitHub("a", saptest.WithClaim("ref", "refs/heads/x"), saptest.WithClaim("sub", nil)), wantValid: true, check: func(c map[string]any) string {
			if _, has := c["sub"]; has || c["ref"] != "refs/heads/x" {
				return "claims not changed"
			}
			return ""
		}},
		{name: "signed by another key", token: iss.MintGitHub("a", saptest.SignedByOtherKey()), wantValid: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ok := claimsOf(t, tt.token, keys)
			if ok != tt.wantValid {
				t.Fatalf("signature valid = %v, want %v", ok, tt.wantValid)
			}
			if tt.check != nil {
				if msg := tt.check(c); msg != "" {
					t.Errorf("%s: %v", msg, c)
				}
			}
		})
	}
}

func TestIssuerTokenRequest(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	hc := clientWith(p, nil)

	tests := []struct {
		name       string
		method     string
		query      string
		auth       string
		wantStatus int
		wantAud    string
	}{
		{name: "audience", method: "GET", query: "?api-version=2.0&audience=" + url.QueryEscape("https://x.example/a b"), auth: "Bearer " + iss.RequestToken(), wantStatus: 200, wantAud: "https://x.example/a b"},
		{name: "default audience", method: "GET", query: "?api-version=2.0", auth: "Bearer " + iss.RequestToken(), wantStatus: 200, wantAud: saptest.GitHubDefaultAudience},
		{name: "no request token", method: "GET", query: "?api-version=2.0", wantStatus: 401},
		{name: "wrong request token", method: "GET", query: "?api-version=2.0", auth: "Bearer nope", wantStatus: 401},
		{name: "token not as bearer", method: "GET", query: "?api-version=2.0", auth: iss.RequestToken(), wantStatus: 401},
		{name: "no api-version", method: "GET", query: "?audience=a", auth: "Bearer " + iss.RequestToken(), wantStatus: 400},
		{name: "empty audience", method: "GET", query: "?api-version=2.0&audience=", auth: "Bearer " + iss.RequestToken(), wantStatus: 400},
		{name: "audience twice", method: "GET", query: "?api-version=2.0&audience=a&audience=b", auth: "Bearer " + iss.RequestToken(), wantStatus: 400},
		{name: "POST", method: "POST", query: "?api-version=2.0", auth: "Bearer " + iss.RequestToken(), wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, tt.method, iss.URL+saptest.IssuerTokenRequestPath+tt.query, "", "")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := do(t, hc, req)
			if err != nil {
				t.Fatalf("request error = %v", err)
			}
			if resp.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", resp.status, tt.wantStatus, resp.body)
			}
			if tt.wantStatus != 200 {
				if strings.Contains(resp.body, iss.RequestToken()) {
					t.Errorf("error body echoes the request token")
				}
				return
			}
			var v struct{ Value string }
			if err := json.Unmarshal([]byte(resp.body), &v); err != nil {
				t.Fatalf("body %q: %v", resp.body, err)
			}
			parsed, err := jwt.ParseSigned(v.Value, []jose.SignatureAlgorithm{jose.RS256})
			if err != nil {
				t.Fatalf("value is not a JWT: %v", err)
			}
			var c jwt.Claims
			if err := parsed.UnsafeClaimsWithoutVerification(&c); err != nil {
				t.Fatal(err)
			}
			if len(c.Audience) != 1 || c.Audience[0] != tt.wantAud {
				t.Errorf("aud = %v, want %q", c.Audience, tt.wantAud)
			}
		})
	}
	t.Cleanup(func() {
		if got, want := iss.Count(saptest.IssuerTokenRequestPath), len(tests); got != want {
			t.Errorf("Count(token path) = %d, want %d", got, want)
		}
		if got := len(iss.Tokens()); got != 2 {
			t.Errorf("Tokens() holds %d, want 2 (one per successful request)", got)
		}
	})
}

func TestIssuerSetTokenOptions(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	iss.SetTokenOptions(saptest.Expired())
	fetch := func() jwt.Claims {
		req := newRequest(t, http.MethodGet, iss.RequestURL(), "", "")
		req.Header.Set("Authorization", "Bearer "+iss.RequestToken())
		resp, err := do(t, clientWith(p, nil), req)
		if err != nil || resp.status != 200 {
			t.Fatalf("token request = %d, %v", resp.status, err)
		}
		var v struct{ Value string }
		_ = json.Unmarshal([]byte(resp.body), &v)
		parsed, err := jwt.ParseSigned(v.Value, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		var c jwt.Claims
		_ = parsed.UnsafeClaimsWithoutVerification(&c)
		return c
	}
	if c := fetch(); !c.Expiry.Time().Before(time.Now()) {
		t.Errorf("exp = %v, want in the past after SetTokenOptions(Expired())", c.Expiry.Time())
	}
	iss.SetTokenOptions()
	if c := fetch(); !c.Expiry.Time().After(time.Now()) {
		t.Errorf("exp = %v, want in the future after SetTokenOptions()", c.Expiry.Time())
	}
	if !strings.HasSuffix(iss.RequestURL(), saptest.IssuerTokenRequestPath+"?api-version=2.0") {
		t.Errorf("RequestURL() = %q", iss.RequestURL())
	}
}

// TestIssuerAzureTokenRequest: the Azure DevOps token service takes what
// issue 21 names (POST ?api-version=7.1-preview.1 with the access token as
// a bearer token), and 7.1, which the service accepts too; nothing else.
func TestIssuerAzureTokenRequest(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	hc := clientWith(p, nil)
	bearer := "Bearer " + iss.AzureAccessToken()
	tests := []struct {
		name, method, query, auth string
		wantStatus                int
	}{
		{name: "as the issue names it", method: "POST", query: "?api-version=7.1-preview.1", auth: bearer, wantStatus: 200},
		{name: "7.1", method: "POST", query: "?api-version=7.1", auth: bearer, wantStatus: 200},
		{name: "another version", method: "POST", query: "?api-version=7.0", auth: bearer, wantStatus: 400},
		{name: "no api-version", method: "POST", query: "", auth: bearer, wantStatus: 400},
		{name: "api-version twice", method: "POST", query: "?api-version=7.1-preview.1&api-version=2.0", auth: bearer, wantStatus: 400},
		{name: "no access token", method: "POST", query: "?api-version=7.1-preview.1", wantStatus: 401},
		{name: "GET", method: "GET", query: "?api-version=7.1-preview.1", auth: bearer, wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, tt.method, iss.AzureRequestURI()+tt.query, "", "")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := do(t, hc, req)
			if err != nil {
				t.Fatalf("request error = %v", err)
			}
			if resp.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", resp.status, tt.wantStatus, resp.body)
			}
			if tt.wantStatus == 200 && !strings.Contains(resp.body, `"oidcToken"`) {
				t.Errorf("body %q, want {\"oidcToken\": …}", resp.body)
			}
		})
	}
}
