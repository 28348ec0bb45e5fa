package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Provider names that Claims.provider returns.
const (
	providerGitHub    = "github"
	providerGitLab    = "gitlab"
	providerAzure     = "azure"
	providerCircleCI  = "circleci"
	providerBitbucket = "bitbucket"
)

// Issuer prefixes of Azure Pipelines (https://vstoken.dev.azure.com/<org
// id>) and CircleCI (https://oidc.circleci.com/org/<org id>).
const (
	azureIssuerPrefix    = "https://vstoken.dev.azure.com/"
	circleCIIssuerPrefix = "https://oidc.circleci.com/org/"
)

// CircleCI's claims of stable ids (UUIDs).
const (
	circleCIOrgID     = "oidc.circleci.com/org-id"
	circleCIProjectID = "oidc.circleci.com/project-id"
)

// Azure Pipelines' claims of stable ids: the organisation's and project's
// UUIDs and the pipeline's number (a token shown in sigstore/fulcio#1803;
// Microsoft documents the token request, not its claims).
const (
	azureOrgID      = "org_id"
	azureProjectID  = "prj_id"
	azurePipelineID = "def_id"
)

// githubIssuer is the issuer of github.com's Actions ID tokens.
const githubIssuer = "https://token.actions.githubusercontent.com"

// allowedAlgorithms are the JWS algorithms a CI ID token may carry. GitHub
// and GitLab sign with RS256; the others are what an OIDC issuer may use.
// Symmetric (HS*) and "none" are not accepted.
var allowedAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// Claims are the claims of a CI job's ID token that are not secret. The
// token's signature is not checked (see [ParseUnverified]); nothing here is
// proof of anything, only what the token says.
type Claims struct {
	// Issuer is "iss", such as https://token.actions.githubusercontent.com
	// or https://gitlab.com.
	Issuer string
	// Subject is "sub", such as repo:octo-org/octo-repo:ref:refs/heads/main
	// (GitHub) or project_path:group/project:ref_type:branch:ref:main
	// (GitLab).
	Subject string
	// Audience is "aud", a string or a list in the token, always a list
	// here.
	Audience []string
	// ExpiresAt is "exp"; zero when absent.
	ExpiresAt time.Time
	// IssuedAt is "iat"; zero when absent.
	IssuedAt time.Time
	// NotBefore is "nbf"; zero when absent.
	NotBefore time.Time

	// Repository is GitHub's "repository" (owner/name).
	Repository string
	// RepositoryID is GitHub's "repository_id", a number as text.
	RepositoryID string
	// RepositoryOwner is GitHub's "repository_owner".
	RepositoryOwner string
	// RepositoryOwnerID is GitHub's "repository_owner_id", a number as text.
	RepositoryOwnerID string
	// JobWorkflowRef is GitHub's "job_workflow_ref".
	JobWorkflowRef string
	// Environment is "environment", the deployment environment (GitHub and
	// GitLab); empty when the job has none.
	Environment string
	// Ref is "ref" (GitHub: refs/heads/main; GitLab: main).
	Ref string
	// ProjectPath is GitLab's "project_path" (group/project).
	ProjectPath string
	// ProjectID is GitLab's "project_id", a number as text.
	ProjectID string
	// NamespacePath is GitLab's "namespace_path".
	NamespacePath string
	// NamespaceID is GitLab's "namespace_id", a number as text.
	NamespaceID string
	// UserLogin is GitLab's "user_login"; GitHub's "actor" goes to Raw.
	UserLogin string

	// ci is the CI the token came from when its source says so (the
	// variable BITBUCKET_STEP_OIDC_TOKEN) and its claims do not.
	ci string

	// Raw holds every claim as decoded JSON; numbers are json.Number so
	// that large ids keep every digit.
	Raw map[string]any
}

// ParseUnverified reads the claims of a JWT in compact form without checking
// its signature, for reporting and expiry only: never base a trust decision
// on the result. Its errors never contain the token or part of it.
func ParseUnverified(token string) (*Claims, error) {
	if strings.Count(token, ".") != 2 {
		return nil, errors.New(msgNotJWTParts)
	}
	tok, err := jwt.ParseSigned(token, allowedAlgorithms)
	if err != nil {
		return nil, fmt.Errorf(msgNotSignedJWT, sanitize(err))
	}
	var std jwt.Claims
	var fields map[string]json.RawMessage
	if err := tok.UnsafeClaimsWithoutVerification(&std, &fields); err != nil {
		return nil, fmt.Errorf(msgBadClaims, sanitize(err))
	}
	c := &Claims{
		Issuer:    std.Issuer,
		Subject:   std.Subject,
		Audience:  []string(std.Audience),
		ExpiresAt: std.Expiry.Time(),
		IssuedAt:  std.IssuedAt.Time(),
		NotBefore: std.NotBefore.Time(),
		Raw:       make(map[string]any, len(fields)),
	}
	for k, v := range fields {
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		var x any
		if err := d.Decode(&x); err != nil {
			return nil, fmt.Errorf(msgBadClaim, k, sanitize(err))
		}
		c.Raw[k] = x
	}
	for name, dst := range map[string]*string{
		"repository":          &c.Repository,
		"repository_id":       &c.RepositoryID,
		"repository_owner":    &c.RepositoryOwner,
		"repository_owner_id": &c.RepositoryOwnerID,
		"job_workflow_ref":    &c.JobWorkflowRef,
		"environment":         &c.Environment,
		"ref":                 &c.Ref,
		"project_path":        &c.ProjectPath,
		"project_id":          &c.ProjectID,
		"namespace_path":      &c.NamespacePath,
		"namespace_id":        &c.NamespaceID,
		"user_login":          &c.UserLogin,
	} {
		*dst = c.text(name)
	}
	return c, nil
}

// sanitize returns err when it is one of go-jose's errors that quote no
// input (an unexpected algorithm names only the "alg" header), and otherwise
// a generic error: JSON and base64 decoding errors may quote a byte or a
// value of the token, and nothing of the token goes into a message.
func sanitize(err error) error {
	var alg *jose.ErrUnexpectedSignatureAlgorithm
	if errors.As(err, &alg) {
		return err
	}
	for _, known := range []error{
		jwt.ErrUnmarshalAudience, jwt.ErrUnmarshalNumericDate,
		jose.ErrUnsupportedAlgorithm, jose.ErrCryptoFailure,
	} {
		if errors.Is(err, known) {
			return err
		}
	}
	return errors.New(msgMalformed)
}

// text returns the claim name as text: strings as they are, numbers in their
// JSON digits, anything else as "".
func (c *Claims) text(name string) string {
	switch v := c.Raw[name].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// Expiry returns "exp", or the zero time when the token has none.
func (c *Claims) Expiry() time.Time { return c.ExpiresAt }

// provider tells where the token comes from: providerGitHub,
// providerGitLab, or "" when neither. github.com's issuer (also with an
// enterprise's slug appended) decides at once; otherwise the CI claims do,
// since GitHub Enterprise Server and self-managed GitLab have their own
// issuer URLs: repository_id with job_workflow_ref is GitHub, project_path
// with namespace_id is GitLab.
func (c *Claims) provider() string {
	switch {
	case c.Issuer == githubIssuer || strings.HasPrefix(c.Issuer, githubIssuer+"/"):
		return providerGitHub
	case c.Issuer == "https://gitlab.com":
		return providerGitLab
	case c.RepositoryID != "" && c.JobWorkflowRef != "":
		return providerGitHub
	case c.ProjectPath != "" && c.NamespaceID != "":
		return providerGitLab
	case strings.HasPrefix(c.Issuer, azureIssuerPrefix) ||
		(strings.HasPrefix(c.Subject, "p://") || strings.HasPrefix(c.Subject, "sc://")) && slices.Contains(c.Audience, azureAudience):
		return providerAzure
	case strings.HasPrefix(c.Issuer, circleCIIssuerPrefix) || c.text(circleCIProjectID) != "":
		return providerCircleCI
	}
	return c.ci
}
