package saptest_test

import (
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestRefuseReusedJTI: with RefuseReusedJTI the IAS and UAA token
// endpoints refuse an assertion whose jti arrived before, also with a
// request the fake failed with a 500 (ServerErrorThenOK), as ory/fosite's
// RFC 7523 handler does; a fresh assertion goes through. Without it, the
// same assertion is accepted twice.
func TestRefuseReusedJTI(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	hc := p.HTTPClient(nil)
	type step struct {
		assertion func() string
		wantCode  int
		wantDesc  string
	}
	cases := []struct {
		name   string
		unique bool
		uaa    bool // the UAA, with an IAS token as the assertion; else IAS with the job's token
	}{
		{name: "IAS", unique: true},
		{name: "UAA", unique: true, uaa: true},
		{name: "IAS without the option", unique: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := saptest.MustIssuer(t, p)
			ias := saptest.MustIAS(t, p, saptest.WithOAuthClients(map[string]string{iasClient: iasSecret}))
			ias.TrustIssuer(iss, jobAudience, "sub")
			iasForm := func(a string) (int, tokenAnswer) {
				return postForm(t, hc, ias.TokenURL(), bearerForm(a, "client_id", iasClient, "client_secret", iasSecret), nil)
			}
			post, fresh, setFaults := iasForm, func() string { return iss.MintGitHub(jobAudience) }, ias.SetFaults
			if tc.uaa {
				uaa := saptest.MustUAA(t, p, saptest.UAAConfig{Clients: map[string]string{uaaClient: uaaSecret}, DecodeBasic: true})
				uaa.TrustIAS(ias, iasClient)
				post = func(a string) (int, tokenAnswer) {
					return postForm(t, hc, uaa.TokenURL(), bearerForm(a), []string{uaaClient, uaaSecret})
				}
				fresh = func() string {
					code, a := iasForm(iss.MintGitHub(jobAudience))
					if code != 200 {
						t.Fatalf("IAS answer %d %s", code, a.ErrorDescription)
					}
					return a.IDToken
				}
				setFaults = uaa.SetFaults
				if tc.unique {
					uaa.RefuseReusedJTI()
				}
			} else if tc.unique {
				ias.RefuseReusedJTI()
			}
			first := fresh()
			second := fresh()
			reused, reusedDesc := 400, "jti_known: The jti of the assertion was already used"
			if !tc.unique {
				reused, reusedDesc = 200, ""
			}
			setFaults(saptest.ServerErrorThenOK()...)
			for i, s := range []step{
				{assertion: func() string { return first }, wantCode: 500, wantDesc: "The authorization server encountered an unexpected condition"},
				{assertion: func() string { return first }, wantCode: reused, wantDesc: reusedDesc},
				{assertion: func() string { return second }, wantCode: 200},
				{assertion: func() string { return second }, wantCode: reused, wantDesc: reusedDesc},
			} {
				code, a := post(s.assertion())
				if code != s.wantCode || a.ErrorDescription != s.wantDesc {
					t.Errorf("request %d: %d %q %q, want %d %q", i+1, code, a.Error, a.ErrorDescription, s.wantCode, s.wantDesc)
				}
				if code == 400 && a.Error != "invalid_grant" {
					t.Errorf("request %d: error %q, want invalid_grant", i+1, a.Error)
				}
			}
		})
	}
}
