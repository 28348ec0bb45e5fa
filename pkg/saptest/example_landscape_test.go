package saptest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// A pipeline test brings up the whole landscape and uses the Cloud
// Integration service key as a pipeline holds it.
func ExampleNewLandscape() {
	l, err := saptest.NewLandscape()
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	var key struct {
		OAuth struct {
			ClientID     string `json:"clientid"`
			ClientSecret string `json:"clientsecret"`
			TokenURL     string `json:"tokenurl"`
		} `json:"oauth"`
	}
	if err := json.Unmarshal([]byte(l.CPIKey), &key); err != nil {
		log.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, l.PKI.HTTPClient(nil))
	cc := clientcredentials.Config{ClientID: key.OAuth.ClientID, ClientSecret: key.OAuth.ClientSecret,
		TokenURL: key.OAuth.TokenURL, AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cc.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("scope:", tok.Extra("scope"))
	fmt.Println("valid at the CPI:", l.UAA.Valid(tok.AccessToken, saptest.LandscapeCPIScope))
	fmt.Println("token requests:", l.UAA.Count(saptest.DefaultTokenPath))
	// Output:
	// scope: it!b202.IntegrationOperationServer.read
	// valid at the CPI: true
	// token requests: 1
}

// A retry policy is tested against a tenant that answers 503 once and then
// recovers: the client must send exactly two requests. After a 401, which
// SAP counts towards a lockout, it must send exactly one.
func ExampleUAA_SetFaults() {
	l, err := saptest.NewLandscape()
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, l.PKI.HTTPClient(nil))
	cc := clientcredentials.Config{ClientID: saptest.LandscapeCPIClientID, ClientSecret: l.CPIClientSecret,
		TokenURL: l.UAA.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}

	l.UAA.SetFaults(saptest.UnavailableThenOK()...)
	_, first := cc.Token(ctx) // a client without retries fails here
	_, second := cc.Token(ctx)
	fmt.Println("503 then 200:", first != nil, second == nil, l.UAA.Count(saptest.DefaultTokenPath))

	l.UAA.SetFaults(saptest.UnauthorizedForever()...)
	_, err = cc.Token(ctx)
	fmt.Println("401:", err != nil, l.UAA.Count(saptest.DefaultTokenPath))
	// Output:
	// 503 then 200: true true 2
	// 401: true 3
}
