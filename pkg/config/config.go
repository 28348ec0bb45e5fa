package config

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// Settings is every input after loading, resolved and validated. A field's
// zero value means the input was not given (defaults are already applied).
//
// Each tagged field is its input's one declaration, read by go-envconfig,
// --help, the flags, the mask list and the action.yml test ([Inputs] is
// built from it):
//
//   - env:"KEY[,default=V]" is go-envconfig's key and default; the input's
//     name is KEY in lower case with - for _ (IAS_TENANT → ias-tenant), its
//     flag --<name>, its variables INPUT_<NAME> and SAP_CI_AUTH_KEY;
//   - input:"secret" masks it before anything is printed and gives it no
//     flag; input:"shell" leaves it out of action.yml; input:"orpath" (a
//     [Material]) takes PEM text or a path;
//   - help:"…" is its description in --help and action.yml;
//   - file:"…" (a [Material]) declares its twin <name>-file, the same data
//     as a path, with that description.
type Settings struct {
	Flow      string `env:"FLOW" help:"which credential to get (see Flows)"`
	IASTenant string `env:"IAS_TENANT" help:"IAS tenant: an id (mytenant -> https://mytenant.accounts.ondemand.com), a host name, or an https URL for custom domains"`
	// Certificate is the client certificate's data (PKCS#12, base64 or PEM).
	Certificate         Material `env:"CERTIFICATE" input:"secret" help:"client certificate: base64 of a PKCS#12 file, or PEM text holding the certificate, its chain and the private key (token flows: for X.509 service keys without a key)" file:"path to the client certificate (.p12, .pfx or .pem); relative to the working directory"`
	CertificatePassword string   `env:"CERTIFICATE_PASSWORD" input:"secret" help:"password of the PKCS#12 certificate (empty for none)"`
	CACertificates      Material `env:"CA_CERTIFICATES" input:"orpath" help:"extra trusted CA certificates, as PEM text or a path to a PEM file; added to the system roots"`
	// Timeout bounds the whole run, retries included; always positive.
	Timeout        time.Duration `env:"TIMEOUT,default=30s" help:"time limit for the whole run, retries included, as a Go duration (30s, 1m)"`
	DotenvFile     string        `env:"DOTENV_FILE" help:"also write all outputs as NAME=value lines (mode 0600) to this file, e.g. for a GitLab dotenv report"`
	ServiceKey     Material      "env:\"SERVICE_KEY\" input:\"secret\" help:\"service key JSON, or the raw output of `cf service-key` / `xs service-key` pasted as is\" file:\"path to a file holding the service key\""
	TokenURL       string        `env:"TOKEN_URL" help:"OAuth token URL (https); overrides the service key, e.g. for Neo"`
	ClientID       string        `env:"CLIENT_ID" help:"OAuth client id; overrides the service key"`
	ClientSecret   string        `env:"CLIENT_SECRET" input:"secret" help:"OAuth client secret; overrides the service key"`
	Username       string        `env:"USERNAME" help:"user for the password grant (e.g. the HANA cockpit user)"`
	Password       string        `env:"PASSWORD" input:"secret" help:"password of that user"`
	Scope          string        `env:"SCOPE" help:"scopes to request, space separated (default: all the client may have)"`
	ClientAuth     string        `env:"CLIENT_AUTH,default=body" help:"how the OAuth client authenticates: body (id and secret in the form, client_secret_post; works with UAA, XSUAA and CPI), basic (HTTP Basic header), or id-token (no secret: the CI job's ID token is the client's credential, RFC 7523 client_assertion; IAS, client-credentials and jwt-bearer)"`
	IDToken        Material      `env:"ID_TOKEN" input:"secret" help:"the CI job's OIDC ID token (JWT); on GitLab declare id_tokens: {SAP_CI_AUTH_ID_TOKEN: {aud: ...}}; on GitHub leave it empty and grant permissions: id-token: write" file:"path to a file holding the job's ID token (local runs, act)"`
	Audience       string        `env:"AUDIENCE" help:"audience to request for the job's ID token from GitHub (empty: GitHub's default; with client-auth id-token, the IAS tenant's URL, or token-url)"`
	Assertion      string        `env:"ASSERTION" input:"secret" help:"the JWT to exchange with the jwt-bearer grant (default: the job's ID token, as the oidc flow gets it)"`
	Origin         string        `env:"ORIGIN" help:"identity provider (Origin Key of a trust configuration) for the password and jwt-bearer grants: sent as login_hint={\"origin\":...}"`
	ExportEnv      EnvVars       `env:"EXPORT_ENV" help:"NAME=output pairs (space or line separated) exported to later steps through GITHUB_ENV, e.g. CF_PASSWORD=passcode; GitHub only (elsewhere use dotenv-file)"`
	RequiredScopes Words         `env:"REQUIRED_SCOPES" help:"token flows: scopes the token must carry, space separated; a scope matches by its full name or the part after the application prefix (WorkspacePackagesRead matches it!b12345.WorkspacePackagesRead)"`
	VerifyURL      string        `env:"VERIFY_URL" help:"token flows: an https URL to GET with the new token (e.g. <CPI url>/api/v1/IntegrationPackages?$top=1) to prove it is accepted; 401/403 fail the step with the likely missing role"`
	// Summary turns the GitHub job summary on (the default) or off. Load
	// sets it even when it fails, so that the summary can report that
	// failure; an unreadable value counts as on.
	Summary bool `env:"SUMMARY,default=true" help:"GitHub only: append a short Markdown report of the run (never a secret) to the job summary; false turns it off"`
	// Output is "text", "json", or the name of the one output to print.
	Output string `env:"OUTPUT,default=text" input:"shell" help:"shell only: text prints the passcode, access token or ID token alone; json prints all outputs as one object; an output's name (e.g. id-token) prints that output alone"`

	// IDTokenRequest is GitHub's token service for the job's ID token, from
	// ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN (empty without
	// `permissions: id-token: write`); not an input.
	IDTokenRequest TokenRequest
	// AzureTokenRequest is Azure Pipelines' token service for the job's ID
	// token, from SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN (the latter
	// only when the pipeline maps System.AccessToken into the step's env);
	// not an input.
	AzureTokenRequest TokenRequest
	// CIIDTokens are the job's ID tokens that a CI puts into a variable of
	// its own (BITBUCKET_STEP_OIDC_TOKEN, CIRCLE_OIDC_TOKEN_V2), in that
	// order, those that are set; secrets, not inputs.
	CIIDTokens []CIIDToken

	// GitHub reports whether the settings came from GitHub Actions inputs;
	// it only changes how errors tell the user where to set a value.
	GitHub bool

	// given holds every input that was set to something other than its
	// default, by name.
	given map[string]string
	// fileText holds the content of file inputs that is valid text, by the
	// name of the file input, for the mask list.
	fileText map[string]string
}

// Material is data given either as text or as a path to a file.
type Material struct {
	// Input names the input the data came from ("certificate" or
	// "certificate-file"); empty when neither was given.
	Input string
	// Data is the text as given or the file's content.
	Data []byte
}

// Given reports whether the data was given at all.
func (m Material) Given() bool { return m.Input != "" }

// EnvDecode implements go-envconfig's Decoder: the text as given. Load
// then names its input, or reads the file its twin names.
func (m *Material) EnvDecode(v string) error {
	m.Data = []byte(v)
	return nil
}

// Words is a space separated list.
type Words []string

// EnvDecode implements go-envconfig's Decoder (its own slices split at
// commas).
func (w *Words) EnvDecode(v string) error {
	*w = strings.Fields(v)
	return nil
}

// EnvVars is export-env: the variables to export to later steps.
type EnvVars []EnvVar

// EnvDecode implements go-envconfig's Decoder with [parseExportEnv].
func (e *EnvVars) EnvDecode(v string) error {
	vars, err := parseExportEnv(v)
	*e = vars
	return err
}

// EnvVar is one NAME=output pair of export-env.
type EnvVar struct {
	// Name is the variable's name.
	Name string
	// Output is the output whose value it gets.
	Output string
}

// TokenRequest is where GitHub's runner lets a job ask for its ID token.
type TokenRequest struct {
	// URL is ACTIONS_ID_TOKEN_REQUEST_URL.
	URL string
	// Token is ACTIONS_ID_TOKEN_REQUEST_TOKEN (secret).
	Token string
}

// Variables of GitHub's token service for the job's ID token.
const (
	EnvIDTokenRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvIDTokenRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// Variables of Azure Pipelines' token service for the job's ID token:
// the agent sets SYSTEM_OIDCREQUESTURI in every job; SYSTEM_ACCESSTOKEN is
// there only when the pipeline maps System.AccessToken into the step's env.
const (
	EnvAzureOIDCRequestURI = "SYSTEM_OIDCREQUESTURI"
	EnvAzureAccessToken    = "SYSTEM_ACCESSTOKEN"
)

// Variables in which a CI gives the job's ID token itself: Bitbucket
// Pipelines for a step with `oidc: true`, CircleCI for a job with a context.
const (
	EnvBitbucketIDToken = "BITBUCKET_STEP_OIDC_TOKEN"
	EnvCircleCIIDToken  = "CIRCLE_OIDC_TOKEN_V2"
)

// CIIDToken is a job's ID token that the CI gave in a variable.
type CIIDToken struct {
	// Env is the variable's name.
	Env string
	// Token is its value, trimmed (secret).
	Token string
}

// Source says where [Load] reads the inputs from.
type Source struct {
	// Getenv reads the process environment.
	Getenv func(string) string
	// GitHub selects INPUT_<NAME> variables (with SAP_CI_AUTH_<NAME> as a
	// fallback, so a step's env: block also works).
	GitHub bool
	// Flags holds values from the command line by input name; they win over
	// the environment.
	Flags map[string]string
	// Flows lists the registered flow names; the flow input must be one.
	Flows []string
	// ReadFile reads a file input; nil means readInputFile.
	ReadFile func(input, path string) ([]byte, error)
}

// maxValue is the most bytes any input, or any file an input names, may
// hold. Certificates, keys and service keys are a few KB; the cap keeps a
// careless `certificate-file: /dev/zero` or a 20 MB paste from costing
// memory and time.
const maxValue = 1 << 20

// Load reads every input through go-envconfig into [Settings], resolves
// the "text or a path" inputs into their bytes, and validates everything
// that does not depend on the flow. An empty value counts as unset, because
// the GitHub runner exports every declared input, empty or not; unset
// inputs take their declared default.
//
// The returned settings are non-nil even with an error, as far as they
// were read, so that the caller can mask the secrets among them before it
// prints the error.
func Load(ctx context.Context, src Source) (*Settings, error) {
	s := &Settings{GitHub: src.GitHub, given: map[string]string{}, fileText: map[string]string{}}
	var tooLong string
	// get reads an input: the flag, else (on GitHub) INPUT_<NAME>, else
	// SAP_CI_AUTH_<KEY>; empty means unset.
	get := func(name string) string {
		in, _ := lookup(name)
		v := src.Flags[name]
		if v == "" && src.GitHub {
			v = clean(in, src.Getenv(GitHubEnv(name)))
		}
		if v == "" {
			v = clean(in, src.Getenv(ShellEnv(name)))
		}
		if len(v) > maxValue {
			if tooLong == "" {
				tooLong = name
			}
			return ""
		}
		if v != "" && v != in.Default {
			// The GitHub runner exports every declared input with its
			// default; only a value of the user's own counts as given.
			s.given[name] = v
		}
		return v
	}
	// The CI's variables of the job's token, read first: Secrets masks
	// them even when an input below cannot be decoded.
	s.IDTokenRequest = TokenRequest{URL: strings.TrimSpace(src.Getenv(EnvIDTokenRequestURL)), Token: strings.TrimSpace(src.Getenv(EnvIDTokenRequestToken))}
	s.AzureTokenRequest = TokenRequest{URL: strings.TrimSpace(src.Getenv(EnvAzureOIDCRequestURI)), Token: strings.TrimSpace(src.Getenv(EnvAzureAccessToken))}
	s.CIIDTokens = nil
	for _, name := range []string{EnvBitbucketIDToken, EnvCircleCIIDToken} {
		if v := strings.TrimSpace(src.Getenv(name)); v != "" {
			s.CIIDTokens = append(s.CIIDTokens, CIIDToken{Env: name, Token: v})
		}
	}
	lookuper := envconfig.LookuperFunc(func(key string) (string, bool) {
		v := get(inputName(key))
		return v, v != ""
	})
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: s, Lookuper: lookuper}); err != nil {
		// go-envconfig stops at the first field it cannot decode, maybe
		// before Summary: the job summary of this very error still
		// follows the summary input, and an unreadable one means on.
		on, perr := strconv.ParseBool(get(In.Name(&In.Summary)))
		s.Summary = on || perr != nil
		// Nor did it read the secret inputs after that field: read them,
		// so that Secrets masks them before the error is printed.
		for _, in := range Inputs {
			if in.Secret {
				get(in.Name)
			}
		}
		return s, decodeError(s, err)
	}
	if tooLong != "" {
		return s, &InputError{Input: tooLong, Problem: fmt.Sprintf(msgTooLong, maxValue), Fix: msgTooLongFix}
	}
	if err := s.validate(src.Flows); err != nil {
		return s, err
	}
	readFile := src.ReadFile
	if readFile == nil {
		readFile = readInputFile
	}
	for _, in := range Inputs {
		m, ok := reflect.ValueOf(s).Elem().Field(in.field).Addr().Interface().(*Material)
		if !ok || in.twinOf != "" {
			continue
		}
		if err := s.resolve(m, in, get, readFile); err != nil {
			return s, err
		}
	}
	return s, nil
}

// resolve turns the text go-envconfig decoded into m into the data of
// input in: the text itself, the file its twin names (at most one of the
// two may be given), or for an orpath input the file the text names when
// it is not PEM.
func (s *Settings) resolve(m *Material, in Input, get func(string) string, readFile func(string, string) ([]byte, error)) error {
	path := ""
	if in.File != "" {
		path = get(in.File)
	}
	switch {
	case len(m.Data) > 0 && path != "":
		return &InputError{Input: in.Name, Problem: fmt.Sprintf(msgGivenTogether, in.File), Fix: msgGiveOnlyOne}
	case in.orPath && len(m.Data) > 0 && !bytes.Contains(m.Data, []byte("-----BEGIN")):
		b, err := readFile(in.Name, string(m.Data))
		if err != nil {
			return notPEMNorFile(err)
		}
		*m = Material{Input: in.Name, Data: b}
	case len(m.Data) > 0:
		if in.File != "" && mayBePath(m.Data) {
			// A path pasted into the text input: no certificate, service
			// key or token is the name of an existing file.
			if _, err := readFile(in.Name, string(m.Data)); err == nil {
				twin, _ := lookup(in.File)
				return &InputError{Input: in.Name, Problem: msgHoldsPath, Fix: fmt.Sprintf(msgUseFileTwin, s.where(twin))}
			}
		}
		m.Input = in.Name
	case path != "":
		b, err := readFile(in.File, path)
		if err != nil {
			return err
		}
		if isText(b) {
			s.fileText[in.File] = string(b)
		}
		*m = Material{Input: in.File, Data: b}
	}
	return nil
}

// notPEMNorFile explains a failure to read the file that an orpath input's
// text names: text that is not PEM and names no file (base64 of a DER
// certificate, for which the file system says "no such file" or cannot
// even open a name that long) is neither of the two forms the input takes.
// A file that exists but cannot be read keeps its own problem. Which of
// the two the file system says depends on the value ("no such file", or
// for base64 with no "/" in 255 bytes "cannot open"): not shown, so that
// the message is the same for the same mistake.
func notPEMNorFile(err error) error {
	if ie, ok := errors.AsType[*InputError](err); ok && (ie.Problem == msgNoSuchFile || ie.Problem == msgCannotOpen) {
		return &InputError{Input: ie.Input, Problem: msgNeitherPEMNorFile, Fix: msgPEMFix}
	}
	return err
}

// mayBePath reports whether the text of an input could be the path of a
// file: one line no longer than Linux's PATH_MAX, and not what the data
// itself looks like (PEM or JSON).
func mayBePath(b []byte) bool {
	return len(b) <= 4096 && !bytes.ContainsAny(b, "\r\n\x00") && !bytes.Contains(b, []byte("-----BEGIN")) &&
		!bytes.HasPrefix(bytes.TrimSpace(b), []byte("{"))
}

// decodeError turns a go-envconfig error into an [InputError] for the input
// of the field it names ("Timeout: time: invalid duration …"), without the
// value, which go-envconfig's decoders quote. An InputError of a decoder
// of ours is returned as it is.
func decodeError(s *Settings, err error) error {
	if ie, ok := errors.AsType[*InputError](err); ok {
		return ie
	}
	field, _, _ := strings.Cut(err.Error(), ":")
	if f, ok := reflect.TypeFor[Settings]().FieldByName(field); ok {
		for _, in := range Inputs {
			if in.field == f.Index[0] && in.twinOf == "" {
				if in.Name == In.Name(&In.Timeout) {
					return &InputError{Input: in.Name, Problem: msgNotDuration, Fix: msgDurationFix}
				}
				if in.Name == In.Name(&In.Summary) {
					return &InputError{Input: in.Name, Problem: msgNotBoolean, Fix: msgBooleanFix}
				}
				return &InputError{Input: in.Name, Problem: msgCannotBeRead, Fix: fmt.Sprintf(msgToValidValue, s.where(in))}
			}
		}
	}
	return fmt.Errorf(msgLoadSettings, errors.New(msgCannotDecode))
}

// clean trims what a pasted value picks up around it. A secret keeps its
// inner and leading spaces (" pw " is a valid certificate password) and loses
// only the line break that `echo` or a copied secret leaves at its end; a
// secret of white space alone counts as unset. Other inputs lose surrounding
// white space.
func clean(in Input, v string) string {
	if in.Secret {
		if strings.TrimSpace(v) == "" {
			return ""
		}
		return strings.TrimRight(v, "\r\n")
	}
	return strings.TrimSpace(v)
}

// Secrets returns every value that must be masked before anything is
// printed: each input marked Secret in [Inputs] and the text content of
// its file twin.
func (s *Settings) Secrets() []string {
	var out []string
	for _, in := range Inputs {
		if !in.Secret {
			continue
		}
		if v := s.given[in.Name]; v != "" {
			out = append(out, v)
		}
		if v := s.fileText[in.File]; in.File != "" && v != "" {
			out = append(out, v)
		}
	}
	if s.IDTokenRequest.Token != "" {
		out = append(out, s.IDTokenRequest.Token)
	}
	if s.AzureTokenRequest.Token != "" {
		out = append(out, s.AzureTokenRequest.Token)
	}
	for _, t := range s.CIIDTokens {
		out = append(out, t.Token)
	}
	return out
}

// Given lists the inputs that were set to something other than their
// default, in table order.
func (s *Settings) Given() []string {
	var out []string
	for _, in := range Inputs {
		if _, ok := s.given[in.Name]; ok {
			out = append(out, in.Name)
		}
	}
	return out
}

// InputError is a problem with one input. Its message names the input and
// the fix, never the value. The app exits 2 on it: nothing was sent.
type InputError struct {
	// Input is the input's name.
	Input string
	// Problem says what is wrong, Fix what to do; neither holds the value.
	Problem, Fix string
}

func (e *InputError) Error() string {
	if e.Fix == "" {
		return e.Input + ": " + e.Problem
	}
	return e.Input + ": " + e.Problem + "; " + e.Fix
}

// Where tells the user how to set the input of field (a pointer to one of
// s's fields) in the current mode.
func (s *Settings) Where(field any) string { return s.where(s.input(field)) }

func (s *Settings) where(in Input) string {
	if s.GitHub {
		return fmt.Sprintf(msgSetUnderWith, in.Name)
	}
	if in.Secret {
		return fmt.Sprintf(msgSetEnv, ShellEnv(in.Name))
	}
	return fmt.Sprintf(msgPassFlagOrSetEnv, in.Name, ShellEnv(in.Name))
}

// Missing is the error for a required input, the one that fills field (a
// pointer to one of s's fields), that was not given.
func (s *Settings) Missing(field any, what string) *InputError {
	in := s.input(field)
	return &InputError{Input: in.Name, Problem: msgMissing, Fix: s.where(in) + " to " + what}
}

func oneOf(values []string) string {
	return fmt.Sprintf(msgUseOneOf, strings.Join(values, ", "))
}

// clientAuthStyles are the values of the client-auth input.
var clientAuthStyles = []string{"body", "basic", ClientAuthIDToken}

// ClientAuthIDToken is the client-auth value that authenticates the OAuth
// client with the CI job's ID token (RFC 7523 §2.2) instead of a secret.
const ClientAuthIDToken = "id-token"

// validate checks what does not depend on the flow.
func (s *Settings) validate(flows []string) error {
	if s.Flow == "" {
		return &InputError{Input: s.Name(&s.Flow), Problem: msgMissing, Fix: s.Where(&s.Flow) + "; " + oneOf(flows)}
	}
	if !slices.Contains(flows, s.Flow) {
		return &InputError{Input: s.Name(&s.Flow), Problem: msgUnknownFlow, Fix: oneOf(flows)}
	}
	if s.Timeout <= 0 {
		return &InputError{Input: s.Name(&s.Timeout), Problem: msgNotDuration, Fix: msgDurationFix}
	}
	if _, isOutput := LookupOutput(s.Output); !isOutput && !slices.Contains([]string{"text", "json"}, s.Output) {
		return &InputError{Input: s.Name(&s.Output), Problem: msgUnknownFormat, Fix: msgOutputFormatFix}
	}
	if !slices.Contains(clientAuthStyles, s.ClientAuth) {
		return &InputError{Input: s.Name(&s.ClientAuth), Problem: msgUnknownStyle, Fix: oneOf(clientAuthStyles)}
	}
	return nil
}

// Args is what the command line held.
type Args struct {
	// Command is "" for a flow run, or "help", "version" or "inspect".
	Command string
	// Values holds flag values and the positional flow, by input name.
	Values map[string]string
}

// ParseArgs reads the command line: an optional flow (or "help",
// "version", "inspect") as the first argument, then --<input> flags. A secret input
// given as a flag is refused without echoing the value.
func ParseArgs(args []string) (Args, error) {
	out := Args{Values: map[string]string{}}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "help", "version", "inspect":
			out.Command = args[0]
		default:
			out.Values[In.Name(&In.Flow)] = args[0]
		}
		args = args[1:]
		// `inspect <flow>` as well as `inspect --flow <flow>`.
		if out.Command == "inspect" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			out.Values[In.Name(&In.Flow)] = args[0]
			args = args[1:]
		}
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		// A secret flag in any spelling: --password=x, --password x (one
		// argument, as a YAML args: line gives it), --password:x, even
		// --passwordx. The value is never repeated.
		name := strings.ReplaceAll(strings.ToLower(strings.TrimLeft(a, "-")), "_", "-")
		for _, in := range Inputs {
			if in.Secret && strings.HasPrefix(name, in.Name) && !isLongerInput(name, in.Name) {
				return out, &InputError{Input: in.Name, Problem: msgSecretFlag,
					Fix: fmt.Sprintf(msgSetInstead, ShellEnv(in.Name))}
			}
		}
	}
	fs := flag.NewFlagSet("sap-ci-auth", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := map[string]*string{}
	for _, in := range Inputs {
		if !in.Secret {
			vals[in.Name] = fs.String(in.Name, "", in.Description)
		}
	}
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	version := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			out.Command = "help"
			return out, nil
		}
		return out, &InputError{Input: textCommandLine, Problem: flagProblem(err), Fix: msgSeeHelp}
	}
	if fs.NArg() > 0 {
		return out, &InputError{Input: textCommandLine, Problem: msgUnexpectedArg, Fix: msgUnexpectedArgFix}
	}
	switch {
	case *help:
		out.Command = "help"
	case *version:
		out.Command = "version"
	}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := vals[f.Name]; ok {
			out.Values[f.Name] = *p
		}
	})
	return out, nil
}

// flagProblem is the flag package's complaint without the value it quotes
// ("invalid value \"…\" for flag"), which may be a mistyped secret.
func flagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, matchUndefinedFlag); ok {
		if isFlagName(strings.TrimLeft(name, "-")) {
			return fmt.Sprintf(msgUnknownFlag, strings.TrimLeft(name, "-"))
		}
		// Not shown: an odd "flag" may be a value pasted in the wrong place.
		return msgHiddenFlag
	}
	if name, ok := strings.CutPrefix(msg, matchFlagNeedsArgument); ok && isFlagName(strings.TrimLeft(name, "-")) {
		return fmt.Sprintf(msgFlagNeedsValue, strings.TrimLeft(name, "-"))
	}
	return msgCannotParse
}

// flagName is what an input's flag may look like when an error names it,
// at most 40 characters (checked apart: a counted repetition {0,39}
// compiles to 39 copies of the class, a cost every run paid at start-up).
var flagName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// isFlagName reports whether name may be shown as a flag (see flagName).
func isFlagName(name string) bool { return len(name) <= 40 && flagName.MatchString(name) }

// isLongerInput reports whether name starts with another, longer input's
// name than prefix (certificate-file is not the secret certificate).
func isLongerInput(name, prefix string) bool {
	for _, in := range Inputs {
		if len(in.Name) > len(prefix) && strings.HasPrefix(in.Name, prefix) && strings.HasPrefix(name, in.Name) {
			return true
		}
	}
	return false
}
