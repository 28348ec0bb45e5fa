package oauth

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/ias"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/servicekey"
)

// tokenInputs are the inputs both token flows read.
var tokenInputs = []string{config.InServiceKey, config.InServiceKeyFile, config.InTokenURL, config.InClientID,
	config.InClientSecret, config.InScope, config.InClientAuth, config.InCertificate, config.InCertificateFile,
	config.InCertificatePassword, config.InRequiredScopes, config.InVerifyURL}

// tokenOutputs are the outputs of every token flow.
var tokenOutputs = []string{config.OutAccessToken, config.OutAuthorization, config.OutTokenType, config.OutExpiresIn,
	config.OutExpiresAt, config.OutScope}

// ClientCredentialsFlow is the client-credentials entry of the flow
// registry.
var ClientCredentialsFlow = flow.Flow{
	Name:    "client-credentials",
	Summary: "OAuth2 client-credentials token (Cloud Integration, XSUAA, Neo)",
	Inputs:  tokenInputs,
	Primary: config.OutAccessToken,
	Outputs: tokenOutputs,
	Prepare: func(s *config.Settings, env *flow.Env) (flow.Run, error) {
		return prepare(s, env, clientCredentialsGrant)
	},
}

// JWTBearerFlow is the jwt-bearer entry of the flow registry: an
// assertion (by default the CI job's own ID token) exchanged for a token
// at IAS (ias-tenant) or a UAA/XSUAA (service key or token-url).
var JWTBearerFlow = flow.Flow{
	Name:    "jwt-bearer",
	Summary: "OAuth2 jwt-bearer grant (RFC 7523): the job's ID token, or an assertion, for an IAS or XSUAA token",
	Inputs:  append(append([]string{config.InIASTenant, config.InAssertion, config.InOrigin}, oidc.Inputs...), tokenInputs...),
	Primary: config.OutAccessToken,
	Outputs: append(append([]string{}, tokenOutputs...), config.OutIDToken),
	Prepare: func(s *config.Settings, env *flow.Env) (flow.Run, error) { return prepare(s, env, jwtBearerGrant) },
}

// PasswordFlow is the password entry of the flow registry.
var PasswordFlow = flow.Flow{
	Name:    "password",
	Summary: "OAuth2 password-grant token (HANA cockpit UAA)",
	Inputs:  append([]string{config.InUsername, config.InPassword, config.InOrigin}, tokenInputs...),
	Primary: config.OutAccessToken,
	Outputs: tokenOutputs,
	Prepare: func(s *config.Settings, env *flow.Env) (flow.Run, error) { return prepare(s, env, passwordGrant) },
}

// prepare readies a token request: the service key (if any) merged with the
// token-url, client-id and client-secret overrides, and the client
// certificate of X.509 keys or of the certificate inputs.
func prepare(s *config.Settings, env *flow.Env, grant grantKind) (flow.Run, error) {
	var key *servicekey.Key
	keyInput := s.ServiceKey.Input
	if s.ServiceKey.Given() {
		k, err := servicekey.Parse(s.ServiceKey.Data)
		if err != nil {
			return nil, &config.InputError{Input: keyInput, Problem: err.Error()}
		}
		// The key's secrets are masked as soon as they are known.
		for _, secret := range k.Secrets() {
			if err := env.Mask(secret); err != nil {
				return nil, err
			}
		}
		key = k
	}
	req := tokenRequest{
		Grant:        grant,
		TokenURL:     s.TokenURL,
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Scopes:       strings.Fields(s.Scope),
		ClientAuth:   authBody,
	}
	if s.ClientAuth == "basic" {
		req.ClientAuth = authBasic
	}
	if grant == passwordGrant {
		if s.Username == "" {
			return nil, s.Missing(config.InUsername, "name the user for the password grant")
		}
		if s.Password == "" {
			return nil, s.Missing(config.InPassword, "give that user's password")
		}
		req.Username, req.Password = s.Username, s.Password
	}
	if grant != clientCredentialsGrant {
		req.Origin = s.Origin
	}
	urlInput, discover := config.InTokenURL, ""
	if grant == jwtBearerGrant && s.IASTenant != "" {
		if s.TokenURL != "" || key != nil {
			return nil, &config.InputError{Input: config.InIASTenant, Problem: "given together with token-url or a service key",
				Fix: "give ias-tenant for a token from IAS, or the service key (token-url) for one from XSUAA"}
		}
		tenant, err := ias.ParseTenant(s.IASTenant)
		if err != nil {
			return nil, &config.InputError{Input: config.InIASTenant, Problem: err.Error(),
				Fix: "give a tenant id (mytenant), a host (mytenant.accounts.ondemand.com) or an https URL"}
		}
		req.TokenURL, urlInput = tenant.JoinPath(iasTokenPath).String(), config.InIASTenant
	}
	if key != nil {
		if req.ClientID == "" {
			req.ClientID = key.ClientID
		}
		if req.ClientSecret == "" {
			req.ClientSecret = key.ClientSecret
		}
		if req.TokenURL == "" && key.IsX509() && key.TokenURL == "" && key.CertURL == "" && key.URL != "" {
			// A self-managed X.509 key names no mTLS host: XSUAA publishes
			// it as mtls_endpoint_aliases in its discovery document. The
			// URL is a placeholder checked like any token URL; the run
			// looks the real one up first.
			disc, err := discoveryURL(key.URL)
			if err != nil {
				return nil, &config.InputError{Input: keyInput, Problem: `has a "url" that is not an https URL`, Fix: "use the complete service key, or give token-url"}
			}
			discover, urlInput = disc, keyInput
			req.TokenURL = key.URL
		}
		if req.TokenURL == "" {
			u, err := key.TokenEndpoint()
			if err != nil {
				return nil, &config.InputError{Input: keyInput, Problem: err.Error(), Fix: "give token-url, or use the complete service key"}
			}
			req.TokenURL, urlInput = u, keyInput
		}
	}
	switch {
	case req.TokenURL == "" && req.ClientID == "" && key == nil:
		return nil, &config.InputError{Input: config.InServiceKey, Problem: "missing",
			Fix: s.Where(config.InServiceKey) + " (or service-key-file), or give token-url and client-id"}
	case req.TokenURL == "":
		return nil, s.Missing(config.InTokenURL, "give the OAuth token URL")
	case req.ClientID == "" && key != nil:
		return nil, &config.InputError{Input: keyInput, Problem: `has no "clientid"`, Fix: "give client-id, or use the complete service key"}
	case req.ClientID == "":
		return nil, s.Missing(config.InClientID, "give the OAuth client id")
	}
	if req.ClientSecret != "" {
		// What a server may echo of the client's credentials: the Basic
		// header's base64 of id:secret, form-encoded first (RFC 6749
		// §2.3.1) or not.
		for _, form := range []string{url.QueryEscape(req.ClientID) + ":" + url.QueryEscape(req.ClientSecret), req.ClientID + ":" + req.ClientSecret} {
			if err := env.Mask(base64.StdEncoding.EncodeToString([]byte(form))); err != nil {
				return nil, err
			}
		}
	}
	if err := checkTokenURL(req.TokenURL); err != nil {
		return nil, &config.InputError{Input: urlInput, Problem: err.Error(), Fix: "use the https token URL of the service key"}
	}
	// A client certificate is decoded only when it will be sent: the
	// certificate inputs win; else an X.509 key's own certificate and key,
	// unless a client secret was given to use instead.
	var clientCert *tls.Certificate
	switch {
	case key != nil && key.Certificate != "" && (s.Certificate.Given() || req.ClientSecret == "" && key.PrivateKey != ""):
		c, err := keyCertificate(key, keyInput, s, env)
		if err != nil {
			return nil, err
		}
		clientCert = c
	case s.Certificate.Given():
		c, err := flow.ClientCertificate(s, env)
		if err != nil {
			return nil, err
		}
		clientCert = c
	}
	if req.ClientSecret == "" && clientCert == nil {
		if grant == jwtBearerGrant && (key == nil || !key.IsX509()) {
			// A public client: IAS and XSUAA take the grant only from
			// confidential clients, so the request could only fail, and
			// each failure counts toward the client's lockout.
			return nil, s.Missing(config.InClientSecret, "give the OAuth client's secret, or its X.509 certificate with certificate or certificate-file: IAS and XSUAA accept the jwt-bearer grant only from a client that authenticates; nothing was sent")
		}
		if key != nil && key.IsX509() {
			problem := "missing: the service key is an X.509 key without a private key"
			if key.Certificate == "" {
				problem = "missing: the service key is an X.509 key without a certificate or private key"
			}
			return nil, &config.InputError{Input: config.InCertificate, Problem: problem,
				Fix: s.Where(config.InCertificate) + " (or certificate-file) to the key's certificate and private key"}
		}
		return nil, s.Missing(config.InClientSecret, "give the OAuth client secret (or use an X.509 service key)")
	}
	// The jwt-bearer assertion: given, or the job's own ID token.
	var jobToken oidc.JobToken
	if grant == jwtBearerGrant {
		if s.Assertion != "" {
			req.Assertion = s.Assertion
		} else {
			var err error
			if jobToken, err = oidc.PrepareJobToken(s, env); err != nil {
				return nil, err
			}
		}
	}
	describe(env, req, urlInput, clientCert != nil, s)
	if discover != "" {
		env.Describe("token URL", "looked up in "+discover+" (mtls_endpoint_aliases), before the request")
	}
	hc, err := env.Client(clientCert)
	if err != nil {
		return nil, err
	}
	if s.VerifyURL != "" {
		if err := checkVerifyURL(s.VerifyURL); err != nil {
			return nil, &config.InputError{Input: config.InVerifyURL, Problem: err.Error(), Fix: "give the https URL of an API call the token is for, e.g. <CPI url>/api/v1/IntegrationPackages?$top=1"}
		}
	}
	// Discovery and verify-url go without the client certificate.
	var plain *http.Client
	if s.VerifyURL != "" || discover != "" {
		if plain, err = env.Client(nil); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) (*flow.Result, error) {
		if discover != "" {
			u, err := mtlsTokenEndpoint(ctx, plain, discover)
			if err != nil {
				return nil, err
			}
			req.TokenURL = u
		}
		if jobToken != nil {
			assertion, _, err := jobToken(ctx)
			if err != nil {
				return nil, err
			}
			req.Assertion = assertion
		}
		tok, err := fetch(ctx, hc, req, env.Now)
		if err != nil {
			return nil, err
		}
		for _, w := range tok.Warnings {
			env.Warn(w)
		}
		if err := checkScopes(tok, s.RequiredScopes); err != nil {
			return nil, err
		}
		if s.VerifyURL != "" {
			line, err := verify(ctx, plain, s.VerifyURL, "Bearer "+tok.AccessToken, tok.AccessToken)
			if err != nil {
				return nil, err
			}
			env.Info(line)
		}
		res := &flow.Result{
			Values: map[string]string{
				config.OutAccessToken:   tok.AccessToken,
				config.OutAuthorization: "Bearer " + tok.AccessToken,
				config.OutTokenType:     tok.TokenType,
				config.OutScope:         tok.Scope,
			},
			Secrets:  tok.Secrets(),
			Lifetime: tok.Lifetime,
			Issued:   tok.Issued,
		}
		if grant == jwtBearerGrant {
			// IAS answers a jwt-bearer grant with an id_token too: the
			// assertion for a further jwt-bearer step at XSUAA.
			res.Values[config.OutIDToken] = tok.IDToken
		}
		return res, nil
	}, nil
}

// describe tells `sap-ci-auth inspect` what the request will use; nothing
// secret.
func describe(env *flow.Env, req tokenRequest, urlInput string, cert bool, s *config.Settings) {
	env.Describe("grant", req.Grant.String())
	env.Describe("token URL", req.TokenURL+" (from "+urlInput+")")
	env.Describe("client id", req.ClientID)
	auth := "client_secret_" + map[clientAuthMode]string{authBody: "post (body)", authBasic: "basic (header)"}[req.ClientAuth]
	switch {
	case cert && req.ClientSecret == "":
		auth = "client certificate (mutual TLS), client_id in the body"
	case cert:
		auth += ", over mutual TLS"
	case req.ClientSecret == "":
		auth = "none (public client: client_id only)"
	}
	env.Describe("client authentication", auth)
	if req.Grant == passwordGrant {
		env.Describe("user", req.Username)
	}
	for _, d := range [][2]string{{"scope", strings.Join(req.Scopes, " ")}, {"origin", req.Origin},
		{"required scopes", strings.Join(s.RequiredScopes, " ")}, {"verify URL", s.VerifyURL}} {
		if d[1] != "" {
			env.Describe(d[0], d[1])
		}
	}
}

// iasTokenPath is the token endpoint of SAP Cloud Identity Services
// (SAP-docs btp-cloud-identity-services, "Configure the client to call
// Identity Authentication: jwt bearer token").
const iasTokenPath = "/oauth2/token"

// checkVerifyURL allows an absolute https URL with a port in range and no
// user info; the token goes there.
func checkVerifyURL(raw string) error {
	_, err := checkHTTPS(raw, "the token must not travel unencrypted")
	return err
}

// checkHTTPS parses an absolute https URL without user info and with a
// port in range; why says what http:// would expose.
func checkHTTPS(raw, why string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return nil, errors.New("not a valid URL")
	case strings.EqualFold(u.Scheme, "http"):
		return nil, errors.New("http:// is not allowed: " + why)
	case !strings.EqualFold(u.Scheme, "https"):
		return nil, errors.New("not an https URL")
	case u.User != nil:
		return nil, errors.New("the URL must not carry credentials")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("the port is not between 1 and 65535")
		}
	}
	return u, nil
}

// credentialParams are query parameters that carry credentials; a token URL
// holding one would print it in every network error.
var credentialParams = []string{"client_secret", "password", "assertion", "client_assertion", "access_token", "refresh_token", "code", "secret", "token"}

// checkTokenURL is the one check of a token URL, from the token-url input
// or a service key: absolute https, no user info, no credentials in the
// query.
func checkTokenURL(raw string) error {
	u, err := checkHTTPS(raw, "the client secret must not travel unencrypted")
	if err != nil {
		return err
	}
	for k := range u.Query() {
		for _, c := range credentialParams {
			if strings.EqualFold(k, c) {
				return errors.New("the URL's query carries credentials (" + c + "); give them in their own inputs")
			}
		}
	}
	return nil
}
