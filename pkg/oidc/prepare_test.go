package oidc

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// flowSettings are the settings of an oidc run as config.Load leaves them
// with no input given (the defaults applied); set gives the case's inputs.
func flowSettings(set func(s *config.Settings)) *config.Settings {
	s := &config.Settings{Flow: Flow.Name, Timeout: 10 * time.Second, ClientAuth: "body", Output: "text"}
	if set != nil {
		set(s)
	}
	return s
}

// TestFlowPrepareRefuses: a token given that is no JWT or has expired, no
// token at all, and a token service that is not https are input errors
// naming the input, before anything is sent.
func TestFlowPrepareRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		set       func(l *saptest.Landscape, s *config.Settings)
		wantInput string
		want      string
	}{
		{
			name: "id-token that is not a JWT",
			set: func(_ *saptest.Landscape, s *config.Settings) {
				s.IDToken = config.Material{Input: "id-token", Data: []byte("Qx7hZr9Wm2kTp4vLs8Nd")}
			},
			wantInput: "id-token", want: "is not a JWT",
		},
		{
			name: "id-token expired",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IDToken = config.Material{Input: "id-token", Data: []byte(l.Issuer.MintGitLab(saptest.LandscapeJobAudience, saptest.Expired()))}
			},
			wantInput: "id-token", want: "has expired",
		},
		{
			name: "id-token-file expired",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IDToken = config.Material{Input: "id-token-file", Data: []byte(l.Issuer.MintGitHub(saptest.LandscapeJobAudience, saptest.Expired()) + "\n")}
			},
			wantInput: "id-token-file", want: "has expired",
		},
		{
			name:      "no token and no token service",
			wantInput: "id-token", want: "missing",
		},
		{
			name: "a token service without its request token",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IDTokenRequest = config.TokenRequest{URL: l.Issuer.RequestURL()}
			},
			wantInput: "id-token", want: "missing",
		},
		{
			name: "a token service over http",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.IDTokenRequest = config.TokenRequest{URL: strings.Replace(l.Issuer.RequestURL(), "https://", "http://", 1), Token: l.Issuer.RequestToken()}
			},
			wantInput: config.EnvIDTokenRequestURL, want: "is not an https URL",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(func(s *config.Settings) {
				if tc.set != nil {
					tc.set(l, s)
				}
			})
			rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, s.Timeout)
			run, err := Flow.Prepare(s, rec.Env)
			if run != nil {
				t.Error("got a run, want none")
			}
			secrets := l.Secrets()
			if s.IDToken.Given() {
				// The whole token given is secret here, not only its
				// signature.
				secrets = append(secrets, string(s.IDToken.Data))
			}
			flowtest.CheckInputError(t, err, tc.wantInput, secrets)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", err, tc.want)
			}
			if got := rec.Clients(); got != 0 {
				t.Errorf("got %d clients asked for, want 0", got)
			}
			if got := len(l.Issuer.Requests()); got != 0 {
				t.Errorf("the issuer got %d requests, want 0", got)
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// TestFlowPrepareAndRun gets the job's token from each source: the
// id-token input (GitLab's id_tokens), id-token-file, and GitHub's token
// service, whose token is masked before the trust report or anything else
// can show it.
func TestFlowPrepareAndRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// set gives the case's inputs and returns the token given, or ""
		// when it comes from the token service.
		set          func(l *saptest.Landscape, s *config.Settings) string
		wantDescribe string
		wantSubject  string
		wantReport   string
		wantClients  int
	}{
		{
			name: "id-token from GitLab",
			set: func(l *saptest.Landscape, s *config.Settings) string {
				token := l.Issuer.MintGitLab(saptest.LandscapeJobAudience)
				s.IDToken = config.Material{Input: "id-token", Data: []byte(token)}
				return token
			},
			wantDescribe: "ID token: from id-token, issuer ",
			wantSubject:  saptest.GitLabSubject,
			wantReport:   "project_id: " + saptest.GitLabProjectID,
		},
		{
			name: "id-token-file with a line break",
			set: func(l *saptest.Landscape, s *config.Settings) string {
				token := l.Issuer.MintGitHub(saptest.LandscapeJobAudience)
				s.IDToken = config.Material{Input: "id-token-file", Data: []byte(token + "\n")}
				return token
			},
			wantDescribe: "ID token: from id-token-file, issuer ",
			wantSubject:  saptest.GitHubSubject,
			wantReport:   "repository_id: " + saptest.GitHubRepositoryID,
		},
		{
			name: "GitHub's token service",
			set: func(l *saptest.Landscape, s *config.Settings) string {
				s.IDTokenRequest = config.TokenRequest{URL: l.Issuer.RequestURL(), Token: l.Issuer.RequestToken()}
				s.Audience = saptest.LandscapeJobAudience
				return ""
			},
			wantDescribe: "ID token: from GitHub's token service (" + config.EnvIDTokenRequestURL + "), audience " + saptest.LandscapeJobAudience,
			wantSubject:  saptest.GitHubSubject,
			wantReport:   "repository_owner_id: " + saptest.GitHubOwnerID,
			wantClients:  1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			var given string
			s := flowSettings(func(s *config.Settings) { given = tc.set(l, s) })
			now := time.Now()
			rec := flowtest.New(t, l.PKI.RootPool(), now, s.Timeout)
			// What was masked when the trust report came: the token
			// must be among it.
			var maskedAtReport []string
			notice := rec.Env.Notice
			rec.Env.Notice = func(msg string) {
				maskedAtReport = rec.Masked()
				notice(msg)
			}
			run, err := Flow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if got := rec.Described(); len(got) != 1 || !strings.HasPrefix(got[0], tc.wantDescribe) {
				t.Errorf("got described %q, want one line starting %q", got, tc.wantDescribe)
			}
			if got, want := rec.Clients(), tc.wantClients; got != want {
				t.Errorf("got %d clients asked for, want %d", got, want)
			}
			if got := len(l.Issuer.Requests()); got != 0 {
				t.Errorf("the issuer got %d requests during Prepare, want 0", got)
			}
			if got := rec.Notices(); len(got) != 0 {
				t.Errorf("got notices %q during Prepare, want the trust report only when the token is used", got)
			}

			ctx, cancel := context.WithTimeout(t.Context(), s.Timeout)
			defer cancel()
			res, err := run(ctx)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			token := res.Values[config.OutIDToken]
			if given != "" && token != given {
				t.Error("got an id-token other than the one given")
			}
			if given == "" {
				if issued := l.Issuer.Tokens(); len(issued) != 1 || token != issued[0] {
					t.Errorf("got an id-token the token service did not issue (it issued %d)", len(issued))
				}
				if !slices.Contains(maskedAtReport, token) {
					t.Error("the token from the service was not masked before the trust report")
				}
			}
			if !slices.Contains(res.Secrets, token) {
				t.Error("the id-token is not among the run's secrets")
			}
			want := map[string]string{
				config.OutIDToken:  token,
				config.OutIssuer:   l.Issuer.URL,
				config.OutSubject:  tc.wantSubject,
				config.OutAudience: saptest.LandscapeJobAudience,
			}
			for name, v := range want {
				if got := res.Values[name]; got != v || v == "" {
					t.Errorf("got %s %q, want %q", name, got, v)
				}
			}
			for name := range res.Values {
				if _, ok := want[name]; !ok {
					t.Errorf("got output %s, want only %d outputs", name, len(want))
				}
			}
			// The issuer dates its token by its own clock, in whole seconds
			// (exp), a moment after the test's: up to a second more.
			if res.Lifetime <= 0 || res.Lifetime > saptest.IssuerTokenLifetime+time.Second || !res.Issued.Equal(now) {
				t.Errorf("got lifetime %v issued %v, want at most %v issued at the clock's %v", res.Lifetime, res.Issued, saptest.IssuerTokenLifetime, now)
			}
			notices := rec.Notices()
			if len(notices) != 1 || !strings.HasPrefix(notices[0], "OIDC trust report") ||
				!strings.Contains(notices[0], "\nsub: "+tc.wantSubject+"\n") || !strings.Contains(notices[0], tc.wantReport) {
				t.Errorf("got notices %q, want one trust report with sub %q and %q", notices, tc.wantSubject, tc.wantReport)
			}
			if got, want := l.Issuer.Count(saptest.IssuerTokenRequestPath), tc.wantClients; got != want {
				t.Errorf("the token service got %d requests, want %d", got, want)
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}
