package oidc

// Test-only names for what the package keeps unexported: no other package
// branches on these, but the tests check errors by identity.

type StatusError = tokenStatusError

// The trust report and the provider of the claims, which only this package
// uses, under the names the tests call them.
var TrustReport = trustReport

const (
	ProviderGitHub = providerGitHub
	ProviderGitLab = providerGitLab
)

// Provider is provider under the tests' name.
func (c *Claims) Provider() string { return c.provider() }
