package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// proxiedHost is a name the fake proxy maps to 127.0.0.1: Go never proxies
// loopback addresses, and the client never resolves a proxied host itself.
const proxiedHost = "ias.example.test"

// testPKI is the one PKI of this package's tests.
var testPKI = sync.OnceValue(func() *saptest.PKI {
	p, err := saptest.NewPKI(proxiedHost)
	if err != nil {
		panic(err)
	}
	return p
})

// env is a getenv over m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// newClient is New with the test PKI's root, no proxy and a 10 s
// timeout unless o says otherwise.
func newClient(t *testing.T, o Options) *http.Client {
	t.Helper()
	if o.RootCAs == nil {
		o.RootCAs = testPKI().RootPool()
	}
	if o.Getenv == nil {
		o.Getenv = env(nil)
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	hc, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

// explained returns the error inside net/http's *url.Error, which is what
// a flow prints (flow.RequestError), and fails the test unless the client
// explained it: an *explainedError or a *retryError.
func explained(t *testing.T, err error) error {
	t.Helper()
	ue, ok := err.(*url.Error)
	if !ok {
		t.Fatalf("got %v (%T), want net/http's *url.Error", err, err)
	}
	switch ue.Err.(type) {
	case *explainedError, *retryError:
	default:
		t.Fatalf("the client returned %v (%T), want an *explainedError or a *retryError", ue.Err, ue.Err)
	}
	return ue.Err
}

// sleeper records the waits of a client instead of waiting.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// step is one answer of a scripted server: a status with headers, or a
// connection reset after the request arrived.
type step struct {
	status int
	header map[string]string
	reset  bool
}

// script is a TLS server that answers its steps in order, repeating the
// last, and records each request's body.
type script struct {
	*httptest.Server
	mu     sync.Mutex
	steps  []step
	bodies []string
	agents []string
}

func newScript(t *testing.T, steps ...step) *script {
	t.Helper()
	s := &script{steps: steps}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{testPKI().ServerCertificate()}}
	s.Config.ErrorLog = discardLog()
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	st := s.steps[min(len(s.bodies), len(s.steps)-1)]
	s.bodies = append(s.bodies, string(body))
	s.agents = append(s.agents, r.Header.Get("User-Agent"))
	s.mu.Unlock()
	if st.reset {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		resetConn(conn.(*tls.Conn).NetConn())
		return
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, `{"error":"scripted"}`)
}

// requests returns the bodies of the requests so far.
func (s *script) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// resetConn closes c with a TCP reset.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// rawServer runs fn on every connection to a TCP listener on 127.0.0.1 and
// counts the connections.
func rawServer(t *testing.T, fn func(net.Conn)) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			wg.Go(func() { fn(c) })
		}
	}()
	return ln.Addr().String(), &n
}

// readRecord reads one TLS record (the ClientHello).
func readRecord(c net.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return err
	}
	_, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(hdr[3:])))
	return err
}

// sendAlert answers the ClientHello with a fatal TLS alert, as a server
// does that refuses the handshake.
func sendAlert(code byte) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		if readRecord(c) == nil {
			_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, code})
		}
	}
}

// selectTLS11 answers the ClientHello with a ServerHello for TLS 1.1,
// whatever the client offered, as some old servers and middleboxes do.
func selectTLS11(c net.Conn) {
	defer c.Close()
	if readRecord(c) != nil {
		return
	}
	body := []byte{0x03, 0x02}
	body = append(body, make([]byte, 32)...)    // random
	body = append(body, 0x00, 0x00, 0x2f, 0x00) // no session id, TLS_RSA_WITH_AES_128_CBC_SHA, no compression
	hs := append([]byte{0x02, 0x00, 0x00, byte(len(body))}, body...)
	rec := append([]byte{0x16, 0x03, 0x02, 0x00, byte(len(hs))}, hs...)
	_, _ = c.Write(rec)
	_, _ = io.Copy(io.Discard, c)
}

// mintServer returns a server certificate for dnsNames (and 127.0.0.1)
// valid in [notBefore, notAfter], issued by a fresh CA, and a pool holding
// that CA.
func mintServer(t *testing.T, dnsNames []string, notBefore, notAfter time.Time) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "transport test CA (NOT A REAL CA)"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "transport test server"},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: dnsNames,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if len(dnsNames) == 0 {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// tlsServer is an httptest TLS server on cfg that answers 200 and counts
// new connections.
func tlsServer(t *testing.T, cfg *tls.Config) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	ts.TLS = cfg
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Config.ErrorLog = discardLog()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, &conns
}

// discardLog keeps expected handshake failures out of the test log.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
