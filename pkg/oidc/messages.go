package oidc

// The texts of the job's ID token: msg… are messages (each listed in
// TROUBLESHOOTING.md), text… other texts users see.
const (
	// The flow's summary in the registry (--help, inspect).
	textFlowSummary = "the CI job's own OIDC ID token (GitHub or Azure Pipelines token service, GitLab id_tokens, Bitbucket or CircleCI variable, or a file), with a trust report"

	// What `sap-ci-auth inspect` shows of the ID token's source.
	textIDToken           = "ID token"
	textIDTokenFromInput  = "from %s, issuer %s, subject %s"
	textIDTokenFromGitHub = "from GitHub's token service (%s), audience %s"
	textIDTokenFromAzure  = "from Azure Pipelines' token service (%s), audience %s"
	// textIDTokenFromVariable: the variable's name, issuer, subject.
	textIDTokenFromVariable = "from the CI's variable %s, issuer %s, subject %s"
	// textDefaultAudience is the audience when the audience input is empty.
	textDefaultAudience = "GitHub's default"

	// The ID token given as input, or none at all: problems and fixes.
	msgNotJWT                = "is not a JWT (%s)"
	msgFixNotJWT             = "give the job's ID token itself (three base64url parts separated by dots)"
	msgExpired               = "has expired (exp %s)"
	msgFixExpired            = "use a fresh token: CI ID tokens live minutes (GitLab sets SAP_CI_AUTH_ID_TOKEN anew for each job)"
	msgNoIDToken             = "missing: no ID token was given and no CI token service or variable offers one"
	msgFixNoIDToken          = "on GitHub give the job `permissions: id-token: write`; on GitLab declare `id_tokens: { SAP_CI_AUTH_ID_TOKEN: { aud: <audience> } }`; on Azure Pipelines map System.AccessToken into the step's env as SYSTEM_ACCESSTOKEN; on Bitbucket set `oidc: true` on the step; on CircleCI give the job a context; elsewhere (act has no OIDC) give id-token-file"
	msgRequestURLNotHTTPS    = "is not an https URL"
	msgFixRequestURLNotHTTPS = "leave it to the runner: the request token must never travel in clear"

	// Reading the token's claims (ParseUnverified).
	msgNotJWTParts  = "failed to parse the ID token: it is not a JWT (three base64url parts separated by dots)"
	msgNotSignedJWT = "failed to parse the ID token: not a signed JWT with one of the algorithms RS256, PS256, ES256 (or their 384/512 forms) or EdDSA: %w"
	msgBadClaims    = "failed to parse the ID token's claims: %w"
	msgBadClaim     = "failed to parse the ID token's claim %q: %w"
	// msgMalformed stands for a decoding error that could quote the token.
	msgMalformed = "malformed base64url or JSON"

	// GitHub's token service (FetchGitHub, and the token it gives).
	msgNoHTTPClient          = "failed to fetch the GitHub ID token: no HTTP client"
	msgNoRequestToken        = "failed to fetch the GitHub ID token: ACTIONS_ID_TOKEN_REQUEST_TOKEN is empty; give the job `permissions: id-token: write`"
	msgBadRequestURL         = "failed to parse ACTIONS_ID_TOKEN_REQUEST_URL: %w"
	msgRequestURLInClear     = "failed to fetch the GitHub ID token: ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL (scheme is %q), so the request token is never sent in clear"
	msgBuildRequest          = "failed to build the GitHub ID token request: %w"
	msgFetchFailed           = "failed to fetch the GitHub ID token: %w"
	msgReadAnswer            = "failed to read the GitHub ID token answer: %w"
	msgAnswerTooLarge        = "failed to read the GitHub ID token answer: it is larger than 1 MiB"
	msgAnswerNotJSON         = "failed to decode the GitHub ID token answer: it is not the JSON object {\"value\": \"<jwt>\"}"
	msgAnswerNoValue         = "failed to decode the GitHub ID token answer: it has no \"value\""
	msgRequestTokenRefused   = "the GitHub token service refused the request token (HTTP %d): give the job `permissions: id-token: write`, or rerun it if the request token expired"
	msgRedirect              = "the GitHub token service answered with a redirect (HTTP %d), which is not followed so that the request token goes only to ACTIONS_ID_TOKEN_REQUEST_URL"
	msgStatus                = "the GitHub token service answered HTTP %d %s"
	msgGitHubTokenUnreadable = "failed to read the ID token from GitHub's token service: %w"
	msgGitHubTokenExpired    = "failed to use the ID token from GitHub's token service: it expired at %s; check the runner's clock"

	// Azure Pipelines' token service (FetchAzure, and the token it gives).
	msgAzureAccessTokenMissing    = "missing: SYSTEM_OIDCREQUESTURI is set, so this is Azure Pipelines, but the step cannot ask for the job's ID token without the pipeline's access token"
	msgFixAzureAccessTokenMissing = "map System.AccessToken into the step's env: `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` (a container job: the same under the step)"
	msgAzureNoHTTPClient          = "failed to fetch the Azure Pipelines ID token: no HTTP client"
	msgAzureNoAccessToken         = "failed to fetch the Azure Pipelines ID token: SYSTEM_ACCESSTOKEN is empty; map System.AccessToken into the step's env"
	msgAzureURIInClear            = "failed to fetch the Azure Pipelines ID token: SYSTEM_OIDCREQUESTURI must be an https URL, so the access token is never sent in clear"
	msgAzureFetchFailed           = "failed to fetch the Azure Pipelines ID token: %w"
	msgAzureAnswerTooLarge        = "failed to read the Azure Pipelines ID token answer: it is larger than 1 MiB"
	msgAzureAnswerNoToken         = "failed to decode the Azure Pipelines ID token answer: it is not the JSON object {\"oidcToken\": \"<jwt>\"}"
	msgAzureAccessTokenRefused    = "the Azure Pipelines token service refused the access token (HTTP %d): map System.AccessToken (not a personal access token) into the step's env as SYSTEM_ACCESSTOKEN, and rerun the job if it expired"
	msgAzureRedirect              = "the Azure Pipelines token service answered with a redirect (HTTP %d), which is not followed so that the access token goes only to SYSTEM_OIDCREQUESTURI"
	msgAzureStatus                = "the Azure Pipelines token service answered HTTP %d %s"
	msgAzureTokenUnreadable       = "failed to read the ID token from Azure Pipelines' token service: %w"
	msgAzureTokenExpired          = "failed to use the ID token from Azure Pipelines' token service: it expired at %s; check the agent's clock"
	// msgAudienceFixedByCI: the audience input's name, the CI's variable.
	msgAudienceFixedByCI = "%s is not used for the job's ID token from %s: that CI sets the audience itself (Azure: api://AzureADTokenExchange; Bitbucket: the step's oidc audiences; CircleCI: the organisation ID or the project's custom claims)"

	// The trust report: a notice whose lines follow the claims.
	msgTrustReport = "OIDC trust report (non-secret claims of the job's ID token):\n%s"
	// The trust report when the token is the OAuth client's credential
	// (client-auth id-token): the client id; the issuer; the issuer and
	// sub; the token's audience and the one requested by default.
	textTrustClientIntro     = "To let this job authenticate as OAuth client %s with its ID token (client-auth id-token), in SAP Cloud Identity Services:"
	textTrustClientIdP       = "  1. Identity Providers → Corporate Identity Providers: add one of type OpenID Connect with the discovery URL (issuer) %s"
	textTrustClientJWT       = "  2. Applications → the application of this client → Trust → Client Authentication → JSON Web Tokens → Add: issuer %s (that provider), subject exactly %s"
	textTrustClientAudience  = "  the token's audience is %s; RFC 7523 asks for the server's URL: %s"
	textTrustClientGitHubSub = "  GitHub's sub changes with the branch or tag, the environment and the repository's OIDC subject template, and IAS compares it exactly: enter the sub of the job that will run (an environment pins it)"
	// Where the token's audience comes from (ClientAuth.AudienceAdvice):
	// the server's URL; the input's name and the server's URL; none; the
	// server's URL.
	textAudienceRequested   = "sap-ci-auth requested %s"
	textAudienceFromInput   = "requested as the %s input says, while IAS is documented to accept the server's URL %s"
	textAudienceAzure       = "Azure Pipelines fixes it to api://AzureADTokenExchange, which IAS must accept as a client ID"
	textAudienceSetByCI     = "the CI sets it: make it %s, on GitLab with id_tokens: aud"
	textTrustIntro          = "To trust this job in SAP Cloud Identity Services: add a Corporate Identity Provider of type OpenID Connect"
	textTrustIssuer         = "  discovery URL (issuer): %s"
	textNoIssuer            = "the token has no iss"
	textTrustSubject        = "  subject name identifier: the claim sub (now %s); IAS looks the user up by it"
	textTrustAudience       = "  audience: the token's audience (now %s; set by the audience input on GitHub, by id_tokens: aud on GitLab) must be the IAS issuer URL or the client ID entered for this provider"
	textTrustGitHubIDs      = "  bind to numeric ids, not names: repository_id=%s, repository_owner_id=%s (a repository or organisation name can be renamed or taken over; the default sub holds names only)"
	textTrustGitHubTemplate = "  to put the ids into sub, set the repository's OIDC subject template (include_claim_keys with repository_owner_id and repository_id)"
	textTrustGitHubUAA      = "  GitHub's sub contains '/' and ':', which UAA cannot use as a user name (cloudfoundry/uaa#2838): let IAS map it to a user and pass the IAS token on"
	textTrustGitLabIDs      = "  bind to numeric ids, not names: project_id=%s, namespace_id=%s (GitLab's sub holds the project path, which can be renamed or re-registered)"
	textTrustGitLabUAA      = "  GitLab's sub contains '/' and ':', which UAA cannot use as a user name (cloudfoundry/uaa#2838): let IAS map it to a user and pass the IAS token on"
	textTrustOther          = "  the token is from no CI this tool knows; bind trust to a claim that names the job by a number that cannot be renamed, not by a name"
	textTrustAzureAudience  = "  Azure Pipelines' audience is always api://AzureADTokenExchange: the IAS corporate identity provider must accept it as a client ID"
	// textTrustAzureIDs: org_id, prj_id, def_id.
	textTrustAzureIDs    = "  bind to ids, not names: org_id=%s, prj_id=%s (the organisation's and project's UUIDs; the issuer ends in the former), def_id=%s (the pipeline's number); sub is p://<organisation>/<project>/<pipeline>, names that can be renamed: pin the issuer and sub together, and rename nothing without updating IAS"
	textTrustCircleCIIDs = "  bind to UUIDs, not names: oidc.circleci.com/org-id=%s, oidc.circleci.com/project-id=%s (sub starts org/<org id>/project/<project id>/, both UUIDs; the vcs-origin part is a renameable repository URL)"
	textTrustBitbucket   = "  Bitbucket Pipelines documents its issuer and audience (Repository settings, OpenID Connect) and the workspace, repository and environment UUIDs shown there, not its claims: bind to those UUIDs, never to a workspace or repository slug"
)
