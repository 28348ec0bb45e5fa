package saptest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// jobClient is an IAS application without a secret that authenticates with
// the job's token.
const jobClient = "sap-ci-auth-secretless"

// assertionForm is the client_credentials request of jobClient with
// clientAssertion, plus kv (set, or removed when the value is empty).
func assertionForm(clientAssertion string, kv ...string) url.Values {
	f := url.Values{
		"client_id":             {jobClient},
		"client_assertion_type": {saptest.ClientAssertionType},
		"client_assertion":      {clientAssertion},
		"grant_type":            {"client_credentials"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
		} else {
			f.Set(kv[i], kv[i+1])
		}
	}
	return f
}

// iasClaims verifies tok with the keys ias publishes and returns its claims.
func iasClaims(t *testing.T, hc *http.Client, ias *saptest.IAS, tok string) map[string]any {
	t.Helper()
	var keys jose.JSONWebKeySet
	getJSON(t, hc, ias.JWKSURL(), &keys)
	c, ok := claimsOf(t, tok, keys)
	if !ok {
		t.Fatalf("token does not verify with %s", ias.JWKSURL())
	}
	return c
}

// TestIASClientAssertion: an application without a secret authenticates
// with a JWT of a trusted issuer and subject (RFC 7523 §2.2), for the
// client_credentials and the jwt-bearer grant; every failed check is 401
// invalid_client naming its cause, never the JWT.
func TestIASClientAssertion(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	iss := saptest.MustIssuer(t, p)
	stranger := saptest.MustIssuer(t, p) // trusted for nothing
	ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))
	ias.TrustIssuer(iss, jobAudience, "")
	ias.TrustClientAssertion(jobClient, iss, saptest.GitHubSubject)
	hc := p.HTTPClient(nil)
	aud := ias.URL
	wantAud := "does not contain " + ias.URL + " or " + ias.TokenURL()

	tests := []struct {
		name      string
		form      url.Values
		basic     []string
		wantCode  int
		wantError string
		wantDesc  string
		wantGrant string // of a 200
	}{
		{name: "client_credentials", form: assertionForm(iss.MintGitHub(aud)), wantCode: 200, wantGrant: "client_credentials"},
		{name: "client_credentials with a scope", form: assertionForm(iss.MintGitHub(aud), "scope", "openid"), wantCode: 200, wantGrant: "client_credentials"},
		{name: "audience is the token URL", form: assertionForm(iss.MintGitHub(ias.TokenURL())), wantCode: 200, wantGrant: "client_credentials"},
		{name: "client_credentials with a secret", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {iasClient}, "client_secret": {iasSecret}}, wantCode: 200, wantGrant: "client_credentials"},
		{name: "jwt-bearer with the same JWT as both", form: func() url.Values {
			tok := iss.MintGitHub(aud)
			return assertionForm(tok, "grant_type", saptest.JWTBearerGrant, "assertion", tok)
		}(), wantCode: 200, wantGrant: saptest.JWTBearerGrant},
		{name: "jwt-bearer with another assertion", form: assertionForm(iss.MintGitHub(aud), "grant_type", saptest.JWTBearerGrant, "assertion", iss.MintGitLab(jobAudience)), wantCode: 200, wantGrant: saptest.JWTBearerGrant},

		{name: "wrong subject", form: assertionForm(iss.MintGitLab(aud)), wantCode: 401, wantError: "invalid_client",
			wantDesc: `The subject "` + saptest.GitLabSubject + `" of the client assertion is not the one configured for client "` + jobClient + `"`},
		{name: "wrong audience", form: assertionForm(iss.MintGitHub(jobAudience)), wantCode: 401, wantError: "invalid_client", wantDesc: "The audience of the client assertion " + wantAud},
		{name: "expired", form: assertionForm(iss.MintGitHub(aud, saptest.Expired())), wantCode: 401, wantError: "invalid_client", wantDesc: "The client assertion has expired"},
		{name: "not yet valid", form: assertionForm(iss.MintGitHub(aud, saptest.WithClaim("nbf", time.Now().Add(time.Hour).Unix()))), wantCode: 401, wantError: "invalid_client", wantDesc: "The client assertion is not valid yet"},
		{name: "issued in the future", form: assertionForm(iss.MintGitHub(aud, saptest.WithClaim("iat", time.Now().Add(time.Hour).Unix()))), wantCode: 401, wantError: "invalid_client", wantDesc: "The client assertion is not valid yet"},
		{name: "no exp", form: assertionForm(iss.MintGitHub(aud, saptest.WithClaim("exp", nil))), wantCode: 401, wantError: "invalid_client", wantDesc: "The client assertion has no exp claim"},
		{name: "unknown issuer", form: assertionForm(stranger.MintGitHub(aud)), wantCode: 401, wantError: "invalid_client",
			wantDesc: `The issuer "` + stranger.URL + `" of the client assertion is not configured for client "` + jobClient + `"`},
		{name: "issuer trusted for the grant only", form: assertionForm(iss.MintGitHub(aud), "client_id", iasClient), wantCode: 401, wantError: "invalid_client",
			wantDesc: `The issuer "` + iss.URL + `" of the client assertion is not configured for client "` + iasClient + `"`},
		{name: "bad signature", form: assertionForm(iss.MintGitHub(aud, saptest.SignedByOtherKey())), wantCode: 401, wantError: "invalid_client", wantDesc: "The signature of the client assertion is not valid"},
		{name: "not a JWT", form: assertionForm("not-a-jwt"), wantCode: 401, wantError: "invalid_client", wantDesc: "The client assertion is not a signed JWT"},
		{name: "no jti", form: assertionForm(iss.MintGitHub(aud, saptest.WithClaim("jti", nil))), wantCode: 401, wantError: "invalid_client", wantDesc: "The client assertion has no jti claim"},
		{name: "other assertion type", form: assertionForm(iss.MintGitHub(aud), "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"), wantCode: 401, wantError: "invalid_client",
			wantDesc: "client_assertion_type must be " + saptest.ClientAssertionType},
		{name: "no client_id", form: assertionForm(iss.MintGitHub(aud), "client_id", ""), wantCode: 401, wantError: "invalid_client", wantDesc: "client_id is required with a client assertion"},
		{name: "no client_assertion", form: assertionForm("", "client_assertion", ""), wantCode: 401, wantError: "invalid_client", wantDesc: "Missing client_assertion"},
		{name: "client_assertion and client_secret", form: assertionForm(iss.MintGitHub(aud), "client_secret", iasSecret), wantCode: 400, wantError: "invalid_request", wantDesc: "more than one authentication method"},
		{name: "client_assertion and Basic", form: assertionForm(iss.MintGitHub(aud)), basic: []string{jobClient, "x"}, wantCode: 400, wantError: "invalid_request", wantDesc: "more than one authentication method"},
		{name: "unsupported grant", form: assertionForm(iss.MintGitHub(aud), "grant_type", "password"), wantCode: 400, wantError: "unsupported_grant_type"},
		{name: "jwt-bearer with a failing assertion", form: assertionForm(iss.MintGitHub(aud), "grant_type", saptest.JWTBearerGrant, "assertion", iss.MintGitHub("elsewhere")), wantCode: 400, wantError: "invalid_grant", wantDesc: "The audience of the assertion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, a := postForm(t, hc, ias.TokenURL(), tt.form, tt.basic)
			if code != tt.wantCode || a.Error != tt.wantError {
				t.Fatalf("answer = %d %q %q, want %d %q", code, a.Error, a.ErrorDescription, tt.wantCode, tt.wantError)
			}
			if !strings.Contains(a.ErrorDescription, tt.wantDesc) {
				t.Errorf("error_description = %q, want it to contain %q", a.ErrorDescription, tt.wantDesc)
			}
			for _, jwt := range []string{tt.form.Get("client_assertion"), tt.form.Get("assertion")} {
				if len(jwt) > 20 && strings.Contains(a.ErrorDescription, jwt) {
					t.Errorf("error_description echoes a JWT")
				}
			}
			if code != 200 {
				return
			}
			if a.TokenType != "Bearer" || a.ExpiresIn != saptest.IASTokenExpiresIn || a.AccessToken == "" {
				t.Errorf("answer = %+v, want a Bearer token for %d s", a, saptest.IASTokenExpiresIn)
			}
			if !slices.Contains(ias.Tokens(), a.AccessToken) {
				t.Errorf("Tokens() misses the access token")
			}
			client := tt.form.Get("client_id")
			c := iasClaims(t, hc, ias, a.AccessToken)
			if c["iss"] != ias.URL || c["aud"] != client || c["azp"] != client || c["grant_type"] != tt.wantGrant {
				t.Errorf("access token iss %v aud %v azp %v grant_type %v, want %s, %s and %s", c["iss"], c["aud"], c["azp"], c["grant_type"], ias.URL, client, tt.wantGrant)
			}
			for _, claim := range []string{"iat", "exp", "jti"} {
				if _, ok := c[claim]; !ok {
					t.Errorf("access token has no %s", claim)
				}
			}
			if tt.wantGrant == "client_credentials" {
				if c["sub"] != client || a.IDToken != "" || a.RefreshToken != "" {
					t.Errorf("client_credentials: sub %v, id_token %t, refresh_token %t; want sub %s and no other token", c["sub"], a.IDToken != "", a.RefreshToken != "", client)
				}
				if _, ok := c["user_uuid"]; ok {
					t.Errorf("client_credentials token has a user_uuid")
				}
			} else if sub, _ := c["sub"].(string); !strings.HasPrefix(sub, "P") || a.IDToken == "" || a.RefreshToken == "" {
				t.Errorf("jwt-bearer: sub %q, want an IAS user id, and an id_token and a refresh_token", sub)
			}
		})
	}
}

// TestIASClientAssertionReplay: a client assertion's jti is single-use
// (always), counted over assertion and client_assertion of earlier
// requests; one request carrying the same JWT as both uses it once, also
// with RefuseReusedJTI.
func TestIASClientAssertionReplay(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	hc := p.HTTPClient(nil)
	const (
		replayedClient = "jti_known: The jti of the client assertion was already used"
		replayedGrant  = "jti_known: The jti of the assertion was already used"
	)
	type step struct {
		form      func(tok, other string) url.Values
		wantCode  int
		wantError string
		wantDesc  string
	}
	cc := func(tok, _ string) url.Values { return assertionForm(tok) }
	both := func(tok, _ string) url.Values {
		return assertionForm(tok, "grant_type", saptest.JWTBearerGrant, "assertion", tok)
	}
	asGrantOnly := func(tok, other string) url.Values {
		return assertionForm(other, "grant_type", saptest.JWTBearerGrant, "assertion", tok)
	}
	cases := []struct {
		name   string
		unique bool // RefuseReusedJTI
		steps  []step
	}{
		{name: "client_credentials twice", steps: []step{
			{form: cc, wantCode: 200},
			{form: cc, wantCode: 401, wantError: "invalid_client", wantDesc: replayedClient},
		}},
		{name: "same JWT as both, twice", unique: true, steps: []step{
			{form: both, wantCode: 200},
			{form: both, wantCode: 401, wantError: "invalid_client", wantDesc: replayedClient},
		}},
		{name: "client assertion, then grant assertion", unique: true, steps: []step{
			{form: cc, wantCode: 200},
			{form: asGrantOnly, wantCode: 400, wantError: "invalid_grant", wantDesc: replayedGrant},
		}},
		{name: "grant assertion, then client assertion", steps: []step{
			{form: asGrantOnly, wantCode: 200},
			{form: cc, wantCode: 401, wantError: "invalid_client", wantDesc: replayedClient},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := saptest.MustIssuer(t, p)
			ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{}))
			ias.TrustIssuer(iss, jobAudience, "")
			ias.TrustClientAssertion(jobClient, iss, saptest.GitHubSubject)
			if tc.unique {
				ias.RefuseReusedJTI()
			}
			tok := iss.MintGitHub(ias.URL)
			for i, s := range tc.steps {
				code, a := postForm(t, hc, ias.TokenURL(), s.form(tok, iss.MintGitHub(ias.URL)), nil)
				if code != s.wantCode || a.Error != s.wantError || a.ErrorDescription != s.wantDesc {
					t.Errorf("request %d: %d %q %q, want %d %q %q", i+1, code, a.Error, a.ErrorDescription, s.wantCode, s.wantError, s.wantDesc)
				}
			}
		})
	}
}

// TestIASUserInfo: /oauth2/userinfo answers for an access token of this
// tenant and refuses anything else with 401 invalid_token; the discovery
// document names it and the client authentication by JWT.
func TestIASUserInfo(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	hc := p.HTTPClient(nil)
	iss := saptest.MustIssuer(t, p)
	ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))
	ias.TrustIssuer(iss, jobAudience, "")
	ias.TrustClientAssertion(jobClient, iss, saptest.GitHubSubject)
	other := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))

	token := func(ias *saptest.IAS, form url.Values) tokenAnswer {
		t.Helper()
		code, a := postForm(t, hc, ias.TokenURL(), form, nil)
		if code != 200 {
			t.Fatalf("token: %d %s %s", code, a.Error, a.ErrorDescription)
		}
		return a
	}
	cc := token(ias, assertionForm(iss.MintGitHub(ias.URL)))
	user := token(ias, bearerForm(iss.MintGitHub(jobAudience), "client_id", iasClient, "client_secret", iasSecret))
	otherCC := token(other, url.Values{"grant_type": {"client_credentials"}, "client_id": {iasClient}, "client_secret": {iasSecret}})
	userClaims := iasClaims(t, hc, ias, user.AccessToken)

	tests := []struct {
		name       string
		method     string
		authz      string
		wantStatus int
		want       map[string]any
	}{
		{name: "client_credentials token", authz: "Bearer " + cc.AccessToken, wantStatus: 200,
			want: map[string]any{"sub": jobClient, "client_id": jobClient}},
		{name: "jwt-bearer token", authz: "Bearer " + user.AccessToken, wantStatus: 200,
			want: map[string]any{"sub": userClaims["sub"], "user_uuid": userClaims["user_uuid"], "client_id": iasClient}},
		{name: "scheme in lower case", authz: "bearer " + cc.AccessToken, wantStatus: 200,
			want: map[string]any{"sub": jobClient, "client_id": jobClient}},
		{name: "no token", wantStatus: 401},
		{name: "garbage", authz: "Bearer not-a-token", wantStatus: 401},
		{name: "id_token", authz: "Bearer " + user.IDToken, wantStatus: 401},
		{name: "refresh token", authz: "Bearer " + user.RefreshToken, wantStatus: 401},
		{name: "the job's token", authz: "Bearer " + iss.MintGitHub(ias.URL), wantStatus: 401},
		{name: "another tenant's token", authz: "Bearer " + otherCC.AccessToken, wantStatus: 401},
		{name: "Basic", authz: "Basic " + cc.AccessToken, wantStatus: 401},
		{name: "POST", method: http.MethodPost, authz: "Bearer " + cc.AccessToken, wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := newRequest(t, method, ias.UserInfoURL(), "", "")
			if tt.authz != "" {
				req.Header.Set("Authorization", tt.authz)
			}
			resp, err := do(t, hc, req)
			if err != nil {
				t.Fatalf("%s userinfo error = %v", method, err)
			}
			if resp.status != tt.wantStatus {
				t.Fatalf("status = %d (%s), want %d", resp.status, resp.body, tt.wantStatus)
			}
			switch tt.wantStatus {
			case 200:
				var got map[string]any
				if err := json.Unmarshal([]byte(resp.body), &got); err != nil || resp.header.Get("Content-Type") != "application/json" {
					t.Fatalf("body %q (%s): %v", resp.body, resp.header.Get("Content-Type"), err)
				}
				if len(got) != len(tt.want) {
					t.Errorf("userinfo = %v, want %v", got, tt.want)
				}
				for k, v := range tt.want {
					if got[k] != v || v == nil {
						t.Errorf("userinfo[%s] = %v, want %v", k, got[k], v)
					}
				}
			case 401:
				if got := resp.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				if resp.body != `{"error":"invalid_token"}` {
					t.Errorf("body = %q, want {\"error\":\"invalid_token\"}", resp.body)
				}
			}
		})
	}

	var disc struct {
		UserInfo    string   `json:"userinfo_endpoint"`
		Grants      []string `json:"grant_types_supported"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	getJSON(t, hc, ias.URL+saptest.DiscoveryPath, &disc)
	if disc.UserInfo != ias.UserInfoURL() || !slices.Contains(disc.AuthMethods, "private_key_jwt") || !slices.Contains(disc.Grants, "client_credentials") {
		t.Errorf("discovery = %+v, want userinfo_endpoint %s, private_key_jwt and client_credentials", disc, ias.UserInfoURL())
	}
}

// TestLandscapeSecretlessClient: the landscape's LandscapeIASJobClientID
// authenticates with the job's token requested for the tenant URL, as the
// product does, for both grants and both CI shapes, with nothing secret but
// the job's token.
func TestLandscapeSecretlessClient(t *testing.T) {
	t.Parallel()
	l := saptest.MustLandscape(t, saptest.WithPKI(testPKI(t)))
	hc := l.PKI.HTTPClient(nil)
	github, err := oidc.FetchGitHub(t.Context(), hc, l.Issuer.RequestURL(), l.Issuer.RequestToken(), l.IAS.URL)
	if err != nil {
		t.Fatalf("FetchGitHub() error = %v", err)
	}
	form := func(tok string, kv ...string) url.Values {
		f := assertionForm(tok, kv...)
		f.Set("client_id", saptest.LandscapeIASJobClientID)
		return f
	}
	gitlab := l.Issuer.MintGitLab(l.IAS.URL)
	tests := []struct {
		name      string
		form      url.Values
		wantCode  int
		wantGrant string
	}{
		{name: "GitHub token, jwt-bearer with the same token as both", form: form(github, "grant_type", saptest.JWTBearerGrant, "assertion", github), wantCode: 200, wantGrant: saptest.JWTBearerGrant},
		{name: "GitLab token, client_credentials", form: form(gitlab), wantCode: 200, wantGrant: "client_credentials"},
		{name: "Azure token: subject not configured", form: form(l.Issuer.MintAzure(saptest.WithClaim("aud", l.IAS.URL))), wantCode: 401},
	}
	for _, tt := range tests {
		code, a := postForm(t, hc, l.IAS.TokenURL(), tt.form, nil)
		if code != tt.wantCode {
			t.Fatalf("%s: %d %s %s, want %d", tt.name, code, a.Error, a.ErrorDescription, tt.wantCode)
		}
		if code != 200 {
			continue
		}
		if c := iasClaims(t, hc, l.IAS, a.AccessToken); c["azp"] != saptest.LandscapeIASJobClientID || c["grant_type"] != tt.wantGrant {
			t.Errorf("%s: azp %v grant_type %v", tt.name, c["azp"], c["grant_type"])
		}
		if !slices.Contains(l.Secrets(), a.AccessToken) {
			t.Errorf("%s: Secrets() misses the access token", tt.name)
		}
	}
}
