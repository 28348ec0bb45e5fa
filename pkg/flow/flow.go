// Package flow is the contract between pkg/app and the flows: what a
// registry entry holds, what a flow is given, and what it returns.
//
// A flow is one package under pkg/ that exports a [Flow] value; pkg/app's
// registry lists them. The flow's Prepare reads the loaded settings, checks
// everything it can without sending a request (an error there exits 2 with
// nothing sent), and returns a [Run]; the Run does the network work and
// returns plain values. A flow knows nothing of GitHub, GitLab or shells:
// masking and outputs belong to pkg/app and pkg/emit.
package flow

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
)

// Flow is one entry of the registry.
type Flow struct {
	// Name is the flow input's value and the CLI's first argument.
	Name string
	// Summary is the one line --help shows.
	Summary string
	// Inputs lists the inputs the flow reads, besides the ones every flow
	// reads (flow, timeout, ca-certificates, dotenv-file, output,
	// export-env), as config.Names gives them; Prepare and Run read no
	// other (pkg/app's TestFlowsReadOnlyTheirInputs poisons the rest).
	Inputs []string
	// Primary is the output a shell prints alone on stdout.
	Primary string
	// Outputs lists the outputs the flow sets (expires-in and expires-at
	// included); each is declared in config.Outputs.
	Outputs []string
	// Prepare checks the settings and returns the work to do. It sends
	// nothing; its errors name an input ([config.InputError]).
	Prepare func(s *config.Settings, env *Env) (Run, error)
}

// Run does a prepared flow's network work.
type Run func(ctx context.Context) (*Result, error)

// Env is what pkg/app gives a flow.
type Env struct {
	// Now is the clock.
	Now func() time.Time
	// Warn reports something the user should know but that does not stop
	// the run (a certificate close to expiry).
	Warn func(msg string)
	// Describe reports what the flow will use (token URL, client id,
	// client authentication …), for `sap-ci-auth inspect`; never a secret.
	Describe func(what, value string)
	// Info reports a line for the step's log (a certificate report); a
	// shell prints nothing.
	Info func(msg string)
	// Notice reports information worth keeping (a trust report): a notice
	// annotation on GitHub, a line on stderr elsewhere.
	Notice func(msg string)
	// Mask announces a secret learned while preparing (a service key's
	// client secret) before anything else is printed.
	Mask func(secret string) error
	// Client returns the one HTTP client policy of pkg/transport (trust
	// store, timeouts, retries, proxy), presenting cert for mutual TLS when
	// it is not nil.
	Client func(cert *tls.Certificate) (*http.Client, error)
	// SingleUse returns a client like Client's for requests that carry a
	// single-use credential (a jwt-bearer assertion), which must never
	// reach the server twice: it sends a request again only when it
	// certainly did not reach the server (a refused connection, a failed
	// DNS lookup, a TLS handshake that failed before the request was
	// written), and returns any answer, or a failure once a connection was
	// made, as it is.
	SingleUse func(cert *tls.Certificate) (*http.Client, error)
	// Retry returns the clients' retry policy for one request that the
	// flow sends again itself, with a renewed single-use credential for
	// each attempt (a fresh job ID token), starting now: the same
	// schedule, Retry-After and timeout as every other request's.
	Retry func() Retry
}

// Retry is the retry policy of the clients of [Env] for one request that
// a flow sends again itself (see Env.Retry); pkg/transport implements it.
type Retry interface {
	// Retryable reports whether the policy sends a request again after an
	// attempt that got the answer resp (only its status and headers are
	// read) or, without an answer, failed with err, time allowing.
	Retryable(resp *http.Response, err error) bool
	// Again is told how an attempt failed (resp or err as for Retryable).
	// It reports true once the wait the policy asks for is over: another
	// attempt may go out. It reports false and nil when the outcome is
	// final and is reported as it is, and false and an error, which names
	// the first failure and the last, when the retries are over (run out,
	// stopped by the timeout or by the server's Retry-After).
	Again(ctx context.Context, resp *http.Response, err error) (bool, error)
	// First returns the first attempt's failure once a later attempt was
	// decided on, nil before, for a message that names both.
	First() error
}

// Result is what a flow's run produced.
type Result struct {
	// Values holds the outputs by name; every name must be declared in
	// config.Outputs, which also fixes their order.
	Values map[string]string
	// Secrets are masked before any output is written (the outputs marked
	// Secret in config.Outputs are masked anyway).
	Secrets []string
	// Lifetime is how long the credential is valid from Issued; zero when
	// nobody said (then expires-in and expires-at are empty).
	Lifetime time.Duration
	// Issued is when the credential was received.
	Issued time.Time
	// Required reports, for a report of the run (the GitHub job summary),
	// each scope the user required (required-scopes) and whether the
	// credential carries it; never a secret.
	Required []ScopeCheck
}

// ScopeCheck is one required scope and whether the credential carries it.
type ScopeCheck struct {
	// Scope is the scope as the user required it.
	Scope string
	// Present reports whether the credential carries it.
	Present bool
}
