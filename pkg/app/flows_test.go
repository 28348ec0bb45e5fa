package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// sharedPKI is the one PKI of this package's landscapes: minting CAs and
// server certificates once keeps the suite fast.
var sharedPKI = sync.OnceValues(func() (*saptest.PKI, error) { return saptest.NewPKI() })

// world is a fake SAP landscape with the files a workflow would have.
type world struct {
	l       *saptest.Landscape
	dir     string
	ca, p12 string
}

func newWorld(t *testing.T, opts ...saptest.LandscapeOption) *world {
	t.Helper()
	p, err := sharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	l := saptest.MustLandscape(t, append([]saptest.LandscapeOption{saptest.WithPKI(p)}, opts...)...)
	w := &world{l: l, dir: t.TempDir()}
	w.ca = w.write(t, "ca.pem", l.PKI.RootPEM())
	w.p12 = w.write(t, "cert.p12", l.ClientP12)
	return w
}

func (w *world) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// result is everything one run produced.
type result struct {
	code                        int
	stdout, stderr, output, env []byte
	summary                     []byte
	dotenv                      []byte
	outputs                     map[string]string
}

// texts names what the leak checker searches.
func (r result) texts() map[string][]byte {
	return map[string][]byte{"stdout": r.stdout, "stderr": r.stderr, "GITHUB_OUTPUT": r.output, "GITHUB_ENV": r.env, "dotenv": r.dotenv,
		"GITHUB_STEP_SUMMARY": r.summary}
}

// runStep runs the program as GitHub's runner starts the container action:
// no arguments, every input as INPUT_<NAME> (declared defaults included),
// GITHUB_OUTPUT and GITHUB_ENV files. extra adds variables.
func (w *world) runStep(t *testing.T, inputs, extra map[string]string) result {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true",
		"GITHUB_OUTPUT": filepath.Join(dir, "set_output"), "GITHUB_ENV": filepath.Join(dir, "set_env"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "step_summary"),
		"INPUT_TIMEOUT":       "30s", "INPUT_CLIENT-AUTH": "body", "INPUT_CA-CERTIFICATES": w.ca,
	}
	for k, v := range inputs {
		env[config.GitHubEnv(k)] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return runMain(t, env, nil)
}

// runCLI runs the binary as a shell, a GitLab job or a `run:` step would.
func (w *world) runCLI(t *testing.T, args []string, env map[string]string) result {
	t.Helper()
	e := map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": w.ca}
	for k, v := range env {
		e[k] = v
	}
	return runMain(t, e, args)
}

func runMain(t *testing.T, env map[string]string, args []string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &app.Main{Stdout: &stdout, Stderr: &stderr, Args: args, Getenv: func(k string) string { return env[k] }}
	r := result{code: m.Run(context.Background()), stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	r.output, _ = os.ReadFile(env["GITHUB_OUTPUT"])
	r.env, _ = os.ReadFile(env["GITHUB_ENV"])
	r.summary, _ = os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if f := env[config.GitHubEnv("dotenv-file")] + env[config.ShellEnv("dotenv-file")]; f != "" {
		if st, err := os.Lstat(f); err == nil && st.Mode().IsRegular() { // never /dev/stdout
			r.dotenv, _ = os.ReadFile(f)
		}
	}
	r.outputs = emit.ParseOutputFile(r.output)
	return r
}

// checkLeaks runs the one leak checker over everything r produced: the
// secret outputs may be in GITHUB_OUTPUT and (the primary) on a shell's
// stdout, and nowhere else; no other secret anywhere.
func (w *world) checkLeaks(t *testing.T, r result, extra ...string) {
	t.Helper()
	secrets := append(w.l.Secrets(), extra...)
	var outSecrets []string
	for _, o := range config.Outputs {
		if v := r.outputs[o.Name]; o.Secret && v != "" {
			outSecrets = append(outSecrets, v)
		}
	}
	intended := map[string][]string{"GITHUB_OUTPUT": outSecrets, "GITHUB_ENV": outSecrets}
	if len(r.output) == 0 {
		// A shell run: its stdout is the primary value alone.
		intended = map[string][]string{"stdout": {strings.TrimSpace(string(r.stdout))}}
	}
	saptest.CheckNoLeaks(t, secrets, r.texts(), intended)
}

// TestEveryFlowAsAStep runs each flow the way GitHub's runner starts the
// action, against the fakes, and checks exit code, outputs, the requests
// each fake got, and that nothing leaked.
func TestEveryFlowAsAStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		inputs   func(w *world) map[string]string
		runner   bool // the job may mint an ID token (permissions: id-token: write)
		want     []string
		requests func(w *world) map[string]int
	}{
		{
			name: "ias-passcode",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "ias-passcode", "ias-tenant": w.l.IAS.URL, "certificate-file": w.p12, "certificate-password": w.l.ClientP12Password}
			},
			want:     []string{"passcode", "expires-in", "expires-at"},
			requests: func(w *world) map[string]int { return map[string]int{"IAS": w.l.IAS.Count(saptest.PasscodePath)} },
		},
		{
			name: "client-credentials",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey}
			},
			want:     []string{"access-token", "authorization", "token-type", "expires-in", "expires-at", "scope"},
			requests: func(w *world) map[string]int { return map[string]int{"UAA": w.l.UAA.Count("")} },
		},
		{
			name: "client-credentials with an X.509 key",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "client-credentials", "service-key": w.l.CPIX509Key}
			},
			want:     []string{"access-token", "scope"},
			requests: func(w *world) map[string]int { return map[string]int{"UAA": w.l.UAA.Count("")} },
		},
		{
			name: "password at the cockpit",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "password", "service-key": w.l.CockpitKey, "username": saptest.LandscapeCockpitUser, "password": w.l.CockpitPassword}
			},
			want:     []string{"access-token", "expires-in"},
			requests: func(w *world) map[string]int { return map[string]int{"UAA": w.l.CockpitUAA.Count("")} },
		},
		{
			name: "password of a custom identity provider (origin)",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "password", "service-key": w.l.CPIKey, "username": saptest.LandscapeOriginUser,
					"password": w.l.OriginUserPassword, "origin": saptest.LandscapeOrigin}
			},
			want:     []string{"access-token"},
			requests: func(w *world) map[string]int { return map[string]int{"UAA": w.l.UAA.Count("")} },
		},
		{
			name: "oidc from GitHub's token service",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "oidc", "audience": saptest.LandscapeJobAudience}
			},
			runner: true,
			want:   []string{"id-token", "issuer", "subject", "audience", "expires-in"},
			requests: func(w *world) map[string]int {
				return map[string]int{"token service": w.l.Issuer.Count(saptest.IssuerTokenRequestPath)}
			},
		},
		{
			name: "jwt-bearer at IAS with the job's token",
			inputs: func(w *world) map[string]string {
				return map[string]string{"flow": "jwt-bearer", "ias-tenant": w.l.IAS.URL, "client-id": saptest.LandscapeIASClientID,
					"client-secret": w.l.IASClientSecret, "audience": saptest.LandscapeJobAudience}
			},
			runner: true,
			want:   []string{"access-token", "id-token", "expires-in"},
			requests: func(w *world) map[string]int {
				return map[string]int{"token service": w.l.Issuer.Count(saptest.IssuerTokenRequestPath), "IAS": w.l.IAS.Count(saptest.IASTokenPath)}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			var extra map[string]string
			if tc.runner {
				extra = map[string]string{config.EnvIDTokenRequestURL: w.l.Issuer.RequestURL(), config.EnvIDTokenRequestToken: w.l.Issuer.RequestToken()}
			}
			r := w.runStep(t, tc.inputs(w), extra)
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, name := range tc.want {
				if r.outputs[name] == "" {
					t.Errorf("output %s is empty; outputs: %v", name, keys(r.outputs))
				}
			}
			for server, n := range tc.requests(w) {
				if n != 1 {
					t.Errorf("%s got %d requests, want exactly 1", server, n)
				}
			}
			if len(r.stderr) != 0 {
				t.Errorf("stderr = %q, want nothing in action mode", r.stderr)
			}
			if tc.runner && !bytes.Contains(r.stdout, []byte("::add-mask::"+w.l.Issuer.RequestToken()+"\n")) {
				t.Error("ACTIONS_ID_TOKEN_REQUEST_TOKEN was not masked")
			}
			w.checkLeaks(t, r)
		})
	}
}

// TestSecretlessChain exchanges the job's token at IAS, then the IAS
// id_token at XSUAA, and uses the result at the Cloud Integration fake:
// a user token without any stored user password or certificate.
func TestSecretlessChain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	runner := map[string]string{config.EnvIDTokenRequestURL: w.l.Issuer.RequestURL(), config.EnvIDTokenRequestToken: w.l.Issuer.RequestToken()}
	ias := w.runStep(t, map[string]string{"flow": "jwt-bearer", "ias-tenant": w.l.IAS.URL, "client-id": saptest.LandscapeIASClientID,
		"client-secret": w.l.IASClientSecret, "audience": saptest.LandscapeJobAudience}, runner)
	if ias.code != 0 {
		t.Fatalf("IAS step: exit %d:\n%s", ias.code, ias.stdout)
	}
	xsuaa := w.runStep(t, map[string]string{"flow": "jwt-bearer", "service-key": w.l.CPIKey, "assertion": ias.outputs["id-token"],
		"export-env": "CPI_TOKEN=access-token"}, nil)
	if xsuaa.code != 0 {
		t.Fatalf("XSUAA step: exit %d:\n%s", xsuaa.code, xsuaa.stdout)
	}
	if !w.l.UAA.Valid(xsuaa.outputs["access-token"], saptest.LandscapeCPIScope) {
		t.Error("the XSUAA token is not a valid Cloud Integration token")
	}
	if got := emit.ParseOutputFile(xsuaa.env)["CPI_TOKEN"]; got != xsuaa.outputs["access-token"] {
		t.Errorf("GITHUB_ENV CPI_TOKEN is not the access token")
	}
	w.checkLeaks(t, ias)
	w.checkLeaks(t, xsuaa)
}

// TestJobTokenProblems covers each way the job's token goes wrong, with the
// exit code and the message a user sees, and what the servers got.
func TestJobTokenProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		setup    func(w *world) (inputs, extra map[string]string)
		wantCode int
		want     string
		iasCalls int
	}{
		{
			name: "no token and no permission",
			setup: func(w *world) (map[string]string, map[string]string) {
				return map[string]string{"flow": "oidc"}, nil
			},
			wantCode: 2, want: "permissions: id-token: write",
		},
		{
			name: "a token that is not a JWT",
			setup: func(w *world) (map[string]string, map[string]string) {
				return map[string]string{"flow": "oidc", "id-token": "not-a-jwt-at-all"}, nil
			},
			wantCode: 2, want: "id-token: is not a JWT",
		},
		{
			name: "an expired token as input",
			setup: func(w *world) (map[string]string, map[string]string) {
				return map[string]string{"flow": "oidc", "id-token": w.l.Issuer.MintGitLab(saptest.LandscapeJobAudience, saptest.Expired())}, nil
			},
			wantCode: 2, want: "id-token: has expired",
		},
		{
			name: "wrong audience at IAS",
			setup: func(w *world) (map[string]string, map[string]string) {
				return w.iasInputs("someone-else"), w.runner()
			},
			wantCode: 1, want: "the assertion was not accepted", iasCalls: 1,
		},
		{
			name: "an expired token from the service",
			setup: func(w *world) (map[string]string, map[string]string) {
				w.l.Issuer.SetTokenOptions(saptest.Expired())
				return w.iasInputs(saptest.LandscapeJobAudience), w.runner()
			},
			wantCode: 1, want: "it expired at",
		},
		{
			name: "untrusted issuer",
			setup: func(w *world) (map[string]string, map[string]string) {
				w.l.Issuer.SetTokenOptions(saptest.IssuedBy("https://token.actions.evil.example"))
				return w.iasInputs(saptest.LandscapeJobAudience), w.runner()
			},
			wantCode: 1, want: "the assertion was not accepted", iasCalls: 1,
		},
		{
			name: "bad signature",
			setup: func(w *world) (map[string]string, map[string]string) {
				w.l.Issuer.SetTokenOptions(saptest.SignedByOtherKey())
				return w.iasInputs(saptest.LandscapeJobAudience), w.runner()
			},
			wantCode: 1, want: "the assertion was not accepted", iasCalls: 1,
		},
		{
			name: "the token service redirects",
			setup: func(w *world) (map[string]string, map[string]string) {
				w.l.Issuer.SetFault(saptest.Fault{Status: 302, Location: w.l.CPI.URL + "/steal"})
				return w.iasInputs(saptest.LandscapeJobAudience), w.runner()
			},
			wantCode: 1, want: "redirect",
		},
		{
			// A public client: IAS would answer 401 invalid_client, a
			// failure toward the client's lockout, so nothing is sent,
			// not even to the token service.
			name: "a client id without secret or certificate",
			setup: func(w *world) (map[string]string, map[string]string) {
				inputs := w.iasInputs(saptest.LandscapeJobAudience)
				delete(inputs, "client-secret")
				return inputs, w.runner()
			},
			wantCode: 2, want: "client-secret: missing; set `client-secret:` under the step's `with:` to give the OAuth client's secret, or its X.509 certificate",
		},
		{
			name: "the token service over http",
			setup: func(w *world) (map[string]string, map[string]string) {
				return map[string]string{"flow": "oidc"}, map[string]string{
					config.EnvIDTokenRequestURL: strings.Replace(w.l.Issuer.RequestURL(), "https:", "http:", 1), config.EnvIDTokenRequestToken: w.l.Issuer.RequestToken()}
			},
			wantCode: 2, want: "ACTIONS_ID_TOKEN_REQUEST_URL: is not an https URL",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			inputs, extra := tc.setup(w)
			r := w.runStep(t, inputs, extra)
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d:\n%s", r.code, tc.wantCode, r.stdout)
			}
			if !bytes.Contains(r.stdout, []byte("::error::")) || !bytes.Contains(r.stdout, []byte(tc.want)) {
				t.Errorf("want an ::error:: with %q:\n%s", tc.want, r.stdout)
			}
			if got := w.l.IAS.Count(saptest.IASTokenPath); got != tc.iasCalls {
				t.Errorf("IAS got %d token requests, want %d (a 4xx is never retried)", got, tc.iasCalls)
			}
			if n := len(w.l.Issuer.Requests()); tc.wantCode == 2 && n != 0 {
				t.Errorf("the token service got %d requests for a run refused as bad input", n)
			}
			if got := w.l.CPI.Count(""); got != 0 {
				t.Errorf("the redirect target got %d requests: the request token was sent on", got)
			}
			w.checkLeaks(t, r)
		})
	}
}

func (w *world) runner() map[string]string {
	return map[string]string{config.EnvIDTokenRequestURL: w.l.Issuer.RequestURL(), config.EnvIDTokenRequestToken: w.l.Issuer.RequestToken()}
}

func (w *world) iasInputs(audience string) map[string]string {
	return map[string]string{"flow": "jwt-bearer", "ias-tenant": w.l.IAS.URL, "client-id": saptest.LandscapeIASClientID,
		"client-secret": w.l.IASClientSecret, "audience": audience}
}

// TestJobTokenSources gets the job's token from each source a CI system
// offers: GitLab's id_tokens variable, a file (local runs: act has no
// OIDC), and GitHub's token service from a `run:` step.
func TestJobTokenSources(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	gitlab := w.l.Issuer.MintGitLab(saptest.LandscapeJobAudience)
	file := w.write(t, "id-token", []byte(w.l.Issuer.MintGitHub(saptest.LandscapeJobAudience)+"\n"))
	cases := []struct {
		name     string
		env      map[string]string
		wantSub  string
		notice   string
		stdoutIs string
	}{
		{name: "GitLab id_tokens", env: map[string]string{"SAP_CI_AUTH_ID_TOKEN": gitlab}, wantSub: saptest.GitLabSubject, notice: "project_id: " + saptest.GitLabProjectID, stdoutIs: gitlab},
		{name: "a file", env: map[string]string{"SAP_CI_AUTH_ID_TOKEN_FILE": file}, wantSub: saptest.GitHubSubject, notice: "repository_id: " + saptest.GitHubRepositoryID},
		{name: "GitHub's service from a run step", env: map[string]string{"GITHUB_ACTIONS": "true", config.EnvIDTokenRequestURL: w.l.Issuer.RequestURL(),
			config.EnvIDTokenRequestToken: w.l.Issuer.RequestToken(), "SAP_CI_AUTH_AUDIENCE": saptest.LandscapeJobAudience}, wantSub: saptest.GitHubSubject, notice: "repository_owner_id: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.runCLI(t, []string{"oidc", "--output", "json"}, tc.env)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var outs map[string]string
			if err := json.Unmarshal(r.stdout, &outs); err != nil {
				t.Fatalf("stdout is not one JSON object: %v", err)
			}
			if outs["subject"] != tc.wantSub || outs["id-token"] == "" {
				t.Errorf("subject %q, want %q", outs["subject"], tc.wantSub)
			}
			if tc.stdoutIs != "" && outs["id-token"] != tc.stdoutIs {
				t.Error("id-token is not the token given")
			}
			if !bytes.Contains(r.stderr, []byte(tc.notice)) || !bytes.Contains(r.stderr, []byte("OIDC trust report")) {
				t.Errorf("stderr lacks the trust report with %q:\n%s", tc.notice, r.stderr)
			}
			// The JSON on stdout holds the token by design; nothing else may.
			saptest.CheckNoLeaks(t, append(w.l.Secrets(), w.l.Issuer.RequestToken()), map[string][]byte{"stdout": r.stdout, "stderr": r.stderr},
				map[string][]string{"stdout": {outs["id-token"]}})
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestTokenChecks: required-scopes and verify-url find the misconfigured
// role in the auth step, with the fix, instead of three steps later.
func TestTokenChecks(t *testing.T) {
	t.Parallel()
	local := saptest.LandscapeCPIScope[strings.Index(saptest.LandscapeCPIScope, ".")+1:]
	cases := []struct {
		name     string
		inputs   func(w *world) map[string]string
		cpiFault *saptest.Fault
		wantCode int
		want     string
		cpiCalls int
	}{
		{name: "required scope by its local name", inputs: func(w *world) map[string]string {
			return map[string]string{"required-scopes": local}
		}, want: ""},
		{name: "required scope by its full name", inputs: func(w *world) map[string]string {
			return map[string]string{"required-scopes": saptest.LandscapeCPIScope}
		}, want: ""},
		{name: "a missing scope", inputs: func(w *world) map[string]string {
			return map[string]string{"required-scopes": local + " WorkspacePackagesEdit"}
		}, wantCode: 1, want: "required-scopes: the token lacks WorkspacePackagesEdit (it carries: " + saptest.LandscapeCPIScope + "); assign the role"},
		{name: "verify-url accepts the token", inputs: func(w *world) map[string]string {
			return map[string]string{"verify-url": w.l.CPI.URL + saptest.MessageProcessingLogsPath + "?$top=1"}
		}, want: "\nverify-url answered 200 OK: the token is accepted\n", cpiCalls: 1},
		{name: "verify-url at another API", inputs: func(w *world) map[string]string {
			return map[string]string{"verify-url": w.l.Cockpit.URL + saptest.RegisteredResourcesPath}
		}, wantCode: 1, want: "verify-url answered 401 Unauthorized"},
		{name: "verify-url says a role is missing", inputs: func(w *world) map[string]string {
			return map[string]string{"verify-url": w.l.CPI.URL + saptest.MessageProcessingLogsPath}
		}, cpiFault: &saptest.Fault{Status: 403, ContentType: "application/json", Body: `{"error":{"code":"Forbidden","message":{"lang":"en","value":"Missing role\nsecond line"}}}`},
			wantCode: 1, want: `verify-url answered 403 Forbidden ("Missing role"): the token is valid but lacks a role for this API; assign the role`, cpiCalls: 1},
		{name: "verify-url over http", inputs: func(w *world) map[string]string {
			return map[string]string{"verify-url": strings.Replace(w.l.CPI.URL, "https", "http", 1)}
		}, wantCode: 2, want: "verify-url: http:// is not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tc.cpiFault != nil {
				w.l.CPI.SetFault(*tc.cpiFault)
			}
			inputs := tc.inputs(w)
			inputs["flow"], inputs["service-key"] = "client-credentials", w.l.CPIKey
			r := w.runStep(t, inputs, nil)
			if r.code != tc.wantCode || !bytes.Contains(r.stdout, []byte(tc.want)) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.code, tc.wantCode, tc.want, r.stdout)
			}
			if got := w.l.CPI.Count(""); got != tc.cpiCalls {
				t.Errorf("the API got %d requests, want %d", got, tc.cpiCalls)
			}
			w.checkLeaks(t, r)
		})
	}
}

// TestX509Keys: a self-managed X.509 key without certurl finds its mTLS
// token endpoint in the discovery document (one extra GET); a key with a
// certificate but no private key takes the key from the certificate
// inputs, and one that does not match is refused before any request.
func TestX509Keys(t *testing.T) {
	t.Parallel()
	keyJSON := func(w *world, withKey bool) string {
		m := map[string]string{"clientid": saptest.LandscapeCPIX509ClientID, "credential-type": "x509",
			"url": w.l.UAA.URL, "certificate": string(w.l.X509Client.CertPEM())}
		if withKey {
			m["key"] = string(w.l.X509Client.KeyPEM())
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name          string
		inputs        func(w *world) map[string]string
		wantCode      int
		want          string
		discovery     int
		certTokenCall int
	}{
		{name: "no certurl: discovery", inputs: func(w *world) map[string]string {
			return map[string]string{"service-key": keyJSON(w, true)}
		}, discovery: 1, certTokenCall: 1},
		{name: "no key: the private key from the certificate input", inputs: func(w *world) map[string]string {
			return map[string]string{"service-key": keyJSON(w, false), "certificate": string(w.l.X509Client.KeyPEM())}
		}, discovery: 1, certTokenCall: 1},
		{name: "no key: a private key of another certificate", inputs: func(w *world) map[string]string {
			return map[string]string{"service-key": keyJSON(w, false), "certificate": string(w.l.Client.KeyPEM())}
		}, wantCode: 2, want: "certificate: holds no private key that belongs to the service key's certificate"},
		{name: "no key: a hostile PKCS#12 is bounded by timeout", inputs: func(w *world) map[string]string {
			// 2^62 MAC iterations (found by FuzzParse in pkg/certs).
			p12, _ := hex.DecodeString("304f020103301306092a864886f70d010701a0060404300230003035301f300706052b0e03021a041400000000000000000000000000000000000000000408000000000000000002084000000000000000")
			return map[string]string{"service-key": keyJSON(w, false), "certificate-file": w.write(t, "hostile.p12", p12), "timeout": "1s"}
		}, wantCode: 2, want: "certificate-file: could not be decoded within the timeout (1s)"},
		{name: "no key: another client's certificate", inputs: func(w *world) map[string]string {
			return map[string]string{"service-key": keyJSON(w, false), "certificate": string(w.l.Client.PEM())}
		}, wantCode: 2, want: "certificate: is not the certificate of the service key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			inputs := tc.inputs(w)
			inputs["flow"] = "client-credentials"
			r := w.runStep(t, inputs, nil)
			if r.code != tc.wantCode || !bytes.Contains(r.stdout, []byte(tc.want)) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.code, tc.wantCode, tc.want, r.stdout)
			}
			if got := w.l.UAA.Count("/.well-known/openid-configuration"); got != tc.discovery {
				t.Errorf("discovery documents read: %d, want %d", got, tc.discovery)
			}
			if got := w.l.UAA.Count("/cert/oauth/token"); got != tc.certTokenCall {
				t.Errorf("mTLS token requests: %d, want %d", got, tc.certTokenCall)
			}
			w.checkLeaks(t, r)
		})
	}
}
