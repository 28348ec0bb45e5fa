package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestCLIOnAGitHubRunner: every `run:` step has GITHUB_ACTIONS=true, so
// that alone must not switch to action mode. A CLI call there prints the
// value alone on stdout (for $(…)) and its masks on stderr, which the
// runner reads too; started as the action it speaks the runner protocol.
func TestCLIOnAGitHubRunner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cli := w.runCLI(t, []string{"client-credentials"}, map[string]string{"GITHUB_ACTIONS": "true", "SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey})
	if cli.code != 0 {
		t.Fatalf("exit %d: %s", cli.code, cli.stderr)
	}
	token := strings.TrimSuffix(string(cli.stdout), "\n")
	if strings.Contains(token, "\n") || strings.Contains(token, "::") || !w.l.UAA.Valid(token, saptest.LandscapeCPIScope) {
		t.Errorf("stdout = %q, want the access token alone", cli.stdout)
	}
	for _, want := range []string{"::add-mask::" + token, "::add-mask::" + w.l.CPIClientSecret} {
		if !bytes.Contains(cli.stderr, []byte(want+"\n")) {
			t.Errorf("stderr lacks %.20s…: the runner would not mask it", want)
		}
	}
	w.checkLeaks(t, cli)

	json := w.runCLI(t, []string{"client-credentials", "--output", "json"}, map[string]string{"GITHUB_ACTIONS": "true", "SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey})
	if json.code != 0 || !bytes.HasPrefix(json.stdout, []byte(`{"access-token":`)) {
		t.Errorf("--output json on a runner: exit %d, stdout %.40q", json.code, json.stdout)
	}

	step := w.runStep(t, map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey}, nil)
	if step.code != 0 || step.outputs["access-token"] == "" || len(step.stderr) != 0 {
		t.Errorf("action mode: exit %d, outputs %v, stderr %q", step.code, keys(step.outputs), step.stderr)
	}
	if !bytes.HasPrefix(step.stdout, []byte("::add-mask::")) {
		t.Errorf("action mode stdout = %.40q, want workflow commands", step.stdout)
	}
}

// TestDestinationsCheckedBeforeTheRequest: a passcode is single use, so an
// output that cannot be written is found before it is fetched: exit 2 and
// the tenant never asked.
func TestDestinationsCheckedBeforeTheRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	link := filepath.Join(dir, "link.env")
	if err := os.Symlink(filepath.Join(dir, "target.env"), link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		extra map[string]string
		want  string
	}{
		{name: "GITHUB_OUTPUT unset", extra: map[string]string{"GITHUB_OUTPUT": ""}, want: "GITHUB_OUTPUT"},
		{name: "GITHUB_OUTPUT a directory", extra: map[string]string{"GITHUB_OUTPUT": dir}, want: "GITHUB_OUTPUT"},
		{name: "GITHUB_OUTPUT in a missing directory", extra: map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "no", "out")}, want: "GITHUB_OUTPUT"},
		{name: "dotenv-file a symlink", extra: map[string]string{"INPUT_DOTENV-FILE": link}, want: "dotenv-file"},
		{name: "dotenv-file /dev/stdout", extra: map[string]string{"INPUT_DOTENV-FILE": "/dev/stdout"}, want: "dotenv-file"},
		{name: "dotenv-file in a missing directory", extra: map[string]string{"INPUT_DOTENV-FILE": filepath.Join(dir, "no", "x.env")}, want: "dotenv-file"},
		{name: "export-env into PATH", extra: map[string]string{"INPUT_EXPORT-ENV": "PATH=passcode"}, want: "export-env: PATH changes how later steps run"},
		{name: "export-env of an output the flow lacks", extra: map[string]string{"INPUT_EXPORT-ENV": "TOKEN=access-token"}, want: "export-env: TOKEN names access-token, which the ias-passcode flow does not set"},
		{name: "export-env without GITHUB_ENV", extra: map[string]string{"INPUT_EXPORT-ENV": "CF_PASSWORD=passcode", "GITHUB_ENV": ""}, want: "GITHUB_ENV"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			r := w.runStep(t, map[string]string{"flow": "ias-passcode", "ias-tenant": w.l.IAS.URL, "certificate-file": w.p12,
				"certificate-password": w.l.ClientP12Password}, tc.extra)
			if r.code != 2 {
				t.Errorf("exit %d, want 2:\n%s", r.code, r.stdout)
			}
			if !bytes.Contains(r.stdout, []byte("::error::")) || !bytes.Contains(r.stdout, []byte(tc.want)) {
				t.Errorf("want an ::error:: naming %q:\n%s", tc.want, r.stdout)
			}
			if n := w.l.IAS.Count(""); n != 0 {
				t.Errorf("IAS got %d requests, want none: the passcode would be lost", n)
			}
			if _, err := os.Lstat(filepath.Join(dir, "target.env")); err == nil {
				t.Error("the symlink's target was written")
			}
			w.checkLeaks(t, r)
		})
	}
}

// TestExportEnvOutsideGitHub: export-env needs GITHUB_ENV; elsewhere the
// error points at dotenv-file, before anything is sent.
func TestExportEnvOutsideGitHub(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.runCLI(t, []string{"client-credentials"}, map[string]string{"SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey, "SAP_CI_AUTH_EXPORT_ENV": "TOKEN=access-token"})
	if r.code != 2 || !bytes.Contains(r.stderr, []byte("export-env: works only in a GitHub Actions job")) || !bytes.Contains(r.stderr, []byte("dotenv-file")) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := w.l.UAA.Count(""); n != 0 {
		t.Errorf("UAA got %d requests, want none", n)
	}
}

// TestDotenvIsSafeToSource: a dotenv file from a token flow holds only
// values sh and GitLab read alike; the two-word scope is left out with a
// warning instead of running a command when sourced.
func TestDotenvIsSafeToSource(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.l.UAA.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"access_token":"tok-0123456789abcdef","token_type":"bearer","expires_in":600,"scope":"openid $(touch pwned)"}`})
	dotenv := filepath.Join(w.dir, "auth.env")
	r := w.runStep(t, map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey, "dotenv-file": dotenv}, nil)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stdout)
	}
	if !bytes.Contains(r.stdout, []byte("::warning::dotenv-file: SCOPE (output scope) is left out")) {
		t.Errorf("no warning about SCOPE:\n%s", r.stdout)
	}
	got := string(r.dotenv)
	if !strings.Contains(got, "ACCESS_TOKEN=tok-0123456789abcdef\n") || strings.Contains(got, "SCOPE") || strings.Contains(got, "AUTHORIZATION") {
		t.Errorf("dotenv = %q", got)
	}
	st, err := os.Stat(dotenv)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("dotenv mode: %v, %v; want 0600", st.Mode(), err)
	}
}

// TestHostileAnswers: odd or hostile token answers never make the tool
// print a secret, discard a good token, or accept a useless one.
func TestHostileAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		body     string
		status   int
		wantCode int
		want     string // in the log
		check    func(t *testing.T, w *world, r result)
	}{
		{name: "a blank token", body: `{"access_token":"   ","token_type":"bearer"}`, wantCode: 1, want: "blank"},
		{name: "a mac token", body: `{"access_token":"tok-0123456789abcdef","token_type":"mac"}`, wantCode: 1, want: "only Bearer tokens"},
		{name: "a fractional expires_in", body: `{"access_token":"tok-0123456789abcdef","expires_in":3599.5}`, wantCode: 0,
			check: func(t *testing.T, w *world, r result) {
				if r.outputs["expires-in"] != "3600" {
					t.Errorf("expires-in %q, want 3600", r.outputs["expires-in"])
				}
			}},
		{name: "a secret echoed %-encoded in the description", status: 401,
			body: `{"error":"invalid_client","error_description":"client_secret=SECRET-ENC is wrong"}`, wantCode: 1, want: "client_secret=*** is wrong"},
		{name: "a secret echoed truncated", status: 401,
			body: `{"error":"invalid_client","error_description":"got SECRET-HALF…"}`, wantCode: 1, want: "(HTTP 401, invalid_client, server text that held a secret was left out)"},
		{name: "a token URL with the secret in its query", wantCode: 2, want: "token-url: the URL's query carries credentials (client_secret)"},
		{name: "the Basic header echoed", status: 401,
			body: `{"error":"invalid_client","error_description":"Basic BASIC-FORM rejected"}`, wantCode: 1, want: `"Basic *** rejected"`},
		{name: "a scope with a line separator", body: `{"access_token":"tok-0123456789abcdef","scope":"a\u2028b"}`, wantCode: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			body := strings.ReplaceAll(tc.body, "SECRET-ENC", strings.ReplaceAll(w.l.CPIClientSecret, "-", "%2D"))
			body = strings.ReplaceAll(body, "SECRET-HALF", w.l.CPIClientSecret[:len(w.l.CPIClientSecret)*2/3])
			body = strings.ReplaceAll(body, "BASIC-FORM", base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(saptest.LandscapeCPIClientID)+":"+url.QueryEscape(w.l.CPIClientSecret))))
			status := tc.status
			if status == 0 {
				status = 200
			}
			w.l.UAA.SetFault(saptest.Fault{Status: status, ContentType: "application/json", Body: body})
			inputs := map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey}
			if tc.body == "" {
				inputs["token-url"] = w.l.UAA.TokenURL() + "?client_secret=" + w.l.CPIClientSecret
			}
			r := w.runStep(t, inputs, nil)
			if r.code != tc.wantCode || !bytes.Contains(r.stdout, []byte(tc.want)) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.code, tc.wantCode, tc.want, r.stdout)
			}
			if tc.check != nil {
				tc.check(t, w, r)
			}
			w.checkLeaks(t, r)
			// The same answer in a shell with --output json: valid JSON.
			if tc.wantCode == 0 {
				s := w.runCLI(t, []string{"client-credentials", "--output", "json"}, map[string]string{"SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey})
				var v map[string]string
				if err := json.Unmarshal(s.stdout, &v); err != nil || v["access-token"] == "" {
					t.Errorf("--output json = %q: %v", s.stdout, err)
				}
			}
		})
	}
}

// TestRegistry proves that a flow is one registry entry: a throw-away flow
// shows in --help, runs by name, and its outputs are written; an unknown
// flow is an error, and an output the entry does not list is refused.
func TestRegistry(t *testing.T) {
	t.Parallel()
	echo := flow.Flow{
		Name:    "echo-user",
		Summary: "a throw-away flow that returns its username input as the passcode",
		Inputs:  config.Names(&config.In.Username),
		Primary: config.OutPasscode,
		Outputs: []string{config.OutPasscode, config.OutExpiresIn, config.OutExpiresAt},
		Prepare: func(s *config.Settings, env *flow.Env) (flow.Run, error) {
			if s.Username == "" {
				return nil, s.Missing(&s.Username, "name someone")
			}
			return func(context.Context) (*flow.Result, error) {
				return &flow.Result{Values: map[string]string{config.OutPasscode: s.Username}, Lifetime: 60e9, Issued: env.Now()}, nil
			}, nil
		},
	}
	sloppy := echo
	sloppy.Name, sloppy.Outputs = "sloppy", []string{config.OutPasscode}
	registry := []flow.Flow{echo, sloppy}
	runWith := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		m := &app.Main{Stdout: &stdout, Stderr: &stderr, Args: args, Getenv: func(string) string { return "" }, Flows: registry}
		return m.Run(context.Background()), stdout.String(), stderr.String()
	}
	if code, out, _ := runWith("--help"); code != 0 || !strings.Contains(out, "echo-user           a throw-away flow") || strings.Contains(out, "ias-passcode  ") {
		t.Errorf("--help (exit %d) does not list exactly the registry:\n%s", code, out)
	}
	if code, out, errOut := runWith("echo-user", "--username", "alice"); code != 0 || out != "alice\n" {
		t.Errorf("echo-user: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runWith("echo-user"); code != 2 || !strings.Contains(errOut, "username: missing") {
		t.Errorf("echo-user without input: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runWith("ias-passcode"); code != 2 || !strings.Contains(errOut, "flow: unknown flow; use one of: echo-user, sloppy") {
		t.Errorf("a flow outside the registry: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runWith("sloppy", "--username", "bob"); code != 1 || !strings.Contains(errOut, "expires-in, which its registry entry does not list") {
		t.Errorf("an undeclared output: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runWith("echo-user", "--username", "x", "--ias-tenant", "t"); code != 0 || !strings.Contains(errOut, "ias-tenant is not used by the echo-user flow") {
		t.Errorf("an input the flow does not read: exit %d, %q", code, errOut)
	}
}

// TestActionYAMLNamesEveryFlow: the flow input's description in action.yml
// lists each registered flow.
func TestActionYAMLNamesEveryFlow(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var m app.Main
	help := m.Usage()
	_, after, _ := strings.Cut(string(b), "\n  flow:\n")
	desc, _, _ := strings.Cut(after, "default:")
	for _, line := range strings.Split(help[strings.Index(help, "Flows:"):strings.Index(help, "Inputs (")], "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name == "" || name == "Flows:" {
			continue
		}
		if !strings.Contains(desc, name) {
			t.Errorf("action.yml's flow description does not name %s", name)
		}
	}
}

// TestInspect: `sap-ci-auth inspect` prints what a run would use and the
// problem it sees, and sends nothing.
func TestInspect(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		want     []string // on stdout (exit 0) or stderr (exit 2)
	}{
		{name: "client credentials", args: []string{"inspect", "client-credentials"}, env: map[string]string{"SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey},
			want: []string{"token URL:             " + w.l.UAA.TokenURL() + " (from service-key)", "client id:             " + saptest.LandscapeCPIClientID,
				"client authentication: client_secret_post (body)", "no problem found; nothing was sent"}},
		{name: "an X.509 key", args: []string{"inspect", "--flow", "client-credentials"}, env: map[string]string{"SAP_CI_AUTH_SERVICE_KEY": w.l.CPIX509Key},
			want: []string{"client authentication: client certificate (mutual TLS)", "certificate: subject \"CN=" + saptest.LandscapeCPIX509ClientID}},
		{name: "the flow from the variable", args: []string{"inspect"}, env: map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode",
			"SAP_CI_AUTH_IAS_TENANT": w.l.IAS.URL, "SAP_CI_AUTH_CERTIFICATE_FILE": w.p12, "SAP_CI_AUTH_CERTIFICATE_PASSWORD": w.l.ClientP12Password},
			want: []string{"passcode URL:          " + w.l.IAS.URL + "/service/users/passcode", "certificate: subject", "days left"}},
		{name: "a wrong P12 password", args: []string{"inspect", "ias-passcode"}, env: map[string]string{"SAP_CI_AUTH_IAS_TENANT": w.l.IAS.URL,
			"SAP_CI_AUTH_CERTIFICATE_FILE": w.p12, "SAP_CI_AUTH_CERTIFICATE_PASSWORD": "Wr0ng-7f3a9cQz"},
			wantCode: 2, want: []string{"certificate-password: does not open the PKCS#12 certificate"}},
		{name: "the job token is missing", args: []string{"inspect", "oidc"}, wantCode: 2, want: []string{"permissions: id-token: write"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.runCLI(t, tc.args, tc.env)
			out := r.stdout
			if tc.wantCode != 0 {
				out = r.stderr
			}
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d:\n%s%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for _, want := range tc.want {
				if !bytes.Contains(out, []byte(want)) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			saptest.CheckNoLeaks(t, append(w.l.Secrets(), "Wr0ng-7f3a9cQz"), r.texts(), nil)
		})
	}
	if n := w.l.UAA.Count("") + w.l.IAS.Count("") + w.l.Issuer.Count(""); n != 0 {
		t.Errorf("inspect sent %d requests, want none", n)
	}
}

// TestExportEnvInARunStep: a CLI call in a `run:` step has GITHUB_ENV too;
// export-env writes there, and the value is masked on stderr first.
func TestExportEnvInARunStep(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	envFile := filepath.Join(t.TempDir(), "set_env")
	r := w.runCLI(t, []string{"client-credentials", "--export-env", "CPI_TOKEN=access-token"},
		map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_ENV": envFile, "SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey})
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(r.stdout))
	if got := emit.ParseOutputFile(b)["CPI_TOKEN"]; got != token || !bytes.Contains(r.stderr, []byte("::add-mask::"+token)) {
		t.Errorf("GITHUB_ENV CPI_TOKEN is not the masked access token")
	}
	saptest.CheckNoLeaks(t, w.l.Secrets(), map[string][]byte{"stdout": r.stdout, "stderr": r.stderr, "GITHUB_ENV": b},
		map[string][]string{"stdout": {token}, "GITHUB_ENV": {token}})
}

// TestOutputByName: --output <name> prints that output alone, so a shell
// or GitLab job can pass the IAS id_token on as the next assertion; a
// name the flow does not set is refused before any request.
func TestOutputByName(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	env := map[string]string{"SAP_CI_AUTH_ID_TOKEN": w.l.Issuer.MintGitLab(saptest.LandscapeJobAudience),
		"SAP_CI_AUTH_IAS_TENANT": w.l.IAS.URL, "SAP_CI_AUTH_CLIENT_ID": saptest.LandscapeIASClientID, "SAP_CI_AUTH_CLIENT_SECRET": w.l.IASClientSecret}
	r := w.runCLI(t, []string{"jwt-bearer", "--output", "id-token"}, env)
	idToken := strings.TrimSpace(string(r.stdout))
	if r.code != 0 || strings.Count(idToken, ".") != 2 || !slices.Contains(w.l.IAS.Tokens(), idToken) {
		t.Fatalf("exit %d, stdout %.30q: want the IAS id_token alone", r.code, r.stdout)
	}
	bad := w.runCLI(t, []string{"jwt-bearer", "--output", "passcode"}, env)
	if bad.code != 2 || !bytes.Contains(bad.stderr, []byte("output: names passcode, which the jwt-bearer flow does not set")) {
		t.Errorf("exit %d, stderr %q", bad.code, bad.stderr)
	}
	if n := w.l.IAS.Count(saptest.IASTokenPath); n != 1 {
		t.Errorf("IAS got %d token requests, want 1 (none for the refused run)", n)
	}
}

// TestNothingHalfWritten: when one value cannot be written safely, no
// destination gets anything: not the dotenv file, not GITHUB_OUTPUT.
func TestNothingHalfWritten(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{name: "a scope with a line break", body: `{"access_token":"tok-0123456789abcdef","scope":"a\nb"}`, want: "output scope contains a line break"},
		{name: "a token the dotenv file cannot hold", body: `{"access_token":"tok-$(id)-0123456789"}`, want: "dotenv-file: the access-token cannot be written"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.l.UAA.SetFault(saptest.Fault{Status: 200, ContentType: "application/json", Body: tc.body})
			dotenv := filepath.Join(w.dir, "auth.env")
			r := w.runStep(t, map[string]string{"flow": "client-credentials", "service-key": w.l.CPIKey, "dotenv-file": dotenv}, nil)
			if r.code != 1 || !bytes.Contains(r.stdout, []byte(tc.want)) {
				t.Errorf("exit %d, want 1 with %q:\n%s", r.code, tc.want, r.stdout)
			}
			if _, err := os.Stat(dotenv); err == nil || len(r.output) != 0 {
				t.Errorf("something was written: dotenv exists %v, GITHUB_OUTPUT %d bytes", err == nil, len(r.output))
			}
		})
	}
	// --output <name> for an output the answer did not hold: XSUAA's
	// jwt-bearer answer has no id_token.
	w := newWorld(t)
	ias := w.runCLI(t, []string{"jwt-bearer", "--output", "id-token"}, map[string]string{
		"SAP_CI_AUTH_ID_TOKEN": w.l.Issuer.MintGitLab(saptest.LandscapeJobAudience), "SAP_CI_AUTH_IAS_TENANT": w.l.IAS.URL,
		"SAP_CI_AUTH_CLIENT_ID": saptest.LandscapeIASClientID, "SAP_CI_AUTH_CLIENT_SECRET": w.l.IASClientSecret})
	if ias.code != 0 {
		t.Fatalf("IAS step: exit %d: %s", ias.code, ias.stderr)
	}
	r := w.runCLI(t, []string{"jwt-bearer", "--output", "id-token"}, map[string]string{"SAP_CI_AUTH_SERVICE_KEY": w.l.CPIKey,
		"SAP_CI_AUTH_ASSERTION": strings.TrimSpace(string(ias.stdout))})
	if r.code != 1 || len(r.stdout) != 0 || !bytes.Contains(r.stderr, []byte("output: the server's answer gave no id-token")) {
		t.Errorf("--output id-token without an id_token: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := w.l.UAA.Count(""); n != 1 {
		t.Errorf("XSUAA got %d requests, want 1", n)
	}
}

// TestInspectReportsEveryProblem: the independent checks (dotenv-file,
// export-env, ca-certificates) and the flow's own first problem are all
// reported, not only the first.
func TestInspectReportsEveryProblem(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.runCLI(t, []string{"inspect", "client-credentials"}, map[string]string{
		"SAP_CI_AUTH_DOTENV_FILE": filepath.Join(w.dir, "missing", "x.env"), "SAP_CI_AUTH_EXPORT_ENV": "TOKEN=access-token",
		"SAP_CI_AUTH_TOKEN_URL": "http://uaa.example.com/oauth/token", "SAP_CI_AUTH_CLIENT_ID": "c", "SAP_CI_AUTH_CLIENT_SECRET": "Cs9Lq2Wx7Zr4"})
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	for _, want := range []string{"dotenv-file", "export-env: works only", "token-url: http:// is not allowed"} {
		if !bytes.Contains(r.stderr, []byte(want)) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !bytes.Contains(r.stdout, []byte("3 problem(s) found; nothing was sent")) {
		t.Errorf("stdout = %q", r.stdout)
	}
}
