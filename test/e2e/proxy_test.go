package e2e

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// proxyHosts are the names the proxy tests reach the peers by. Go never
// proxies loopback addresses or localhost, so the peers need names; .ci/run
// maps them to 127.0.0.1 in /etc/hosts, where tinyproxy resolves them.
var proxyHosts = []string{"ias.localtest", "uaa.localtest"}

// needProxyHosts skips loudly (fails under CI=true) unless every proxy host
// name resolves to 127.0.0.1.
func needProxyHosts(t *testing.T) {
	t.Helper()
	for _, h := range proxyHosts {
		addrs, _ := net.LookupHost(h)
		if !slices.Contains(addrs, "127.0.0.1") {
			msg := fmt.Sprintf("%s does not resolve to 127.0.0.1; add `127.0.0.1 %s` to /etc/hosts (.ci/run does)", h, strings.Join(proxyHosts, " "))
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip("SKIPPED: " + msg + "; the proxy test did not run")
		}
	}
}

// tinyproxy is a real forward proxy on 127.0.0.1 that allows CONNECT to the
// given ports and logs each one.
type tinyproxy struct {
	URL string
	log string
}

func startTinyproxy(t *testing.T, connectPorts ...int) *tinyproxy {
	t.Helper()
	bin := need(t, "tinyproxy")
	dir := t.TempDir()
	port := freePort(t)
	conf := fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nAllow 127.0.0.1\n"+
		"LogFile %q\nLogLevel Connect\nDisableViaHeader Yes\n", port, filepath.Join(dir, "tinyproxy.log"))
	for _, p := range connectPorts {
		conf += fmt.Sprintf("ConnectPort %d\n", p)
	}
	confFile := writeFile(t, filepath.Join(dir, "tinyproxy.conf"), []byte(conf))
	cmd := exec.Command(bin, "-d", "-c", confFile)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tinyproxy: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	waitPort(t, port)
	return &tinyproxy{URL: fmt.Sprintf("http://127.0.0.1:%d", port), log: filepath.Join(dir, "tinyproxy.log")}
}

// connects counts the CONNECT requests to hostPort in the proxy's log.
func (p *tinyproxy) connects(hostPort string) int {
	b, _ := os.ReadFile(p.log)
	return strings.Count(string(b), "CONNECT "+hostPort)
}

// TestThroughProxy runs both kinds of flow through a real forward proxy
// taken from HTTPS_PROXY, as on a self-hosted runner behind a corporate
// proxy, and checks that NO_PROXY bypasses it: the passcode over mutual TLS
// to nginx (the client certificate travels inside the CONNECT tunnel) and a
// client-credentials token from the fake UAA.
func TestThroughProxy(t *testing.T) {
	t.Parallel()
	needProxyHosts(t)
	w := newWorld(t, saptest.WithServerNames(proxyHosts...))
	nginx := startNginx(t, w.PKI)
	var ports []int
	for _, peer := range []string{nginx.URL, w.UAA.URL} {
		u, err := url.Parse(peer)
		if err != nil || u.Hostname() != "127.0.0.1" {
			t.Fatalf("peer %q is not on 127.0.0.1", peer)
		}
		n, err := strconv.Atoi(u.Port())
		if err != nil {
			t.Fatalf("peer %q has no port", peer)
		}
		ports = append(ports, n)
	}
	nginxPort, uaaPort := strconv.Itoa(ports[0]), strconv.Itoa(ports[1])
	proxy := startTinyproxy(t, ports...)

	dir, ca, p12, password := w.dir, w.caFile, w.p12File, w.ClientP12Password
	cpiID, cpiSecret := saptest.LandscapeCPIClientID, w.CPIClientSecret
	iasHost := "ias.localtest:" + nginxPort
	uaaHost := "uaa.localtest:" + uaaPort

	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		target  string
		proxied bool
	}{
		{
			name: "ias-passcode via HTTPS_PROXY", args: []string{"ias-passcode", "--ias-tenant", "https://" + iasHost, "--certificate-file", p12},
			env: map[string]string{"HTTPS_PROXY": proxy.URL, "SAP_CI_AUTH_CERTIFICATE_PASSWORD": password}, target: iasHost, proxied: true,
		},
		{
			name: "ias-passcode with NO_PROXY", args: []string{"ias-passcode", "--ias-tenant", "https://" + iasHost, "--certificate-file", p12},
			env:    map[string]string{"HTTPS_PROXY": proxy.URL, "NO_PROXY": ".localtest", "SAP_CI_AUTH_CERTIFICATE_PASSWORD": password},
			target: iasHost,
		},
		{
			name: "client-credentials via https_proxy", args: []string{"client-credentials", "--token-url", "https://" + uaaHost + "/oauth/token", "--client-id", cpiID},
			env: map[string]string{"https_proxy": proxy.URL, "SAP_CI_AUTH_CLIENT_SECRET": cpiSecret}, target: uaaHost, proxied: true,
		},
	}
	for _, tc := range cases {
		// Not parallel: each case counts the proxy's CONNECT lines.
		t.Run(tc.name, func(t *testing.T) {
			before := proxy.connects(tc.target)
			env := map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": ca}
			for k, v := range tc.env {
				env[k] = v
			}
			r := runBinary(t, dir, env, tc.args...)
			if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
				t.Fatalf("exit %d\n%s", r.code, r.log())
			}
			assertAbsent(t, result{stderr: r.stderr}, password, cpiSecret, strings.TrimSpace(r.stdout))
			// tinyproxy logs the CONNECT when the tunnel opens; allow it a
			// moment to reach the file.
			deadline := time.Now().Add(time.Second)
			for proxy.connects(tc.target) == before && tc.proxied && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if got := proxy.connects(tc.target) - before; got != map[bool]int{true: 1, false: 0}[tc.proxied] {
				t.Errorf("%d CONNECT %s through the proxy, want proxied=%v", got, tc.target, tc.proxied)
			}
		})
	}
}
