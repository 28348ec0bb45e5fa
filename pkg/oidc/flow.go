package oidc

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// Inputs are the inputs that say where the job's ID token comes from; the
// jwt-bearer flow reads them too.
var Inputs = config.Names(&config.In.IDToken, &config.In.Audience)

// Flow is the oidc entry of the flow registry: the CI job's own ID token,
// with a trust report, for tools that take it directly (Terraform's
// BTP_ASSERTION, cf auth --assertion) or for a later jwt-bearer step.
var Flow = flow.Flow{
	Name:    "oidc",
	Summary: textFlowSummary,
	Inputs:  Inputs,
	Primary: config.OutIDToken,
	Outputs: []string{config.OutIDToken, config.OutIssuer, config.OutSubject, config.OutAudience, config.OutExpiresIn, config.OutExpiresAt},
	Prepare: prepare,
}

func prepare(s *config.Settings, env *flow.Env) (flow.Run, error) {
	get, err := PrepareJobToken(s, env, nil)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*flow.Result, error) {
		issued := env.Now()
		token, c, err := get(ctx)
		if err != nil {
			return nil, err
		}
		res := &flow.Result{
			Values: map[string]string{
				config.OutIDToken:  token,
				config.OutIssuer:   c.Issuer,
				config.OutSubject:  c.Subject,
				config.OutAudience: strings.Join(c.Audience, " "),
			},
			Secrets: []string{token},
			Issued:  issued,
		}
		if exp := c.Expiry(); exp.After(issued) {
			// Not rounded: expires-at is then exp itself.
			res.Lifetime = min(exp.Sub(issued), flow.MaxLifetime)
		}
		return res, nil
	}, nil
}

// CheckGiven reads a JWT given as the value of input (id-token,
// id-token-file, or jwt-bearer's assertion) before anything is sent: it
// must be a JWT that has not expired at now. Its errors are
// [config.InputError]s naming input, never the token; a request with such a
// value would only count toward the client's lockout.
func CheckGiven(token, input string, now time.Time) (*Claims, error) {
	c, err := ParseUnverified(token)
	if err != nil {
		return nil, &config.InputError{Input: input, Problem: fmt.Sprintf(msgNotJWT, err.Error()), Fix: msgFixNotJWT}
	}
	if exp := c.Expiry(); !exp.IsZero() && !exp.After(now) {
		return nil, &config.InputError{Input: input, Problem: fmt.Sprintf(msgExpired, exp.UTC().Format(time.RFC3339)),
			Fix: msgFixExpired}
	}
	return c, nil
}

// JobToken gets the job's ID token and its claims, and reports the trust
// report through the flow's Notice.
type JobToken func(ctx context.Context) (string, *Claims, error)

// jobTokenSource is where PrepareJobToken takes the job's ID token from.
type jobTokenSource int

const (
	sourceInput  jobTokenSource = iota // id-token or id-token-file
	sourceGitHub                       // GitHub's token service
	sourceAzure                        // Azure Pipelines' token service
	sourceCIVar                        // a CI's own variable (Bitbucket, CircleCI)
	sourceNone                         // nothing: an input error
)

// sourceOf picks the first of: the id-token input or its file; GitHub's
// token service (either of its variables set); Azure Pipelines' token
// service (SYSTEM_OIDCREQUESTURI set); a CI's own variable.
func sourceOf(s *config.Settings) jobTokenSource {
	switch {
	case s.IDToken.Given():
		return sourceInput
	case s.IDTokenRequest.URL != "" || s.IDTokenRequest.Token != "":
		return sourceGitHub
	case s.AzureTokenRequest.URL != "":
		return sourceAzure
	case len(s.CIIDTokens) > 0:
		return sourceCIVar
	}
	return sourceNone
}

// FromTokenService reports whether PrepareJobToken gets the job's ID token
// from a CI token service (GitHub's or Azure Pipelines'), a fresh one each
// time its JobToken runs, rather than from an input (id-token,
// id-token-file) or a CI's variable, which give the same token every time.
func FromTokenService(s *config.Settings) bool {
	src := sourceOf(s)
	return src != sourceInput && src != sourceCIVar
}

// ClientAuth describes the OAuth client that the job's ID token
// authenticates (client-auth id-token, RFC 7523 §2.2), for the audience to
// request and the trust report.
type ClientAuth struct {
	// ClientID is the client's id.
	ClientID string
	// Audience is the audience to request from GitHub's token service when
	// the audience input is empty: the server's URL (an IAS tenant's).
	Audience string
	// AsUser says that the token is the grant's assertion too (jwt-bearer
	// without an assertion input), so IAS must also map it to a user.
	AsUser bool

	// advice says where the token's audience comes from; set by
	// PrepareJobToken.
	advice string
}

// AudienceAdvice says where the job's token's audience comes from (the
// audience requested, the input, or the CI) and what IAS expects, for the
// trust report and a refusal's message.
func (a *ClientAuth) AudienceAdvice() string { return a.advice }

// audienceAdvice is the AudienceAdvice for a token from s's source.
func audienceAdvice(s *config.Settings, server string) string {
	switch sourceOf(s) {
	case sourceGitHub:
		if s.Audience != "" {
			return fmt.Sprintf(textAudienceFromInput, s.Name(&s.Audience), server)
		}
		return fmt.Sprintf(textAudienceRequested, server)
	case sourceAzure:
		return textAudienceAzure
	}
	return fmt.Sprintf(textAudienceSetByCI, server)
}

// PrepareJobToken finds where the job's ID token comes from, in this order:
// the id-token input (on GitLab, id_tokens sets SAP_CI_AUTH_ID_TOKEN),
// id-token-file, GitHub's token service (ACTIONS_ID_TOKEN_REQUEST_URL and
// _TOKEN, present when the job has `permissions: id-token: write`), Azure
// Pipelines' token service (SYSTEM_OIDCREQUESTURI, with
// SYSTEM_ACCESSTOKEN mapped into the step's env), else the variable in which
// Bitbucket Pipelines (BITBUCKET_STEP_OIDC_TOKEN) or CircleCI
// (CIRCLE_OIDC_TOKEN_V2) gives it. It sends nothing; a token given as input
// or variable is checked now (a JWT, not expired), one from a token service
// when the JobToken runs, which fetches a fresh one each time. The trust
// report is given once. auth, when not nil, is the OAuth client the token
// authenticates: GitHub's token service is then asked for auth.Audience
// unless the audience input says otherwise, and the report says how IAS
// must trust the token.
func PrepareJobToken(s *config.Settings, env *flow.Env, auth *ClientAuth) (JobToken, error) {
	if auth != nil {
		auth.advice = audienceAdvice(s, auth.Audience)
	}
	var once sync.Once
	report := func(c *Claims) {
		once.Do(func() { env.Notice(fmt.Sprintf(msgTrustReport, strings.Join(trustReport(c, auth), "\n"))) })
	}
	given := func(token, input, described string) (JobToken, error) {
		c, err := CheckGiven(token, input, env.Now())
		if err != nil {
			return nil, err
		}
		if input == config.EnvBitbucketIDToken {
			c.ci = providerBitbucket
		}
		env.Describe(textIDToken, fmt.Sprintf(described, input, c.Issuer, c.Subject))
		return func(context.Context) (string, *Claims, error) {
			report(c)
			return token, c, nil
		}, nil
	}
	// fetched checks a token a service gave: masked first, a JWT, not
	// expired.
	fetched := func(fetch func(context.Context) (string, error), unreadable, expired string) JobToken {
		return func(ctx context.Context) (string, *Claims, error) {
			token, err := fetch(ctx)
			if err != nil {
				return "", nil, err
			}
			// Masked before anything else can print it.
			if err := env.Mask(token); err != nil {
				return "", nil, err
			}
			c, err := ParseUnverified(token)
			if err != nil {
				return "", nil, fmt.Errorf(unreadable, err)
			}
			if exp := c.Expiry(); !exp.IsZero() && !exp.After(env.Now()) {
				return "", nil, fmt.Errorf(expired, exp.UTC().Format(time.RFC3339))
			}
			report(c)
			return token, c, nil
		}
	}
	switch sourceOf(s) {
	case sourceInput:
		return given(strings.TrimSpace(string(s.IDToken.Data)), s.IDToken.Input, textIDTokenFromInput)
	case sourceAzure:
		return prepareAzure(s, env, fetched)
	case sourceCIVar:
		if s.Audience != "" {
			env.Warn(fmt.Sprintf(msgAudienceFixedByCI, s.Name(&s.Audience), s.CIIDTokens[0].Env))
		}
		return given(s.CIIDTokens[0].Token, s.CIIDTokens[0].Env, textIDTokenFromVariable)
	}
	req := s.IDTokenRequest
	if req.URL == "" || req.Token == "" {
		return nil, &config.InputError{Input: s.Name(&s.IDToken), Problem: msgNoIDToken,
			Fix: msgFixNoIDToken}
	}
	if u, err := url.Parse(req.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, &config.InputError{Input: config.EnvIDTokenRequestURL, Problem: msgRequestURLNotHTTPS,
			Fix: msgFixRequestURLNotHTTPS}
	}
	hc, err := env.Client(nil)
	if err != nil {
		return nil, err
	}
	audience := s.Audience
	if audience == "" && auth != nil {
		audience = auth.Audience
	}
	described := audience
	if described == "" {
		described = textDefaultAudience
	}
	env.Describe(textIDToken, fmt.Sprintf(textIDTokenFromGitHub, config.EnvIDTokenRequestURL, described))
	return fetched(func(ctx context.Context) (string, error) {
		return FetchGitHub(ctx, hc, req.URL, req.Token, audience)
	}, msgGitHubTokenUnreadable, msgGitHubTokenExpired), nil
}

// prepareAzure checks Azure Pipelines' token service before anything is
// sent: the access token mapped into the step's env, an https URI.
func prepareAzure(s *config.Settings, env *flow.Env, fetched func(func(context.Context) (string, error), string, string) JobToken) (JobToken, error) {
	req := s.AzureTokenRequest
	if req.Token == "" {
		return nil, &config.InputError{Input: config.EnvAzureAccessToken, Problem: msgAzureAccessTokenMissing,
			Fix: msgFixAzureAccessTokenMissing}
	}
	if u, err := url.Parse(req.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, &config.InputError{Input: config.EnvAzureOIDCRequestURI, Problem: msgRequestURLNotHTTPS,
			Fix: msgFixRequestURLNotHTTPS}
	}
	if s.Audience != "" {
		env.Warn(fmt.Sprintf(msgAudienceFixedByCI, s.Name(&s.Audience), config.EnvAzureOIDCRequestURI))
	}
	hc, err := env.Client(nil)
	if err != nil {
		return nil, err
	}
	env.Describe(textIDToken, fmt.Sprintf(textIDTokenFromAzure, config.EnvAzureOIDCRequestURI, azureAudience))
	return fetched(func(ctx context.Context) (string, error) {
		return FetchAzure(ctx, hc, req.URL, req.Token)
	}, msgAzureTokenUnreadable, msgAzureTokenExpired), nil
}
