// Package config holds the one table of sap-ci-auth's inputs and loads them
// from wherever the runner puts them: GitHub's INPUT_<NAME> variables,
// SAP_CI_AUTH_<NAME> variables elsewhere, and command-line flags.
//
// The table [Inputs] is the single source for --help, the flag set, the
// environment names and the action.yml test, so a new input is one row here
// and one field in [Settings].
package config

import "strings"

// Flow names, as given by the flow input or the first argument.
const (
	FlowIASPasscode       = "ias-passcode"
	FlowClientCredentials = "client-credentials"
	FlowPassword          = "password"
)

// Flows lists the valid flow names in the order --help shows them.
var Flows = []string{FlowIASPasscode, FlowClientCredentials, FlowPassword}

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
	// ShellOnly inputs make sense only outside GitHub Actions and are not
	// declared in action.yml.
	ShellOnly bool
	// Flows lists the flows that read this input; empty means all.
	Flows []string
}

// Inputs is the table of every input, in the order --help lists them.
var Inputs = []Input{
	{Name: "flow", Description: "which credential to get: ias-passcode, client-credentials or password"},
	{Name: "ias-tenant", Flows: []string{FlowIASPasscode},
		Description: "IAS tenant: an id (mytenant -> https://mytenant.accounts.ondemand.com), a host name, or an https URL for custom domains"},
	{Name: "certificate", Secret: true,
		Description: "client certificate: base64 of a PKCS#12 file, or PEM text holding the certificate, its chain and the private key (token flows: for X.509 service keys without a key)"},
	{Name: "certificate-file",
		Description: "path to the client certificate (.p12, .pfx or .pem); relative to the working directory"},
	{Name: "certificate-password", Secret: true,
		Description: "password of the PKCS#12 certificate (empty for none)"},
	{Name: "ca-certificates",
		Description: "extra trusted CA certificates, as PEM text or a path to a PEM file; added to the system roots"},
	{Name: "timeout", Default: "30s",
		Description: "time limit for the whole request, as a Go duration (30s, 1m)"},
	{Name: "dotenv-file",
		Description: "also write all outputs as NAME=value lines (mode 0600) to this file, e.g. for a GitLab dotenv report"},
	{Name: "service-key", Secret: true, Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "service key JSON, or the raw output of `cf service-key` / `xs service-key` pasted as is"},
	{Name: "service-key-file", Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "path to a file holding the service key"},
	{Name: "token-url", Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "OAuth token URL (https); overrides the service key, e.g. for Neo"},
	{Name: "client-id", Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "OAuth client id; overrides the service key"},
	{Name: "client-secret", Secret: true, Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "OAuth client secret; overrides the service key"},
	{Name: "username", Flows: []string{FlowPassword},
		Description: "user for the password grant (e.g. the HANA cockpit user)"},
	{Name: "password", Secret: true, Flows: []string{FlowPassword},
		Description: "password of that user"},
	{Name: "scope", Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "scopes to request, space separated (default: all the client may have)"},
	{Name: "client-auth", Default: "body", Flows: []string{FlowClientCredentials, FlowPassword},
		Description: "where the client id and secret go: body (client_secret_post, works with UAA, XSUAA and CPI) or basic (HTTP Basic header)"},
	{Name: "output", Default: "text", ShellOnly: true,
		Description: "shell only: text prints the passcode or access token alone; json prints all outputs as one object"},
}

// Lookup returns the input called name.
func Lookup(name string) (Input, bool) {
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
	return EnvPrefix + envKey(name)
}

// EnvPrefix starts every variable read outside GitHub Actions.
const EnvPrefix = "SAP_CI_AUTH_"

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
	// Flows lists the flows that set it.
	Flows []string
}

var oauthFlows = []string{FlowClientCredentials, FlowPassword}

// Outputs is the table of every output.
var Outputs = []Output{
	{Name: "passcode", Flows: []string{FlowIASPasscode},
		Description: "the IAS one-time passcode: the password for `btp login --idp` or `cf login --origin`; valid once, for about 5 minutes"},
	{Name: "access-token", Flows: oauthFlows, Description: "the OAuth access token"},
	{Name: "authorization", Flows: oauthFlows, Description: "the Authorization header value: Bearer <access token>"},
	{Name: "token-type", Flows: oauthFlows, Description: "the token type the server returned, as Bearer"},
	{Name: "expires-in", Description: "seconds until the passcode or token expires (token: from expires_in, else the JWT's exp; empty if neither says)"},
	{Name: "expires-at", Description: "when the passcode or token expires, RFC 3339 in UTC (empty when expires-in is)"},
	{Name: "scope", Flows: oauthFlows, Description: "the scopes the token carries, space separated"},
}
