package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/ias"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
)

// grant is one OAuth 2.0 authorization grant: what it adds to a token
// request, and what the server's error answers mean for it. A grant's
// function (clientCredentials, password, jwtBearer) reads the grant's own
// inputs and builds it; the client it is sent for is resolved apart
// (resolveClient), the same way for every grant.
type grant struct {
	// name is the grant as messages and inspect call it.
	name string
	// params are the grant's own form parameters (grant_type, username,
	// password, assertion, login_hint); none means client_credentials,
	// which x/oauth2 sends.
	params url.Values
	// secrets are the values of params that must never be printed.
	secrets []string
	// hint explains an error answer that means something of its own for
	// this grant (code and desc in lower case); "" leaves the answer to the
	// rules every grant shares. Nil means none.
	hint func(r *tokenRequest, status int, code, desc string) string
	// describe lists what inspect shows of the grant; never a secret.
	describe [][2]string

	// Set by the grant's function for its flow:

	// tokenURL, when set, is where the grant goes whatever the client's
	// inputs say (at an IAS tenant), urlInput the input it came from, and
	// tenant the tenant's URL.
	tokenURL, urlInput, tenant string
	// confidential refuses a client that neither has a secret nor a
	// certificate.
	confidential bool
	// jobAssertion: the assertion is the job's ID token, fetched at run
	// time (jwt-bearer without an assertion input); prepare sets it up once
	// the client is resolved, so that a client that could only be refused
	// is reported before the job's token service is set up.
	jobAssertion bool
	// singleUse: the grant's assertion must never reach the server twice
	// (RFC 7523 §3: a server may refuse a jti it saw), so the request goes
	// out through a client that never repeats it (see send).
	singleUse bool
	// idTokenAuth: the client may authenticate with the job's ID token
	// (client-auth id-token); only grants that IAS takes that way.
	idTokenAuth bool
}

// withAssertion returns g sending assertion (RFC 7523 §2.1).
func (g *grant) withAssertion(assertion string) *grant {
	c := *g
	c.params = url.Values{}
	for k, v := range g.params {
		c.params[k] = v
	}
	c.params.Set("assertion", assertion)
	c.secrets = append(append([]string(nil), g.secrets...), assertion)
	return &c
}

// clientCredentials is the client credentials grant (RFC 6749 §4.4): the
// client acts on its own behalf; its only input of its own is ias-tenant,
// for a token of an IAS application.
func clientCredentials(s *config.Settings, env *flow.Env) (*grant, error) {
	g := clientCredentialsGrant()
	g.idTokenAuth = true
	if s.IASTenant != "" && (s.TokenURL != "" || s.ServiceKey.Given()) && s.ClientAuth != config.ClientAuthIDToken {
		// A GitLab job may set SAP_CI_AUTH_IAS_TENANT for all its
		// scripts, a passcode step among them; client-credentials read
		// no ias-tenant before, so the service key still decides.
		env.Warn(fmt.Sprintf(msgIASTenantIgnored, s.Name(&s.IASTenant)))
		return g, nil
	}
	return g, atTenant(s, g)
}

// clientCredentialsGrant is the client credentials grant. A 401 without an
// OAuth code can only be about the client.
func clientCredentialsGrant() *grant {
	return &grant{name: "client_credentials", hint: func(r *tokenRequest, status int, _, desc string) string {
		if status == http.StatusUnauthorized {
			return r.badClient(desc)
		}
		return ""
	}}
}

// password is the resource owner password credentials grant (RFC 6749
// §4.3): the client acts for a user whose name and password it sends (the
// HANA cockpit API needs this), at the identity provider of origin.
func password(s *config.Settings, _ *flow.Env) (*grant, error) {
	if s.Username == "" {
		return nil, s.Missing(&s.Username, msgFixNoUsername)
	}
	if s.Password == "" {
		return nil, s.Missing(&s.Password, msgFixNoPassword)
	}
	return passwordGrant(s.Username, s.Password, s.Origin), nil
}

// passwordGrant sends username and pw, and origin as login_hint when set.
func passwordGrant(username, pw, origin string) *grant {
	g := &grant{name: "password", params: url.Values{"grant_type": {"password"}, "username": {username}, "password": {pw}},
		secrets: []string{pw}, describe: [][2]string{{textUser, username}}}
	g.hint = func(r *tokenRequest, _ int, code, desc string) string {
		switch code {
		case "unauthorized":
			// Covers "Bad credentials" (current UAA) and "Name or password
			// mismatch" (older UAA) for a wrong user password. A missing
			// client authentication is reported the same way, so tell that
			// apart; so is an origin the UAA does not know.
			switch {
			case strings.Contains(desc, matchFullAuthentication):
				return msgNoClientCredentials + r.otherAuthHint()
			case strings.Contains(desc, matchOrigin):
				return msgBadOrigin
			}
			return msgBadPassword + originHint(origin)
		case "invalid_grant":
			return msgBadPasswordOrUser + originHint(origin)
		}
		return ""
	}
	return withOrigin(g, origin)
}

// jwtBearerGrantType is grant_type for the jwt-bearer grant (RFC 7523 §2.1).
const jwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// iasTokenPath is the token endpoint of SAP Cloud Identity Services
// (SAP-docs btp-cloud-identity-services, "Configure the client to call
// Identity Authentication: jwt bearer token").
const iasTokenPath = "/oauth2/token"

// jwtBearer is the JWT bearer grant (RFC 7523 §2.1): a signed JWT, the
// assertion input or else the CI job's own ID token, exchanged for a token
// at IAS (ias-tenant) or at a UAA/XSUAA (the client's token URL). IAS and
// XSUAA take the grant only from confidential clients, and IAS answers it
// with an id_token too: the assertion for a further jwt-bearer step.
func jwtBearer(s *config.Settings, env *flow.Env) (*grant, error) {
	if s.Assertion != "" {
		// Checked as id-token is: not a JWT, or expired, it could only
		// come back as invalid_grant, a failure toward the client's lockout.
		if _, err := oidc.CheckGiven(s.Assertion, s.Name(&s.Assertion), env.Now()); err != nil {
			return nil, err
		}
	}
	g := jwtBearerGrant(s.Assertion, s.Origin)
	g.confidential, g.idTokenAuth = true, true
	g.jobAssertion = s.Assertion == ""
	return g, atTenant(s, g)
}

// atTenant sends g to the token endpoint of the IAS tenant that ias-tenant
// names, when it is given.
func atTenant(s *config.Settings, g *grant) error {
	if s.IASTenant == "" {
		return nil
	}
	if s.TokenURL != "" || s.ServiceKey.Given() {
		return &config.InputError{Input: s.Name(&s.IASTenant), Problem: msgIASTenantAndKey,
			Fix: msgFixIASTenantAndKey}
	}
	tenant, err := ias.ParseTenant(s.IASTenant)
	if err != nil {
		return &config.InputError{Input: s.Name(&s.IASTenant), Problem: err.Error(),
			Fix: msgFixIASTenant}
	}
	g.tokenURL, g.urlInput, g.tenant = tenant.JoinPath(iasTokenPath).String(), s.Name(&s.IASTenant), tenant.String()
	return nil
}

// jwtBearerGrant sends assertion (when not empty; else it is added at run
// time with withAssertion), and origin as login_hint when set.
func jwtBearerGrant(assertion, origin string) *grant {
	g := &grant{name: "jwt-bearer", params: url.Values{"grant_type": {jwtBearerGrantType}}, singleUse: true}
	if assertion != "" {
		g = g.withAssertion(assertion)
	}
	g.hint = func(_ *tokenRequest, _ int, code, _ string) string {
		if code == "invalid_grant" {
			return msgBadAssertion + originHint(origin)
		}
		return ""
	}
	return withOrigin(g, origin)
}

// withOrigin sends login_hint={"origin":origin} when origin is set, so that
// UAA authenticates the user at that identity provider (the Origin Key of a
// trust configuration), as go-cfclient sends it.
func withOrigin(g *grant, origin string) *grant {
	if origin == "" {
		return g
	}
	hint, _ := json.Marshal(map[string]string{"origin": origin}) // a string map always encodes
	g.params.Set("login_hint", string(hint))
	g.describe = append(g.describe, [2]string{textOrigin, origin})
	return g
}

// originHint reminds of the origin input when a user grant fails.
func originHint(origin string) string {
	if origin != "" {
		return fmt.Sprintf(msgCheckOrigin, origin)
	}
	return msgNeedOrigin
}
