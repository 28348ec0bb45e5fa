package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func status(code int) step { return step{status: code} }

func withRetryAfter(code int, v string) step {
	return step{status: code, header: map[string]string{"Retry-After": v}}
}

var reset = step{reset: true}

// TestRetryPolicy sends one request per case to a server answering a
// script, with waits recorded instead of slept and jitter at its midpoint
// (Rand 0.5), and checks the exact number of requests, the waits and the
// outcome.
func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	s, ms := time.Second, time.Millisecond
	cases := []struct {
		name       string
		steps      []step
		wantN      int
		wantStatus int // the answer returned, or 0 for an error
		wantWaits  []time.Duration
		wantErr    []string // substrings of the error message
	}{
		{name: "401 is never retried", steps: []step{status(401)}, wantN: 1, wantStatus: 401},
		{name: "403 is never retried", steps: []step{status(403)}, wantN: 1, wantStatus: 403},
		{name: "400 is never retried", steps: []step{status(400)}, wantN: 1, wantStatus: 400},
		{name: "404 is never retried", steps: []step{status(404)}, wantN: 1, wantStatus: 404},
		{name: "200 at once", steps: []step{status(200)}, wantN: 1, wantStatus: 200},
		{name: "503 then 200", steps: []step{status(503), status(200)}, wantN: 2, wantStatus: 200, wantWaits: []time.Duration{s}},
		{name: "500 twice then 200: 1 s tripling", steps: []step{status(500), status(500), status(200)}, wantN: 3, wantStatus: 200, wantWaits: []time.Duration{s, 3 * s}},
		{name: "502, 504, 408 then 200: 300 ms doubling", steps: []step{status(502), status(504), status(408), status(200)}, wantN: 4, wantStatus: 200, wantWaits: []time.Duration{300 * ms, 600 * ms, 1200 * ms}},
		{name: "429 with Retry-After 1 then 200", steps: []step{withRetryAfter(429, "1"), status(200)}, wantN: 2, wantStatus: 200, wantWaits: []time.Duration{1100 * ms}},
		{name: "429 without Retry-After backs off as 503", steps: []step{status(429), status(200)}, wantN: 2, wantStatus: 200, wantWaits: []time.Duration{s}},
		{name: "429 with a bad Retry-After backs off as 503", steps: []step{withRetryAfter(429, "soon"), status(200)}, wantN: 2, wantStatus: 200, wantWaits: []time.Duration{s}},
		{name: "reset then 200", steps: []step{reset, status(200)}, wantN: 2, wantStatus: 200, wantWaits: []time.Duration{300 * ms}},
		{name: "401 after a 503 ends the retries", steps: []step{status(503), status(401)}, wantN: 2, wantStatus: 401, wantWaits: []time.Duration{s}},
		{
			name: "503 forever", steps: []step{status(503)}, wantN: 4, wantWaits: []time.Duration{s, 3 * s, 9 * s},
			wantErr: []string{"4 attempts", "first HTTP 503 Service Unavailable", "retry later"},
		},
		{
			name: "503 then 429 keeps the 503", steps: []step{status(503), withRetryAfter(429, "2")}, wantN: 4,
			wantWaits: []time.Duration{s, 2200 * ms, 2200 * ms},
			wantErr:   []string{"4 attempts", "first HTTP 503 Service Unavailable", "last HTTP 429 Too Many Requests (Retry-After 2s)"},
		},
		{
			name: "resets forever", steps: []step{reset}, wantN: 4, wantWaits: []time.Duration{300 * ms, 600 * ms, 1200 * ms},
			wantErr: []string{"4 attempts", "first the connection was reset"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, tc.steps...)
			var sl sleeper
			hc := newClient(t, Options{Sleep: sl.sleep, Rand: func() float64 { return 0.5 }})
			resp, err := hc.Get(srv.URL + "/oauth/token")
			if resp != nil {
				resp.Body.Close()
			}
			if got := len(srv.requests()); got != tc.wantN {
				t.Errorf("%d requests, want %d", got, tc.wantN)
			}
			if got := sl.got(); !slices.Equal(got, tc.wantWaits) {
				t.Errorf("waits %v, want %v", got, tc.wantWaits)
			}
			if tc.wantStatus != 0 {
				if err != nil {
					t.Fatalf("got error %v, want status %d", err, tc.wantStatus)
				}
				if resp.StatusCode != tc.wantStatus {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
				}
				return
			}
			re, ok := errors.AsType[*retryError](err)
			if !ok {
				t.Fatalf("got %v (%T), want a *retryError", err, err)
			}
			if re.Attempts != tc.wantN || re.Deadline {
				t.Errorf("Attempts %d, Deadline %v, want %d, false", re.Attempts, re.Deadline, tc.wantN)
			}
			msg := explained(t, err).Error()
			for _, want := range tc.wantErr {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "scripted") {
				t.Errorf("error %q quotes the body", msg)
			}
		})
	}
}

// TestRetryAfterHonoured waits for real: the second request comes no
// sooner than the Retry-After the first answer asked for.
func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	srv := newScript(t, withRetryAfter(429, "1"), status(200))
	start := time.Now()
	resp, err := newClient(t, Options{}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := time.Since(start); got < time.Second {
		t.Errorf("the retry came after %v, want at least 1s", got)
	}
	if n := len(srv.requests()); n != 2 || resp.StatusCode != 200 {
		t.Errorf("%d requests, status %d; want 2, 200", n, resp.StatusCode)
	}
}

// TestRetryAfterDate reads Retry-After as an HTTP date.
func TestRetryAfterDate(t *testing.T) {
	t.Parallel()
	when := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	srv := newScript(t, withRetryAfter(429, when), status(200))
	var sl sleeper
	resp, err := newClient(t, Options{Sleep: sl.sleep, Rand: func() float64 { return 0 }}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The date has whole seconds: the wait is between 2 and 3 s.
	if w := sl.got(); len(w) != 1 || w[0] <= time.Second || w[0] > 3*time.Second {
		t.Errorf("waits %v, want one of 2-3s", w)
	}
}

// TestPostBodyResent checks that a retried POST sends the same body, and
// that a body without GetBody is sent once.
func TestPostBodyResent(t *testing.T) {
	t.Parallel()
	const form = "grant_type=client_credentials&scope=a+b"
	cases := []struct {
		name      string
		body      func() io.Reader
		wantN     int
		wantState int
	}{
		{name: "rewindable body", body: func() io.Reader { return strings.NewReader(form) }, wantN: 2, wantState: 200},
		// http.NewRequest cannot rewind an arbitrary reader.
		{name: "body without GetBody", body: func() io.Reader { return io.MultiReader(strings.NewReader(form)) }, wantN: 1, wantState: 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, status(503), status(200))
			var sl sleeper
			req, err := http.NewRequest(http.MethodPost, srv.URL, tc.body())
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := newClient(t, Options{Sleep: sl.sleep}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := srv.requests()
			if len(got) != tc.wantN || resp.StatusCode != tc.wantState {
				t.Fatalf("%d requests, status %d; want %d, %d", len(got), resp.StatusCode, tc.wantN, tc.wantState)
			}
			for i, b := range got {
				if b != form {
					t.Errorf("request %d sent %q, want %q", i+1, b, form)
				}
			}
		})
	}
}

// TestDeadlineHolds checks that no wait starts that would end past the
// deadline: the client stops at once and says the timeout stopped it.
func TestDeadlineHolds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		timeout time.Duration
		ctx     time.Duration // a context deadline instead, when set
		steps   []step
		wantN   int
	}{
		// 503 waits 1 s, then 3 s: the second wait would pass a 2.5 s deadline.
		{name: "503 backoff with a context deadline", timeout: time.Minute, ctx: 2500 * time.Millisecond, steps: []step{status(503)}, wantN: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, tc.steps...)
			ctx := t.Context()
			if tc.ctx != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Real waits, with jitter at its lowest.
			hc := newClient(t, Options{Timeout: tc.timeout, Rand: func() float64 { return 0 }})
			start := time.Now()
			resp, err := hc.Do(req)
			took := time.Since(start)
			if resp != nil {
				resp.Body.Close()
			}
			re, ok := errors.AsType[*retryError](err)
			if !ok {
				t.Fatalf("got %v, want a *retryError", err)
			}
			if !re.Deadline || re.Attempts != tc.wantN {
				t.Errorf("Deadline %v, Attempts %d; want true, %d", re.Deadline, re.Attempts, tc.wantN)
			}
			if n := len(srv.requests()); n != tc.wantN {
				t.Errorf("%d requests, want %d", n, tc.wantN)
			}
			deadline := tc.timeout
			if tc.ctx != 0 {
				deadline = tc.ctx
			}
			if took > deadline {
				t.Errorf("gave up after %v, past the deadline %v", took, deadline)
			}
			if tc.ctx == 0 && took > time.Second {
				t.Errorf("gave up after %v, want at once", took)
			}
			msg := explained(t, err).Error()
			for _, want := range []string{"stopped by the timeout", "raise timeout", "first HTTP"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}

// TestRetryAfterPastDeadline: a Retry-After that ends past the deadline,
// in either form and however large, means one request and a message that
// names the wait the server asked for, never our own schedule instead nor
// "stopped by the timeout"; one that fits is obeyed.
func TestRetryAfterPastDeadline(t *testing.T) {
	t.Parallel()
	inAnHour := time.Now().Add(time.Hour + 30*time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name       string
		retryAfter string
		timeout    time.Duration
		wantN      int
		wantWait   time.Duration // the one wait before a retry that fits
		want       []string
		notWant    []string
	}{
		{name: "999999999 seconds", retryAfter: "999999999", wantN: 1,
			want: []string{"1 attempt", "asked to wait 32 years", "run the step again after that wait"}},
		{name: "more digits than an int64", retryAfter: "99999999999999999999999", wantN: 1,
			want: []string{"1 attempt", "asked to wait 100 years"}},
		{name: "3600 seconds", retryAfter: "3600", wantN: 1,
			want: []string{"1 attempt", "asked to wait 60 minutes", "run the step again after that wait"}},
		{name: "an HTTP date an hour ahead", retryAfter: inAnHour, wantN: 1,
			want: []string{"1 attempt", "asked to wait 60 minutes", "run the step again after that wait"}},
		{name: "90 seconds with a 10s timeout", retryAfter: "90", wantN: 1,
			want: []string{"asked to wait 1m30s", "or raise timeout above it"}},
		{name: "2 seconds fit a 10s timeout", retryAfter: "2", wantN: 2, wantWait: 2 * time.Second},
	}
	for _, tc := range cases {
		for _, code := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
			t.Run(tc.name+"/"+strconv.Itoa(code), func(t *testing.T) {
				t.Parallel()
				srv := newScript(t, withRetryAfter(code, tc.retryAfter), status(200))
				var sl sleeper
				// Jitter at its lowest: a wait is never less than asked.
				hc := newClient(t, Options{Timeout: 10 * time.Second, Sleep: sl.sleep, Rand: func() float64 { return 0 }})
				start := time.Now()
				resp, err := hc.Get(srv.URL + "/oauth/token")
				if resp != nil {
					resp.Body.Close()
				}
				if n := len(srv.requests()); n != tc.wantN {
					t.Errorf("%d requests, want exactly %d", n, tc.wantN)
				}
				if tc.wantWait != 0 {
					if err != nil || resp.StatusCode != 200 {
						t.Fatalf("got %v, want the 200 after the wait", err)
					}
					if w := sl.got(); len(w) != 1 || w[0] < tc.wantWait {
						t.Errorf("waits %v, want one of at least %v", w, tc.wantWait)
					}
					return
				}
				if w := sl.got(); len(w) != 0 {
					t.Errorf("waited %v, want no wait at all", w)
				}
				if took := time.Since(start); took > time.Second {
					t.Errorf("gave up after %v, want at once", took)
				}
				re, ok := errors.AsType[*retryError](err)
				if !ok {
					t.Fatalf("got %v (%T), want a *retryError", err, err)
				}
				if re.Deadline || re.Wait <= 0 {
					t.Errorf("Deadline %v, Wait %v; want false and the server's wait", re.Deadline, re.Wait)
				}
				msg := explained(t, err).Error()
				t.Log(msg)
				want := append([]string{"HTTP " + strconv.Itoa(code), "(Retry-After), which ends past timeout, so none was sent"}, tc.want...)
				for _, w := range want {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not contain %q", msg, w)
					}
				}
				for _, nw := range []string{"stopped by the timeout", "retry later", "first "} {
					if strings.Contains(msg, nw) {
						t.Errorf("error %q contains %q", msg, nw)
					}
				}
				if strings.Count(msg, "Retry-After") != 1 {
					t.Errorf("error %q names the Retry-After more than once", msg)
				}
			})
		}
	}
}

// TestJitter checks the bounds of every wait with the lowest and highest
// random numbers: ±20 % around the schedule, and never less than a
// Retry-After.
func TestJitter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		steps  []step
		rand   float64
		wantLo time.Duration // first wait at least
		wantHi time.Duration // first wait at most
	}{
		{name: "503 low", steps: []step{status(503), status(200)}, rand: 0, wantLo: 800 * time.Millisecond, wantHi: 800 * time.Millisecond},
		{name: "503 high", steps: []step{status(503), status(200)}, rand: 0.999999, wantLo: 1199 * time.Millisecond, wantHi: 1200 * time.Millisecond},
		{name: "502 low", steps: []step{status(502), status(200)}, rand: 0, wantLo: 240 * time.Millisecond, wantHi: 240 * time.Millisecond},
		{name: "502 high", steps: []step{status(502), status(200)}, rand: 0.999999, wantLo: 359 * time.Millisecond, wantHi: 360 * time.Millisecond},
		{name: "Retry-After low", steps: []step{withRetryAfter(429, "2"), status(200)}, rand: 0, wantLo: 2 * time.Second, wantHi: 2 * time.Second},
		{name: "Retry-After high", steps: []step{withRetryAfter(429, "2"), status(200)}, rand: 0.999999, wantLo: 2399 * time.Millisecond, wantHi: 2400 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newScript(t, tc.steps...)
			var sl sleeper
			resp, err := newClient(t, Options{Sleep: sl.sleep, Rand: func() float64 { return tc.rand }}).Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			w := sl.got()
			if len(w) != 1 || w[0] < tc.wantLo || w[0] > tc.wantHi {
				t.Errorf("waits %v, want one in [%v, %v]", w, tc.wantLo, tc.wantHi)
			}
		})
	}
}

// TestCanceledDuringWait stops at once, with the cancelation, when the
// context ends during a wait (SIGTERM).
func TestCanceledDuringWait(t *testing.T) {
	t.Parallel()
	srv := newScript(t, status(503))
	ctx, cancel := context.WithCancel(t.Context())
	sleep := func(ctx context.Context, _ time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newClient(t, Options{Sleep: sleep}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if got := explained(t, err).Error(); !strings.HasPrefix(got, "the request was canceled") {
		t.Errorf("error %q, want it to start with the reason", got)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestUserAgent checks that every attempt carries the User-Agent.
func TestUserAgent(t *testing.T) {
	t.Parallel()
	srv := newScript(t, status(503), status(200))
	var sl sleeper
	resp, err := newClient(t, Options{Sleep: sl.sleep, UserAgent: "sap-ci-auth/1.2.3"}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if want := []string{"sap-ci-auth/1.2.3", "sap-ci-auth/1.2.3"}; !slices.Equal(srv.agents, want) {
		t.Errorf("User-Agent %q, want %q", srv.agents, want)
	}
}
