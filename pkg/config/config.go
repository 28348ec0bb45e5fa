package config

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// Settings is every input after loading, resolved and validated. A field's
// zero value means the input was not given (defaults are already applied).
type Settings struct {
	// Flow is the name of a registered flow.
	Flow string
	// IASTenant is the IAS tenant id, host or https URL, as given.
	IASTenant string
	// Certificate is the client certificate's data (PKCS#12, base64 or
	// PEM), from the certificate or the certificate-file input.
	Certificate Material
	// CertificatePassword unlocks the PKCS#12 file (secret).
	CertificatePassword string
	// CACertificates is the PEM data of ca-certificates (text or file).
	CACertificates []byte
	// Timeout bounds the whole run, retries included; always positive.
	Timeout time.Duration
	// DotenvFile, when set, receives all outputs as NAME=value lines.
	DotenvFile string
	// ServiceKey is the service key's text, from service-key or
	// service-key-file.
	ServiceKey Material
	// TokenURL overrides the service key's token URL.
	TokenURL string
	// ClientID overrides the service key's client id.
	ClientID string
	// ClientSecret overrides the service key's client secret (secret).
	ClientSecret string
	// Username is the user of the password grant.
	Username string
	// Password is that user's password (secret).
	Password string
	// Scope is a space separated list of scopes to request.
	Scope string
	// ClientAuth is "body" or "basic".
	ClientAuth string
	// Output is "text", "json", or the name of the one output to print
	// (shell mode only).
	Output string
	// IDToken is the job's ID token from id-token or id-token-file.
	IDToken Material
	// Audience is the audience to request from GitHub's token service.
	Audience string
	// Assertion is the JWT for the jwt-bearer grant (secret).
	Assertion string
	// Origin is the identity provider's origin key for login_hint.
	Origin string
	// RequiredScopes lists scopes the token must carry.
	RequiredScopes []string
	// VerifyURL is an https URL to GET with the new token.
	VerifyURL string
	// ExportEnv lists the variables to export to later steps.
	ExportEnv []EnvVar
	// IDTokenRequest is GitHub's token service for the job's ID token, from
	// ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN (empty without
	// `permissions: id-token: write`).
	IDTokenRequest TokenRequest

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

// raw is what go-envconfig decodes: one field per input of [Inputs], by its
// envKey. [Load] turns it into [Settings].
type raw struct {
	Flow                string        `env:"FLOW"`
	IASTenant           string        `env:"IAS_TENANT"`
	Certificate         string        `env:"CERTIFICATE"`
	CertificateFile     string        `env:"CERTIFICATE_FILE"`
	CertificatePassword string        `env:"CERTIFICATE_PASSWORD"`
	CACertificates      string        `env:"CA_CERTIFICATES"`
	Timeout             time.Duration `env:"TIMEOUT"`
	DotenvFile          string        `env:"DOTENV_FILE"`
	ServiceKey          string        `env:"SERVICE_KEY"`
	ServiceKeyFile      string        `env:"SERVICE_KEY_FILE"`
	TokenURL            string        `env:"TOKEN_URL"`
	ClientID            string        `env:"CLIENT_ID"`
	ClientSecret        string        `env:"CLIENT_SECRET"`
	Username            string        `env:"USERNAME"`
	Password            string        `env:"PASSWORD"`
	Scope               string        `env:"SCOPE"`
	ClientAuth          string        `env:"CLIENT_AUTH"`
	Output              string        `env:"OUTPUT"`
	IDToken             string        `env:"ID_TOKEN"`
	IDTokenFile         string        `env:"ID_TOKEN_FILE"`
	Audience            string        `env:"AUDIENCE"`
	Assertion           string        `env:"ASSERTION"`
	Origin              string        `env:"ORIGIN"`
	ExportEnv           string        `env:"EXPORT_ENV"`
	RequiredScopes      string        `env:"REQUIRED_SCOPES"`
	VerifyURL           string        `env:"VERIFY_URL"`
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

// Load reads every input through go-envconfig, resolves the "text or a
// path" inputs into their bytes, and validates everything that does not
// depend on the flow. An empty value counts as unset, because the GitHub
// runner exports every declared input, empty or not; unset inputs take
// their default from [Inputs].
//
// The returned settings are non-nil even with an error, as far as they
// were read, so that the caller can mask the secrets among them before it
// prints the error.
func Load(ctx context.Context, src Source) (*Settings, error) {
	s := &Settings{GitHub: src.GitHub, given: map[string]string{}, fileText: map[string]string{}}
	var tooLong string
	lookup := envconfig.LookuperFunc(func(key string) (string, bool) {
		name := inputName(key)
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
			return "", false
		}
		switch {
		case v == "":
			v = in.Default
		case v != in.Default:
			// The GitHub runner exports every declared input with its
			// default; only a value of the user's own counts as given.
			s.given[name] = v
		}
		return v, v != ""
	})
	var r raw
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &r, Lookuper: lookup}); err != nil {
		return s, decodeError(s, err)
	}
	if tooLong != "" {
		return s, &InputError{Input: tooLong, Problem: fmt.Sprintf("is longer than %d bytes", maxValue), Fix: "give the value itself, not a whole file's worth"}
	}
	*s = Settings{
		Flow: r.Flow, IASTenant: r.IASTenant, CertificatePassword: r.CertificatePassword,
		Timeout: r.Timeout, DotenvFile: r.DotenvFile, TokenURL: r.TokenURL, ClientID: r.ClientID,
		ClientSecret: r.ClientSecret, Username: r.Username, Password: r.Password, Scope: r.Scope,
		ClientAuth: r.ClientAuth, Output: r.Output, GitHub: src.GitHub, given: s.given, fileText: s.fileText,
		Audience: r.Audience, Assertion: r.Assertion, Origin: r.Origin,
		RequiredScopes: strings.Fields(r.RequiredScopes), VerifyURL: r.VerifyURL,
		IDTokenRequest: TokenRequest{URL: strings.TrimSpace(src.Getenv(EnvIDTokenRequestURL)), Token: strings.TrimSpace(src.Getenv(EnvIDTokenRequestToken))},
	}
	if err := s.validate(src.Flows); err != nil {
		return s, err
	}
	readFile := src.ReadFile
	if readFile == nil {
		readFile = readInputFile
	}
	var err error
	if s.Certificate, err = s.material(readFile, InCertificate, r.Certificate, InCertificateFile, r.CertificateFile); err != nil {
		return s, err
	}
	if s.ServiceKey, err = s.material(readFile, InServiceKey, r.ServiceKey, InServiceKeyFile, r.ServiceKeyFile); err != nil {
		return s, err
	}
	if s.IDToken, err = s.material(readFile, InIDToken, r.IDToken, InIDTokenFile, r.IDTokenFile); err != nil {
		return s, err
	}
	if s.ExportEnv, err = parseExportEnv(r.ExportEnv); err != nil {
		return s, err
	}
	if v := r.CACertificates; v != "" {
		if strings.Contains(v, "-----BEGIN") {
			s.CACertificates = []byte(v)
		} else if s.CACertificates, err = readFile(InCACertificates, v); err != nil {
			return s, err
		}
	}
	return s, nil
}

// decodeError turns a go-envconfig error into an [InputError] for the input
// of the field it names ("Timeout: time: invalid duration …"), without the
// value, which go-envconfig's decoders quote.
func decodeError(s *Settings, err error) error {
	field, _, _ := strings.Cut(err.Error(), ":")
	if f, ok := reflect.TypeFor[raw]().FieldByName(field); ok {
		name := inputName(f.Tag.Get("env"))
		if name == InTimeout {
			return &InputError{Input: name, Problem: "not a positive Go duration", Fix: "write it like 30s or 2m"}
		}
		return &InputError{Input: name, Problem: "cannot be read", Fix: s.Where(name) + " to a valid value"}
	}
	return fmt.Errorf("failed to load settings: %w", errors.New("the settings could not be decoded"))
}

// material resolves a text input and its file twin; at most one may be set.
func (s *Settings) material(readFile func(string, string) ([]byte, error), text, textValue, file, path string) (Material, error) {
	switch {
	case textValue != "" && path != "":
		return Material{}, &InputError{Input: text, Problem: "given together with " + file, Fix: "give only one of them"}
	case textValue != "":
		return Material{Input: text, Data: []byte(textValue)}, nil
	case path != "":
		b, err := readFile(file, path)
		if err != nil {
			return Material{}, err
		}
		if isText(b) {
			s.fileText[file] = string(b)
		}
		return Material{Input: file, Data: b}, nil
	}
	return Material{}, nil
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

// Where tells the user how to set an input in the current mode.
func (s *Settings) Where(input string) string {
	if s.GitHub {
		return "set `" + input + ":` under the step's `with:`"
	}
	in, _ := lookup(input)
	if in.Secret {
		return "set " + ShellEnv(input)
	}
	return "pass --" + input + " or set " + ShellEnv(input)
}

// Missing is the error for a required input that was not given.
func (s *Settings) Missing(input, what string) *InputError {
	return &InputError{Input: input, Problem: "missing", Fix: s.Where(input) + " to " + what}
}

func oneOf(values []string) string {
	return "use one of: " + strings.Join(values, ", ")
}

// validate checks what does not depend on the flow.
func (s *Settings) validate(flows []string) error {
	if s.Flow == "" {
		return &InputError{Input: InFlow, Problem: "missing", Fix: s.Where(InFlow) + "; " + oneOf(flows)}
	}
	if !slices.Contains(flows, s.Flow) {
		return &InputError{Input: InFlow, Problem: "unknown flow", Fix: oneOf(flows)}
	}
	if s.Timeout <= 0 {
		return &InputError{Input: InTimeout, Problem: "not a positive Go duration", Fix: "write it like 30s or 2m"}
	}
	if _, isOutput := LookupOutput(s.Output); !isOutput && !slices.Contains([]string{"text", "json"}, s.Output) {
		return &InputError{Input: InOutput, Problem: "unknown format", Fix: "use text, json, or the name of one output (such as id-token)"}
	}
	if !slices.Contains([]string{"body", "basic"}, s.ClientAuth) {
		return &InputError{Input: InClientAuth, Problem: "unknown style", Fix: oneOf([]string{"body", "basic"})}
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
			out.Values[InFlow] = args[0]
		}
		args = args[1:]
		// `inspect <flow>` as well as `inspect --flow <flow>`.
		if out.Command == "inspect" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			out.Values[InFlow] = args[0]
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
				return out, &InputError{Input: in.Name, Problem: "not accepted as a command-line flag, because other processes can read argv",
					Fix: "set " + ShellEnv(in.Name) + " instead"}
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
		return out, &InputError{Input: "command line", Problem: flagProblem(err), Fix: "see sap-ci-auth --help"}
	}
	if fs.NArg() > 0 {
		return out, &InputError{Input: "command line", Problem: "unexpected argument", Fix: "give the flow first and everything else as --<input> flags; see sap-ci-auth --help"}
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
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		if flagName.MatchString(strings.TrimLeft(name, "-")) {
			return "unknown flag --" + strings.TrimLeft(name, "-")
		}
		// Not shown: an odd "flag" may be a value pasted in the wrong place.
		return "an unknown flag (not shown, as it may hold a value)"
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok && flagName.MatchString(strings.TrimLeft(name, "-")) {
		return "flag --" + strings.TrimLeft(name, "-") + " needs a value"
	}
	return "cannot be parsed"
}

// flagName is what an input's flag may look like when an error names it.
var flagName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

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
