package transport

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestLimitsFollowTimeout checks that the dial and TLS handshake limits are
// the timeout, not a fixed 10 s, so `timeout: 60s` never fails a slow
// handshake at 10 s while telling the user to raise the timeout; and that
// the request's timeout is the RoundTripper's.
func TestLimitsFollowTimeout(t *testing.T) {
	t.Parallel()
	cases := []struct {
		timeout, wantDial, wantHandshake time.Duration
	}{
		{timeout: 60 * time.Second, wantDial: 60 * time.Second, wantHandshake: 60 * time.Second},
		{timeout: 3 * time.Second, wantDial: 3 * time.Second, wantHandshake: 3 * time.Second},
		{timeout: 0, wantDial: 30 * time.Second, wantHandshake: 10 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.timeout.String(), func(t *testing.T) {
			t.Parallel()
			hc, err := New(Options{Timeout: tc.timeout, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			rt := hc.Transport.(*retrier)
			if rt.dialer.Timeout != tc.wantDial || rt.base.TLSHandshakeTimeout != tc.wantHandshake || rt.timeout != tc.timeout {
				t.Errorf("dial %v, handshake %v, request %v; want %v, %v, %v",
					rt.dialer.Timeout, rt.base.TLSHandshakeTimeout, rt.timeout, tc.wantDial, tc.wantHandshake, tc.timeout)
			}
			// The RoundTripper keeps the timeout: http.Client's own would
			// replace the explained error at the timeout with its text.
			if hc.Timeout != 0 {
				t.Errorf("http.Client.Timeout %v, want 0", hc.Timeout)
			}
			// That verification is on is proven against real servers:
			// TestExplainRealFailures' unknown CA, host and expiry cases.
			if rt.base.TLSClientConfig.MinVersion != 0x0303 {
				t.Errorf("TLS config %+v", rt.base.TLSClientConfig)
			}
		})
	}
}

// TestNoProxy checks which requests go through the proxy: NO_PROXY is
// honoured, and loopback never is proxied.
func TestNoProxy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		env    map[string]string
		target string
		want   string // the proxy, "" for direct
	}{
		{name: "proxied", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128"}, target: "https://tenant.accounts.ondemand.com/service/users/passcode", want: "http://proxy.corp:3128"},
		{name: "NO_PROXY domain", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": ".ondemand.com"}, target: "https://tenant.accounts.ondemand.com/x"},
		{name: "no_proxy wins", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128", "no_proxy": "other.example", "NO_PROXY": ".ondemand.com"}, target: "https://tenant.accounts.ondemand.com/x", want: "http://proxy.corp:3128"},
		{name: "NO_PROXY host and port", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "uaa.example:8443"}, target: "https://uaa.example:8443/oauth/token"},
		{name: "NO_PROXY star", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "*"}, target: "https://uaa.example/oauth/token"},
		{name: "loopback", env: map[string]string{"HTTPS_PROXY": "http://proxy.corp:3128"}, target: "https://127.0.0.1:8443/"},
		{name: "http target uses HTTP_PROXY", env: map[string]string{"HTTPS_PROXY": "http://a.corp:1", "HTTP_PROXY": "http://b.corp:2"}, target: "http://uaa.example/", want: "http://b.corp:2"},
		{name: "none", env: map[string]string{}, target: "https://uaa.example/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hc, err := New(Options{Getenv: func(k string) string { return tc.env[k] }})
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			got, err := hc.Transport.(*retrier).base.Proxy(&http.Request{URL: u})
			if err != nil {
				t.Fatal(err)
			}
			if s := urlString(got); s != tc.want {
				t.Errorf("proxy %q, want %q", s, tc.want)
			}
		})
	}
}

func urlString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// TestRetryAfter reads both forms of the header.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {" 120 ", 2 * time.Minute}, {"0", 0}, {"-3", 0}, {"1.5", 0}, {"soon", 0},
		{"999999999", 999999999 * time.Second}, {"999999999999", maxRetryAfter}, {"99999999999999999999999", maxRetryAfter},
		{"Fri, 01 May 2026 13:00:00 GMT", time.Hour}, {"Fri, 01 May 2226 12:00:00 GMT", maxRetryAfter},
		{"Fri, 01 May 2026 12:00:30 GMT", 30 * time.Second},
		{"Fri, 01 May 2026 11:59:00 GMT", 0},
	}
	for _, tc := range cases {
		if got := retryAfter(tc.in, now); got != tc.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestRoundWait names a server's wait in a unit that fits it.
func TestRoundWait(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   time.Duration
		want string
	}{
		{1500 * time.Millisecond, "2s"}, {90 * time.Second, "1m30s"}, {2 * time.Minute, "2 minutes"},
		{time.Hour, "60 minutes"}, {3 * time.Hour, "3 hours"}, {50 * time.Hour, "2 days"},
		{999999999 * time.Second, "32 years"}, {maxRetryAfter, "100 years"},
	}
	for _, tc := range cases {
		if got := roundWait(tc.in); got != tc.want {
			t.Errorf("roundWait(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
