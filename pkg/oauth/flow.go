package oauth

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
)

// ClientCredentialsFlow is the client-credentials entry of the flow
// registry: a token for the client itself, from a UAA/XSUAA (service key or
// token-url) or an IAS application (ias-tenant), whose client may
// authenticate with the job's ID token (client-auth id-token, hence the
// inputs of the job's token).
var ClientCredentialsFlow = tokenFlow("client-credentials", textClientCredentialsSummary,
	append(config.Names(&config.In.IASTenant), oidc.Inputs...), clientCredentials)

// PasswordFlow is the password entry of the flow registry.
var PasswordFlow = tokenFlow("password", textPasswordSummary,
	config.Names(&config.In.Username, &config.In.Password, &config.In.Origin), password)

// JWTBearerFlow is the jwt-bearer entry of the flow registry: an
// assertion (by default the CI job's own ID token) exchanged for a token
// at IAS (ias-tenant) or a UAA/XSUAA (service key or token-url).
var JWTBearerFlow = tokenFlow("jwt-bearer", textJWTBearerSummary,
	append(config.Names(&config.In.IASTenant, &config.In.Assertion, &config.In.Origin), oidc.Inputs...), jwtBearer, config.OutIDToken)

// tokenInputs are the inputs every token flow reads: the client, the scope,
// and the checks of the token.
var tokenInputs = config.Names(&config.In.ServiceKey, &config.In.TokenURL, &config.In.ClientID, &config.In.ClientSecret,
	&config.In.Scope, &config.In.ClientAuth, &config.In.Certificate, &config.In.CertificatePassword,
	&config.In.RequiredScopes, &config.In.VerifyURL)

// tokenOutputs are the outputs of every token flow.
var tokenOutputs = []string{config.OutAccessToken, config.OutAuthorization, config.OutTokenType, config.OutExpiresIn,
	config.OutExpiresAt, config.OutScope}

// tokenFlow is the registry entry of a token flow: the grant's own inputs
// and outputs besides every token flow's, and the grant's function.
func tokenFlow(name, summary string, inputs []string, g func(*config.Settings, *flow.Env) (*grant, error), outputs ...string) flow.Flow {
	outputs = append(append([]string(nil), tokenOutputs...), outputs...)
	return flow.Flow{
		Name:    name,
		Summary: summary,
		Inputs:  append(inputs, tokenInputs...),
		Primary: config.OutAccessToken,
		Outputs: outputs,
		Prepare: func(s *config.Settings, env *flow.Env) (flow.Run, error) {
			gr, err := g(s, env)
			if err != nil {
				return nil, err
			}
			return prepare(s, env, gr, outputs)
		},
	}
}

// attempt gives, for each attempt at the token request r, r with the
// credentials that can be sent only once: the job's ID token as the
// grant's assertion or as the client's credential, fetched afresh.
type attempt struct {
	// with returns r with this attempt's credentials.
	with func(ctx context.Context, r tokenRequest) (tokenRequest, error)
	// singleUse: what the request carries must never reach the server
	// twice (RFC 7523 §3: a server may refuse a jti it saw).
	singleUse bool
	// renewable: each attempt carries a fresh job token (from a CI token
	// service) in place of every single-use credential, so the request may
	// be repeated.
	renewable bool
}

// credentials prepares how g's request to client c gets what it may send
// once. The job's ID token is set up once (after the client, so that a
// client that could only be refused is reported before the job's token
// service is), when g's assertion is the job's token or c authenticates
// with it; one token then serves both in an attempt.
func credentials(s *config.Settings, env *flow.Env, g *grant, c *client) (*attempt, error) {
	byToken := c.auth == authJobToken
	a := &attempt{singleUse: g.singleUse || byToken}
	if !g.jobAssertion && !byToken {
		a.with = func(_ context.Context, r tokenRequest) (tokenRequest, error) { return r, nil }
		return a, nil
	}
	var auth *oidc.ClientAuth
	if byToken {
		auth = &oidc.ClientAuth{ClientID: c.id, Audience: c.audience, AsUser: g.jobAssertion}
	}
	job, err := oidc.PrepareJobToken(s, env, auth)
	if err != nil {
		return nil, err
	}
	// A given assertion beside the job's token cannot be renewed.
	a.renewable = oidc.FromTokenService(s) && (g.jobAssertion || !g.singleUse)
	a.with = func(ctx context.Context, r tokenRequest) (tokenRequest, error) {
		token, claims, err := job(ctx)
		if err != nil {
			return r, err
		}
		if g.jobAssertion {
			r.Grant = g.withAssertion(token)
		}
		if byToken {
			r.ClientAssertion = token
			r.assertionRefused = c.assertionRefused(auth, claims)
		}
		return r, nil
	}
	return a, nil
}

// prepare readies a token request for grant g: the client resolved, the
// verify-url checked, the HTTP clients built; nothing is sent. The run sets
// those of outputs that the token answer gives.
func prepare(s *config.Settings, env *flow.Env, g *grant, outputs []string) (flow.Run, error) {
	c, err := resolveClient(s, env, g)
	if err != nil {
		return nil, err
	}
	creds, err := credentials(s, env, g, c)
	if err != nil {
		return nil, err
	}
	env.Describe(textGrant, g.name)
	c.describe(env)
	for _, d := range append(g.describe, [2]string{textScope, s.Scope}, [2]string{textRequiredScopes, strings.Join(s.RequiredScopes, " ")},
		[2]string{textVerifyURL, s.VerifyURL}) {
		if d[1] != "" {
			env.Describe(d[0], d[1])
		}
	}
	if s.VerifyURL != "" {
		if err := checkVerifyURL(s.VerifyURL); err != nil {
			return nil, &config.InputError{Input: s.Name(&s.VerifyURL), Problem: err.Error(), Fix: msgFixVerifyURL}
		}
	}
	client := env.Client
	if creds.singleUse {
		client = env.SingleUse
	}
	hc, err := client(c.cert)
	if err != nil {
		return nil, err
	}
	// Discovery and verify-url go without the client certificate.
	var plain *http.Client
	if s.VerifyURL != "" || c.discover != "" {
		if plain, err = env.Client(nil); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) (*flow.Result, error) {
		req := tokenRequest{Grant: g, TokenURL: c.tokenURL, ClientID: c.id, ClientSecret: c.secret, ClientAuth: c.auth, Scopes: strings.Fields(s.Scope),
			Secrets: c.secrets}
		if c.discover != "" {
			u, err := mtlsTokenEndpoint(ctx, plain, c.discover)
			if err != nil {
				return nil, err
			}
			req.TokenURL = u
		}
		tok, err := send(ctx, env, hc, req, creds)
		if err != nil {
			return nil, err
		}
		for _, w := range tok.Warnings {
			env.Warn(w)
		}
		// What the verify-url's API (or the granted scopes) must not show.
		known := append(req.secrets(nil), tok.Secrets()...)
		if err := checkScopes(tok, s.RequiredScopes, known); err != nil {
			return nil, err
		}
		if s.VerifyURL != "" {
			line, err := verify(ctx, plain, s.VerifyURL, "Bearer "+tok.AccessToken, known)
			if err != nil {
				return nil, err
			}
			env.Info(line)
		}
		values := map[string]string{
			config.OutAccessToken:   tok.AccessToken,
			config.OutAuthorization: "Bearer " + tok.AccessToken,
			config.OutTokenType:     tok.TokenType,
			config.OutScope:         tok.Scope,
			// IAS answers a jwt-bearer grant with an id_token too: the
			// assertion for a further jwt-bearer step.
			config.OutIDToken: tok.IDToken,
		}
		res := &flow.Result{Values: map[string]string{}, Secrets: tok.Secrets(), Lifetime: tok.Lifetime, Issued: tok.Issued}
		missing := missingScopes(s.RequiredScopes, grantedScopes(tok))
		for _, r := range s.RequiredScopes {
			res.Required = append(res.Required, flow.ScopeCheck{Scope: r, Present: !slices.Contains(missing, r)})
		}
		for _, o := range outputs {
			if v, ok := values[o]; ok {
				res.Values[o] = v
			}
		}
		return res, nil
	}, nil
}
