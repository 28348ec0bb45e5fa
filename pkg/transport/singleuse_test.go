package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSingleUse: a client of Options.SingleUse sends a request again only
// when it certainly never reached the server (a refused connection, a TLS
// handshake cut before the request was written), and returns an answer,
// or a failure once a connection was made, as it is: a single-use
// assertion never reaches a server twice.
func TestSingleUse(t *testing.T) {
	t.Parallel()
	const form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=single.use.jwt"
	cases := []struct {
		name       string
		steps      []step
		wantN      int
		wantStatus int    // the answer returned, or 0 for an error
		wantErr    string // the start of the error's message
	}{
		{name: "500 is returned as it is", steps: []step{status(500), status(200)}, wantN: 1, wantStatus: 500},
		{name: "503 is returned as it is", steps: []step{status(503), status(200)}, wantN: 1, wantStatus: 503},
		{name: "429 with Retry-After is returned as it is", steps: []step{withRetryAfter(429, "1"), status(200)}, wantN: 1, wantStatus: 429},
		{name: "502 is returned as it is", steps: []step{status(502), status(200)}, wantN: 1, wantStatus: 502},
		{name: "a reset after the request arrived is not retried", steps: []step{reset, status(200)}, wantN: 1,
			wantErr: "the connection was reset"},
		{name: "200 at once", steps: []step{status(200)}, wantN: 1, wantStatus: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, tc.steps...)
			var sl sleeper
			hc := newClient(t, Options{SingleUse: true, Sleep: sl.sleep})
			resp, err := hc.Post(srv.URL+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(form))
			if resp != nil {
				resp.Body.Close()
			}
			if got := len(srv.requests()); got != tc.wantN {
				t.Errorf("the server got %d requests, want %d", got, tc.wantN)
			}
			if w := sl.got(); len(w) != 0 {
				t.Errorf("waited %v, want no wait", w)
			}
			if tc.wantStatus != 0 {
				if err != nil || resp.StatusCode != tc.wantStatus {
					t.Fatalf("got %v, %v; want the answer %d as it is", resp, err, tc.wantStatus)
				}
				return
			}
			if msg := explained(t, err).Error(); !strings.HasPrefix(msg, tc.wantErr) {
				t.Errorf("error %q, want it to start with %q", msg, tc.wantErr)
			}
		})
	}
}

// TestSingleUseTimeoutNotRetried: a single-use request whose connection
// was made and then timed out is not sent again, even with time left for
// another attempt than the run's.
func TestSingleUseTimeoutNotRetried(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	requests := 0
	ts := newHandlerServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		mu.Lock()
		requests++
		mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	hc := newClient(t, Options{SingleUse: true, Timeout: 300 * time.Millisecond})
	_, err := hc.Post(ts.URL, "application/x-www-form-urlencoded", strings.NewReader("assertion=x"))
	if msg := explained(t, err).Error(); !strings.HasPrefix(msg, msgTimeout) {
		t.Errorf("error %q, want the timeout", msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if requests != 1 {
		t.Errorf("the server got %d requests, want 1", requests)
	}
}

// TestSingleUseRefusedRetried: a single-use request whose connection was
// refused never reached the server, and goes out again as it is: the
// server, up by the second attempt, gets it once, body intact.
func TestSingleUseRefusedRetried(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	var mu sync.Mutex
	var bodies []string
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{testPKI().ServerCertificate()}}
	ts.Config.ErrorLog = discardLog()
	t.Cleanup(ts.Close)
	var waits int
	// The server comes up during the wait after the refused attempt.
	sleep := func(_ context.Context, _ time.Duration) error {
		waits++
		if waits == 1 {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			ts.Listener = ln
			ts.StartTLS()
		}
		return nil
	}
	const form = "assertion=single.use.jwt"
	resp, err := newClient(t, Options{SingleUse: true, Sleep: sleep}).Post("https://"+addr+"/oauth2/token",
		"application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatalf("got %v, want the answer of the second attempt", err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || bodies[0] != form || waits != 1 {
		t.Errorf("the server got %q after %d waits, want %q once after one wait", bodies, waits, form)
	}
}

// TestSingleUseHandshakeCutRetried: a TLS handshake cut before the
// request was written is retried as it is (by the policy's count), as the
// request never reached the server.
func TestSingleUseHandshakeCutRetried(t *testing.T) {
	t.Parallel()
	addr, conns := rawServer(t, func(c net.Conn) {
		_ = readRecord(c)
		c.Close()
	})
	var sl sleeper
	_, err := newClient(t, Options{SingleUse: true, Sleep: sl.sleep}).Post("https://"+addr+"/oauth2/token",
		"application/x-www-form-urlencoded", strings.NewReader("assertion=x"))
	if _, ok := errors.AsType[*retryError](err); !ok {
		t.Fatalf("got %v, want the retries' error", err)
	}
	if n := conns.Load(); n != 4 {
		t.Errorf("%d connections, want 4: the handshake never let the request out", n)
	}
}

// TestNewRetry drives the policy a flow follows for a request it sends
// again itself: the schedule and Retry-After of the client, its final
// outcomes, and an error that names the first and the last failure.
func TestNewRetry(t *testing.T) {
	t.Parallel()
	answer := func(code int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: code, Status: strconv.Itoa(code) + " " + http.StatusText(code), Header: h}
	}
	type outcome struct {
		resp *http.Response
		err  error
	}
	refused := &explainedError{Reason: msgConnRefused, Request: `Post "https://ias.example.test/oauth2/token"`,
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	cases := []struct {
		name      string
		timeout   time.Duration
		outcomes  []outcome
		wantAgain []bool
		wantWaits []time.Duration
		wantErr   []string // in the error of the last Again
		wantFirst string   // First() after the last Again
	}{
		{name: "500 then a final 400", outcomes: []outcome{{resp: answer(500, "")}, {resp: answer(400, "")}},
			wantAgain: []bool{true, false}, wantWaits: []time.Duration{time.Second}, wantFirst: "HTTP 500 Internal Server Error"},
		{name: "500 four times", outcomes: []outcome{{resp: answer(500, "")}, {resp: answer(500, "")}, {resp: answer(500, "")}, {resp: answer(500, "")}},
			wantAgain: []bool{true, true, true, false}, wantWaits: []time.Duration{time.Second, 3 * time.Second, 9 * time.Second},
			wantErr: []string{"4 attempts", "first HTTP 500 Internal Server Error; retry later"}, wantFirst: "HTTP 500 Internal Server Error"},
		{name: "429 with a Retry-After past the deadline", outcomes: []outcome{{resp: answer(429, "999999999")}},
			wantAgain: []bool{false}, wantErr: []string{"1 attempt", "asked to wait 32 years"}},
		{name: "429 with a Retry-After that fits", outcomes: []outcome{{resp: answer(429, "2")}, {resp: answer(200, "")}},
			wantAgain: []bool{true, false}, wantWaits: []time.Duration{2200 * time.Millisecond}, wantFirst: "HTTP 429"},
		{name: "refused, then 503 past a 1s timeout", timeout: time.Second, outcomes: []outcome{{err: refused}, {resp: answer(503, "")}},
			wantAgain: []bool{true, false}, wantWaits: []time.Duration{300 * time.Millisecond},
			wantErr:   []string{"2 attempts", "stopped by the timeout", "first the server refused the connection", "last HTTP 503"},
			wantFirst: "the server refused the connection"},
		{name: "an error the client had retried is final", outcomes: []outcome{{err: &retryError{Attempts: 4, First: refused, Last: refused}}},
			wantAgain: []bool{false}},
		{name: "401 is final", outcomes: []outcome{{resp: answer(401, "")}}, wantAgain: []bool{false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sl sleeper
			timeout := tc.timeout
			if timeout == 0 {
				timeout = time.Minute
			}
			r := NewRetry(Options{Timeout: timeout, Sleep: sl.sleep, Rand: func() float64 { return 0.5 }})
			var err error
			for i, o := range tc.outcomes {
				var again bool
				again, err = r.Again(t.Context(), o.resp, o.err)
				if again != tc.wantAgain[i] {
					t.Fatalf("Again after outcome %d = %v, %v; want %v", i+1, again, err, tc.wantAgain[i])
				}
			}
			if got := sl.got(); len(got) != len(tc.wantWaits) || len(got) > 0 && !slices.Equal(got, tc.wantWaits) {
				t.Errorf("waits %v, want %v", got, tc.wantWaits)
			}
			if len(tc.wantErr) == 0 && err != nil {
				t.Errorf("got error %v, want none", err)
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want it to contain %q", err, w)
				}
			}
			first := r.First()
			switch {
			case tc.wantFirst == "" && first != nil:
				t.Errorf("First() = %v, want nil", first)
			case tc.wantFirst != "" && (first == nil || !strings.HasPrefix(first.Error(), tc.wantFirst)):
				t.Errorf("First() = %v, want %q", first, tc.wantFirst)
			}
			if first != nil && strings.Contains(first.Error(), "ias.example.test") {
				t.Errorf("First() = %q names the request, which the flow's message names already", first)
			}
		})
	}
}
