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
// registry.
var ClientCredentialsFlow = tokenFlow("client-credentials", textClientCredentialsSummary,
	nil, clientCredentials)

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

// prepare readies a token request for grant g: the client resolved, the
// verify-url checked, the HTTP clients built; nothing is sent. The run sets
// those of outputs that the token answer gives.
func prepare(s *config.Settings, env *flow.Env, g *grant, outputs []string) (flow.Run, error) {
	c, err := resolveClient(s, env, g)
	if err != nil {
		return nil, err
	}
	withAssertion, err := g.assertion()
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
	if g.singleUse {
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
		req := tokenRequest{TokenURL: c.tokenURL, ClientID: c.id, ClientSecret: c.secret, ClientAuth: c.auth, Scopes: strings.Fields(s.Scope),
			Secrets: c.secrets}
		if c.discover != "" {
			u, err := mtlsTokenEndpoint(ctx, plain, c.discover)
			if err != nil {
				return nil, err
			}
			req.TokenURL = u
		}
		tok, err := send(ctx, env, hc, req, g, withAssertion)
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
