// Package oauth fetches OAuth 2.0 access tokens from SAP authorization
// servers (UAA, XSUAA, SAP Cloud Identity Services, the token URLs of Cloud
// Integration service keys and Neo's OAuth service) with three grants:
//
//   - client credentials (RFC 6749 §4.4): the client acts on its own behalf;
//   - resource owner password credentials (RFC 6749 §4.3): the client acts
//     for a user whose name and password it sends (the HANA cockpit API
//     needs this), optionally at another identity provider
//     (login_hint={"origin":…}, as go-cfclient sends it);
//   - JWT bearer (RFC 7523 §2.1): a signed JWT, such as the CI job's OIDC ID
//     token or an IAS id_token, is exchanged for a token.
//
// The requests are made by golang.org/x/oauth2's clientcredentials.Config
// through the caller's *http.Client (pkg/transport: timeouts, SAP's retry
// policy, proxies, extra CAs and, for X.509 clients, the client certificate
// for mutual TLS). For the password and jwt-bearer grants, EndpointParams
// overrides grant_type, which clientcredentials documents as allowed: one
// code path for every grant, and parameters (login_hint, assertion) that
// oauth2.Config.PasswordCredentialsToken cannot send.
//
// The flows of the registry (ClientCredentialsFlow, PasswordFlow,
// JWTBearerFlow in flow.go) read the settings, and check the token after
// it arrived when asked (required-scopes, verify-url).
//
// # Client authentication
//
// The client authenticates (RFC 6749 §2.3.1) with its id and secret either in
// the form body (client_secret_post, the default) or in a Basic
// Authorization header (client_secret_basic). The style is always
// set explicitly: x/oauth2's auto-detection sends a second request with the
// other style after any failure, which doubles failed logins and hides the
// first answer.
//
// The body style is the default because it works with every server we send token
// requests to: UAA accepts both styles (cloudfoundry/uaa
// docs/UAA-Client-Authentication.md), SAP's own XSUAA token clients send the
// body style (cloud-security-services-integration-library, which also puts
// client_id in the body for X.509 keys), and the token URLs in Cloud
// Integration keys are XSUAA token URLs. It also avoids an encoding
// mismatch: §2.3.1 says the id and secret are form-urlencoded before they go
// into the Basic header, and x/oauth2 does that (url.QueryEscape), but SAP
// client ids contain "!" and "|" (for example "sb-abc!b12|it!b34"), which
// become "%21" and "%7C", and a server that does not decode the header then
// sees another id and answers invalid_client (golang/oauth2#783). The header style
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
//	Basic header:               the same without client_id and client_secret, plus
//	                            Authorization: Basic base64(QueryEscape(id) ":" QueryEscape(secret))
//	client-auth id-token:       client_assertion=<the job's ID token>&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_id=…&<the grant's parameters>
//
// With client-auth id-token (RFC 7523 §2.2) the CI job's ID token
// authenticates the client instead of a secret, at an IAS application
// whose Client Authentication trusts the job's issuer and subject; like an
// assertion, it is sent once (see send).
//
// # Errors
//
// Failures are *tokenError values whose one-line message says what to fix. They
// never contain the client secret, the password, a token or the response
// body: only the status, the OAuth error code and the server's
// error_description, with each of those secrets replaced by *** in
// whatever encoding the server echoed it (or left out, and said so, when
// it cannot be); for network and TLS failures, the HTTP client's error
// (method, token URL, cause).
package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// clientAuthMode is how the client authenticates to the token endpoint (RFC 6749
// §2.3.1).
type clientAuthMode int

const (
	// authBody sends client_id and client_secret in the form body
	// (client_secret_post). It is the default; see the package comment for
	// why.
	authBody clientAuthMode = iota
	// authBasic sends them in an HTTP Basic Authorization header
	// (client_secret_basic), form-urlencoded first as RFC 6749 §2.3.1
	// requires.
	authBasic
	// authJobToken sends client_id and the CI job's ID token as
	// client_assertion (RFC 7523 §2.2), and no secret.
	authJobToken
)

// String returns the client-auth input's value for a.
func (a clientAuthMode) String() string {
	switch a {
	case authBody:
		return "body"
	case authBasic:
		return "basic"
	case authJobToken:
		return "id-token"
	}
	return "clientAuthMode(" + strconv.Itoa(int(a)) + ")"
}

// tokenRequest describes one token request. The zero value is not usable: a
// TokenURL and a ClientID are required.
type tokenRequest struct {
	// Grant is the grant and its own parameters; nil is the client
	// credentials grant.
	Grant *grant
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
	// Scopes are sent space-separated as the scope parameter; empty
	// strings are dropped. None means the client's default scopes.
	Scopes []string
	// ClientAuth is where the client id and secret go; the zero value is
	// authBody. authJobToken sends the id alone, with ClientAssertion.
	ClientAuth clientAuthMode
	// ClientAssertion, when set, authenticates the client instead of a
	// secret (RFC 7523 §2.2): the CI job's ID token, sent as
	// client_assertion with client_id; ClientSecret is then empty.
	ClientAssertion string
	// assertionRefused explains a refused ClientAssertion from the
	// server's error_description (in lower case): what IAS must be told of
	// the token (see client.assertionRefused).
	assertionRefused func(desc string) string
	// Secrets are the run's other secrets (a service key's private key,
	// the certificate password): not sent, but kept out of messages all
	// the same, in whatever encoding a server echoes them.
	Secrets []string
}

// grant is r's grant: the client credentials grant when Grant is nil.
func (r *tokenRequest) grant() *grant {
	if r.Grant == nil {
		return clientCredentialsGrant()
	}
	return r.Grant
}

// clientAssertionType is client_assertion_type for a JWT that
// authenticates the client (RFC 7523 §2.2).
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// params are the form parameters x/oauth2 does not send itself: the
// grant's, and the client assertion when there is one.
func (r *tokenRequest) params() url.Values {
	p := r.grant().params
	if r.ClientAssertion == "" {
		return p
	}
	withClient := url.Values{}
	for k, v := range p {
		withClient[k] = v
	}
	withClient.Set("client_assertion_type", clientAssertionType)
	withClient.Set("client_assertion", r.ClientAssertion)
	return withClient
}

// issuedToken is an access token as the token endpoint returned it (RFC 6749
// §5.1).
type issuedToken struct {
	// AccessToken is the access token.
	AccessToken string
	// TokenType is "Bearer" (the server's "bearer" as UAA writes it, or no
	// token_type at all); fetch refuses other types.
	TokenType string
	// RefreshToken is the refresh token, if any (password grant).
	RefreshToken string
	// IDToken is the OpenID Connect id_token, if any.
	IDToken string
	// Scope is the space-separated scope the server granted, if it said.
	Scope string
	// Lifetime is how long the token is valid from Issued: the answer's
	// expires_in when it is a usable number, else the "exp" claim of an
	// access token that is a JWT (as UAA and XSUAA tokens are); zero when
	// neither says.
	Lifetime time.Duration
	// Issued is when the answer arrived.
	Issued time.Time
	// Warnings say what of the answer was ignored (an odd expires_in).
	Warnings []string
}

// Secrets returns the values that must be masked: the access, refresh and id
// tokens that are not empty.
func (t *issuedToken) Secrets() []string {
	var s []string
	for _, v := range []string{t.AccessToken, t.RefreshToken, t.IDToken} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// fetch requests a token as r describes, sending exactly one POST to
// r.TokenURL through hc (whose transport may retry what SAP says to
// retry), and dates the token with now (nil means time.Now). The caller has checked r: an https
// token URL without credentials (checkTokenURL), a client id, and a
// username and password for the password grant.
//
// All grants go through clientcredentials.Config: its EndpointParams may
// override grant_type (golang.org/x/oauth2/clientcredentials documents
// this), which gives the password grant the same code path and lets the
// request carry parameters oauth2.Config.PasswordCredentialsToken cannot.
//
// Errors are *tokenError; their messages hold no secret and no response body.
func fetch(ctx context.Context, hc *http.Client, r tokenRequest, now func() time.Time) (*issuedToken, error) {
	ans := &answer{}
	client := *hc
	client.Transport = &normalizer{base: hc.Transport, ans: ans}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &client)

	// Never AuthStyleAutoDetect (the zero value): see the package comment.
	style := oauth2.AuthStyleInParams
	if r.ClientAuth == authBasic && r.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	var scopes []string
	for _, s := range r.Scopes {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	cfg := clientcredentials.Config{
		ClientID:       r.ClientID,
		ClientSecret:   r.ClientSecret,
		TokenURL:       r.TokenURL,
		Scopes:         scopes,
		AuthStyle:      style,
		EndpointParams: r.params(),
	}
	tok, err := cfg.Token(ctx)
	if err != nil {
		return nil, r.classify(ctx, err)
	}
	if now == nil {
		now = time.Now
	}
	return newToken(tok, ans, now(), r.secrets(nil))
}

// newToken copies tok and computes its lifetime once: expires_in as the
// server sent it (read by the normalizer, since x/oauth2 refuses fractional
// or textual values), else the JWT's exp claim. secrets are kept out of
// its errors, as are the answer's tokens.
func newToken(tok *oauth2.Token, ans *answer, now time.Time, secrets []string) (*issuedToken, error) {
	if strings.TrimSpace(tok.AccessToken) == "" || strings.ContainsAny(tok.AccessToken, " \t\r\n") {
		return nil, &tokenError{Hint: msgBlankToken}
	}
	typ := tok.TokenType
	if typ == "" || strings.EqualFold(typ, "bearer") {
		typ = "Bearer"
	} else {
		shown, ok := sanitize(typ, append(secrets, tok.AccessToken, tok.RefreshToken, extraString(tok, "id_token")), maxCode)
		return nil, &tokenError{Hint: fmt.Sprintf(msgNotBearer, shown), LeftOut: !ok}
	}
	t := &issuedToken{
		AccessToken:  tok.AccessToken,
		TokenType:    typ,
		RefreshToken: tok.RefreshToken,
		IDToken:      extraString(tok, "id_token"),
		Issued:       now,
	}
	var ok bool
	if t.Scope, ok = scopeOf(tok.Extra("scope")); !ok {
		t.Warnings = append(t.Warnings, msgOddScope)
	}
	d, ok, warning := flow.ExpiresIn(ans.expiresIn)
	if warning != "" {
		t.Warnings = append(t.Warnings, warning)
	}
	if !ok {
		if exp, found := jwtExpiry(tok.AccessToken); found && exp.After(now) {
			d = min(exp.Sub(now), flow.MaxLifetime) // expires-at is then exp itself
		}
	}
	t.Lifetime = d
	return t, nil
}

// extraString returns a string field of the raw response, or "".
func extraString(tok *oauth2.Token, key string) string {
	s, _ := tok.Extra(key).(string)
	return s
}
