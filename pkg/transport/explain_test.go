package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// closedPort returns an address on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestExplainRealFailures provokes each failure for real on 127.0.0.1 and
// checks how the client explains it, and how many connections the client
// made: one for every failure that will not pass, four (three retries) for
// those that may.
func TestExplainRealFailures(t *testing.T) {
	t.Parallel()
	p := testPKI()
	untrusted := saptest.MustClient(t, p, "untrusted-user", saptest.Untrusted(), saptest.WithECKey()).TLSCertificate()
	cases := []struct {
		name  string
		setup func(t *testing.T) (string, Options, *atomic.Int32)
		// want is in the message, which is a *retryError's when retried.
		want      string
		wantConns int32 // 0: not counted
		retried   bool
	}{
		{
			name: "unknown CA",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				cert, _ := mintServer(t, nil, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
				ts, n := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
				return ts.URL, Options{}, n
			},
			want: "the server's certificate is not signed by a trusted CA: add its CA with ca-certificates", wantConns: 1,
		},
		{
			name: "hostname mismatch",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				cert, pool := mintServer(t, []string{"other.example"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
				ts, n := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
				return ts.URL, Options{RootCAs: pool}, n
			},
			want: "the server's certificate is for another host name", wantConns: 1,
		},
		{
			name: "expired server certificate",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				cert, pool := mintServer(t, nil, time.Now().Add(-3*time.Hour), time.Now().Add(-2*time.Hour))
				ts, n := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
				return ts.URL, Options{RootCAs: pool}, n
			},
			want: "the server's certificate has expired or is not yet valid", wantConns: 1,
		},
		{
			name: "plain HTTP on a TLS port",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				var n atomic.Int32
				ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { n.Add(1) }))
				t.Cleanup(ts.Close)
				return strings.Replace(ts.URL, "http://", "https://", 1), Options{}, &n
			},
			want: "the server answered plain HTTP on a TLS port", wantConns: 0,
		},
		{
			name: "not TLS at all",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				addr, n := rawServer(t, func(c net.Conn) {
					defer c.Close()
					_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
					_ = readRecord(c)
				})
				return "https://" + addr, Options{}, n
			},
			want: "the server does not speak TLS at this address", wantConns: 1,
		},
		{
			name: "TLS 1.1-only server",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				ts, n := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{p.ServerCertificate()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
				return ts.URL, Options{}, n
			},
			want: "the server only speaks TLS older than 1.2, which is refused", wantConns: 1,
		},
		{
			name: "server selects TLS 1.1",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				addr, n := rawServer(t, selectTLS11)
				return "https://" + addr, Options{}, n
			},
			want: "the server chose TLS 1.1, which is refused (TLS 1.2 or newer is required)", wantConns: 1,
		},
		{
			name: "client certificate refused in a TLS 1.2 handshake",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				ts, n := tlsServer(t, &tls.Config{
					Certificates: []tls.Certificate{p.ServerCertificate()}, MaxVersion: tls.VersionTLS12,
					ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.ClientCAPool(),
				})
				return ts.URL, Options{ClientCertificate: &untrusted}, n
			},
			want: "the server does not trust the issuer of the client certificate", wantConns: 1,
		},
		{
			name: "client certificate refused in a TLS 1.3 handshake",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				ts, n := tlsServer(t, &tls.Config{
					Certificates: []tls.Certificate{p.ServerCertificate()}, MinVersion: tls.VersionTLS13,
					ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.ClientCAPool(),
				})
				return ts.URL, Options{ClientCertificate: &untrusted}, n
			},
			want: "the server does not trust the issuer of the client certificate", wantConns: 1,
		},
		{
			name: "no client certificate in a TLS 1.3 handshake",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				ts, n := tlsServer(t, &tls.Config{
					Certificates: []tls.Certificate{p.ServerCertificate()}, MinVersion: tls.VersionTLS13,
					ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.ClientCAPool(),
				})
				return ts.URL, Options{}, n
			},
			want: "no client certificate was sent", wantConns: 1,
		},
		{
			name: "connection refused",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				return "https://" + closedPort(t), Options{}, nil
			},
			want: "4 attempts", retried: true,
		},
		{
			name: "connection reset",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				addr, n := rawServer(t, func(c net.Conn) {
					if readRecord(c) == nil {
						resetConn(c)
					}
				})
				return "https://" + addr, Options{}, n
			},
			want: "first the connection was reset", wantConns: 4, retried: true,
		},
		{
			name: "handshake cut",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				addr, n := rawServer(t, func(c net.Conn) {
					_ = readRecord(c)
					c.Close()
				})
				return "https://" + addr, Options{}, n
			},
			want: "first the server closed the connection without an answer", wantConns: 4, retried: true,
		},
		{
			name: "no answer within the timeout",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				addr, n := rawServer(t, func(c net.Conn) {
					defer c.Close()
					_ = readRecord(c)
					_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
					_, _ = c.Read(make([]byte, 1))
				})
				return "https://" + addr, Options{Timeout: 300 * time.Millisecond}, n
			},
			want: "no answer within the timeout: check the URL, the network and any proxy (HTTPS_PROXY), or raise timeout", wantConns: 1,
		},
		{
			name: "port out of range",
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				return "https://127.0.0.1:99999/oauth/token", Options{}, nil
			},
			want: "the URL's port is out of range: use a port from 1 to 65535",
		},
	}
	alerts := []struct {
		code byte
		want string
	}{
		{116, "no client certificate was sent: the key/certificate input has no certificate, or this is not the certificate (mTLS) endpoint"},
		{42, "the server refused the client certificate: it does not trust its issuer, or the chain is incomplete"},
		{48, "the server does not trust the issuer of the client certificate"},
		{45, "the server says the client certificate has expired"},
		{44, "the server says the client certificate was revoked"},
		{70, "the server only speaks TLS older than 1.2, which is refused"},
		{40, "the server ended the TLS handshake: it found no TLS version or cipher in common"},
		{80, "the server ended the TLS handshake with an alert: Get"},
	}
	for _, a := range alerts {
		cases = append(cases, struct {
			name      string
			setup     func(t *testing.T) (string, Options, *atomic.Int32)
			want      string
			wantConns int32
			retried   bool
		}{
			name: fmt.Sprintf("alert %d", a.code),
			setup: func(t *testing.T) (string, Options, *atomic.Int32) {
				addr, n := rawServer(t, sendAlert(a.code))
				return "https://" + addr, Options{}, n
			},
			want: a.want, wantConns: 1,
		})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, o, conns := tc.setup(t)
			var sl sleeper
			o.Sleep = sl.sleep
			// A query and user info that must never show.
			uu, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			uu.User = url.UserPassword("sb-client", "pw-Secret1")
			uu.RawQuery = "client_secret=qs-Secret2"
			_, err = newClient(t, o).Get(uu.String())
			if err == nil {
				t.Fatal("no error")
			}
			got := explained(t, err)
			msg := got.Error()
			t.Log(msg)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
			if _, isRetry := got.(*retryError); isRetry != tc.retried {
				t.Errorf("the client returned a %T, want a *retryError: %v", got, tc.retried)
			}
			for _, secret := range []string{"pw-Secret1", "qs-Secret2", "sb-client", "client_secret"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q, holds %q", msg, secret)
				}
			}
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("error %q, not one line", msg)
			}
			if tc.wantConns != 0 {
				// The server counts a connection when it accepts it; allow
				// it a moment to finish counting.
				deadline := time.Now().Add(time.Second)
				for conns.Load() < tc.wantConns && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if n := conns.Load(); n != tc.wantConns {
					t.Errorf("%d connections, want %d", n, tc.wantConns)
				}
			}
		})
	}
}

// TestExplain covers what cannot be provoked on loopback (DNS), the
// errors that pass through unchanged, and how the request is named.
func TestExplain(t *testing.T) {
	t.Parallel()
	retry := &retryError{Attempts: 4, First: errors.New("HTTP 503 Service Unavailable")}
	done := &explainedError{Reason: "r", Err: errors.New("e")}
	req, err := http.NewRequest(http.MethodPost, "https://u:p-Secret@uaa.example/oauth/token?client_secret=q-Secret#f-Secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	cases := []struct {
		name string
		err  error
		want string // the message
		same error  // when set, explain returns exactly this
	}{
		{name: "retry error passes", err: retry, same: retry},
		{name: "explained error passes", err: done, same: done},
		{name: "host not found", err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "uaa.example", IsNotFound: true}},
			want: `the host name does not resolve: check the URL's host: Post "https://uaa.example/oauth/token": dial tcp: lookup uaa.example: no such host`},
		{name: "DNS timeout", err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "uaa.example", IsTemporary: true}},
			want: `the host name could not be resolved (DNS failed): check the URL's host and the runner's DNS, or retry later: Post "https://uaa.example/oauth/token": dial tcp: lookup uaa.example: server misbehaving`},
		{name: "canceled", err: canceled.Err(), want: `the request was canceled: Post "https://uaa.example/oauth/token": context canceled`},
		{name: "deadline", err: context.DeadlineExceeded, want: msgTimeout + `: Post "https://uaa.example/oauth/token": context deadline exceeded`},
		{name: "a cause that quotes the URL", err: fmt.Errorf("odd failure at %s", req.URL),
			want: `the request failed: Post "https://uaa.example/oauth/token": odd failure at https://uaa.example/oauth/token`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := explain(req, tc.err)
			if tc.same != nil {
				if got != tc.same {
					t.Errorf("explain = %#v, want %#v unchanged", got, tc.same)
				}
				return
			}
			if msg := got.Error(); msg != tc.want {
				t.Errorf("explain =\n%q\nwant\n%q", msg, tc.want)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("explain(err) does not wrap err")
			}
		})
	}
}

// TestRequestName names requests as net/http's *url.Error does, without
// what may hold a secret.
func TestRequestName(t *testing.T) {
	t.Parallel()
	cases := []struct{ method, url, want string }{
		{"", "https://uaa.example/oauth/token", `Get "https://uaa.example/oauth/token"`},
		{http.MethodDelete, "https://uaa.example/x", `Delete "https://uaa.example/x"`},
		{http.MethodGet, "https://user:pw-Secret@ias.example:8443/service/users/passcode?x=q-Secret#f-Secret", `Get "https://ias.example:8443/service/users/passcode"`},
		{http.MethodGet, "https://runner.example/token?", `Get "https://runner.example/token"`},
	}
	for _, tc := range cases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := requestName(&http.Request{Method: tc.method, URL: u}); got != tc.want {
			t.Errorf("requestName(%s %s) = %s, want %s", tc.method, tc.url, got, tc.want)
		}
	}
	if got := requestName(&http.Request{Method: http.MethodPost}); got != "Post" {
		t.Errorf("requestName without a URL = %q, want %q", got, "Post")
	}
}

// TestRetryErrorMessage checks the message's parts with fixed values.
func TestRetryErrorMessage(t *testing.T) {
	t.Parallel()
	first := errors.New("HTTP 503 Service Unavailable")
	cases := []struct {
		name string
		err  *retryError
		want string
	}{
		{
			name: "exhausted, same failure",
			err:  &retryError{Attempts: 4, Elapsed: 13*time.Second + 4*time.Millisecond, First: first, Last: errors.New("HTTP 503 Service Unavailable")},
			want: "failed to get an answer in 4 attempts over 13s: first HTTP 503 Service Unavailable; retry later",
		},
		{
			name: "same cause twice is named once",
			err: &retryError{Attempts: 4, Elapsed: time.Second, First: &explainedError{Reason: "the connection was reset", Err: errors.New("read tcp 127.0.0.1:1")},
				Last: &explainedError{Reason: "the connection was reset", Err: errors.New("read tcp 127.0.0.1:2")}},
			want: "failed to get an answer in 4 attempts over 1s: first the connection was reset: read tcp 127.0.0.1:1; retry later",
		},
		{
			name: "deadline, different failures",
			err:  &retryError{Attempts: 2, Elapsed: 1500 * time.Millisecond, First: first, Last: errors.New("HTTP 429 Too Many Requests (Retry-After 10s)"), Deadline: true},
			want: "failed to get an answer in 2 attempts over 1.5s, stopped by the timeout: first HTTP 503 Service Unavailable; last HTTP 429 Too Many Requests (Retry-After 10s); retry later, or raise timeout",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if !errors.Is(tc.err, tc.err.First) {
				t.Error("a retryError does not unwrap to its first failure")
			}
		})
	}
}
