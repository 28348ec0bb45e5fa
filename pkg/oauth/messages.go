package oauth

// The texts of the token flows: msg… are messages (each listed in
// TROUBLESHOOTING.md), text… other texts users see, match… texts of other
// programs this package looks for.
const (
	// Summaries of the flows in the registry (--help, inspect).
	textClientCredentialsSummary = "OAuth2 client-credentials token (Cloud Integration, XSUAA, Neo, an IAS application)"
	textPasswordSummary          = "OAuth2 password-grant token (HANA cockpit UAA)"
	textJWTBearerSummary         = "OAuth2 jwt-bearer grant (RFC 7523): the job's ID token, or an assertion, for an IAS or XSUAA token"

	// Labels and values of `sap-ci-auth inspect`.
	textGrant          = "grant"
	textTokenURL       = "token URL"
	textClientID       = "client id"
	textClientAuth     = "client authentication"
	textScope          = "scope"
	textRequiredScopes = "required scopes"
	textVerifyURL      = "verify URL"
	textUser           = "user"
	textOrigin         = "origin"
	// textTokenURLFrom is the token URL and the input it came from.
	textTokenURLFrom = "%s (from %s)"
	// textDiscoveredTokenURL names the discovery document the mTLS token
	// URL is looked up in.
	textDiscoveredTokenURL = "looked up in %s (mtls_endpoint_aliases), before the request"
	textAuthCertificate    = "client certificate (mutual TLS), client_id in the body"
	textOverMutualTLS      = ", over mutual TLS"
	textAuthJobToken       = "client_assertion: the CI job's ID token (RFC 7523 §2.2), client_id in the body, no secret"

	// Inputs that are missing or do not fit together: problems and fixes.
	msgFixNoClient          = "%s (or service-key-file), or give token-url and client-id"
	msgFixNoTokenURL        = "give the OAuth token URL"
	msgKeyNoClientID        = `has no "clientid"`
	msgFixKeyNoClientID     = "give client-id, or use the complete service key"
	msgFixNoClientID        = "give the OAuth client id"
	msgFixBadTokenURL       = "use the https token URL of the service key"
	msgKeyBadURL            = `has a "url" that is not an https URL`
	msgFixKeyBadURL         = "use the complete service key, or give token-url"
	msgFixKeyNoTokenURL     = "give token-url, or use the complete service key"
	msgFixConfidential      = "give the OAuth client's secret, or its X.509 certificate with certificate or certificate-file, or at IAS set client-auth: id-token: IAS and XSUAA accept the %s grant only from a client that authenticates; nothing was sent"
	msgX509KeyNoPrivateKey  = "missing: the service key is an X.509 key without a private key"
	msgX509KeyNoCertificate = "missing: the service key is an X.509 key without a certificate or private key"
	msgFixX509Key           = "%s (or certificate-file) to the key's certificate and private key"
	msgFixNoClientSecret    = "give the OAuth client secret (or use an X.509 service key)"
	msgFixVerifyURL         = "give the https URL of an API call the token is for, e.g. <CPI url>/api/v1/IntegrationPackages?$top=1"
	msgFixNoUsername        = "name the user for the password grant"
	msgFixNoPassword        = "give that user's password"
	msgIASTenantAndKey      = "given together with token-url or a service key"
	msgFixIASTenantAndKey   = "give ias-tenant for a token from IAS, or the service key (token-url) for one from XSUAA"
	// msgIASTenantIgnored: the ias-tenant input's name.
	msgIASTenantIgnored = "%s is not used: client-credentials goes to the token URL of the service key or token-url; leave ias-tenant empty for this step, or give it alone for a token of an IAS application"
	msgFixIASTenant     = "give a tenant id (mytenant), a host (mytenant.accounts.ondemand.com) or an https URL"

	// client-auth id-token: the job's ID token as the client's credential.
	msgIDTokenAuthGrant         = "id-token does not work with the %s grant"
	msgFixIDTokenAuthGrant      = "use client-auth: id-token with the client-credentials or jwt-bearer flow, or authenticate the client with body or basic and its secret"
	msgGivenWithIDTokenAuth     = "given together with client-auth: id-token"
	msgFixGivenWithIDTokenAuth  = "remove it: with client-auth id-token the job's ID token is the client's only credential (or drop client-auth to use this one); nothing was sent"
	msgFixIDTokenAuthNoTenant   = "give ias-tenant (or token-url): client-auth id-token authenticates an IAS application"
	msgFixIDTokenAuthNoClientID = "give the client ID of the IAS application whose Client Authentication trusts the job's token"
	// msgJobTokenRefused: the client id, the likely cause (msgLikely…, or
	// nothing), then what IAS must know of the token: its issuer, subject
	// and audience, then where the audience comes from
	// (oidc.ClientAuth.AudienceAdvice).
	msgLikelyReused    = "most likely the token was used before (IAS refuses a jti it saw: a token given as id-token works once); "
	msgLikelyExpired   = "most likely the token expired before IAS checked it (check the runner's clock); "
	msgLikelyAudience  = "most likely IAS does not accept the token's audience %s (%s); "
	msgLikelySubject   = "most likely the application's Client Authentication has no JSON Web Token with this job's subject %s; "
	msgLikelyIssuer    = "most likely the issuer %s is not configured: add it as a corporate identity provider of type OpenID Connect, and pick it in the application's JSON Web Token entry; "
	msgJobTokenRefused = "the job's ID token was not accepted as the credential of client %s: %scheck in IAS that (1) a corporate identity provider of type OpenID Connect has the issuer %s, (2) the application's Trust → Client Authentication lists a JSON Web Token with that issuer and the subject %s exactly (on GitHub sub changes with branch, environment and subject template), (3) the token's audience %s is accepted (%s), and that the token was not used before"

	// The certificate inputs with an X.509 service key.
	msgKeyBadCertificate    = `has a "certificate" that cannot be read`
	msgFixKeyCertificate    = "use the complete service key"
	msgNotKeyPrivateKey     = "holds no private key that belongs to the service key's certificate"
	msgFixNotKeyPrivateKey  = "give the private key the certificate of the service key was issued for"
	msgNotKeyCertificate    = "is not the certificate of the service key (its key does not match)"
	msgFixNotKeyCertificate = "give the certificate and private key of the service key's client, or leave the input empty"

	// URLs the token, or the client secret, would go to (checkHTTPS).
	msgBadURL           = "not a valid URL"
	msgHTTPNotAllowed   = "http:// is not allowed: %s"
	msgNotHTTPS         = "not an https URL"
	msgURLCredentials   = "the URL must not carry credentials"
	msgBadPort          = "the port is not between 1 and 65535"
	msgQueryCredentials = "the URL's query carries credentials (%s); give them in their own inputs"
	// What http:// would expose.
	msgTokenInClear   = "the token must not travel unencrypted"
	msgSecretInClear  = "the client's credentials must not travel unencrypted"
	msgRequestInClear = "the request must not travel unencrypted"

	// The discovery document of a self-managed X.509 key.
	msgDiscoveryRequest     = "failed to build the discovery request: %w"
	msgDiscoveryFailed      = "failed to read the discovery document (for the X.509 key's token URL): %w"
	msgDiscoveryStatus      = "failed to read the discovery document (for the X.509 key's token URL): HTTP %d; give token-url, the key's certurl + /oauth/token"
	msgDiscoveryNotJSON     = "failed to read the discovery document (for the X.509 key's token URL): it is not JSON; give token-url"
	msgDiscoveryBadEndpoint = "failed to use the discovery document's token endpoint: %w; give token-url"

	// The token request and its answer.
	msgTokenRequestFailed = "token request failed"
	msgTooLarge           = "the token answer is larger than %d bytes"
	// msgAnswered is a 2xx answer that could not be read as a token.
	msgAnswered         = "the token endpoint answered, but %s"
	msgAnsweredNotToken = msgAnswered + "; " + msgNotToken
	msgErrorAnswerBroke = "the connection broke while reading the answer"
	msgUnexpected       = "the token request failed for an unexpected reason"
	msgNotToken         = "the token URL did not answer with a token; check that it is the token endpoint (…/oauth/token), not a web page"
	msgBlankToken       = "the answer's access_token is blank or holds white space; " + msgNotToken
	msgNotBearer        = "the server issued a token of type %q; only Bearer tokens can be used in an Authorization header by this tool"
	// msgOddScope warns of a scope that is neither RFC 6749's string nor
	// a list of strings (which is joined with spaces).
	msgOddScope = "the answer's scope is neither a string nor a list of strings; the scope output is left empty"
	// msgEchoLeftOut stands for a server's text (error, error_description,
	// token type, granted scopes, an API's message) that held a secret in a
	// form that could not be replaced by ***.
	msgEchoLeftOut = "server text that held a secret was left out"

	// Hints for the server's error answers, every grant.
	msgBadScope          = "a requested scope is not allowed for this client; fix the scope, or leave it empty for the client's default scopes"
	msgUnsupportedGrant  = "the server does not support the %s grant at all; use another flow, or the token URL of a server that has it"
	msgUnauthorizedGrant = "the client is not allowed to use the %s grant; allow the grant type for the client (authorized-grant-types), or use another flow"
	msgWrongTokenURL     = "the token URL is wrong: nothing there accepts token requests"
	msgRedirected        = "the token URL redirects elsewhere (to a login page?); use the token endpoint itself"
	msgUnauthorized      = "the server did not accept the client or user credentials"
	msgMalformed         = "the server found the request malformed"
	msgForbidden         = "the server refused the request (forbidden)"
	msgRateLimited       = "the server is rate limiting; try again later"
	msgServerFailed      = "the server failed; try again later"
	msgErrorInAnswer     = "the server answered with an error instead of a token"
	msgRefused           = "the token endpoint refused the request"
	// msgLockout ends the hint of every 401 and 403: SAP Cloud Identity
	// Services locks a client id for 60 minutes after 5 failed logons, and
	// a user's password likewise (PASSWORD_LOCKED), so a pipeline must not
	// be re-run blindly.
	msgLockout = "; do not re-run blindly: repeated failures lock the client or user for 60 minutes"

	// Hints about the client's credentials.
	msgBadClientCert   = "the client id or client certificate was not accepted; check that the certificate and key belong to the service key's client id"
	msgBadClientSecret = "client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key"
	msgOtherAuth       = "; if they are right, the server may want them sent the other way: try client-auth: %s"

	// Hints of the user grants (password, jwt-bearer).
	msgNoClientCredentials = "the server did not get the client credentials; check the client id and secret"
	msgBadOrigin           = "the origin is not an identity provider of this UAA that allows the password grant; use the Origin Key of the trust configuration"
	msgBadPassword         = "the username or password is wrong"
	msgBadPasswordOrUser   = "the username or password is wrong, or the user may not log in this way"
	msgBadAssertion        = "the assertion was not accepted: the server must trust its issuer (a corporate OpenID Connect provider in IAS, or IAS in the UAA), its audience must name the server or client, it must not be expired, and its subject must map to a user"
	// The assertion was given as input and the server's failure would have
	// been retried: why it was not.
	msgAssertionNotRenewable = "; not retried: the assertion is single use (a server may refuse it a second time), and one given as input (assertion, id-token, id-token-file) cannot be renewed for a retry"
	msgCheckOrigin           = "; check that the user exists in the identity provider of origin %q"
	msgNeedOrigin            = "; a user of a custom identity provider needs origin (its Origin Key)"

	// The token's checks: required-scopes and verify-url.
	msgLacksScopes = "required-scopes: the token lacks %s (it carries: %s); " + msgRoleHint
	// msgRoleHint says where roles come from, for a token that lacks one
	// (sap-protocols.md §2: Cloud Integration role templates, role
	// collections; role changes can take up to an hour to apply).
	msgRoleHint = "assign the role to the client: for a Cloud Integration service key, create the service instance (plan api) " +
		"with the role (e.g. WorkspacePackagesRead, MonitoringDataRead) and a new key; for a user, add the role collection in the " +
		"BTP cockpit; role changes can take up to an hour to apply"
	msgVerifyRequest     = "verify-url: failed to build the request: %w"
	msgVerifyFailed      = "verify-url: %w"
	msgVerifyNotAccepted = "verify-url answered %s%s: the API does not accept the token; check that verify-url belongs to the same subaccount as the service key"
	msgVerifyNoRole      = "verify-url answered %s%s: the token is valid but lacks a role for this API; " + msgRoleHint
	msgVerifyRedirected  = "verify-url answered %s: it redirects (to a login page?); give the API URL itself"
	msgVerifyStatus      = "verify-url answered %s%s"
	// msgVerified is the step log's notice for a token that verify-url
	// accepted.
	msgVerified = "verify-url answered %s: the token is accepted"

	// x/oauth2's texts for failures that quote the answer.
	matchCannotFetch  = "oauth2: cannot fetch token:"
	matchCannotParse  = "oauth2: cannot parse"
	matchMissingToken = "missing access_token"

	// UAA's descriptions of an "unauthorized" password grant: a request
	// without client authentication, an origin it does not know.
	matchFullAuthentication = "full authentication"
	matchOrigin             = "origin"
)
