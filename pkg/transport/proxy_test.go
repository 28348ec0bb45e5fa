package transport

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeProxy is a forward proxy that answers CONNECT with status (and
// reason), or, for 200, tunnels to 127.0.0.1 at the requested port, so that
// a host name nothing resolves reaches the test server.
type fakeProxy struct {
	URL      string
	connects atomic.Int32
	auth     atomic.Value // the Proxy-Authorization header last seen
}

func newFakeProxy(t *testing.T, status int, reason string) *fakeProxy {
	t.Helper()
	fp := &fakeProxy{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		fp.connects.Add(1)
		fp.auth.Store(r.Header.Get("Proxy-Authorization"))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		if status != http.StatusOK {
			fmt.Fprintf(conn, "HTTP/1.0 %d %s\r\nContent-Length: 0\r\n\r\n", status, reason)
			return
		}
		_, port, _ := net.SplitHostPort(r.Host)
		up, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			fmt.Fprint(conn, "HTTP/1.0 502 Bad Gateway\r\n\r\n")
			return
		}
		defer up.Close()
		fmt.Fprint(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		done := make(chan struct{}, 2)
		go func() { _, _ = io.Copy(up, conn); done <- struct{}{} }()
		go func() { _, _ = io.Copy(conn, up); done <- struct{}{} }()
		<-done
	}))
	t.Cleanup(ts.Close)
	fp.URL = ts.URL
	return fp
}

// proxiedURL is the test server's URL under proxiedHost, which only the
// fake proxy can reach.
func proxiedURL(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + net.JoinHostPort(proxiedHost, u.Port()) + "/oauth/token"
}

// TestProxy sends requests through a proxy read from the injected getenv.
func TestProxy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		reason   string
		env      func(proxy string) map[string]string
		wantErr  string // "" for success
		connects int32
	}{
		{name: "HTTPS_PROXY", status: 200, env: func(p string) map[string]string { return map[string]string{"HTTPS_PROXY": p} }, connects: 1},
		{name: "https_proxy wins", status: 200, env: func(p string) map[string]string {
			return map[string]string{"https_proxy": p, "HTTPS_PROXY": "http://127.0.0.1:1"}
		}, connects: 1},
		{name: "without a scheme", status: 200, env: func(p string) map[string]string {
			return map[string]string{"HTTPS_PROXY": strings.TrimPrefix(p, "http://")}
		}, connects: 1},
		{
			name: "407 names the variable", status: 407, reason: "Proxy Authentication Required",
			env: func(p string) map[string]string {
				return map[string]string{"https_proxy": strings.Replace(p, "http://", "http://proxyuser:proxy-Secret@", 1)}
			},
			wantErr:  "the proxy in https_proxy refused the login (407 Proxy Authentication Required): check the user and password in the variable, with special characters percent-encoded",
			connects: 1,
		},
		{
			name: "407 without a login", status: 407, reason: "Proxy Authentication Required",
			env:      func(p string) map[string]string { return map[string]string{"HTTPS_PROXY": p} },
			wantErr:  "the proxy in HTTPS_PROXY demands a login (407 Proxy Authentication Required): put the user and password in the variable as http://user:password@host:port",
			connects: 1,
		},
		{
			name: "refused CONNECT names the variable", status: 403, reason: "Access violation",
			env:      func(p string) map[string]string { return map[string]string{"HTTPS_PROXY": p} },
			wantErr:  "the proxy in HTTPS_PROXY refused the tunnel to the server (403 Access violation): have the proxy allow this host and port, or list the host in NO_PROXY",
			connects: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, status(200))
			fp := newFakeProxy(t, tc.status, tc.reason)
			var sl sleeper
			hc := newClient(t, Options{Getenv: env(tc.env(fp.URL)), Sleep: sl.sleep})
			resp, err := hc.Get(proxiedURL(t, srv.Server))
			if n := fp.connects.Load(); n != tc.connects {
				t.Errorf("%d CONNECTs, want %d", n, tc.connects)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if n := len(srv.requests()); n != 1 {
					t.Errorf("%d requests reached the server, want 1", n)
				}
				return
			}
			msg := explained(t, err).Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, tc.wantErr) {
				t.Errorf("error %q\nwant prefix %q", msg, tc.wantErr)
			}
			if strings.Contains(msg, "Secret") || strings.Contains(msg, "proxyuser") {
				t.Errorf("error %q shows the proxy's credentials", msg)
			}
			if len(sl.got()) != 0 {
				t.Errorf("a refused CONNECT was retried")
			}
		})
	}
}

// TestProxyUnreachable: a proxy that does not answer is retried like any
// connection failure, and the error names the variable.
func TestProxyUnreachable(t *testing.T) {
	t.Parallel()
	srv := newScript(t, status(200))
	var sl sleeper
	hc := newClient(t, Options{Getenv: env(map[string]string{"HTTPS_PROXY": "http://" + closedPort(t)}), Sleep: sl.sleep})
	_, err := hc.Get(proxiedURL(t, srv.Server))
	msg := explained(t, err).Error()
	t.Log(msg)
	want := "first cannot reach the proxy in HTTPS_PROXY: check the variable's host and port, or unset it"
	if !strings.Contains(msg, want) || !strings.Contains(msg, "4 attempts") {
		t.Errorf("error %q, want 4 attempts and %q", msg, want)
	}
}

// TestProxyMalformed: a proxy variable that is not a proxy URL fails New,
// naming the variable and never its value.
func TestProxyMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{name: "bad escape in the password", env: map[string]string{"HTTPS_PROXY": "http://user:pa%zzSecret@proxy.corp:3128"}, wantVar: "HTTPS_PROXY"},
		{name: "port out of range", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:99999Secret"}, wantVar: "HTTPS_PROXY"},
		{name: "port not a number", env: map[string]string{"https_proxy": "http://proxy.corp:portSecret"}, wantVar: "https_proxy"},
		{name: "unknown scheme", env: map[string]string{"HTTPS_PROXY": "ftp://proxy.corp:21/Secret"}, wantVar: "HTTPS_PROXY"},
		{name: "no host", env: map[string]string{"HTTPS_PROXY": "http://:3128/Secret"}, wantVar: "HTTPS_PROXY"},
		{name: "a path", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128/Secret"}, wantVar: "HTTPS_PROXY"},
		{name: "bad IPv6", env: map[string]string{"HTTPS_PROXY": "http://[::1Secret"}, wantVar: "HTTPS_PROXY"},
		{name: "lower case is read first", env: map[string]string{"https_proxy": "http://[Secret", "HTTPS_PROXY": "http://proxy.corp:3128"}, wantVar: "https_proxy"},
		{name: "HTTP_PROXY too", env: map[string]string{"HTTP_PROXY": "http://proxy.corp:0Secret"}, wantVar: "HTTP_PROXY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hc, err := New(Options{Getenv: env(tc.env)})
			pe, ok := errors.AsType[*proxyError](err)
			if !ok || hc != nil {
				t.Fatalf("New = %v, %v; want a *proxyError", hc, err)
			}
			if pe.Variable != tc.wantVar {
				t.Errorf("Variable %q, want %q", pe.Variable, tc.wantVar)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, tc.wantVar+": it is not a proxy URL; set it to http://host:port") {
				t.Errorf("message %q does not name %s and the fix", msg, tc.wantVar)
			}
			if strings.Contains(msg, "Secret") || strings.Contains(msg, "proxy.corp") {
				t.Errorf("message %q shows the value", msg)
			}
		})
	}
}

// TestProxyValid accepts the forms proxies are written in.
func TestProxyValid(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		"http://proxy.corp:3128", "proxy.corp:3128", "http://user:p%40ss@proxy.corp:3128/", "https://proxy.corp",
		"socks5://127.0.0.1:1080", "http://[::1]:3128", "10.0.0.1:8080",
	} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			if _, err := New(Options{Getenv: env(map[string]string{"HTTPS_PROXY": v, "HTTP_PROXY": v})}); err != nil {
				t.Errorf("New: %v", err)
			}
		})
	}
}
