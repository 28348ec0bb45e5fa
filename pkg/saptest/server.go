package saptest

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// maxBody bounds how much of a request body a fake server reads.
const maxBody = 1 << 20

// Fault makes a fake server misbehave. It is shared by all fakes and set with
// their SetFault or SetFaults method. The zero Fault changes nothing: the
// request gets the normal answer.
//
// A faulted request is still recorded (see Count and Requests). The fault is
// applied before routing, so it hits every path. In order: the server waits
// Delay; then, with Reset, drops the connection; else it sets Retry-After and
// Location and, if Status or Body is set, answers with them instead of the
// normal response. A fault with only Delay, RetryAfter or Location set slows
// down or decorates the normal response. Truncate cuts whichever answer is
// sent.
type Fault struct {
	// Status is the HTTP status to answer with. Zero means 200 when Body is
	// set, and the normal response otherwise.
	Status int
	// Body is the raw body to send, such as an HTML login page, a hostile
	// or huge text, or broken JSON. Empty means an empty body.
	Body string
	// ContentType is the Content-Type of Body. Empty means
	// "text/plain; charset=utf-8" when Body is set.
	ContentType string
	// RetryAfter is the value of a Retry-After header, such as "2" or an
	// HTTP date. Empty means no header.
	RetryAfter string
	// Location is the value of a Location header, for redirect statuses
	// such as a login page would send. Empty means no header.
	Location string
	// Delay is how long to wait before answering; a long one (time.Hour)
	// makes the server hang. The wait ends early, without any answer (the
	// stream or connection is dropped), when the client gives up (request
	// context cancelled) or the server is closed.
	Delay time.Duration
	// Reset drops the connection without an answer, as a crashed server
	// or a load balancer does: the server closes the TCP connection with
	// SO_LINGER 0, so the client reads a reset ("connection reset by
	// peer"), not a clean end of stream. The request is recorded, but the
	// fake does none of its work (no passcode or token is issued).
	Reset bool
	// Truncate cuts the answer mid-way: Content-Length announces the whole
	// body, the first half of it is sent, then the connection is closed.
	// It cuts Body, or the normal answer when Status and Body are unset;
	// in that case the fake did its work, so an [IAS] passcode or a [UAA]
	// token is recorded as issued although the client never reads it.
	Truncate bool
	// Times is how many requests the fault covers. With SetFault, zero
	// means every request until ClearFault. In a SetFaults sequence, zero
	// means one request, except for the last fault of the sequence, which
	// then covers every later request; see SetFaults.
	Times int
}

// Request is a request as a fake server received it.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path.
	Path string
	// Query is the parsed query string.
	Query url.Values
	// Header is a copy of the request headers, Authorization included.
	Header http.Header
	// Form holds the parameters of an application/x-www-form-urlencoded
	// body (not those of the query string); nil for other bodies.
	Form url.Values
	// Body is the raw body, up to 1 MiB.
	Body string
	// ClientCertCN is the subject CN of the client certificate presented
	// in the TLS handshake, or empty.
	ClientCertCN string
}

// server is what every fake shares: the TLS listener, the recorded requests
// and the fault sequence.
type server struct {
	ts   *httptest.Server
	done chan struct{}
	once sync.Once

	mu   sync.Mutex
	reqs []Request
	// faults is what is left of the fault sequence; faults[0] covers the
	// next left requests.
	faults []Fault
	left   int
}

// startServer starts a TLS server on 127.0.0.1 that records each request,
// applies the fault, then calls handle. setURL receives the server's URL
// before the server starts, so handlers may read what it sets without a
// data race.
func startServer(p *PKI, clientAuth tls.ClientAuthType, setURL func(string), handle func(http.ResponseWriter, *http.Request, *Request)) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("failed to listen on 127.0.0.1: %w", err)
	}
	s := &server{done: make(chan struct{})}
	// The same as httptest.NewUnstartedServer, but with a listener that is
	// certainly on 127.0.0.1 (NewUnstartedServer falls back to ::1 and
	// panics when it cannot listen).
	s.ts = &httptest.Server{
		Listener: l,
		Config: &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req := s.record(r)
				done, out, finish := s.applyFault(w, r)
				if done {
					return
				}
				handle(out, r, req)
				finish()
			}),
			// Failed handshakes are expected in tests; don't spam stderr.
			ErrorLog:          log.New(io.Discard, "", 0),
			ReadHeaderTimeout: 10 * time.Second,
		},
		TLS: &tls.Config{
			Certificates: []tls.Certificate{p.ServerCertificate()},
			ClientAuth:   clientAuth,
			ClientCAs:    p.ClientCAPool(),
			MinVersion:   tls.VersionTLS12,
		},
	}
	setURL("https://" + l.Addr().String())
	s.ts.StartTLS()
	return s, nil
}

// close stops the server, ending pending delays first.
func (s *server) close() {
	s.once.Do(func() {
		close(s.done)
		s.ts.Close()
	})
}

// record reads the body, stores the request and returns the stored copy.
func (s *server) record(r *http.Request) *Request {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	req := Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   string(body),
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" {
		// A malformed body gives what parsed so far; the handlers judge.
		req.Form, _ = url.ParseQuery(string(body))
	}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		req.ClientCertCN = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	return &req
}

func (s *server) requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// count returns how many requests for path (every path when empty) the
// server received.
func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if path == "" {
		return len(s.reqs)
	}
	n := 0
	for _, r := range s.reqs {
		if r.Path == path {
			n++
		}
	}
	return n
}

func (s *server) setFault(f Fault) { s.setFaults([]Fault{f}) }

func (s *server) clearFault() { s.setFaults(nil) }

// setFaults replaces the fault sequence.
func (s *server) setFaults(seq []Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.left = slices.Clone(seq), 0
	if len(seq) > 0 {
		s.left = max(seq[0].Times, 1)
	}
}

// takeFault returns the fault for this request and moves the sequence on.
func (s *server) takeFault() *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return nil
	}
	f := s.faults[0]
	if len(s.faults) == 1 && f.Times <= 0 {
		return &f // the last fault without Times repeats
	}
	s.left--
	if s.left <= 0 {
		s.faults = s.faults[1:]
		if len(s.faults) > 0 {
			s.left = max(s.faults[0].Times, 1)
		}
	}
	return &f
}

// applyFault applies the current fault and reports whether the response is
// done. When it is not, the returned writer is the one to answer with (it
// cuts the answer for Truncate) and finish must run after the answer.
func (s *server) applyFault(w http.ResponseWriter, r *http.Request) (done bool, out http.ResponseWriter, finish func()) {
	f := s.takeFault()
	if f == nil {
		return false, w, func() {}
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client is gone, or going: drop the stream rather than
			// let net/http send the empty 200 a returning handler
			// leaves, which a client still reading (its cancel racing
			// this) could take for success.
			panic(http.ErrAbortHandler)
		case <-s.done:
			// Closing: drop the connection rather than answer an empty
			// 200, which a client could mistake for success.
			panic(http.ErrAbortHandler)
		}
	}
	if f.Reset {
		reset(w)
		return true, w, nil
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Location != "" {
		w.Header().Set("Location", f.Location)
	}
	if f.Status == 0 && f.Body == "" {
		if !f.Truncate {
			return false, w, func() {}
		}
		cw := &cutWriter{w: w, status: http.StatusOK}
		return false, cw, cw.finish
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.Body != "" {
		ct := f.ContentType
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
	}
	if f.Truncate {
		cw := &cutWriter{w: w, status: status}
		_, _ = io.WriteString(cw, f.Body)
		cw.finish()
		return true, w, nil
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, f.Body)
	return true, w, nil
}

// reset closes the request's connection with SO_LINGER 0, so that the peer
// gets a TCP RST. When the connection cannot be taken over (HTTP/2, or a
// handler mounted elsewhere) it aborts the response instead.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		// Close the TCP connection under TLS directly: tls.Conn.Close
		// would send a close_notify alert, which reads as a clean end.
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}

// cutWriter buffers an answer, then sends its header with the full
// Content-Length and only the first half of its body, and drops the
// connection.
type cutWriter struct {
	w      http.ResponseWriter
	status int
	body   []byte
}

func (c *cutWriter) Header() http.Header { return c.w.Header() }

func (c *cutWriter) WriteHeader(status int) { c.status = status }

func (c *cutWriter) Write(b []byte) (int, error) {
	c.body = append(c.body, b...)
	return len(b), nil
}

func (c *cutWriter) finish() {
	c.w.Header().Set("Content-Length", strconv.Itoa(len(c.body)))
	c.w.WriteHeader(c.status)
	_, _ = c.w.Write(c.body[:len(c.body)/2])
	if f, ok := c.w.(http.Flusher); ok {
		f.Flush()
	}
	// The server closes the connection, short of the announced length.
	panic(http.ErrAbortHandler)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "failed to encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// methodNotAllowed answers 405 with an Allow header.
func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

// randomString returns n random characters from [A-Za-z0-9].
func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf) // never fails (crypto/rand panics instead)
		for _, b := range buf {
			// 248 = 4*62: drop the top values so every letter is equally likely.
			if b < 248 && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
