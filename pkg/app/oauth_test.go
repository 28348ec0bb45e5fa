package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

const (
	cpiClient    = "sb-5f1c!b1234|it!b5678"
	cpiSecret    = "cpi-Secret-9d8e7f"
	cockpitID    = "sb-cockpit!i1"
	cockpitPass  = "cockpit-Secret-1a2b"
	cockpitUser  = "COCKPIT_ADMIN"
	cockpitUserP = "Us3r-Passw0rd!"
)

type uaaFixture struct {
	pki *saptest.PKI
	uaa *saptest.UAA
	dir string
}

func newUAAFixture(t *testing.T, cfg saptest.UAAConfig) *uaaFixture {
	t.Helper()
	p, err := sharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Clients == nil {
		cfg.Clients = map[string]string{cpiClient: cpiSecret, cockpitID: cockpitPass}
		cfg.Users = map[string]string{cockpitUser: cockpitUserP}
		cfg.Scopes = []string{"it!b5678.MonitorDataRead"}
	}
	return &uaaFixture{pki: p, uaa: saptest.MustUAA(t, p, cfg), dir: t.TempDir()}
}

func (f *uaaFixture) cpiKey() string {
	return fmt.Sprintf(`{"oauth":{"clientid":%q,"clientsecret":%q,"url":"https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com","tokenurl":%q}}`,
		cpiClient, cpiSecret, f.uaa.TokenURL())
}

// xsOutput is `xs service-key cockpit-uaa NAME` as printed, header and OK
// included.
func (f *uaaFixture) xsOutput() string {
	return fmt.Sprintf("Getting service key \"demo-cockpit-uaa\" for service instance \"cockpit-uaa\" ...\n\n"+
		"{\n  \"tenantmode\" : \"dedicated\",\n  \"clientid\" : %q,\n  \"verificationkey\" : \"-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----\",\n"+
		"  \"xsappname\" : \"cockpit!i1\",\n  \"identityzone\" : \"uaa\",\n  \"clientsecret\" : %q,\n  \"url\" : %q\n}\n\nOK\n",
		cockpitID, cockpitPass, f.uaa.URL)
}

func (f *uaaFixture) github(flow string, extra map[string]string) map[string]string {
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(f.dir, "set_output"),
		"INPUT_FLOW": flow, "INPUT_CA-CERTIFICATES": string(f.pki.RootPEM()),
		"INPUT_SERVICE-KEY": "", "INPUT_SERVICE-KEY-FILE": "", "INPUT_TOKEN-URL": "", "INPUT_CLIENT-ID": "",
		"INPUT_CLIENT-SECRET": "", "INPUT_USERNAME": "", "INPUT_PASSWORD": "", "INPUT_SCOPE": "", "INPUT_CLIENT-AUTH": "",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func (f *uaaFixture) outputs(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "set_output"))
	if err != nil {
		t.Fatal(err)
	}
	return emit.ParseOutputFile(b)
}

func TestOAuthFlowsGitHub(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		flow      string
		cfg       saptest.UAAConfig
		inputs    func(f *uaaFixture) map[string]string
		secrets   []string
		wantScope string
		wantIn    string // a form field or header the request must carry
	}{
		{
			name:    "CPI key with oauth wrapper",
			flow:    "client-credentials",
			inputs:  func(f *uaaFixture) map[string]string { return map[string]string{"INPUT_SERVICE-KEY": f.cpiKey()} },
			secrets: []string{cpiSecret}, wantScope: "it!b5678.MonitorDataRead", wantIn: "client_secret",
		},
		{
			name: "cockpit key as xs prints it, password grant",
			flow: "password",
			inputs: func(f *uaaFixture) map[string]string {
				file := filepath.Join(f.dir, "key.txt")
				if err := os.WriteFile(file, []byte(f.xsOutput()), 0o600); err != nil {
					panic(err)
				}
				return map[string]string{"INPUT_SERVICE-KEY-FILE": file, "INPUT_USERNAME": cockpitUser, "INPUT_PASSWORD": cockpitUserP}
			},
			secrets: []string{cockpitPass, cockpitUserP}, wantIn: "password",
		},
		{
			name: "client-id completes a key without clientid",
			flow: "client-credentials",
			inputs: func(f *uaaFixture) map[string]string {
				key := fmt.Sprintf(`{"oauth":{"clientsecret":%q,"tokenurl":%q}}`, cpiSecret, f.uaa.TokenURL())
				return map[string]string{"INPUT_SERVICE-KEY": key, "INPUT_CLIENT-ID": cpiClient}
			},
			secrets: []string{cpiSecret}, wantScope: "it!b5678.MonitorDataRead", wantIn: "client_id",
		},
		{
			name: "Neo through inputs with Basic auth",
			flow: "client-credentials",
			cfg:  saptest.UAAConfig{Clients: map[string]string{"neo-client": "neo-Secret-55"}, TokenPath: "/oauth2/api/v1/token"},
			inputs: func(f *uaaFixture) map[string]string {
				return map[string]string{"INPUT_TOKEN-URL": f.uaa.TokenURL(), "INPUT_CLIENT-ID": "neo-client", "INPUT_CLIENT-SECRET": "neo-Secret-55", "INPUT_CLIENT-AUTH": "basic"}
			},
			secrets: []string{"neo-Secret-55"}, wantIn: "Authorization",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newUAAFixture(t, tc.cfg)
			r := execute(t, f.github(tc.flow, tc.inputs(f)))
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.stdout)
			}
			tokens := f.uaa.Tokens()
			if len(tokens) == 0 {
				t.Fatal("no token issued")
			}
			assertMasked(t, r, append(tc.secrets, tokens...)...)
			out := f.outputs(t)
			if out["access-token"] != tokens[0] || out["authorization"] != "Bearer "+tokens[0] {
				t.Errorf("outputs %v", out)
			}
			if out["expires-in"] != "43199" || !strings.HasSuffix(out["expires-at"], "Z") || out["token-type"] == "" {
				t.Errorf("expiry outputs %v", out)
			}
			if tc.wantScope != "" && out["scope"] != tc.wantScope {
				t.Errorf("scope %q, want %q", out["scope"], tc.wantScope)
			}
			reqs := f.uaa.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if reqs[0].Form.Get(tc.wantIn) == "" && reqs[0].Header.Get(tc.wantIn) == "" {
				t.Errorf("request lacks %s: form %v", tc.wantIn, reqs[0].Form)
			}
		})
	}
}

func TestOAuthShellPrintsTheTokenAlone(t *testing.T) {
	t.Parallel()
	f := newUAAFixture(t, saptest.UAAConfig{})
	r := execute(t, map[string]string{"SAP_CI_AUTH_SERVICE_KEY": f.cpiKey(), "SAP_CI_AUTH_CA_CERTIFICATES": string(f.pki.RootPEM())}, "client-credentials")
	if r.code != 0 || r.stdout != f.uaa.Tokens()[0]+"\n" || r.stderr != "" {
		t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestOAuthExpiry checks expires-in and expires-at when the token answer
// lacks expires_in: taken from a JWT's exp claim, else left empty with a
// warning instead of claiming 0 s or the year 1.
func TestOAuthExpiry(t *testing.T) {
	t.Parallel()
	jwt := func(claims string) string {
		enc := base64.RawURLEncoding
		return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims)) + ".c2ln"
	}
	now := time.Now().Truncate(time.Second)
	cases := []struct {
		name        string
		token       string
		wantIn      string
		wantWarning bool
	}{
		{name: "JWT exp claim", token: jwt(fmt.Sprintf(`{"exp":%d}`, now.Unix()+600)), wantIn: "600"},
		{name: "JWT exp in the past", token: jwt(fmt.Sprintf(`{"exp":%d}`, now.Unix()-5)), wantWarning: true},
		{name: "opaque token", token: "opaque-token-123456", wantWarning: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newUAAFixture(t, saptest.UAAConfig{})
			f.uaa.SetFault(saptest.Fault{Body: `{"access_token":"` + tc.token + `","token_type":"bearer"}`, ContentType: "application/json"})
			env := f.github("client-credentials", map[string]string{"INPUT_SERVICE-KEY": f.cpiKey()})
			var stdout bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stdout, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return now }}
			r := run{code: m.Run(context.Background()), stdout: stdout.String()}
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.stdout)
			}
			assertMasked(t, r, tc.token)
			out := f.outputs(t)
			wantAt := ""
			if tc.wantIn != "" {
				wantAt = now.Add(600 * time.Second).UTC().Format(time.RFC3339)
			}
			if out["expires-in"] != tc.wantIn || out["expires-at"] != wantAt {
				t.Errorf("expires-in %q, expires-at %q; want %q, %q", out["expires-in"], out["expires-at"], tc.wantIn, wantAt)
			}
			if got := strings.Contains(r.stdout, "::warning::the answer gives no lifetime"); got != tc.wantWarning {
				t.Errorf("warning %v, want %v:\n%s", got, tc.wantWarning, r.stdout)
			}
		})
	}
}

func TestOAuthErrors(t *testing.T) {
	t.Parallel()
	f := newUAAFixture(t, saptest.UAAConfig{})
	cases := []struct {
		name     string
		flow     string
		inputs   map[string]string
		wantCode int
		want     string
	}{
		{"no key and no token url", "client-credentials", nil, 2, "service-key: missing"},
		{"password without username", "password", map[string]string{"INPUT_SERVICE-KEY": f.xsOutput(), "INPUT_PASSWORD": "Xp4Rt9Vw2Yk6"}, 2, "username: missing"},
		{"password without password", "password", map[string]string{"INPUT_SERVICE-KEY": f.xsOutput(), "INPUT_USERNAME": cockpitUser}, 2, "password: missing"},
		{"both key inputs", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": f.cpiKey(), "INPUT_SERVICE-KEY-FILE": "k.json"}, 2, "service-key: given together with service-key-file"},
		{"http token url", "client-credentials", map[string]string{"INPUT_TOKEN-URL": "http://uaa.example.com/oauth/token", "INPUT_CLIENT-ID": "c", "INPUT_CLIENT-SECRET": "Ss8Kq2Lw6Xr3"}, 2, "token-url: http:// is not allowed"},
		{"token url without client id", "client-credentials", map[string]string{"INPUT_TOKEN-URL": "https://uaa.example.com/oauth/token"}, 2, "client-id: missing"},
		{"client id without secret", "client-credentials", map[string]string{"INPUT_TOKEN-URL": "https://uaa.example.com/oauth/token", "INPUT_CLIENT-ID": "c"}, 2, "client-secret: missing"},
		{"seed 000's broken key", "password", map[string]string{"INPUT_SERVICE-KEY": "{\n  \"clientid\" : \"sb-cockpit!i1\",\n  \"clientsecret\" : \"LEAKY-SECRET\",\n  \"url\" : https://host:30032/uaa-security\n}", "INPUT_USERNAME": "u", "INPUT_PASSWORD": "Pp3Nf7Yt1Bv9"}, 2, "line 4, column"},
		{"key without clientid", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": `{"clientsecret":"NoId-S3cret-77","tokenurl":"https://uaa.example.com/oauth/token"}`}, 2, `service-key: has no "clientid"; give client-id`},
		{"x509 key without certificate", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": `{"clientid":"x","credential-type":"x509","certurl":"https://uaa.example.com"}`}, 2, "certificate: missing: the service key is an X.509 key without a certificate or private key"},
		{"wrong client secret", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": f.cpiKey(), "INPUT_CLIENT-SECRET": "Wr7sQx92KfLp"}, 1, "client-id or client-secret is wrong"},
		{"wrong user password", "password", map[string]string{"INPUT_SERVICE-KEY": f.xsOutput(), "INPUT_USERNAME": cockpitUser, "INPUT_PASSWORD": "Wp5Lm2Qz8Tn4"}, 1, "username or password is wrong"},
		{"scope not allowed", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": f.cpiKey(), "INPUT_SCOPE": "it!b5678.WorkspacePackagesEdit"}, 1, "scope"},
		{"wrong token url", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": f.cpiKey(), "INPUT_TOKEN-URL": f.uaa.URL + "/wrong"}, 1, "token URL is wrong"},
		{"untrusted server", "client-credentials", map[string]string{"INPUT_SERVICE-KEY": f.cpiKey(), "INPUT_CA-CERTIFICATES": ""}, 1, "ca-certificates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.uaa.Requests())
			r := execute(t, f.github(tc.flow, tc.inputs))
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d", r.code, tc.wantCode)
			}
			if !strings.Contains(r.stdout, "::error::") || !strings.Contains(r.stdout, tc.want) {
				t.Errorf("want an ::error:: with %q:\n%s", tc.want, r.stdout)
			}
			assertNotLeaked(t, r, "LEAKY-SECRET", "Wr7sQx92KfLp", "Wp5Lm2Qz8Tn4", "Xp4Rt9Vw2Yk6", cpiSecret)
			if sent := len(f.uaa.Requests()) > before; tc.wantCode == 2 && sent {
				t.Error("bad input sent a request")
			}
		})
	}
}
