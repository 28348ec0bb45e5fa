package transport

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// withSecrets is u with a user, a password and a query that must never
// show in a message.
func withSecrets(t *testing.T, u string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pu.User = url.UserPassword("user", "pw-s3cr3t")
	pu.RawQuery = "secret=s3cr3t"
	return pu.String()
}

// TestClientErrorsAreExplained checks the rule callers rely on: every
// failure without an answer leaves a client of New already explained
// (errors.As finds the explanation through net/http's *url.Error), and the
// explanation holds nothing of the URL's user info or query. Nor does
// net/http's own text once secret.RedactURLs has cleaned it, as the app
// does where it prints errors.
func TestClientErrorsAreExplained(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T) (string, Options)
		want  string
	}{
		{
			name: "refused connection, retried",
			setup: func(t *testing.T) (string, Options) {
				return "https://" + closedPort(t) + "/oauth/token", Options{}
			},
			want: "first the server refused the connection",
		},
		{
			name: "TLS: unknown authority",
			setup: func(t *testing.T) (string, Options) {
				cert, _ := mintServer(t, nil, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
				ts, _ := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
				return ts.URL + "/oauth/token", Options{}
			},
			want: "the server's certificate is not signed by a trusted CA",
		},
		{
			name: "timeout",
			setup: func(t *testing.T) (string, Options) {
				addr, _ := rawServer(t, func(c net.Conn) {
					defer c.Close()
					_ = readRecord(c)
					_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
					_, _ = c.Read(make([]byte, 1))
				})
				return "https://" + addr + "/oauth/token", Options{Timeout: 300 * time.Millisecond}
			},
			want: msgTimeout,
		},
		{
			name: "proxy refusal",
			setup: func(t *testing.T) (string, Options) {
				srv := newScript(t, status(200))
				fp := newFakeProxy(t, http.StatusForbidden, "Access violation")
				return proxiedURL(t, srv.Server), Options{Getenv: env(map[string]string{"HTTPS_PROXY": fp.URL})}
			},
			want: "the proxy in HTTPS_PROXY refused the tunnel to the server (403 Access violation)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, o := tc.setup(t)
			var sl sleeper
			o.Sleep = sl.sleep
			_, err := newClient(t, o).Get(withSecrets(t, u))
			if _, ok := errors.AsType[*url.Error](err); !ok {
				t.Fatalf("got %v (%T), want net/http's *url.Error", err, err)
			}
			var msg string
			if e, ok := errors.AsType[*retryError](err); ok {
				msg = e.Error()
			} else if e, ok := errors.AsType[*explainedError](err); ok {
				msg = e.Error()
			} else {
				t.Fatalf("errors.As finds no explanation in %v", err)
			}
			t.Log(msg)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
			if strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "user") {
				t.Errorf("error %q holds the URL's user info or query", msg)
			}
			if all := secret.RedactURLs(err.Error()); strings.Contains(all, "s3cr3t") {
				t.Errorf("net/http's text, redacted, %q holds the URL's user info or query", all)
			}
		})
	}
}

// newHandlerServer is an httptest TLS server with the test PKI's server
// certificate that answers with h.
func newHandlerServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{testPKI().ServerCertificate()}}
	ts.Config.ErrorLog = discardLog()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// TestAnswerBodyExplained checks the other half of the rule: an answer
// whose status arrived but whose body broke off is read with an explained
// error, and a complete body ends with io.EOF itself.
func TestAnswerBodyExplained(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		timeout time.Duration
		serve   func(w http.ResponseWriter, r *http.Request)
		want    string // "" for a complete body
	}{
		{
			name: "complete",
			serve: func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, `{"passcode":"x"}`)
			},
		},
		{
			name: "closed mid-answer",
			serve: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, `{"passcode":`)
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			},
			want: "the answer was cut short: the server, a proxy or the network closed the connection: unexpected EOF",
		},
		{
			name:    "timeout mid-answer",
			timeout: 300 * time.Millisecond,
			serve: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, `{"passcode":`)
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			want: "the answer did not arrive in full within the timeout: check the network and any proxy (HTTPS_PROXY), or raise timeout: ",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newHandlerServer(t, http.HandlerFunc(tc.serve))
			resp, err := newClient(t, Options{Timeout: tc.timeout}).Get(withSecrets(t, ts.URL))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, err = io.ReadAll(resp.Body)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ReadAll: %v", err)
				}
				// io.ReadAll hides io.EOF; a read at the end shows it as is.
				if n, err := resp.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
					t.Errorf("Read at the end = %d, %v; want 0, io.EOF itself", n, err)
				}
				return
			}
			e, ok := errors.AsType[*explainedError](err)
			if !ok {
				t.Fatalf("ReadAll: %v (%T), want an *explainedError", err, err)
			}
			msg := e.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, tc.want) {
				t.Errorf("error %q, want prefix %q", msg, tc.want)
			}
			if strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "passcode") {
				t.Errorf("error %q holds the URL's query or the body", msg)
			}
		})
	}
}
