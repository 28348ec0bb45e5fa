package e2e

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// nginxPeer is a real nginx on 127.0.0.1 with ssl_verify_client, serving the
// IAS passcode endpoint (and, for X.509 service keys, a token endpoint) the
// way testing-recipes.md describes: the passcode or token is $request_id, a
// fresh 32-hex value per request.
type nginxPeer struct {
	URL string
	dir string
}

// nginxConf answers like SAP: the passcode JSON over verified mutual TLS, a
// 401 without a certificate, and nginx's own 400 page for an untrusted one.
const nginxConf = `
worker_processes 1;
daemon on;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log warn;
events { worker_connections 64; }
http {
  access_log {{dir}}/access.log;
  client_body_temp_path {{dir}}/body;
  proxy_temp_path {{dir}}/proxy;
  fastcgi_temp_path {{dir}}/fastcgi;
  uwsgi_temp_path {{dir}}/uwsgi;
  scgi_temp_path {{dir}}/scgi;
  server {
    listen 127.0.0.1:{{port}} ssl;
    server_name localhost;
    ssl_certificate {{dir}}/server.pem;
    ssl_certificate_key {{dir}}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_client_certificate {{dir}}/client-ca.pem;
    ssl_verify_client optional;
    ssl_verify_depth 3;
    default_type application/json;
    location = /service/users/passcode {
      if ($ssl_client_verify != SUCCESS) { return 401 '{"error":"unauthorized"}'; }
      return 200 '{"passcode":"$request_id"}';
    }
    location = /oauth/token {
      if ($ssl_client_verify != SUCCESS) { return 401 '{"error":"unauthorized","error_description":"client certificate required"}'; }
      if ($request_method != POST) { return 405; }
      return 200 '{"access_token":"$request_id","token_type":"bearer","expires_in":3599,"scope":"it!b1.MonitorDataRead","jti":"$connection"}';
    }
    location / { return 404 '{"error":"not_found"}'; }
  }
}
`

// startNginx starts nginx with the PKI's server certificate, trusting the
// PKI's root CA for client certificates.
func startNginx(t *testing.T, p *saptest.PKI) *nginxPeer {
	t.Helper()
	return startNginxConf(t, p, nginxConf)
}

// startNginxConf starts nginx from a configuration template ({{dir}},
// {{port}}) with the PKI's server certificate and, as client-ca.pem, only
// its root: a certificate issued by the intermediate CA verifies only when
// the client sends the intermediate in the handshake.
func startNginxConf(t *testing.T, p *saptest.PKI, template string) *nginxPeer {
	t.Helper()
	bin := need(t, "nginx")
	dir, port := t.TempDir(), freePort(t)
	serverFiles(t, p, dir)
	conf := strings.NewReplacer("{{dir}}", dir, "{{port}}", fmt.Sprint(port)).Replace(template)
	confFile := writeFile(t, filepath.Join(dir, "nginx.conf"), []byte(conf))
	if out, err := exec.Command(bin, "-c", confFile, "-p", dir, "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("start nginx: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(dir, "nginx.pid")); err == nil {
			var pid int
			fmt.Sscan(string(b), &pid)
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Signal(syscall.SIGQUIT)
			}
		}
	})
	waitPort(t, port)
	return &nginxPeer{URL: fmt.Sprintf("https://127.0.0.1:%d", port), dir: dir}
}

// requests counts the lines of nginx's access log.
func (n *nginxPeer) requests() int {
	b, _ := os.ReadFile(filepath.Join(n.dir, "access.log"))
	return strings.Count(string(b), "\n")
}

// sentSince reports whether nginx logged a request after it had logged
// before. nginx writes the log line after the client has its answer, so a
// new line is waited for briefly, and its absence for a short while.
func (n *nginxPeer) sentSince(before int) bool {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if n.requests() > before {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func keyPEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// opensslP12 writes c as a PKCS#12 file with the real openssl CLI; extra
// selects the form (nil: OpenSSL 3's default; -legacy; 3DES).
func opensslP12(t *testing.T, dir, name string, c *saptest.ClientCert, password string, extra ...string) string {
	t.Helper()
	bin := need(t, "openssl")
	certFile := writeFile(t, filepath.Join(dir, name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate.Raw}))
	keyFile := writeFile(t, filepath.Join(dir, name+".key"), c.KeyPEM())
	out := filepath.Join(dir, name+".p12")
	args := []string{"pkcs12", "-export", "-inkey", keyFile, "-in", certFile, "-passout", "pass:" + password, "-out", out}
	if len(c.Chain) > 0 {
		var chain []byte
		for _, ca := range c.Chain {
			chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
		}
		args = append(args, "-certfile", writeFile(t, filepath.Join(dir, name+"-chain.pem"), chain))
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl pkcs12: %v\n%s", err, b)
	}
	os.Remove(keyFile)
	return out
}
