// Command minclient is the yardstick of test/bench.sh: the smallest Go
// program that does the same exchange as sap-ci-auth, with none of its
// checks, retries, masking or output formats. The binary should cost no more
// than this client (issue 9): whatever it costs beyond it is start-up work or
// policy a run pays for.
//
//	minclient passcode TENANT_URL P12_FILE    password in MINCLIENT_P12_PASSWORD
//	minclient token TOKEN_URL CLIENT_ID       secret in MINCLIENT_CLIENT_SECRET
//
// Both trust the system roots (SSL_CERT_FILE, SSL_CERT_DIR) plus the PEM file
// named by MINCLIENT_CA_FILE, as sap-ci-auth does with ca-certificates.
// Without MINCLIENT_CA_FILE the client leaves RootCAs nil, as a minimal Go
// client does, and crypto/tls verifies against the system roots.
// The passcode or token goes to stdout: this is a benchmark tool for the
// fakes of test/fakesap, never for real credentials.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"software.sslmate.com/src/go-pkcs12"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: minclient passcode TENANT_URL P12_FILE | minclient token TOKEN_URL CLIENT_ID")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "passcode":
		err = passcode(os.Args[2], os.Args[3])
	case "token":
		err = token(os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "minclient:", err)
		os.Exit(1)
	}
}

// tlsConfig trusts the system roots plus MINCLIENT_CA_FILE, if set.
func tlsConfig() (*tls.Config, error) {
	if os.Getenv("MINCLIENT_CA_FILE") == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(os.Getenv("MINCLIENT_CA_FILE"))
	if err != nil {
		return nil, err
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in MINCLIENT_CA_FILE")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func passcode(tenant, p12File string) error {
	der, err := os.ReadFile(p12File)
	if err != nil {
		return err
	}
	key, leaf, chain, err := pkcs12.DecodeChain(der, os.Getenv("MINCLIENT_P12_PASSWORD"))
	if err != nil {
		return err
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	tc, err := tlsConfig()
	if err != nil {
		return err
	}
	tc.Certificates = []tls.Certificate{cert}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true}}
	req, err := http.NewRequest(http.MethodGet, tenant+"/service/users/passcode", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	var answer struct {
		Passcode string `json:"passcode"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&answer); err != nil {
		return err
	}
	fmt.Println(answer.Passcode)
	return nil
}

func token(tokenURL, clientID string) error {
	tc, err := tlsConfig()
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true}}
	cfg := clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: os.Getenv("MINCLIENT_CLIENT_SECRET"),
		TokenURL:     tokenURL,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	tok, err := cfg.Token(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
	if err != nil {
		return err
	}
	fmt.Println(tok.AccessToken)
	return nil
}
