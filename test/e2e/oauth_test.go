package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// The OAuth flows (client-credentials and password) run here as the built
// binary against pkg/saptest's fake UAA over real TLS on 127.0.0.1, once for
// every shape of service key users paste, and against nginx with client
// certificate verification for X.509 keys. The secrets below are test
// values; key material is minted at run time.
const (
	cpiID         = "sb-5f1c2d3e!b1234|it!b5678"
	cpiSecret     = "cpi-Secret-9d8e7f6a"
	cpiScope      = "it!b5678.MonitorDataRead"
	xsuaaID       = "sb-audit-app!b4711|auditlog!b1"
	xsuaaSecret   = "xsuaa-Secret+/=4c3b2a"
	cockpitID     = "sb-cockpit!i1"
	cockpitSecret = "cockpit-Secret-1a2b3c"
	cockpitUser   = "COCKPIT_ADMIN"
	cockpitPass   = "Us3r-Passw0rd!e2e"
	neoID         = "0a1b2c3d-neo-client"
	neoSecret     = "neo-Secret-5e6f7a8b"
	cockpitPath   = "/uaa-security"
	neoTokenPath  = "/oauth2/api/v1/token"
)

// oauthInputs are the inputs an OAuth run may read; GitHub's runner sets
// every declared input, empty when the workflow does not give it.
var oauthInputs = []string{"service-key", "service-key-file", "token-url", "client-id", "client-secret",
	"username", "password", "scope", "client-auth", "certificate", "certificate-file", "certificate-password",
	"ca-certificates", "timeout", "dotenv-file"}

// githubEnv is the environment of the runner for one step: INPUT_<NAME>
// with hyphens kept, every declared input present.
func githubEnv(ws, flow string, inputs map[string]string) map[string]string {
	env := map[string]string{"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_OUTPUT": filepath.Join(ws, "set_output_1"),
		"GITHUB_STEP_SUMMARY": filepath.Join(ws, "step_summary"),
		"INPUT_FLOW":          flow}
	for _, name := range oauthInputs {
		env["INPUT_"+strings.ToUpper(name)] = ""
	}
	env["INPUT_TIMEOUT"] = "10s"
	for name, v := range inputs {
		env["INPUT_"+strings.ToUpper(name)] = v
	}
	return env
}

// shellEnv is the environment of a shell run: SAP_CI_AUTH_<NAME>, - → _.
func shellEnv(flow string, inputs map[string]string) map[string]string {
	env := map[string]string{"SAP_CI_AUTH_FLOW": flow, "SAP_CI_AUTH_TIMEOUT": "10s"}
	for name, v := range inputs {
		env["SAP_CI_AUTH_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))] = v
	}
	return env
}

// xsOutput is `xs service-key cockpit-uaa NAME` as printed: a header, the
// key with " : " separators, and a trailing OK (seed 000).
func xsOutput(clientID, secret, url string) string {
	return fmt.Sprintf("Getting service key \"demo-cockpit-uaa\" for service instance \"cockpit-uaa\" ...\n\n"+
		"{\n  \"tenantmode\" : \"dedicated\",\n  \"clientid\" : %q,\n"+
		"  \"verificationkey\" : \"-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\\n-----END PUBLIC KEY-----\",\n"+
		"  \"xsappname\" : \"cockpit!i1\",\n  \"identityzone\" : \"uaa\",\n  \"identityzoneid\" : \"uaa\",\n"+
		"  \"clientsecret\" : %q,\n  \"url\" : %q\n}\n\nOK\n", clientID, secret, url)
}

// cfOutput is `cf service-key INSTANCE KEY` of cf CLI v8: a header naming
// the user, the key inside {"credentials":{…}}, and a trailing OK.
func cfOutput(t *testing.T, creds map[string]any) string {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"credentials": creds}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return "Getting key audit-key for service instance my-auditlog as admin@example.com...\n\n" + string(b) + "\n\nOK\n"
}

// cpiKey is a Cloud Integration plan api key: {"oauth":{…}} with tokenurl.
func cpiKey(t *testing.T, fields map[string]any) string {
	t.Helper()
	return mustJSON(t, map[string]any{"oauth": fields})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// xsuaaFields is a flat XSUAA binding-secret key whose token URL is
// url + /oauth/token.
func xsuaaFields(url string) map[string]any {
	return map[string]any{
		"clientid": xsuaaID, "clientsecret": xsuaaSecret, "credential-type": "binding-secret",
		"url": url, "uaadomain": "authentication.eu10.hana.ondemand.com", "identityzone": "my-sub",
		"identityzoneid": "0d1e2f3a-4b5c", "tenantid": "0d1e2f3a-4b5c", "tenantmode": "dedicated",
		"xsappname": "audit-app!b4711", "sburl": "https://internal-xsuaa.authentication.eu10.hana.ondemand.com",
		"verificationkey": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
	}
}

// oauthFixture is one fake UAA, a workspace and the CA to trust.
type oauthFixture struct {
	uaa *saptest.UAA
	ws  string
	ca  string // the root CA as PEM text, for ca-certificates
}

func newOAuthFixture(t *testing.T, p *saptest.PKI, cfg saptest.UAAConfig) *oauthFixture {
	t.Helper()
	uaa := saptest.MustUAA(t, p, cfg)
	return &oauthFixture{uaa: uaa, ws: t.TempDir(), ca: string(p.RootPEM())}
}

// file writes data into the workspace and returns its path.
func (f *oauthFixture) file(t *testing.T, name, data string) string {
	t.Helper()
	return writeFile(t, filepath.Join(f.ws, name), []byte(data))
}

// assertOnlyMasked checks that each secret shows up, if at all, only in
// ::add-mask:: lines (its own, or a masked input that holds it).
func assertOnlyMasked(t *testing.T, r result, secrets ...string) {
	t.Helper()
	assertAbsent(t, r, secrets...)
}

// pemMaskLines returns the lines of a PEM private key that a runner must
// mask: its base64 lines (the armour is public, and lines shorter than 8
// characters mask nothing useful).
func pemMaskLines(pemText string) []string {
	var out []string
	for _, line := range strings.Split(pemText, "\n") {
		if line = strings.TrimSpace(line); len(line) >= 8 && !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	return out
}

// checkTokenOutputs checks the six outputs of an OAuth flow.
func checkTokenOutputs(t *testing.T, out map[string]string, token string, expiresIn int, scope string, ran time.Time) {
	t.Helper()
	want := map[string]string{
		"access-token":  token,
		"authorization": "Bearer " + token,
		"expires-in":    fmt.Sprint(expiresIn),
		"scope":         scope,
	}
	for name, w := range want {
		if got := out[name]; got != w {
			t.Errorf("output %s = %q, want %q", name, got, w)
		}
	}
	// The servers send "bearer"; RFC 6750 spells it "Bearer" and token
	// types are case-insensitive (RFC 6749 §5.1), so either will do.
	if got := out["token-type"]; !strings.EqualFold(got, "bearer") {
		t.Errorf("output token-type = %q, want bearer", got)
	}
	at, err := time.Parse(time.RFC3339, out["expires-at"])
	if err != nil || !strings.HasSuffix(out["expires-at"], "Z") {
		t.Errorf("expires-at %q is not RFC 3339 UTC: %v", out["expires-at"], err)
	} else if lo, hi := ran.Add(time.Duration(expiresIn-2)*time.Second), time.Now().Add(time.Duration(expiresIn+1)*time.Second); at.Before(lo) || at.After(hi) {
		t.Errorf("expires-at %s, want between %s and %s", at, lo, hi)
	}
	if len(out) != len(want)+2 {
		t.Errorf("outputs %v, want exactly %d", out, len(want)+2)
	}
}

// TestOAuthKeyShapesGitHub fetches a token with each shape of service key
// (and Neo's inputs) as GitHub's runner runs the action, and checks the
// request the UAA got, the outputs and that every secret is masked first.
func TestOAuthKeyShapesGitHub(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	cases := []struct {
		name string
		flow string
		cfg  saptest.UAAConfig
		// inputs returns the inputs for the fake UAA and the secrets the
		// run must mask (besides the tokens).
		inputs   func(t *testing.T, f *oauthFixture) (map[string]string, []string)
		scope    string // the scope output
		user     string // the username the request must carry
		basic    bool   // client_secret_basic instead of client_secret_post
		clientID string
	}{
		{
			name: "raw xs service-key output (HANA cockpit, password grant)",
			flow: "password",
			cfg: saptest.UAAConfig{Clients: map[string]string{cockpitID: cockpitSecret}, Users: map[string]string{cockpitUser: cockpitPass},
				Scopes: []string{"cockpit.admin"}, ExpiresIn: 14399, TokenPath: cockpitPath + "/oauth/token"},
			inputs: func(t *testing.T, f *oauthFixture) (map[string]string, []string) {
				return map[string]string{"service-key": xsOutput(cockpitID, cockpitSecret, f.uaa.URL+cockpitPath),
					"username": cockpitUser, "password": cockpitPass}, []string{cockpitSecret, cockpitPass}
			},
			scope: "cockpit.admin", user: cockpitUser, clientID: cockpitID,
		},
		{
			name: "flat UAA key file (cockpit url + /oauth/token, password grant)",
			flow: "password",
			cfg: saptest.UAAConfig{Clients: map[string]string{cockpitID: cockpitSecret}, Users: map[string]string{cockpitUser: cockpitPass},
				Scopes: []string{"cockpit.admin", "cockpit.read"}, ExpiresIn: 14399, TokenPath: cockpitPath + "/oauth/token"},
			inputs: func(t *testing.T, f *oauthFixture) (map[string]string, []string) {
				key := mustJSON(t, map[string]any{"tenantmode": "dedicated", "clientid": cockpitID, "clientsecret": cockpitSecret,
					"xsappname": "cockpit!i1", "identityzone": "uaa", "url": f.uaa.URL + cockpitPath + "/"})
				return map[string]string{"service-key-file": f.file(t, "cockpit-key.json", key),
					"username": cockpitUser, "password": cockpitPass, "scope": "cockpit.read"}, []string{cockpitSecret, cockpitPass}
			},
			scope: "cockpit.read", user: cockpitUser, clientID: cockpitID,
		},
		{
			name: "cf v8 service-key output with credentials wrapper (XSUAA)",
			flow: "client-credentials",
			cfg: saptest.UAAConfig{Clients: map[string]string{xsuaaID: xsuaaSecret}, Scopes: []string{"auditlog!b1.write", "uaa.resource"},
				DecodeBasic: true},
			inputs: func(t *testing.T, f *oauthFixture) (map[string]string, []string) {
				return map[string]string{"service-key": cfOutput(t, xsuaaFields(f.uaa.URL)), "client-auth": "basic"}, []string{xsuaaSecret}
			},
			scope: "auditlog!b1.write uaa.resource", basic: true, clientID: xsuaaID,
		},
		{
			name: "CPI plan api key with oauth wrapper and tokenurl",
			flow: "client-credentials",
			cfg:  saptest.UAAConfig{Clients: map[string]string{cpiID: cpiSecret}, Scopes: []string{cpiScope}},
			inputs: func(t *testing.T, f *oauthFixture) (map[string]string, []string) {
				key := cpiKey(t, map[string]any{"clientid": cpiID, "clientsecret": cpiSecret, "tokenurl": f.uaa.TokenURL(),
					"url": "https://my-sub.it-cpi018.cfapps.eu10.hana.ondemand.com"})
				return map[string]string{"service-key": key}, []string{cpiSecret}
			},
			scope: cpiScope, clientID: cpiID,
		},
		{
			name: "Neo through token-url, client-id and client-secret",
			flow: "client-credentials",
			cfg: saptest.UAAConfig{Clients: map[string]string{neoID: neoSecret}, Scopes: []string{"IntegrationOperationServer.read"},
				ExpiresIn: 1500, TokenPath: neoTokenPath, DecodeBasic: true},
			inputs: func(t *testing.T, f *oauthFixture) (map[string]string, []string) {
				return map[string]string{"token-url": f.uaa.TokenURL(), "client-id": neoID, "client-secret": neoSecret,
					"client-auth": "basic"}, []string{neoSecret}
			},
			scope: "IntegrationOperationServer.read", basic: true, clientID: neoID,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newOAuthFixture(t, p, tc.cfg)
			inputs, secrets := tc.inputs(t, f)
			inputs["ca-certificates"] = f.ca
			env := githubEnv(f.ws, tc.flow, inputs)
			ran := time.Now()
			r := runBinary(t, f.ws, env)
			if r.code != 0 {
				t.Fatalf("exit %d, want 0\n%s", r.code, r.log())
			}
			tokens := f.uaa.Tokens()
			if want := map[bool]int{true: 2, false: 1}[tc.flow == "password"]; len(tokens) != want {
				t.Fatalf("UAA issued %d tokens, want %d (access token, refresh token for the password grant)", len(tokens), want)
			}
			expiresIn := tc.cfg.ExpiresIn
			if expiresIn == 0 {
				expiresIn = saptest.DefaultExpiresIn
			}
			checkTokenOutputs(t, readOutputs(t, env["GITHUB_OUTPUT"]), tokens[0], expiresIn, tc.scope, ran)
			if !f.uaa.Valid(tokens[0], strings.Fields(tc.scope)[0]) {
				t.Errorf("the access token is not valid at the UAA")
			}
			// Every secret, the refresh token included, is announced
			// before any line could carry it; nothing goes to stderr.
			assertMaskedFirst(t, r, slices.Concat(secrets, tokens)...)
			if r.stderr != "" {
				t.Errorf("stderr in GitHub mode: %q", r.stderr)
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				if !strings.HasPrefix(line, "::add-mask::") {
					t.Errorf("stdout line %q: want only ::add-mask:: (outputs go to GITHUB_OUTPUT)", line)
				}
			}

			reqs := f.uaa.Requests()
			if len(reqs) != 1 {
				t.Fatalf("UAA got %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			grant := strings.ReplaceAll(tc.flow, "-", "_")
			if got := req.Form.Get("grant_type") + req.Query.Get("grant_type"); req.Method != "POST" || got != grant {
				t.Errorf("request %s grant_type %q, want POST %q", req.Method, got, grant)
			}
			auth := req.Header.Get("Authorization")
			if tc.basic && (!strings.HasPrefix(auth, "Basic ") || req.Form.Has("client_secret")) {
				t.Errorf("want client_secret_basic: Authorization %q, form %v", auth, req.Form)
			}
			if !tc.basic && (auth != "" || req.Form.Get("client_id") != tc.clientID || req.Form.Get("client_secret") == "") {
				t.Errorf("want client_secret_post with client_id %q: Authorization %q, form keys %v", tc.clientID, auth, slices.Sorted(maps.Keys(req.Form)))
			}
			if got := req.Form.Get("username"); got != tc.user {
				t.Errorf("username %q, want %q", got, tc.user)
			}
		})
	}
}

// TestOAuthShell uses the flows as a shell script would: the token alone on
// stdout, --output json, a dotenv file, settings from SAP_CI_AUTH_* and
// flags, and ca-certificates as a path.
func TestOAuthShell(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	f := newOAuthFixture(t, p, saptest.UAAConfig{Clients: map[string]string{cpiID: cpiSecret, cockpitID: cockpitSecret},
		Users: map[string]string{cockpitUser: cockpitPass}, Scopes: []string{cpiScope}, TokenPath: cockpitPath + "/oauth/token"})
	caFile := f.file(t, "ca.pem", f.ca)
	f.file(t, "cpi-key.json", cpiKey(t, map[string]any{"clientid": cpiID, "clientsecret": cpiSecret, "tokenurl": f.uaa.TokenURL(),
		"url": "https://my-sub.it-cpi018.cfapps.eu10.hana.ondemand.com"}))
	f.file(t, "cockpit-key.txt", xsOutput(cockpitID, cockpitSecret, f.uaa.URL+cockpitPath))

	// client-credentials: the token alone on stdout, for $(…).
	r := runBinary(t, f.ws, map[string]string{"SAP_CI_AUTH_SERVICE_KEY_FILE": "cpi-key.json"},
		"client-credentials", "--ca-certificates", caFile)
	tokens := f.uaa.Tokens()
	if r.code != 0 || len(tokens) != 1 || r.stdout != tokens[0]+"\n" {
		t.Fatalf("client-credentials: exit %d, %d tokens, stdout %q, stderr %q", r.code, len(tokens), r.stdout, r.stderr)
	}
	assertAbsent(t, r, cpiSecret)
	if strings.Contains(r.stderr, tokens[0]) {
		t.Errorf("token in stderr: %q", r.stderr)
	}

	// password: --output json and a dotenv file; the password only in env.
	dotenv := filepath.Join(f.ws, "auth.env")
	ran := time.Now()
	r = runBinary(t, f.ws, map[string]string{"SAP_CI_AUTH_PASSWORD": cockpitPass, "SAP_CI_AUTH_CA_CERTIFICATES": caFile},
		"password", "--service-key-file", "cockpit-key.txt", "--username", cockpitUser, "--output", "json", "--dotenv-file", dotenv)
	if r.code != 0 {
		t.Fatalf("password: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	tokens = f.uaa.Tokens()
	if len(tokens) != 3 {
		t.Fatalf("%d tokens issued, want 3", len(tokens))
	}
	access, refresh := tokens[1], tokens[2]
	var out map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("--output json: %v; want one JSON object line, got %q", err, r.stdout)
	}
	checkTokenOutputs(t, out, access, saptest.DefaultExpiresIn, cpiScope, ran)
	assertAbsent(t, r, cockpitPass, cockpitSecret, refresh)
	env, err := os.ReadFile(dotenv)
	if err != nil {
		t.Fatal(err)
	}
	// AUTHORIZATION is not written: its space is not safe for sh and GitLab.
	wantEnv := regexp.MustCompile(`^ACCESS_TOKEN=` + regexp.QuoteMeta(access) +
		`\nTOKEN_TYPE=(?i:bearer)\nEXPIRES_IN=43199\nEXPIRES_AT=\S+Z\nSCOPE=` + regexp.QuoteMeta(cpiScope) + `\n$`)
	if !wantEnv.Match(env) {
		t.Errorf("dotenv:\n%s\nwant to match %s", env, wantEnv)
	}
	if st, err := os.Stat(dotenv); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("dotenv mode: %v %v, want 0600", st.Mode().Perm(), err)
	}
	if strings.Contains(string(env), refresh) || strings.Contains(string(env), cockpitPass) {
		t.Errorf("dotenv holds the refresh token or the password")
	}
}

// brokenKey is seed 000's cockpit key as a user edits it from the tutorial:
// xs output with the url left unquoted, so not JSON. "url" is on line 11.
func brokenKey(url string) string {
	return "Getting service key \"demo-cockpit-uaa\" for service instance \"cockpit-uaa\" ...\n\n" +
		"{\n  \"tenantmode\" : \"dedicated\",\n  \"clientid\" : \"sb-cockpit!i1\",\n  \"verificationkey\" : \"LEAKY-VERIFICATION-KEY\",\n" +
		"  \"xsappname\" : \"cockpit!i1\",\n  \"identityzone\" : \"uaa\",\n  \"identityzoneid\" : \"uaa\",\n" +
		"  \"clientsecret\" : \"LEAKY-SECRET-000\",\n  \"url\" : " + url + "\n}\n\nOK\n"
}

// TestOAuthErrors runs each failure in GitHub and in shell mode and checks
// the exit code, the one error line, that no output is written, that bad
// input sends nothing, and that no secret reaches the log.
func TestOAuthErrors(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	other := saptest.MustPKI(t)
	const (
		wrongSecret = "wrong-Secret-77aa"
		wrongPass   = "wrong-Passw0rd-88bb"
		htmlMarker  = "SAML2-login-page-e2e"
	)
	cfg := saptest.UAAConfig{Clients: map[string]string{cpiID: cpiSecret, cockpitID: cockpitSecret},
		Users: map[string]string{cockpitUser: cockpitPass}, Scopes: []string{cpiScope}, TokenPath: cockpitPath + "/oauth/token"}
	cpi := func(t *testing.T, f *oauthFixture) string {
		return cpiKey(t, map[string]any{"clientid": cpiID, "clientsecret": cpiSecret, "tokenurl": f.uaa.TokenURL(),
			"url": "https://my-sub.it-cpi018.cfapps.eu10.hana.ondemand.com"})
	}
	cockpit := func(f *oauthFixture) string { return xsOutput(cockpitID, cockpitSecret, f.uaa.URL+cockpitPath) }
	cases := []struct {
		name   string
		flow   string
		cfg    func(*saptest.UAAConfig)
		fault  *saptest.Fault
		inputs func(t *testing.T, f *oauthFixture) map[string]string
		code   int
		want   []string // in the error message
		// masked must be announced before use in GitHub mode (secrets
		// that were sent); every listed secret and hidden must never
		// show up outside ::add-mask::.
		masked []string
		hidden []string
		// noHTTP: the failure comes before any HTTP request (bad input
		// sends nothing; a failed handshake never reaches HTTP).
		noHTTP bool
	}{
		{
			name: "invalid_client: wrong client secret", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f), "client-secret": wrongSecret}
			},
			code: 1, want: []string{"HTTP 401", "invalid_client", "client-id or client-secret is wrong"},
			masked: []string{wrongSecret}, hidden: []string{cpiSecret},
		},
		{
			name: "legacy unauthorized: wrong client secret at an old UAA", flow: "client-credentials",
			cfg: func(c *saptest.UAAConfig) { c.LegacyErrors = true },
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f), "client-secret": wrongSecret}
			},
			code: 1, want: []string{"HTTP 401", "client-id or client-secret is wrong"},
			masked: []string{wrongSecret}, hidden: []string{cpiSecret},
		},
		{
			name: "wrong password on the password grant", flow: "password",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cockpit(f), "username": cockpitUser, "password": wrongPass}
			},
			code: 1, want: []string{"HTTP 401", "username", "password"},
			masked: []string{cockpitSecret, wrongPass},
		},
		{
			name: "wrong username on the password grant", flow: "password",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cockpit(f), "username": "NOBODY", "password": cockpitPass}
			},
			code: 1, want: []string{"HTTP 401", "username", "password"},
			masked: []string{cockpitSecret, cockpitPass},
		},
		{
			name: "invalid_scope", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f), "scope": "it!b5678.WorkspacePackagesEdit"}
			},
			code: 1, want: []string{"HTTP 400", "invalid_scope", "scope"},
			masked: []string{cpiSecret},
		},
		{
			// saptest's UAA has no per-client grant list, so the answer of
			// a UAA whose client lacks the grant comes from a fault.
			name: "unsupported_grant_type: client not allowed the grant", flow: "password",
			fault: &saptest.Fault{Status: 400, ContentType: "application/json;charset=UTF-8",
				Body: `{"error":"unsupported_grant_type","error_description":"Unauthorized grant type: password"}`},
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cockpit(f), "username": cockpitUser, "password": cockpitPass}
			},
			code: 1, want: []string{"HTTP 400", "unsupported_grant_type", "password grant"},
			masked: []string{cockpitSecret, cockpitPass},
		},
		{
			name: "404: wrong token URL", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f), "token-url": f.uaa.URL + "/oauth/token"}
			},
			code: 1, want: []string{"HTTP 404", "token URL"},
			masked: []string{cpiSecret},
		},
		{
			name: "TLS: server CA not in ca-certificates", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f), "ca-certificates": string(other.RootPEM())}
			},
			code: 1, want: []string{"certificate", "ca-certificates"},
			masked: []string{cpiSecret}, noHTTP: true,
		},
		{
			name: "200 with an HTML page instead of a token", flow: "client-credentials",
			fault: &saptest.Fault{Status: 200, ContentType: "text/html;charset=UTF-8",
				Body: "<!DOCTYPE html><html><head><title>" + htmlMarker + "</title></head><body><form>access_token</form></body></html>"},
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f)}
			},
			code: 1, want: []string{"not answer with a token"},
			masked: []string{cpiSecret}, hidden: []string{htmlMarker, "<html"},
		},
		{
			name: "password flow without username", flow: "password",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cockpit(f), "password": cockpitPass}
			},
			code: 2, want: []string{"username: missing"}, hidden: []string{cockpitPass, cockpitSecret},
		},
		{
			name: "password flow without password", flow: "password",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cockpit(f), "username": cockpitUser}
			},
			code: 2, want: []string{"password: missing"}, hidden: []string{cockpitSecret},
		},
		{
			name: "neither a service key nor token-url and client-id", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"client-secret": cpiSecret}
			},
			code: 2, want: []string{"service-key: missing", "token-url", "client-id"}, hidden: []string{cpiSecret},
		},
		{
			name: "both service-key and service-key-file", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": cpi(t, f), "service-key-file": f.file(t, "key.json", cpi(t, f))}
			},
			code: 2, want: []string{"service-key", "service-key-file"}, hidden: []string{cpiSecret},
		},
		{
			name: "http:// token-url", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"token-url": strings.Replace(f.uaa.TokenURL(), "https://", "http://", 1),
					"client-id": cpiID, "client-secret": cpiSecret}
			},
			code: 2, want: []string{"token-url: http:// is not allowed"}, hidden: []string{cpiSecret},
		},
		{
			name: "a key without a token URL names the field", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": fmt.Sprintf(`{"clientid":%q,"clientsecret":%q}`, cpiID, cpiSecret)}
			},
			code: 2, want: []string{"service-key", `no "url"`, "token-url"}, hidden: []string{cpiSecret},
		},
		{
			name: "a key without clientid names the field", flow: "client-credentials",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": fmt.Sprintf(`{"clientsecret":%q,"tokenurl":%q}`, cpiSecret, f.uaa.TokenURL())}
			},
			code: 2, want: []string{"service-key", `no "clientid"`, "client-id"}, hidden: []string{cpiSecret},
		},
		{
			name: "seed 000's key with the url unquoted", flow: "password",
			inputs: func(t *testing.T, f *oauthFixture) map[string]string {
				return map[string]string{"service-key": brokenKey(f.uaa.URL + cockpitPath), "username": cockpitUser, "password": cockpitPass}
			},
			code: 2, want: []string{"service-key", "line 11, column"},
			hidden: []string{"LEAKY-SECRET-000", "LEAKY-VERIFICATION-KEY", cockpitPath, "sb-cockpit", cockpitPass},
		},
	}
	for _, tc := range cases {
		for _, mode := range []string{"github", "shell"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				c := cfg
				c.Clients, c.Users = maps.Clone(cfg.Clients), maps.Clone(cfg.Users)
				if tc.cfg != nil {
					tc.cfg(&c)
				}
				f := newOAuthFixture(t, p, c)
				if tc.fault != nil {
					f.uaa.SetFault(*tc.fault)
				}
				inputs := map[string]string{"ca-certificates": f.ca}
				maps.Copy(inputs, tc.inputs(t, f))
				var r result
				var outFile string
				if mode == "github" {
					env := githubEnv(f.ws, tc.flow, inputs)
					outFile = env["GITHUB_OUTPUT"]
					r = runBinary(t, f.ws, env)
				} else {
					r = runBinary(t, f.ws, shellEnv(tc.flow, inputs))
				}
				if r.code != tc.code {
					t.Errorf("exit %d, want %d", r.code, tc.code)
				}
				var msg string
				if mode == "github" {
					if r.stderr != "" {
						t.Errorf("stderr in GitHub mode: %q", r.stderr)
					}
					var errs []string
					for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
						if strings.HasPrefix(line, "::error::") {
							errs = append(errs, line)
						} else if !strings.HasPrefix(line, "::add-mask::") {
							t.Errorf("unexpected stdout line %q", line)
						}
					}
					if len(errs) != 1 {
						t.Fatalf("want one ::error:: line, got %d:\n%s", len(errs), r.stdout)
					}
					msg = errs[0]
					if b, err := os.ReadFile(outFile); err == nil && len(b) > 0 {
						t.Errorf("outputs written on failure:\n%s", b)
					}
					assertMaskedFirst(t, r, tc.masked...)
					assertOnlyMasked(t, r, slices.Concat(tc.hidden, []string{cpiSecret, cockpitSecret, cockpitPass, wrongSecret, wrongPass})...)
				} else {
					if r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
						t.Fatalf("want empty stdout and one stderr line; stdout %q stderr %q", r.stdout, r.stderr)
					}
					msg = r.stderr
					// No ::add-mask:: in a shell: secrets must be absent.
					assertAbsent(t, r, slices.Concat(tc.masked, tc.hidden, []string{cpiSecret, cockpitSecret, cockpitPass, wrongSecret, wrongPass})...)
				}
				t.Logf("exit %d: %s", r.code, strings.TrimSpace(msg))
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not contain %q", msg, w)
					}
				}
				for _, tok := range f.uaa.Tokens() {
					if strings.Contains(r.log(), tok) {
						t.Errorf("an issued token is in the log")
					}
				}
				sent := len(f.uaa.Requests())
				if want := map[bool]int{true: 0, false: 1}[tc.noHTTP || tc.code == 2]; sent != want {
					t.Errorf("UAA got %d requests, want %d", sent, want)
				}
			})
		}
	}
}

// x509Key returns a service key for c whose token endpoint is tokenURL, in
// one of two forms: XSUAA's flat x509 key with certurl (PEM line breaks as
// JSON \n escapes), or a Cloud Integration certificate key with tokenurl
// under "oauth" whose PEM holds literal backslash-n sequences (the text
// `\n`, escaped once more in JSON), as the SAP docs warn.
func x509Key(t *testing.T, form, clientID, baseURL string, c *saptest.ClientCert, withKey bool) string {
	t.Helper()
	cert, key := string(c.CertPEM()), string(c.KeyPEM())
	fields := map[string]any{"clientid": clientID, "credential-type": "x509",
		"certificatedetails": map[string]string{"issuerdn": "CN=saptest root", "subjectdn": "CN=" + clientID,
			"validuntil": c.Certificate.NotAfter.UTC().Format("2006-01-02T15:04:05Z"), "serialnumber": c.Certificate.SerialNumber.Text(16)}}
	switch form {
	case "xsuaa":
		fields["url"] = "https://my-sub.authentication.eu10.hana.ondemand.com"
		fields["certurl"] = baseURL
		fields["uaadomain"] = "authentication.eu10.hana.ondemand.com"
		fields["xsappname"] = "app!b1"
	case "cpi":
		cert = strings.ReplaceAll(cert, "\n", `\n`)
		key = strings.ReplaceAll(key, "\n", `\n`)
		fields["tokenurl"] = baseURL + "/oauth/token"
		fields["url"] = "https://my-sub.it-cpi018.cfapps.eu10.hana.ondemand.com"
	}
	fields["certificate"] = cert
	if withKey {
		fields["key"] = key
	}
	if form == "cpi" {
		return mustJSON(t, map[string]any{"oauth": fields})
	}
	return mustJSON(t, fields)
}

// TestOAuthX509 fetches a token with X.509 service keys over mutual TLS
// from nginx, which answers /oauth/token only to a verified client
// certificate.
func TestOAuthX509(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	ngx := startNginx(t, p)
	c := saptest.MustClient(t, p, "sb-x509-client!b77")
	ca := string(p.RootPEM())
	keyLines := pemMaskLines(string(c.KeyPEM()))
	cases := []struct {
		name    string
		inputs  map[string]string
		secrets []string
	}{
		{"XSUAA x509 key with certurl", map[string]string{"service-key": x509Key(t, "xsuaa", "sb-x509-client!b77", ngx.URL, c, true)}, keyLines},
		{"CPI certificate key with tokenurl and literal \\n", map[string]string{"service-key": x509Key(t, "cpi", "sb-x509-client!b77", ngx.URL, c, true)},
			append([]string{strings.ReplaceAll(string(c.KeyPEM()), "\n", `\n`)}, keyLines...)},
		{"External Certificate key with the certificate input", map[string]string{
			"service-key": x509Key(t, "cpi", "sb-x509-client!b77", ngx.URL, c, false), "certificate": string(c.PEM())}, keyLines},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := t.TempDir()
			inputs := maps.Clone(tc.inputs)
			inputs["ca-certificates"] = ca
			env := githubEnv(ws, "client-credentials", inputs)
			ran := time.Now()
			r := runBinary(t, ws, env)
			if r.code != 0 {
				t.Fatalf("exit %d, want 0\n%s", r.code, r.log())
			}
			out := readOutputs(t, env["GITHUB_OUTPUT"])
			token := out["access-token"]
			if !hex32.MatchString(token) {
				t.Fatalf("access-token %q is not nginx's request id (was the client certificate sent?)", token)
			}
			checkTokenOutputs(t, out, token, 3599, "it!b1.MonitorDataRead", ran)
			assertMaskedFirst(t, r, slices.Concat(tc.secrets, []string{token})...)
			if r.stderr != "" {
				t.Errorf("stderr in GitHub mode: %q", r.stderr)
			}
		})
	}

	errCases := []struct {
		name   string
		inputs map[string]string
		code   int
		want   []string
	}{
		{"client certificate from an untrusted CA", map[string]string{
			"service-key": x509Key(t, "xsuaa", "sb-x509-client!b77", ngx.URL, saptest.MustClient(t, p, "sb-x509-client!b77", saptest.Untrusted()), true)},
			1, []string{"HTTP 400", "the server refused the client certificate"}},
		{"External Certificate key without the certificate input", map[string]string{
			"service-key": x509Key(t, "xsuaa", "sb-x509-client!b77", ngx.URL, c, false)},
			2, []string{"certificate: missing"}},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws := t.TempDir()
			inputs := maps.Clone(tc.inputs)
			inputs["ca-certificates"] = ca
			r := runBinary(t, ws, shellEnv("client-credentials", inputs))
			if r.code != tc.code {
				t.Errorf("exit %d, want %d", r.code, tc.code)
			}
			if r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("want empty stdout and one stderr line; stdout %q stderr %q", r.stdout, r.stderr)
			}
			t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("error %q does not contain %q", r.stderr, w)
				}
			}
			assertAbsent(t, r, keyLines...)
		})
	}
}

// TestSystemTrustStore runs the binary without ca-certificates, so that it
// verifies the server against the system roots alone (crypto/tls loads them
// while the handshake is under way): a bundle in SSL_CERT_FILE that holds
// the server's CA is enough, as the public CA of a real tenant is; a bundle
// that cannot be read gets an error that says so, and a machine without one
// is told to add the server's CA.
func TestSystemTrustStore(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	f := newOAuthFixture(t, p, saptest.UAAConfig{Clients: map[string]string{cpiID: cpiSecret}, Scopes: []string{cpiScope}})
	f.file(t, "cpi-key.json", cpiKey(t, map[string]any{"clientid": cpiID, "clientsecret": cpiSecret, "tokenurl": f.uaa.TokenURL(),
		"url": "https://my-sub.it-cpi018.cfapps.eu10.hana.ondemand.com"}))
	system, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		system = nil // a machine without the bundle: the fake CA alone
	}
	bundle := f.file(t, "bundle.pem", string(system)+f.ca)
	fakeCA := f.file(t, "fake-ca.pem", f.ca)
	emptyDir := t.TempDir()

	r := runBinary(t, f.ws, map[string]string{"SSL_CERT_FILE": bundle, "SSL_CERT_DIR": emptyDir},
		"client-credentials", "--service-key-file", "cpi-key.json")
	if tokens := f.uaa.Tokens(); r.code != 0 || len(tokens) != 1 || r.stdout != tokens[0]+"\n" || r.stderr != "" {
		t.Fatalf("CA in the system bundle: exit %d, %d tokens, stdout %q, stderr %q", r.code, len(tokens), r.stdout, r.stderr)
	}

	// ca-certificates adds to the system roots, never replaces them: an
	// unrelated extra CA leaves the server's CA in the bundle trusted.
	unrelated := f.file(t, "unrelated-ca.pem", string(saptest.MustPKI(t).RootPEM()))
	r = runBinary(t, f.ws, map[string]string{"SSL_CERT_FILE": bundle, "SSL_CERT_DIR": emptyDir},
		"client-credentials", "--service-key-file", "cpi-key.json", "--ca-certificates", unrelated)
	if tokens := f.uaa.Tokens(); r.code != 0 || len(tokens) != 2 || r.stdout != tokens[1]+"\n" {
		t.Fatalf("CA in the system bundle plus an unrelated ca-certificates: exit %d, %d tokens, stdout %q, stderr %q", r.code, len(tokens), r.stdout, r.stderr)
	}

	// A directory where the bundle should be, and no other roots: x509
	// reports it (a missing file is skipped without error).
	r = runBinary(t, f.ws, map[string]string{"SSL_CERT_FILE": emptyDir, "SSL_CERT_DIR": filepath.Join(emptyDir, "none")},
		"client-credentials", "--service-key-file", "cpi-key.json")
	want := "the system CA certificates could not be read: check SSL_CERT_FILE and SSL_CERT_DIR (or install the ca-certificates package), or give the server's CA with ca-certificates"
	if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("unreadable system bundle: exit %d, stderr %q; want exit 1 and one line with %q", r.code, r.stderr, want)
	}
	// The same store with ca-certificates: the run goes on with the extra
	// CA alone, and says so.
	r = runBinary(t, f.ws, map[string]string{"SSL_CERT_FILE": emptyDir, "SSL_CERT_DIR": filepath.Join(emptyDir, "none")},
		"client-credentials", "--service-key-file", "cpi-key.json", "--ca-certificates", fakeCA)
	want = "so only ca-certificates is trusted: check SSL_CERT_FILE and SSL_CERT_DIR"
	if tokens := f.uaa.Tokens(); r.code != 0 || len(tokens) != 3 || r.stdout != tokens[2]+"\n" || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("unreadable system bundle with ca-certificates: exit %d, stderr %q; want a token and one warning with %q", r.code, r.stderr, want)
	}
	r = runBinary(t, f.ws, map[string]string{"SSL_CERT_FILE": filepath.Join(emptyDir, "none.pem"), "SSL_CERT_DIR": filepath.Join(emptyDir, "none")},
		"client-credentials", "--service-key-file", "cpi-key.json")
	want = "the server's certificate is not signed by a trusted CA: add its CA with ca-certificates"
	if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("no system bundle: exit %d, stderr %q; want exit 1 and one line with %q", r.code, r.stderr, want)
	}
	if n := len(f.uaa.Tokens()); n != 3 {
		t.Errorf("%d tokens issued, want still 3: no request may pass an unverified handshake", n)
	}
	assertAbsent(t, r, cpiSecret)

	// A FIFO where the bundle should be: reading it blocks for ever, and
	// the run must end at timeout, naming the store instead of the
	// network. The trust store is gathered before any request, with or
	// without ca-certificates: exit 2, nothing sent.
	fifo := filepath.Join(t.TempDir(), "bundle.fifo")
	mkfifo(t, fifo)
	want = "the system CA certificates could not be read within timeout: check that SSL_CERT_FILE and SSL_CERT_DIR name readable files and directories, not a FIFO or a device"
	for _, tc := range []struct {
		name  string
		extra []string
		code  int
	}{
		{"with ca-certificates", []string{"--ca-certificates", fakeCA}, 2},
		{"without ca-certificates", nil, 2},
	} {
		// A watchdog, so that a regression fails here instead of hanging
		// the suite until go test's own timeout.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, binary, append([]string{"client-credentials", "--service-key-file", "cpi-key.json", "--timeout", "1s"}, tc.extra...)...)
		cmd.Dir = f.ws
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SSL_CERT_FILE=" + fifo, "SSL_CERT_DIR=" + emptyDir}
		r := runCmd(t, cmd)
		cancel()
		if r.code != tc.code || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("SSL_CERT_FILE a FIFO, %s: exit %d, stderr %q; want exit %d and one line with %q", tc.name, r.code, r.stderr, tc.code, want)
		}
		assertAbsent(t, r, cpiSecret)
	}
	if n := len(f.uaa.Tokens()); n != 3 {
		t.Errorf("%d tokens issued, want still 3", n)
	}
}
