package config

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// Settings is every input after loading. A field's zero value means the
// input was not given; [Load] fills the defaults from [Inputs].
type Settings struct {
	// Flow is one of [Flows].
	Flow string `env:"FLOW"`
	// IASTenant is the IAS tenant id, host or https URL.
	IASTenant string `env:"IAS_TENANT"`
	// Certificate is base64 PKCS#12 or PEM text (secret).
	Certificate string `env:"CERTIFICATE"`
	// CertificateFile is a path to a .p12, .pfx or .pem file.
	CertificateFile string `env:"CERTIFICATE_FILE"`
	// CertificatePassword unlocks the PKCS#12 file (secret).
	CertificatePassword string `env:"CERTIFICATE_PASSWORD"`
	// CACertificates is PEM text or a path, added to the system roots.
	CACertificates string `env:"CA_CERTIFICATES"`
	// Timeout is the parsed timeout input.
	Timeout time.Duration
	// TimeoutText is the timeout input as given.
	TimeoutText string `env:"TIMEOUT"`
	// DotenvFile, when set, receives all outputs as NAME=value lines.
	DotenvFile string `env:"DOTENV_FILE"`
	// ServiceKey is the service key text (secret).
	ServiceKey string `env:"SERVICE_KEY"`
	// ServiceKeyFile is a path to a service key.
	ServiceKeyFile string `env:"SERVICE_KEY_FILE"`
	// TokenURL overrides the service key's token URL.
	TokenURL string `env:"TOKEN_URL"`
	// ClientID overrides the service key's client id.
	ClientID string `env:"CLIENT_ID"`
	// ClientSecret overrides the service key's client secret (secret).
	ClientSecret string `env:"CLIENT_SECRET"`
	// Username is the user of the password grant.
	Username string `env:"USERNAME"`
	// Password is that user's password (secret).
	Password string `env:"PASSWORD"`
	// Scope is a space separated list of scopes to request.
	Scope string `env:"SCOPE"`
	// ClientAuth is "body" or "basic".
	ClientAuth string `env:"CLIENT_AUTH"`
	// Output is "text" or "json" (shell mode only).
	Output string `env:"OUTPUT"`

	// GitHub reports whether the settings came from GitHub Actions inputs;
	// it only changes how errors tell the user where to set a value.
	GitHub bool
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
}

// Load reads every input through go-envconfig. An empty value counts as
// unset, because the GitHub runner exports every declared input, empty or
// not; unset inputs take their default from [Inputs].
func Load(ctx context.Context, src Source) (*Settings, error) {
	s := &Settings{GitHub: src.GitHub}
	lookup := envconfig.LookuperFunc(func(key string) (string, bool) {
		name := inputName(key)
		in, _ := Lookup(name)
		v := src.Flags[name]
		if v == "" && src.GitHub {
			v = clean(in, src.Getenv(GitHubEnv(name)))
		}
		if v == "" {
			v = clean(in, src.Getenv(ShellEnv(name)))
		}
		if v == "" {
			v = in.Default
		}
		return v, v != ""
	})
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: s, Lookuper: lookup}); err != nil {
		// go-envconfig names the field and key, never the value, for string
		// fields; nothing here can hold a secret.
		return nil, fmt.Errorf("failed to load settings: %w", err)
	}
	return s, s.validate()
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
	in, _ := Lookup(input)
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

// validate checks what does not depend on the flow's own parsing.
func (s *Settings) validate() error {
	if s.Flow == "" {
		return &InputError{Input: "flow", Problem: "missing", Fix: s.Where("flow") + "; " + oneOf(Flows)}
	}
	if !slices.Contains(Flows, s.Flow) {
		return &InputError{Input: "flow", Problem: "unknown flow", Fix: oneOf(Flows)}
	}
	d, err := time.ParseDuration(s.TimeoutText)
	if err != nil || d <= 0 {
		return &InputError{Input: "timeout", Problem: "not a positive Go duration", Fix: "write it like 30s or 2m"}
	}
	s.Timeout = d
	if !slices.Contains([]string{"text", "json"}, s.Output) {
		return &InputError{Input: "output", Problem: "unknown format", Fix: oneOf([]string{"text", "json"})}
	}
	if !slices.Contains([]string{"body", "basic"}, s.ClientAuth) {
		return &InputError{Input: "client-auth", Problem: "unknown style", Fix: oneOf([]string{"body", "basic"})}
	}
	if err := both(s, "certificate", s.Certificate, "certificate-file", s.CertificateFile); err != nil {
		return err
	}
	return both(s, "service-key", s.ServiceKey, "service-key-file", s.ServiceKeyFile)
}

func both(s *Settings, a, av, b, bv string) error {
	if av != "" && bv != "" {
		return &InputError{Input: a, Problem: "given together with " + b, Fix: "give only one of them"}
	}
	return nil
}

// Args is what the command line held.
type Args struct {
	// Command is "" for a flow run, or "demo", "help" or "version".
	Command string
	// Values holds flag values and the positional flow, by input name.
	Values map[string]string
}

// ParseArgs reads the command line: an optional flow (or "demo", "help",
// "version") as the first argument, then --<input> flags. A secret input
// given as a flag is refused without echoing the value.
func ParseArgs(args []string) (Args, error) {
	out := Args{Values: map[string]string{}}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "demo", "help", "version":
			out.Command = args[0]
		default:
			out.Values["flow"] = args[0]
		}
		args = args[1:]
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if in, ok := Lookup(name); ok && in.Secret && strings.HasPrefix(a, "-") {
			return out, &InputError{Input: name, Problem: "not accepted as a command-line flag, because other processes can read argv",
				Fix: "set " + ShellEnv(name) + " instead"}
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
		return out, &InputError{Input: "command line", Problem: err.Error(), Fix: "see sap-ci-auth --help"}
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

// ReadFileInput reads the file an input names, with an error that names the
// input and never the content.
func ReadFileInput(input, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		problem := "cannot read the file"
		switch {
		case errors.Is(err, os.ErrNotExist):
			problem = "no such file"
		case errors.Is(err, os.ErrPermission):
			problem = "permission denied reading the file"
		}
		return nil, &InputError{Input: input, Problem: problem, Fix: "give a readable path (relative paths start at the working directory)"}
	}
	return b, nil
}
