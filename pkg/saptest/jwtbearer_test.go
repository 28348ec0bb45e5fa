package saptest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

const (
	iasClient     = "ias-client"
	iasSecret     = "ias-s3cret!/+&"
	iasX509Client = "ias-x509-client"
	jobAudience   = "sap-ci-auth"
	uaaClient     = "sb-cpi!b1|it!b2"
	uaaSecret     = "uaa-s3cret"
)

// tokenAnswer is the union of the IAS and UAA token and error answers.
type tokenAnswer struct {
	AccessToken      string `json:"access_token"`
	IDToken          string `json:"id_token"`
	RefreshToken     string `json:"refresh_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int    `json:"expires_in"`
	Scope            string `json:"scope"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// postForm posts form to u with hc, with Basic auth when basic is not nil.
func postForm(t *testing.T, hc *http.Client, u string, form url.Values, basic []string) (int, tokenAnswer) {
	t.Helper()
	req := newRequest(t, http.MethodPost, u, "application/x-www-form-urlencoded", form.Encode())
	if basic != nil {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := do(t, hc, req)
	if err != nil {
		t.Fatalf("POST %s error = %v", u, err)
	}
	var a tokenAnswer
	if err := json.Unmarshal([]byte(resp.body), &a); err != nil {
		t.Fatalf("POST %s: body %q is not JSON: %v", u, resp.body, err)
	}
	return resp.status, a
}

func bearerForm(assertion string, kv ...string) url.Values {
	f := url.Values{"grant_type": {saptest.JWTBearerGrant}, "assertion": {assertion}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func countPath(reqs []saptest.Request, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Path == path {
			n++
		}
	}
	return n
}

func TestIASJWTBearer(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	stranger := saptest.MustIssuer(t, p) // an issuer the IAS does not trust
	ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret, iasX509Client: ""}))
	ias.TrustIssuer(iss, jobAudience, "")
	plain := clientWith(p, nil) // RootCAs only
	x509 := saptest.MustClient(t, p, iasX509Client)
	withCert := p.HTTPClient(x509)
	other := saptest.MustClient(t, p, "someone-else")
	withOtherCert := p.HTTPClient(other)

	good := iss.MintGitHub(jobAudience)
	secretBody := []string{"client_id", iasClient, "client_secret", iasSecret}
	tests := []struct {
		name      string
		hc        *http.Client
		form      url.Values
		basic     []string
		wantCode  int
		wantError string
		wantDesc  string
	}{
		{name: "secret in body", hc: plain, form: bearerForm(good, secretBody...), wantCode: 200},
		{name: "Basic", hc: plain, form: bearerForm(good), basic: []string{iasClient, iasSecret}, wantCode: 200},
		{name: "X.509 client", hc: withCert, form: bearerForm(good, "client_id", iasX509Client), wantCode: 200},
		{name: "GitLab token", hc: plain, form: bearerForm(iss.MintGitLab(jobAudience), secretBody...), wantCode: 200},
		{name: "audience is the IAS issuer", hc: plain, form: bearerForm(iss.MintGitHub(ias.URL), secretBody...), wantCode: 200},
		{name: "audience among others", hc: plain, form: bearerForm(iss.MintGitHub("", saptest.WithClaim("aud", []string{"x", jobAudience})), secretBody...), wantCode: 200},

		{name: "wrong audience", hc: plain, form: bearerForm(iss.MintGitHub("https://github.com/octo-org"), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "audience"},
		{name: "expired", hc: plain, form: bearerForm(iss.MintGitHub(jobAudience, saptest.Expired()), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "expired"},
		{name: "not yet valid", hc: plain, form: bearerForm(iss.MintGitHub(jobAudience, saptest.WithClaim("nbf", time.Now().Add(time.Hour).Unix())), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "not valid yet"},
		{name: "no exp", hc: plain, form: bearerForm(iss.MintGitHub(jobAudience, saptest.WithClaim("exp", nil)), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "no exp"},
		{name: "untrusted iss claim", hc: plain, form: bearerForm(iss.MintGitHub(jobAudience, saptest.IssuedBy("https://token.actions.githubusercontent.com")), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "not trusted"},
		{name: "untrusted issuer", hc: plain, form: bearerForm(stranger.MintGitHub(jobAudience), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "not trusted"},
		{name: "bad signature", hc: plain, form: bearerForm(iss.MintGitHub(jobAudience, saptest.SignedByOtherKey()), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "signature"},
		{name: "no subject", hc: plain, form: bearerForm(iss.MintGitHub(jobAudience, saptest.WithClaim("sub", nil)), secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "no sub claim"},
		{name: "not a JWT", hc: plain, form: bearerForm("not-a-jwt", secretBody...), wantCode: 400, wantError: "invalid_grant", wantDesc: "not a signed JWT"},
		{name: "no assertion", hc: plain, form: bearerForm("", secretBody...), wantCode: 400, wantError: "invalid_request"},
		{name: "other grant", hc: plain, form: url.Values{"grant_type": {"password"}, "client_id": {iasClient}, "client_secret": {iasSecret}}, wantCode: 400, wantError: "unsupported_grant_type"},

		{name: "wrong secret", hc: plain, form: bearerForm(good, "client_id", iasClient, "client_secret", "wrong"), wantCode: 401, wantError: "invalid_client"},
		{name: "wrong Basic secret", hc: plain, form: bearerForm(good), basic: []string{iasClient, "wrong"}, wantCode: 401, wantError: "invalid_client"},
		{name: "unknown client", hc: plain, form: bearerForm(good, "client_id", "nobody", "client_secret", iasSecret), wantCode: 401, wantError: "invalid_client"},
		{name: "no client authentication", hc: plain, form: bearerForm(good), wantCode: 401, wantError: "invalid_client"},
		{name: "public client", hc: plain, form: bearerForm(good, "client_id", iasClient), wantCode: 401, wantError: "invalid_client"},
		{name: "X.509 client without certificate", hc: plain, form: bearerForm(good, "client_id", iasX509Client), wantCode: 401, wantError: "invalid_client"},
		{name: "X.509 client with another certificate", hc: withOtherCert, form: bearerForm(good, "client_id", iasX509Client), wantCode: 401, wantError: "invalid_client"},
		{name: "Basic and body secret", hc: plain, form: bearerForm(good, "client_secret", iasSecret), basic: []string{iasClient, iasSecret}, wantCode: 400, wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, a := postForm(t, tt.hc, ias.TokenURL(), tt.form, tt.basic)
			if code != tt.wantCode || a.Error != tt.wantError {
				t.Fatalf("answer = %d %q %q, want %d %q", code, a.Error, a.ErrorDescription, tt.wantCode, tt.wantError)
			}
			if !strings.Contains(a.ErrorDescription, tt.wantDesc) {
				t.Errorf("error_description = %q, want it to contain %q", a.ErrorDescription, tt.wantDesc)
			}
			if assertion := tt.form.Get("assertion"); assertion != "" && strings.Contains(a.ErrorDescription, assertion) {
				t.Errorf("error_description echoes the assertion")
			}
			if code != 200 {
				return
			}
			if a.TokenType != "Bearer" || a.ExpiresIn != saptest.IASTokenExpiresIn || a.AccessToken == "" || a.IDToken == "" || a.RefreshToken == "" {
				t.Errorf("answer = %+v, want Bearer tokens for %d s", a, saptest.IASTokenExpiresIn)
			}
			for name, tok := range map[string]string{"access_token": a.AccessToken, "id_token": a.IDToken} {
				c, err := oidc.ParseUnverified(tok)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if c.Issuer != ias.URL || !strings.HasPrefix(c.Subject, "P") || len(c.Subject) != 7 {
					t.Errorf("%s iss = %q sub = %q, want iss %s and an IAS user id", name, c.Issuer, c.Subject, ias.URL)
				}
			}
		})
	}
}

func TestIASJWTBearerRequestCounts(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))
	ias.TrustIssuer(iss, jobAudience, "repository_id")
	hc := clientWith(p, nil)
	form := func(tok string) url.Values {
		return bearerForm(tok, "client_id", iasClient, "client_secret", iasSecret)
	}

	steps := []struct {
		name                 string
		token                string
		wantCode             int
		wantDisc, wantJWKS   int
		wantIASTokenRequests int
	}{
		{name: "first assertion fetches discovery and keys", token: iss.MintGitHub(jobAudience), wantCode: 200, wantDisc: 1, wantJWKS: 1, wantIASTokenRequests: 1},
		{name: "second uses the cached keys", token: iss.MintGitHub(jobAudience), wantCode: 200, wantDisc: 1, wantJWKS: 1, wantIASTokenRequests: 2},
		{name: "bad signature under a known key id fetches nothing", token: iss.MintGitHub(jobAudience, saptest.SignedByOtherKey()), wantCode: 400, wantDisc: 1, wantJWKS: 1, wantIASTokenRequests: 3},
		{name: "no repository_id claim", token: iss.MintGitHub(jobAudience, saptest.WithClaim("repository_id", nil)), wantCode: 400, wantDisc: 1, wantJWKS: 1, wantIASTokenRequests: 4},
	}
	var firstSub string
	for _, s := range steps {
		code, a := postForm(t, hc, ias.TokenURL(), form(s.token), nil)
		if code != s.wantCode {
			t.Fatalf("%s: status = %d (%s %s), want %d", s.name, code, a.Error, a.ErrorDescription, s.wantCode)
		}
		if got := iss.Count(saptest.DiscoveryPath); got != s.wantDisc {
			t.Errorf("%s: discovery requests = %d, want %d", s.name, got, s.wantDisc)
		}
		if got := iss.Count(saptest.IssuerJWKSPath); got != s.wantJWKS {
			t.Errorf("%s: JWKS requests = %d, want %d", s.name, got, s.wantJWKS)
		}
		if got := countPath(ias.Requests(), saptest.IASTokenPath); got != s.wantIASTokenRequests {
			t.Errorf("%s: IAS token requests = %d, want %d", s.name, got, s.wantIASTokenRequests)
		}
		if code == 200 {
			c, err := oidc.ParseUnverified(a.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if firstSub == "" {
				firstSub = c.Subject
			} else if c.Subject != firstSub {
				t.Errorf("%s: user = %q, want the same job mapped to the same user %q", s.name, c.Subject, firstSub)
			}
		}
	}
	if got := iss.Count(saptest.IssuerTokenRequestPath); got != 0 {
		t.Errorf("token service requests = %d, want 0", got)
	}
	if got := len(ias.Tokens()); got != 6 {
		t.Errorf("IAS Tokens() holds %d, want 6 (access, id and refresh token twice)", got)
	}
}

func TestIASPasscodeWithOAuthClients(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))
	user := saptest.MustClient(t, p, "P000001")
	tests := []struct {
		name       string
		hc         *http.Client
		wantStatus int
	}{
		{name: "with certificate", hc: clientWith(p, ptr(user.TLSCertificate())), wantStatus: 200},
		{name: "without certificate", hc: clientWith(p, nil), wantStatus: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := do(t, tt.hc, newRequest(t, http.MethodGet, ias.PasscodeURL(), "", ""))
			if err != nil {
				t.Fatalf("GET passcode error = %v", err)
			}
			if resp.status != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", resp.status, tt.wantStatus, resp.body)
			}
		})
	}
}

func TestIASWithoutOAuthClients(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ias := saptest.MustIAS(t, p)
	user := saptest.MustClient(t, p, "P000001")
	resp, err := do(t, clientWith(p, ptr(user.TLSCertificate())), newRequest(t, http.MethodPost, ias.TokenURL(), "application/x-www-form-urlencoded", "grant_type=x"))
	if err != nil {
		t.Fatalf("POST error = %v", err)
	}
	if resp.status != http.StatusNotFound {
		t.Errorf("status = %d, want 404 without WithOAuthClients", resp.status)
	}
	if _, err := do(t, clientWith(p, nil), newRequest(t, http.MethodGet, ias.PasscodeURL(), "", "")); err == nil {
		t.Errorf("passcode without certificate: want a handshake failure, as before")
	}
	if got := ias.Tokens(); got != nil {
		t.Errorf("Tokens() = %v, want nil", got)
	}
}

func ptr[T any](v T) *T { return &v }

// TestSecretlessChain runs the chain of issue 12 with a plain client that
// trusts only the PKI's root: the job's token from the GitHub-style token
// service, exchanged at IAS (jwt-bearer), whose token is exchanged at the
// UAA (jwt-bearer) for a user token.
func TestSecretlessChain(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	hc := p.HTTPClient(nil)
	iss := saptest.MustIssuer(t, p)
	ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))
	ias.TrustIssuer(iss, jobAudience, "sub")
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{
		Clients:     map[string]string{uaaClient: uaaSecret},
		DecodeBasic: true,
		Scopes:      []string{"it!b2.IntegrationOperationServer.read", "it!b2.NodeManager.read"},
	})
	uaa.TrustIAS(ias, iasClient)

	job, err := oidc.FetchGitHub(context.Background(), hc, iss.RequestURL(), iss.RequestToken(), jobAudience)
	if err != nil {
		t.Fatalf("FetchGitHub() error = %v", err)
	}
	code, iasAnswer := postForm(t, hc, ias.TokenURL(), bearerForm(job, "client_id", iasClient, "client_secret", iasSecret), nil)
	if code != 200 {
		t.Fatalf("IAS answer = %d %s %s, want 200", code, iasAnswer.Error, iasAnswer.ErrorDescription)
	}

	tests := []struct {
		name      string
		assertion string
		wantCode  int
		wantError string
	}{
		{name: "IAS access token", assertion: iasAnswer.AccessToken, wantCode: 200},
		{name: "IAS id_token", assertion: iasAnswer.IDToken, wantCode: 200},
		{name: "the job token itself (UAA trusts only IAS)", assertion: job, wantCode: 400, wantError: "invalid_grant"},
		{name: "IAS refresh token", assertion: iasAnswer.RefreshToken, wantCode: 400, wantError: "invalid_grant"},
	}
	for _, tt := range tests {
		code, a := postForm(t, hc, uaa.TokenURL(), bearerForm(tt.assertion), []string{uaaClient, uaaSecret})
		if code != tt.wantCode || a.Error != tt.wantError {
			t.Errorf("%s: UAA answer = %d %q %q, want %d %q", tt.name, code, a.Error, a.ErrorDescription, tt.wantCode, tt.wantError)
			continue
		}
		if code != 200 {
			if strings.Contains(a.ErrorDescription, tt.assertion) {
				t.Errorf("%s: error_description echoes the assertion", tt.name)
			}
			continue
		}
		if !uaa.Valid(a.AccessToken, "it!b2.NodeManager.read") || a.RefreshToken == "" {
			t.Errorf("%s: UAA token not valid for the client's scopes, or no refresh token: %+v", tt.name, a)
		}
		// The UAA fake signs with HS256, which oidc.ParseUnverified
		// rightly refuses; read its payload directly.
		var uc map[string]any
		parts := strings.Split(a.AccessToken, ".")
		if b, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || json.Unmarshal(b, &uc) != nil {
			t.Fatalf("%s: UAA token payload unreadable", tt.name)
		}
		ic, _ := oidc.ParseUnverified(iasAnswer.AccessToken)
		if uc["user_name"] != ic.Subject || uc["grant_type"] != saptest.JWTBearerGrant {
			t.Errorf("%s: UAA user_name = %v grant_type = %v, want %s and the jwt-bearer grant", tt.name, uc["user_name"], uc["grant_type"], ic.Subject)
		}
	}

	// Exact request counts along the chain.
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"token service", iss.Count(saptest.IssuerTokenRequestPath), 1},
		{"issuer discovery", iss.Count(saptest.DiscoveryPath), 1},
		{"issuer JWKS", iss.Count(saptest.IssuerJWKSPath), 1},
		{"IAS token endpoint", countPath(ias.Requests(), saptest.IASTokenPath), 1},
		{"IAS discovery (by the UAA)", countPath(ias.Requests(), saptest.DiscoveryPath), 1},
		{"IAS JWKS (by the UAA)", countPath(ias.Requests(), saptest.IASJWKSPath), 1},
		{"UAA token endpoint", len(uaa.Requests()), len(tests)},
	} {
		if c.got != c.want {
			t.Errorf("%s requests = %d, want %d", c.name, c.got, c.want)
		}
	}
	// The request token went only to the token service, in the header.
	for _, reqs := range [][]saptest.Request{iss.Requests(), ias.Requests(), uaa.Requests()} {
		for _, r := range reqs {
			raw := r.Body + r.Query.Encode()
			for k, v := range r.Header {
				if k != "Authorization" || r.Path != saptest.IssuerTokenRequestPath {
					raw += strings.Join(v, " ")
				}
			}
			if strings.Contains(raw, iss.RequestToken()) {
				t.Errorf("request to %s carries the request token outside its Authorization header", r.Path)
			}
		}
	}
}

func TestUAAJWTBearerWithoutTrust(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{Clients: map[string]string{uaaClient: uaaSecret}, Scopes: []string{"s"}, DecodeBasic: true})
	hc := clientWith(p, nil)
	tests := []struct {
		name      string
		form      url.Values
		basic     []string
		wantCode  int
		wantError string
	}{
		{name: "no trusted issuer", form: bearerForm("a.b.c"), basic: []string{uaaClient, uaaSecret}, wantCode: 400, wantError: "invalid_grant"},
		{name: "no assertion", form: bearerForm(""), basic: []string{uaaClient, uaaSecret}, wantCode: 400, wantError: "invalid_request"},
		{name: "wrong client secret comes first", form: bearerForm("a.b.c"), basic: []string{uaaClient, "wrong"}, wantCode: 401, wantError: "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, a := postForm(t, hc, uaa.TokenURL(), tt.form, tt.basic)
			if code != tt.wantCode || a.Error != tt.wantError {
				t.Errorf("answer = %d %q %q, want %d %q", code, a.Error, a.ErrorDescription, tt.wantCode, tt.wantError)
			}
		})
	}
}
