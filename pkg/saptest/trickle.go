package saptest

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// TrickleBody is the token answer a [MustTrickle] server sends, one byte
// at a time.
const TrickleBody = `{"access_token":"trickled-token-0123456789","token_type":"bearer","expires_in":3600}`

// MustTrickle starts a TLS token endpoint on 127.0.0.1, trusted through p,
// that answers every request with 200 and its headers at once, then sends
// the body ([TrickleBody]) one byte every tick, for as long as the client
// reads: an answer that cannot arrive in full within a short timeout. It
// returns the token URL; the server stops when the test ends. (A raw
// connection, not net/http's server, so that nothing buffers the bytes.)
func MustTrickle(tb TB, p *PKI, tick time.Duration) string {
	tb.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{p.ServerCertificate()}, MinVersion: tls.VersionTLS12})
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go trickle(c, tick)
		}
	}()
	return "https://" + ln.Addr().String() + "/oauth/token"
}

// trickle answers the one request on c with TrickleBody, a byte each tick.
func trickle(c net.Conn, tick time.Duration) {
	defer c.Close()
	if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
		return
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(TrickleBody))+"\r\n\r\n"); err != nil {
		return
	}
	for i := range len(TrickleBody) {
		time.Sleep(tick)
		if _, err := c.Write([]byte{TrickleBody[i]}); err != nil {
			return
		}
	}
}
