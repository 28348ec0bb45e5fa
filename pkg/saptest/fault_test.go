package saptest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

func TestFault(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	html := "<html><body>Sign in to continue</body></html>"

	type want struct {
		status              int
		body, ct, retryAftr string
	}
	// Normal answer to GET /oauth/token: 405 with the UAA's JSON error.
	normal := want{status: 405, ct: "application/json;charset=UTF-8"}

	cases := []struct {
		name  string
		fault saptest.Fault
		want  []want // one per request; then ClearFault and expect normal
	}{
		{
			name:  "status, retry-after and HTML body, every request",
			fault: saptest.Fault{Status: 503, Body: html, ContentType: "text/html", RetryAfter: "7"},
			want: []want{
				{status: 503, body: html, ct: "text/html", retryAftr: "7"},
				{status: 503, body: html, ct: "text/html", retryAftr: "7"},
				{status: 503, body: html, ct: "text/html", retryAftr: "7"},
			},
		},
		{
			name:  "status only, empty body",
			fault: saptest.Fault{Status: 429, RetryAfter: "1"},
			want:  []want{{status: 429, retryAftr: "1"}},
		},
		{
			name:  "body only answers 200 text",
			fault: saptest.Fault{Body: "not json {"},
			want:  []want{{status: 200, body: "not json {", ct: "text/plain; charset=utf-8"}},
		},
		{
			name:  "huge body",
			fault: saptest.Fault{Status: 502, Body: strings.Repeat("x", 3<<20)},
			want:  []want{{status: 502, body: strings.Repeat("x", 3<<20), ct: "text/plain; charset=utf-8"}},
		},
		{
			name:  "times counts down",
			fault: saptest.Fault{Status: 500, Times: 2},
			want:  []want{{status: 500}, {status: 500}, normal, normal},
		},
		{
			name:  "retry-after alone decorates the normal answer",
			fault: saptest.Fault{RetryAfter: "3", Times: 1},
			want:  []want{{status: 405, ct: normal.ct, retryAftr: "3"}, normal},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
			hc := p.HTTPClient(nil)
			uaa.SetFault(tc.fault)
			check := func(i int, w want) {
				t.Helper()
				got, err := do(t, hc, newRequest(t, http.MethodGet, uaa.TokenURL(), "", ""))
				if err != nil {
					t.Fatal(err)
				}
				if got.status != w.status || got.header.Get("Retry-After") != w.retryAftr || got.header.Get("Content-Type") != w.ct {
					t.Errorf("request %d: status, Retry-After, Content-Type = %d, %q, %q, want %d, %q, %q", i,
						got.status, got.header.Get("Retry-After"), got.header.Get("Content-Type"), w.status, w.retryAftr, w.ct)
				}
				if w.body != "" && got.body != w.body {
					t.Errorf("request %d: body of %d bytes, want %d bytes", i, len(got.body), len(w.body))
				}
				if w.status != 405 && w.body == "" && got.body != "" {
					t.Errorf("request %d: body = %q, want empty", i, got.body)
				}
			}
			for i, w := range tc.want {
				check(i, w)
			}
			uaa.ClearFault()
			check(len(tc.want), normal)
			if got, want := len(uaa.Requests()), len(tc.want)+1; got != want {
				t.Errorf("len(Requests()) = %d, want %d (faulted requests are recorded)", got, want)
			}
		})
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	p := testPKI(t)

	t.Run("short delay, then the normal answer", func(t *testing.T) {
		t.Parallel()
		uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
		uaa.SetFault(saptest.Fault{Delay: 100 * time.Millisecond})
		start := time.Now()
		got, err := do(t, p.HTTPClient(nil), newRequest(t, http.MethodGet, uaa.TokenURL(), "", ""))
		if err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
			t.Errorf("answered after %v, want at least 100ms", elapsed)
		}
		if got.status != 405 {
			t.Errorf("status = %d, want the normal 405", got.status)
		}
	})

	t.Run("client timeout ends the wait", func(t *testing.T) {
		t.Parallel()
		ias := saptest.MustIAS(t, p)
		ias.SetFault(saptest.Fault{Delay: time.Minute, Status: 200})
		hc := p.HTTPClient(saptest.MustClient(t, p, "slow", saptest.WithECKey()))
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ias.PasscodeURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		got, err := do(t, hc, req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v (status %d, body %q, after %v), want context.DeadlineExceeded", err, got.status, got.body, time.Since(start))
		}
		// The handler gives up too: Close does not wait for the minute.
		ias.Close()
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("request and Close took %v, want well under the delay", elapsed)
		}
		if n := len(ias.Passcodes()); n != 0 {
			t.Errorf("len(Passcodes()) = %d, want 0", n)
		}
	})

	t.Run("close ends the wait", func(t *testing.T) {
		t.Parallel()
		cpi := saptest.MustCPI(t, p, saptest.MustUAA(t, p, saptest.UAAConfig{}), "")
		cpi.SetFault(saptest.Fault{Delay: time.Minute})
		errc := make(chan error, 1)
		go func() {
			resp, err := p.HTTPClient(nil).Get(cpi.URL + "/api/v1/MessageProcessingLogs")
			if err == nil {
				resp.Body.Close()
			}
			errc <- err
		}()
		for deadline := time.Now().Add(10 * time.Second); len(cpi.Requests()) == 0; {
			if time.Now().After(deadline) {
				t.Fatal("the delayed request never reached the server")
			}
			time.Sleep(5 * time.Millisecond)
		}
		start := time.Now()
		cpi.Close()
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("Close took %v", elapsed)
		}
		if err := <-errc; err == nil {
			t.Error("GET during Close succeeded, want a dropped connection")
		}
	})
}
