package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestJobTokenOnEachCI runs the binary with the environment of Azure
// Pipelines, Bitbucket Pipelines and CircleCI and no id-token input: the
// job's token is found where each CI gives it, the outputs say whose it is,
// and nothing secret (the access token, the job's token) shows anywhere but
// in the id-token output. Azure without System.AccessToken mapped stops
// with exit 2, naming SYSTEM_ACCESSTOKEN, before anything is sent.
//
// TF_BUILD is left out: how the binary speaks to the Azure agent (masks
// and variables as ##vso commands) is tested with that sink; here stdout
// is the shell's JSON.
func TestJobTokenOnEachCI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		env         func(w *world) map[string]string
		code        int
		wantSubject string
		wantAud     string
		wantErr     string
		wantAzure   int
	}{
		{
			name: "Azure Pipelines",
			env: func(w *world) map[string]string {
				return map[string]string{"SYSTEM_OIDCREQUESTURI": w.Issuer.AzureRequestURI(), "SYSTEM_ACCESSTOKEN": w.Issuer.AzureAccessToken()}
			},
			wantSubject: saptest.AzureSubject, wantAud: saptest.AzureAudience, wantAzure: 1,
		},
		{
			name: "Azure Pipelines without System.AccessToken",
			env: func(w *world) map[string]string {
				return map[string]string{"SYSTEM_OIDCREQUESTURI": w.Issuer.AzureRequestURI()}
			},
			code: 2, wantErr: "SYSTEM_ACCESSTOKEN: missing",
		},
		{
			name: "Bitbucket Pipelines",
			env: func(w *world) map[string]string {
				return map[string]string{"BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_STEP_OIDC_TOKEN": w.Issuer.MintBitbucket()}
			},
			wantSubject: saptest.BitbucketSubject, wantAud: saptest.BitbucketAudience,
		},
		{
			name: "CircleCI",
			env: func(w *world) map[string]string {
				return map[string]string{"CIRCLECI": "true", "CIRCLE_OIDC_TOKEN_V2": w.Issuer.MintCircleCI()}
			},
			wantSubject: saptest.CircleCISubject, wantAud: saptest.CircleCIOrgID,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			env := tc.env(w)
			env["SAP_CI_AUTH_CA_CERTIFICATES"] = w.caFile
			r := runBinary(t, w.dir, env, "--flow", "oidc", "--output", "json")
			if r.code != tc.code {
				t.Fatalf("got exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			secrets := append(w.Secrets(), w.Issuer.Tokens()...)
			var azure int
			for _, req := range w.Issuer.Requests() {
				if req.Path == saptest.AzureTokenRequestPath {
					azure++
				}
			}
			if azure != tc.wantAzure {
				t.Errorf("the Azure token service got %d requests, want %d", azure, tc.wantAzure)
			}
			if tc.code != 0 {
				if !strings.Contains(r.stderr, tc.wantErr) || r.stdout != "" {
					t.Errorf("got stdout %q stderr %q, want no output and %q", r.stdout, r.stderr, tc.wantErr)
				}
				assertAbsent(t, r, secrets...)
				return
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("stdout is not JSON: %v", err)
			}
			token, _ := out["id-token"].(string)
			if got := w.Issuer.Tokens(); len(got) != 1 || token != got[0] {
				t.Errorf("got an id-token the CI did not issue (it issued %d)", len(got))
			}
			if out["subject"] != tc.wantSubject || out["audience"] != tc.wantAud || out["issuer"] != w.Issuer.URL {
				t.Errorf("got subject %v audience %v issuer %v, want %q %q %q", out["subject"], out["audience"], out["issuer"], tc.wantSubject, tc.wantAud, w.Issuer.URL)
			}
			// The id-token output is the one place the token may be.
			stripped := result{stdout: strings.Replace(r.stdout, token, "", 1), stderr: r.stderr}
			assertAbsent(t, stripped, secrets...)
		})
	}
}
