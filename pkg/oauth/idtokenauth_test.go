package oauth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// jobClientSettings are the settings of flow f at the landscape's IAS
// application that trusts the job's token as its credential
// (client-auth id-token): no secret, no certificate.
func jobClientSettings(l *saptest.Landscape, f flow.Flow, set func(s *config.Settings)) *config.Settings {
	return flowSettings(f, func(s *config.Settings) {
		s.ClientAuth, s.IASTenant, s.ClientID = config.ClientAuthIDToken, l.IAS.URL, saptest.LandscapeIASJobClientID
		s.Timeout = 30 * time.Second
		if set != nil {
			set(s)
		}
	})
}

// fromTokenService takes the job's token from the landscape's GitHub-style
// token service.
func fromTokenService(l *saptest.Landscape) func(s *config.Settings) {
	return func(s *config.Settings) {
		s.IDTokenRequest = config.TokenRequest{URL: l.Issuer.RequestURL(), Token: l.Issuer.RequestToken()}
	}
}

// givenIDToken gives token as the id-token input.
func givenIDToken(token string) func(s *config.Settings) {
	return func(s *config.Settings) { s.IDToken = config.Material{Input: "id-token", Data: []byte(token)} }
}

// iasTokenRequests are the token requests IAS received.
func iasTokenRequests(l *saptest.Landscape) []saptest.Request {
	var out []saptest.Request
	for _, r := range l.IAS.Requests() {
		if r.Path == saptest.IASTokenPath {
			out = append(out, r)
		}
	}
	return out
}

// TestIDTokenClientAuth runs client-credentials and jwt-bearer with the
// job's ID token as the client's credential against the landscape's IAS,
// which trusts the job's issuer and subject for LandscapeIASJobClientID:
// the request carries client_id and the token as client_assertion (RFC
// 7523 §2.2) and no secret in any form, the token is requested for the
// tenant's URL, and the trust report says what IAS must hold.
func TestIDTokenClientAuth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		flow flow.Flow
		set  func(l *saptest.Landscape) func(s *config.Settings)
		// sameAsAssertion: the grant's assertion is the client assertion.
		sameAsAssertion bool
		// byTokenURL gives token-url instead of ias-tenant: the token is
		// then requested for the token URL itself.
		byTokenURL bool
		wantReport []string
	}{
		{name: "client-credentials, GitHub's token service", flow: ClientCredentialsFlow, set: fromTokenService,
			wantReport: []string{"Client Authentication → JSON Web Tokens", "subject exactly " + saptest.GitHubSubject,
				"GitHub's sub changes with the branch", "repository_id="}},
		{name: "jwt-bearer, the job's token as assertion and client credential", flow: JWTBearerFlow, set: fromTokenService,
			sameAsAssertion: true,
			wantReport:      []string{"subject exactly " + saptest.GitHubSubject, "subject name identifier"}},
		{name: "jwt-bearer, a given assertion and the job's token as client credential", flow: JWTBearerFlow,
			set: func(l *saptest.Landscape) func(s *config.Settings) {
				return func(s *config.Settings) {
					fromTokenService(l)(s)
					s.Assertion = l.Issuer.MintGitLab(saptest.LandscapeJobAudience)
				}
			},
			wantReport: []string{"subject exactly " + saptest.GitHubSubject}},
		{name: "client-credentials at token-url", flow: ClientCredentialsFlow, set: fromTokenService, byTokenURL: true,
			wantReport: []string{"sap-ci-auth requested https://127.0.0.1:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := jobClientSettings(l, tc.flow, tc.set(l))
			wantAudience := l.IAS.URL
			if tc.byTokenURL {
				s.IASTenant, s.TokenURL = "", l.IAS.TokenURL()
				wantAudience = l.IAS.TokenURL()
			}
			rec := flowtest.New(t, l.PKI.RootPool(), time.Now(), s.Timeout)
			run, err := tc.flow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if want := textClientAuth + ": " + textAuthJobToken; !slices.Contains(rec.Described(), want) {
				t.Errorf("inspect shows %q, want %q", rec.Described(), want)
			}
			res, err := run(t.Context())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if n := l.Issuer.Count(saptest.IssuerTokenRequestPath); n != 1 {
				t.Fatalf("the token service got %d requests, want 1", n)
			}
			reqs := iasTokenRequests(l)
			jobs := l.Issuer.Tokens()
			if len(reqs) != 1 || len(jobs) < 1 {
				t.Fatalf("IAS got %d token requests and the issuer minted %d tokens, want 1 and at least 1", len(reqs), len(jobs))
			}
			job := jobs[len(jobs)-1]
			r := reqs[0]
			if r.Form.Get("client_id") != saptest.LandscapeIASJobClientID ||
				r.Form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
				r.Form.Get("client_assertion") != job {
				t.Errorf("the request's client authentication is not client_id with the job's token as client_assertion: %v", r.Form)
			}
			if r.Form.Has("client_secret") || r.Header.Get("Authorization") != "" || r.ClientCertCN != "" {
				t.Error("the request carried a secret, an Authorization header or a certificate besides the job's token")
			}
			if got := r.Form.Get("assertion") == job; got != tc.sameAsAssertion {
				t.Errorf("the assertion is the job's token: %v, want %v", got, tc.sameAsAssertion)
			}
			// GitHub's token service was asked for the tenant's URL.
			for _, ir := range l.Issuer.Requests() {
				if ir.Path == saptest.IssuerTokenRequestPath && ir.Query.Get("audience") != wantAudience {
					t.Errorf("the job's token was requested for audience %q, want %q", ir.Query.Get("audience"), wantAudience)
				}
			}
			if !slices.Contains(rec.Masked(), job) {
				t.Error("the job's token was not masked")
			}
			checkIASTokens(t, l, res)
			if n := len(rec.Notices()); n != 1 {
				t.Fatalf("got %d notices, want the one trust report", n)
			}
			report := rec.Notices()[0]
			for _, w := range append(tc.wantReport, fmt.Sprintf("discovery URL (issuer) %s", l.Issuer.URL)) {
				if !strings.Contains(report, w) {
					t.Errorf("trust report lacks %q:\n%s", w, report)
				}
			}
			saptest.CheckNoLeaks(t, append(l.Secrets(), l.Issuer.Tokens()...), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// TestIDTokenClientAuthRefused: each reason IAS has to refuse the job's
// token as the client's credential fails the run with one request, no
// retry, and a message that names the token's issuer, subject and
// audience against what IAS must hold; an expired token from the token
// service is not sent at all.
func TestIDTokenClientAuthRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		set  func(t *testing.T, l *saptest.Landscape) func(s *config.Settings)
		// before runs the flow once first (a token used before).
		before bool
		// lag is how far the runner's clock is behind.
		lag     time.Duration
		wantIAS int
		wantErr []string
	}{
		{name: "wrong subject", wantIAS: 1,
			set: func(_ *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				return givenIDToken(l.Issuer.MintGitHub(l.IAS.URL, saptest.WithClaim("sub", "repo:octo-org/octo-repo:ref:refs/heads/feature")))
			},
			wantErr: []string{"HTTP 401", "invalid_client", "subject repo:octo-org/octo-repo:ref:refs/heads/feature exactly",
				"most likely the application's Client Authentication has no JSON Web Token with this job's subject repo:octo-org/octo-repo:ref:refs/heads/feature"}},
		{name: "wrong audience", wantIAS: 1,
			set: func(_ *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				return givenIDToken(l.Issuer.MintGitHub("https://elsewhere.example"))
			},
			wantErr: []string{"HTTP 401", "the token's audience https://elsewhere.example is accepted",
				"most likely IAS does not accept the token's audience https://elsewhere.example (the CI sets it: make it https://127.0.0.1:"}},
		{name: "a refused audience the audience input asked for", wantIAS: 1,
			set: func(_ *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				return func(s *config.Settings) {
					fromTokenService(l)(s)
					s.Audience = "https://elsewhere.example"
				}
			},
			wantErr: []string{"HTTP 401", "most likely IAS does not accept the token's audience https://elsewhere.example " +
				"(requested as the audience input says, while IAS is documented to accept the server's URL https://127.0.0.1:"}},
		{name: "expired when IAS checks it (the runner's clock lags)", wantIAS: 1, lag: 10 * time.Minute,
			set: func(_ *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				return givenIDToken(l.Issuer.MintGitHub(l.IAS.URL, saptest.Expired()))
			},
			wantErr: []string{"HTTP 401", "most likely the token expired before IAS checked it"}},
		{name: "unknown issuer", wantIAS: 1,
			set: func(t *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				other := saptest.MustIssuer(t, l.PKI)
				return givenIDToken(other.MintGitHub(l.IAS.URL))
			},
			wantErr: []string{"HTTP 401", "has the issuer https://127.0.0.1:", "most likely the issuer https://127.0.0.1:"}},
		{name: "a given token used before", wantIAS: 2, before: true,
			set: func(_ *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				return givenIDToken(l.Issuer.MintGitHub(l.IAS.URL))
			},
			wantErr: []string{"HTTP 401", "the token was not used before", "most likely the token was used before"}},
		{name: "expired from the token service", wantIAS: 0,
			set: func(_ *testing.T, l *saptest.Landscape) func(s *config.Settings) {
				l.Issuer.SetTokenOptions(saptest.Expired())
				return fromTokenService(l)
			},
			wantErr: []string{"failed to use the ID token from GitHub's token service: it expired"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := jobClientSettings(l, ClientCredentialsFlow, tc.set(t, l))
			runOnce := func() (*flowtest.Recorder, error) {
				rec := flowtest.New(t, l.PKI.RootPool(), time.Now().Add(-tc.lag), s.Timeout)
				run, err := ClientCredentialsFlow.Prepare(s, rec.Env)
				if err != nil {
					t.Fatalf("Prepare: %v", err)
				}
				_, err = run(t.Context())
				return rec, err
			}
			if tc.before {
				if _, err := runOnce(); err != nil {
					t.Fatalf("first run: %v", err)
				}
			}
			rec, err := runOnce()
			if got := len(iasTokenRequests(l)); got != tc.wantIAS {
				t.Errorf("IAS got %d token requests, want %d", got, tc.wantIAS)
			}
			if err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			msg := err.Error()
			t.Log(msg)
			for _, w := range tc.wantErr {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q, want it to contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "retried") {
				t.Errorf("error %q speaks of a retry, want none for a refusal", msg)
			}
			saptest.CheckNoLeaks(t, append(l.Secrets(), l.Issuer.Tokens()...),
				map[string][]byte{"error": []byte(msg), "log": []byte(rec.Log())}, nil)
		})
	}
}

// TestIDTokenClientAuthSingleUse: the job's token as the client's
// credential reaches IAS once. After a 500, a token from the token service
// is replaced by a fresh one for the retry; a given token is not retried,
// and the message says why.
func TestIDTokenClientAuthSingleUse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		flow    flow.Flow
		given   bool
		wantIAS int
		wantErr string
	}{
		{name: "token service: a fresh token for the retry", flow: ClientCredentialsFlow, wantIAS: 2},
		{name: "jwt-bearer, the job's token as assertion and credential: a fresh one for the retry", flow: JWTBearerFlow, wantIAS: 2},
		{name: "given id-token: not retried", flow: ClientCredentialsFlow, given: true, wantIAS: 1, wantErr: "not retried: the assertion is single use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			set := fromTokenService(l)
			if tc.given {
				set = givenIDToken(l.Issuer.MintGitHub(l.IAS.URL))
			}
			s := jobClientSettings(l, tc.flow, set)
			rec := flowtest.New(t, l.PKI.RootPool(), time.Now(), s.Timeout)
			run, err := tc.flow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			l.IAS.SetFaults(saptest.ServerErrorThenOK()...)
			ctx, cancel := context.WithTimeout(t.Context(), s.Timeout)
			defer cancel()
			_, err = run(ctx)
			reqs := iasTokenRequests(l)
			if len(reqs) != tc.wantIAS {
				t.Errorf("IAS got %d token requests, want %d", len(reqs), tc.wantIAS)
			}
			var seen []string
			for _, r := range reqs {
				a := r.Form.Get("client_assertion")
				if slices.Contains(seen, a) || slices.Contains(seen, jwtID(t, a)) {
					t.Error("IAS got the same client assertion twice")
				}
				seen = append(seen, a, jwtID(t, a))
				if tc.flow.Name == JWTBearerFlow.Name && r.Form.Get("assertion") != a {
					t.Error("the attempt's assertion is not its client assertion, the same fresh job token")
				}
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Run: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Run: %v, want an error containing %q", err, tc.wantErr)
			}
			saptest.CheckNoLeaks(t, append(l.Secrets(), l.Issuer.Tokens()...), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}
