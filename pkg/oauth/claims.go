package oauth

import (
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// tokenAlgorithms are the signature algorithms an access token may carry:
// UAA and XSUAA sign with RS256, IAS too; HS256 is UAA's symmetric option.
// The signature is never checked here (see jwtClaims).
var tokenAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}

// accessClaims are the claims of an access token this tool reads.
type accessClaims struct {
	Expiry *jwt.NumericDate `json:"exp"`
	// Scope is a list in UAA and XSUAA tokens, a string in some others.
	Scope any `json:"scope"`
}

// jwtClaims reads the claims of an access token that is a JWT (RFC 7519),
// without checking its signature: they only fill outputs (expiry) and
// checks (required-scopes) for the user's benefit; the server that issued
// the token decides what it grants. ok is false for an opaque token.
func jwtClaims(token string) (accessClaims, bool) {
	var c accessClaims
	t, err := jwt.ParseSigned(token, tokenAlgorithms)
	if err != nil || t.UnsafeClaimsWithoutVerification(&c) != nil {
		return accessClaims{}, false
	}
	return c, true
}

// jwtExpiry reads the "exp" claim of an access token that is a JWT.
func jwtExpiry(token string) (time.Time, bool) {
	c, ok := jwtClaims(token)
	if !ok || c.Expiry == nil || c.Expiry.Time().Unix() <= 0 {
		return time.Time{}, false
	}
	return c.Expiry.Time(), true
}

// grantedScopes returns the scopes a token carries: its JWT "scope" claim,
// else the answer's scope (RFC 6749 §5.1, space separated).
func grantedScopes(tok *issuedToken) []string {
	if c, ok := jwtClaims(tok.AccessToken); ok {
		switch v := c.Scope.(type) {
		case []any:
			var out []string
			for _, s := range v {
				if str, ok := s.(string); ok {
					out = append(out, str)
				}
			}
			return out
		case string:
			return strings.Fields(v)
		}
	}
	return strings.Fields(tok.Scope)
}

// missingScopes returns the required scopes the granted ones lack. A scope
// matches by its full name or by its local part after the application
// prefix, the part after the first "." (it!b12345.WorkspacePackagesRead
// matches WorkspacePackagesRead; it!b7.NodeManager.read matches
// NodeManager.read).
func missingScopes(required, granted []string) []string {
	var missing []string
	for _, r := range required {
		found := false
		for _, g := range granted {
			_, local, _ := strings.Cut(g, ".")
			if g == r || local == r {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, r)
		}
	}
	return missing
}
