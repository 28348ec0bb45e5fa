package config

import (
	"context"
	"reflect"
	"testing"
)

// TestLoadCIIDTokenSources: Azure Pipelines' token service and the
// variables in which Bitbucket and CircleCI give the job's ID token come in
// through Load, and every secret among them is on the mask list.
func TestLoadCIIDTokenSources(t *testing.T) {
	t.Parallel()
	s, err := Load(context.Background(), Source{Flows: flows, Getenv: env(map[string]string{
		"SAP_CI_AUTH_FLOW":     "password",
		EnvAzureOIDCRequestURI: " https://dev.azure.com/o/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken ",
		EnvAzureAccessToken:    "azure-access\n",
		EnvBitbucketIDToken:    "bitbucket.jwt.value",
		EnvCircleCIIDToken:     " circle.jwt.value ",
		"CIRCLE_OIDC_TOKEN":    "v1-is-not-read",
		EnvIDTokenRequestToken: "gh-request",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.AzureTokenRequest, (TokenRequest{URL: "https://dev.azure.com/o/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken", Token: "azure-access"}); got != want {
		t.Errorf("got AzureTokenRequest %+v, want %+v", got, want)
	}
	wantCI := []CIIDToken{{Env: EnvBitbucketIDToken, Token: "bitbucket.jwt.value"}, {Env: EnvCircleCIIDToken, Token: "circle.jwt.value"}}
	if !reflect.DeepEqual(s.CIIDTokens, wantCI) {
		t.Errorf("got CIIDTokens %+v, want %+v", s.CIIDTokens, wantCI)
	}
	if got, want := s.Secrets(), []string{"gh-request", "azure-access", "bitbucket.jwt.value", "circle.jwt.value"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets() = %q, want %q", got, want)
	}
}
