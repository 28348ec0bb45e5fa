// Package config holds the one table of sap-ci-auth's inputs and loads them
// from wherever the runner puts them: GitHub's INPUT_<NAME> variables,
// SAP_CI_AUTH_<NAME> variables elsewhere, and command-line flags.
//
// The table [Inputs] is the single source for --help, the flag set, the
// environment names, the mask list (its Secret column) and the action.yml
// test, so a new input is one row here and one field in the loaded struct.
// Which flow reads which input is said by the flow registry in pkg/app.
//
// [Load] resolves every input once: "text or a path" inputs become their
// bytes (files read with a cap, only regular files), the timeout a
// time.Duration, and everything is validated, so nothing after Load reads
// a file or the environment.
package config

import "strings"

// Input names, as action.yml declares them and as flags take them.
const (
	InFlow                = "flow"
	InIASTenant           = "ias-tenant"
	InCertificate         = "certificate"
	InCertificateFile     = "certificate-file"
	InCertificatePassword = "certificate-password"
	InCACertificates      = "ca-certificates"
	InTimeout             = "timeout"
	InDotenvFile          = "dotenv-file"
	InServiceKey          = "service-key"
	InServiceKeyFile      = "service-key-file"
	InTokenURL            = "token-url"
	InClientID            = "client-id"
	InClientSecret        = "client-secret"
	InUsername            = "username"
	InPassword            = "password"
	InScope               = "scope"
	InClientAuth          = "client-auth"
	InOutput              = "output"
	InIDToken             = "id-token"
	InIDTokenFile         = "id-token-file"
	InAudience            = "audience"
	InAssertion           = "assertion"
	InOrigin              = "origin"
	InExportEnv           = "export-env"
	InRequiredScopes      = "required-scopes"
	InVerifyURL           = "verify-url"
)

// Input describes one setting the user can give.
type Input struct {
	// Name is the action.yml input name and the flag name (kebab case).
	Name string
	// Description is shown by --help and mirrors action.yml.
	Description string
	// Default is the value used when the input is unset or empty.
	Default string
	// Secret inputs are masked before anything is printed and have no
	// command-line flag, because argv is visible to other processes.
	Secret bool
	// File names the input that gives the same data as a path (certificate
	// → certificate-file); its content is as secret as this input.
	File string
	// ShellOnly inputs make sense only outside GitHub Actions and are not
	// declared in action.yml.
	ShellOnly bool
}

// Inputs is the table of every input, in the order --help lists them.
var Inputs = []Input{
	{Name: InFlow, Description: "which credential to get (see Flows)"},
	{Name: InIASTenant,
		Description: "IAS tenant: an id (mytenant -> https://mytenant.accounts.ondemand.com), a host name, or an https URL for custom domains"},
	{Name: InCertificate, Secret: true, File: InCertificateFile,
		Description: "client certificate: base64 of a PKCS#12 file, or PEM text holding the certificate, its chain and the private key (token flows: for X.509 service keys without a key)"},
	{Name: InCertificateFile,
		Description: "path to the client certificate (.p12, .pfx or .pem); relative to the working directory"},
	{Name: InCertificatePassword, Secret: true,
		Description: "password of the PKCS#12 certificate (empty for none)"},
	{Name: InCACertificates,
		Description: "extra trusted CA certificates, as PEM text or a path to a PEM file; added to the system roots"},
	{Name: InTimeout, Default: "30s",
		Description: "time limit for the whole run, retries included, as a Go duration (30s, 1m)"},
	{Name: InDotenvFile,
		Description: "also write all outputs as NAME=value lines (mode 0600) to this file, e.g. for a GitLab dotenv report"},
	{Name: InServiceKey, Secret: true, File: InServiceKeyFile,
		Description: "service key JSON, or the raw output of `cf service-key` / `xs service-key` pasted as is"},
	{Name: InServiceKeyFile,
		Description: "path to a file holding the service key"},
	{Name: InTokenURL,
		Description: "OAuth token URL (https); overrides the service key, e.g. for Neo"},
	{Name: InClientID,
		Description: "OAuth client id; overrides the service key"},
	{Name: InClientSecret, Secret: true,
		Description: "OAuth client secret; overrides the service key"},
	{Name: InUsername,
		Description: "user for the password grant (e.g. the HANA cockpit user)"},
	{Name: InPassword, Secret: true,
		Description: "password of that user"},
	{Name: InScope,
		Description: "scopes to request, space separated (default: all the client may have)"},
	{Name: InClientAuth, Default: "body",
		Description: "where the client id and secret go: body (client_secret_post, works with UAA, XSUAA and CPI) or basic (HTTP Basic header)"},
	{Name: InIDToken, Secret: true, File: InIDTokenFile,
		Description: "the CI job's OIDC ID token (JWT); on GitLab declare id_tokens: {SAP_CI_AUTH_ID_TOKEN: {aud: ...}}; on GitHub leave it empty and grant permissions: id-token: write"},
	{Name: InIDTokenFile,
		Description: "path to a file holding the job's ID token (local runs, act)"},
	{Name: InAudience,
		Description: "audience to request for the job's ID token from GitHub (empty: GitHub's default)"},
	{Name: InAssertion, Secret: true,
		Description: "the JWT to exchange with the jwt-bearer grant (default: the job's ID token, as the oidc flow gets it)"},
	{Name: InOrigin,
		Description: "identity provider (Origin Key of a trust configuration) for the password and jwt-bearer grants: sent as login_hint={\"origin\":...}"},
	{Name: InExportEnv,
		Description: "NAME=output pairs (space or line separated) exported to later steps through GITHUB_ENV, e.g. CF_PASSWORD=passcode; GitHub only (elsewhere use dotenv-file)"},
	{Name: InRequiredScopes,
		Description: "token flows: scopes the token must carry, space separated; a scope matches by its full name or the part after the application prefix (WorkspacePackagesRead matches it!b12345.WorkspacePackagesRead)"},
	{Name: InVerifyURL,
		Description: "token flows: an https URL to GET with the new token (e.g. <CPI url>/api/v1/IntegrationPackages?$top=1) to prove it is accepted; 401/403 fail the step with the likely missing role"},
	{Name: InOutput, Default: "text", ShellOnly: true,
		Description: "shell only: text prints the passcode, access token or ID token alone; json prints all outputs as one object; an output's name (e.g. id-token) prints that output alone"},
}

// lookup returns the input called name.
func lookup(name string) (Input, bool) {
	for _, in := range Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// GitHubEnv is the variable the GitHub runner sets for an input: INPUT_
// followed by the name in upper case, hyphens kept (INPUT_IAS-TENANT).
func GitHubEnv(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// ShellEnv is the variable read outside GitHub: SAP_CI_AUTH_ followed by the
// name in upper case with hyphens as underscores (SAP_CI_AUTH_IAS_TENANT).
func ShellEnv(name string) string {
	return envPrefix + envKey(name)
}

// envPrefix starts every variable read outside GitHub Actions.
const envPrefix = "SAP_CI_AUTH_"

// envKey is the go-envconfig key of an input: upper case, underscores.
func envKey(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// inputName turns a go-envconfig key back into an input name.
func inputName(key string) string {
	return strings.ToLower(strings.ReplaceAll(key, "_", "-"))
}

// Output describes one step output.
type Output struct {
	// Name is the output name in action.yml; dotenv files use it in upper
	// case with underscores.
	Name string
	// Description mirrors action.yml.
	Description string
	// Secret outputs are masked before anything is written.
	Secret bool
	// NoDotenv outputs are left out of dotenv files.
	NoDotenv bool
}

// LookupOutput returns the output called name.
func LookupOutput(name string) (Output, bool) {
	for _, o := range Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return Output{}, false
}

// Output names.
const (
	OutPasscode      = "passcode"
	OutAccessToken   = "access-token"
	OutAuthorization = "authorization"
	OutTokenType     = "token-type"
	OutExpiresIn     = "expires-in"
	OutExpiresAt     = "expires-at"
	OutScope         = "scope"
	OutIDToken       = "id-token"
	OutIssuer        = "issuer"
	OutSubject       = "subject"
	OutAudience      = "audience"
)

// Outputs is the table of every output, in the order they are written.
var Outputs = []Output{
	{Name: OutPasscode, Secret: true,
		Description: "the IAS one-time passcode: the password for `btp login --idp` or `cf login --origin`; valid once, for about 5 minutes"},
	{Name: OutAccessToken, Secret: true, Description: "the OAuth access token"},
	// Not Secret: its secret part is the access token, masked on its own.
	// Not in dotenv files: its space cannot be written there safely for
	// both sh and GitLab; "Bearer $ACCESS_TOKEN" rebuilds it.
	{Name: OutAuthorization, NoDotenv: true, Description: "the Authorization header value: Bearer <access token>"},
	{Name: OutTokenType, Description: "the token type the server returned, as Bearer"},
	{Name: OutExpiresIn, Description: "seconds until the passcode or token expires (token: from expires_in, else the JWT's exp; empty if neither says)"},
	{Name: OutExpiresAt, Description: "when the passcode or token expires, RFC 3339 in UTC (empty when expires-in is)"},
	{Name: OutScope, Description: "the scopes the token carries, space separated"},
	{Name: OutIDToken, Secret: true, Description: "an OpenID Connect ID token: the job's own (oidc flow) or the one the token endpoint returned (jwt-bearer)"},
	{Name: OutIssuer, Description: "the ID token's issuer (iss), for the trust configuration in IAS"},
	{Name: OutSubject, Description: "the ID token's subject (sub)"},
	{Name: OutAudience, Description: "the ID token's audience (aud), space separated"},
}
