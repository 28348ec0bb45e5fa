package oidc

import (
	"fmt"
	"strings"
	"time"
)

// trustReport returns the lines of a trust report for c: first each
// non-secret claim as "<claim>: <value>" (iss, aud, sub, exp, then on GitHub
// repository, repository_id, repository_owner_id, ref, job_workflow_ref,
// environment, and on GitLab project_path, project_id, namespace_path,
// namespace_id, ref, environment; a claim the token lacks is left out), then
// what to enter in SAP Cloud Identity Services (IAS) to trust the token.
//
// The advice binds trust to numeric ids (repository_id and
// repository_owner_id on GitHub, project_id and namespace_id on GitLab,
// the organisation and project UUIDs on CircleCI; on Azure Pipelines, whose
// audience is always api://AzureADTokenExchange, the issuer's organisation
// UUID),
// because names can be renamed, transferred or re-registered by someone
// else. It also says that GitHub's default sub holds "/" and ":", which UAA
// refuses in a user name (cloudfoundry/uaa#2838).
//
// When auth is not nil the token authenticates an OAuth client
// (client-auth id-token): the advice then names the corporate identity
// provider and the application's Client Authentication entry (issuer and
// the exact sub), and leaves out the user mapping unless the token is the
// grant's assertion too (auth.AsUser).
//
// The lines carry no secret: a JWT's claims are readable by anyone who holds
// it, and the token itself is not in the report.
func trustReport(c *Claims, auth *ClientAuth) []string {
	var out []string
	add := func(name, value string) {
		if value != "" {
			out = append(out, name+": "+value)
		}
	}
	add("iss", c.Issuer)
	add("aud", strings.Join(c.Audience, " "))
	add("sub", c.Subject)
	if !c.ExpiresAt.IsZero() {
		add("exp", c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	provider := c.provider()
	switch provider {
	case providerGitHub:
		add("repository", c.Repository)
		add("repository_id", c.RepositoryID)
		add("repository_owner_id", c.RepositoryOwnerID)
		add("ref", c.Ref)
		add("job_workflow_ref", c.JobWorkflowRef)
		add("environment", c.Environment)
	case providerAzure:
		for _, k := range []string{azureOrgID, azureProjectID, azurePipelineID, "rpo_ref"} {
			add(k, c.text(k))
		}
	case providerCircleCI:
		add(circleCIOrgID, c.text(circleCIOrgID))
		add(circleCIProjectID, c.text(circleCIProjectID))
	case providerGitLab:
		add("project_path", c.ProjectPath)
		add("project_id", c.ProjectID)
		add("namespace_path", c.NamespacePath)
		add("namespace_id", c.NamespaceID)
		add("ref", c.Ref)
		add("environment", c.Environment)
	}

	aud := quoteOr(strings.Join(c.Audience, " "), "none")
	if auth != nil {
		out = append(out,
			fmt.Sprintf(textTrustClientIntro, auth.ClientID),
			fmt.Sprintf(textTrustClientIdP, quoteOr(c.Issuer, textNoIssuer)),
			fmt.Sprintf(textTrustClientJWT, quoteOr(c.Issuer, textNoIssuer), quoteOr(c.Subject, "empty")),
			fmt.Sprintf(textTrustClientAudience, aud, auth.AudienceAdvice()),
		)
		if provider == providerGitHub {
			out = append(out, textTrustClientGitHubSub)
		}
	}
	if auth == nil || auth.AsUser {
		out = append(out,
			textTrustIntro,
			fmt.Sprintf(textTrustIssuer, quoteOr(c.Issuer, textNoIssuer)),
			fmt.Sprintf(textTrustSubject, quoteOr(c.Subject, "empty")),
			fmt.Sprintf(textTrustAudience, aud),
		)
	}
	switch provider {
	case providerGitHub:
		out = append(out,
			fmt.Sprintf(textTrustGitHubIDs, quoteOr(c.RepositoryID, "?"), quoteOr(c.RepositoryOwnerID, "?")),
			textTrustGitHubTemplate,
		)
		if auth == nil || auth.AsUser {
			out = append(out, textTrustGitHubUAA)
		}
	case providerGitLab:
		out = append(out,
			fmt.Sprintf(textTrustGitLabIDs, quoteOr(c.ProjectID, "?"), quoteOr(c.NamespaceID, "?")),
			textTrustGitLabUAA,
		)
	case providerAzure:
		out = append(out, textTrustAzureAudience,
			fmt.Sprintf(textTrustAzureIDs, quoteOr(c.text(azureOrgID), "?"), quoteOr(c.text(azureProjectID), "?"), quoteOr(c.text(azurePipelineID), "?")))
	case providerCircleCI:
		out = append(out, fmt.Sprintf(textTrustCircleCIIDs, quoteOr(c.text(circleCIOrgID), "?"), quoteOr(c.text(circleCIProjectID), "?")))
	case providerBitbucket:
		// No claim names: Atlassian documents the UUIDs to bind to but
		// not the claims that carry them (docs/ci-id-tokens.md, and
		// https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/).
		out = append(out, textTrustBitbucket)
	default:
		out = append(out, textTrustOther)
	}
	return out
}

// quoteOr returns s, or the fallback in angle brackets when s is empty.
func quoteOr(s, fallback string) string {
	if s == "" {
		return "<" + fallback + ">"
	}
	return s
}
