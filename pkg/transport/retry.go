package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
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
	resp, err := rt.send(req)
	if err != nil {
		if cancel != nil {
			cancel()
		}
		return nil, explain(req, err)
	}
	resp.Body = &answerBody{rc: resp.Body, cancel: cancel}
	return resp, nil
}

// send is RoundTrip without the timeout and the explanation of its error.
func (rt *retrier) send(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	start := time.Now()
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	backoffs := map[schedule]*backoff.ExponentialBackOff{}
	var first error
	for attempt := 1; ; attempt++ {
		r, err := rt.prepare(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := rt.base.RoundTrip(r)
		if err != nil {
			err = asProxyFailure(err, rt.proxy.variable(req.URL.Scheme))
		}
		s, wait := classify(resp, err)
		if s == none && err == nil || !rewindable {
			// A final answer, or a request that cannot be sent again.
			return resp, err
		}
		if cerr := ctx.Err(); cerr != nil && !errors.Is(cerr, context.DeadlineExceeded) {
			// Canceled (SIGTERM): stop at once.
			if resp != nil {
				discard(resp)
				return nil, context.Cause(ctx)
			}
			return nil, err
		}
		var failure error
		if err != nil {
			failure = &explainedError{Reason: reason(err), Err: err}
		} else {
			failure = newStatusError(resp)
		}
		if first == nil {
			first = failure
		}
		giveUp := func(deadline bool) (*http.Response, error) {
			if resp != nil {
				discard(resp)
			}
			return nil, &retryError{Attempts: attempt, Elapsed: time.Since(start), First: first, Last: failure, Deadline: deadline}
		}
		deadlineHit := ctx.Err() != nil
		switch {
		case (s == none || deadlineHit) && err != nil && attempt == 1:
			// A final failure with no answer (a TLS verification error, a
			// refused CONNECT), or a timeout, at the first attempt:
			// RoundTrip explains it.
			return nil, err
		case s == none || deadlineHit:
			return giveUp(deadlineHit)
		case attempt > maxRetries:
			return giveUp(false)
		}
		if wait <= 0 {
			b := backoffs[s]
			if b == nil {
				b = newBackOff(s)
				backoffs[s] = b
			}
			wait = rt.jittered(b.NextBackOff())
		} else {
			// Never less than the server asked for.
			wait += time.Duration(jitter * rt.rand() * float64(wait))
		}
		if dl, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(dl) {
			if attempt == 1 && err != nil {
				// No answer and no time to try again: RoundTrip
				// explains the one failure, as for a timeout above.
				return nil, err
			}
			return giveUp(true)
		}
		if resp != nil {
			discard(resp)
		}
		if err := rt.sleep(ctx, wait); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, &retryError{Attempts: attempt, Elapsed: time.Since(start), First: first, Last: failure, Deadline: true}
			}
			return nil, err
		}
	}
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
func (rt *retrier) jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 - jitter + 2*jitter*rt.rand()))
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

// retryAfter reads a Retry-After value, seconds or an HTTP date, as a wait
// from now; 0 when absent, unreadable or in the past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > int64(24*time.Hour/time.Second) {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
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
		e.retryAfter = d.Round(time.Second).String()
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
}

// Error says how many attempts over how long, the first failure (and the
// last when its cause differs) and the fix, in one line. A failure with an
// answer is its status and Retry-After, never the body.
func (e *retryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, msgRetriesFailed, e.Attempts, plural(e.Attempts, "attempt", "attempts"), roundElapsed(e.Elapsed))
	if e.Deadline {
		b.WriteString(msgStoppedByTimeout)
	}
	b.WriteString(": first " + secret.OneLine(e.First.Error()))
	if e.Last != nil && !sameFailure(e.First, e.Last) {
		b.WriteString("; last " + secret.OneLine(e.Last.Error()))
	}
	if e.Deadline {
		b.WriteString(msgRetryLaterOrTimeout)
	} else {
		b.WriteString(msgRetryLater)
	}
	return b.String()
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
