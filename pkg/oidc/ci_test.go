package oidc

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestCIJobTokenRefuses: on Azure Pipelines without System.AccessToken
// mapped, with a token service over http, and with an expired token in a
// CI's variable, Prepare names the variable (never its value) and sends
// nothing.
func TestCIJobTokenRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		set       func(l *saptest.Landscape, s *config.Settings)
		wantInput string
		want      string
	}{
		{
			name: "Azure without System.AccessToken",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.AzureTokenRequest = config.TokenRequest{URL: l.Issuer.AzureRequestURI()}
			},
			wantInput: config.EnvAzureAccessToken, want: "map System.AccessToken into the step's env",
		},
		{
			name: "Azure over http",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.AzureTokenRequest = config.TokenRequest{URL: strings.Replace(l.Issuer.AzureRequestURI(), "https://", "http://", 1), Token: l.Issuer.AzureAccessToken()}
			},
			wantInput: config.EnvAzureOIDCRequestURI, want: "is not an https URL",
		},
		{
			name: "Bitbucket's token expired",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.CIIDTokens = []config.CIIDToken{{Env: config.EnvBitbucketIDToken, Token: l.Issuer.MintBitbucket(saptest.Expired())}}
			},
			wantInput: config.EnvBitbucketIDToken, want: "has expired",
		},
		{
			name: "CircleCI's variable not a JWT",
			set: func(_ *saptest.Landscape, s *config.Settings) {
				s.CIIDTokens = []config.CIIDToken{{Env: config.EnvCircleCIIDToken, Token: "Qx7hZr9Wm2kTp4vLs8Nd"}}
			},
			wantInput: config.EnvCircleCIIDToken, want: "is not a JWT",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(func(s *config.Settings) { tc.set(l, s) })
			rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, s.Timeout)
			run, err := Flow.Prepare(s, rec.Env)
			if run != nil {
				t.Error("got a run, want none")
			}
			secrets := l.Secrets()
			for _, v := range s.CIIDTokens {
				secrets = append(secrets, v.Token)
			}
			flowtest.CheckInputError(t, err, tc.wantInput, secrets)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", err, tc.want)
			}
			if got := len(l.Issuer.Requests()); got != 0 {
				t.Errorf("the issuer got %d requests, want 0", got)
			}
			saptest.CheckNoLeaks(t, secrets, map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// TestCIJobTokenFound gets the job's token on Azure Pipelines (its token
// service, POST with the access token), Bitbucket and CircleCI (their
// variables), in the documented order, with each issuer's trust report.
func TestCIJobTokenFound(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		set          func(l *saptest.Landscape, s *config.Settings) string
		wantDescribe string
		wantSubject  string
		wantAudience string
		wantReport   []string
		wantAzure    int
	}{
		{
			name: "Azure Pipelines' token service",
			set: func(l *saptest.Landscape, s *config.Settings) string {
				s.AzureTokenRequest = config.TokenRequest{URL: l.Issuer.AzureRequestURI(), Token: l.Issuer.AzureAccessToken()}
				// A CI variable too: the token service comes first.
				s.CIIDTokens = []config.CIIDToken{{Env: config.EnvCircleCIIDToken, Token: l.Issuer.MintCircleCI()}}
				return ""
			},
			wantDescribe: "ID token: from Azure Pipelines' token service (SYSTEM_OIDCREQUESTURI), audience api://AzureADTokenExchange",
			wantSubject:  saptest.AzureSubject, wantAudience: saptest.AzureAudience,
			wantReport: []string{"api://AzureADTokenExchange: the IAS corporate identity provider must accept it as a client ID", "sub is p://<organisation>/<project>/<pipeline>", "org_id=" + saptest.AzureOrgID, "def_id=" + saptest.AzurePipelineID},
			wantAzure:  1,
		},
		{
			name: "CircleCI's variable",
			set: func(l *saptest.Landscape, s *config.Settings) string {
				tok := l.Issuer.MintCircleCI()
				s.CIIDTokens = []config.CIIDToken{{Env: config.EnvCircleCIIDToken, Token: tok}}
				return tok
			},
			wantDescribe: "ID token: from the CI's variable CIRCLE_OIDC_TOKEN_V2, issuer ",
			wantSubject:  saptest.CircleCISubject, wantAudience: saptest.CircleCIOrgID,
			wantReport: []string{"oidc.circleci.com/project-id: " + saptest.CircleCIProjectID,
				"oidc.circleci.com/org-id=" + saptest.CircleCIOrgID + ", oidc.circleci.com/project-id=" + saptest.CircleCIProjectID},
		},
		{
			name: "Bitbucket's variable",
			set: func(l *saptest.Landscape, s *config.Settings) string {
				tok := l.Issuer.MintBitbucket()
				s.CIIDTokens = []config.CIIDToken{{Env: config.EnvBitbucketIDToken, Token: tok}}
				return tok
			},
			wantDescribe: "ID token: from the CI's variable BITBUCKET_STEP_OIDC_TOKEN, issuer ",
			wantSubject:  saptest.BitbucketSubject, wantAudience: saptest.BitbucketAudience,
			wantReport: []string{"never to a workspace or repository slug"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			var given string
			s := flowSettings(func(s *config.Settings) { given = tc.set(l, s) })
			rec := flowtest.New(t, l.PKI.RootPool(), time.Now(), s.Timeout)
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
			if got := len(l.Issuer.Requests()); got != 0 {
				t.Errorf("the issuer got %d requests during Prepare, want 0", got)
			}
			res, err := run(t.Context())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			token := res.Values[config.OutIDToken]
			if given != "" && token != given {
				t.Error("got an id-token other than the CI's variable")
			}
			if given == "" && !slices.Contains(maskedAtReport, token) {
				t.Error("the token from the service was not masked before the trust report")
			}
			if got, want := FromTokenService(s), given == ""; got != want {
				t.Errorf("got FromTokenService %v, want %v", got, want)
			}
			if got := res.Values[config.OutSubject]; got != tc.wantSubject {
				t.Errorf("got subject %q, want %q", got, tc.wantSubject)
			}
			if got := res.Values[config.OutAudience]; got != tc.wantAudience {
				t.Errorf("got audience %q, want %q", got, tc.wantAudience)
			}
			notices := rec.Notices()
			if len(notices) != 1 {
				t.Fatalf("got notices %q, want one trust report", notices)
			}
			for _, want := range tc.wantReport {
				if !strings.Contains(notices[0], want) {
					t.Errorf("got trust report %q, want it to say %q", notices[0], want)
				}
			}
			var azure []saptest.Request
			for _, r := range l.Issuer.Requests() {
				if r.Path == saptest.AzureTokenRequestPath {
					azure = append(azure, r)
				}
			}
			if len(azure) != tc.wantAzure {
				t.Fatalf("the Azure token service got %d requests, want %d", len(azure), tc.wantAzure)
			}
			for _, r := range azure {
				// Issue 21 and the REST reference ("Oidctoken - Create") name
				// 7.1-preview.1, written out here rather than read from
				// azureAPIVersion, so that the constant cannot drift.
				if r.Method != http.MethodPost || r.Query.Encode() != "api-version=7.1-preview.1" ||
					r.Header.Get("Authorization") != "Bearer "+l.Issuer.AzureAccessToken() || r.Header.Get("X-TFS-FedAuthRedirect") != "Suppress" {
					t.Errorf("got %s ?%s, want POST ?api-version=7.1-preview.1 with the access token and no redirect", r.Method, r.Query.Encode())
				}
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// TestFetchAzureRefuses: a wrong access token (401 names System.AccessToken),
// a redirect (not followed: the access token goes to no other server), and
// an answer that is not {"oidcToken": …}; no error holds the access token.
func TestFetchAzureRefuses(t *testing.T) {
	t.Parallel()
	const access = "azp-access-7Hq2Lm9Xw4Rt6Yv8Bn3Kc5Dj1Fs0Gp"
	other, otherHits := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) {})
	cases := []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"401", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }, "map System.AccessToken"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		}, "which is not followed"},
		{"not the answer", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"value":"x"}`)) }, `{"oidcToken": "<jwt>"}`},
	}
	// After the parallel subtests.
	t.Cleanup(func() {
		if got := otherHits.Load(); got != 0 {
			t.Errorf("the redirect's target got %d requests, want 0", got)
		}
	})
	hc := prodClient(t, testPKI(t))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := tlsServer(t, tc.h)
			_, err := FetchAzure(context.Background(), hc, srv.URL+"/oidctoken", access)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			assertNoLeak(t, err.Error(), access)
		})
	}
	if _, err := FetchAzure(context.Background(), hc, "http://127.0.0.1:1/oidctoken", access); err == nil || !strings.Contains(err.Error(), "must be an https URL") {
		t.Errorf("got %v, want http refused", err)
	}
}
