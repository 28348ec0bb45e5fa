package saptest

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// JWTBearerGrant is the grant_type of the JWT bearer grant (RFC 7523 §2.1).
const JWTBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Paths that [IAS] serves with [WithOAuthClients].
const (
	// IASTokenPath is the IAS token endpoint.
	IASTokenPath = "/oauth2/token"
	// IASJWKSPath is where IAS serves the keys of its tokens (a real
	// tenant's jwks_uri has the same path).
	IASJWKSPath = "/oauth2/certs"
)

// IASTokenExpiresIn is the expires_in, in seconds, of the tokens the IAS
// token endpoint issues (as in SAP's jwt-bearer response example).
const IASTokenExpiresIn = 3600

// assertionLeeway is the clock skew allowed on exp, nbf and iat.
const assertionLeeway = 10 * time.Second

// iasKeyID is the "kid" of the IAS fake's signing key.
const iasKeyID = "saptest-ias-1"

// IASOption changes how [NewIAS] sets up the fake tenant.
type IASOption func(*iasOptions)

type iasOptions struct {
	clients map[string]string
}

// WithOAuthClients gives the IAS fake an OAuth token endpoint,
// POST /oauth2/token, for the client credentials grant (RFC 6749 §4.4) and
// the jwt-bearer grant (RFC 7523), with its discovery document
// (/.well-known/openid-configuration), keys (/oauth2/certs) and userinfo
// endpoint (/oauth2/userinfo). clients maps client ids to secrets; an empty
// secret makes an X.509 client, which authenticates with a client
// certificate whose CN equals its id and sends client_id in the body.
// Clients that authenticate with a JWT instead are added with
// [IAS.TrustClientAssertion].
//
// So that clients with a secret and no certificate reach the endpoint, the
// TLS server then asks for a client certificate without requiring one
// (tls.VerifyClientCertIfGiven), and the passcode endpoint answers a request
// without a certificate with 401 {"error":"unauthorized",…} instead of
// failing the handshake. A real tenant serves both on one host; what it
// answers a passcode request without a certificate is not documented.
//
// The token endpoint accepts a jwt-bearer assertion only from issuers made
// trusted with [IAS.TrustIssuer]. See [IAS.TokenURL] for its answers.
func WithOAuthClients(clients map[string]string) IASOption {
	return func(o *iasOptions) { o.clients = clients }
}

// iasOAuth is the IAS fake's OAuth side; nil when [WithOAuthClients] was not
// given.
type iasOAuth struct {
	ias     *IAS
	clients map[string]string
	key     *rsa.PrivateKey
	hc      *http.Client
	trust   *bearerTrust

	mu     sync.Mutex
	tokens []string
}

// setupOAuth applies opts to s and returns the client authentication its TLS
// server needs. It is called by NewIAS before the server starts.
func (s *IAS) setupOAuth(p *PKI, opts []IASOption) (tls.ClientAuthType, error) {
	var o iasOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.clients == nil {
		return tls.RequireAndVerifyClientCert, nil
	}
	key, err := iasKey()
	if err != nil {
		return 0, fmt.Errorf("failed to generate IAS token key: %w", err)
	}
	s.oauth = &iasOAuth{ias: s, clients: o.clients, key: key, hc: p.HTTPClient(nil), trust: &bearerTrust{}}
	return tls.VerifyClientCertIfGiven, nil
}

// TrustIssuer makes the IAS fake accept jwt-bearer assertions from iss, as a
// tenant does once iss is configured as a corporate OpenID Connect identity
// provider. The assertion's "aud" must contain audience (the client ID
// entered for the corporate provider) or the tenant's issuer URL, as SAP
// documents. subjectClaim is the claim whose value finds the user (the
// subject name identifier; empty means "sub"); any value is accepted as an
// existing user, whose IAS user id ("P" and six digits) is derived from it,
// so the same job always maps to the same user.
//
// The keys are fetched from iss's discovery document and jwks_uri on first
// use, and again when an assertion names an unknown key id. It panics when
// the IAS was started without [WithOAuthClients].
func (s *IAS) TrustIssuer(iss *Issuer, audience, subjectClaim string) {
	if s.oauth == nil {
		panic("saptest: IAS.TrustIssuer needs an IAS started with WithOAuthClients")
	}
	s.oauth.trust.add(trustedIssuer{issuer: iss.URL, audience: audience, subjectClaim: subjectClaim}, iss.hc)
}

// RefuseReusedJTI makes the IAS token endpoint refuse an assertion whose
// "jti" an earlier request carried, as RFC 7523 §3 allows and ory/fosite's
// handler does; see [UAA.RefuseReusedJTI]. It panics when the IAS was
// started without [WithOAuthClients].
func (s *IAS) RefuseReusedJTI() {
	if s.oauth == nil {
		panic("saptest: IAS.RefuseReusedJTI needs an IAS started with WithOAuthClients")
	}
	s.oauth.trust.refuseReusedJTI()
}

// TokenURL returns URL + "/oauth2/token", the endpoint served with
// [WithOAuthClients]:
//
//   - POST, application/x-www-form-urlencoded, parameters in the body (or,
//     as SAP's request example shows, the query string).
//   - client authentication by exactly one of: Basic (id and secret
//     form-urlencoded, as SAP documents), client_id and client_secret in the
//     body, a client certificate whose CN is the client_id of an X.509
//     client, or client_id with client_assertion_type
//     [ClientAssertionType] and a client_assertion JWT (RFC 7523 §2.2) of
//     an issuer and subject made trusted with [IAS.TrustClientAssertion].
//     None: 401 invalid_client; two at once (Basic and a body secret, or a
//     client assertion with either): 400 invalid_request "The client used
//     more than one authentication method"; a wrong secret or certificate:
//     401 invalid_client "Bad credentials".
//   - a client assertion that fails: 401 invalid_client, whose
//     error_description names the cause and never the JWT: another
//     client_assertion_type, no client_id, no client_assertion, not a
//     signed JWT, an issuer not configured for the client, no key or a bad
//     signature, no exp, expired, not valid yet, an "aud" with neither
//     URL nor TokenURL, a subject not configured for the client and
//     issuer, no jti, or a jti an earlier request carried.
//   - grant_type other than client_credentials and jwt-bearer: 400
//     unsupported_grant_type; jwt-bearer without assertion: 400
//     invalid_request.
//   - an assertion that is not a signed JWT, from an untrusted issuer,
//     with a bad signature, the wrong audience, expired, not yet valid, or
//     without the subject claim: 400 invalid_grant.
//   - client_credentials: 200 application/json {"access_token",
//     "token_type":"Bearer","expires_in":3600}, no ID or refresh token; the
//     access token is an RS256 JWT with iss = URL, sub, aud and azp = the
//     client id, "grant_type":"client_credentials", iat, exp and jti.
//   - jwt-bearer: 200 application/json {"access_token","id_token",
//     "refresh_token","token_type":"Bearer","expires_in":3600}; both tokens
//     are RS256 JWTs with iss = URL, sub = the IAS user id, aud and azp =
//     the client id, user_uuid, iat, exp and jti (the access token also
//     "grant_type"), signed by this tenant's key (published at
//     /oauth2/certs).
//
// The error bodies are {"error","error_description"}; SAP documents the
// request and the success answer, not the error texts, which are a guess.
func (s *IAS) TokenURL() string { return s.URL + IASTokenPath }

// JWKSURL returns URL + "/oauth2/certs".
func (s *IAS) JWKSURL() string { return s.URL + IASJWKSPath }

// Tokens returns the access, ID and refresh tokens issued by the token
// endpoint so far (of both grants), in order, so that tests can check that
// none leaks.
func (s *IAS) Tokens() []string {
	if s.oauth == nil {
		return nil
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	return append([]string(nil), s.oauth.tokens...)
}

// serve answers the OAuth paths and guards the passcode path in the
// optional-certificate mode; it reports whether it answered.
func (o *iasOAuth) serve(w http.ResponseWriter, r *http.Request, req *Request) bool {
	if o == nil {
		return false
	}
	switch r.URL.Path {
	case PasscodePath:
		if req.ClientCertCN != "" {
			return false
		}
		writeJSON(w, http.StatusUnauthorized, "application/json", iasError{
			Error: "unauthorized", ErrorDescription: "A client certificate is required",
		})
	case DiscoveryPath:
		u := o.ias.URL
		writeJSON(w, http.StatusOK, "application/json", map[string]any{
			"issuer":                                u,
			"token_endpoint":                        u + IASTokenPath,
			"userinfo_endpoint":                     u + IASUserInfoPath,
			"jwks_uri":                              u + IASJWKSPath,
			"grant_types_supported":                 []string{"client_credentials", JWTBearerGrant},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "tls_client_auth", "private_key_jwt"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	case IASJWKSPath:
		writeJSON(w, http.StatusOK, "application/json", publicJWKS(o.key, iasKeyID))
	case IASTokenPath:
		o.token(w, r, req)
	case IASUserInfoPath:
		o.userInfo(w, r)
	default:
		return false
	}
	return true
}

func iasOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, "application/json", iasError{Error: code, ErrorDescription: desc})
}

func (o *iasOAuth) token(w http.ResponseWriter, r *http.Request, req *Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		iasOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Only POST is supported")
		return
	}
	if req.Body != "" {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
			iasOAuthError(w, http.StatusUnsupportedMediaType, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
			return
		}
	}
	form, query := req.Form, r.URL.Query()
	param := func(name string) string {
		if form.Has(name) {
			return form.Get(name)
		}
		return query.Get(name)
	}
	clientID, ok := o.authenticate(w, r, param, req.ClientCertCN)
	if !ok {
		return
	}
	switch gt := param("grant_type"); gt {
	case "client_credentials":
		o.clientCredentials(w, clientID)
	case JWTBearerGrant:
		o.jwtBearer(w, r, param, clientID)
	default:
		iasOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+gt)
	}
}

// tokenClaims are the claims of a token this IAS issues to clientID for
// sub: iss, sub, aud and azp, iat, exp and jti, plus extra.
func (o *iasOAuth) tokenClaims(clientID, sub string, extra map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": o.ias.URL, "sub": sub, "aud": clientID, "azp": clientID,
		"iat": now.Unix(), "exp": now.Add(IASTokenExpiresIn * time.Second).Unix(), "jti": randomHex(16),
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// clientCredentials answers the client credentials grant (RFC 6749 §4.4)
// of an authenticated client: an access token whose subject is the client.
func (o *iasOAuth) clientCredentials(w http.ResponseWriter, clientID string) {
	access, err := signJWT(o.key, iasKeyID, o.tokenClaims(clientID, clientID, map[string]any{"grant_type": "client_credentials"}))
	if err != nil {
		iasOAuthError(w, http.StatusInternalServerError, "server_error", "failed to sign token")
		return
	}
	o.mu.Lock()
	o.tokens = append(o.tokens, access)
	o.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   IASTokenExpiresIn,
	})
}

// jwtBearer answers the jwt-bearer grant (RFC 7523 §2.1) of an
// authenticated client.
func (o *iasOAuth) jwtBearer(w http.ResponseWriter, r *http.Request, param func(string) string, clientID string) {
	assertion := param("assertion")
	if assertion == "" {
		iasOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing assertion")
		return
	}
	subject, verified, failure := o.trust.verify(r.Context(), assertion, o.ias.URL)
	if failure == "" {
		failure = o.trust.replayed(verified, o.ias.srv.requests(), r.URL.Path)
	}
	if failure != "" {
		iasOAuthError(w, http.StatusBadRequest, "invalid_grant", failure)
		return
	}
	userID, userUUID := iasUser(subject)
	access, err1 := signJWT(o.key, iasKeyID, o.tokenClaims(clientID, userID, map[string]any{"user_uuid": userUUID, "grant_type": JWTBearerGrant}))
	idToken, err2 := signJWT(o.key, iasKeyID, o.tokenClaims(clientID, userID, map[string]any{"user_uuid": userUUID}))
	if err1 != nil || err2 != nil {
		iasOAuthError(w, http.StatusInternalServerError, "server_error", "failed to sign token")
		return
	}
	refresh := randomString(32)
	o.mu.Lock()
	o.tokens = append(o.tokens, access, idToken, refresh)
	o.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"access_token":  access,
		"id_token":      idToken,
		"refresh_token": refresh,
		"token_type":    "Bearer",
		"expires_in":    IASTokenExpiresIn,
	})
}

// authenticate checks the client authentication and returns the client id,
// or answers with an error and returns false.
func (o *iasOAuth) authenticate(w http.ResponseWriter, r *http.Request, param func(string) string, certCN string) (string, bool) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	bodyID, bodySecret := param("client_id"), param("client_secret")
	byAssertion := param("client_assertion_type") != "" || param("client_assertion") != ""
	if byAssertion && (hasBasic || bodySecret != "") || hasBasic && bodySecret != "" {
		iasOAuthError(w, http.StatusBadRequest, "invalid_request", "The client used more than one authentication method")
		return "", false
	}
	if byAssertion {
		return o.authenticateByAssertion(w, r, param)
	}
	var id, secret string
	sentSecret := false
	switch {
	case hasBasic:
		var err1, err2 error
		id, err1 = url.QueryUnescape(basicID)
		secret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil || (bodyID != "" && bodyID != id) {
			iasOAuthError(w, http.StatusUnauthorized, "invalid_client", "Bad credentials")
			return "", false
		}
		sentSecret = true
	case bodyID != "":
		id, secret, sentSecret = bodyID, bodySecret, bodySecret != ""
	default:
		iasOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication is required")
		return "", false
	}
	if clientMatches(o.clients, id, secret, sentSecret, certCN) {
		return id, true
	}
	iasOAuthError(w, http.StatusUnauthorized, "invalid_client", "Bad credentials")
	return "", false
}

// iasUser derives the IAS user id (P and six digits) and a UUID-shaped
// user_uuid from the value of the subject name identifier.
func iasUser(subject string) (id, uuid string) {
	h := sha256.Sum256([]byte(subject))
	id = fmt.Sprintf("P%06d", binary.BigEndian.Uint32(h[:4])%1000000)
	x := hex.EncodeToString(h[4:20])
	return id, x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// TrustIAS makes the UAA accept the jwt-bearer grant (RFC 7523) with an
// access or ID token of ias as the assertion, as XSUAA does for the IAS
// tenant it trusts. The assertion's "aud" must contain audience (the IAS
// client id the token was issued to); its "sub" becomes the user_name and
// sub of the UAA token, which gets the scopes like a password grant (the
// requested ones, or all of UAAConfig.Scopes) and a refresh token. An
// assertion that fails any check gets 400 invalid_grant, as RFC 7523 §3.1
// says; UAA's own texts are not reproduced. It panics when ias was started
// without [WithOAuthClients].
func (s *UAA) TrustIAS(ias *IAS, audience string) {
	if ias.oauth == nil {
		panic("saptest: UAA.TrustIAS needs an IAS started with WithOAuthClients")
	}
	s.mu.Lock()
	if s.bearer == nil {
		s.bearer = &bearerTrust{}
	}
	t := s.bearer
	s.mu.Unlock()
	t.add(trustedIssuer{issuer: ias.URL, audience: audience, subjectClaim: "sub"}, ias.oauth.hc)
}

// RefuseReusedJTI makes the token endpoint refuse a jwt-bearer assertion
// whose "jti" an earlier request to the same path carried, with 400
// {"error":"invalid_grant","error_description":"jti_known: The jti was
// already used"}, as RFC 7523 §3 allows and ory/fosite's RFC 7523 handler
// does. Every request counts, also one the fake answered with a [Fault]
// (ServerErrorThenOK): a server that records the jti and then fails does
// the same, so a client that sends a single-use assertion again after a
// 5xx is refused. An assertion without a jti is refused too. Call it after
// [UAA.TrustIAS].
func (s *UAA) RefuseReusedJTI() {
	s.mu.Lock()
	if s.bearer == nil {
		s.bearer = &bearerTrust{}
	}
	t := s.bearer
	s.mu.Unlock()
	t.refuseReusedJTI()
}

// jwtBearer answers the jwt-bearer grant of an authenticated client.
func (s *UAA) jwtBearer(w http.ResponseWriter, r *http.Request, form url.Values, clientID string, scopes []string) {
	assertion := form.Get("assertion")
	if assertion == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing assertion")
		return
	}
	s.mu.Lock()
	t := s.bearer
	s.mu.Unlock()
	if t == nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "No trusted issuer is configured for the JWT bearer grant")
		return
	}
	user, claims, failure := t.verify(r.Context(), assertion, "")
	if failure == "" {
		failure = t.replayed(claims, s.srv.requests(), r.URL.Path)
	}
	if failure != "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", failure)
		return
	}
	s.issue(w, grant{clientID: clientID, user: user, scopes: scopes}, JWTBearerGrant, true)
}

// trustedIssuer is an issuer whose JWTs a fake accepts as jwt-bearer
// assertions.
type trustedIssuer struct {
	issuer       string
	audience     string
	subjectClaim string
}

// issuerKeys is where a fake gets an issuer's keys: hc fetches them, keys
// caches them.
type issuerKeys struct {
	hc   *http.Client
	keys *jose.JSONWebKeySet // fetched on first use
}

// bearerTrust verifies RFC 7523 JWTs against the issuers it trusts: the
// assertions of the jwt-bearer grant (§2.1) and, at IAS, client assertions
// (§2.2, see [IAS.TrustClientAssertion]). Both share the issuers' keys.
type bearerTrust struct {
	mu      sync.Mutex
	issuers map[string]*trustedIssuer // the grant's, by issuer URL
	// clients holds the client assertions' pairs: client id → issuer URL
	// → the subjects accepted.
	clients map[string]map[string][]string
	keySets map[string]*issuerKeys // by issuer URL
	// uniqueJTI refuses a grant assertion whose jti arrived before.
	uniqueJTI bool
}

func (b *bearerTrust) refuseReusedJTI() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.uniqueJTI = true
}

// replayed checks, when jti uniqueness is enforced, that the jti of the
// verified claims arrived with no earlier request to path among reqs (the
// server's requests, the current one included), and returns a failure for
// error_description otherwise.
func (b *bearerTrust) replayed(claims map[string]any, reqs []Request, path string) string {
	b.mu.Lock()
	unique := b.uniqueJTI
	b.mu.Unlock()
	if !unique {
		return ""
	}
	return reusedJTI(claims, reqs, path, "assertion")
}

// reusedJTI is the failure, for error_description, of a verified JWT (its
// claims) whose jti is missing or arrived with an earlier request to path
// among reqs (the current one included); what names the JWT ("assertion",
// "client assertion"). It is "" when the jti is new.
func reusedJTI(claims map[string]any, reqs []Request, path, what string) string {
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return "The " + what + " has no jti claim"
	}
	if jtiUses(reqs, path, jti) > 1 {
		return "jti_known: The jti of the " + what + " was already used"
	}
	return ""
}

// jtiUses counts the requests to path among reqs that carry a JWT with this
// jti, as assertion or as client_assertion. A request that carries the same
// JWT in both is one use.
func jtiUses(reqs []Request, path, jti string) int {
	n := 0
	for _, r := range reqs {
		if r.Path == path && (assertionJTI(requestParam(r, "assertion")) == jti || assertionJTI(requestParam(r, "client_assertion")) == jti) {
			n++
		}
	}
	return n
}

// requestParam returns the parameter name of a recorded request: from the
// body, else from the query string.
func requestParam(r Request, name string) string {
	if v := r.Form.Get(name); v != "" {
		return v
	}
	return r.Query.Get(name)
}

// assertionJTI is the jti of a JWT, read without verification; "" when it
// has none or is not a JWT.
func assertionJTI(assertion string) string {
	if assertion == "" {
		return ""
	}
	tok, err := jwt.ParseSigned(assertion, assertionAlgorithms)
	if err != nil {
		return ""
	}
	var c jwt.Claims
	if tok.UnsafeClaimsWithoutVerification(&c) != nil {
		return ""
	}
	return c.ID
}

func (b *bearerTrust) add(t trustedIssuer, hc *http.Client) {
	if t.subjectClaim == "" {
		t.subjectClaim = "sub"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.issuers == nil {
		b.issuers = map[string]*trustedIssuer{}
	}
	b.issuers[t.issuer] = &t
	b.addKeysLocked(t.issuer, hc)
}

// addKeysLocked makes the keys of issuer fetchable with hc; b.mu is held.
func (b *bearerTrust) addKeysLocked(issuer string, hc *http.Client) {
	if b.keySets == nil {
		b.keySets = map[string]*issuerKeys{}
	}
	if _, ok := b.keySets[issuer]; !ok {
		b.keySets[issuer] = &issuerKeys{hc: hc}
	}
}

// assertionAlgorithms are the algorithms accepted in assertions.
var assertionAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.PS256}

// parseJWT reads s as a signed JWT and its claims without verification;
// what names the JWT in the failure ("assertion", "client assertion").
func parseJWT(s, what string) (tok *jwt.JSONWebToken, unverified jwt.Claims, failure string) {
	tok, err := jwt.ParseSigned(s, assertionAlgorithms)
	if err != nil {
		return nil, jwt.Claims{}, fmt.Sprintf("The %s is not a signed JWT", what)
	}
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, jwt.Claims{}, fmt.Sprintf("The %s's claims cannot be read", what)
	}
	return tok, unverified, ""
}

// verify checks assertion as RFC 7523 §3 asks: a signed JWT from a trusted
// issuer, a valid signature by one of the issuer's keys, an "aud" holding
// the trusted audience or alsoAudience (when not empty), exp present and
// not passed, nbf and iat not in the future (each with a small leeway). It
// returns the value of the issuer's subject claim and all claims. Error
// failure is empty on success and otherwise a text fit for
// error_description: it names what failed, never the assertion.
func (b *bearerTrust) verify(ctx context.Context, assertion, alsoAudience string) (subject string, claims map[string]any, failure string) {
	tok, unverified, failure := parseJWT(assertion, "assertion")
	if failure != "" {
		return "", nil, failure
	}
	b.mu.Lock()
	t, ok := b.issuers[unverified.Issuer]
	b.mu.Unlock()
	if !ok {
		return "", nil, fmt.Sprintf("The issuer %q of the assertion is not trusted", unverified.Issuer)
	}
	want := []string{t.audience}
	if alsoAudience != "" {
		want = append(want, alsoAudience)
	}
	all, failure := b.checkSigned(ctx, tok, t.issuer, want, "assertion")
	if failure != "" {
		return "", nil, failure
	}
	subject, _ = all[t.subjectClaim].(string)
	if subject == "" {
		return "", nil, fmt.Sprintf("The assertion has no %s claim to find the user by", t.subjectClaim)
	}
	return subject, all, ""
}

// checkSigned checks tok, whose unverified iss is issuer: a valid signature
// by one of the issuer's keys, exp present and not passed, nbf and iat not
// in the future (assertionLeeway), and an "aud" holding one of audiences.
// It returns all claims, or a failure for error_description that names the
// JWT as what.
func (b *bearerTrust) checkSigned(ctx context.Context, tok *jwt.JSONWebToken, issuer string, audiences []string, what string) (claims map[string]any, failure string) {
	key, failure := b.key(ctx, issuer, tok.Headers[0].KeyID, what)
	if failure != "" {
		return nil, failure
	}
	var std jwt.Claims
	var all map[string]any
	if err := tok.Claims(key, &std, &all); err != nil {
		return nil, fmt.Sprintf("The signature of the %s is not valid", what)
	}
	if std.Expiry == nil {
		return nil, fmt.Sprintf("The %s has no exp claim", what)
	}
	switch err := std.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: audiences}, assertionLeeway); {
	case err == nil:
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, fmt.Sprintf("The audience of the %s does not contain %s", what, strings.Join(audiences, " or "))
	case errors.Is(err, jwt.ErrExpired):
		return nil, fmt.Sprintf("The %s has expired", what)
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, fmt.Sprintf("The %s is not valid yet", what)
	default:
		return nil, fmt.Sprintf("The %s's claims are not valid", what)
	}
	return all, ""
}

// key returns the public key with id kid of issuer, fetching the issuer's
// keys when they are not known yet or do not hold kid; what names the JWT
// in the failure.
func (b *bearerTrust) key(ctx context.Context, issuer, kid, what string) (key any, failure string) {
	b.mu.Lock()
	ks := b.keySets[issuer]
	keys := ks.keys
	b.mu.Unlock()
	if keys != nil {
		if k := keys.Key(kid); len(k) > 0 {
			return k[0].Key, ""
		}
	}
	keys, err := fetchJWKS(ctx, ks.hc, issuer)
	if err != nil {
		return nil, fmt.Sprintf("The keys of issuer %q cannot be fetched", issuer)
	}
	b.mu.Lock()
	ks.keys = keys
	b.mu.Unlock()
	if k := keys.Key(kid); len(k) > 0 {
		return k[0].Key, ""
	}
	return nil, fmt.Sprintf("No key of issuer %q has the %s's key id", issuer, what)
}

// fetchJWKS reads issuer's discovery document and then its jwks_uri.
func fetchJWKS(ctx context.Context, hc *http.Client, issuer string) (*jose.JSONWebKeySet, error) {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, hc, issuer+DiscoveryPath, &disc); err != nil {
		return nil, err
	}
	if disc.Issuer != issuer || disc.JWKSURI == "" {
		return nil, fmt.Errorf("discovery document of %s names issuer %q and jwks_uri %q", issuer, disc.Issuer, disc.JWKSURI)
	}
	var keys jose.JSONWebKeySet
	if err := getJSON(ctx, hc, disc.JWKSURI, &keys); err != nil {
		return nil, err
	}
	return &keys, nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("failed to build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("failed to fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("failed to fetch %s: HTTP %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(v); err != nil {
		return fmt.Errorf("failed to decode %s: %w", u, err)
	}
	return nil
}
