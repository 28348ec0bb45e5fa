package oidc

// Test-only names for what the package keeps unexported: no other package
// branches on these, but the tests check errors by identity.

type StatusError = tokenStatusError
