package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestPeerIDTokenClientAuth runs client-credentials and jwt-bearer through
// the binary at the landscape's IAS application that trusts the job's
// issuer and subject as its credential (client-auth id-token): the
// environment holds no secret of any kind (no client secret, certificate
// or password). Each refusal IAS has (wrong subject, wrong audience,
// unknown issuer, a replayed token) fails with its likely cause after
// exactly one request; an expired token is not sent; a 500 followed by
// success uses a fresh job token. The log and outputs hold no secret.
func TestPeerIDTokenClientAuth(t *testing.T) {
	t.Parallel()
	const fromService, given = "token service", "given"
	cases := []struct {
		name   string
		flow   string
		source string
		// token mints the given id-token (w is the world, other an issuer
		// IAS does not trust).
		token func(w *world, other *saptest.Issuer) string
		// faults are IAS's answers; before runs the flow once first.
		faults    []saptest.Fault
		before    bool
		code      int
		want      []string
		iasTokens int // token requests IAS gets in the (last) run
		jobTokens int // tokens the token service issues in all
	}{
		{name: "client-credentials, GitHub's token service", flow: "client-credentials", source: fromService,
			iasTokens: 1, jobTokens: 1},
		{name: "jwt-bearer, the job's token as assertion and credential", flow: "jwt-bearer", source: fromService,
			iasTokens: 1, jobTokens: 1},
		{name: "500, then a fresh job token", flow: "client-credentials", source: fromService,
			faults: saptest.ServerErrorThenOK(), iasTokens: 2, jobTokens: 2},
		{name: "wrong subject", flow: "client-credentials", source: given, code: 1, iasTokens: 1,
			token: func(w *world, _ *saptest.Issuer) string {
				return w.Issuer.MintGitHub(w.IAS.URL, saptest.WithClaim("sub", "repo:octo-org/octo-repo:ref:refs/heads/feature"))
			},
			want: []string{"HTTP 401", "most likely the application's Client Authentication has no JSON Web Token with this job's subject repo:octo-org/octo-repo:ref:refs/heads/feature"}},
		{name: "wrong audience", flow: "jwt-bearer", source: given, code: 1, iasTokens: 1,
			token: func(w *world, _ *saptest.Issuer) string { return w.Issuer.MintGitHub("https://elsewhere.example") },
			want:  []string{"HTTP 401", "most likely IAS does not accept the token's audience https://elsewhere.example"}},
		{name: "unknown issuer", flow: "client-credentials", source: given, code: 1, iasTokens: 1,
			token: func(w *world, other *saptest.Issuer) string { return other.MintGitHub(w.IAS.URL) },
			want:  []string{"HTTP 401", "most likely the issuer " + "https://127.0.0.1:"}},
		{name: "a replayed token", flow: "client-credentials", source: given, code: 1, iasTokens: 1, before: true,
			token: func(w *world, _ *saptest.Issuer) string { return w.Issuer.MintGitHub(w.IAS.URL) },
			want:  []string{"HTTP 401", "most likely the token was used before"}},
		{name: "an expired token is not sent", flow: "client-credentials", source: given, code: 2, iasTokens: 0,
			token: func(w *world, _ *saptest.Issuer) string { return w.Issuer.MintGitHub(w.IAS.URL, saptest.Expired()) },
			want:  []string{"id-token: has expired"}},
		{name: "given token and a 500: not sent again", flow: "client-credentials", source: given, code: 1, iasTokens: 1,
			faults: saptest.ServerErrorThenOK(),
			token:  func(w *world, _ *saptest.Issuer) string { return w.Issuer.MintGitHub(w.IAS.URL) },
			want:   []string{"HTTP 500", "not retried: the assertion is single use"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range modes {
				t.Run(mode, func(t *testing.T) {
					t.Parallel()
					w := newWorld(t)
					other := saptest.MustIssuer(t, w.PKI)
					inputs := map[string]string{"ias-tenant": w.IAS.URL, "client-id": saptest.LandscapeIASJobClientID,
						"client-auth": "id-token", "ca-certificates": w.caFile}
					var env map[string]string
					if tc.source == fromService {
						env = map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": w.Issuer.RequestURL(),
							"ACTIONS_ID_TOKEN_REQUEST_TOKEN": w.Issuer.RequestToken()}
					} else {
						inputs["id-token"] = tc.token(w, other)
					}
					before := 0
					if tc.before {
						if r := runPeer(t, mode, tc.flow, inputs, env); r.code != 0 {
							t.Fatalf("first run: exit %d: %s", r.code, r.msg)
						}
						before = 1
					}
					w.IAS.SetFaults(tc.faults...)
					r := runPeer(t, mode, tc.flow, inputs, env)
					var intended []string
					if tc.code == 0 {
						intended = []string{r.token()}
						if mode == "github" && tc.flow == "jwt-bearer" {
							intended = append(intended, emit.ParseOutputFile([]byte(r.outputs))["id-token"])
						}
					}
					r.noLeaks(t, append(append(w.Secrets(), w.Issuer.Tokens()...), other.Tokens()...), intended...)
					r.wantFailure(t, tc.code, tc.want...)
					var assertions []string
					n := 0
					for _, req := range w.IAS.Requests() {
						if req.Path != saptest.IASTokenPath {
							continue
						}
						n++
						a := req.Form.Get("client_assertion")
						if a == "" || req.Form.Has("client_secret") || req.Header.Get("Authorization") != "" {
							t.Error("a token request without the job's token as client_assertion, or with a secret")
						}
						if slices.Contains(assertions, a) && !tc.before {
							t.Error("IAS got the same client assertion twice")
						}
						assertions = append(assertions, a)
					}
					if got := n - before; got != tc.iasTokens {
						t.Errorf("IAS got %d token requests, want %d", got, tc.iasTokens)
					}
					if got := len(w.Issuer.Tokens()); tc.source == fromService && got != tc.jobTokens {
						t.Errorf("the token service issued %d tokens, want %d", got, tc.jobTokens)
					}
					if tc.code == 0 && mode == "github" && !strings.Contains(r.stdout, "Client Authentication") {
						t.Error("the trust report does not say what to enter under the application's Client Authentication")
					}
				})
			}
		})
	}
}
