package servicekey

// Test-only names for what the package keeps unexported: no other package
// branches on these, but the tests check errors by identity.

var ErrEmpty = errEmpty
var ErrMissingField = errMissingField
var ErrNoJSON = errNoJSON

type SyntaxError = jsonSyntaxError
type FieldError = fieldError
