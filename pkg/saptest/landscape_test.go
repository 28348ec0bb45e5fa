package saptest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// oauthKey is the "oauth" object of a CPI service key.
type oauthKey struct {
	OAuth struct {
		ClientID     string `json:"clientid"`
		ClientSecret string `json:"clientsecret"`
		Certificate  string `json:"certificate"`
		Key          string `json:"key"`
		URL          string `json:"url"`
		TokenURL     string `json:"tokenurl"`
	} `json:"oauth"`
}

// callAPI GETs base+path with the bearer token and returns the status.
func callAPI(t *testing.T, hc *http.Client, base, path, token string) int {
	t.Helper()
	req := newRequest(t, http.MethodGet, base+path, "", "")
	req.Header.Set("Authorization", "Bearer "+token)
	got, err := do(t, hc, req)
	if err != nil {
		t.Fatal(err)
	}
	return got.status
}

// TestLandscape uses every credential of a landscape as a pipeline would and
// counts the requests each server got.
func TestLandscape(t *testing.T) {
	t.Parallel()
	l := saptest.MustLandscape(t, saptest.WithPKI(testPKI(t)))
	hc := l.PKI.HTTPClient(nil)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, hc)

	t.Run("IAS passcode with the P12", func(t *testing.T) {
		key, leaf, chain, err := pkcs12.DecodeChain(l.ClientP12, l.ClientP12Password)
		if err != nil {
			t.Fatalf("DecodeChain() error = %v", err)
		}
		if leaf.Subject.CommonName != saptest.LandscapeIASUser || len(chain) != 1 {
			t.Errorf("P12 holds CN %q and %d chain certificates, want %q and the intermediate", leaf.Subject.CommonName, len(chain), saptest.LandscapeIASUser)
		}
		id := tls.Certificate{Certificate: [][]byte{leaf.Raw, chain[0].Raw}, PrivateKey: key}
		got, err := do(t, clientWith(l.PKI, &id), newRequest(t, http.MethodGet, l.IAS.PasscodeURL(), "", ""))
		if err != nil || got.status != 200 {
			t.Fatalf("passcode: %v %d %s", err, got.status, got.body)
		}
		if n := l.IAS.Count(saptest.PasscodePath); n != 1 {
			t.Errorf("IAS Count = %d, want 1", n)
		}
	})

	t.Run("CPI client-credentials key, then the API", func(t *testing.T) {
		var k oauthKey
		if err := json.Unmarshal([]byte(l.CPIKey), &k); err != nil {
			t.Fatalf("CPIKey is not JSON: %v", err)
		}
		if k.OAuth.ClientID != saptest.LandscapeCPIClientID || k.OAuth.URL != l.CPI.URL || k.OAuth.TokenURL != l.UAA.TokenURL() {
			t.Errorf("CPIKey = %+v", k)
		}
		cc := clientcredentials.Config{ClientID: k.OAuth.ClientID, ClientSecret: k.OAuth.ClientSecret, TokenURL: k.OAuth.TokenURL, AuthStyle: oauth2.AuthStyleInParams}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := callAPI(t, hc, k.OAuth.URL, saptest.MessageProcessingLogsPath, tok.AccessToken); got != 200 {
			t.Errorf("CPI answered %d, want 200", got)
		}
		if got := callAPI(t, hc, l.Cockpit.URL, saptest.RegisteredResourcesPath, tok.AccessToken); got != 401 {
			t.Errorf("the cockpit answered a CPI token with %d, want 401", got)
		}
		if got := l.UAA.Count(saptest.DefaultTokenPath); got < 1 {
			t.Errorf("UAA Count = %d", got)
		}
	})

	t.Run("CPI X.509 key at the certificate endpoint", func(t *testing.T) {
		var k oauthKey
		if err := json.Unmarshal([]byte(l.CPIX509Key), &k); err != nil {
			t.Fatalf("CPIX509Key is not JSON: %v", err)
		}
		if k.OAuth.ClientSecret != "" || k.OAuth.TokenURL != l.UAA.CertTokenURL() {
			t.Errorf("CPIX509Key = %+v, want no secret and the cert token URL", k)
		}
		id, err := tls.X509KeyPair([]byte(k.OAuth.Certificate), []byte(k.OAuth.Key))
		if err != nil {
			t.Fatalf("X509KeyPair() error = %v", err)
		}
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {k.OAuth.ClientID}}
		got, err := do(t, clientWith(l.PKI, &id), newRequest(t, http.MethodPost, k.OAuth.TokenURL, "application/x-www-form-urlencoded", form.Encode()))
		if err != nil || got.status != 200 {
			t.Fatalf("token: %v %d %s", err, got.status, got.body)
		}
		if n := l.UAA.Count("/cert/oauth/token"); n != 1 {
			t.Errorf("Count(/cert/oauth/token) = %d, want 1", n)
		}
	})

	t.Run("password grants on the CPI UAA, default and custom origin", func(t *testing.T) {
		cfg := oauth2.Config{ClientID: saptest.LandscapeCPIClientID, ClientSecret: l.CPIClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: l.UAA.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
		if _, err := cfg.PasswordCredentialsToken(ctx, saptest.LandscapeCPIUser, l.CPIUserPassword); err != nil {
			t.Errorf("default origin user: %v", err)
		}
		if _, err := cfg.PasswordCredentialsToken(ctx, saptest.LandscapeOriginUser, l.OriginUserPassword); err == nil {
			t.Error("custom origin user without login_hint: a token, want 401")
		}
		withHint := cfg
		withHint.Endpoint.TokenURL += "?" + url.Values{"login_hint": {`{"origin":"` + saptest.LandscapeOrigin + `"}`}}.Encode()
		if _, err := withHint.PasswordCredentialsToken(ctx, saptest.LandscapeOriginUser, l.OriginUserPassword); err != nil {
			t.Errorf("custom origin user with login_hint: %v", err)
		}
	})

	t.Run("cockpit key as xs prints it, then the cockpit API", func(t *testing.T) {
		if !strings.HasPrefix(l.CockpitKey, `Getting service key "`) || !strings.HasSuffix(l.CockpitKey, "\n\nOK\n") {
			t.Errorf("CockpitKey lacks the xs header or footer:\n%s", l.CockpitKey)
		}
		var k struct {
			ClientID     string `json:"clientid"`
			ClientSecret string `json:"clientsecret"`
			URL          string `json:"url"`
		}
		body := l.CockpitKey[strings.Index(l.CockpitKey, "{") : strings.LastIndex(l.CockpitKey, "}")+1]
		if err := json.Unmarshal([]byte(body), &k); err != nil {
			t.Fatalf("CockpitKey JSON: %v", err)
		}
		if k.URL != l.CockpitUAA.URL+"/uaa-security" || k.ClientID != saptest.LandscapeCockpitClientID {
			t.Errorf("CockpitKey = %+v", k)
		}
		cfg := oauth2.Config{ClientID: k.ClientID, ClientSecret: k.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: k.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}}
		tok, err := cfg.PasswordCredentialsToken(ctx, saptest.LandscapeCockpitUser, l.CockpitPassword)
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.Extra("expires_in"); got != float64(14399) {
			t.Errorf("expires_in = %v, want 14399", got)
		}
		if got := callAPI(t, hc, l.Cockpit.URL, saptest.RegisteredResourcesPath, tok.AccessToken); got != 200 {
			t.Errorf("cockpit answered %d, want 200", got)
		}
		if got := callAPI(t, hc, l.CPI.URL, saptest.MessageProcessingLogsPath, tok.AccessToken); got != 401 {
			t.Errorf("CPI answered a cockpit token with %d, want 401", got)
		}
		if n := l.CockpitUAA.Count(saptest.LandscapeCockpitTokenPath); n != 1 {
			t.Errorf("cockpit UAA Count = %d, want 1", n)
		}
	})

	t.Run("Secrets holds the handed-out and the issued secrets", func(t *testing.T) {
		s := l.Secrets()
		for _, want := range append([]string{l.ClientP12Password, l.CPIClientSecret, l.CockpitPassword, string(l.Client.KeyPEM())},
			append(l.UAA.Tokens(), l.IAS.Passcodes()...)...) {
			if !slices.Contains(s, want) {
				t.Errorf("Secrets() lacks a value of %d characters", len(want))
			}
		}
	})
}

func TestLandscapeOptions(t *testing.T) {
	t.Parallel()
	t.Run("server names", func(t *testing.T) {
		t.Parallel()
		l := saptest.MustLandscape(t, saptest.WithServerNames("ias.localtest", "uaa.localtest"))
		leaf := l.PKI.ServerCertificate().Leaf
		for _, name := range []string{"localhost", "ias.localtest", "uaa.localtest"} {
			if err := leaf.VerifyHostname(name); err != nil {
				t.Errorf("server certificate does not cover %s: %v", name, err)
			}
		}
		if _, ok := l.Client.Key.(*ecdsa.PrivateKey); !ok {
			t.Errorf("Client key is %T, want ECDSA", l.Client.Key)
		}
		if _, ok := l.X509Client.Key.(*ecdsa.PrivateKey); !ok {
			t.Errorf("X509Client key is %T, want ECDSA", l.X509Client.Key)
		}
	})
	t.Run("RSA clients on request", func(t *testing.T) {
		t.Parallel()
		l := saptest.MustLandscape(t, saptest.WithPKI(testPKI(t)), saptest.WithClientOptions(saptest.WithSharedRSAKey()))
		for _, c := range []*saptest.ClientCert{l.Client, l.X509Client} {
			if _, ok := c.Key.(*rsa.PrivateKey); !ok {
				t.Errorf("%s: key %T, want RSA", c.Certificate.Subject.CommonName, c.Key)
			}
		}
		if len(l.Client.Chain) != 1 {
			t.Errorf("Client chain holds %d certificates, want the intermediate", len(l.Client.Chain))
		}
	})
	t.Run("server names need a new PKI", func(t *testing.T) {
		t.Parallel()
		l, err := saptest.NewLandscape(saptest.WithPKI(testPKI(t)), saptest.WithServerNames("x.localtest"))
		if err == nil {
			l.Close()
			t.Fatal("NewLandscape(WithPKI, WithServerNames) error = nil, want one")
		}
	})
	t.Run("secrets differ per landscape, Close twice", func(t *testing.T) {
		t.Parallel()
		a := saptest.MustLandscape(t, saptest.WithPKI(testPKI(t)))
		b := saptest.MustLandscape(t, saptest.WithPKI(testPKI(t)))
		if a.CPIClientSecret == b.CPIClientSecret || a.ClientP12Password == b.ClientP12Password {
			t.Error("two landscapes share a secret")
		}
		a.Close()
		a.Close()
	})
}
