package saptest_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

const (
	cpiClient  = "sb-3f1c!b1234|it!b182722"
	cpiSecret  = "s3cret/with+special=chars&more"
	x509Client = "sb-x509!b42|it!b182722"
	readScope  = "it!b182722.IntegrationOperationServer.read"
	nodeScope  = "it!b182722.NodeManager.read"
)

func uaaConfig() saptest.UAAConfig {
	return saptest.UAAConfig{
		Clients: map[string]string{cpiClient: cpiSecret, "plain": "plain-secret", x509Client: ""},
		Users:   map[string]string{"COCKPIT_ADMIN": "Pa ss:w%rd!"},
		Scopes:  []string{readScope, nodeScope},
	}
}

func retrieveError(t *testing.T, err error) (status int, code string) {
	t.Helper()
	if err == nil {
		return 200, ""
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v, want *oauth2.RetrieveError", err)
	}
	return re.Response.StatusCode, re.ErrorCode
}

func TestUAAClientCredentials(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, p.HTTPClient(nil))

	cases := []struct {
		name        string
		decodeBasic bool
		legacy      bool
		style       oauth2.AuthStyle
		id, secret  string
		scopes      []string
		wantStatus  int
		wantCode    string
		wantScope   string
	}{
		{name: "post, ! and | in id", style: oauth2.AuthStyleInParams, id: cpiClient, secret: cpiSecret, wantStatus: 200, wantScope: readScope + " " + nodeScope},
		{name: "post, decoding server", decodeBasic: true, style: oauth2.AuthStyleInParams, id: cpiClient, secret: cpiSecret, wantStatus: 200},
		{name: "basic, decoding server", decodeBasic: true, style: oauth2.AuthStyleInHeader, id: cpiClient, secret: cpiSecret, wantStatus: 200},
		{name: "basic, raw server, escaped id fails", style: oauth2.AuthStyleInHeader, id: cpiClient, secret: cpiSecret, wantStatus: 401, wantCode: "invalid_client"},
		{name: "basic, raw server, plain id", style: oauth2.AuthStyleInHeader, id: "plain", secret: "plain-secret", wantStatus: 200},
		{name: "one scope", style: oauth2.AuthStyleInParams, id: cpiClient, secret: cpiSecret, scopes: []string{nodeScope}, wantStatus: 200, wantScope: nodeScope},
		{name: "scope not granted", style: oauth2.AuthStyleInParams, id: cpiClient, secret: cpiSecret, scopes: []string{"uaa.admin"}, wantStatus: 400, wantCode: "invalid_scope"},
		{name: "wrong secret", style: oauth2.AuthStyleInParams, id: cpiClient, secret: "nope", wantStatus: 401, wantCode: "invalid_client"},
		{name: "unknown client", style: oauth2.AuthStyleInHeader, id: "ghost", secret: "x", wantStatus: 401, wantCode: "invalid_client"},
		{name: "wrong secret, legacy UAA", legacy: true, style: oauth2.AuthStyleInParams, id: cpiClient, secret: "nope", wantStatus: 401, wantCode: "unauthorized"},
		{name: "secret for an x509 client", style: oauth2.AuthStyleInParams, id: x509Client, secret: "guess", wantStatus: 401, wantCode: "invalid_client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := uaaConfig()
			cfg.DecodeBasic, cfg.LegacyErrors = tc.decodeBasic, tc.legacy
			uaa := saptest.MustUAA(t, p, cfg)
			cc := clientcredentials.Config{
				ClientID: tc.id, ClientSecret: tc.secret, TokenURL: uaa.TokenURL(),
				Scopes: tc.scopes, AuthStyle: tc.style,
			}
			tok, err := cc.Token(ctx)
			status, code := retrieveError(t, err)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Fatalf("Token() = %d %q (%v), want %d %q", status, code, err, tc.wantStatus, tc.wantCode)
			}
			if got := len(uaa.Requests()); got != 1 {
				t.Errorf("len(Requests()) = %d, want 1", got)
			}
			if err != nil {
				if got := len(uaa.Tokens()); got != 0 {
					t.Errorf("len(Tokens()) = %d after an error, want 0", got)
				}
				return
			}
			if tok.TokenType != "bearer" || tok.RefreshToken != "" {
				t.Errorf("token type, refresh = %q, %q, want bearer and none", tok.TokenType, tok.RefreshToken)
			}
			if tc.wantScope != "" && tok.Extra("scope") != tc.wantScope {
				t.Errorf("scope = %v, want %q", tok.Extra("scope"), tc.wantScope)
			}
			if !slices.Equal(uaa.Tokens(), []string{tok.AccessToken}) {
				t.Errorf("Tokens() = %q, want the access token", uaa.Tokens())
			}
			granted := strings.Fields(tok.Extra("scope").(string))
			for _, sc := range []string{readScope, nodeScope} {
				if got, want := uaa.Valid(tok.AccessToken, sc), slices.Contains(granted, sc); got != want {
					t.Errorf("Valid(token, %q) = %v, want %v", sc, got, want)
				}
			}
		})
	}
}

func TestUAAPasswordGrant(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, p.HTTPClient(nil))
	uaa := saptest.MustUAA(t, p, uaaConfig())

	cases := []struct {
		name, user, password string
		wantStatus           int
		wantCode             string
	}{
		{"ok", "COCKPIT_ADMIN", "Pa ss:w%rd!", 200, ""},
		{"wrong password", "COCKPIT_ADMIN", "wrong", 401, "unauthorized"},
		{"unknown user", "NOBODY", "Pa ss:w%rd!", 401, "unauthorized"},
		{"empty user", "", "", 401, "unauthorized"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := oauth2.Config{
				ClientID: "plain", ClientSecret: "plain-secret",
				Endpoint: oauth2.Endpoint{TokenURL: uaa.TokenURL(), AuthStyle: oauth2.AuthStyleInParams},
			}
			tok, err := cfg.PasswordCredentialsToken(ctx, tc.user, tc.password)
			status, code := retrieveError(t, err)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Fatalf("PasswordCredentialsToken() = %d %q (%v), want %d %q", status, code, err, tc.wantStatus, tc.wantCode)
			}
			if err != nil {
				var re *oauth2.RetrieveError
				errors.As(err, &re)
				if re.ErrorDescription != "Name or password mismatch" {
					t.Errorf("error_description = %q, want Name or password mismatch", re.ErrorDescription)
				}
				return
			}
			if tok.RefreshToken == "" || !uaa.Valid(tok.AccessToken, readScope) {
				t.Errorf("token = %+v, want a valid access and a refresh token", tok)
			}
			if uaa.Valid(tok.RefreshToken, "") {
				t.Error("Valid(refresh token) = true, want false")
			}
			claims := jwtClaims(t, tok.AccessToken)
			if claims["user_name"] != tc.user || claims["grant_type"] != "password" || claims["client_id"] != "plain" {
				t.Errorf("claims = %v", claims)
			}
			issued := uaa.Tokens()
			if !slices.Contains(issued, tok.AccessToken) || !slices.Contains(issued, tok.RefreshToken) {
				t.Error("Tokens() misses the access or the refresh token")
			}

			// The refresh token gets a new access token.
			expired := *tok
			expired.AccessToken, expired.Expiry = "", expired.Expiry.Add(-100*365*24*3600*1e9)
			fresh, err := cfg.TokenSource(ctx, &expired).Token()
			if err != nil {
				t.Fatalf("refresh error = %v", err)
			}
			if fresh.AccessToken == tok.AccessToken || !uaa.Valid(fresh.AccessToken, readScope) {
				t.Errorf("refreshed token = %+v, want a new valid one", fresh)
			}
		})
	}
}

// jwtClaims decodes the payload of a JWT without checking it.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return claims
}

func TestUAAWire(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	cfg := uaaConfig()
	uaa := saptest.MustUAA(t, p, cfg)
	cfg.TokenPath = "/oauth2/api/v1/token"
	neo := saptest.MustUAA(t, p, cfg)
	hc := p.HTTPClient(nil)

	const form = "application/x-www-form-urlencoded"
	basic := func(id, secret string) [2]string { return [2]string{id, secret} }
	body := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	jsonErr := func(code, desc string) string {
		b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
		return string(b)
	}

	cases := []struct {
		name        string
		method      string
		url         string
		contentType string
		body        string
		basic       [2]string
		wantStatus  int
		wantBody    string // exact; empty: a token response
	}{
		{
			name: "client credentials in body", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "client_credentials", "client_id", cpiClient, "client_secret", cpiSecret), wantStatus: 200,
		},
		{
			name: "form content type with charset", method: "POST", url: uaa.TokenURL(), contentType: form + "; charset=UTF-8",
			body: body("grant_type", "client_credentials", "client_id", cpiClient, "client_secret", cpiSecret), wantStatus: 200,
		},
		{
			name: "piper/Neo style: grant in query, basic, empty body", method: "POST", url: uaa.TokenURL() + "?grant_type=client_credentials",
			basic: basic("plain", "plain-secret"), wantStatus: 200,
		},
		{
			name: "Neo token path", method: "POST", url: neo.URL + "/oauth2/api/v1/token?grant_type=client_credentials",
			basic: basic("plain", "plain-secret"), wantStatus: 200,
		},
		{
			name: "Neo server, default path", method: "POST", url: neo.URL + "/oauth/token?grant_type=client_credentials",
			basic: basic("plain", "plain-secret"), wantStatus: 404, wantBody: "404 page not found\n",
		},
		{
			name: "basic with body client_id", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "client_credentials", "client_id", "plain"), basic: basic("plain", "plain-secret"), wantStatus: 200,
		},
		{
			name: "GET", method: "GET", url: uaa.TokenURL() + "?grant_type=client_credentials", basic: basic("plain", "plain-secret"),
			wantStatus: 405, wantBody: jsonErr("method_not_allowed", "Request method 'GET' not supported"),
		},
		{
			name: "JSON body", method: "POST", url: uaa.TokenURL(), contentType: "application/json",
			body: `{"grant_type":"client_credentials"}`, basic: basic("plain", "plain-secret"),
			wantStatus: 415, wantBody: jsonErr("invalid_request", "Content type 'application/json' not supported"),
		},
		{
			name: "secret in query", method: "POST", url: uaa.TokenURL() + "?grant_type=client_credentials&client_id=plain&client_secret=plain-secret",
			wantStatus: 400, wantBody: jsonErr("invalid_request", "Parameters must be passed in the body of the request"),
		},
		{
			name: "two authentication methods", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "client_credentials", "client_id", "plain", "client_secret", "plain-secret"), basic: basic("plain", "plain-secret"),
			wantStatus: 400, wantBody: jsonErr("invalid_request", "The client used more than one authentication method (RFC 6749 section 2.3)"),
		},
		{
			name: "no client authentication", method: "POST", url: uaa.TokenURL(), contentType: form,
			body:       body("grant_type", "client_credentials"),
			wantStatus: 401, wantBody: jsonErr("unauthorized", "Full authentication is required to access this resource"),
		},
		{
			name: "body client_id differs from basic", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "client_credentials", "client_id", cpiClient), basic: basic("plain", "plain-secret"),
			wantStatus: 401, wantBody: jsonErr("invalid_client", "Given client ID does not match authenticated client"),
		},
		{
			name: "wrong client secret", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "client_credentials"), basic: basic("plain", "wrong"),
			wantStatus: 401, wantBody: `{"error":"invalid_client","error_description":"Bad credentials"}`,
		},
		{
			name: "missing grant type", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("scope", readScope), basic: basic("plain", "plain-secret"),
			wantStatus: 400, wantBody: jsonErr("invalid_request", "Missing grant type"),
		},
		{
			name: "unsupported grant type", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "authorization_code", "code", "x"), basic: basic("plain", "plain-secret"),
			wantStatus: 400, wantBody: jsonErr("unsupported_grant_type", "Unsupported grant type: authorization_code"),
		},
		{
			name: "invalid scope", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "client_credentials", "scope", readScope+" uaa.admin"), basic: basic("plain", "plain-secret"),
			wantStatus: 400, wantBody: jsonErr("invalid_scope", "Invalid scope: uaa.admin. Did you know that you can get default scopes by simply sending no value?"),
		},
		{
			name: "wrong user password", method: "POST", url: uaa.TokenURL(), contentType: form,
			body:       body("grant_type", "password", "username", "COCKPIT_ADMIN", "password", "x", "client_id", "plain", "client_secret", "plain-secret"),
			wantStatus: 401, wantBody: `{"error":"unauthorized","error_description":"Name or password mismatch"}`,
		},
		{
			name: "password in query", method: "POST", url: uaa.TokenURL() + "?grant_type=password&username=COCKPIT_ADMIN&password=x",
			basic: basic("plain", "plain-secret"), wantStatus: 400, wantBody: jsonErr("invalid_request", "Parameters must be passed in the body of the request"),
		},
		{
			name: "unknown refresh token", method: "POST", url: uaa.TokenURL(), contentType: form,
			body: body("grant_type", "refresh_token", "refresh_token", "nope"), basic: basic("plain", "plain-secret"),
			wantStatus: 400, wantBody: jsonErr("invalid_grant", "Invalid refresh token"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, tc.method, tc.url, tc.contentType, tc.body)
			if tc.basic[0] != "" {
				req.SetBasicAuth(tc.basic[0], tc.basic[1])
			}
			got, err := do(t, hc, req)
			if err != nil {
				t.Fatal(err)
			}
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", got.status, tc.wantStatus, got.body)
			}
			if got.status == 401 && got.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tc.wantBody != "" {
				if got.body != tc.wantBody {
					t.Errorf("body = %s\nwant %s", got.body, tc.wantBody)
				}
				if got.status != 404 && got.header.Get("Content-Type") != "application/json;charset=UTF-8" {
					t.Errorf("Content-Type = %q", got.header.Get("Content-Type"))
				}
				return
			}
			var tok map[string]any
			if err := json.Unmarshal([]byte(got.body), &tok); err != nil {
				t.Fatalf("body %q: %v", got.body, err)
			}
			keys := make([]string, 0, len(tok))
			for k := range tok {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"access_token", "expires_in", "jti", "scope", "token_type"}; !slices.Equal(keys, want) {
				t.Errorf("keys = %q, want %q", keys, want)
			}
			if tok["token_type"] != "bearer" || tok["expires_in"] != float64(43199) || tok["scope"] != readScope+" "+nodeScope {
				t.Errorf("token = %s", got.body)
			}
			if claims := jwtClaims(t, tok["access_token"].(string)); claims["jti"] != tok["jti"] {
				t.Errorf("JWT jti = %v, want %v", claims["jti"], tok["jti"])
			}
			if cc := got.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestUAAX509Client(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	uaa := saptest.MustUAA(t, p, uaaConfig())
	ec := saptest.WithECKey()
	id := func(cn string, opts ...saptest.ClientOption) *tls.Certificate {
		c := saptest.MustClient(t, p, cn, opts...).TLSCertificate()
		return &c
	}
	good := id(x509Client, ec, saptest.ViaIntermediate())

	cases := []struct {
		name       string
		id         *tls.Certificate
		force      bool
		form       url.Values
		wantStatus int // 0: the handshake fails
		wantCode   string
	}{
		{"cert and client_id", good, false, url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}}, 200, ""},
		{"no cert", nil, false, url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}}, 401, "invalid_client"},
		{"cert of another CN", id("sb-other", ec), false, url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}}, 401, "invalid_client"},
		{"cert plus a secret", good, false, url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}, "client_secret": {""}}, 401, "invalid_client"},
		{"cert without client_id", good, false, url.Values{"grant_type": {"client_credentials"}}, 401, "unauthorized"},
		// Go's client sends no certificate that does not chain to a CA the
		// server lists, so the request arrives without one ...
		{"untrusted cert, not sent", id(x509Client, ec, saptest.Untrusted()), false, url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}}, 401, "invalid_client"},
		// ... and one that is sent anyway fails the handshake.
		{"untrusted cert, sent", id(x509Client, ec, saptest.Untrusted()), true, url.Values{"grant_type": {"client_credentials"}, "client_id": {x509Client}}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, http.MethodPost, uaa.TokenURL(), "application/x-www-form-urlencoded", tc.form.Encode())
			hc := clientWith(p, tc.id)
			if tc.force {
				hc = forcingClient(p, tc.id)
			}
			got, err := do(t, hc, req)
			if tc.wantStatus == 0 {
				if err == nil {
					t.Fatalf("status = %d, want a TLS error", got.status)
				}
				if !strings.Contains(err.Error(), "tls: unknown certificate authority") {
					t.Errorf("error = %v, want TLS alert unknown certificate authority", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Error       string `json:"error"`
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal([]byte(got.body), &body); err != nil {
				t.Fatalf("body %q: %v", got.body, err)
			}
			if got.status != tc.wantStatus || body.Error != tc.wantCode {
				t.Fatalf("got %d %q, want %d %q", got.status, body.Error, tc.wantStatus, tc.wantCode)
			}
			if tc.wantStatus == 200 && !uaa.Valid(body.AccessToken, readScope) {
				t.Error("Valid(access token) = false")
			}
		})
	}
}

func TestUAAValid(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	cfg := uaaConfig()
	cfg.ExpiresIn = -1 // already expired when issued
	expiring := saptest.MustUAA(t, p, cfg)
	other := saptest.MustUAA(t, p, uaaConfig())
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, p.HTTPClient(nil))
	cc := clientcredentials.Config{ClientID: "plain", ClientSecret: "plain-secret", TokenURL: expiring.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if expiring.Valid(tok.AccessToken, "") {
		t.Error("Valid(expired token) = true")
	}
	cc.TokenURL = other.TokenURL()
	tok, err = cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, token, scope string
		uaa                *saptest.UAA
		want               bool
	}{
		{"any scope", tok.AccessToken, "", other, true},
		{"granted scope", tok.AccessToken, nodeScope, other, true},
		{"other scope", tok.AccessToken, "uaa.admin", other, false},
		{"another UAA", tok.AccessToken, "", expiring, false},
		{"garbage", "abc", "", other, false},
		{"empty", "", "", other, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.uaa.Valid(tc.token, tc.scope); got != tc.want {
				t.Errorf("Valid() = %v, want %v", got, tc.want)
			}
		})
	}
}
