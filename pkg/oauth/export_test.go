package oauth

// The tests of package oauth_test call the token request by the names it
// had while it was exported; nothing outside this package uses it.
type (
	Request    = tokenRequest
	Token      = issuedToken
	Grant      = grantKind
	ClientAuth = clientAuthMode
	Error      = tokenError
)

const (
	ClientCredentials = clientCredentialsGrant
	Password          = passwordGrant
	AuthBody          = authBody
	AuthBasic         = authBasic
)

var Fetch = fetch
