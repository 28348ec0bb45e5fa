// Package oauth fetches OAuth 2.0 access tokens from SAP authorization
// servers (UAA, XSUAA, the token URLs of Cloud Integration service keys and
// Neo's OAuth service) with two grants of RFC 6749:
//
//   - client credentials (§4.4): the client acts on its own behalf;
//   - resource owner password credentials (§4.3): the client acts for a user
//     whose name and password it sends (the HANA cockpit API needs this).
//
// The requests are made by golang.org/x/oauth2 (clientcredentials.Config.Token
// and oauth2.Config.PasswordCredentialsToken) through the caller's
// *http.Client, which carries timeouts, proxies, extra CAs and, for X.509
// clients, the client certificate for mutual TLS.
//
// # Client authentication
//
// The client authenticates (RFC 6749 §2.3.1) with its id and secret either in
// the form body (AuthBody, client_secret_post, the default) or in a Basic
// Authorization header (AuthBasic, client_secret_basic). The style is always
// set explicitly: x/oauth2's auto-detection sends a second request with the
// other style after any failure, which doubles failed logins and hides the
// first answer.
//
// AuthBody is the default because it works with every server we send token
// requests to: UAA accepts both styles (cloudfoundry/uaa
// docs/UAA-Client-Authentication.md), SAP's own XSUAA token clients send the
// body style (cloud-security-services-integration-library, which also puts
// client_id in the body for X.509 keys), and the token URLs in Cloud
// Integration keys are XSUAA token URLs. It also avoids an encoding
// mismatch: §2.3.1 says the id and secret are form-urlencoded before they go
// into the Basic header, and x/oauth2 does that (url.QueryEscape), but SAP
// client ids contain "!" and "|" (for example "sb-abc!b12|it!b34"), which
// become "%21" and "%7C", and a server that does not decode the header then
// sees another id and answers invalid_client (golang/oauth2#783). AuthBasic
// is there for servers that want the header, such as Neo's OAuth service
// (SAP's piper sends Basic there).
//
// An X.509 client has no secret: the TLS client certificate authenticates
// it. Its requests always use the body style, and x/oauth2 then sends
// client_id but no client_secret parameter at all (internal/token.go,
// newTokenRequest, sets client_secret only when it is not empty). The bodies
// sent are therefore (url.Values.Encode sorts the keys):
//
//	client credentials, secret: client_id=…&client_secret=…&grant_type=client_credentials[&scope=…]
//	client credentials, X.509:  client_id=…&grant_type=client_credentials[&scope=…]
//	password:                   client_id=…&client_secret=…&grant_type=password&password=…[&scope=…]&username=…
//	AuthBasic:                  the same without client_id and client_secret, plus
//	                            Authorization: Basic base64(QueryEscape(id) ":" QueryEscape(secret))
//
// # Errors
//
// Failures are *Error values whose one-line message says what to fix. They
// never contain the client secret, the password, a token or the response
// body: only the status, the OAuth error code and, when it is short and
// holds none of those secrets, the server's error_description; for network
// and TLS failures, the HTTP client's error (method, token URL, cause).
// Error.Kind tells which input to blame. Requests refused before sending
// wrap ErrConfig.
package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Grant is an OAuth 2.0 authorization grant type.
type Grant int

const (
	// ClientCredentials is the client credentials grant (RFC 6749 §4.4).
	ClientCredentials Grant = iota
	// Password is the resource owner password credentials grant (RFC 6749
	// §4.3).
	Password
)

// String returns the grant_type value: "client_credentials" or "password".
func (g Grant) String() string {
	switch g {
	case ClientCredentials:
		return "client_credentials"
	case Password:
		return "password"
	}
	return "Grant(" + strconv.Itoa(int(g)) + ")"
}

// ClientAuth is how the client authenticates to the token endpoint (RFC 6749
// §2.3.1).
type ClientAuth int

const (
	// AuthBody sends client_id and client_secret in the form body
	// (client_secret_post). It is the default; see the package comment for
	// why.
	AuthBody ClientAuth = iota
	// AuthBasic sends them in an HTTP Basic Authorization header
	// (client_secret_basic), form-urlencoded first as RFC 6749 §2.3.1
	// requires.
	AuthBasic
)

// String returns "body" or "basic".
func (a ClientAuth) String() string {
	switch a {
	case AuthBody:
		return "body"
	case AuthBasic:
		return "basic"
	}
	return "ClientAuth(" + strconv.Itoa(int(a)) + ")"
}

// Request describes one token request. The zero value is not usable: a
// TokenURL and a ClientID are required, and Username and Password for the
// password grant.
type Request struct {
	// Grant is the grant type; the zero value is ClientCredentials.
	Grant Grant
	// TokenURL is the token endpoint, such as
	// https://<sub>.authentication.<region>.hana.ondemand.com/oauth/token.
	// It must be an https URL without user info.
	TokenURL string
	// ClientID is the OAuth client id.
	ClientID string
	// ClientSecret is the client secret. Empty for X.509 clients, whose
	// certificate is in the *http.Client's TLS configuration: then
	// client_id goes in the body and no secret is sent, whatever ClientAuth
	// says.
	ClientSecret string
	// Username is the resource owner's name, for the Password grant.
	Username string
	// Password is the resource owner's password, for the Password grant.
	Password string
	// Scopes are sent space-separated as the scope parameter; empty
	// strings are dropped. None means the client's default scopes.
	Scopes []string
	// ClientAuth is where the client id and secret go; the zero value is
	// AuthBody.
	ClientAuth ClientAuth
}

// Token is an access token as the token endpoint returned it (RFC 6749
// §5.1).
type Token struct {
	// AccessToken is the access token.
	AccessToken string
	// TokenType is the token type, normalized so that "bearer" (as UAA
	// writes it) becomes "Bearer"; "Bearer" if the server sent none.
	TokenType string
	// RefreshToken is the refresh token, if any (password grant).
	RefreshToken string
	// IDToken is the OpenID Connect id_token, if any.
	IDToken string
	// Scope is the space-separated scope the server granted, if it said.
	Scope string
	// ExpiresIn is the lifetime in seconds from "expires_in" (a number or a
	// numeric string) or, when the answer has none, from the "exp" claim of
	// an access token that is a JWT (as UAA and XSUAA tokens are); zero if
	// neither says.
	ExpiresIn int64
	// ExpiresAt is now + ExpiresIn, in UTC; zero if ExpiresIn is zero.
	ExpiresAt time.Time
}

// Secrets returns the values that must be masked: the access, refresh and id
// tokens that are not empty.
func (t *Token) Secrets() []string {
	var s []string
	for _, v := range []string{t.AccessToken, t.RefreshToken, t.IDToken} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// ErrConfig is wrapped by the errors Fetch returns, before sending anything,
// for a request it refuses: no client id, a token URL that is not https, and
// so on.
var ErrConfig = errors.New("cannot send the token request")

// Fetch requests a token as r describes, sending exactly one POST to
// r.TokenURL through hc, and computes Token.ExpiresAt from now (time.Now if
// nil). hc must not be nil; redirects are not followed (a token endpoint
// does not redirect, and following one would resend the credentials).
//
// Errors are ErrConfig (wrapped) when nothing was sent, and *Error when the
// server, the network or TLS failed.
func Fetch(ctx context.Context, hc *http.Client, r Request, now func() time.Time) (*Token, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		return nil, fmt.Errorf("%w: no HTTP client", ErrConfig)
	}
	if now == nil {
		now = time.Now
	}
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &noRedirect)

	// Never AuthStyleAutoDetect (the zero value): see the package comment.
	style := oauth2.AuthStyleInParams
	if r.ClientAuth == AuthBasic && r.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	var scopes []string
	for _, s := range r.Scopes {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}

	var tok *oauth2.Token
	var err error
	switch r.Grant {
	case ClientCredentials:
		cfg := clientcredentials.Config{
			ClientID:     r.ClientID,
			ClientSecret: r.ClientSecret,
			TokenURL:     r.TokenURL,
			Scopes:       scopes,
			AuthStyle:    style,
		}
		tok, err = cfg.Token(ctx)
	case Password:
		cfg := &oauth2.Config{
			ClientID:     r.ClientID,
			ClientSecret: r.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: r.TokenURL, AuthStyle: style},
			Scopes:       scopes,
		}
		tok, err = cfg.PasswordCredentialsToken(ctx, r.Username, r.Password)
	}
	if err != nil {
		return nil, r.classify(ctx, err)
	}
	return newToken(tok, now()), nil
}

// validate refuses requests that cannot or must not be sent.
func (r *Request) validate() error {
	switch r.Grant {
	case ClientCredentials, Password:
	default:
		return fmt.Errorf("%w: unknown grant %v", ErrConfig, r.Grant)
	}
	switch r.ClientAuth {
	case AuthBody, AuthBasic:
	default:
		return fmt.Errorf("%w: unknown client authentication %v", ErrConfig, r.ClientAuth)
	}
	if r.TokenURL == "" {
		return fmt.Errorf("%w: no token URL", ErrConfig)
	}
	u, err := url.Parse(r.TokenURL)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%w: the token URL is not an absolute URL", ErrConfig)
	case !strings.EqualFold(u.Scheme, "https"):
		// Credentials must not travel in clear text; the caller checks too.
		return fmt.Errorf("%w: the token URL must start with https://", ErrConfig)
	case u.User != nil:
		return fmt.Errorf("%w: the token URL must not contain a user name or password", ErrConfig)
	}
	if r.ClientID == "" {
		return fmt.Errorf("%w: no client id", ErrConfig)
	}
	if r.Grant == Password {
		if r.Username == "" {
			return fmt.Errorf("%w: no username for the password grant", ErrConfig)
		}
		if r.Password == "" {
			return fmt.Errorf("%w: no password for the password grant", ErrConfig)
		}
	}
	return nil
}

// newToken copies tok, reading expires_in from the raw response: x/oauth2
// leaves Token.ExpiresIn at 0 for clientcredentials (it copies only Expiry).
func newToken(tok *oauth2.Token, now time.Time) *Token {
	t := &Token{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.Type(),
		RefreshToken: tok.RefreshToken,
		IDToken:      extraString(tok, "id_token"),
		Scope:        extraString(tok, "scope"),
	}
	if s, ok := seconds(tok.Extra("expires_in")); ok {
		t.ExpiresIn = s
	} else if tok.ExpiresIn > 0 {
		t.ExpiresIn = tok.ExpiresIn
	} else if !tok.Expiry.IsZero() {
		// x/oauth2 computed Expiry from time.Now when it got the answer.
		t.ExpiresIn = int64(math.Round(time.Until(tok.Expiry).Seconds()))
	} else if exp, ok := jwtExpiry(tok.AccessToken); ok {
		t.ExpiresIn = int64(math.Round(exp.Sub(now).Seconds()))
	}
	t.ExpiresIn = max(0, min(t.ExpiresIn, math.MaxInt32))
	if t.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(time.Duration(t.ExpiresIn) * time.Second).UTC()
	}
	return t
}

// jwtExpiry reads the "exp" claim of an access token that is a JWT (RFC 7519
// §4.1.4), without checking its signature: the value only fills the
// expires-in output when the token answer lacks expires_in, and the server
// that issued the token decides when it really expires.
func jwtExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	exp, err := claims.Exp.Int64()
	if err != nil || exp <= 0 {
		return time.Time{}, false
	}
	return time.Unix(exp, 0), true
}

// extraString returns a string field of the raw response, or "".
func extraString(tok *oauth2.Token, key string) string {
	s, _ := tok.Extra(key).(string)
	return s
}

// seconds reads an expires_in value: a JSON number (float64), a form value
// (which Token.Extra turns into int64 or float64) or a numeric string.
func seconds(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		return roundSeconds(v)
	case int64:
		return v, true
	case int:
		return int64(v), true
	case string:
		s := strings.TrimSpace(v)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return roundSeconds(f)
		}
	}
	return 0, false
}

// roundSeconds converts a float number of seconds, refusing NaN and keeping
// the conversion to int64 defined.
func roundSeconds(f float64) (int64, bool) {
	switch {
	case math.IsNaN(f):
		return 0, false
	case f > math.MaxInt32:
		return math.MaxInt32, true
	case f < 0:
		return 0, true
	}
	return int64(math.Round(f)), true
}
