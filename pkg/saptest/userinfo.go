package saptest

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// IASUserInfoPath is the OpenID Connect userinfo endpoint that [IAS] serves
// with [WithOAuthClients] (a real tenant's userinfo_endpoint has the same
// path).
const IASUserInfoPath = "/oauth2/userinfo"

// UserInfoURL returns URL + "/oauth2/userinfo", served with
// [WithOAuthClients]:
//
//   - GET with "Authorization: Bearer <access token>", an access token of
//     this tenant's token endpoint that has not expired: 200
//     application/json {"sub", "user_uuid" (when the token has one),
//     "client_id" (the token's azp)}.
//   - any other token, or none: 401 with `WWW-Authenticate: Bearer
//     error="invalid_token"` and {"error":"invalid_token"}.
//   - another method: 405 with "Allow: GET".
//
// The claims of a real tenant's answer depend on the application's
// attributes; these three are a guess at the least it sends.
func (s *IAS) UserInfoURL() string { return s.URL + IASUserInfoPath }

// userInfo serves GET /oauth2/userinfo.
func (o *iasOAuth) userInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, http.MethodGet)
		return
	}
	claims, ok := o.accessToken(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, "application/json", map[string]string{"error": "invalid_token"})
		return
	}
	out := map[string]any{"sub": claims["sub"], "client_id": claims["azp"]}
	if u, ok := claims["user_uuid"]; ok {
		out["user_uuid"] = u
	}
	writeJSON(w, http.StatusOK, "application/json", out)
}

// accessToken returns the claims of the bearer token in the Authorization
// header authz when it is an access token this tenant issued (signed by its
// key, iss its URL, a grant_type claim, which ID tokens lack) and it has
// not expired.
func (o *iasOAuth) accessToken(authz string) (map[string]any, bool) {
	scheme, raw, _ := strings.Cut(authz, " ")
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return nil, false
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, false
	}
	var std jwt.Claims
	var all map[string]any
	if tok.Claims(&o.key.PublicKey, &std, &all) != nil || std.Expiry == nil {
		return nil, false
	}
	if std.ValidateWithLeeway(jwt.Expected{Issuer: o.ias.URL, Time: time.Now()}, 0) != nil {
		return nil, false
	}
	if _, ok := all["grant_type"].(string); !ok {
		return nil, false
	}
	return all, true
}
