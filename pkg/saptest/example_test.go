package saptest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// A client fetches an IAS passcode over mutual TLS with a PKCS#12 file, as a
// user would download it from the IAS profile page.
func ExampleNewIAS() {
	p, err := saptest.NewPKI()
	if err != nil {
		log.Fatal(err)
	}
	ias, err := saptest.NewIAS(p)
	if err != nil {
		log.Fatal(err)
	}
	defer ias.Close()

	cert, err := p.IssueClient("P000042 (demo user)", saptest.ViaIntermediate())
	if err != nil {
		log.Fatal(err)
	}
	p12, err := cert.PKCS12(saptest.P12Modern, "s3cret")
	if err != nil {
		log.Fatal(err)
	}

	// The client side: decode the file, present the leaf with its chain,
	// and trust the fake's root CA (the ca-certificates input).
	key, leaf, chain, err := pkcs12.DecodeChain(p12, "s3cret")
	if err != nil {
		log.Fatal(err)
	}
	id := tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
	for _, ca := range chain {
		id.Certificate = append(id.Certificate, ca.Raw)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(p.RootPEM())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs:      roots,
		Certificates: []tls.Certificate{id},
		MinVersion:   tls.VersionTLS12,
	}}}

	req, err := http.NewRequest(http.MethodGet, ias.URL+"/service/users/passcode", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Passcode  string `json:"passcode"`
		ExpiresIn int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println("passcode length:", len(body.Passcode), "expires_in:", body.ExpiresIn)
	fmt.Println("issued by the fake:", body.Passcode == ias.Passcodes()[0])
	fmt.Println("client CN:", ias.Requests()[0].ClientCertCN)
	// Output:
	// 200 application/json
	// passcode length: 32 expires_in: 300
	// issued by the fake: true
	// client CN: P000042 (demo user)
}

// A client gets a token with the client-credentials grant, sending the
// client credentials in the body (client_secret_post).
func ExampleNewUAA() {
	p, err := saptest.NewPKI()
	if err != nil {
		log.Fatal(err)
	}
	uaa, err := saptest.NewUAA(p, saptest.UAAConfig{
		Clients: map[string]string{"sb-demo!b1|it!b2": "demo-secret"},
		Scopes:  []string{"it!b2.IntegrationOperationServer.read"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer uaa.Close()

	cfg := clientcredentials.Config{
		ClientID:     "sb-demo!b1|it!b2",
		ClientSecret: "demo-secret",
		TokenURL:     uaa.TokenURL(),
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, p.HTTPClient(nil))
	tok, err := cfg.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.TokenType, tok.Extra("scope"))
	fmt.Println("valid:", uaa.Valid(tok.AccessToken, "it!b2.IntegrationOperationServer.read"))
	fmt.Println("form:", uaa.Requests()[0].Form.Get("grant_type"), uaa.Requests()[0].Form.Get("client_id"))
	// Output:
	// bearer it!b2.IntegrationOperationServer.read
	// valid: true
	// form: client_credentials sb-demo!b1|it!b2
}

// A client calls the Cloud Integration API with a token from the fake UAA.
func ExampleNewCPI() {
	const scope = "it!b2.IntegrationOperationServer.read"
	p, err := saptest.NewPKI()
	if err != nil {
		log.Fatal(err)
	}
	uaa, err := saptest.NewUAA(p, saptest.UAAConfig{
		Clients: map[string]string{"sb-demo!b1|it!b2": "demo-secret"},
		Scopes:  []string{scope},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer uaa.Close()
	cpi, err := saptest.NewCPI(p, uaa, scope)
	if err != nil {
		log.Fatal(err)
	}
	defer cpi.Close()

	cfg := clientcredentials.Config{
		ClientID:     "sb-demo!b1|it!b2",
		ClientSecret: "demo-secret",
		TokenURL:     uaa.TokenURL(),
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, p.HTTPClient(nil))
	hc := cfg.Client(ctx) // adds "Authorization: Bearer <token>"

	q := url.Values{"$filter": {"Status ne 'DISCARDED'"}, "$orderby": {"LogEnd desc"}, "$top": {"1"}}
	resp, err := hc.Get(cpi.URL + "/api/v1/MessageProcessingLogs?" + q.Encode())
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		D struct {
			Results []struct{ MessageGuid, Status string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, len(body.D.Results), body.D.Results[0].Status)

	// Without a token the API answers 401.
	resp, err = p.HTTPClient(nil).Get(cpi.URL + "/api/v1/MessageProcessingLogs")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 1 COMPLETED
	// 401
}

// A HANA cockpit user gets a token with the password grant and lists the
// registered databases.
func ExampleNewCockpit() {
	p, err := saptest.NewPKI()
	if err != nil {
		log.Fatal(err)
	}
	uaa, err := saptest.NewUAA(p, saptest.UAAConfig{
		Clients:   map[string]string{"sb-cockpit!i1": "cockpit-secret"},
		Users:     map[string]string{"COCKPIT_ADMIN": "Manager1"},
		ExpiresIn: 14399,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer uaa.Close()
	cockpit, err := saptest.NewCockpit(p, uaa, "")
	if err != nil {
		log.Fatal(err)
	}
	defer cockpit.Close()

	cfg := oauth2.Config{
		ClientID:     "sb-cockpit!i1",
		ClientSecret: "cockpit-secret",
		Endpoint:     oauth2.Endpoint{TokenURL: uaa.TokenURL(), AuthStyle: oauth2.AuthStyleInParams},
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, p.HTTPClient(nil))
	tok, err := cfg.PasswordCredentialsToken(ctx, "COCKPIT_ADMIN", "Manager1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refresh token:", tok.RefreshToken != "", "expires_in:", tok.Extra("expires_in"))

	resp, err := cfg.Client(ctx, tok).Get(cockpit.URL + "/resource/RegisteredResourcesGet")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, body["result"])
	// Output:
	// refresh token: true expires_in: 14399
	// 200 [map[ResourceId:1 ResourceName:SYSTEMDB@H4C]]
}

// A pipeline script's error handling is tested against a tenant that is
// overloaded for one request and then recovers, and against a proxy's HTML
// login page answered with 200.
func ExampleUAA_SetFault() {
	p, err := saptest.NewPKI()
	if err != nil {
		log.Fatal(err)
	}
	uaa, err := saptest.NewUAA(p, saptest.UAAConfig{Clients: map[string]string{"ci": "ci-secret"}})
	if err != nil {
		log.Fatal(err)
	}
	defer uaa.Close()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, p.HTTPClient(nil))
	cc := clientcredentials.Config{ClientID: "ci", ClientSecret: "ci-secret", TokenURL: uaa.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}

	uaa.SetFault(saptest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "2", Times: 1})
	_, err = cc.Token(ctx)
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		fmt.Println("first:", re.Response.StatusCode, "Retry-After:", re.Response.Header.Get("Retry-After"))
	}
	if _, err := cc.Token(ctx); err == nil {
		fmt.Println("second: a token")
	}

	uaa.SetFault(saptest.Fault{Body: "<html><title>Sign in</title></html>", ContentType: "text/html"})
	_, err = cc.Token(ctx)
	fmt.Println("login page is an error:", err != nil)
	fmt.Println("requests:", len(uaa.Requests()))
	// Output:
	// first: 503 Retry-After: 2
	// second: a token
	// login page is an error: true
	// requests: 3
}
