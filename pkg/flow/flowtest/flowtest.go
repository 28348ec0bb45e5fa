// Package flowtest gives a flow's tests what pkg/app gives the flow: a
// [flow.Env] whose reports are recorded instead of printed, and whose
// Client is the production HTTP client (pkg/transport) trusting the test's
// CA. A flow package tests its own Prepare and Run with it, without
// pkg/app's environment plumbing.
package flowtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// Recorder is a flow.Env that records what the flow reports.
type Recorder struct {
	// Env is what the flow gets; its functions record into the fields
	// below.
	Env *flow.Env

	mu        sync.Mutex
	masked    []string
	warnings  []string
	described []string
	infos     []string
	notices   []string
	waits     []time.Duration
	retries   int
	clients   int

	roots   *x509.CertPool
	timeout time.Duration
}

// New returns a Recorder whose clock stands at now (time.Now when zero)
// and whose clients trust roots (the system roots when nil), time out after
// timeout and never wait before a retry (the retries still happen, and the
// waits are recorded); so do the retry policies of Env.Retry.
func New(tb testing.TB, roots *x509.CertPool, now time.Time, timeout time.Duration) *Recorder {
	tb.Helper()
	r := &Recorder{roots: roots, timeout: timeout}
	clock := time.Now
	if !now.IsZero() {
		clock = func() time.Time { return now }
	}
	r.Env = &flow.Env{
		Now:      clock,
		Warn:     func(msg string) { r.add(&r.warnings, msg) },
		Describe: func(what, value string) { r.add(&r.described, what+": "+value) },
		Info:     func(msg string) { r.add(&r.infos, msg) },
		Notice:   func(msg string) { r.add(&r.notices, msg) },
		Mask: func(secret string) error {
			r.add(&r.masked, secret)
			return nil
		},
		Client:    func(cert *tls.Certificate) (*http.Client, error) { return r.client(cert, false) },
		SingleUse: func(cert *tls.Certificate) (*http.Client, error) { return r.client(cert, true) },
		Retry: func() flow.Retry {
			r.mu.Lock()
			r.retries++
			r.mu.Unlock()
			return transport.NewRetry(transport.Options{Timeout: timeout, Sleep: r.sleep})
		},
	}
	return r
}

// client is the production client of the Env, single-use or not.
func (r *Recorder) client(cert *tls.Certificate, singleUse bool) (*http.Client, error) {
	r.mu.Lock()
	r.clients++
	r.mu.Unlock()
	return transport.New(transport.Options{Timeout: r.timeout, RootCAs: r.roots, ClientCertificate: cert,
		Getenv: func(string) string { return "" }, Sleep: r.sleep, SingleUse: singleUse})
}

// sleep is the clients' and the retry policies' wait: none, but recorded.
func (r *Recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

// Waits lists the waits before retries, of the clients and of the retry
// policies the flow followed, in order; none was waited for.
func (r *Recorder) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// Retries is how many retry policies the flow asked for (Env.Retry).
func (r *Recorder) Retries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.retries
}

func (r *Recorder) add(list *[]string, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*list = append(*list, s)
}

func (r *Recorder) get(list *[]string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), *list...)
}

// Masked lists the secrets the flow masked, in order.
func (r *Recorder) Masked() []string { return r.get(&r.masked) }

// Warnings lists the flow's warnings.
func (r *Recorder) Warnings() []string { return r.get(&r.warnings) }

// Described lists what the flow described for inspect, as "what: value".
func (r *Recorder) Described() []string { return r.get(&r.described) }

// Infos lists the flow's step-log lines.
func (r *Recorder) Infos() []string { return r.get(&r.infos) }

// Notices lists the flow's notices.
func (r *Recorder) Notices() []string { return r.get(&r.notices) }

// Log is everything the flow reported, in one text, for a test that checks
// that a secret never appears in it; masks are left out, as they are the
// one place a secret is meant to go.
func (r *Recorder) Log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.warnings, r.described, r.infos, r.notices)
}

// Clients is how many HTTP clients the flow asked for.
func (r *Recorder) Clients() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clients
}

// landscapePKI is the one PKI of the flows' test landscapes: minting its CAs
// once keeps the suites fast.
var landscapePKI = sync.OnceValues(func() (*saptest.PKI, error) { return saptest.NewPKI() })

// Landscape is a fake SAP landscape of its own for one test case, on a PKI
// shared by the process, so that its request counts are the case's alone.
// It is closed when the test ends.
func Landscape(tb testing.TB) *saptest.Landscape {
	tb.Helper()
	p, err := landscapePKI()
	if err != nil {
		tb.Fatal(err)
	}
	return saptest.MustLandscape(tb, saptest.WithPKI(p))
}

// CheckInputError checks that err is a one-line *config.InputError naming
// input, in which none of secrets shows.
func CheckInputError(tb testing.TB, err error, input string, secrets []string) {
	tb.Helper()
	var ie *config.InputError
	if !errors.As(err, &ie) {
		tb.Fatalf("got error %v (%T), want a *config.InputError for %s", err, err, input)
	}
	if got, want := ie.Input, input; got != want {
		tb.Errorf("got an error for input %q, want %q: %v", got, want, err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		tb.Errorf("got a message of several lines, want one: %q", err)
	}
	saptest.CheckNoLeaks(tb, secrets, map[string][]byte{"error": []byte(err.Error())}, nil)
}
