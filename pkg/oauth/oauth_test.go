package oauth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

const (
	// clientID has the "!" and "|" of real XSUAA/CPI client ids, which
	// x/oauth2 escapes in a Basic header.
	clientID = "sb-ci!b12|it!b34"
	// secret has characters that QueryEscape changes.
	clientSecret = "S3cr3t$x+y/z="
	x509ID       = "sb-x509-ci!b12"
	username     = "COCKPIT_ADMIN"
	userPassword = "Pa55w0rd!:&%"
)

var (
	pkiOnce = sync.OnceValues(func() (*saptest.PKI, error) { return saptest.NewPKI() })
	fixedAt = time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
)

func now() time.Time { return fixedAt }

func testPKI(t *testing.T) *saptest.PKI {
	t.Helper()
	p, err := pkiOnce()
	if err != nil {
		t.Fatalf("NewPKI() error = %v", err)
	}
	return p
}

// newUAA starts a UAA that knows clientID/secret, the X.509 client x509ID
// and the cockpit user; cfg adds to that.
func newUAA(t *testing.T, cfg saptest.UAAConfig) *saptest.UAA {
	t.Helper()
	if cfg.Clients == nil {
		cfg.Clients = map[string]string{clientID: clientSecret, x509ID: ""}
	}
	if cfg.Users == nil {
		cfg.Users = map[string]string{username: userPassword}
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"it!b34.IntegrationOperationServer.read", "it!b34.NodeManager.read"}
	}
	return saptest.MustUAA(t, testPKI(t), cfg)
}

// onlyRequest returns the one request the server got, failing otherwise:
// x/oauth2's auth-style auto-detection would send a second one after a
// failure.
func onlyRequest(t *testing.T, uaa *saptest.UAA) saptest.Request {
	t.Helper()
	reqs := uaa.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want exactly 1", len(reqs))
	}
	return reqs[0]
}

// httpClient is the HTTP client production uses (transport.New), trusting the
// test PKI and presenting c when it is not nil.
func httpClient(t testing.TB, p *saptest.PKI, c *saptest.ClientCert) *http.Client {
	t.Helper()
	// Retry waits are skipped (the transport's own tests time them); the
	// retries themselves still happen and are counted.
	o := transport.Options{Timeout: 30 * time.Second, RootCAs: p.RootPool(),
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	if c != nil {
		cert := c.TLSCertificate()
		o.ClientCertificate = &cert
	}
	hc, err := transport.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

func basic(id, clientSecret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(clientSecret)))
}

func TestFetchClientAuth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		auth        clientAuthMode
		decodeBasic bool
		wantBody    string
		wantAuthz   string
		wantErr     bool
	}{
		{
			name:     "body, server does not decode Basic",
			auth:     authBody,
			wantBody: "client_id=sb-ci%21b12%7Cit%21b34&client_secret=S3cr3t%24x%2By%2Fz%3D&grant_type=client_credentials",
		},
		{
			name:        "body, server decodes Basic",
			auth:        authBody,
			decodeBasic: true,
			wantBody:    "client_id=sb-ci%21b12%7Cit%21b34&client_secret=S3cr3t%24x%2By%2Fz%3D&grant_type=client_credentials",
		},
		{
			name:        "basic, server decodes Basic as RFC 6749 2.3.1 says",
			auth:        authBasic,
			decodeBasic: true,
			wantBody:    "grant_type=client_credentials",
			wantAuthz:   "Basic c2ItY2klMjFiMTIlN0NpdCUyMWIzNDpTM2NyM3QlMjR4JTJCeSUyRnolM0Q=",
		},
		{
			name:      "basic, server does not decode Basic: the escaped id does not match",
			auth:      authBasic,
			wantBody:  "grant_type=client_credentials",
			wantAuthz: "Basic c2ItY2klMjFiMTIlN0NpdCUyMWIzNDpTM2NyM3QlMjR4JTJCeSUyRnolM0Q=",
			wantErr:   true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := newUAA(t, saptest.UAAConfig{DecodeBasic: tc.decodeBasic})
			tok, err := fetch(context.Background(), httpClient(t, testPKI(t), nil), tokenRequest{
				TokenURL:     uaa.TokenURL(),
				ClientID:     clientID,
				ClientSecret: clientSecret,
				ClientAuth:   tc.auth,
			}, now)
			req := onlyRequest(t, uaa)
			if req.Method != http.MethodPost || req.Path != "/oauth/token" {
				t.Errorf("request = %s %s, want POST /oauth/token", req.Method, req.Path)
			}
			if got, want := req.Header.Get("Content-Type"), "application/x-www-form-urlencoded"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if req.Body != tc.wantBody {
				t.Errorf("body = %q, want %q", req.Body, tc.wantBody)
			}
			if got := req.Header.Get("Authorization"); got != tc.wantAuthz {
				t.Errorf("Authorization = %q, want %q", got, tc.wantAuthz)
			}
			if tc.wantAuthz != "" && tc.wantAuthz != basic(clientID, clientSecret) {
				t.Errorf("test case Authorization %q is not the form-urlencoded Basic header %q", tc.wantAuthz, basic(clientID, clientSecret))
			}
			if tc.wantErr {
				assertError(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Fetch() error = %v", err)
			}
			if !uaa.Valid(tok.AccessToken, "") {
				t.Errorf("Fetch() access token is not one the UAA issued")
			}
		})
	}
}

func TestFetchGrants(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	x509Cert := saptest.MustClient(t, p, x509ID, saptest.WithECKey())
	cases := []struct {
		name       string
		cfg        saptest.UAAConfig
		req        tokenRequest
		hc         *http.Client
		wantForm   url.Values
		wantAuthz  bool
		wantCN     string
		wantScope  string
		wantExpiry int64
		wantRefTok bool
	}{
		{
			name: "client credentials with scopes",
			req:  tokenRequest{ClientID: clientID, ClientSecret: clientSecret, Scopes: []string{"it!b34.NodeManager.read", " ", "it!b34.IntegrationOperationServer.read"}},
			wantForm: url.Values{
				"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret},
				"scope": {"it!b34.NodeManager.read it!b34.IntegrationOperationServer.read"},
			},
			wantScope:  "it!b34.NodeManager.read it!b34.IntegrationOperationServer.read",
			wantExpiry: saptest.DefaultExpiresIn,
		},
		{
			name: "password grant of the HANA cockpit",
			cfg:  saptest.UAAConfig{ExpiresIn: 14399, TokenPath: "/uaa-security/oauth/token"},
			req:  tokenRequest{Grant: passwordGrant(username, userPassword, ""), ClientID: clientID, ClientSecret: clientSecret},
			wantForm: url.Values{
				"grant_type": {"password"}, "client_id": {clientID}, "client_secret": {clientSecret},
				"username": {username}, "password": {userPassword},
			},
			wantScope:  "it!b34.IntegrationOperationServer.read it!b34.NodeManager.read",
			wantExpiry: 14399,
			wantRefTok: true,
		},
		{
			name:       "password grant with Basic client auth and a scope",
			cfg:        saptest.UAAConfig{DecodeBasic: true},
			req:        tokenRequest{Grant: passwordGrant(username, userPassword, ""), ClientID: clientID, ClientSecret: clientSecret, Scopes: []string{"it!b34.NodeManager.read"}, ClientAuth: authBasic},
			wantForm:   url.Values{"grant_type": {"password"}, "username": {username}, "password": {userPassword}, "scope": {"it!b34.NodeManager.read"}},
			wantAuthz:  true,
			wantScope:  "it!b34.NodeManager.read",
			wantExpiry: saptest.DefaultExpiresIn,
			wantRefTok: true,
		},
		{
			name:       "X.509 client over mTLS sends client_id and no secret",
			req:        tokenRequest{ClientID: x509ID},
			hc:         httpClient(t, p, x509Cert),
			wantForm:   url.Values{"grant_type": {"client_credentials"}, "client_id": {x509ID}},
			wantCN:     x509ID,
			wantScope:  "it!b34.IntegrationOperationServer.read it!b34.NodeManager.read",
			wantExpiry: saptest.DefaultExpiresIn,
		},
		{
			name:       "X.509 client asking for Basic still uses the body",
			req:        tokenRequest{ClientID: x509ID, ClientAuth: authBasic},
			hc:         httpClient(t, p, x509Cert),
			wantForm:   url.Values{"grant_type": {"client_credentials"}, "client_id": {x509ID}},
			wantCN:     x509ID,
			wantScope:  "it!b34.IntegrationOperationServer.read it!b34.NodeManager.read",
			wantExpiry: saptest.DefaultExpiresIn,
		},
		{
			name:       "Neo token path",
			cfg:        saptest.UAAConfig{TokenPath: "/oauth2/api/v1/token", ExpiresIn: 1500},
			req:        tokenRequest{ClientID: clientID, ClientSecret: clientSecret},
			wantForm:   url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}},
			wantScope:  "it!b34.IntegrationOperationServer.read it!b34.NodeManager.read",
			wantExpiry: 1500,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := newUAA(t, tc.cfg)
			hc := tc.hc
			if hc == nil {
				hc = httpClient(t, p, nil)
			}
			r := tc.req
			r.TokenURL = uaa.TokenURL()
			tok, err := fetch(context.Background(), hc, r, now)
			if err != nil {
				t.Fatalf("Fetch() error = %v", err)
			}
			req := onlyRequest(t, uaa)
			wantPath := strings.TrimPrefix(uaa.TokenURL(), uaa.URL)
			if req.Method != http.MethodPost || req.Path != wantPath {
				t.Errorf("request = %s %s, want POST %s", req.Method, req.Path, wantPath)
			}
			if got, want := req.Header.Get("Content-Type"), "application/x-www-form-urlencoded"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if !reflect.DeepEqual(req.Form, tc.wantForm) {
				t.Errorf("form = %v, want %v", req.Form, tc.wantForm)
			}
			if got, want := req.Header.Get("Authorization") != "", tc.wantAuthz; got != want {
				t.Errorf("Authorization header sent = %v, want %v", got, want)
			}
			if req.ClientCertCN != tc.wantCN {
				t.Errorf("client certificate CN = %q, want %q", req.ClientCertCN, tc.wantCN)
			}

			if !uaa.Valid(tok.AccessToken, "") {
				t.Errorf("AccessToken is not one the UAA issued")
			}
			if got, want := tok.TokenType, "Bearer"; got != want {
				t.Errorf("TokenType = %q, want %q", got, want)
			}
			if tok.Scope != tc.wantScope {
				t.Errorf("Scope = %q, want %q", tok.Scope, tc.wantScope)
			}
			if want := time.Duration(tc.wantExpiry) * time.Second; tok.Lifetime != want || !tok.Issued.Equal(fixedAt) {
				t.Errorf("Lifetime = %v issued %v, want %v issued %v", tok.Lifetime, tok.Issued, want, fixedAt)
			}
			if got := tok.RefreshToken != ""; got != tc.wantRefTok {
				t.Errorf("RefreshToken set = %v, want %v", got, tc.wantRefTok)
			}
			wantSecrets := []string{tok.AccessToken}
			if tc.wantRefTok {
				wantSecrets = append(wantSecrets, tok.RefreshToken)
			}
			if got := tok.Secrets(); !reflect.DeepEqual(got, wantSecrets) {
				t.Errorf("Secrets() = %q, want %q", got, wantSecrets)
			}
		})
	}
}

func TestFetchTokenShapes(t *testing.T) {
	t.Parallel()
	const (
		jsonType = "application/json;charset=UTF-8"
		formType = "application/x-www-form-urlencoded"
	)
	cases := []struct {
		name        string
		body, ctype string
		want        issuedToken
	}{
		{
			name:  "expires_in as a number",
			body:  `{"access_token":"shape-at-1","token_type":"bearer","expires_in":3600,"scope":"a b"}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: "shape-at-1", TokenType: "Bearer", Scope: "a b", Lifetime: 3600 * time.Second},
		},
		{
			name:  "expires_in as a string",
			body:  `{"access_token":"shape-at-2","token_type":"bearer","expires_in":"3600"}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: "shape-at-2", TokenType: "Bearer", Lifetime: 3600 * time.Second},
		},
		{
			// RFC 6749 §5.1 says a string; some servers send a list.
			name:  "scope as a JSON array is joined with spaces",
			body:  `{"access_token":"shape-at-9","token_type":"bearer","expires_in":60,"scope":["it!b34.NodeManager.read","openid"]}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: "shape-at-9", TokenType: "Bearer", Scope: "it!b34.NodeManager.read openid", Lifetime: time.Minute},
		},
		{
			name:  "scope neither a string nor a list of strings is left out with a warning",
			body:  `{"access_token":"shape-at-10","token_type":"bearer","expires_in":60,"scope":["openid",7]}`,
			ctype: jsonType,
			want: issuedToken{AccessToken: "shape-at-10", TokenType: "Bearer", Lifetime: time.Minute,
				Warnings: []string{"the answer's scope is neither a string nor a list of strings; the scope output is left empty"}},
		},
		{
			name:  "form-encoded answer",
			body:  "access_token=shape-at-3&token_type=bearer&expires_in=1800&scope=a+b&refresh_token=shape-rt-3",
			ctype: formType,
			want:  issuedToken{AccessToken: "shape-at-3", TokenType: "Bearer", RefreshToken: "shape-rt-3", Scope: "a b", Lifetime: 1800 * time.Second},
		},
		{
			name:  "no expires_in: the JWT's exp claim",
			body:  `{"access_token":"` + testJWT(`{"exp":`+strconv.FormatInt(fixedAt.Unix()+900, 10)+`}`) + `","token_type":"bearer"}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: testJWT(`{"exp":` + strconv.FormatInt(fixedAt.Unix()+900, 10) + `}`), TokenType: "Bearer", Lifetime: 900 * time.Second},
		},
		{
			name:  "no expires_in, a JWT without exp",
			body:  `{"access_token":"` + testJWT(`{"sub":"x"}`) + `"}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: testJWT(`{"sub":"x"}`), TokenType: "Bearer"},
		},
		{
			name:  "no expires_in, no token_type, an id_token",
			body:  `{"access_token":"shape-at-4","id_token":"shape-id-4","refresh_token":"shape-rt-4"}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: "shape-at-4", TokenType: "Bearer", RefreshToken: "shape-rt-4", IDToken: "shape-id-4"},
		},
		{
			name:  "fractional expires_in",
			body:  `{"access_token":"shape-at-5","token_type":"bearer","expires_in":3599.5}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: "shape-at-5", TokenType: "Bearer", Lifetime: 3600 * time.Second},
		},
		{
			name:  "huge expires_in is clamped with a warning",
			body:  `{"access_token":"shape-at-6","expires_in":1e30}`,
			ctype: jsonType,
			want: issuedToken{AccessToken: "shape-at-6", TokenType: "Bearer", Lifetime: 366 * 24 * time.Hour,
				Warnings: []string{"the answer's expires_in is more than a year; taken as one year"}},
		},
		{
			name:  "expires_in zero falls back to the JWT's exp",
			body:  `{"access_token":"` + testJWT(`{"exp":`+strconv.FormatInt(fixedAt.Unix()+600, 10)+`}`) + `","expires_in":0}`,
			ctype: jsonType,
			want: issuedToken{AccessToken: testJWT(`{"exp":` + strconv.FormatInt(fixedAt.Unix()+600, 10) + `}`), TokenType: "Bearer", Lifetime: 600 * time.Second,
				Warnings: []string{"the answer's expires_in is zero or negative; ignored"}},
		},
		{
			name:  "expires_in a boolean, a BOM before the JSON",
			body:  "\ufeff" + `{"access_token":"shape-at-7","expires_in":true}`,
			ctype: jsonType,
			want: issuedToken{AccessToken: "shape-at-7", TokenType: "Bearer",
				Warnings: []string{"the answer's expires_in is not a number; ignored"}},
		},
		{
			name:  "expires_in negative string",
			body:  `{"access_token":"shape-at-8","expires_in":"-5"}`,
			ctype: jsonType,
			want: issuedToken{AccessToken: "shape-at-8", TokenType: "Bearer",
				Warnings: []string{"the answer's expires_in is zero or negative; ignored"}},
		},
		{
			name:  "a token of almost 1 MiB",
			body:  `{"access_token":"` + strings.Repeat("t", 1<<20-40) + `","expires_in":60}`,
			ctype: jsonType,
			want:  issuedToken{AccessToken: strings.Repeat("t", 1<<20-40), TokenType: "Bearer", Lifetime: time.Minute},
		},
	}
	for _, tc := range cases {
		for _, grant := range []*grant{clientCredentialsGrant(), passwordGrant(username, userPassword, "")} {
			t.Run(tc.name+"/"+grant.name, func(t *testing.T) {
				t.Parallel()
				uaa := newUAA(t, saptest.UAAConfig{})
				uaa.SetFault(saptest.Fault{Status: http.StatusOK, Body: tc.body, ContentType: tc.ctype})
				got, err := fetch(context.Background(), httpClient(t, testPKI(t), nil), tokenRequest{
					Grant: grant, TokenURL: uaa.TokenURL(), ClientID: clientID, ClientSecret: clientSecret,
				}, now)
				if err != nil {
					t.Fatalf("Fetch() error = %v", err)
				}
				want := tc.want
				want.Issued = fixedAt
				if !reflect.DeepEqual(*got, want) {
					t.Errorf("Fetch() =\n%+v\nwant\n%+v", *got, want)
				}
				var wantSecrets []string
				for _, s := range []string{want.AccessToken, want.RefreshToken, want.IDToken} {
					if s != "" {
						wantSecrets = append(wantSecrets, s)
					}
				}
				if got := got.Secrets(); !reflect.DeepEqual(got, wantSecrets) {
					t.Errorf("Secrets() = %q, want %q", got, wantSecrets)
				}
			})
		}
	}
}

// errCase is one failing token request.
type errCase struct {
	name   string
	cfg    saptest.UAAConfig
	fault  *saptest.Fault
	req    tokenRequest // TokenURL is filled in unless set
	path   string       // replaces the token path when set
	hc     func(t *testing.T, p *saptest.PKI) *http.Client
	ctx    func() (context.Context, context.CancelFunc)
	server func(t *testing.T, uaa *saptest.UAA) (string, *http.Client) // another server: its token URL and, if not nil, the client to use

	wantStatus   int
	wantCode     string
	wantMsg      string // exact message, if set
	wantContains string // part of the message, if set
	wantRequests int    // requests the UAA must have got; -1 to skip
	noRequest    bool   // the UAA must have got none (the handshake failed)
}

var (
	ccReq    = tokenRequest{ClientID: clientID, ClientSecret: clientSecret}
	pwReq    = tokenRequest{Grant: passwordGrant(username, userPassword, ""), ClientID: clientID, ClientSecret: clientSecret}
	x509Req  = tokenRequest{ClientID: x509ID}
	jsonBody = "application/json;charset=UTF-8"
)

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Lorem ipsum dolor sit amet.\n", 50) // 1400 characters
	cases := []errCase{
		{
			name:       "wrong client secret",
			req:        tokenRequest{ClientID: clientID, ClientSecret: "wrong-" + clientSecret},
			wantStatus: 401, wantCode: "invalid_client",
			wantMsg: `token request failed (HTTP 401, invalid_client: "Bad credentials"): client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key; if they are right, the server may want them sent the other way: try client-auth: basic; do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "wrong client secret, legacy UAA",
			cfg:        saptest.UAAConfig{LegacyErrors: true},
			req:        tokenRequest{ClientID: clientID, ClientSecret: "wrong-" + clientSecret},
			wantStatus: 401, wantCode: "unauthorized",
			wantMsg: `token request failed (HTTP 401, unauthorized: "Bad credentials"): client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key; if they are right, the server may want them sent the other way: try client-auth: basic; do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "unknown client id",
			req:        tokenRequest{ClientID: "sb-other!b1", ClientSecret: clientSecret},
			wantStatus: 401, wantCode: "invalid_client",
		},
		{
			name:       "wrong password",
			req:        tokenRequest{Grant: passwordGrant(username, "wrong-"+userPassword, ""), ClientID: clientID, ClientSecret: clientSecret},
			wantStatus: 401, wantCode: "unauthorized",
			wantMsg: `token request failed (HTTP 401, unauthorized: "Name or password mismatch"): the username or password is wrong; a user of a custom identity provider needs origin (its Origin Key); do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "wrong password, Bad credentials text",
			req:        pwReq,
			fault:      &saptest.Fault{Status: 401, Body: `{"error":"unauthorized","error_description":"Bad credentials"}`, ContentType: jsonBody},
			wantStatus: 401, wantCode: "unauthorized",
			wantMsg: `token request failed (HTTP 401, unauthorized: "Bad credentials"): the username or password is wrong; a user of a custom identity provider needs origin (its Origin Key); do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "wrong client secret on the password grant",
			req:        tokenRequest{Grant: passwordGrant(username, userPassword, ""), ClientID: clientID, ClientSecret: "wrong-" + clientSecret},
			wantStatus: 401, wantCode: "invalid_client",
		},
		{
			name:       "invalid_grant on the password grant",
			req:        pwReq,
			fault:      &saptest.Fault{Status: 400, Body: `{"error":"invalid_grant","error_description":"User account is locked"}`, ContentType: jsonBody},
			wantStatus: 400, wantCode: "invalid_grant",
		},
		{
			name:       "invalid scope",
			req:        tokenRequest{ClientID: clientID, ClientSecret: clientSecret, Scopes: []string{"it!b34.WorkspacePackagesEdit"}},
			wantStatus: 400, wantCode: "invalid_scope",
			wantMsg: `token request failed (HTTP 400, invalid_scope: "Invalid scope: it!b34.WorkspacePackagesEdit. Did you know that you can get default scopes by simply sending no value?"): a requested scope is not allowed for this client; fix the scope, or leave it empty for the client's default scopes`,
		},
		{
			name:       "unsupported grant type",
			req:        pwReq,
			fault:      &saptest.Fault{Status: 400, Body: `{"error":"unsupported_grant_type","error_description":"Unsupported grant type: password"}`, ContentType: jsonBody},
			wantStatus: 400, wantCode: "unsupported_grant_type",
			wantMsg: `token request failed (HTTP 400, unsupported_grant_type: "Unsupported grant type: password"): the server does not support the password grant at all; use another flow, or the token URL of a server that has it`,
		},
		{
			name:       "unauthorized_client",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 400, Body: `{"error":"unauthorized_client","error_description":"Unauthorized grant type: client_credentials"}`, ContentType: jsonBody},
			wantStatus: 400, wantCode: "unauthorized_client",
		},
		{
			name:       "wrong token path",
			req:        ccReq,
			path:       "/oauth/tokens",
			wantStatus: 404,
			wantMsg:    `token request failed (HTTP 404): the token URL is wrong: nothing there accepts token requests`,
		},
		{
			// Retried as SAP says (3 retries; the test client skips the
			// waits), then the first failure is reported.
			name:         "service unavailable",
			req:          ccReq,
			fault:        &saptest.Fault{Status: 503, Body: "<html><body>Service Unavailable</body></html>", ContentType: "text/html"},
			wantContains: "token request failed: failed to get an answer in 4 attempts over ",
			wantRequests: 4,
		},

		{
			name:       "forbidden with a plain body",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 403, Body: "Forbidden: " + clientSecret},
			wantStatus: 403,
			wantMsg:    `token request failed (HTTP 403): the server refused the request (forbidden); do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "401 without a body on client credentials",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 401},
			wantStatus: 401,
		},
		{
			name:       "a description that echoes the secret is dropped",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 401, Body: `{"error":"invalid_client","error_description":"client_secret ` + clientSecret + ` is wrong"}`, ContentType: jsonBody},
			wantStatus: 401, wantCode: "invalid_client",
			wantMsg: `token request failed (HTTP 401, invalid_client: "client_secret *** is wrong"): client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key; if they are right, the server may want them sent the other way: try client-auth: basic; do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "a description that echoes the escaped password is dropped",
			req:        pwReq,
			fault:      &saptest.Fault{Status: 401, Body: `{"error":"unauthorized","error_description":"password=` + url.QueryEscape(userPassword) + `"}`, ContentType: jsonBody},
			wantStatus: 401, wantCode: "unauthorized",
			wantMsg: `token request failed (HTTP 401, unauthorized: "password=***"): the username or password is wrong; a user of a custom identity provider needs origin (its Origin Key); do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "an error answer that carries a token keeps it out",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 200, Body: `{"error":"server_error","error_description":"issued leaked-token-1","access_token":"leaked-token-1"}`, ContentType: jsonBody},
			wantStatus: 200, wantCode: "server_error",
			wantMsg: `token request failed (HTTP 200, server_error: "issued ***"): the server answered with an error instead of a token`,
		},
		{
			name:       "a long multi-line description is cut to one line",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 400, Body: `{"error":"invalid_request","error_description":` + fmt.Sprintf("%q", long) + `}`, ContentType: jsonBody},
			wantStatus: 400, wantCode: "invalid_request",
			wantMsg: `token request failed (HTTP 400, invalid_request: "` + strings.TrimSpace(strings.ReplaceAll(long, "\n", " ")[:999]) + `…"): the server found the request malformed`,
		},
		{
			name:       "a hostile error code is made one line",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 400, Body: `{"error":"bad\n::add-mask::x","error_description":"a\r\nb"}`, ContentType: jsonBody},
			wantStatus: 400, wantCode: "bad ::add-mask::x",
			wantMsg: `token request failed (HTTP 400, bad ::add-mask::x: "a b"): the token endpoint refused the request`,
		},
		{
			name:    "200 with an HTML login page",
			req:     ccReq,
			fault:   &saptest.Fault{Status: 200, Body: "<!DOCTYPE html><html><body><form action=\"/login\">" + clientSecret + "</form></body></html>", ContentType: "text/html;charset=UTF-8"},
			wantMsg: `token request failed: the token URL did not answer with a token; check that it is the token endpoint (…/oauth/token), not a web page`,
		},
		{
			name:  "200 with JSON that is not a token",
			req:   pwReq,
			fault: &saptest.Fault{Status: 200, Body: `{"status":"UP"}`, ContentType: jsonBody},
		},
		{
			name:  "200 with plain text",
			req:   ccReq,
			fault: &saptest.Fault{Status: 200, Body: "OK"},
		},
		{
			// The transport explains the broken body; the token is not
			// retried for, as one may have been issued.
			name:         "200 cut short",
			req:          ccReq,
			fault:        &saptest.Fault{Status: 200, Body: `{"access_token":"cut-tok-0123456789","token_type":"bearer"}`, ContentType: jsonBody, Truncate: true},
			wantContains: "token request failed: the token endpoint answered, but the answer was cut short: the server, a proxy or the network closed the connection: unexpected EOF",
		},
		{
			name:       "redirect without Location",
			req:        ccReq,
			fault:      &saptest.Fault{Status: 302},
			wantStatus: 302,
		},
		{
			name:  "timeout of the HTTP client",
			req:   ccReq,
			fault: &saptest.Fault{Delay: 5 * time.Second},
			hc: func(t *testing.T, p *saptest.PKI) *http.Client {
				hc, err := transport.New(transport.Options{Timeout: 200 * time.Millisecond, RootCAs: p.RootPool()})
				if err != nil {
					t.Fatal(err)
				}
				return hc
			},
			wantContains: "token request failed: no answer within the timeout",
		},
		{
			name:  "deadline of the context",
			req:   pwReq,
			fault: &saptest.Fault{Delay: 5 * time.Second},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 200*time.Millisecond)
			},
		},
		{
			name: "server certificate from an unknown authority",
			req:  ccReq,
			hc: func(t *testing.T, _ *saptest.PKI) *http.Client {
				// The production client, trusting another PKI's root.
				return httpClient(t, saptest.MustPKI(t), nil)
			},
			wantContains: "token request failed: the server's certificate is not signed by a trusted CA: add its CA with ca-certificates: Post ",
			wantRequests: -1,
		},
		{
			name: "server demands a client certificate",
			req:  x509Req,
			server: func(t *testing.T, _ *saptest.UAA) (string, *http.Client) {
				return saptest.MustIAS(t, testPKI(t)).URL + "/oauth/token", nil
			},
			wantContains: "no client certificate was sent",
			wantRequests: 0,
		},
		{
			// The UAA asks for certificates from its CAs only, so Go's TLS
			// client sends none and the X.509 client is unknown.
			// The production client sends its certificate whatever CAs the
			// server names (as curl does); the UAA's TLS layer refuses it.
			name: "untrusted client certificate is refused in the handshake",
			req:  x509Req,
			hc: func(t *testing.T, p *saptest.PKI) *http.Client {
				return httpClient(t, p, saptest.MustClient(t, p, x509ID, saptest.Untrusted(), saptest.WithECKey()))
			},
			wantContains: "does not trust the issuer of the client certificate",
			noRequest:    true,
		},
		{
			name: "X.509 client with another client's certificate",
			req:  x509Req,
			hc: func(t *testing.T, p *saptest.PKI) *http.Client {
				return httpClient(t, p, saptest.MustClient(t, p, "someone-else", saptest.WithECKey()))
			},
			wantStatus: 401, wantCode: "invalid_client",
			wantMsg: `token request failed (HTTP 401, invalid_client: "Bad credentials"): the client id or client certificate was not accepted; check that the certificate and key belong to the service key's client id; do not re-run blindly: repeated failures lock the client or user for 60 minutes`,
		},
		{
			name:       "X.509 client without a certificate",
			req:        x509Req,
			wantStatus: 401, wantCode: "invalid_client",
		},
		{
			name: "plain HTTP server behind an https URL",
			req:  ccReq,
			server: func(t *testing.T, _ *saptest.UAA) (string, *http.Client) {
				ts := httptest.NewServer(http.NotFoundHandler())
				t.Cleanup(ts.Close)
				return "https://" + ts.Listener.Addr().String() + "/oauth/token", nil
			},
			wantContains: "the server answered plain HTTP on a TLS port",
			wantRequests: 0,
		},
		{
			name: "connection refused",
			req:  ccReq,
			server: func(t *testing.T, _ *saptest.UAA) (string, *http.Client) {
				ts := httptest.NewServer(http.NotFoundHandler())
				addr := ts.Listener.Addr().String()
				ts.Close()
				return "https://" + addr + "/oauth/token", nil
			},
			wantContains: "failed to get an answer in 4 attempts",
			wantRequests: 0,
		},
		{
			name: "redirect is not followed",
			req:  ccReq,
			server: func(t *testing.T, uaa *saptest.UAA) (string, *http.Client) {
				// The first request is redirected to the token URL
				// itself; following it would send the credentials again.
				uaa.SetFault(saptest.Fault{Status: http.StatusTemporaryRedirect, Location: uaa.TokenURL(), Times: 1})
				return uaa.TokenURL(), nil
			},
			wantStatus:   307,
			wantMsg:      `token request failed (HTTP 307): the token URL redirects elsewhere (to a login page?); use the token endpoint itself`,
			wantRequests: 1, // the redirect itself; following it would make 2
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runErrCase(t, tc)
		})
	}
}

func runErrCase(t *testing.T, tc errCase) {
	t.Helper()
	p := testPKI(t)
	uaa := newUAA(t, tc.cfg)
	if tc.fault != nil {
		uaa.SetFault(*tc.fault)
	}
	r := tc.req
	hc := httpClient(t, p, nil)
	if tc.hc != nil {
		hc = tc.hc(t, p)
	}
	switch {
	case tc.server != nil:
		var c *http.Client
		r.TokenURL, c = tc.server(t, uaa)
		if c != nil {
			hc = c
		}
	case tc.path != "":
		r.TokenURL = uaa.URL + tc.path
	default:
		r.TokenURL = uaa.TokenURL()
	}
	ctx, cancel := context.WithCancel(context.Background())
	if tc.ctx != nil {
		ctx, cancel = tc.ctx()
	}
	defer cancel()

	tok, err := fetch(ctx, hc, r, now)
	if err == nil {
		t.Fatalf("Fetch() = %+v, want an error", tok)
	}
	t.Logf("error: %v", err)
	e := assertError(t, err)
	if e == nil {
		return
	}
	if e.Status != tc.wantStatus {
		t.Errorf("Status = %d, want %d", e.Status, tc.wantStatus)
	}
	if e.Code != tc.wantCode {
		t.Errorf("Code = %q, want %q", e.Code, tc.wantCode)
	}
	if tc.wantMsg != "" && err.Error() != tc.wantMsg {
		t.Errorf("Error() =\n%q\nwant\n%q", err.Error(), tc.wantMsg)
	}
	if tc.wantContains != "" && !strings.Contains(err.Error(), tc.wantContains) {
		t.Errorf("Error() =\n%q\nwant it to contain\n%q", err.Error(), tc.wantContains)
	}
	want := 1
	if tc.server != nil || tc.wantRequests != 0 {
		want = tc.wantRequests
	}
	if tc.noRequest {
		want = 0
	}
	if got := len(uaa.Requests()); want >= 0 && got != want {
		t.Errorf("UAA got %d requests, want %d", got, want)
	}
	assertNoSecrets(t, err, r, uaa.Tokens())
}

// assertError checks that err is a *tokenError with a one-line message, and
// returns it.
func assertError(t *testing.T, err error) *tokenError {
	t.Helper()
	var e *tokenError
	if !errors.As(err, &e) {
		t.Errorf("fetch() error = %v (%T), want *tokenError", err, err)
		return nil
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("Error() = %q has more than one line", err.Error())
	}
	return e
}

// assertNoSecrets checks that no text of the error chain contains the secret,
// the password (also escaped) or a token.
func assertNoSecrets(t *testing.T, err error, r tokenRequest, tokens []string) {
	t.Helper()
	bad := append([]string{"leaked-token-1"}, tokens...)
	for _, s := range append([]string{r.ClientSecret, clientSecret, userPassword}, r.grant().secrets...) {
		if s != "" {
			bad = append(bad, s, url.QueryEscape(s))
		}
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range bad {
			if strings.Contains(e.Error(), s) {
				t.Errorf("error %q (%T) contains the secret %q", e.Error(), e, s)
			}
		}
	}
}

// A CI job fetches a Cloud Integration API token with the client of a
// service key. saptest stands in for the SAP token endpoint.
func Example_fetch() {
	p, err := saptest.NewPKI()
	if err != nil {
		log.Fatal(err)
	}
	uaa, err := saptest.NewUAA(p, saptest.UAAConfig{
		Clients:   map[string]string{"sb-1c2d!b1|it!b2": "s3cret"},
		Scopes:    []string{"it!b2.NodeManager.read"},
		ExpiresIn: 43200,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer uaa.Close()

	// The client production uses: TLS 1.2+, the extra CA, no redirects.
	hc, err := transport.New(transport.Options{Timeout: 30 * time.Second, RootCAs: p.RootPool()})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := fetch(context.Background(), hc, tokenRequest{
		TokenURL:     uaa.TokenURL(),
		ClientID:     "sb-1c2d!b1|it!b2",
		ClientSecret: "s3cret",
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.TokenType, tok.Lifetime, tok.Scope)
	// Output: Bearer 12h0m0s it!b2.NodeManager.read
}

// testJWT makes a compact JWT with the given claims and a dummy signature.
func testJWT(claims string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims)) + ".c2ln"
}

// TestFetchRetries runs each retry case of SAP's policy against the UAA
// fake through the production client and counts the requests the server
// got: a 4xx is sent exactly once (SAP locks a client after 5 failures).
func TestFetchRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		faults       []saptest.Fault
		wantErr      string // "" means a token
		wantRequests int
	}{
		{name: "503 then a token", faults: saptest.UnavailableThenOK(), wantRequests: 2},
		{name: "429 with Retry-After then a token", faults: saptest.RateLimitedThenOK(1), wantRequests: 2},
		{name: "a reset then a token", faults: saptest.ResetThenOK(), wantRequests: 2},
		{name: "401 forever is sent once", faults: saptest.UnauthorizedForever(), wantErr: "lock the client or user for 60 minutes", wantRequests: 1},
		{name: "400 is sent once", faults: []saptest.Fault{{Status: 400, Body: `{"error":"invalid_request"}`, ContentType: jsonBody}}, wantErr: "HTTP 400", wantRequests: 1},
		{name: "503 then 429 keeps the 503", faults: []saptest.Fault{{Status: 503, Times: 1}, {Status: 429}}, wantErr: "first HTTP 503 Service Unavailable", wantRequests: 4},
		{name: "503 then 401 names both", faults: append([]saptest.Fault{{Status: 503, Times: 1}}, saptest.UnauthorizedForever()...),
			wantErr: `(HTTP 401, unauthorized: "Bad credentials"): client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key; ` +
				`if they are right, the server may want them sent the other way: try client-auth: basic; do not re-run blindly: repeated failures lock the client or user for 60 minutes; ` +
				`the request was retried: its first attempt got HTTP 503 Service Unavailable`, wantRequests: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := newUAA(t, saptest.UAAConfig{})
			uaa.SetFaults(tc.faults...)
			r := ccReq
			r.TokenURL = uaa.TokenURL()
			// A new connection per request, so that a reset is not
			// hidden by net/http's own retry of an idle connection.
			hc := httpClient(t, testPKI(t), nil)
			hc.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
			tok, err := fetch(context.Background(), hc, r, now)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Fetch() error = %v, want a token", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Fetch() = %v, %v; want an error containing %q", tok, err, tc.wantErr)
			}
			if got := uaa.Count(""); got != tc.wantRequests {
				t.Errorf("the UAA got %d requests, want %d", got, tc.wantRequests)
			}
		})
	}
}

// TestFetchTooLargeAnswer: a 2xx answer over 1 MiB is refused with a clear
// error, not read as "not a token".
func TestFetchTooLargeAnswer(t *testing.T) {
	t.Parallel()
	uaa := newUAA(t, saptest.UAAConfig{})
	uaa.SetFault(saptest.Fault{Status: 200, ContentType: jsonBody, Body: `{"access_token":"` + strings.Repeat("t", 1<<20) + `"}`})
	r := ccReq
	r.TokenURL = uaa.TokenURL()
	_, err := fetch(context.Background(), httpClient(t, testPKI(t), nil), r, now)
	if err == nil || !strings.Contains(err.Error(), "the token answer is larger than 1048576 bytes") {
		t.Errorf("Fetch() error = %v, want the size named", err)
	}
}
