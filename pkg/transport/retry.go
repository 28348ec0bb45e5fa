package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"

	"github.com/cenkalti/backoff/v5"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// maxRetries is how many times a request is repeated at most (SAP: 3).
const maxRetries = 3

// jitter is the share by which a computed wait varies either way.
const jitter = 0.2

// maxDrain bounds what is read of a discarded answer so that its connection
// can be reused.
const maxDrain = 64 << 10

// schedule is one of SAP's two delay sequences.
type schedule int

const (
	// none: the outcome is final.
	none schedule = iota
	// fast: no answer, 408, 502, 504: 300 ms, doubling.
	fast
	// slow: 500, and 503 and 429 without Retry-After: 1 s, tripling.
	slow
)

// newBackOff returns the delays of s, without jitter (which [retrier] adds
// with its own random source).
func newBackOff(s schedule) *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{InitialInterval: 300 * time.Millisecond, Multiplier: 2, MaxInterval: time.Minute}
	if s == slow {
		b.InitialInterval, b.Multiplier = time.Second, 3
	}
	b.Reset()
	return b
}

// retrier is the client's RoundTripper: base, with SAP's retry policy and
// the client's timeout.
type retrier struct {
	base      *http.Transport
	dialer    *net.Dialer
	timeout   time.Duration
	userAgent string
	sleep     func(context.Context, time.Duration) error
	rand      func() float64
	proxy     *proxySettings
	// singleUse: a request goes out again only when it certainly never
	// reached the server (Options.SingleUse).
	singleUse bool
}

// RoundTrip sends req, and again as the retry policy allows, within the
// client's timeout. It returns a final answer as it came, its body read
// through an [answerBody]; every failure without an answer is explained: a
// *retryError when the retries ran out or the deadline stopped them, else
// an *explainedError.
//
// The timeout is enforced here rather than by http.Client.Timeout, which
// would replace an error at the timeout with a text of its own.
func (rt *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	var cancel context.CancelFunc
	if rt.timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(req.Context(), rt.timeout)
		req = req.WithContext(ctx)
	}
	policy := rt.newRetry()
	resp, err := rt.send(req, policy)
	if err != nil {
		if cancel != nil {
			cancel()
		}
		return nil, explain(req, err)
	}
	resp.Body = &answerBody{rc: resp.Body, ctx: req.Context(), cancel: cancel, first: policy.First()}
	return resp, nil
}

// newRetry is the policy of one request of this client.
func (rt *retrier) newRetry() *Retry {
	return &Retry{timeout: rt.timeout, sleep: rt.sleep, rand: rt.rand, start: time.Now()}
}

// send is RoundTrip without the timeout and the explanation of its error:
// the attempts of req as policy decides.
func (rt *retrier) send(req *http.Request, policy *Retry) (*http.Response, error) {
	ctx := req.Context()
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		r, err := rt.prepare(req, attempt)
		if err != nil {
			return nil, err
		}
		var reached atomic.Bool
		if rt.singleUse {
			// A connection to the server was made (dialled, and TLS
			// established): from then on the request may have reached it.
			r = r.WithContext(httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{
				GotConn: func(httptrace.GotConnInfo) { reached.Store(true) },
			}))
		}
		resp, err := rt.base.RoundTrip(r)
		if err != nil {
			err = asProxyFailure(err, rt.proxy.variable(req.URL.Scheme))
		}
		wait, final, stop := policy.next(ctx, resp, err, rewindable && !reached.Load())
		switch {
		case final:
			return resp, err
		case stop != nil:
			if resp != nil {
				discard(resp)
			}
			return nil, stop
		}
		if resp != nil {
			discard(resp)
		}
		if err := policy.wait(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// Retry is SAP's retry policy (see the package comment) for one request:
// which outcomes are sent again, after how long, and when to stop. The
// client's RoundTripper follows one for every request.
//
// A request that carries a single-use credential (a jwt-bearer assertion)
// must not reach the server twice: it goes through a client of
// Options.SingleUse, which sends it again only when it certainly did not
// reach the server, and its sender follows a Retry of its own ([NewRetry]),
// renewing the credential for each attempt the Retry allows. The same
// schedule, Retry-After and deadline apply either way. A Retry is for one
// goroutine.
type Retry struct {
	timeout time.Duration
	sleep   func(context.Context, time.Duration) error
	rand    func() float64
	start   time.Time

	// attempts counts the attempts decided on so far.
	attempts int
	backoffs map[schedule]*backoff.ExponentialBackOff
	// first and last are the first and the last failure, explained.
	first, last error
}

// NewRetry returns the retry policy that a client of New(o) follows, for
// one request that its caller sends again itself, starting now: o.Timeout
// bounds the attempts and the waits together (as does the deadline of the
// context given to Again), and o.Sleep and o.Rand make the waits.
func NewRetry(o Options) *Retry {
	r := &Retry{timeout: o.Timeout, sleep: o.Sleep, rand: o.Rand, start: time.Now()}
	if r.sleep == nil {
		r.sleep = sleep
	}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	return r
}

// Retryable reports whether the policy sends a request again after an
// attempt that got the answer resp (of which only the status and the
// headers are read) or, without an answer, failed with err, time allowing;
// false for a failure the client had retried already.
func (r *Retry) Retryable(resp *http.Response, err error) bool {
	if _, ok := errors.AsType[*retryError](err); ok || resp == nil && err == nil {
		// The client retried this request already, or nothing failed.
		return false
	}
	s, _ := classify(resp, err)
	return s != none
}

// Again is told how an attempt failed: the answer resp (of which only the
// status and the headers are read; the caller has closed its body) or, without an
// answer, err as the client returned it. Once the wait the policy asks for
// is over, it reports true: another attempt may go out. It reports false
// and nil when the outcome is final and is reported as it is (a 400, a
// failed TLS verification, a failure the client had retried already), and
// false and an error when the retries are over: they ran out, the deadline
// stops them, or the server asked for a wait that ends past it. That error
// says so in one line, naming the first failure and the last.
func (r *Retry) Again(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if resp == nil && err == nil {
		return false, nil
	}
	if _, ok := errors.AsType[*retryError](err); ok {
		// The client retried this request already.
		return false, nil
	}
	wait, final, stop := r.next(ctx, resp, err, true)
	if final || stop != nil {
		return false, stop
	}
	if err := r.wait(ctx, wait); err != nil {
		return false, err
	}
	return true, nil
}

// First returns the failure of the first attempt once a later one was
// decided on, so that a message about the last can name it too; nil while
// there was only one.
func (r *Retry) First() error {
	if r.attempts < 2 {
		return nil
	}
	return r.first
}

// next decides after the next attempt, which got resp or failed with err.
// mayRepeat is false for a request that must not go out again whatever
// the outcome: its body cannot be rewound, or it is single use and may
// have reached the server. next returns final when the outcome is
// returned as it is (a final answer, or the first attempt's failure, which
// RoundTrip explains), stop when the retries end with an error instead,
// and else the wait before the next attempt.
func (r *Retry) next(ctx context.Context, resp *http.Response, err error, mayRepeat bool) (wait time.Duration, final bool, stop error) {
	r.attempts++
	s, asked := classify(resp, err)
	if !mayRepeat {
		s = none
	}
	if s == none && err == nil {
		// A final answer.
		return 0, true, nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(cerr, context.DeadlineExceeded) {
		// Canceled (SIGTERM): stop at once.
		if resp != nil {
			return 0, false, context.Cause(ctx)
		}
		return 0, true, nil
	}
	var failure error
	switch e := err.(type) {
	case nil:
		failure = newStatusError(resp)
	case *explainedError:
		// Explained by a client already; the retries' message names no
		// request.
		c := *e
		c.Request = ""
		failure = &c
	default:
		failure = &explainedError{Reason: reason(err), Err: err}
	}
	if r.first == nil {
		r.first = failure
	}
	r.last = failure
	dl, hasDeadline := r.deadline(ctx)
	deadlineHit := ctx.Err() != nil || hasDeadline && !time.Now().Before(dl)
	switch {
	case (s == none || deadlineHit) && err != nil && r.attempts == 1:
		// A final failure with no answer (a TLS verification error, a
		// refused CONNECT), or a timeout, at the first attempt:
		// RoundTrip explains it.
		return 0, true, nil
	case s == none || deadlineHit:
		return 0, false, r.giveUp(deadlineHit, 0)
	case asked > 0 && hasDeadline && !time.Now().Add(asked).Before(dl):
		// The server asked for a wait that ends past the deadline:
		// nothing may go out before that time, nor after the deadline,
		// and our own schedule does not replace the server's word.
		return 0, false, r.giveUp(false, asked)
	case r.attempts > maxRetries:
		return 0, false, r.giveUp(false, 0)
	}
	if asked <= 0 {
		if r.backoffs == nil {
			r.backoffs = map[schedule]*backoff.ExponentialBackOff{}
		}
		b := r.backoffs[s]
		if b == nil {
			b = newBackOff(s)
			r.backoffs[s] = b
		}
		wait = r.jittered(b.NextBackOff())
	} else {
		// Never less than the server asked for.
		wait = asked + time.Duration(jitter*r.rand()*float64(asked))
	}
	if hasDeadline && !time.Now().Add(wait).Before(dl) {
		if r.attempts == 1 && err != nil {
			// No answer and no time to try again: RoundTrip explains
			// the one failure, as for a timeout above.
			return 0, true, nil
		}
		return 0, false, r.giveUp(true, 0)
	}
	return wait, false, nil
}

// deadline is the earlier of ctx's deadline and the end of the timeout.
func (r *Retry) deadline(ctx context.Context) (time.Time, bool) {
	dl, ok := ctx.Deadline()
	if r.timeout > 0 {
		if end := r.start.Add(r.timeout); !ok || end.Before(dl) {
			dl, ok = end, true
		}
	}
	return dl, ok
}

// wait waits d before the next attempt; its error ends the retries (the
// deadline, or the cancelation).
func (r *Retry) wait(ctx context.Context, d time.Duration) error {
	if err := r.sleep(ctx, d); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return r.giveUp(true, 0)
		}
		return err
	}
	return nil
}

// giveUp is the error that ends the retries: stopped by the deadline, or
// by the server's wait past it.
func (r *Retry) giveUp(deadline bool, wait time.Duration) error {
	return &retryError{Attempts: r.attempts, Elapsed: time.Since(r.start), First: r.first, Last: r.last, Deadline: deadline, Wait: wait}
}

// CloseIdleConnections closes the idle connections of the underlying
// transport, for http.Client.CloseIdleConnections.
func (rt *retrier) CloseIdleConnections() { rt.base.CloseIdleConnections() }

// prepare returns the request for attempt: req itself at first (with the
// User-Agent), then a copy with a fresh body.
func (rt *retrier) prepare(req *http.Request, attempt int) (*http.Request, error) {
	setUA := rt.userAgent != "" && req.Header.Get("User-Agent") == ""
	if attempt == 1 && !setUA {
		return req, nil
	}
	r := req.Clone(req.Context())
	if setUA {
		r.Header.Set("User-Agent", rt.userAgent)
	}
	if attempt > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf(msgRewindBody, err)
		}
		r.Body = body
	}
	return r, nil
}

// jittered spreads d by ±jitter.
func (r *Retry) jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 - jitter + 2*jitter*r.rand()))
}

// discard drains a bounded part of an answer that will not be returned and
// closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	_ = resp.Body.Close()
}

// classify returns the schedule for a retry of this outcome (none when it is
// final) and, for a 429 with Retry-After, the wait the server asked for.
func classify(resp *http.Response, err error) (schedule, time.Duration) {
	if err != nil {
		if retryableError(err) {
			return fast, 0
		}
		return none, 0
	}
	switch resp.StatusCode {
	case http.StatusRequestTimeout, http.StatusBadGateway, http.StatusGatewayTimeout:
		return fast, 0
	case http.StatusInternalServerError:
		return slow, 0
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		// RFC 9110 §10.2.3: a 503 may say how long the outage lasts, too.
		return slow, retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return none, 0
}

// retryableError reports whether err means that no answer arrived for a
// reason that may pass: a refused, reset or cut connection, or a timeout
// of one step. TLS verification failures, TLS alerts, a refused CONNECT and
// anything unknown are final.
func retryableError(err error) bool {
	if pf, ok := errors.AsType[*proxyFailure](err); ok && pf.Status != 0 {
		return false
	}
	if tlsFailure(err) {
		return false
	}
	for _, target := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, io.EOF, io.ErrUnexpectedEOF} {
		if errors.Is(err, target) {
			return true
		}
	}
	if dns, ok := errors.AsType[*net.DNSError](err); ok {
		return dns.IsTimeout || dns.IsTemporary
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return false
}

// tlsFailure reports whether err is a TLS failure that will not pass: a
// verification error, an alert from the server, a protocol mismatch.
func tlsFailure(err error) bool {
	if certProblem(err) != "" {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, matchRemoteError) || strings.Contains(msg, matchTLSError) && !errors.Is(err, io.EOF)
}

// maxRetryAfter is the longest wait a Retry-After is read as: longer
// values (any number of digits) are taken as this, which ends past every
// deadline, rather than overflow a time.Duration.
const maxRetryAfter = 100 * 365 * 24 * time.Hour

// retryAfter reads a Retry-After value, delta-seconds of any size or an
// HTTP date, as a wait from now (at most maxRetryAfter); 0 when absent,
// unreadable, zero or in the past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
		// delta-seconds (RFC 9110 §10.2.3: 1*DIGIT). A value too large to
		// parse is still a wait the server asked for, not a missing one.
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err == nil && n == 0:
			return 0
		case err != nil || n > int64(maxRetryAfter/time.Second):
			return maxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// roundWait keeps a wait the server asked for readable: seconds below two
// minutes, then minutes, hours, days and years.
func roundWait(d time.Duration) string {
	const day, year = 24 * time.Hour, 365 * 24 * time.Hour
	switch {
	case d < 2*time.Minute:
		return d.Round(time.Second).String()
	case d < 2*time.Hour:
		return fmt.Sprintf(textMinutes, int64(d.Round(time.Minute)/time.Minute))
	case d < 2*day:
		return fmt.Sprintf(textHours, int64(d.Round(time.Hour)/time.Hour))
	case d < 2*year:
		return fmt.Sprintf(textDays, int64((d+day/2)/day))
	}
	return fmt.Sprintf(textYears, int64((d+year/2)/year))
}

// statusError is an answer that was retried in vain. Its message is the
// status and the Retry-After the server gave, never the body.
type statusError struct {
	status     int
	text       string
	retryAfter string
}

func newStatusError(resp *http.Response) *statusError {
	e := &statusError{status: resp.StatusCode, text: statusText(resp)}
	if d := retryAfter(resp.Header.Get("Retry-After"), time.Now()); d > 0 {
		e.retryAfter = roundWait(d)
	}
	return e
}

func (e *statusError) Error() string {
	s := "HTTP " + strconv.Itoa(e.status)
	if e.text != "" {
		s += " " + e.text
	}
	if e.retryAfter != "" {
		s += " (Retry-After " + e.retryAfter + ")"
	}
	return s
}

// statusText is the reason phrase of resp, as the server sent it when it is
// short printable text, else Go's for the code. A secret of the request
// (see requestSecrets) that the phrase echoes, in any encoding, is
// replaced by ***; a phrase that holds one that cannot be replaced is left
// out, and Go's text says so.
func statusText(resp *http.Response) string {
	_, text, _ := strings.Cut(resp.Status, " ")
	text = strings.TrimSpace(text)
	ok := text != "" && len(text) <= 64
	for _, r := range text {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			ok = false
		}
	}
	if !ok {
		return http.StatusText(resp.StatusCode)
	}
	if resp.Request != nil {
		if text, ok = secret.Redact(text, requestSecrets(resp.Request)); !ok {
			return strings.TrimSpace(http.StatusText(resp.StatusCode) + " (" + msgEchoLeftOut + ")")
		}
	}
	return text
}

// retryError is a request that failed although it was retried: the retries
// ran out, or the next wait would have ended past the deadline.
type retryError struct {
	// Attempts is how many requests went out.
	Attempts int
	// Elapsed is the time from the first request to giving up.
	Elapsed time.Duration
	// First is the first failure, explained: an *explainedError when no answer
	// came, else the status (such as "HTTP 503 Service Unavailable").
	First error
	// Last is the last failure, in the same form.
	Last error
	// Deadline is set when the deadline (the timeout) stopped the retries.
	Deadline bool
	// Wait, when not zero, is the wait the last answer's Retry-After asked
	// for, which ended past the deadline: the server, not the timeout,
	// ended the retries.
	Wait time.Duration
}

// maxRaiseHint is the longest Retry-After for which raising timeout is
// advice worth giving; a CI step does not wait longer.
const maxRaiseHint = 5 * time.Minute

// Error says how many attempts over how long, the failure of a single
// attempt or the first failure (and the last when its cause differs),
// what ended the retries and the fix, in one line. A failure with an
// answer is its status and Retry-After, never the body.
func (e *retryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, msgRetriesFailed, e.Attempts, plural(e.Attempts, "attempt", "attempts"), roundElapsed(e.Elapsed))
	if e.Deadline {
		b.WriteString(msgStoppedByTimeout)
	}
	first, last := e.First, e.Last
	if e.Wait > 0 {
		// The wait is named below, once.
		first, last = withoutRetryAfter(first), withoutRetryAfter(last)
	}
	if e.Attempts == 1 {
		b.WriteString(": " + secret.OneLine(first.Error()))
	} else {
		b.WriteString(": first " + secret.OneLine(first.Error()))
		if last != nil && !sameFailure(first, last) {
			b.WriteString("; last " + secret.OneLine(last.Error()))
		}
	}
	switch {
	case e.Wait > 0:
		fmt.Fprintf(&b, msgServerAskedWait, roundWait(e.Wait))
		if e.Wait <= maxRaiseHint {
			b.WriteString(msgRunAfterWaitOrTimeout)
		} else {
			b.WriteString(msgRunAfterWait)
		}
	case e.Deadline:
		b.WriteString(msgRetryLaterOrTimeout)
	default:
		b.WriteString(msgRetryLater)
	}
	return b.String()
}

// withoutRetryAfter is err without the Retry-After of a status.
func withoutRetryAfter(err error) error {
	if se, ok := err.(*statusError); ok && se.retryAfter != "" {
		c := *se
		c.retryAfter = ""
		return &c
	}
	return err
}

// sameFailure reports whether a and b have the same cause, so that the
// message names it once (two resets differ only in their port).
func sameFailure(a, b error) bool {
	ea, okA := a.(*explainedError)
	eb, okB := b.(*explainedError)
	if okA && okB {
		return ea.Reason == eb.Reason
	}
	return a.Error() == b.Error()
}

// Unwrap returns the first failure, which names the cause.
func (e *retryError) Unwrap() error { return e.First }

// roundElapsed keeps a duration readable: milliseconds below a second,
// tenths of a second above.
func roundElapsed(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
