package oauth

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// flowSettings are the settings of a token flow as config.Load leaves them
// with no input given (the defaults applied); set gives the case's inputs.
func flowSettings(f flow.Flow, set func(s *config.Settings)) *config.Settings {
	s := &config.Settings{Flow: f.Name, Timeout: 10 * time.Second, ClientAuth: "body", Output: "text"}
	if set != nil {
		set(s)
	}
	return s
}

// serviceKey is a service key given as text.
func serviceKey(key string) config.Material {
	return config.Material{Input: "service-key", Data: []byte(key)}
}

// basicHeaderForms are what a server may echo of a client's Basic header:
// the base64 of id:secret, form-encoded first (RFC 6749 §2.3.1) and as is.
func basicHeaderForms(id, secret string) []string {
	return []string{
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret))),
		base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)),
	}
}

// requestsTo counts what every server of l received; of the issuer only
// the token service counts, as IAS reads the issuer's keys to check an
// assertion.
func requestsTo(l *saptest.Landscape) map[string]int {
	return map[string]int{"UAA": l.UAA.Count(""), "cockpit UAA": l.CockpitUAA.Count(""), "IAS": l.IAS.Count(""),
		"token service": l.Issuer.Count(saptest.IssuerTokenRequestPath), "CPI": l.CPI.Count("")}
}

// TestTokenFlowPrepareRefuses: each input problem of the three token flows
// is an input error naming the input, before a client is built or
// anything is sent to any server.
func TestTokenFlowPrepareRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		flow      flow.Flow
		set       func(l *saptest.Landscape, s *config.Settings)
		wantInput string
		want      string
	}{
		{
			name: "service key missing", flow: ClientCredentialsFlow,
			wantInput: "service-key", want: "missing",
		},
		{
			name: "a service key that is no JSON", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(`{"clientid": "x", "clientsecret": "` + l.CPIClientSecret + `"`)
			},
			wantInput: "service-key",
		},
		{
			name: "token-url without client-id", flow: ClientCredentialsFlow,
			set:       func(l *saptest.Landscape, s *config.Settings) { s.TokenURL = l.UAA.TokenURL() },
			wantInput: "client-id", want: "missing",
		},
		{
			name: "client-id without token-url", flow: ClientCredentialsFlow,
			set:       func(l *saptest.Landscape, s *config.Settings) { s.ClientID = saptest.LandscapeCPIClientID },
			wantInput: "token-url", want: "missing",
		},
		{
			name: "a token URL over http", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.TokenURL = strings.Replace(l.UAA.TokenURL(), "https://", "http://", 1)
				s.ClientID, s.ClientSecret = saptest.LandscapeCPIClientID, l.CPIClientSecret
			},
			wantInput: "token-url", want: "http:// is not allowed",
		},
		{
			name: "a token URL carrying client_secret", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.TokenURL = l.UAA.TokenURL() + "?client_secret=" + url.QueryEscape(l.CPIClientSecret)
				s.ClientID = saptest.LandscapeCPIClientID
			},
			wantInput: "token-url", want: "carries credentials (client_secret)",
		},
		{
			name: "an X.509 key without its private key", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(`{"clientid": "` + saptest.LandscapeCPIX509ClientID + `", "credential-type": "x509", "certificate": ` +
					jsonString(string(l.X509Client.CertPEM())) + `, "certurl": "` + l.UAA.URL + `"}`)
			},
			wantInput: "certificate", want: "X.509 key without a private key",
		},
		{
			name: "an X.509 key with another client's certificate", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(l.CPIX509Key)
				s.Certificate = config.Material{Input: "certificate", Data: l.Client.PEM()}
			},
			wantInput: "certificate", want: "is not the certificate of the service key",
		},
		{
			name: "verify-url over http", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(l.CPIKey)
				s.VerifyURL = strings.Replace(l.CPI.URL, "https://", "http://", 1) + saptest.MessageProcessingLogsPath
			},
			wantInput: "verify-url", want: "http:// is not allowed",
		},
		{
			name: "password without username", flow: PasswordFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.Password = serviceKey(l.CockpitKey), l.CockpitPassword
			},
			wantInput: "username", want: "missing",
		},
		{
			name: "password without password", flow: PasswordFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.Username = serviceKey(l.CockpitKey), saptest.LandscapeCockpitUser
			},
			wantInput: "password", want: "missing",
		},
		{
			name: "jwt-bearer with ias-tenant and a service key", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant, s.ServiceKey = l.IAS.URL, serviceKey(l.CPIKey)
				s.Assertion = l.Issuer.MintGitHub(saptest.LandscapeJobAudience)
			},
			wantInput: "ias-tenant", want: "given together with token-url or a service key",
		},
		{
			name: "jwt-bearer at a tenant over http", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant = strings.Replace(l.IAS.URL, "https://", "http://", 1)
				s.ClientID, s.ClientSecret = saptest.LandscapeIASClientID, l.IASClientSecret
			},
			wantInput: "ias-tenant", want: "http:// is not allowed",
		},
		{
			// Checked as id-token is: a request would cost a failure
			// toward the client's lockout and come back as invalid_grant.
			name: "jwt-bearer with an assertion that is not a JWT", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant, s.ClientID, s.ClientSecret = l.IAS.URL, saptest.LandscapeIASClientID, l.IASClientSecret
				s.Assertion = "not-a-jwt"
			},
			wantInput: "assertion", want: "is not a JWT (failed to parse the ID token: it is not a JWT",
		},
		{
			name: "jwt-bearer with an expired assertion", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.TokenURL, s.ClientID, s.ClientSecret = l.UAA.TokenURL(), saptest.LandscapeCPIClientID, l.CPIClientSecret
				s.Assertion = l.Issuer.MintGitHub(saptest.LandscapeJobAudience, saptest.Expired())
			},
			wantInput: "assertion", want: "has expired (exp ",
		},
		{
			// IAS would answer 401 invalid_client, a failure toward the
			// client's lockout: not even the job's token is fetched.
			name: "jwt-bearer for a public client", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant, s.ClientID = l.IAS.URL, saptest.LandscapeIASClientID
				s.Audience = saptest.LandscapeJobAudience
				s.IDTokenRequest = config.TokenRequest{URL: l.Issuer.RequestURL(), Token: l.Issuer.RequestToken()}
			},
			wantInput: "client-secret", want: "nothing was sent",
		},
		{
			name: "jwt-bearer without an assertion or the job's token", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant = l.IAS.URL
				s.ClientID, s.ClientSecret = saptest.LandscapeIASClientID, l.IASClientSecret
			},
			wantInput: "id-token", want: "missing",
		},
		// client-auth id-token: the job's ID token is the client's only
		// credential, at an IAS application.
		{
			name: "id-token client auth with the password grant", flow: PasswordFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.TokenURL, s.ClientID = "id-token", l.IAS.TokenURL(), saptest.LandscapeIASClientID
				s.Username, s.Password = saptest.LandscapeCPIUser, l.CPIUserPassword
			},
			wantInput: "client-auth", want: "id-token does not work with the password grant",
		},
		{
			name: "id-token client auth with a client secret too", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.IASTenant, s.ClientID, s.ClientSecret = "id-token", l.IAS.URL, saptest.LandscapeIASClientID, l.IASClientSecret
			},
			wantInput: "client-secret", want: "given together with client-auth: id-token",
		},
		{
			name: "id-token client auth with a certificate too", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.IASTenant, s.ClientID = "id-token", l.IAS.URL, saptest.LandscapeIASClientID
				s.Certificate = config.Material{Input: "certificate-file", Data: l.ClientP12}
				s.CertificatePassword = l.ClientP12Password
			},
			wantInput: "certificate-file", want: "nothing was sent",
		},
		{
			name: "id-token client auth with a service key", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.ServiceKey = "id-token", serviceKey(l.CPIKey)
			},
			wantInput: "service-key", want: "given together with client-auth: id-token",
		},
		{
			name: "id-token client auth without a tenant", flow: ClientCredentialsFlow,
			set: func(_ *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.ClientID = "id-token", saptest.LandscapeIASClientID
			},
			wantInput: "ias-tenant", want: "missing",
		},
		{
			name: "id-token client auth without a client id", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.IASTenant = "id-token", l.IAS.URL
			},
			wantInput: "client-id", want: "IAS application",
		},
		{
			name: "id-token client auth without the job's token", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.IASTenant, s.ClientID = "id-token", l.IAS.URL, saptest.LandscapeIASClientID
			},
			wantInput: "id-token", want: "missing",
		},
		{
			name: "id-token client auth with an expired id-token", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.IASTenant, s.ClientID = "id-token", l.IAS.URL, saptest.LandscapeIASClientID
				s.IDToken = config.Material{Input: "id-token", Data: []byte(l.Issuer.MintGitHub(l.IAS.URL, saptest.Expired()))}
			},
			wantInput: "id-token", want: "has expired",
		},
		{
			name: "ias-tenant and token-url for client-credentials with client-auth id-token", flow: ClientCredentialsFlow,
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ClientAuth, s.IASTenant, s.TokenURL, s.ClientID = "id-token", l.IAS.URL, l.UAA.TokenURL(), saptest.LandscapeIASJobClientID
			},
			wantInput: "ias-tenant", want: "given together with token-url",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(tc.flow, func(s *config.Settings) {
				if tc.set != nil {
					tc.set(l, s)
				}
			})
			rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, s.Timeout)
			run, err := tc.flow.Prepare(s, rec.Env)
			if run != nil {
				t.Error("got a run, want none")
			}
			flowtest.CheckInputError(t, err, tc.wantInput, l.Secrets())
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", err, tc.want)
			}
			for server, n := range requestsTo(l) {
				if n != 0 {
					t.Errorf("%s got %d requests, want 0", server, n)
				}
			}
			// Refused before any HTTP client is built: building one waits
			// for the trust store, which must not delay a clearer error.
			if n := rec.Clients(); n != 0 {
				t.Errorf("%d HTTP clients built, want none before an input error", n)
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// jsonString quotes s for JSON (the PEM's line breaks as \n).
func jsonString(s string) string {
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}

// TestTokenFlowPrepareAndRun prepares each grant as a pipeline gives it,
// checks what Prepare masked and reported before anything was sent, then
// runs it against the landscape: every output the flow declares, from the
// token the server issued, with one request to the server.
func TestTokenFlowPrepareAndRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		flow        flow.Flow
		set         func(l *saptest.Landscape, s *config.Settings)
		wantGrant   string
		wantMasked  func(l *saptest.Landscape) []string // by Prepare
		wantClients int
		// wantWarnings are what Prepare and Run warn of (none by default).
		wantWarnings []string
		// wantRequests are the servers' request counts after the run.
		wantRequests func(l *saptest.Landscape) map[string]int
		check        func(t *testing.T, l *saptest.Landscape, rec *flowtest.Recorder, res *flow.Result)
	}{
		{
			name: "client-credentials with a service key", flow: ClientCredentialsFlow, wantGrant: "client_credentials",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(l.CPIKey)
				s.RequiredScopes = config.Words{strings.SplitN(saptest.LandscapeCPIScope, ".", 2)[1]}
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return append([]string{l.CPIClientSecret}, basicHeaderForms(saptest.LandscapeCPIClientID, l.CPIClientSecret)...)
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"UAA": 1} },
			check: func(t *testing.T, l *saptest.Landscape, _ *flowtest.Recorder, res *flow.Result) {
				if !l.UAA.Valid(res.Values[config.OutAccessToken], saptest.LandscapeCPIScope) {
					t.Error("got an access token the UAA does not accept for Cloud Integration")
				}
				if got, want := res.Values[config.OutScope], saptest.LandscapeCPIScope; got != want {
					t.Errorf("got scope %q, want %q", got, want)
				}
			},
		},
		{
			name: "client-credentials with token-url, client-id and client-secret", flow: ClientCredentialsFlow, wantGrant: "client_credentials",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.TokenURL, s.ClientID, s.ClientSecret = l.UAA.TokenURL(), saptest.LandscapeCPIClientID, l.CPIClientSecret
			},
			// The client-secret input itself is masked by pkg/app, as
			// every secret input; the flow masks what it derives.
			wantMasked: func(l *saptest.Landscape) []string {
				return basicHeaderForms(saptest.LandscapeCPIClientID, l.CPIClientSecret)
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"UAA": 1} },
		},
		{
			name: "client-credentials at an IAS application (ias-tenant) with a secret", flow: ClientCredentialsFlow, wantGrant: "client_credentials",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant, s.ClientID, s.ClientSecret = l.IAS.URL, saptest.LandscapeIASClientID, l.IASClientSecret
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return basicHeaderForms(saptest.LandscapeIASClientID, l.IASClientSecret)
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"IAS": 1} },
			check: func(t *testing.T, l *saptest.Landscape, _ *flowtest.Recorder, res *flow.Result) {
				if !slices.Contains(l.IAS.Tokens(), res.Values[config.OutAccessToken]) {
					t.Error("got an access token the IAS tenant did not issue")
				}
			},
		},
		{
			name: "client-credentials with a service key, and an ias-tenant set for the whole job", flow: ClientCredentialsFlow, wantGrant: "client_credentials",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.IASTenant = serviceKey(l.CPIKey), l.IAS.URL
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return append([]string{l.CPIClientSecret}, basicHeaderForms(saptest.LandscapeCPIClientID, l.CPIClientSecret)...)
			},
			wantClients:  1,
			wantWarnings: []string{fmt.Sprintf(msgIASTenantIgnored, "ias-tenant")},
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"UAA": 1} },
		},
		{
			name: "client-credentials with an X.509 key", flow: ClientCredentialsFlow, wantGrant: "client_credentials",
			set: func(l *saptest.Landscape, s *config.Settings) { s.ServiceKey = serviceKey(l.CPIX509Key) },
			wantMasked: func(l *saptest.Landscape) []string {
				return []string{strings.TrimSpace(string(l.X509Client.KeyPEM()))}
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"UAA": 1} },
			check: func(t *testing.T, l *saptest.Landscape, rec *flowtest.Recorder, _ *flow.Result) {
				reqs := l.UAA.Requests()
				if len(reqs) != 1 || reqs[0].ClientCertCN != saptest.LandscapeCPIX509ClientID || reqs[0].Form.Has("client_secret") {
					t.Errorf("got requests %+v, want one over mutual TLS as %s without a secret", reqs, saptest.LandscapeCPIX509ClientID)
				}
				if got := rec.Infos(); len(got) != 1 || !strings.Contains(got[0], saptest.LandscapeCPIX509ClientID) {
					t.Errorf("got infos %q, want the key's certificate line", got)
				}
			},
		},
		{
			name: "client-credentials with verify-url", flow: ClientCredentialsFlow, wantGrant: "client_credentials",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(l.CPIKey)
				s.VerifyURL = l.CPI.URL + saptest.MessageProcessingLogsPath + "?$top=1"
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return append([]string{l.CPIClientSecret}, basicHeaderForms(saptest.LandscapeCPIClientID, l.CPIClientSecret)...)
			},
			wantClients:  2, // the token request's and verify-url's, which goes without a certificate
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"UAA": 1, "CPI": 1} },
			check: func(t *testing.T, _ *saptest.Landscape, rec *flowtest.Recorder, _ *flow.Result) {
				if want := "verify-url answered 200 OK: the token is accepted"; !slices.Contains(rec.Infos(), want) {
					t.Errorf("got infos %q, want %q", rec.Infos(), want)
				}
			},
		},
		{
			name: "password at the HANA cockpit", flow: PasswordFlow, wantGrant: "password",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.Username, s.Password = serviceKey(l.CockpitKey), saptest.LandscapeCockpitUser, l.CockpitPassword
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return append([]string{l.CockpitClientSecret}, basicHeaderForms(saptest.LandscapeCockpitClientID, l.CockpitClientSecret)...)
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"cockpit UAA": 1} },
			check: func(t *testing.T, l *saptest.Landscape, _ *flowtest.Recorder, res *flow.Result) {
				if !l.CockpitUAA.Valid(res.Values[config.OutAccessToken], "") {
					t.Error("got an access token the cockpit UAA does not accept")
				}
				if got, want := res.Lifetime, saptest.LandscapeCockpitExpiresIn*time.Second; got != want {
					t.Errorf("got lifetime %v, want %v", got, want)
				}
				if got := len(res.Secrets); got != 2 {
					t.Errorf("got %d secrets, want 2 (the access and the refresh token)", got)
				}
			},
		},
		{
			name: "password of a custom identity provider", flow: PasswordFlow, wantGrant: "password",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.Username, s.Password = serviceKey(l.CPIKey), saptest.LandscapeOriginUser, l.OriginUserPassword
				s.Origin = saptest.LandscapeOrigin
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return append([]string{l.CPIClientSecret}, basicHeaderForms(saptest.LandscapeCPIClientID, l.CPIClientSecret)...)
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"UAA": 1} },
			check: func(t *testing.T, l *saptest.Landscape, rec *flowtest.Recorder, _ *flow.Result) {
				if want := "origin: " + saptest.LandscapeOrigin; !slices.Contains(rec.Described(), want) {
					t.Errorf("got described %q, want %q", rec.Described(), want)
				}
			},
		},
		{
			name: "jwt-bearer at IAS with the job's token", flow: JWTBearerFlow, wantGrant: "jwt-bearer",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant, s.ClientID, s.ClientSecret = l.IAS.URL, saptest.LandscapeIASClientID, l.IASClientSecret
				s.Audience = saptest.LandscapeJobAudience
				s.IDTokenRequest = config.TokenRequest{URL: l.Issuer.RequestURL(), Token: l.Issuer.RequestToken()}
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return basicHeaderForms(saptest.LandscapeIASClientID, l.IASClientSecret)
			},
			wantClients: 2, // the token service's and IAS's
			wantRequests: func(*saptest.Landscape) map[string]int {
				return map[string]int{"IAS": 1, "token service": 1}
			},
			check: func(t *testing.T, l *saptest.Landscape, rec *flowtest.Recorder, res *flow.Result) {
				if job := l.Issuer.Tokens(); len(job) != 1 || !slices.Contains(rec.Masked(), job[0]) {
					t.Errorf("got %d job tokens, want one, masked as soon as it arrived", len(job))
				}
				checkIASTokens(t, l, res)
			},
		},
		{
			name: "jwt-bearer at IAS with an assertion", flow: JWTBearerFlow, wantGrant: "jwt-bearer",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IASTenant, s.ClientID, s.ClientSecret = l.IAS.URL, saptest.LandscapeIASClientID, l.IASClientSecret
				s.Assertion = l.Issuer.MintGitLab(saptest.LandscapeJobAudience)
			},
			wantMasked: func(l *saptest.Landscape) []string {
				return basicHeaderForms(saptest.LandscapeIASClientID, l.IASClientSecret)
			},
			wantClients:  1,
			wantRequests: func(*saptest.Landscape) map[string]int { return map[string]int{"IAS": 1} },
			check: func(t *testing.T, l *saptest.Landscape, _ *flowtest.Recorder, res *flow.Result) {
				checkIASTokens(t, l, res)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(tc.flow, func(s *config.Settings) { tc.set(l, s) })
			now := time.Now()
			rec := flowtest.New(t, l.PKI.RootPool(), now, s.Timeout)
			run, err := tc.flow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if got, want := rec.Masked(), tc.wantMasked(l); !slices.Equal(got, want) {
				t.Errorf("got %d values masked by Prepare, want %d: the client's secrets and Basic header forms", len(got), len(want))
			}
			for server, n := range requestsTo(l) {
				if n != 0 {
					t.Errorf("%s got %d requests during Prepare, want 0", server, n)
				}
			}
			if got, want := rec.Clients(), tc.wantClients; got != want {
				t.Errorf("got %d clients asked for, want %d", got, want)
			}
			if want := "grant: " + tc.wantGrant; !slices.Contains(rec.Described(), want) {
				t.Errorf("got described %q, want %q", rec.Described(), want)
			}

			ctx, cancel := context.WithTimeout(t.Context(), s.Timeout)
			defer cancel()
			res, err := run(ctx)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			var wantOutputs []string
			for _, o := range tc.flow.Outputs {
				if o != config.OutExpiresIn && o != config.OutExpiresAt { // pkg/app's, from Lifetime and Issued
					wantOutputs = append(wantOutputs, o)
				}
			}
			for name := range res.Values {
				if !slices.Contains(wantOutputs, name) {
					t.Errorf("got output %s, want only %q", name, wantOutputs)
				}
			}
			for _, name := range wantOutputs {
				if _, ok := res.Values[name]; !ok {
					t.Errorf("got no output %s, want %q", name, wantOutputs)
				}
			}
			access := res.Values[config.OutAccessToken]
			if access == "" || !slices.Contains(res.Secrets, access) {
				t.Errorf("got access token %q, want one among the secrets", access)
			}
			if got, want := res.Values[config.OutAuthorization], "Bearer "+access; got != want {
				t.Errorf("got authorization %q, want %q", got, want)
			}
			if got, want := res.Values[config.OutTokenType], "Bearer"; got != want {
				t.Errorf("got token type %q, want %q", got, want)
			}
			if res.Lifetime <= 0 || !res.Issued.Equal(now) {
				t.Errorf("got lifetime %v issued %v, want a lifetime issued at the clock's %v", res.Lifetime, res.Issued, now)
			}
			if tc.check != nil {
				tc.check(t, l, rec, res)
			}
			want := tc.wantRequests(l)
			for server, n := range requestsTo(l) {
				if n != want[server] {
					t.Errorf("%s got %d requests, want %d", server, n, want[server])
				}
			}
			if got, want := rec.Clients(), tc.wantClients; got != want {
				t.Errorf("got %d clients asked for after the run, want %d", got, want)
			}
			if got := rec.Warnings(); !slices.Equal(got, tc.wantWarnings) {
				t.Errorf("got warnings %q, want %q", got, tc.wantWarnings)
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// checkIASTokens checks the tokens of a jwt-bearer grant at IAS: an access
// token and the id_token for a further jwt-bearer step, both issued by the
// tenant and both secret.
func checkIASTokens(t *testing.T, l *saptest.Landscape, res *flow.Result) {
	t.Helper()
	issued := l.IAS.Tokens()
	for _, name := range []string{config.OutAccessToken, config.OutIDToken} {
		v, declared := res.Values[name]
		if !declared && name == config.OutIDToken {
			continue // client-credentials has no id-token output
		}
		if v == "" || !slices.Contains(issued, v) || !slices.Contains(res.Secrets, v) {
			t.Errorf("got %s %q, want a secret one the tenant issued", name, v)
		}
	}
}

// TestTokenFlowRequiredScopes: a token that lacks a required scope fails
// the run (after the one token request) with a message that names the
// missing scope and none that it carries, and holds no secret.
func TestTokenFlowRequiredScopes(t *testing.T) {
	t.Parallel()
	local := strings.SplitN(saptest.LandscapeCPIScope, ".", 2)[1]
	cases := []struct {
		name     string
		required config.Words
		want     string
	}{
		{name: "one scope", required: config.Words{"WorkspacePackagesEdit"},
			want: "required-scopes: the token lacks WorkspacePackagesEdit (it carries: " + saptest.LandscapeCPIScope + ")"},
		{name: "one of two", required: config.Words{local, "WorkspacePackagesEdit"},
			want: "required-scopes: the token lacks WorkspacePackagesEdit ("},
		{name: "two", required: config.Words{"MonitoringDataRead", saptest.LandscapeCPIScope + "x"},
			want: "required-scopes: the token lacks MonitoringDataRead, " + saptest.LandscapeCPIScope + "x ("},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(ClientCredentialsFlow, func(s *config.Settings) {
				s.ServiceKey, s.RequiredScopes = serviceKey(l.CPIKey), tc.required
			})
			rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, s.Timeout)
			run, err := ClientCredentialsFlow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if want := "required scopes: " + strings.Join(tc.required, " "); !slices.Contains(rec.Described(), want) {
				t.Errorf("got described %q, want %q", rec.Described(), want)
			}
			res, err := run(t.Context())
			if err == nil {
				t.Fatalf("got outputs %q, want an error", res.Values)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %q, want it to start with %q", err, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("got a message of several lines, want one: %q", err)
			}
			if got, want := l.UAA.Count(""), 1; got != want {
				t.Errorf("UAA got %d requests, want %d", got, want)
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"error": []byte(err.Error()), "log": []byte(rec.Log())}, nil)
		})
	}
}
