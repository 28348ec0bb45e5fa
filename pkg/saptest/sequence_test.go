package saptest_test

import (
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// outcome is what one client request saw.
type outcome struct {
	status     int    // 0 when no answer arrived
	retryAfter string // the Retry-After header
	failure    string // "reset" (connection reset), "cut" (body cut short), or ""
}

// fetch sends one GET on a fresh connection, so that net/http never retries
// it on its own, and classifies what came back.
func fetch(t *testing.T, hc *http.Client, url string) outcome {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		if errors.Is(err, syscall.ECONNRESET) {
			return outcome{failure: "reset"}
		}
		t.Fatalf("GET error = %v, want a reset or an answer", err)
	}
	defer resp.Body.Close()
	o := outcome{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if _, err := io.ReadAll(resp.Body); errors.Is(err, io.ErrUnexpectedEOF) {
		o.failure = "cut"
	} else if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return o
}

// TestSetFaults plays each sequence against the IAS passcode endpoint, whose
// normal answer is a 200 with a fresh passcode, and checks each answer, the
// request count and how many passcodes the fake issued.
func TestSetFaults(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	client := saptest.MustClient(t, p, "seq-user", saptest.WithECKey())
	ok := outcome{status: 200}

	cases := []struct {
		name      string
		seq       []saptest.Fault
		want      []outcome
		passcodes int
	}{
		{
			name: "503 then 200", seq: saptest.UnavailableThenOK(),
			want: []outcome{{status: 503}, ok, ok}, passcodes: 2,
		},
		{
			name: "429 with Retry-After then 200", seq: saptest.RateLimitedThenOK(2),
			want: []outcome{{status: 429, retryAfter: "2"}, ok}, passcodes: 1,
		},
		{
			name: "a reset then 200", seq: saptest.ResetThenOK(),
			want: []outcome{{failure: "reset"}, ok}, passcodes: 1,
		},
		{
			name: "401 forever", seq: saptest.UnauthorizedForever(),
			want: []outcome{{status: 401}, {status: 401}, {status: 401}, {status: 401}}, passcodes: 0,
		},
		{
			name: "Times per step, the last step without Times repeats",
			seq:  []saptest.Fault{{Status: 500, Times: 2}, {Status: 502}},
			want: []outcome{{status: 500}, {status: 500}, {status: 502}, {status: 502}, {status: 502}},
		},
		{
			name: "a zero fault is a normal answer for its turn; a last step with Times ends the sequence",
			seq:  []saptest.Fault{{Status: 500}, {}, {Status: 504, Times: 1}},
			want: []outcome{{status: 500}, ok, {status: 504}, ok}, passcodes: 2,
		},
		{
			name: "the normal 200 cut mid-way: the passcode was issued but never arrived",
			seq:  []saptest.Fault{{Truncate: true, Times: 1}},
			want: []outcome{{status: 200, failure: "cut"}, ok}, passcodes: 2,
		},
		{
			name: "a fault body cut mid-way",
			seq:  []saptest.Fault{{Status: 200, Body: `{"passcode":"not-issued-by-the-fake"}`, Truncate: true, Times: 1}},
			want: []outcome{{status: 200, failure: "cut"}, ok}, passcodes: 1,
		},
		{
			name: "delay and reset", seq: []saptest.Fault{{Delay: 10e6, Reset: true, Times: 1}},
			want: []outcome{{failure: "reset"}, ok}, passcodes: 1,
		},
		{
			name: "empty sequence", seq: nil,
			want: []outcome{ok}, passcodes: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ias := saptest.MustIAS(t, p)
			hc := p.HTTPClient(client)
			hc.Transport.(*http.Transport).DisableKeepAlives = true
			ias.SetFaults(tc.seq...)
			for i, want := range tc.want {
				if got := fetch(t, hc, ias.PasscodeURL()); got != want {
					t.Errorf("request %d: got %+v, want %+v", i+1, got, want)
				}
			}
			if got, want := ias.Count(saptest.PasscodePath), len(tc.want); got != want {
				t.Errorf("Count(%q) = %d, want %d", saptest.PasscodePath, got, want)
			}
			if got := len(ias.Passcodes()); got != tc.passcodes {
				t.Errorf("len(Passcodes()) = %d, want %d", got, tc.passcodes)
			}
		})
	}
}

// TestSetFaultIsOneStepSequence: SetFault keeps its meaning (Times 0 until
// ClearFault, Times N for N requests), and ClearFault ends a sequence.
func TestSetFaultIsOneStepSequence(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	cpi := saptest.MustCPI(t, p, saptest.MustUAA(t, p, saptest.UAAConfig{}), "")
	hc := p.HTTPClient(nil)
	hc.Transport.(*http.Transport).DisableKeepAlives = true
	url := cpi.URL + saptest.MessageProcessingLogsPath
	steps := []struct {
		do   func()
		want int
	}{
		{func() { cpi.SetFault(saptest.Fault{Status: 503, Times: 2}) }, 503},
		{func() {}, 503},
		{func() {}, 401}, // the normal answer: no token
		{func() { cpi.SetFault(saptest.Fault{Status: 429}) }, 429},
		{func() {}, 429},
		{func() { cpi.SetFaults(saptest.UnavailableThenOK()...) }, 503},
		{func() { cpi.SetFaults(saptest.UnauthorizedForever()...); cpi.ClearFault() }, 401},
	}
	for i, s := range steps {
		s.do()
		if got := fetch(t, hc, url); got.status != s.want {
			t.Errorf("request %d: status %d, want %d", i+1, got.status, s.want)
		}
	}
	if got := cpi.Count(""); got != len(steps) {
		t.Errorf(`Count("") = %d, want %d`, got, len(steps))
	}
}

// TestCount counts per path and per server.
func TestCount(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
	other := saptest.MustUAA(t, p, saptest.UAAConfig{})
	hc := p.HTTPClient(nil)
	for _, u := range []string{uaa.TokenURL(), uaa.TokenURL(), uaa.DiscoveryURL(), uaa.URL + "/nowhere"} {
		fetch(t, hc, u)
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{saptest.DefaultTokenPath, 2},
		{saptest.DiscoveryPath, 1},
		{"/nowhere", 1},
		{"/cert/oauth/token", 0},
		{"", 4},
	} {
		if got := uaa.Count(tc.path); got != tc.want {
			t.Errorf("Count(%q) = %d, want %d", tc.path, got, tc.want)
		}
	}
	if got := other.Count(""); got != 0 {
		t.Errorf("other server's Count(\"\") = %d, want 0", got)
	}
}
