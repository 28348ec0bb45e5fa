package app_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"software.sslmate.com/src/go-pkcs12"
)

// run is one process run with the given environment and arguments.
type run struct {
	code           int
	stdout, stderr string
}

func execute(t *testing.T, env map[string]string, args ...string) run {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &app.Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Args: args}
	code := m.Run(context.Background())
	return run{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// assertMasked checks that every secret is announced with ::add-mask::
// and, with the one leak checker, that no secret (or form or fragment of
// one) appears outside ::add-mask:: lines.
func assertMasked(t *testing.T, r run, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && !strings.Contains(r.stdout, "::add-mask::"+s+"\n") {
			t.Errorf("secret %.4s… was never masked", s)
		}
	}
	assertNotLeaked(t, r, secrets...)
}

// assertNotLeaked runs saptest.CheckNoLeaks over stdout and stderr.
func assertNotLeaked(t *testing.T, r run, secrets ...string) {
	t.Helper()
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	saptest.CheckNoLeaks(t, nonEmpty, map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}, nil)
}

type iasFixture struct {
	pki      *saptest.PKI
	ias      *saptest.IAS
	dir      string
	p12File  string
	p12B64   string
	password string
}

func newIASFixture(t *testing.T, opts ...saptest.ClientOption) *iasFixture {
	t.Helper()
	w := newWorld(t, saptest.WithClientOptions(opts...))
	return &iasFixture{pki: w.l.PKI, ias: w.l.IAS, dir: w.dir, p12File: w.p12,
		p12B64: base64.StdEncoding.EncodeToString(w.l.ClientP12), password: w.l.ClientP12Password}
}

func (f *iasFixture) githubEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		"GITHUB_ACTIONS":             "true",
		"GITHUB_OUTPUT":              filepath.Join(f.dir, "set_output"),
		"INPUT_FLOW":                 "ias-passcode",
		"INPUT_IAS-TENANT":           f.ias.URL,
		"INPUT_CERTIFICATE":          f.p12B64,
		"INPUT_CERTIFICATE-FILE":     "",
		"INPUT_CERTIFICATE-PASSWORD": f.password,
		"INPUT_CA-CERTIFICATES":      string(f.pki.RootPEM()),
		"INPUT_TIMEOUT":              "30s", // the runner exports every declared default
		"INPUT_DOTENV-FILE":          "",
		"INPUT_SERVICE-KEY":          "",
		"INPUT_CLIENT-AUTH":          "body",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func (f *iasFixture) shellEnv(extra map[string]string) map[string]string {
	caFile := filepath.Join(f.dir, "ca.pem")
	if err := os.WriteFile(caFile, f.pki.RootPEM(), 0o600); err != nil {
		panic(err)
	}
	env := map[string]string{
		"SAP_CI_AUTH_IAS_TENANT":           f.ias.URL,
		"SAP_CI_AUTH_CERTIFICATE_FILE":     f.p12File,
		"SAP_CI_AUTH_CERTIFICATE_PASSWORD": f.password,
		"SAP_CI_AUTH_CA_CERTIFICATES":      caFile,
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func TestIASGitHub(t *testing.T) {
	t.Parallel()
	f := newIASFixture(t)
	dotenv := filepath.Join(f.dir, "auth.env")
	start := time.Now()
	r := execute(t, f.githubEnv(map[string]string{"INPUT_DOTENV-FILE": dotenv}))
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	issued := f.ias.Passcodes()
	if len(issued) != 1 {
		t.Fatalf("%d passcodes issued", len(issued))
	}
	passcode := issued[0]
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	// The input secrets are masked first, then the passcode, before
	// anything else.
	if !strings.HasPrefix(lines[0], "::add-mask::") || !strings.HasPrefix(lines[1], "::add-mask::") {
		t.Errorf("stdout does not start with masks: %q", lines)
	}
	assertMasked(t, r, passcode, f.password, f.p12B64)
	out, err := os.ReadFile(filepath.Join(f.dir, "set_output"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"passcode<<", "\n" + passcode + "\n", "expires-in<<", "\n300\n", "expires-at<<"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, out)
		}
	}
	env, err := os.ReadFile(dotenv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(env), "PASSCODE="+passcode+"\nEXPIRES_IN=300\nEXPIRES_AT=") {
		t.Errorf("dotenv %q", env)
	}
	at := strings.TrimSpace(strings.SplitN(string(env), "EXPIRES_AT=", 2)[1])
	exp, err := time.Parse(time.RFC3339, at)
	if err != nil || exp.Before(start.Add(299*time.Second)) || exp.After(time.Now().Add(301*time.Second)) || !strings.HasSuffix(at, "Z") {
		t.Errorf("expires-at %q (%v)", at, err)
	}
}

func TestIASShell(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, stdout, passcode string)
	}{
		{
			name: "passcode alone on stdout",
			args: []string{"ias-passcode"},
			check: func(t *testing.T, stdout, passcode string) {
				if stdout != passcode+"\n" {
					t.Errorf("stdout %q, want the passcode and a newline", stdout)
				}
			},
		},
		{
			name: "flow from env and tenant flag",
			args: []string{"--ias-tenant", "PLACEHOLDER"},
			env:  map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_IAS_TENANT": "nonsense tenant"},
			check: func(t *testing.T, stdout, passcode string) {
				if stdout != passcode+"\n" {
					t.Errorf("stdout %q", stdout)
				}
			},
		},
		{
			name: "json",
			args: []string{"ias-passcode", "--output", "json"},
			check: func(t *testing.T, stdout, passcode string) {
				var m map[string]string
				if err := json.Unmarshal([]byte(stdout), &m); err != nil {
					t.Fatal(err)
				}
				if m["passcode"] != passcode || m["expires-in"] != "300" || m["expires-at"] == "" {
					t.Errorf("json %v", m)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newIASFixture(t)
			for i, a := range tc.args {
				if a == "PLACEHOLDER" {
					tc.args[i] = f.ias.URL
				}
			}
			r := execute(t, f.shellEnv(tc.env), tc.args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
			}
			passcode := f.ias.Passcodes()[0]
			tc.check(t, r.stdout, passcode)
			if strings.Contains(r.stderr, passcode) || strings.Contains(r.stdout, "::") {
				t.Errorf("stderr %q", r.stderr)
			}
		})
	}
}

func TestIASCertificateFormats(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	s := saptest.MustIAS(t, p)
	c := saptest.MustClient(t, p, "u", saptest.ViaIntermediate(), saptest.WithECKey())
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(pemFile, c.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []saptest.P12Format{saptest.P12Modern, saptest.P12LegacyRC2, saptest.P12LegacyDES} {
		der, err := c.PKCS12(format, "pw")
		if err != nil {
			t.Fatal(err)
		}
		r := execute(t, map[string]string{"SAP_CI_AUTH_IAS_TENANT": s.URL, "SAP_CI_AUTH_CERTIFICATE": base64.StdEncoding.EncodeToString(der),
			"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "pw", "SAP_CI_AUTH_CA_CERTIFICATES": string(p.RootPEM())}, "ias-passcode")
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s", format, r.code, r.stderr)
		}
	}
	r := execute(t, map[string]string{"SAP_CI_AUTH_IAS_TENANT": s.URL, "SAP_CI_AUTH_CERTIFICATE": string(c.PEM()), "SAP_CI_AUTH_CA_CERTIFICATES": string(p.RootPEM())}, "ias-passcode")
	if r.code != 0 {
		t.Errorf("PEM text: exit %d: %s", r.code, r.stderr)
	}
	r = execute(t, map[string]string{"SAP_CI_AUTH_IAS_TENANT": s.URL, "SAP_CI_AUTH_CERTIFICATE_FILE": pemFile, "SAP_CI_AUTH_CA_CERTIFICATES": string(p.RootPEM())}, "ias-passcode")
	if r.code != 0 {
		t.Errorf("PEM file: exit %d: %s", r.code, r.stderr)
	}
}

func TestIASErrors(t *testing.T) {
	t.Parallel()
	f := newIASFixture(t)
	keyless, err := pkcs12.Modern2023.EncodeTrustStore([]*x509.Certificate{f.pki.ServerCertificate().Leaf}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	keylessFile := filepath.Join(f.dir, "keyless.p12")
	if err := os.WriteFile(keylessFile, keyless, 0o600); err != nil {
		t.Fatal(err)
	}
	expired := newIASFixture(t, saptest.ValidBetween(time.Now().Add(-72*time.Hour), time.Now().Add(-time.Hour)))
	garbage := filepath.Join(f.dir, "garbage.p12")
	if err := os.WriteFile(garbage, []byte("GARBAGE-SECRET-CONTENT"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		fixture  *iasFixture
		github   map[string]string // GitHub inputs to set on top of the fixture's
		args     []string          // shell arguments (shell mode when set)
		shellEnv map[string]string
		wantCode int
		want     string
	}{
		{name: "missing flow", github: map[string]string{"INPUT_FLOW": ""}, wantCode: 2, want: "flow: missing"},
		{name: "unknown flow", github: map[string]string{"INPUT_FLOW": "passcode"}, wantCode: 2, want: "ias-passcode, client-credentials, password"},
		{name: "missing tenant", github: map[string]string{"INPUT_IAS-TENANT": ""}, wantCode: 2, want: "ias-tenant: missing; set `ias-tenant:` under the step's `with:`"},
		{name: "missing tenant in a shell", args: []string{"ias-passcode"}, shellEnv: map[string]string{"SAP_CI_AUTH_IAS_TENANT": ""}, wantCode: 2, want: "ias-tenant: missing; pass --ias-tenant or set SAP_CI_AUTH_IAS_TENANT"},
		{name: "bad tenant", github: map[string]string{"INPUT_IAS-TENANT": "my tenant!"}, wantCode: 2, want: "ias-tenant: not an IAS tenant"},
		{name: "http tenant", github: map[string]string{"INPUT_IAS-TENANT": "http://t.accounts.ondemand.com"}, wantCode: 2, want: "http:// is not allowed"},
		{name: "both certificate inputs", github: map[string]string{"INPUT_CERTIFICATE-FILE": "x.p12"}, wantCode: 2, want: "certificate: given together with certificate-file"},
		{name: "no certificate", github: map[string]string{"INPUT_CERTIFICATE": ""}, wantCode: 2, want: "certificate: missing"},
		{name: "unreadable file", github: map[string]string{"INPUT_CERTIFICATE": "", "INPUT_CERTIFICATE-FILE": "/nonexistent/cert.p12"}, wantCode: 2, want: "certificate-file: no such file"},
		{name: "neither p12 nor pem", github: map[string]string{"INPUT_CERTIFICATE": "", "INPUT_CERTIFICATE-FILE": garbage}, wantCode: 2, want: "certificate-file: the data is neither a PKCS#12 file"},
		{name: "p12 without key", github: map[string]string{"INPUT_CERTIFICATE": "", "INPUT_CERTIFICATE-FILE": keylessFile, "INPUT_CERTIFICATE-PASSWORD": "pw"}, wantCode: 2, want: "holds no private key"},
		{name: "wrong password", github: map[string]string{"INPUT_CERTIFICATE-PASSWORD": "Wq9zX3vK7r8Tz"}, wantCode: 2, want: "certificate-password: does not open the PKCS#12 certificate"},
		{name: "expired certificate", fixture: expired, wantCode: 2, want: "expired at"},
		{name: "bad ca-certificates", github: map[string]string{"INPUT_CA-CERTIFICATES": "/nonexistent/ca.pem"}, wantCode: 2, want: "ca-certificates: is neither PEM text nor a readable file; PEM text starts with"},
		{name: "bad timeout", github: map[string]string{"INPUT_TIMEOUT": "soon"}, wantCode: 2, want: "timeout: not a positive Go duration"},
		{name: "dotenv dir missing", github: map[string]string{"INPUT_DOTENV-FILE": "/nonexistent/dir/x.env"}, wantCode: 2, want: "the directory of dotenv-file"},
		{name: "server untrusted", github: map[string]string{"INPUT_CA-CERTIFICATES": ""}, wantCode: 1, want: "add its CA with ca-certificates"},
		{name: "secret flag", args: []string{"ias-passcode", "--certificate-password", "p12-pässword-XYZ"}, wantCode: 2, want: "set SAP_CI_AUTH_CERTIFICATE_PASSWORD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := tc.fixture
			if fx == nil {
				fx = f
			}
			var r run
			if tc.args != nil {
				r = execute(t, fx.shellEnv(tc.shellEnv), tc.args...)
			} else {
				r = execute(t, fx.githubEnv(tc.github))
			}
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d", r.code, tc.wantCode)
			}
			log := r.stdout + r.stderr
			if !strings.Contains(log, tc.want) {
				t.Errorf("log lacks %q:\n%s", tc.want, log)
			}
			if tc.args == nil && !strings.Contains(r.stdout, "::error::") {
				t.Errorf("no ::error:: annotation:\n%s", r.stdout)
			}
			if tc.args != nil && (r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0) {
				t.Errorf("want one line on stderr and nothing on stdout:\nstdout %q\nstderr %q", r.stdout, r.stderr)
			}
			assertNotLeaked(t, r, "GARBAGE-SECRET")
			password := fx.password
			if pw, ok := tc.github["INPUT_CERTIFICATE-PASSWORD"]; ok {
				password = pw
			}
			if tc.args == nil {
				assertMasked(t, r, password)
			} else {
				assertNotLeaked(t, r, password)
			}
			if tc.wantCode == 2 && len(fx.ias.Requests()) != 0 && tc.name != "server untrusted" {
				t.Errorf("a request was sent on bad input")
			}
		})
	}
}

func TestIASRemoteFailure(t *testing.T) {
	t.Parallel()
	f := newIASFixture(t)
	f.ias.SetFault(saptest.Fault{Status: 403, Body: `{"error":"access_denied","leak":"BODY-SECRET"}`, ContentType: "application/json"})
	r := execute(t, f.githubEnv(nil))
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stdout, "::error::IAS answered 403 Forbidden: certificate login is not allowed") {
		t.Errorf("stdout %q", r.stdout)
	}
	assertNotLeaked(t, r, "BODY-SECRET")
	if _, err := os.Stat(filepath.Join(f.dir, "set_output")); err == nil {
		t.Error("outputs written after a failure")
	}
}

func TestIASExpiryWarning(t *testing.T) {
	t.Parallel()
	f := newIASFixture(t, saptest.ValidBetween(time.Now().Add(-time.Hour), time.Now().Add(3*24*time.Hour)))
	r := execute(t, f.githubEnv(nil))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "::warning::the certificate") || !strings.Contains(r.stdout, "expires at") {
		t.Errorf("no expiry warning: %q", r.stdout)
	}
	// The warning comes after the masks.
	if strings.Index(r.stdout, "::warning::") < strings.LastIndex(r.stdout, "::add-mask::"+f.password) {
		t.Errorf("warning before masks: %q", r.stdout)
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	r := execute(t, nil, "--help")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{"ias-passcode", "client-credentials", "password", "--ias-tenant", "SAP_CI_AUTH_IAS_TENANT",
		"certificate-password", "(env only)", "passcode", "EXPIRES_IN", "Exit codes", "2    bad configuration", "143 by SIGTERM"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if r := execute(t, nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "sap-ci-auth ") {
		t.Errorf("--version: %d %q", r.code, r.stdout)
	}
}
