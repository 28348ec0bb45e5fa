package saptest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultTokenPath is where [UAA] serves its token endpoint unless
// [UAAConfig.TokenPath] says otherwise.
const DefaultTokenPath = "/oauth/token"

// DefaultExpiresIn is the token lifetime in seconds that [UAA] reports unless
// [UAAConfig.ExpiresIn] says otherwise (XSUAA's 12 hours minus one second).
const DefaultExpiresIn = 43199

// UAAConfig configures a fake [UAA]. The zero value is a UAA without clients,
// which rejects every request.
type UAAConfig struct {
	// Clients maps client ids to secrets. An empty secret makes an X.509
	// client: it authenticates with a client certificate whose CN equals
	// its id, sends client_id in the body and no secret.
	Clients map[string]string
	// Users maps user names to passwords, for grant_type=password: the
	// users of the default identity provider, origin "uaa" ([DefaultOrigin]).
	Users map[string]string
	// Origins maps the origin key of another identity provider (the
	// "Origin Key" of a trust configuration, such as "corp-idp") to its
	// users, user names to passwords. A password grant reaches them only
	// with login_hint={"origin":"<key>"}; see [UAA].
	Origins map[string]map[string]string
	// Scopes are the scopes the UAA grants. A request without scope gets
	// all of them; a request for others fails with invalid_scope.
	Scopes []string
	// ExpiresIn is the token lifetime in seconds. Zero means
	// DefaultExpiresIn (43199). A negative value issues tokens that have
	// already expired, which [UAA.Valid] and [CPI] reject.
	ExpiresIn int
	// DecodeBasic makes the server URL-decode the client id and secret of
	// the Basic header before comparing, as RFC 6749 §2.3.1 requires (and
	// golang.org/x/oauth2 assumes: it QueryEscapes them). False compares
	// them raw, like servers that do not decode, so that ids containing
	// "!" or "|" fail when a client escapes them.
	DecodeBasic bool
	// LegacyErrors makes wrong client credentials fail with error
	// "unauthorized" (UAA before 76.26.0) instead of "invalid_client".
	LegacyErrors bool
	// TokenPath is the path of the token endpoint. Empty means
	// DefaultTokenPath ("/oauth/token"); Neo uses "/oauth2/api/v1/token".
	TokenPath string
	// CertTokenPath is the path of the same token endpoint for X.509
	// clients, published as mtls_endpoint_aliases.token_endpoint in the
	// discovery document. Empty means "/cert" + TokenPath. (XSUAA serves
	// it on another host, <sub>.authentication.cert.<region>…; the fake
	// serves it on the same server under another path, so that a test can
	// tell from [Request.Path] which one a client used.)
	CertTokenPath string
}

// DefaultOrigin is the origin key of [UAA]'s own users ([UAAConfig.Users]).
const DefaultOrigin = "uaa"

// UAA is a fake UAA/XSUAA authorization server with one token endpoint,
// POST <TokenPath> (default /oauth/token), for the grants client_credentials
// (RFC 6749 §4.4), password (§4.3) and refresh_token (§6).
//
// The same token endpoint answers at CertTokenPath (default
// /cert/oauth/token), and GET <base>/.well-known/openid-configuration, where
// <base> is TokenPath without its /oauth/token suffix (so "/uaa-security"
// for a cockpit UAA, and "" otherwise), answers the discovery document
// (200, application/json):
//
//	{"issuer":"<URL><TokenPath>","token_endpoint":"<URL><TokenPath>",
//	 "token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post","tls_client_auth"],
//	 "grant_types_supported":["client_credentials","password","refresh_token"],
//	 "mtls_endpoint_aliases":{"token_endpoint":"<URL><CertTokenPath>"}}
//
// The issuer is the token URL, as UAA's is, and equals the tokens' iss claim.
//
// The TLS server requests a client certificate but does not require one
// (tls.VerifyClientCertIfGiven), so X.509 clients work; a certificate that
// does not verify against [PKI.ClientCAPool] fails the handshake.
//
// Parameters come from the form-encoded body; grant_type, scope,
// response_type and client_id may also come from the query string, as in
// SAP Neo and piper's POST <tokenurl>?grant_type=client_credentials with
// Basic auth and an empty body.
//
// Clients authenticate with exactly one of: a Basic header
// (client_secret_basic), client_id and client_secret in the body
// (client_secret_post), or, for X.509 clients, a client certificate plus
// client_id. Success is 200, Content-Type application/json;charset=UTF-8:
//
//	{"access_token":"<JWT>","token_type":"bearer","refresh_token":"<only for password and refresh grants>",
//	 "expires_in":43199,"scope":"a b","jti":"<hex>"}
//
// The access token is a JWT (HS256, signed with a random key of this server;
// only [UAA.Valid] and [CPI] check it) with the claims jti, sub, client_id,
// cid, grant_type, scope, iat, exp, iss, zid, aud, plus user_name and origin
// (the user's origin key) for the password and refresh_token grants.
// Errors are {"error":"…","error_description":"…"} with
// Content-Type application/json;charset=UTF-8, checked in this order:
//
//   - other path: 404 plain text; other method: 405
//     {"error":"method_not_allowed","error_description":"Request method 'GET' not supported"}.
//   - a non-empty body that is not application/x-www-form-urlencoded: 415
//     invalid_request "Content type '<type>' not supported" (a Spring server
//     refuses the media type before OAuth sees it).
//   - client_secret or password in the query string: 400 invalid_request
//     "Parameters must be passed in the body of the request" (as UAA).
//   - both a Basic header and client_secret in the body: 400
//     invalid_request, because RFC 6749 §2.3 forbids more than one
//     authentication method and §5.2 names invalid_request for it.
//   - no client authentication at all: 401 unauthorized
//     "Full authentication is required to access this resource" (as UAA).
//   - client_id in the body differing from the Basic id: 401 invalid_client
//     "Given client ID does not match authenticated client" (as Spring).
//   - unknown client, wrong secret, a secret sent for an X.509 client, or an
//     X.509 client without a matching certificate: 401 invalid_client
//     "Bad credentials" (unauthorized with LegacyErrors).
//   - missing grant_type: 400 invalid_request "Missing grant type".
//   - other grant types: 400 unsupported_grant_type
//     "Unsupported grant type: <type>".
//   - a scope not in Scopes: 400 invalid_scope "Invalid scope: <s>. Did you
//     know that you can get default scopes by simply sending no value?"
//   - password grant with login_hint (body or query, URL-encoded JSON
//     {"origin":"<key>"}) naming an origin that is neither "uaa" nor a key
//     of Origins: 401 unauthorized "The origin provided in the login_hint
//     does not match an active Identity Provider, that supports password
//     grant." (UAA's PasswordGrantAuthenticationManager); a login_hint that
//     is not such JSON: 401 unauthorized "The origin provided in the login
//     hint is invalid." (the text the cf CLI knows; when UAA sends it is a
//     guess).
//   - password grant with an unknown user or a wrong password in the
//     origin asked for (Users without login_hint): 401 unauthorized "Name
//     or password mismatch", as cloudfoundry/uaa#599 records it
//     (docs/sap-protocols.md §3); the text varies between UAA versions
//     ("Bad credentials" is also seen), so clients should not parse it.
//     A user of another origin fails so without its login_hint.
//   - refresh_token grant with an unknown refresh token: 400 invalid_grant
//     "Invalid refresh token".
//
// Every 401 carries WWW-Authenticate: Basic realm="UAA/client". UAA is safe
// for concurrent use.
type UAA struct {
	// URL is the server's base URL, https://127.0.0.1:<port>.
	URL string

	cfg     UAAConfig
	srv     *server
	signKey []byte

	mu     sync.Mutex
	tokens []string
	grants map[string]grant
	bearer *bearerTrust // issuers trusted for the jwt-bearer grant, see TrustIAS (jwtbearer.go)
}

// grant is what the UAA knows about a token it issued.
type grant struct {
	clientID, user, origin string
	scopes                 []string
	expires                time.Time
	refresh                bool
}

// NewUAA starts a fake UAA with the server certificate of p. Call Close when
// done.
func NewUAA(p *PKI, cfg UAAConfig) (*UAA, error) {
	if cfg.TokenPath == "" {
		cfg.TokenPath = DefaultTokenPath
	}
	if !strings.HasPrefix(cfg.TokenPath, "/") {
		return nil, fmt.Errorf("failed to start UAA: token path %q does not start with /", cfg.TokenPath)
	}
	if cfg.CertTokenPath == "" {
		cfg.CertTokenPath = "/cert" + cfg.TokenPath
	}
	if !strings.HasPrefix(cfg.CertTokenPath, "/") || cfg.CertTokenPath == cfg.TokenPath {
		return nil, fmt.Errorf("failed to start UAA: cert token path %q does not start with / or equals the token path", cfg.CertTokenPath)
	}
	if cfg.ExpiresIn == 0 {
		cfg.ExpiresIn = DefaultExpiresIn
	}
	s := &UAA{cfg: cfg, grants: map[string]grant{}, signKey: make([]byte, 32)}
	_, _ = rand.Read(s.signKey)
	srv, err := startServer(p, tls.VerifyClientCertIfGiven, func(u string) { s.URL = u }, s.handle)
	if err != nil {
		return nil, fmt.Errorf("failed to start UAA: %w", err)
	}
	s.srv = srv
	return s, nil
}

// TokenURL returns URL + TokenPath, for example
// https://127.0.0.1:<port>/oauth/token.
func (s *UAA) TokenURL() string { return s.URL + s.cfg.TokenPath }

// CertTokenURL returns URL + CertTokenPath, for example
// https://127.0.0.1:<port>/cert/oauth/token: the mTLS alias of the token
// endpoint that the discovery document publishes.
func (s *UAA) CertTokenURL() string { return s.URL + s.cfg.CertTokenPath }

// DiscoveryURL returns the URL of the OpenID Connect discovery document,
// for example https://127.0.0.1:<port>/.well-known/openid-configuration.
func (s *UAA) DiscoveryURL() string { return s.URL + s.discoveryPath() }

func (s *UAA) discoveryPath() string {
	return strings.TrimSuffix(s.cfg.TokenPath, DefaultTokenPath) + DiscoveryPath
}

// Handler returns the server's HTTP handler, for mounting the fake token
// endpoint in another server (for example behind a proxy under test). It
// records requests and applies faults like the server does; X.509 clients
// need the other server to verify client certificates and set r.TLS.
func (s *UAA) Handler() http.Handler { return s.srv.ts.Config.Handler }

// Close shuts the server down, ending pending delays.
func (s *UAA) Close() { s.srv.close() }

// SetFault makes the server misbehave as f describes, replacing any fault.
func (s *UAA) SetFault(f Fault) { s.srv.setFault(f) }

// SetFaults makes the server answer the next requests as seq describes,
// one fault after the other, replacing any fault: fault i covers Times
// requests (at least one). When the last fault has Times 0 it covers every
// later request until ClearFault; otherwise later requests get the normal
// answer. SetFault(f) is SetFaults(f). A zero Fault in seq gives the normal
// answer for its turn. See [UnavailableThenOK] and its siblings.
func (s *UAA) SetFaults(seq ...Fault) { s.srv.setFaults(seq) }

// ClearFault ends the current fault or sequence.
func (s *UAA) ClearFault() { s.srv.clearFault() }

// Count returns how many requests for path the server received, or for
// every path when path is empty; faulted requests (a reset included) count.
// Requests whose TLS handshake failed never reach HTTP and do not count.
func (s *UAA) Count(path string) int { return s.srv.count(path) }

// Requests returns the requests received so far, in order.
func (s *UAA) Requests() []Request { return s.srv.requests() }

// Tokens returns the access and refresh tokens issued so far, in order, so
// that tests can check that none leaks.
func (s *UAA) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// Valid reports whether token is an unexpired access token issued by this
// UAA that carries scope. An empty scope checks only the token.
func (s *UAA) Valid(token, scope string) bool {
	s.mu.Lock()
	g, ok := s.grants[token]
	s.mu.Unlock()
	if !ok || g.refresh || time.Now().After(g.expires) {
		return false
	}
	return scope == "" || slices.Contains(g.scopes, scope)
}

// tokenResponse is the success body; the field order is the wire order.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	JTI          string `json:"jti"`
}

type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

const uaaContentType = "application/json;charset=UTF-8"

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="UAA/client"`)
	}
	writeJSON(w, status, uaaContentType, oauthError{Error: code, ErrorDescription: desc})
}

// discovery is the OpenID Connect discovery document; the field order is
// the wire order.
type discovery struct {
	Issuer              string            `json:"issuer"`
	TokenEndpoint       string            `json:"token_endpoint"`
	AuthMethods         []string          `json:"token_endpoint_auth_methods_supported"`
	GrantTypes          []string          `json:"grant_types_supported"`
	MTLSEndpointAliases map[string]string `json:"mtls_endpoint_aliases"`
}

func (s *UAA) handle(w http.ResponseWriter, r *http.Request, req *Request) {
	if r.URL.Path == s.discoveryPath() {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", discovery{
			Issuer:              s.TokenURL(),
			TokenEndpoint:       s.TokenURL(),
			AuthMethods:         []string{"client_secret_basic", "client_secret_post", "tls_client_auth"},
			GrantTypes:          []string{"client_credentials", "password", "refresh_token"},
			MTLSEndpointAliases: map[string]string{"token_endpoint": s.CertTokenURL()},
		})
		return
	}
	if r.URL.Path != s.cfg.TokenPath && r.URL.Path != s.cfg.CertTokenPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "method_not_allowed",
			fmt.Sprintf("Request method '%s' not supported", r.Method))
		return
	}
	if req.Body != "" {
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			writeOAuthError(w, http.StatusUnsupportedMediaType, "invalid_request",
				fmt.Sprintf("Content type '%s' not supported", ct))
			return
		}
	}
	form := req.Form
	if form == nil {
		form = url.Values{}
	}
	query := r.URL.Query()
	if query.Has("client_secret") || query.Has("password") {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Parameters must be passed in the body of the request")
		return
	}
	param := func(name string) string {
		if form.Has(name) {
			return form.Get(name)
		}
		return query.Get(name)
	}

	clientID, ok := s.authenticateClient(w, r, form, param("client_id"), req.ClientCertCN)
	if !ok {
		return
	}

	grantType := param("grant_type")
	switch grantType {
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing grant type")
		return
	case "client_credentials", "password", "refresh_token", JWTBearerGrant:
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+grantType)
		return
	}

	requested := strings.Fields(param("scope"))
	for _, sc := range requested {
		if !slices.Contains(s.cfg.Scopes, sc) {
			writeOAuthError(w, http.StatusBadRequest, "invalid_scope",
				fmt.Sprintf("Invalid scope: %s. Did you know that you can get default scopes by simply sending no value?", sc))
			return
		}
	}
	scopes := requested
	if len(scopes) == 0 {
		scopes = slices.Clone(s.cfg.Scopes)
	}

	switch grantType {
	case "client_credentials":
		s.issue(w, grant{clientID: clientID, scopes: scopes}, grantType, false)
	case "password":
		origin, users, ok := s.origin(w, param("login_hint"))
		if !ok {
			return
		}
		user, pass := form.Get("username"), form.Get("password")
		want, known := users[user]
		if !known || user == "" || subtle.ConstantTimeCompare([]byte(pass), []byte(want)) != 1 {
			writeOAuthError(w, http.StatusUnauthorized, "unauthorized", "Name or password mismatch")
			return
		}
		s.issue(w, grant{clientID: clientID, user: user, origin: origin, scopes: scopes}, grantType, true)
	case "refresh_token":
		s.mu.Lock()
		g, known := s.grants[form.Get("refresh_token")]
		s.mu.Unlock()
		if !known || !g.refresh || g.clientID != clientID {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Invalid refresh token")
			return
		}
		if len(requested) == 0 {
			scopes = g.scopes
		}
		s.issue(w, grant{clientID: clientID, user: g.user, origin: g.origin, scopes: scopes}, grantType, true)
	case JWTBearerGrant:
		s.jwtBearer(w, r, form, clientID, scopes)
	}
}

// origin returns the origin key and the users that a password grant with
// the given login_hint (empty when absent) authenticates against, or answers
// with an error and returns false.
func (s *UAA) origin(w http.ResponseWriter, loginHint string) (string, map[string]string, bool) {
	if loginHint == "" {
		return DefaultOrigin, s.cfg.Users, true
	}
	var hint struct {
		Origin *string `json:"origin"`
	}
	if err := json.Unmarshal([]byte(loginHint), &hint); err != nil || hint.Origin == nil || *hint.Origin == "" {
		writeOAuthError(w, http.StatusUnauthorized, "unauthorized", "The origin provided in the login hint is invalid.")
		return "", nil, false
	}
	if *hint.Origin == DefaultOrigin {
		return DefaultOrigin, s.cfg.Users, true
	}
	users, known := s.cfg.Origins[*hint.Origin]
	if !known {
		writeOAuthError(w, http.StatusUnauthorized, "unauthorized",
			"The origin provided in the login_hint does not match an active Identity Provider, that supports password grant.")
		return "", nil, false
	}
	return *hint.Origin, users, true
}

// authenticateClient checks the client authentication of the request and
// returns the client id, or answers with an error and returns false.
func (s *UAA) authenticateClient(w http.ResponseWriter, r *http.Request, form url.Values, bodyID, certCN string) (string, bool) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	var id, secret string
	sentSecret := false
	switch {
	case hasBasic:
		if form.Has("client_secret") {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request",
				"The client used more than one authentication method (RFC 6749 section 2.3)")
			return "", false
		}
		id, secret, sentSecret = basicID, basicSecret, true
		if s.cfg.DecodeBasic {
			var err1, err2 error
			id, err1 = url.QueryUnescape(basicID)
			secret, err2 = url.QueryUnescape(basicSecret)
			if err1 != nil || err2 != nil {
				s.badClient(w)
				return "", false
			}
		}
		if bodyID != "" && bodyID != id {
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Given client ID does not match authenticated client")
			return "", false
		}
	case bodyID != "":
		id, secret, sentSecret = bodyID, form.Get("client_secret"), form.Has("client_secret")
	default:
		writeOAuthError(w, http.StatusUnauthorized, "unauthorized", "Full authentication is required to access this resource")
		return "", false
	}

	if clientMatches(s.cfg.Clients, id, secret, sentSecret, certCN) {
		return id, true
	}
	s.badClient(w)
	return "", false
}

// clientMatches is the credential check the UAA and IAS fakes share: clients
// maps each client id to its secret, or to "" for an X.509 client, whose
// verified certificate (common name certCN) is the credential; a secret,
// even an empty one in a Basic header, is then refused.
func clientMatches(clients map[string]string, id, secret string, sentSecret bool, certCN string) bool {
	want, known := clients[id]
	switch {
	case !known:
		return false
	case want == "":
		return !sentSecret && certCN != "" && certCN == id
	}
	return subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

func (s *UAA) badClient(w http.ResponseWriter) {
	code := "invalid_client"
	if s.cfg.LegacyErrors {
		code = "unauthorized"
	}
	writeOAuthError(w, http.StatusUnauthorized, code, "Bad credentials")
}

// issue mints an access token (and a refresh token if withRefresh) for g,
// stores them and answers.
func (s *UAA) issue(w http.ResponseWriter, g grant, grantType string, withRefresh bool) {
	now := time.Now()
	g.expires = now.Add(time.Duration(s.cfg.ExpiresIn) * time.Second)
	jti := randomHex(16)
	claims := map[string]any{
		"jti":        jti,
		"sub":        g.clientID,
		"client_id":  g.clientID,
		"cid":        g.clientID,
		"azp":        g.clientID,
		"grant_type": grantType,
		"scope":      g.scopes,
		"iat":        now.Unix(),
		"exp":        g.expires.Unix(),
		"iss":        s.TokenURL(),
		"zid":        "saptest",
		"aud":        []string{g.clientID},
	}
	if g.user != "" {
		claims["user_name"] = g.user
		claims["sub"] = g.user
		claims["origin"] = g.origin
	}
	access, err := s.jwt(claims)
	if err != nil {
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "failed to sign token")
		return
	}
	resp := tokenResponse{
		AccessToken: access,
		TokenType:   "bearer",
		ExpiresIn:   s.cfg.ExpiresIn,
		Scope:       strings.Join(g.scopes, " "),
		JTI:         jti,
	}
	s.mu.Lock()
	s.grants[access] = g
	s.tokens = append(s.tokens, access)
	if withRefresh {
		resp.RefreshToken = randomHex(16) + "-r"
		rg := g
		rg.refresh = true
		rg.expires = now.Add(30 * 24 * time.Hour)
		s.grants[resp.RefreshToken] = rg
		s.tokens = append(s.tokens, resp.RefreshToken)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, uaaContentType, resp)
}

// jwt encodes claims as a compact JWS with HS256 under the server's key.
func (s *UAA) jwt(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": "saptest"})
	if err != nil {
		return "", fmt.Errorf("failed to encode JWT header: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("failed to encode JWT claims: %w", err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, s.signKey)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

// randomHex returns 2n random hex digits.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
