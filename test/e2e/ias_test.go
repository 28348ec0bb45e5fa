package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

type iasEnv struct {
	pki   *saptest.PKI
	nginx *nginxPeer
	dir   string
	ca    string
}

func newIASEnv(t *testing.T) *iasEnv {
	t.Helper()
	p, err := saptest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	e := &iasEnv{pki: p, nginx: startNginx(t, p), dir: t.TempDir()}
	e.ca = writeFile(t, filepath.Join(e.dir, "ca.pem"), p.RootPEM())
	return e
}

func (e *iasEnv) client(t *testing.T, opts ...saptest.ClientOption) *saptest.ClientCert {
	t.Helper()
	c, err := e.pki.IssueClient("technical-user", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestIASPasscodeGitHub runs the binary as GitHub's runner does against
// nginx, with P12s in each form openssl writes, issued by an intermediate
// CA so the chain must travel in the handshake.
func TestIASPasscodeGitHub(t *testing.T) {
	t.Parallel()
	e := newIASEnv(t)
	c := e.client(t, saptest.ViaIntermediate())
	const password = "Pässwörd-e2e-7"
	cases := []struct {
		name  string
		extra []string
	}{
		{"openssl default (AES-256-CBC, PBKDF2)", nil},
		{"openssl -legacy (RC2-40)", []string{"-legacy"}},
		{"openssl 3DES", []string{"-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p12 := opensslP12(t, e.dir, "cert"+string(rune('a'+i)), c, password, tc.extra...)
			ws := t.TempDir()
			outFile := filepath.Join(ws, "set_output_1")
			r := runBinary(t, ws, map[string]string{
				"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": filepath.Join(ws, "step_summary"),
				"INPUT_FLOW": "ias-passcode", "INPUT_IAS-TENANT": e.nginx.URL,
				"INPUT_CERTIFICATE-FILE": p12, "INPUT_CERTIFICATE": "", "INPUT_CERTIFICATE-PASSWORD": password,
				"INPUT_CA-CERTIFICATES": e.ca, "INPUT_TIMEOUT": "", "INPUT_DOTENV-FILE": "",
			})
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.log())
			}
			out := readOutputs(t, outFile)
			passcode := out["passcode"]
			if !hex32.MatchString(passcode) {
				t.Fatalf("passcode output %q is not nginx's request id", passcode)
			}
			if out["expires-in"] != "300" {
				t.Errorf("expires-in %q, want 300 (nginx sends no expires_in)", out["expires-in"])
			}
			if at, err := time.Parse(time.RFC3339, out["expires-at"]); err != nil || time.Until(at) > 301*time.Second || time.Until(at) < 290*time.Second {
				t.Errorf("expires-at %q", out["expires-at"])
			}
			if !strings.HasPrefix(r.stdout, "::add-mask::"+password+"\n") {
				t.Errorf("the certificate password is not masked first:\n%s", r.stdout)
			}
			assertMaskedFirst(t, r, password, passcode)
			if r.stderr != "" {
				t.Errorf("stderr in GitHub mode: %q", r.stderr)
			}
		})
	}
}

// TestIASPasscodeShell uses the binary the way seed 002's script did with
// curl and jq: inside $(…), with settings from SAP_CI_AUTH_* and flags.
func TestIASPasscodeShell(t *testing.T) {
	t.Parallel()
	e := newIASEnv(t)
	p12 := opensslP12(t, e.dir, "shell", e.client(t), "pw-shell-1")
	script := `set -eu
passcode=$("$BIN" ias-passcode --ias-tenant "$TENANT" --certificate-file cert.p12 --ca-certificates "$CA")
printf 'len=%s\n' "${#passcode}"
printf '%s' "$passcode" > passcode.txt
`
	ws := t.TempDir()
	if err := os.Rename(p12, filepath.Join(ws, "cert.p12")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = ws
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "BIN=" + binary, "TENANT=" + e.nginx.URL, "CA=" + e.ca,
		"SAP_CI_AUTH_CERTIFICATE_PASSWORD=pw-shell-1"}
	r := runCmd(t, cmd)
	if r.code != 0 || r.stdout != "len=32\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	passcode, _ := os.ReadFile(filepath.Join(ws, "passcode.txt"))
	if !hex32.MatchString(string(passcode)) {
		t.Errorf("passcode %q", passcode)
	}
	assertAbsent(t, r, string(passcode), "pw-shell-1")

	// --output json and a dotenv file.
	dotenv := filepath.Join(ws, "auth.env")
	r = runBinary(t, ws, map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_IAS_TENANT": e.nginx.URL,
		"SAP_CI_AUTH_CERTIFICATE_FILE": "cert.p12", "SAP_CI_AUTH_CERTIFICATE_PASSWORD": "pw-shell-1",
		"SAP_CI_AUTH_CA_CERTIFICATES": e.ca, "SAP_CI_AUTH_DOTENV_FILE": dotenv}, "--output", "json")
	if r.code != 0 || !strings.HasPrefix(r.stdout, `{"expires-at":"`) || !strings.Contains(r.stdout, `"passcode":"`) {
		t.Fatalf("json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	env, err := os.ReadFile(dotenv)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^PASSCODE=[0-9a-f]{32}\nEXPIRES_IN=300\nEXPIRES_AT=\S+Z\n$`).Match(env) {
		t.Errorf("dotenv %q", env)
	}
	if st, _ := os.Stat(dotenv); st.Mode().Perm() != 0o600 {
		t.Errorf("dotenv mode %v", st.Mode().Perm())
	}
}

// TestIASPasscodeErrors checks exit codes and messages against nginx, and
// that bad input sends nothing.
func TestIASPasscodeErrors(t *testing.T) {
	t.Parallel()
	e := newIASEnv(t)
	good := opensslP12(t, e.dir, "good", e.client(t), "right-pw-1")
	untrusted := opensslP12(t, e.dir, "untrusted", e.client(t, saptest.Untrusted()), "right-pw-1")
	expired := opensslP12(t, e.dir, "expired", e.client(t, saptest.ValidBetween(time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))), "right-pw-1")
	noKey := filepath.Join(e.dir, "nokey.p12")
	if b, err := exec.Command(need(t, "openssl"), "pkcs12", "-export", "-nokeys", "-in", filepath.Join(e.dir, "good.crt"),
		"-passout", "pass:right-pw-1", "-out", noKey).CombinedOutput(); err != nil {
		t.Fatalf("openssl -nokeys: %v\n%s", err, b)
	}
	cases := []struct {
		name     string
		env      map[string]string
		wantCode int
		want     string
		sent     bool
	}{
		{"wrong password", map[string]string{"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "wrong-pw-9"}, 2, "certificate-password: does not open the PKCS#12 certificate", false},
		{"expired certificate", map[string]string{"SAP_CI_AUTH_CERTIFICATE_FILE": expired}, 2, "expired at", false},
		{"P12 without a key", map[string]string{"SAP_CI_AUTH_CERTIFICATE_FILE": noKey}, 2, "holds no private key", false},
		{"http tenant", map[string]string{"SAP_CI_AUTH_IAS_TENANT": strings.Replace(e.nginx.URL, "https", "http", 1)}, 2, "http:// is not allowed", false},
		{"untrusted client certificate", map[string]string{"SAP_CI_AUTH_CERTIFICATE_FILE": untrusted}, 1, "IAS answered 400 Bad Request: the server refused the client certificate", true},
		{"server not trusted", map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": ""}, 1, "add its CA with ca-certificates", false},
		{"wrong path", map[string]string{"SAP_CI_AUTH_IAS_TENANT": e.nginx.URL + "/other"}, 1, "IAS answered 404", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SAP_CI_AUTH_IAS_TENANT": e.nginx.URL, "SAP_CI_AUTH_CERTIFICATE_FILE": good,
				"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "right-pw-1", "SAP_CI_AUTH_CA_CERTIFICATES": e.ca}
			for k, v := range tc.env {
				env[k] = v
			}
			before := e.nginx.requests()
			r := runBinary(t, e.dir, env, "ias-passcode")
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d", r.code, tc.wantCode)
			}
			if !strings.Contains(r.stderr, tc.want) || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want one stderr line with %q and empty stdout; stdout %q stderr %q", tc.want, r.stdout, r.stderr)
			}
			assertAbsent(t, r, "right-pw-1", "wrong-pw-9")
			if sent := e.nginx.sentSince(before); sent != tc.sent {
				t.Errorf("request sent: %v, want %v", sent, tc.sent)
			}
		})
	}
}
