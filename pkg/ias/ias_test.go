package ias

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

func TestParseTenant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want, wantErr string
	}{
		{in: "mytenant", want: "https://mytenant.accounts.ondemand.com"},
		{in: " MyTenant ", want: "https://mytenant.accounts.ondemand.com"},
		{in: "mytenant.accounts.cloud.sap", want: "https://mytenant.accounts.cloud.sap"},
		{in: "mytenant.accounts400.ondemand.com:8443", want: "https://mytenant.accounts400.ondemand.com:8443"},
		{in: "https://login.example.com", want: "https://login.example.com"},
		{in: "https://login.example.com:8443/", want: "https://login.example.com:8443"},
		{in: "https://127.0.0.1:8443", want: "https://127.0.0.1:8443"},
		{in: "https://[::1]:8443", want: "https://[::1]:8443"},
		{in: "https://t.accounts.ondemand.com/service/users/passcode", want: "https://t.accounts.ondemand.com"},
		{in: "HTTPS://t.accounts.ondemand.com", want: "https://t.accounts.ondemand.com"},
		{in: "", wantErr: "empty"},
		{in: "http://t.accounts.ondemand.com", wantErr: "http:// is not allowed"},
		{in: "ftp://t.example.com", wantErr: "only https"},
		{in: "https://user:pw@t.example.com", wantErr: "credentials"},
		{in: "https://t.example.com/?a=b", wantErr: "query"},
		{in: "my tenant", wantErr: "neither"},
		{in: "bad_host.example.com", wantErr: "host name"},
		{in: "https://", wantErr: "not a valid https URL"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			u, err := ParseTenant(tc.in)
			if tc.wantErr != "" {
				if !errors.Is(err, errTenant) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "pw@") {
					t.Errorf("error holds the value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tc.want {
				t.Errorf("got %s, want %s", u, tc.want)
			}
		})
	}
}

type fixture struct {
	pki  *saptest.PKI
	fake *saptest.IAS
	base *url.URL
}

// testPKI is the one PKI of this package's tests: minting it once keeps
// the suite fast.
var testPKI = sync.OnceValues(func() (*saptest.PKI, error) { return saptest.NewPKI() })

func newFixture(t *testing.T) *fixture {
	t.Helper()
	p, err := testPKI()
	if err != nil {
		t.Fatal(err)
	}
	s := saptest.MustIAS(t, p)
	base, err := ParseTenant(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{pki: p, fake: s, base: base}
}

func (f *fixture) client(t *testing.T, cn string, opts ...saptest.ClientOption) *http.Client {
	t.Helper()
	c, err := f.pki.IssueClient(cn, append([]saptest.ClientOption{saptest.WithSharedRSAKey()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	cert := c.TLSCertificate()
	return newClient(t, transport.Options{RootCAs: f.pki.RootPool(), ClientCertificate: &cert})
}

// newClient is the client production uses, with retry waits skipped (the
// transport's own tests time them; the retries still happen).
func newClient(t *testing.T, o transport.Options) *http.Client {
	t.Helper()
	o.Timeout = 30 * time.Second
	o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	hc, err := transport.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

func TestFetch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		opts          []saptest.ClientOption
		expiresIn     any // as the tenant sends it; nil leaves it out
		wantExpiresIn time.Duration
	}{
		{name: "rsa", expiresIn: 300, wantExpiresIn: 300},
		{name: "ec key", opts: []saptest.ClientOption{saptest.WithECKey()}, expiresIn: 300, wantExpiresIn: 300},
		{name: "chain sent in the handshake", opts: []saptest.ClientOption{saptest.ViaIntermediate()}, expiresIn: 300, wantExpiresIn: 300},
		{name: "expires_in from the answer", expiresIn: 120, wantExpiresIn: 120},
		{name: "expires_in as a string", expiresIn: "120", wantExpiresIn: 120},
		{name: "expires_in omitted", expiresIn: nil, wantExpiresIn: 300},
		{name: "expires_in zero is not a lifetime", expiresIn: 0, wantExpiresIn: 300},
		{name: "expires_in not a number", expiresIn: "soon", wantExpiresIn: 300},
		{name: "expires_in negative", expiresIn: -5, wantExpiresIn: 300},
		{name: "expires_in fractional", expiresIn: 299.6, wantExpiresIn: 300},
		{name: "expires_in a boolean", expiresIn: true, wantExpiresIn: 300},
		{name: "expires_in huge is clamped", expiresIn: 1e30, wantExpiresIn: 366 * 24 * 3600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.fake.SetExpiresIn(tc.expiresIn)
			p, err := fetch(context.Background(), f.client(t, "user", tc.opts...), f.base)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.fake.Passcodes(); len(got) != 1 || got[0] != p.Value {
				t.Errorf("passcode %q, server issued %q", p.Value, got)
			}
			if want := tc.wantExpiresIn * time.Second; p.Lifetime != want {
				t.Errorf("lifetime %v, want %v", p.Lifetime, want)
			}
			reqs := f.fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != "GET" || r.Path != passcodePath || r.Header.Get("Accept") != "application/json" || r.ClientCertCN != "user" {
				t.Errorf("request %s %s Accept=%q CN=%q", r.Method, r.Path, r.Header.Get("Accept"), r.ClientCertCN)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	hostile := `{"passcode":"` + strings.Repeat("A", 10) + `"` // broken JSON holding a secret-looking value
	cases := []struct {
		name         string
		cn           string
		opts         []saptest.ClientOption
		fault        *saptest.Fault
		faults       []saptest.Fault // a sequence, instead of fault
		timeout      time.Duration
		wantStatus   int
		want         string
		notInError   string
		wantRequests int // when not 0
	}{
		{name: "certificate login disabled", cn: "nologin-user", wantStatus: 403, want: "Certificate Authentication"},
		{name: "unauthorized", fault: &saptest.Fault{Status: 401, Body: `{"error":"unauthorized"}`}, wantStatus: 401, want: "not registered"},
		{name: "not found", fault: &saptest.Fault{Status: 404}, wantStatus: 404, want: "ias-tenant must be the IAS tenant"},
		{name: "nginx bad certificate page", fault: &saptest.Fault{Status: 400, Body: "<html>400 The SSL certificate error</html>", ContentType: "text/html"}, wantStatus: 400, want: "does not trust its issuer"},
		{name: "unavailable with Retry-After, retried", fault: &saptest.Fault{Status: 503, RetryAfter: "7"}, want: "4 attempts", wantRequests: 4},
		{name: "unauthorized is sent once", fault: &saptest.Fault{Status: 401}, wantStatus: 401, want: "lock the user for 60 minutes", wantRequests: 1},
		{name: "503, then 401: both named", faults: []saptest.Fault{{Status: 503, Times: 1}, {Status: 401}}, wantStatus: 401,
			want: "; the request was retried: its first attempt got HTTP 503 Service Unavailable", wantRequests: 2},
		{name: "nginx without a client certificate", fault: &saptest.Fault{Status: 400, Body: "<html>400 No required SSL certificate was sent</html>", ContentType: "text/html"}, wantStatus: 400, want: "no client certificate was sent"},
		{name: "2xx cut short is not retried", fault: &saptest.Fault{Status: 200, Body: `{"passcode":"0123456789abcdef"}`, ContentType: "application/json", Truncate: true}, want: "a passcode is single use", notInError: "0123456789", wantRequests: 1},
		{name: "huge answer", fault: &saptest.Fault{Status: 200, Body: strings.Repeat(" ", 1<<20+10) + "{}", ContentType: "application/json"}, want: "larger than 1048576 bytes", wantRequests: 1},
		{name: "redirect to login", fault: &saptest.Fault{Status: 302}, wantStatus: 302, want: "redirected"},
		{name: "login page instead of JSON", fault: &saptest.Fault{Status: 200, Body: "<html>login SECRETPAGE</html>", ContentType: "text/html"}, want: "not JSON (status 200, Content-Type text/html)", notInError: "SECRETPAGE"},
		{name: "broken JSON", fault: &saptest.Fault{Status: 200, Body: hostile, ContentType: "application/json"}, want: "not JSON", notInError: "AAAAAAAAAA"},
		{name: "no passcode", fault: &saptest.Fault{Status: 200, Body: `{"passcode":""}`, ContentType: "application/json"}, want: "holds no passcode"},
		{name: "untrusted client certificate", opts: []saptest.ClientOption{saptest.Untrusted()}, want: "does not trust the issuer of the client certificate"},
		{name: "timeout", fault: &saptest.Fault{Delay: 2 * time.Second}, timeout: 100 * time.Millisecond, want: "no answer within the timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.fault != nil {
				f.fake.SetFault(*tc.fault)
			}
			if tc.faults != nil {
				f.fake.SetFaults(tc.faults...)
			}
			cn := tc.cn
			if cn == "" {
				cn = "user"
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := fetch(ctx, f.client(t, cn, tc.opts...), f.base)
			var ie *requestError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *ias.Error", err)
			}
			if ie.Status != tc.wantStatus {
				t.Errorf("status %d, want %d", ie.Status, tc.wantStatus)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line containing %q", msg, tc.want)
			}
			if tc.notInError != "" && strings.Contains(msg, tc.notInError) {
				t.Errorf("error repeats the body: %q", msg)
			}
			if got := f.fake.Count(""); tc.wantRequests != 0 && got != tc.wantRequests {
				t.Errorf("IAS got %d requests, want %d", got, tc.wantRequests)
			}
		})
	}
}

func TestFetchUntrustedServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other, err := saptest.NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.pki.IssueClient("user")
	if err != nil {
		t.Fatal(err)
	}
	cert := c.TLSCertificate()
	hc := newClient(t, transport.Options{RootCAs: other.RootPool(), ClientCertificate: &cert})
	_, err = fetch(context.Background(), hc, f.base)
	if err == nil || !strings.Contains(err.Error(), "add its CA with ca-certificates") {
		t.Errorf("got %v", err)
	}
}

// TestFetchOddAnswers: answers that are odd but hold a passcode are taken
// (a byte order mark, a passcode sent as a JSON number); one too large to
// be a passcode answer is refused in a clear error.
func TestFetchOddAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want, wantErr string
	}{
		{name: "a byte order mark", body: "\ufeff" + `{"passcode":"BomPass0123"}`, want: "BomPass0123"},
		{name: "a passcode as a number", body: `{"passcode":123456789,"expires_in":300}`, want: "123456789"},
		{name: "more than 1 MiB", body: `{"passcode":"x","pad":"` + strings.Repeat("p", 1<<20) + `"}`, wantErr: "larger than 1048576 bytes"},
		{name: "a passcode of 4 KiB", body: `{"passcode":"` + strings.Repeat("P", 4096) + `"}`, want: strings.Repeat("P", 4096)},
		{name: "a passcode of 100 KB", body: `{"passcode":"` + strings.Repeat("P", 100_000) + `"}`,
			wantErr: "the answer's passcode is longer than 4096 bytes, so it is not a passcode: ias-tenant probably points to something other than the IAS passcode service"},
		{name: "a passcode as a number of 5000 digits", body: `{"passcode":` + strings.Repeat("9", 5000) + `}`, wantErr: "longer than 4096 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.fake.SetFault(saptest.Fault{Status: 200, Body: tc.body, ContentType: "application/json"})
			p, err := fetch(context.Background(), f.client(t, "user"), f.base)
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "PPPP") || strings.Contains(err.Error(), "9999") {
					t.Errorf("error %q repeats the value", err)
				}
			case err != nil || p.Value != tc.want:
				t.Fatalf("got %v, %v; want passcode %q", p, err, tc.want)
			}
		})
	}
}
