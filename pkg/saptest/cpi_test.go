package saptest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

func TestCPI(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	uaa := saptest.MustUAA(t, p, uaaConfig())
	cfg := uaaConfig()
	cfg.ExpiresIn = -1
	expiring := saptest.MustUAA(t, p, cfg)
	cpi := saptest.MustCPI(t, p, uaa, readScope)
	cockpit, err := saptest.NewCockpit(p, uaa, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cockpit.Close)

	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, p.HTTPClient(nil))
	token := func(u *saptest.UAA, scopes ...string) string {
		t.Helper()
		cc := clientcredentials.Config{ClientID: "plain", ClientSecret: "plain-secret", TokenURL: u.TokenURL(), Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	full, nodeOnly, expired := token(uaa), token(uaa, nodeScope), token(expiring)

	const mpl = "/api/v1/MessageProcessingLogs"
	cases := []struct {
		name, method, base, path, auth string
		wantStatus                     int
		wantResults                    int    // for MessageProcessingLogs
		wantBody                       string // exact, if set
	}{
		{name: "no token", method: "GET", base: cpi.URL, path: mpl, wantStatus: 401},
		{name: "basic auth", method: "GET", base: cpi.URL, path: mpl, auth: "Basic cGxhaW46cGxhaW4tc2VjcmV0", wantStatus: 401},
		{name: "garbage token", method: "GET", base: cpi.URL, path: mpl, auth: "Bearer abc", wantStatus: 401},
		{name: "expired token", method: "GET", base: cpi.URL, path: mpl, auth: "Bearer " + expired, wantStatus: 401},
		{name: "scope missing", method: "GET", base: cpi.URL, path: mpl, auth: "Bearer " + nodeOnly, wantStatus: 403},
		{name: "all logs", method: "GET", base: cpi.URL, path: mpl, auth: "Bearer " + full, wantStatus: 200, wantResults: 3},
		{name: "$top=1", method: "GET", base: cpi.URL, path: mpl + "?$top=1&$orderby=LogEnd%20desc", auth: "Bearer " + full, wantStatus: 200, wantResults: 1},
		{name: "$top=0", method: "GET", base: cpi.URL, path: mpl + "?$top=0", auth: "Bearer " + full, wantStatus: 200, wantResults: 0},
		{name: "bad $top", method: "GET", base: cpi.URL, path: mpl + "?$top=x", auth: "Bearer " + full, wantStatus: 400},
		{name: "bearer in lower case", method: "GET", base: cpi.URL, path: mpl, auth: "bearer " + full, wantStatus: 200, wantResults: 3},
		{
			name: "error text of the failed log", method: "GET", base: cpi.URL, auth: "Bearer " + full,
			path: mpl + "('AGYxc2FwdGVzdC0wMDAyLWZhaWxl')/ErrorInformation/$value", wantStatus: 200, wantBody: saptest.CannedErrorInformation,
		},
		{
			name: "error text of a completed log", method: "GET", base: cpi.URL, auth: "Bearer " + full,
			path: mpl + "('AGYxc2FwdGVzdC0wMDAzLWNvbXBs')/ErrorInformation/$value", wantStatus: 404,
		},
		{name: "POST", method: "POST", base: cpi.URL, path: mpl, auth: "Bearer " + full, wantStatus: 405},
		{name: "unknown path", method: "GET", base: cpi.URL, path: "/api/v1/IntegrationRuntimeArtifacts", auth: "Bearer " + full, wantStatus: 404},
		{
			name: "cockpit resources", method: "GET", base: cockpit.URL, path: "/resource/RegisteredResourcesGet", auth: "Bearer " + nodeOnly,
			wantStatus: 200, wantBody: `{"result":[{"ResourceName":"SYSTEMDB@H4C","ResourceId":"1"}]}`,
		},
		{name: "cockpit without token", method: "GET", base: cockpit.URL, path: "/resource/RegisteredResourcesGet", wantStatus: 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, tc.method, tc.base+tc.path, "", "")
			req.Header.Set("Accept", "application/json")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			got, err := do(t, p.HTTPClient(nil), req)
			if err != nil {
				t.Fatal(err)
			}
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", got.status, tc.wantStatus, got.body)
			}
			if got.status == 401 && got.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tc.wantBody != "" && got.body != tc.wantBody {
				t.Errorf("body = %s, want %s", got.body, tc.wantBody)
			}
			if got.status != 200 || tc.wantBody != "" || tc.path[:len(mpl)] != mpl {
				return
			}
			var body struct {
				D struct {
					Results []saptest.MessageProcessingLog `json:"results"`
				} `json:"d"`
			}
			if err := json.Unmarshal([]byte(got.body), &body); err != nil {
				t.Fatalf("body %q: %v", got.body, err)
			}
			if n := len(body.D.Results); n != tc.wantResults {
				t.Fatalf("len(d.results) = %d, want %d", n, tc.wantResults)
			}
			if n := tc.wantResults; n > 0 && (body.D.Results[0].Status != "COMPLETED" || body.D.Results[0].MessageGUID == "") {
				t.Errorf("d.results[0] = %+v, want a COMPLETED log with a MessageGuid", body.D.Results[0])
			}
			if n := tc.wantResults; n > 0 && !strings.HasPrefix(body.D.Results[0].Metadata["uri"], tc.base+mpl+"('") {
				t.Errorf("__metadata.uri = %q, want it under %s", body.D.Results[0].Metadata["uri"], tc.base)
			}
		})
	}
}

func TestNewCPINoUAA(t *testing.T) {
	t.Parallel()
	if _, err := saptest.NewCPI(testPKI(t), nil, ""); err == nil {
		t.Error("NewCPI(nil UAA) error = nil, want error")
	}
}
