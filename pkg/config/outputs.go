package config

// Output describes one step output.
type Output struct {
	// Name is the output name in action.yml; dotenv files use it in upper
	// case with underscores.
	Name string
	// Description mirrors action.yml.
	Description string
	// Secret outputs are masked before anything is written.
	Secret bool
	// NoDotenv outputs are left out of dotenv files.
	NoDotenv bool
}

// LookupOutput returns the output called name.
func LookupOutput(name string) (Output, bool) {
	for _, o := range Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return Output{}, false
}

// Output names.
const (
	OutPasscode      = "passcode"
	OutAccessToken   = "access-token"
	OutAuthorization = "authorization"
	OutTokenType     = "token-type"
	OutExpiresIn     = "expires-in"
	OutExpiresAt     = "expires-at"
	OutScope         = "scope"
	OutIDToken       = "id-token"
	OutIssuer        = "issuer"
	OutSubject       = "subject"
	OutAudience      = "audience"
)

// Outputs is the table of every output, in the order they are written.
var Outputs = []Output{
	{Name: OutPasscode, Secret: true,
		Description: "the IAS one-time passcode: the password for `btp login --idp` or `cf login --origin`; valid once, for about 5 minutes"},
	{Name: OutAccessToken, Secret: true, Description: "the OAuth access token"},
	// Not Secret: its secret part is the access token, masked on its own.
	// Not in dotenv files: its space cannot be written there safely for
	// both sh and GitLab; "Bearer $ACCESS_TOKEN" rebuilds it.
	{Name: OutAuthorization, NoDotenv: true, Description: "the Authorization header value: Bearer <access token>"},
	{Name: OutTokenType, Description: "the token type the server returned, as Bearer"},
	{Name: OutExpiresIn, Description: "seconds until the passcode or token expires (token: from expires_in, else the JWT's exp; empty if neither says)"},
	{Name: OutExpiresAt, Description: "when the passcode or token expires, RFC 3339 in UTC (empty when expires-in is)"},
	{Name: OutScope, Description: "the scopes the token carries, space separated"},
	{Name: OutIDToken, Secret: true, Description: "an OpenID Connect ID token: the job's own (oidc flow) or the one the token endpoint returned (jwt-bearer)"},
	{Name: OutIssuer, Description: "the ID token's issuer (iss), for the trust configuration in IAS"},
	{Name: OutSubject, Description: "the ID token's subject (sub)"},
	{Name: OutAudience, Description: "the ID token's audience (aud), space separated"},
}
