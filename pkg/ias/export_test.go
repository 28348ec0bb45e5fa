package ias

// Test-only names for what the package keeps unexported: no other package
// branches on these, but the tests check errors by identity.

var ErrTenant = errTenant

// Fetch, PasscodePath, Passcode and Error are what the tests call the
// unexported request, its path, its answer and its error.
var Fetch = fetch

const PasscodePath = passcodePath

type (
	Passcode = passcodeAnswer
	Error    = requestError
)
