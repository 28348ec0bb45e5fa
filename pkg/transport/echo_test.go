package transport

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// reasonServer is a TLS server whose every answer is status with the
// reason phrase reason, as a hostile server or proxy writes it.
func reasonServer(t *testing.T, status int, reason string) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status, reason)
		_ = buf.Flush()
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{testPKI().ServerCertificate()}}
	ts.Config.ErrorLog = discardLog()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// TestReasonPhraseEchoes: a server that echoes a secret of the request
// (the Basic header's password, a form value) in its reason phrase, in
// any encoding, has it replaced by *** in the message of the retries, or
// the phrase left out when it holds only a piece of one.
func TestReasonPhraseEchoes(t *testing.T) {
	t.Parallel()
	const (
		clientSecret = "cl1ent-S3cret!x"
		password     = "Us3r pass&word"
	)
	cases := []struct {
		name, reason string
		want         string // in the message
	}{
		{"client secret verbatim", "Bad " + clientSecret, "HTTP 503 Bad ***"},
		{"client secret as HTML references", "Bad " + strings.ReplaceAll(html.EscapeString(clientSecret), "!", "&#33;"), "HTTP 503 Bad ***"},
		{"password percent-encoded", "No " + strings.ReplaceAll(url.PathEscape(password), "&", "%26"), "HTTP 503 No ***"},
		{"password HTML-escaped, then percent-encoded", "No " + url.QueryEscape(html.EscapeString(password)), "HTTP 503 No ***"},
		{"password as JSON escapes", `No Us3r\u0020pass\u0026word`, "HTTP 503 No ***"},
		{"Basic credentials in base64", "Got " + base64.StdEncoding.EncodeToString([]byte("client:"+clientSecret)), "HTTP 503 Got ***"},
		{"a fragment of the password", "No " + url.PathEscape(password[:11]), "HTTP 503 Service Unavailable (" + msgEchoLeftOut + ")"},
		{"nothing secret", "Busy, retry later", "HTTP 503 Busy, retry later"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := reasonServer(t, http.StatusServiceUnavailable, tc.reason)
			s := &sleeper{}
			hc := newClient(t, Options{Sleep: s.sleep})
			form := url.Values{"grant_type": {"password"}, "username": {"user"}, "password": {password}}
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/oauth/token", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("client", clientSecret)
			resp, err := hc.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got HTTP %d, want the retries' error", resp.StatusCode)
			}
			got := explained(t, err).Error()
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
			for _, leak := range []string{clientSecret, password, tc.reason} {
				if leak != "Busy, retry later" && strings.Contains(got, leak) {
					t.Errorf("got %q, which holds %q", got, leak)
				}
			}
		})
	}
}

// TestProxyReasonPhraseEchoes: a proxy that refuses the login and echoes
// the password of the proxy URL in its reason phrase has it replaced.
func TestProxyReasonPhraseEchoes(t *testing.T) {
	t.Parallel()
	const pw = "Pr0xy-S3cret&x"
	fp := newFakeProxy(t, http.StatusProxyAuthRequired, "Bad login proxyuser:"+html.EscapeString(pw))
	ts := newScript(t, step{status: http.StatusOK})
	proxy := "http://proxyuser:" + url.QueryEscape(pw) + "@" + strings.TrimPrefix(fp.URL, "http://")
	hc := newClient(t, Options{Getenv: env(map[string]string{"HTTPS_PROXY": proxy})})
	resp, err := hc.Get(proxiedURL(t, ts.Server))
	if err == nil {
		resp.Body.Close()
		t.Fatal("the proxy's refusal came through as an answer")
	}
	got := explained(t, err).Error()
	if want := "(407 Bad login ***)"; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
	if strings.Contains(got, "S3cret") {
		t.Errorf("got %q, which holds the proxy's password", got)
	}
}
