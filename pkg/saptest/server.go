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
	"strconv"
	"sync"
	"time"
)

// maxBody bounds how much of a request body a fake server reads.
const maxBody = 1 << 20

// Fault makes a fake server misbehave. It is shared by all fakes and set with
// their SetFault method. The zero Fault changes nothing.
//
// A faulted request is still recorded. The fault is applied before routing,
// so it hits every path. In order: the server waits Delay, sets Retry-After,
// then, if Status or Body is set, answers with them instead of the normal
// response. A fault with only Delay or RetryAfter set slows down or decorates
// the normal response.
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
	// Delay is how long to wait before answering. The wait ends early,
	// without any answer, when the client gives up (request context
	// cancelled) or the server is closed (the connection is dropped).
	Delay time.Duration
	// Times is how many of the next requests get the fault; after that it
	// clears itself. Zero means every request until ClearFault.
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
// and the fault switch.
type server struct {
	ts   *httptest.Server
	done chan struct{}
	once sync.Once

	mu        sync.Mutex
	reqs      []Request
	fault     *Fault
	faultLeft int
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
				if s.applyFault(w, r) {
					return
				}
				handle(w, r, req)
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

func (s *server) setFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault, s.faultLeft = &f, f.Times
}

func (s *server) clearFault() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault, s.faultLeft = nil, 0
}

// takeFault returns the fault for this request, counting down Times.
func (s *server) takeFault() *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	if f != nil && f.Times > 0 {
		s.faultLeft--
		if s.faultLeft <= 0 {
			s.fault = nil
		}
	}
	return f
}

// applyFault applies the current fault and reports whether the response is
// done.
func (s *server) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.takeFault()
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client is gone; nobody reads an answer.
			return true
		case <-s.done:
			// Closing: drop the connection rather than answer an empty
			// 200, which a client could mistake for success.
			panic(http.ErrAbortHandler)
		}
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Location != "" {
		w.Header().Set("Location", f.Location)
	}
	if f.Status == 0 && f.Body == "" {
		return false
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
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, f.Body)
	return true
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
