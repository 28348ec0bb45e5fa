package oidc

// The texts of the job's ID token: msg… are messages (each listed in
// TROUBLESHOOTING.md), text… other texts users see.
const (
	// The flow's summary in the registry (--help, inspect).
	textFlowSummary = "the CI job's own OIDC ID token (GitHub token service, GitLab id_tokens, or a file), with a trust report"

	// What `sap-ci-auth inspect` shows of the ID token's source.
	textIDToken           = "ID token"
	textIDTokenFromInput  = "from %s, issuer %s, subject %s"
	textIDTokenFromGitHub = "from GitHub's token service (%s), audience %s"
	// textDefaultAudience is the audience when the audience input is empty.
	textDefaultAudience = "GitHub's default"

	// The ID token given as input, or none at all: problems and fixes.
	msgNotJWT                = "is not a JWT (%s)"
	msgFixNotJWT             = "give the job's ID token itself (three base64url parts separated by dots)"
	msgExpired               = "has expired (exp %s)"
	msgFixExpired            = "use a fresh token: CI ID tokens live minutes (GitLab sets SAP_CI_AUTH_ID_TOKEN anew for each job)"
	msgNoIDToken             = "missing: no ID token was given and GitHub's token service is not available"
	msgFixNoIDToken          = "on GitHub give the job `permissions: id-token: write`; on GitLab declare `id_tokens: { SAP_CI_AUTH_ID_TOKEN: { aud: <audience> } }`; elsewhere (act has no OIDC) give id-token-file"
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

	// The trust report: a notice whose lines follow the claims.
	msgTrustReport          = "OIDC trust report (non-secret claims of the job's ID token):\n%s"
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
	textTrustOther          = "  the token is from neither GitHub nor GitLab; bind trust to a claim that names the job by a number that cannot be renamed, not by a name"
)
