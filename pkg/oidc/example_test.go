package oidc_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// ExampleFetchGitHub fetches a job token from a fake GitHub token service,
// as a container action does with ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, and reads its claims.
func ExampleFetchGitHub() {
	p, err := saptest.NewPKI()
	if err != nil {
		fmt.Println(err)
		return
	}
	iss, err := saptest.NewIssuer(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer iss.Close()

	hc, err := transport.New(transport.Options{Timeout: 30 * time.Second, RootCAs: p.RootPool()})
	if err != nil {
		log.Fatal(err)
	}
	token, err := oidc.FetchGitHub(context.Background(), hc, iss.RequestURL(), iss.RequestToken(), "sap-ci-auth")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := oidc.ParseUnverified(token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Audience, c.RepositoryID, c.Subject)
	// Output: [sap-ci-auth] 889900112 repo:octo-org/octo-repo:ref:refs/heads/main
}
