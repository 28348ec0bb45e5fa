package oidc

import (
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
// repository_owner_id on GitHub, project_id and namespace_id on GitLab),
// because names can be renamed, transferred or re-registered by someone
// else. It also says that GitHub's default sub holds "/" and ":", which UAA
// refuses in a user name (cloudfoundry/uaa#2838).
//
// The lines carry no secret: a JWT's claims are readable by anyone who holds
// it, and the token itself is not in the report.
func trustReport(c *Claims) []string {
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
	case providerGitLab:
		add("project_path", c.ProjectPath)
		add("project_id", c.ProjectID)
		add("namespace_path", c.NamespacePath)
		add("namespace_id", c.NamespaceID)
		add("ref", c.Ref)
		add("environment", c.Environment)
	}

	aud := "the token's audience (now " + quoteOr(strings.Join(c.Audience, " "), "none") + "; set by the audience input on GitHub, by id_tokens: aud on GitLab)"
	out = append(out,
		"To trust this job in SAP Cloud Identity Services: add a Corporate Identity Provider of type OpenID Connect",
		"  discovery URL (issuer): "+quoteOr(c.Issuer, "the token has no iss"),
		"  subject name identifier: the claim sub (now "+quoteOr(c.Subject, "empty")+"); IAS looks the user up by it",
		"  audience: "+aud+" must be the IAS issuer URL or the client ID entered for this provider",
	)
	switch provider {
	case providerGitHub:
		out = append(out,
			"  bind to numeric ids, not names: repository_id="+quoteOr(c.RepositoryID, "?")+", repository_owner_id="+quoteOr(c.RepositoryOwnerID, "?")+
				" (a repository or organisation name can be renamed or taken over; the default sub holds names only)",
			"  to put the ids into sub, set the repository's OIDC subject template (include_claim_keys with repository_owner_id and repository_id)",
			"  GitHub's sub contains '/' and ':', which UAA cannot use as a user name (cloudfoundry/uaa#2838): let IAS map it to a user and pass the IAS token on",
		)
	case providerGitLab:
		out = append(out,
			"  bind to numeric ids, not names: project_id="+quoteOr(c.ProjectID, "?")+", namespace_id="+quoteOr(c.NamespaceID, "?")+
				" (GitLab's sub holds the project path, which can be renamed or re-registered)",
			"  GitLab's sub contains '/' and ':', which UAA cannot use as a user name (cloudfoundry/uaa#2838): let IAS map it to a user and pass the IAS token on",
		)
	default:
		out = append(out, "  the token is from neither GitHub nor GitLab; bind trust to a claim that names the job by a number that cannot be renamed, not by a name")
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
