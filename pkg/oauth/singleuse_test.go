package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestJWTBearerSingleUse runs jwt-bearer at an IAS that enforces jti
// uniqueness (RFC 7523 §3, as ory/fosite does) against failures the
// retry policy would retry. An assertion never reaches the server twice:
// with the job's token from GitHub's token service each retry carries a
// fresh token, under the same schedule, Retry-After and timeout as every
// request; a given assertion is sent once, and the message names the
// failure and says why it was not retried.
func TestJWTBearerSingleUse(t *testing.T) {
	t.Parallel()
	serverError := `{"error":"server_error","error_description":"The authorization server encountered an unexpected condition"}`
	cases := []struct {
		name string
		// source: "github" (the job's token from the token service),
		// "assertion" or "id-token" (given).
		source   string
		faults   []saptest.Fault
		wantIAS  int // token requests IAS got
		wantJobs int // tokens the token service issued
		wantErr  []string
		// notWant must not be in the message.
		notWant []string
		// wantWaits is how many waits the retries asked for.
		wantWaits int
	}{
		{name: "job's token: 500, then a fresh token is accepted", source: "github",
			faults: saptest.ServerErrorThenOK(), wantIAS: 2, wantJobs: 2, wantWaits: 1},
		{name: "given assertion: 500 is not retried", source: "assertion",
			faults: saptest.ServerErrorThenOK(), wantIAS: 1,
			wantErr: []string{`(HTTP 500, server_error: "The authorization server encountered an unexpected condition"): the server failed; try again later; ` +
				"not retried: the assertion is single use (a server may refuse it a second time), and one given as input (assertion, id-token, id-token-file) cannot be renewed for a retry"},
			notWant: []string{"jti"}},
		{name: "id-token: 500 is not retried", source: "id-token",
			faults: saptest.ServerErrorThenOK(), wantIAS: 1,
			wantErr: []string{"HTTP 500", "not retried: the assertion is single use"}, notWant: []string{"jti"}},
		{name: "given assertion: 400 needs no word about retries", source: "assertion",
			faults:  []saptest.Fault{{Status: 400, Body: `{"error":"invalid_grant","error_description":"The assertion has expired"}`, ContentType: "application/json"}},
			wantIAS: 1, wantErr: []string{"HTTP 400", "the assertion was not accepted"}, notWant: []string{"not retried", "retried"}},
		{name: "job's token: 500 forever, four fresh tokens", source: "github",
			faults:  []saptest.Fault{{Status: 500, Body: serverError, ContentType: "application/json"}},
			wantIAS: 4, wantJobs: 4, wantWaits: 3,
			wantErr: []string{"token request failed: failed to get an answer in 4 attempts over", ": first HTTP 500 Internal Server Error; retry later"},
			notWant: []string{"jti"}},
		{name: "job's token: 500, then another final error names both", source: "github",
			faults: []saptest.Fault{{Status: 500, Body: serverError, ContentType: "application/json", Times: 1},
				{Status: 400, Body: `{"error":"invalid_grant","error_description":"The user is locked"}`, ContentType: "application/json"}},
			wantIAS: 2, wantJobs: 2, wantWaits: 1,
			wantErr: []string{`(HTTP 400, invalid_grant: "The user is locked"): the assertion was not accepted`,
				"; the request was retried: its first attempt got HTTP 500 Internal Server Error"}},
		{name: "job's token: 429 with a Retry-After past the timeout", source: "github",
			faults: saptest.RateLimitedThenOK(999999999), wantIAS: 1, wantJobs: 1,
			wantErr: []string{"HTTP 429 Too Many Requests; the server asked to wait 32 years before another request (Retry-After)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			l.IAS.RefuseReusedJTI()
			s := flowSettings(JWTBearerFlow, func(s *config.Settings) {
				s.IASTenant, s.ClientID, s.ClientSecret = l.IAS.URL, saptest.LandscapeIASClientID, l.IASClientSecret
				// Room for the whole schedule (1 s, 3 s, 9 s, ±20 %), which
				// the recorder does not wait for.
				s.Timeout = 30 * time.Second
				switch tc.source {
				case "github":
					s.Audience = saptest.LandscapeJobAudience
					s.IDTokenRequest = config.TokenRequest{URL: l.Issuer.RequestURL(), Token: l.Issuer.RequestToken()}
				case "assertion":
					s.Assertion = l.Issuer.MintGitLab(saptest.LandscapeJobAudience)
				case "id-token":
					s.IDToken = config.Material{Input: "id-token", Data: []byte(l.Issuer.MintGitLab(saptest.LandscapeJobAudience))}
				}
			})
			rec := flowtest.New(t, l.PKI.RootPool(), time.Now(), s.Timeout)
			run, err := JWTBearerFlow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			l.IAS.SetFaults(tc.faults...)
			ctx, cancel := context.WithTimeout(t.Context(), s.Timeout)
			defer cancel()
			res, err := run(ctx)

			if got := l.IAS.Count(saptest.IASTokenPath); got != tc.wantIAS {
				t.Errorf("IAS got %d token requests, want %d", got, tc.wantIAS)
			}
			if got := l.Issuer.Count(saptest.IssuerTokenRequestPath); got != tc.wantJobs {
				t.Errorf("the token service got %d requests, want %d", got, tc.wantJobs)
			}
			// No assertion, and no jti, reached IAS twice.
			var assertions, jtis []string
			for _, r := range l.IAS.Requests() {
				if r.Path != saptest.IASTokenPath {
					continue
				}
				a := r.Form.Get("assertion")
				jti := jwtID(t, a)
				if slices.Contains(assertions, a) || slices.Contains(jtis, jti) {
					t.Errorf("IAS got the same assertion (jti %s) twice", jti)
				}
				assertions, jtis = append(assertions, a), append(jtis, jti)
			}
			if got := len(rec.Waits()); got != tc.wantWaits {
				t.Errorf("%d waits before retries (%v), want %d", got, rec.Waits(), tc.wantWaits)
			}
			for _, w := range rec.Waits() {
				if w < 800*time.Millisecond {
					t.Errorf("waited %v before a retry after a 500, want SAP's schedule (1 s, tripling, ±20 %%)", w)
				}
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				checkIASTokens(t, l, res)
				if jobs := l.Issuer.Tokens(); len(jobs) != tc.wantJobs || !slices.Equal(jobs, assertions) {
					t.Errorf("IAS got %d assertions, want each of the %d fresh job tokens once", len(assertions), len(jobs))
				}
				for _, job := range l.Issuer.Tokens() {
					if !slices.Contains(rec.Masked(), job) {
						t.Error("a job token was not masked as soon as it arrived")
					}
				}
				if n := len(rec.Notices()); n != 1 {
					t.Errorf("got %d notices, want the one trust report", n)
				}
				return
			}
			if err == nil {
				t.Fatalf("Run succeeded, want an error containing %q", tc.wantErr)
			}
			msg := err.Error()
			t.Log(msg)
			for _, w := range tc.wantErr {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q, want it to contain %q", msg, w)
				}
			}
			for _, nw := range tc.notWant {
				if strings.Contains(msg, nw) {
					t.Errorf("error %q contains %q", msg, nw)
				}
			}
			saptest.CheckNoLeaks(t, append(l.Secrets(), l.Issuer.Tokens()...), map[string][]byte{"error": []byte(msg), "log": []byte(rec.Log())}, nil)
		})
	}
}

// jwtID is the jti claim of a JWT, read without verification.
func jwtID(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	var claims struct {
		ID string `json:"jti"`
	}
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(b, &claims) != nil || claims.ID == "" {
		t.Fatalf("a JWT without a readable jti")
	}
	return claims.ID
}
