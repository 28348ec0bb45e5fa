package oauth

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// trickleServer is a TLS token endpoint that answers 200 with its headers
// at once and then its body one byte every tick, for as long as the client
// reads: an answer that cannot arrive in full within a short timeout.
func trickleServer(t *testing.T, tick time.Duration) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{testPKI(t).ServerCertificate()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				const body = `{"access_token":"trickled-token-0123456789","token_type":"bearer","expires_in":3600}`
				if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+
					strconv.Itoa(len(body))+"\r\n\r\n"); err != nil {
					return
				}
				for i := range len(body) {
					time.Sleep(tick)
					if _, err := c.Write([]byte{body[i]}); err != nil {
						return
					}
				}
			}(c)
		}
	}()
	return "https://" + ln.Addr().String() + "/oauth/token"
}

// TestTrickledAnswerOneMessage: a token answer whose headers arrive and
// whose body then trickles in past the timeout ends with one message, run
// after run, whichever timer fires first: the run's deadline (shorter,
// equal or longer than the client's timeout) or the client's own.
func TestTrickledAnswerOneMessage(t *testing.T) {
	t.Parallel()
	const timeout = 1500 * time.Millisecond
	const want = "token request failed: the token endpoint answered, but the answer did not arrive in full within the timeout: " +
		"check the network and any proxy (HTTPS_PROXY), or raise timeout: context deadline exceeded"
	tokenURL := trickleServer(t, 100*time.Millisecond)
	// The runs go at once, in goroutines rather than parallel subtests,
	// which -parallel would queue: they only wait.
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for run := range errs {
		wg.Go(func() {
			// The run's deadline a little before, at or after the client's.
			ctx, cancel := context.WithTimeout(t.Context(), timeout+time.Duration(run%3-1)*time.Millisecond)
			defer cancel()
			hc, err := transport.New(transport.Options{Timeout: timeout, RootCAs: testPKI(t).RootPool()})
			if err != nil {
				errs[run] = err
				return
			}
			r := ccReq
			r.TokenURL = tokenURL
			_, errs[run] = fetch(ctx, hc, r, now)
		})
	}
	wg.Wait()
	for run, err := range errs {
		if err == nil || err.Error() != want {
			t.Errorf("run %d: Fetch() error = %v\nwant %s", run, err, want)
		}
	}
}
