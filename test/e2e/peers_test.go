package e2e

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// The tests below check issue 10's user-visible behaviour against real
// peers (nginx, openssl s_server, tinyproxy) and, for the retry policy and
// signals, against pkg/saptest's fakes: the exit code, one error line that
// names the cause and the fix, no secret anywhere, and the exact number of
// requests the peer logged.

var modes = []string{"github", "shell"}

// peerRun is one run of the binary with the error line it printed.
type peerRun struct {
	result
	mode    string
	msg     string // the one ::error:: or stderr line; "" on success
	outputs string // the GITHUB_OUTPUT file
	took    time.Duration
}

// peerCmd is the binary for flow in mode (github: INPUT_*, shell:
// SAP_CI_AUTH_*) in a fresh workspace, with env added (proxy variables), and
// the path of its GITHUB_OUTPUT file.
func peerCmd(t *testing.T, mode, flow string, inputs, env map[string]string) (*exec.Cmd, string) {
	t.Helper()
	ws := t.TempDir()
	e := shellEnv(flow, inputs)
	if mode == "github" {
		e = githubEnv(ws, flow, inputs)
	}
	maps.Copy(e, env)
	cmd := exec.Command(binary)
	cmd.Dir, cmd.Env = ws, []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range e {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd, filepath.Join(ws, "set_output_1")
}

// runPeer runs peerCmd and checks it with finish.
func runPeer(t *testing.T, mode, flow string, inputs, env map[string]string) peerRun {
	t.Helper()
	cmd, outFile := peerCmd(t, mode, flow, inputs, env)
	start := time.Now()
	r := runCmd(t, cmd)
	return finish(t, mode, r, outFile, time.Since(start))
}

// finish checks the shape of what a run printed: in GitHub mode nothing on
// stderr and only workflow commands on stdout; on failure one error line
// and no output.
func finish(t *testing.T, mode string, r result, outFile string, took time.Duration) peerRun {
	t.Helper()
	pr := peerRun{result: r, mode: mode, took: took}
	var errs []string
	if mode == "github" {
		b, _ := os.ReadFile(outFile)
		pr.outputs = string(b)
		if r.stderr != "" {
			t.Errorf("stderr in GitHub mode: %q", r.stderr)
		}
		for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
			if strings.HasPrefix(line, "::error::") {
				errs = append(errs, line)
			} else if line != "" && !strings.HasPrefix(line, "::add-mask::") && !strings.HasPrefix(line, "certificate: subject ") &&
				!strings.HasPrefix(line, "::notice::OIDC trust report") {
				t.Errorf("unexpected stdout line %q", line)
			}
		}
	} else if r.stderr != "" {
		// The trust report is a notice of several lines, before the error.
		report := false
		for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
			if strings.HasPrefix(line, "sap-ci-auth: ") {
				report = strings.HasPrefix(line, "sap-ci-auth: notice: OIDC trust report")
			}
			if !report {
				errs = append(errs, line)
			}
		}
	}
	if r.code != 0 {
		if len(errs) != 1 || mode == "shell" && r.stdout != "" || pr.outputs != "" {
			t.Errorf("exit %d: want one error line, no output; stdout %q stderr %q GITHUB_OUTPUT %q", r.code, r.stdout, r.stderr, pr.outputs)
		}
		pr.msg = strings.Join(errs, "\n")
		t.Logf("%s: exit %d after %v: %s", mode, r.code, pr.took.Round(time.Millisecond), pr.msg)
	}
	return pr
}

// token is the access token the run handed out ("" if none).
func (pr peerRun) token() string {
	if pr.mode == "github" {
		return emit.ParseOutputFile([]byte(pr.outputs))["access-token"]
	}
	return strings.TrimSpace(pr.stdout)
}

// noLeaks checks stdout, stderr and GITHUB_OUTPUT for secrets; intended are
// the secrets the run hands out (in GITHUB_OUTPUT or on a shell's stdout),
// which must show nowhere else.
func (pr peerRun) noLeaks(t *testing.T, secrets []string, intended ...string) {
	t.Helper()
	texts := map[string][]byte{"stdout": []byte(pr.stdout), "stderr": []byte(pr.stderr)}
	into := map[string][]string{}
	if pr.mode == "github" {
		texts["GITHUB_OUTPUT"] = []byte(pr.outputs)
		if len(intended) > 0 {
			into["GITHUB_OUTPUT"] = intended
		}
	} else if len(intended) > 0 {
		into["stdout"] = intended
	}
	saptest.CheckNoLeaks(t, append(slices.Clone(secrets), intended...), texts, into)
}

// serverFiles writes the PKI's server certificate with its chain, its key
// and the root CA (to verify clients) into dir.
func serverFiles(t *testing.T, p *saptest.PKI, dir string) (cert, key string) {
	t.Helper()
	server := p.ServerCertificate()
	var chain []byte
	for _, der := range server.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	writeFile(t, filepath.Join(dir, "client-ca.pem"), p.RootPEM())
	return writeFile(t, filepath.Join(dir, "server.pem"), chain), writeFile(t, filepath.Join(dir, "server.key"), keyPEM(t, server.PrivateKey))
}

// startTinyproxyConf starts tinyproxy as startTinyproxy does, with extra
// configuration lines (BasicAuth, ConnectPort).
func startTinyproxyConf(t *testing.T, extra string) *tinyproxy {
	t.Helper()
	bin := need(t, "tinyproxy")
	dir, port := t.TempDir(), freePort(t)
	logFile := filepath.Join(dir, "tinyproxy.log")
	conf := fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n"+
		"LogFile %q\nLogLevel Connect\nDisableViaHeader Yes\n%s", port, logFile, extra)
	cmd := exec.Command(bin, "-d", "-c", writeFile(t, filepath.Join(dir, "tinyproxy.conf"), []byte(conf)))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tinyproxy: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	waitPort(t, port)
	return &tinyproxy{URL: fmt.Sprintf("http://127.0.0.1:%d", port), log: logFile}
}

// wantFailure checks the exit code and that msg holds every want.
func (pr peerRun) wantFailure(t *testing.T, code int, want ...string) {
	t.Helper()
	if pr.code != code {
		t.Errorf("exit %d, want %d\n%s", pr.code, code, pr.log())
	}
	for _, w := range want {
		if !strings.Contains(pr.msg, w) {
			t.Errorf("error %q does not contain %q", pr.msg, w)
		}
	}
}

// settle waits until count() reaches want (peers log after answering), then
// a moment more so that an extra request would show, and returns it.
func settle(count func() int, want int) int {
	for deadline := time.Now().Add(2 * time.Second); count() < want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	return count()
}

// strictNginxConf is nginx with `ssl_verify_client on`: a client without a
// certificate gets nginx's own "400 No required SSL certificate was sent"
// page; one with a trusted certificate gets a token.
const strictNginxConf = `
worker_processes 1;
daemon on;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log warn;
events { worker_connections 64; }
http {
  access_log {{dir}}/access.log;
  client_body_temp_path {{dir}}/body; proxy_temp_path {{dir}}/proxy; fastcgi_temp_path {{dir}}/fastcgi;
  uwsgi_temp_path {{dir}}/uwsgi; scgi_temp_path {{dir}}/scgi;
  server {
    listen 127.0.0.1:{{port}} ssl;
    ssl_certificate {{dir}}/server.pem;
    ssl_certificate_key {{dir}}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_client_certificate {{dir}}/client-ca.pem;
    ssl_verify_client on;
    default_type application/json;
    location = /oauth/token {
      return 200 '{"access_token":"$request_id","token_type":"bearer","expires_in":3599,"scope":"it!b1.read"}';
    }
  }
}
`

// startStrictNginx starts nginx as startNginx does, with strictNginxConf.
func startStrictNginx(t *testing.T, p *saptest.PKI) *nginxPeer {
	t.Helper()
	return startNginxConf(t, p, strictNginxConf)
}

// TestPeerNoClientCertificate: a client-secret key whose token URL is an
// mTLS-only endpoint. nginx answers 400 "No required SSL certificate was
// sent"; the error must say that no certificate was sent (not that it was
// refused), after exactly one request. An X.509 key gets a token from the
// same nginx, which proves the endpoint.
func TestPeerNoClientCertificate(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	ngx := startStrictNginx(t, p)
	ca := string(p.RootPEM())
	c := saptest.MustClient(t, p, "sb-x509-client!b77")
	secrets := []string{cpiSecret, string(c.KeyPEM())}
	for _, mode := range modes {
		t.Run(mode+"/secret key, no certificate", func(t *testing.T) {
			before := ngx.requests()
			r := runPeer(t, mode, "client-credentials", map[string]string{"token-url": ngx.URL + "/oauth/token",
				"client-id": cpiID, "client-secret": cpiSecret, "ca-certificates": ca}, nil)
			r.noLeaks(t, secrets)
			r.wantFailure(t, 1, "HTTP 400", "no client certificate was sent")
			if strings.Contains(r.msg, "does not trust") || strings.Contains(r.msg, "refused the client certificate") {
				t.Errorf("error blames a refused certificate: %q", r.msg)
			}
			if got := settle(ngx.requests, before+1) - before; got != 1 {
				t.Errorf("nginx logged %d requests, want exactly 1", got)
			}
		})
		t.Run(mode+"/X.509 key", func(t *testing.T) {
			before := ngx.requests()
			r := runPeer(t, mode, "client-credentials", map[string]string{"ca-certificates": ca,
				"service-key": x509Key(t, "xsuaa", "sb-x509-client!b77", ngx.URL, c, true)}, nil)
			if r.code != 0 || !hex32.MatchString(r.token()) {
				t.Fatalf("exit %d, token %q\n%s", r.code, r.token(), r.log())
			}
			r.noLeaks(t, secrets, r.token())
			if got := settle(ngx.requests, before+1) - before; got != 1 {
				t.Errorf("nginx logged %d requests, want exactly 1", got)
			}
		})
	}
}

// TestPeerTLS11Server: openssl s_server speaking only TLS 1.1. The error
// names the TLS version, and the handshake is tried once (a TLS version
// mismatch does not pass, so it is never retried).
func TestPeerTLS11Server(t *testing.T) {
	t.Parallel()
	bin := need(t, "openssl")
	p := saptest.MustPKI(t)
	dir, port := t.TempDir(), freePort(t)
	certFile, keyFile := serverFiles(t, p, dir)
	log, err := os.Create(filepath.Join(dir, "s_server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(bin, "s_server", "-accept", fmt.Sprintf("127.0.0.1:%d", port), "-cert", certFile, "-key", keyFile,
		"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-www")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl s_server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitPort(t, port)
	c := saptest.MustClient(t, p, "technical-user")
	logText := func() string { b, _ := os.ReadFile(log.Name()); return string(b) }
	handshakes := func() int { return strings.Count(logText(), "unsupported protocol") }
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			before := handshakes()
			r := runPeer(t, mode, "ias-passcode", map[string]string{"ias-tenant": fmt.Sprintf("https://127.0.0.1:%d", port),
				"certificate": string(c.PEM()), "ca-certificates": string(p.RootPEM())}, nil)
			r.noLeaks(t, []string{string(c.KeyPEM())})
			r.wantFailure(t, 1, "TLS older than 1.2", "TLS 1.2 or 1.3")
			if got := settle(handshakes, before+1) - before; got != 1 {
				t.Errorf("s_server refused %d handshakes, want exactly 1; its log:\n%s", got, logText())
			}
			if r.took > 5*time.Second {
				t.Errorf("took %v: retried a TLS version mismatch?", r.took)
			}
		})
	}
}

// TestPeerProxyFailures: proxy failures through a real tinyproxy name the
// proxy variable (never its password); each is one CONNECT and nothing
// reaches the server; a malformed proxy variable is bad input, exit 2, and
// never a silent direct connection.
func TestPeerProxyFailures(t *testing.T) {
	t.Parallel()
	needProxyHosts(t)
	w := newWorld(t, saptest.WithServerNames(proxyHosts...))
	u, err := url.Parse(w.UAA.URL)
	if err != nil {
		t.Fatal(err)
	}
	uaaPort := u.Port()
	target := "uaa.localtest:" + uaaPort
	const proxyPass = "Pr0xy-Passw0rd-e2e"
	authProxy := startTinyproxyConf(t, "BasicAuth sap-ci "+proxyPass+"\nConnectPort "+uaaPort+"\n")
	strictProxy := startTinyproxyConf(t, "ConnectPort 443\n")
	withLogin := func(u, pass string) string { return strings.Replace(u, "http://", "http://sap-ci:"+pass+"@", 1) }
	inputs := map[string]string{"token-url": "https://" + target + "/oauth/token", "client-id": saptest.LandscapeCPIClientID,
		"client-secret": w.CPIClientSecret, "ca-certificates": w.caFile}
	cases := []struct {
		name     string
		proxy    *tinyproxy // nil: no CONNECT may happen anywhere
		env      map[string]string
		code     int
		want     []string
		requests int // at the UAA
	}{
		{"login accepted", authProxy, map[string]string{"HTTPS_PROXY": withLogin(authProxy.URL, proxyPass)}, 0, nil, 1},
		{"407 without a login", authProxy, map[string]string{"HTTPS_PROXY": authProxy.URL}, 1,
			[]string{"HTTPS_PROXY", "407 Proxy Authentication Required", "http://user:password@host:port"}, 0},
		{"407 with a wrong password", authProxy, map[string]string{"https_proxy": withLogin(authProxy.URL, "Wr0ng-Proxy-Pw")}, 1,
			[]string{"https_proxy", "refused the login"}, 0},
		{"CONNECT refused", strictProxy, map[string]string{"HTTPS_PROXY": strictProxy.URL}, 1,
			[]string{"HTTPS_PROXY", "refused the tunnel", "403", "NO_PROXY"}, 0},
		{"malformed: unclosed IPv6 bracket", nil, map[string]string{"HTTPS_PROXY": "http://sap-ci:" + proxyPass + "@[::1"}, 2,
			[]string{"HTTPS_PROXY", "not a proxy URL"}, 0},
		{"malformed: no scheme name", nil, map[string]string{"HTTPS_PROXY": "://nope"}, 2, []string{"HTTPS_PROXY", "not a proxy URL"}, 0},
		{"malformed: port out of range", nil, map[string]string{"https_proxy": withLogin(authProxy.URL, proxyPass) + "0"}, 2,
			[]string{"https_proxy", "not a proxy URL"}, 0},
	}
	secrets := append(w.Secrets(), proxyPass, "Wr0ng-Proxy-Pw", withLogin(authProxy.URL, proxyPass))
	for _, tc := range cases {
		for _, mode := range modes {
			// Not parallel: each case counts the proxies' CONNECT lines.
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				connects := func() int { return authProxy.connects(target) + strictProxy.connects(target) }
				before, uaaBefore := connects(), w.UAA.Count("")
				r := runPeer(t, mode, "client-credentials", inputs, tc.env)
				tokens := w.UAA.Tokens()
				r.noLeaks(t, append(slices.Clone(secrets), tokens...), tokens[len(tokens)-tc.requests:]...)
				wantConnects := map[bool]int{true: 1, false: 0}[tc.proxy != nil]
				if got := settle(connects, before+wantConnects) - before; got != wantConnects {
					t.Errorf("%d CONNECT %s logged, want %d", got, target, wantConnects)
				}
				if got := w.UAA.Count("") - uaaBefore; got != tc.requests {
					t.Errorf("the UAA got %d requests, want %d (a bypassed proxy is a silent direct connection)", got, tc.requests)
				}
				r.wantFailure(t, tc.code, tc.want...)
			})
		}
	}
}

// TestPeerRetries runs SAP's retry policy through the binary against the
// fakes' fault sequences: exact request counts, the waits the policy asks
// for, no retry of a 401 or after a passcode's 2xx, and a deadline that
// stops the run at once rather than wait past it.
func TestPeerRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		ias      bool // the passcode flow against the IAS, else client-credentials against the UAA
		faults   []saptest.Fault
		timeout  string
		code     int
		want     []string
		requests int
		min      time.Duration // the least the run takes (the waits); with a timeout, it ends within a second
		// notWant must not be in the message.
		notWant []string
	}{
		{"UAA 503 then 200", false, saptest.UnavailableThenOK(), "", 0, nil, 2, 800 * time.Millisecond, nil},
		{"UAA 429 Retry-After 1 then 200", false, saptest.RateLimitedThenOK(1), "", 0, nil, 2, time.Second, nil},
		{"UAA reset then 200", false, saptest.ResetThenOK(), "", 0, nil, 2, 200 * time.Millisecond, nil},
		{"UAA 401 forever", false, saptest.UnauthorizedForever(), "", 1, []string{"HTTP 401", "60 minutes"}, 1, 0, nil},
		{"UAA 503 Retry-After 10 past a 2s timeout", false, []saptest.Fault{{Status: 503, RetryAfter: "10", Body: "busy"}}, "2s", 1,
			[]string{"1 attempt", "HTTP 503", "asked to wait 10s", "past timeout", "or raise timeout above it"}, 1, 0,
			[]string{"stopped by the timeout"}},
		{"UAA 429 Retry-After 999999999: one request, the wait named", false, saptest.RateLimitedThenOK(999999999), "2s", 1,
			[]string{"1 attempt", "HTTP 429", "asked to wait 32 years", "past timeout", "run the step again after that wait"}, 1, 0,
			[]string{"stopped by the timeout", "raise timeout"}},
		{"IAS 503 then 200", true, saptest.UnavailableThenOK(), "", 0, nil, 2, 800 * time.Millisecond, nil},
		{"IAS 401 forever", true, saptest.UnauthorizedForever(), "", 1, []string{"401", "60 minutes"}, 1, 0, nil},
		{"UAA reset, then 502 forever: 3 retries, first cause kept", false, []saptest.Fault{{Reset: true, Times: 1}, {Status: 502, Body: "bad gateway"}}, "", 1,
			[]string{"4 attempts", "first the connection was reset", "last HTTP 502"}, 4, 1700 * time.Millisecond, nil},
		{"IAS passcode 200 cut mid-way", true, []saptest.Fault{{Truncate: true}}, "", 1, []string{"single use"}, 1, 0,
			[]string{"without an answer", "refused the client certificate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			flow, inputs := "client-credentials", map[string]string{"token-url": w.UAA.TokenURL(),
				"client-id": saptest.LandscapeCPIClientID, "client-secret": w.CPIClientSecret}
			count, issued, setFaults := func() int { return w.UAA.Count(saptest.DefaultTokenPath) }, w.UAA.Tokens, w.UAA.SetFaults
			if tc.ias {
				flow, inputs = "ias-passcode", map[string]string{"ias-tenant": w.IAS.URL, "certificate-file": w.p12File,
					"certificate-password": w.ClientP12Password}
				count, issued, setFaults = func() int { return w.IAS.Count(saptest.PasscodePath) }, w.IAS.Passcodes, w.IAS.SetFaults
			}
			inputs["ca-certificates"], inputs["timeout"] = w.caFile, tc.timeout
			for _, mode := range modes {
				t.Run(mode, func(t *testing.T) {
					setFaults(tc.faults...)
					before, issuedBefore := count(), len(issued())
					r := runPeer(t, mode, flow, inputs, nil)
					var intended []string
					if tc.code == 0 {
						intended = issued()[issuedBefore:]
					}
					r.noLeaks(t, w.Secrets(), intended...)
					r.wantFailure(t, tc.code, tc.want...)
					got := count() - before
					t.Logf("%s: exit %d, %d requests in %v", mode, r.code, got, r.took.Round(time.Millisecond))
					if got != tc.requests {
						t.Errorf("%d requests, want exactly %d", got, tc.requests)
					}
					if r.took < tc.min || tc.timeout != "" && r.took > time.Second {
						t.Errorf("the run took %v, want at least %v (and within a second with a timeout)", r.took, tc.min)
					}
					for _, nw := range tc.notWant {
						if strings.Contains(r.msg, nw) {
							t.Errorf("error %q contains %q", r.msg, nw)
						}
					}
				})
			}
		})
	}
}

// TestPeerSignals stops a run that waits on a hanging IAS: SIGTERM exits
// 143 and SIGINT 130, at once, with no output and no dotenv file written.
func TestPeerSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(sig.sig.String(), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			for _, mode := range modes {
				t.Run(mode, func(t *testing.T) {
					w.IAS.SetFaults(saptest.Fault{Delay: time.Hour})
					before := w.IAS.Count(saptest.PasscodePath)
					cmd, outFile := peerCmd(t, mode, "ias-passcode", map[string]string{"ias-tenant": w.IAS.URL, "certificate-file": w.p12File,
						"certificate-password": w.ClientP12Password, "ca-certificates": w.caFile, "dotenv-file": "auth.env", "timeout": "60s"}, nil)
					var stdout, stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					// Signal once the request is on the wire, not after a guess.
					for deadline := time.Now().Add(10 * time.Second); w.IAS.Count(saptest.PasscodePath) == before; time.Sleep(10 * time.Millisecond) {
						if time.Now().After(deadline) {
							_ = cmd.Process.Kill()
							_ = cmd.Wait()
							t.Fatalf("the binary never asked the IAS; stderr %q", stderr.String())
						}
					}
					sent := time.Now()
					if err := cmd.Process.Signal(sig.sig); err != nil {
						t.Fatal(err)
					}
					_ = cmd.Wait()
					took := time.Since(sent)
					pr := finish(t, mode, result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}, outFile, took)
					pr.wantFailure(t, sig.code, "canceled by a signal")
					if took > time.Second {
						t.Errorf("exit after %v, want within a second of the signal", took)
					}
					if _, err := os.Stat(filepath.Join(cmd.Dir, "auth.env")); !os.IsNotExist(err) {
						t.Errorf("dotenv file exists after the signal (stat: %v)", err)
					}
					pr.noLeaks(t, w.Secrets())
				})
			}
		})
	}
}

// TestPeerPortOutOfRange: a port above 65535 is bad input (exit 2) that
// names the input, and nothing is sent.
func TestPeerPortOutOfRange(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		name, flow string
		inputs     map[string]string
		want       []string
	}{
		{"token-url", "client-credentials", map[string]string{"token-url": "https://127.0.0.1:99999/oauth/token",
			"client-id": saptest.LandscapeCPIClientID, "client-secret": w.CPIClientSecret}, []string{"token-url:", "65535"}},
		{"service key url", "client-credentials", map[string]string{"service-key": fmt.Sprintf(`{"clientid":%q,"clientsecret":%q,"url":"https://127.0.0.1:99999"}`,
			saptest.LandscapeCPIClientID, w.CPIClientSecret)}, []string{"service-key", "65535"}},
		{"ias-tenant", "ias-passcode", map[string]string{"ias-tenant": "https://127.0.0.1:70000", "certificate-file": w.p12File,
			"certificate-password": w.ClientP12Password}, []string{"ias-tenant:", "65535"}},
	}
	for _, tc := range cases {
		for _, mode := range modes {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				inputs := maps.Clone(tc.inputs)
				inputs["ca-certificates"] = w.caFile
				r := runPeer(t, mode, tc.flow, inputs, nil)
				r.noLeaks(t, w.Secrets())
				r.wantFailure(t, 2, tc.want...)
			})
		}
	}
}
