package saptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/tls"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Paths served by [Issuer].
const (
	// DiscoveryPath is the OpenID Connect discovery document of every
	// fake that issues JWTs ([Issuer], [IAS] with [WithOAuthClients], and
	// [UAA], where it ends the path under the UAA's base).
	DiscoveryPath = "/.well-known/openid-configuration"
	// IssuerJWKSPath is where [Issuer] serves its public keys (GitHub's
	// jwks_uri has the same path).
	IssuerJWKSPath = "/.well-known/jwks"
	// IssuerTokenRequestPath is the path of [Issuer]'s GitHub-style token
	// request endpoint, the ACTIONS_ID_TOKEN_REQUEST_URL without its query.
	IssuerTokenRequestPath = "/_apis/token"
)

// The claims of the job that [Issuer] speaks for. They are shaped like
// GitHub's and GitLab's; the numbers are made up.
const (
	GitHubOwner        = "octo-org"
	GitHubOwnerID      = "4455667"
	GitHubRepository   = "octo-org/octo-repo"
	GitHubRepositoryID = "889900112"
	GitHubRef          = "refs/heads/main"
	GitHubSubject      = "repo:" + GitHubRepository + ":ref:" + GitHubRef
	GitHubWorkflowRef  = GitHubRepository + "/.github/workflows/deploy.yml@" + GitHubRef
	// GitHubDefaultAudience is the "aud" of a token requested without an
	// audience: the URL of the repository owner, as GitHub does.
	GitHubDefaultAudience = "https://github.com/" + GitHubOwner

	GitLabProjectPath   = "group/project"
	GitLabProjectID     = "42424242"
	GitLabNamespacePath = "group"
	GitLabNamespaceID   = "7777777"
	GitLabRef           = "main"
	GitLabSubject       = "project_path:" + GitLabProjectPath + ":ref_type:branch:ref:" + GitLabRef
)

// IssuerTokenLifetime is how long tokens minted by [Issuer] last, as
// GitHub's do.
const IssuerTokenLifetime = 5 * time.Minute

// issuerKeyID is the "kid" of the issuer's signing key. A token signed by
// [SignedByOtherKey] carries the same kid, so that it fails on its
// signature, not on an unknown key.
const issuerKeyID = "saptest-issuer-1"

// Issuer is a fake OpenID Connect issuer for CI jobs: GitHub's token service
// and its issuer in one server, plus GitLab-style tokens minted on demand.
//
// It serves, over TLS with [PKI]'s server certificate (no client
// certificate needed):
//
//   - GET /.well-known/openid-configuration: {"issuer": URL,
//     "jwks_uri": URL+"/.well-known/jwks", …}.
//   - GET /.well-known/jwks: the public key, RSA 2048, alg RS256.
//   - GET /_apis/token?api-version=2.0[&audience=<aud>] with
//     "Authorization: Bearer <RequestToken>": 200 {"value":"<jwt>"}, a
//     GitHub-shaped ID token (see [Issuer.MintGitHub]) whose aud is the
//     audience, or GitHubDefaultAudience when none is given. A missing or
//     wrong bearer token gets 401, a missing api-version or an empty or
//     repeated audience 400, another method 405; all with a JSON
//     {"message": "…"} body. The status codes follow GitHub's token service
//     as far as public reports show them; the bodies are a guess.
//   - POST [AzureTokenRequestPath]?api-version=7.1-preview.1 with "Authorization:
//     Bearer <AzureAccessToken>": Azure Pipelines' token service, 200
//     {"oidcToken":"<jwt>"} (see [Issuer.MintAzure]); 401 without the
//     access token.
//
// Tokens are RS256 JWTs signed by a key minted in [NewIssuer]. Issuer is safe
// for concurrent use.
type Issuer struct {
	// URL is the issuer's base URL and "iss", https://127.0.0.1:<port>.
	URL string

	srv          *server
	hc           *http.Client // trusts the PKI's root; fakes that trust this issuer fetch its keys with it
	key          *rsa.PrivateKey
	requestToken string
	// azureAccessToken is the SYSTEM_ACCESSTOKEN the Azure token service accepts.
	azureAccessToken string
	otherKey         func() (*rsa.PrivateKey, error)

	mu        sync.Mutex
	tokens    []string
	tokenOpts []TokenOption
}

// issuerKey, iasKey and forgerKey are the RSA 2048 keys of every Issuer,
// every IAS token endpoint and every forged signature of a process: a key
// costs ~70 ms to make (far more under -race, and tests start dozens of
// landscapes), and each fake checks the issuer (iss), not only the key.
var (
	issuerKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	iasKey    = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	forgerKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
)

// NewIssuer starts a fake OIDC issuer with the server certificate of p. It
// mints its RSA signing key and a random request token. Call Close when
// done.
func NewIssuer(p *PKI) (*Issuer, error) {
	key, err := issuerKey()
	if err != nil {
		return nil, fmt.Errorf("failed to generate issuer key: %w", err)
	}
	i := &Issuer{
		key:              key,
		hc:               p.HTTPClient(nil),
		requestToken:     randomString(40),
		azureAccessToken: randomString(52),
		otherKey:         forgerKey,
	}
	srv, err := startServer(p, tls.NoClientCert, func(u string) { i.URL = u }, i.handle)
	if err != nil {
		return nil, fmt.Errorf("failed to start OIDC issuer: %w", err)
	}
	i.srv = srv
	return i, nil
}

// MustIssuer is [NewIssuer] that fails the test on error and closes the
// server when the test ends.
func MustIssuer(tb TB, p *PKI) *Issuer {
	tb.Helper()
	i, err := NewIssuer(p)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	tb.Cleanup(i.Close)
	return i
}

// Close shuts the server down, ending pending delays.
func (i *Issuer) Close() { i.srv.close() }

// SetFault makes the server misbehave as f describes, replacing any fault.
func (i *Issuer) SetFault(f Fault) { i.srv.setFault(f) }

// ClearFault ends the current fault.
func (i *Issuer) ClearFault() { i.srv.clearFault() }

// Requests returns the requests received so far, in order.
func (i *Issuer) Requests() []Request { return i.srv.requests() }

// Count returns how many requests for path the server has received.
func (i *Issuer) Count(path string) int {
	n := 0
	for _, r := range i.srv.requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// RequestURL returns the value for ACTIONS_ID_TOKEN_REQUEST_URL:
// URL + "/_apis/token?api-version=2.0".
func (i *Issuer) RequestURL() string {
	return i.URL + IssuerTokenRequestPath + "?api-version=2.0"
}

// RequestToken returns the value for ACTIONS_ID_TOKEN_REQUEST_TOKEN, the
// bearer token that the token request endpoint accepts. It is secret: tests
// should check that it never leaks.
func (i *Issuer) RequestToken() string { return i.requestToken }

// JWKSURL returns URL + "/.well-known/jwks".
func (i *Issuer) JWKSURL() string { return i.URL + IssuerJWKSPath }

// Tokens returns the JWTs minted so far (by the endpoint and by the Mint
// methods), in order, so that tests can check that none leaks.
func (i *Issuer) Tokens() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.tokens...)
}

// SetTokenOptions makes the token request endpoint mint its tokens with
// opts, for example [Expired] to hand a job an expired token. No options
// restores the default.
func (i *Issuer) SetTokenOptions(opts ...TokenOption) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.tokenOpts = append([]TokenOption(nil), opts...)
}

// TokenOption changes a token minted by [Issuer], to make it broken in one
// way.
type TokenOption func(*tokenOptions)

type tokenOptions struct {
	expired, otherKey bool
	issuer            string
	claims            map[string]any
}

// Expired mints a token that expired a minute ago (issued six minutes ago).
func Expired() TokenOption { return func(o *tokenOptions) { o.expired = true } }

// SignedByOtherKey signs the token with a key that is not in the issuer's
// JWKS, under the issuer's key id, so that it fails signature checks.
func SignedByOtherKey() TokenOption { return func(o *tokenOptions) { o.otherKey = true } }

// IssuedBy sets "iss" to iss instead of the issuer's URL, for a token from
// an issuer nobody trusts (signed by this issuer's key).
func IssuedBy(iss string) TokenOption { return func(o *tokenOptions) { o.issuer = iss } }

// WithClaim sets the claim name to value, replacing the default one; a nil
// value removes the claim.
func WithClaim(name string, value any) TokenOption {
	return func(o *tokenOptions) {
		if o.claims == nil {
			o.claims = map[string]any{}
		}
		o.claims[name] = value
	}
}

// MintGitHub mints a GitHub-shaped ID token for audience aud (empty means
// GitHubDefaultAudience) with the claims iss (URL), sub (GitHubSubject),
// aud, repository, repository_id, repository_owner, repository_owner_id,
// ref, ref_type, job_workflow_ref, workflow, actor, actor_id, event_name,
// sha, runner_environment, jti, iat, nbf and exp (now + 5 minutes).
func (i *Issuer) MintGitHub(aud string, opts ...TokenOption) string {
	if aud == "" {
		aud = GitHubDefaultAudience
	}
	return i.mint(map[string]any{
		"sub":                   GitHubSubject,
		"aud":                   aud,
		"repository":            GitHubRepository,
		"repository_id":         GitHubRepositoryID,
		"repository_owner":      GitHubOwner,
		"repository_owner_id":   GitHubOwnerID,
		"repository_visibility": "private",
		"ref":                   GitHubRef,
		"ref_type":              "branch",
		"job_workflow_ref":      GitHubWorkflowRef,
		"workflow":              "deploy",
		"actor":                 "octocat",
		"actor_id":              "583231",
		"event_name":            "push",
		"sha":                   "4f2b0a5c9e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a",
		"runner_environment":    "github-hosted",
	}, opts)
}

// MintGitLab mints a GitLab-shaped ID token for audience aud, as GitLab puts
// it in the variable named under id_tokens:, with the claims iss (URL), sub
// (GitLabSubject), aud, project_path, project_id, namespace_path,
// namespace_id, ref, ref_type, ref_protected, user_login, user_id,
// pipeline_id, pipeline_source, job_id, runner_environment, jti, iat, nbf
// and exp (now + 5 minutes).
func (i *Issuer) MintGitLab(aud string, opts ...TokenOption) string {
	return i.mint(map[string]any{
		"sub":                GitLabSubject,
		"aud":                aud,
		"project_path":       GitLabProjectPath,
		"project_id":         GitLabProjectID,
		"namespace_path":     GitLabNamespacePath,
		"namespace_id":       GitLabNamespaceID,
		"ref":                GitLabRef,
		"ref_type":           "branch",
		"ref_protected":      "true",
		"user_login":         "gitlab-user",
		"user_id":            "31415",
		"pipeline_id":        "1000001",
		"pipeline_source":    "push",
		"job_id":             "2000002",
		"runner_environment": "gitlab-hosted",
	}, opts)
}

// mint adds the registered claims to claims, applies opts, signs and
// records the token.
func (i *Issuer) mint(claims map[string]any, opts []TokenOption) string {
	var o tokenOptions
	for _, opt := range opts {
		opt(&o)
	}
	now := time.Now()
	if o.expired {
		now = now.Add(-IssuerTokenLifetime - time.Minute)
	}
	claims["iss"] = i.URL
	claims["jti"] = randomHex(16)
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Add(-5 * time.Second).Unix()
	claims["exp"] = now.Add(IssuerTokenLifetime).Unix()
	if o.issuer != "" {
		claims["iss"] = o.issuer
	}
	for k, v := range o.claims {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	key := i.key
	if o.otherKey {
		k, err := i.otherKey()
		if err != nil {
			panic(fmt.Sprintf("saptest: failed to generate the other key: %v", err))
		}
		key = k
	}
	tok, err := signJWT(key, issuerKeyID, claims)
	if err != nil {
		// RS256 over a map of plain values does not fail.
		panic(fmt.Sprintf("saptest: %v", err))
	}
	i.mu.Lock()
	i.tokens = append(i.tokens, tok)
	i.mu.Unlock()
	return tok
}

// signJWT signs claims as an RS256 JWT with key under kid.
func signJWT(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("failed to create JWT signer: %w", err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("failed to sign JWT: %w", err)
	}
	return tok, nil
}

// publicJWKS is the JWKS document holding key's public half.
func publicJWKS(key *rsa.PrivateKey, kid string) jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &key.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig",
	}}}
}

type githubMessage struct {
	Message string `json:"message"`
}

func (i *Issuer) handle(w http.ResponseWriter, r *http.Request, req *Request) {
	switch r.URL.Path {
	case DiscoveryPath:
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", map[string]any{
			"issuer":                                i.URL,
			"jwks_uri":                              i.JWKSURL(),
			"subject_types_supported":               []string{"public", "pairwise"},
			"response_types_supported":              []string{"id_token"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported":                      []string{"openid"},
			"claims_supported": []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf",
				"ref", "repository", "repository_id", "repository_owner", "repository_owner_id",
				"job_workflow_ref", "project_path", "project_id", "namespace_path", "namespace_id"},
		})
	case IssuerJWKSPath:
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", publicJWKS(i.key, issuerKeyID))
	case IssuerTokenRequestPath:
		i.tokenRequest(w, r, req)
	case AzureTokenRequestPath:
		i.azureTokenRequest(w, r, req)
	default:
		http.NotFound(w, r)
	}
}

func (i *Issuer) tokenRequest(w http.ResponseWriter, r *http.Request, req *Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, "application/json", githubMessage{"method not allowed"})
		return
	}
	want := "Bearer " + i.requestToken
	if subtle.ConstantTimeCompare([]byte(req.Header.Get("Authorization")), []byte(want)) != 1 {
		writeJSON(w, http.StatusUnauthorized, "application/json", githubMessage{"Unauthorized: the request token is missing, wrong or expired"})
		return
	}
	if req.Query.Get("api-version") != "2.0" {
		writeJSON(w, http.StatusBadRequest, "application/json", githubMessage{"api-version 2.0 is required"})
		return
	}
	aud := ""
	if vs, ok := req.Query["audience"]; ok {
		if len(vs) != 1 || vs[0] == "" {
			writeJSON(w, http.StatusBadRequest, "application/json", githubMessage{"audience must be given once and not be empty"})
			return
		}
		aud = vs[0]
	}
	i.mu.Lock()
	opts := append([]TokenOption(nil), i.tokenOpts...)
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"value": i.MintGitHub(aud, opts...)})
}
