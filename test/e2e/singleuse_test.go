package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestPeerSingleUseAssertion runs jwt-bearer through the binary against an
// IAS that answers 500 once and refuses a reused jti afterwards (RFC 7523
// §3, as ory/fosite does). With the job's token from GitHub's token
// service the retry, after SAP's wait, carries a fresh token and succeeds;
// a given assertion is sent once, and the message names the 500 and why
// there was no retry. No assertion reaches IAS twice.
func TestPeerSingleUseAssertion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		given     bool // the assertion input, else the job's token from the token service
		code      int
		want      []string
		iasTokens int // token requests IAS gets
		jobTokens int // tokens the token service issues
		min       time.Duration
	}{
		{name: "job's token: 500, then a fresh token", iasTokens: 2, jobTokens: 2, min: 800 * time.Millisecond},
		{name: "given assertion: 500, not sent again", given: true, code: 1, iasTokens: 1,
			want: []string{"HTTP 500", "the server failed; try again later", "not retried: the assertion is single use"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range modes {
				t.Run(mode, func(t *testing.T) {
					t.Parallel()
					w := newWorld(t)
					w.IAS.RefuseReusedJTI()
					w.IAS.SetFaults(saptest.ServerErrorThenOK()...)
					inputs := map[string]string{"ias-tenant": w.IAS.URL, "client-id": saptest.LandscapeIASClientID,
						"client-secret": w.IASClientSecret, "audience": saptest.LandscapeJobAudience, "ca-certificates": w.caFile}
					var env map[string]string
					if tc.given {
						inputs["assertion"] = w.Issuer.MintGitLab(saptest.LandscapeJobAudience)
					} else {
						env = map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": w.Issuer.RequestURL(),
							"ACTIONS_ID_TOKEN_REQUEST_TOKEN": w.Issuer.RequestToken()}
					}
					r := runPeer(t, mode, "jwt-bearer", inputs, env)
					var intended []string
					if tc.code == 0 {
						intended = []string{r.token()}
						if mode == "github" {
							intended = append(intended, emit.ParseOutputFile([]byte(r.outputs))["id-token"])
						}
					}
					r.noLeaks(t, w.Secrets(), intended...)
					r.wantFailure(t, tc.code, tc.want...)
					var assertions []string
					for _, req := range w.IAS.Requests() {
						if req.Path == saptest.IASTokenPath {
							if a := req.Form.Get("assertion"); slices.Contains(assertions, a) {
								t.Error("IAS got the same assertion twice")
							} else {
								assertions = append(assertions, a)
							}
						}
					}
					if got := len(assertions); got != tc.iasTokens {
						t.Errorf("IAS got %d token requests, want %d", got, tc.iasTokens)
					}
					if got := len(w.Issuer.Tokens()); !tc.given && got != tc.jobTokens {
						t.Errorf("the token service issued %d tokens, want %d", got, tc.jobTokens)
					}
					if r.took < tc.min {
						t.Errorf("the run took %v, want at least SAP's wait of %v", r.took, tc.min)
					}
					if strings.Contains(r.msg, "jti") {
						t.Errorf("error %q: an assertion was sent again", r.msg)
					}
				})
			}
		})
	}
}
