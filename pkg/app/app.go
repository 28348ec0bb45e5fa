// Package app runs sap-ci-auth: it reads the settings, masks every secret
// among them, checks every output destination, prepares the chosen flow (any
// failure until here exits 2 and nothing is sent), runs it (a failure exits
// 1), masks what came back, and only then writes outputs. It is the only
// package that orders masks before writes, and it holds the registry of
// flows.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/certs"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/ias"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oauth"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// Exit codes.
const (
	// exitOK means the credential was fetched and every output written.
	exitOK = 0
	// exitRemote means the remote side or the network failed.
	exitRemote = 1
	// exitInput means bad configuration or input; nothing was sent.
	exitInput = 2
)

// registry lists every flow: a flow is one package under pkg/ exporting a
// flow.Flow, and one line here.
var registry = []flow.Flow{
	ias.Flow,
	oauth.ClientCredentialsFlow,
	oauth.PasswordFlow,
	oidc.Flow,
	oauth.JWTBearerFlow,
}

// commonInputs are read by every flow.
var commonInputs = config.Names(&config.In.Flow, &config.In.CACertificates, &config.In.Timeout, &config.In.DotenvFile,
	&config.In.Output, &config.In.ExportEnv, &config.In.Summary)

// Main is one run of the program with all its I/O injected.
type Main struct {
	// Stdout and Stderr receive what the process prints.
	Stdout, Stderr io.Writer
	// Getenv reads the environment.
	Getenv func(string) string
	// Args are the command-line arguments without the program name.
	Args []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Flows is the registry; nil means every flow of this program.
	Flows []flow.Flow
	// GitHubOptions configure the GitHub sink (tests fix its delimiters).
	GitHubOptions []emit.GitHubOption
}

func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Main) flows() []flow.Flow {
	if m.Flows != nil {
		return m.Flows
	}
	return registry
}

func (m *Main) lookup(name string) (flow.Flow, bool) {
	i := slices.IndexFunc(m.flows(), func(f flow.Flow) bool { return f.Name == name })
	if i < 0 {
		return flow.Flow{}, false
	}
	return m.flows()[i], true
}

// actionMode reports whether the binary was started as the container
// action: no arguments, and the inputs the runner exports for every step
// that uses the action (INPUT_TIMEOUT always has its declared default).
// GITHUB_ACTIONS=true alone is not enough: every `run:` step has it, and a
// CLI call there must print the value alone for $(…).
func (m *Main) actionMode() bool {
	in := config.In
	return len(m.Args) == 0 && (m.Getenv(config.GitHubEnv(in.Name(&in.Flow))) != "" || m.Getenv(config.GitHubEnv(in.Name(&in.Timeout))) != "")
}

// Run runs the program and returns the process exit code.
func (m *Main) Run(ctx context.Context) int {
	action := m.actionMode()
	onRunner := m.Getenv("GITHUB_ACTIONS") == "true"
	args, err := config.ParseArgs(m.Args)
	if err != nil {
		m.sinkFor(action, onRunner, false).Error(err.Error())
		return exitInput
	}
	switch args.Command {
	case "help":
		fmt.Fprint(m.Stdout, m.Usage())
		return exitOK
	case "version":
		fmt.Fprintln(m.Stdout, "sap-ci-auth", binaryVersion())
		return exitOK
	case "inspect":
		return m.inspect(ctx, args.Values, onRunner)
	}
	s, err := config.Load(ctx, config.Source{Getenv: m.Getenv, GitHub: action, Flags: args.Values, Flows: m.flowNames()})
	sink := m.sinkFor(action, onRunner, s.Output == "json")
	// The input secrets are masked before anything else is printed, even
	// an error about another input. Nothing was sent yet: a mask the
	// pipeline's settings refuse is bad configuration (exit 2), as the
	// sink's Check would say a moment later.
	if code := m.mask(sink, s.Secrets()...); code != exitOK {
		return code
	}
	if err != nil {
		sink.Error(err.Error())
		if g, ok := sink.(*emit.GitHub); ok && s.Summary {
			m.summarizeInputError(g, s, err)
		}
		return exitInput
	}
	f, _ := m.lookup(s.Flow) // Load checked the name against the registry
	if g, ok := sink.(*emit.GitHub); ok && s.Summary {
		return m.summarized(ctx, g, s, f)
	}
	return m.run(ctx, sink, s, f, action)
}

// sinkFor picks where results go: the runner's protocol when started as
// the action; else the value alone on stdout, with ::add-mask:: lines on
// stderr when on a GitHub runner (a CLI call inside a `run:` step), since
// the runner reads workflow commands on stderr too and $(…) does not
// capture them.
func (m *Main) sinkFor(action, onRunner, json bool) emit.Sink {
	if action {
		return emit.NewGitHub(m.Stdout, m.Getenv, m.GitHubOptions...)
	}
	if m.onAzure() {
		return m.azureSink(json)
	}
	return emit.NewShell(m.Stdout, m.Stderr, emit.ShellOptions{JSON: json, MaskOnStderr: onRunner})
}

// mask announces secrets and returns exitOK, or the exit code of a failed
// announcement (reported): exitInput when the pipeline's settings refuse a
// mask (emit.ErrDecodePercents), exitRemote when the log could not be
// written. Called after the request, the caller exits 1 either way.
func (m *Main) mask(sink emit.Sink, secrets ...string) int {
	for _, secret := range secrets {
		if err := sink.Mask(secret); err != nil {
			sink.Error(err.Error())
			if errors.Is(err, emit.ErrDecodePercents) {
				return exitInput
			}
			return exitRemote
		}
	}
	return exitOK
}

// run prepares and runs flow f with settings s.
func (m *Main) run(ctx context.Context, sink emit.Sink, s *config.Settings, f flow.Flow, action bool) int {
	// Every destination is checked before anything is sent: a passcode is
	// single use, and one fetched for a file that cannot be written is lost.
	if err := sink.Check(); err != nil {
		sink.Error(err.Error())
		return exitInput
	}
	github := m.exporter(sink)
	env, problems := m.before(s, f, sink, github)
	if len(problems) > 0 {
		for _, p := range problems {
			sink.Error(p.Error())
		}
		return exitInput
	}
	run, err := f.Prepare(s, env)
	if err != nil {
		sink.Error(err.Error())
		return exitInput
	}
	primary := f.Primary
	if _, isOutput := config.LookupOutput(s.Output); isOutput && !action {
		if !slices.Contains(f.Outputs, s.Output) {
			sink.Error((&config.InputError{Input: s.Name(&s.Output), Problem: fmt.Sprintf(msgOutputNotSet, s.Output, f.Name),
				Fix: fmt.Sprintf(msgUseItsOutputs, strings.Join(f.Outputs, ", "))}).Error())
			return exitInput
		}
		primary = s.Output
	}
	runCtx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	res, err := run(runCtx)
	if ctx.Err() != nil {
		// A signal (SIGINT, SIGTERM) canceled the run: write nothing.
		sink.Error(msgCanceled)
		return exitRemote
	}
	if err != nil {
		sink.Error(err.Error())
		return exitRemote
	}
	if r, ok := sink.(*recorder); ok {
		r.result = res
	}
	outs, secrets, err := m.outputs(sink, res, f)
	if err != nil {
		sink.Error(err.Error())
		return exitRemote
	}
	// After the request a refused mask cannot happen (Check refused the
	// run before it); any failure here is exit 1: something was sent.
	if m.mask(sink, secrets...) != exitOK {
		return exitRemote
	}
	if primary != f.Primary {
		if i := slices.IndexFunc(outs, func(o emit.Output) bool { return o.Name == primary }); i < 0 || outs[i].Value == "" {
			sink.Error(fmt.Sprintf(msgNothingToPrint, primary))
			return exitRemote
		}
	}
	// Every value is checked before the first byte is written anywhere.
	for _, o := range outs {
		if err := emit.CheckValue(o); err != nil {
			sink.Error(err.Error())
			return exitRemote
		}
	}
	if s.DotenvFile != "" {
		var dotenv []emit.Output
		for _, o := range outs {
			out, _ := config.LookupOutput(o.Name)
			if out.NoDotenv {
				continue
			}
			// A credential the file cannot hold is an error, not a warning:
			// a job reading the report would go on without it.
			if err := emit.CheckDotenvValue(o); err != nil && out.Secret {
				sink.Error(fmt.Sprintf(msgDotenvCredential, o.Name, err))
				return exitRemote
			}
			dotenv = append(dotenv, o)
		}
		warnings, err := emit.WriteDotenv(s.DotenvFile, dotenv)
		for _, w := range warnings {
			sink.Warning(w)
		}
		if err != nil {
			sink.Error(err.Error())
			return exitRemote
		}
	}
	if len(s.ExportEnv) > 0 {
		if err := github.ExportEnv(exportEnv(s.ExportEnv, outs)); err != nil {
			sink.Error(err.Error())
			return exitRemote
		}
	}
	if err := sink.Outputs(outs, primary); err != nil {
		sink.Error(err.Error())
		return exitRemote
	}
	return exitOK
}

// exporter is where export-env writes: the action's sink, or for a CLI
// call in a `run:` step (the runner gives GITHUB_ENV there too; masks go
// to stderr) a GitHub writer of its own; nil outside GitHub.
func (m *Main) exporter(sink emit.Sink) *emit.GitHub {
	if r, ok := sink.(*recorder); ok {
		return r.github
	}
	if g, ok := sink.(*emit.GitHub); ok {
		return g
	}
	if m.Getenv("GITHUB_ACTIONS") == "true" && m.Getenv("GITHUB_ENV") != "" {
		return emit.NewGitHub(io.Discard, m.Getenv, m.GitHubOptions...)
	}
	return nil
}

// before does what a run and inspect share before the flow prepares: warn
// of inputs the flow does not read, check the dotenv file and export-env
// (github is nil outside GitHub), and build the flow's env. The checks are
// independent, so every problem is returned, not only the first; env is
// nil when ca-certificates is unusable.
func (m *Main) before(s *config.Settings, f flow.Flow, sink emit.Sink, github *emit.GitHub) (*flow.Env, []error) {
	for _, name := range s.Given() {
		if !slices.Contains(commonInputs, name) && !slices.Contains(f.Inputs, name) {
			sink.Warning(fmt.Sprintf(msgNotUsedByFlow, name, f.Name))
		}
	}
	var problems []error
	if s.DotenvFile != "" {
		if err := emit.CheckDotenv(s.DotenvFile); err != nil {
			problems = append(problems, err)
		}
	}
	if err := checkExportEnv(s, f, github); err != nil {
		problems = append(problems, err)
	}
	env, err := m.env(s, sink)
	if err != nil {
		problems = append(problems, err)
	}
	return env, problems
}

// env is what a flow gets: the clock, the sink's reports, and the one HTTP
// client policy with the trust store of ca-certificates.
func (m *Main) env(s *config.Settings, sink emit.Sink) (*flow.Env, error) {
	roots, err := certs.RootPool(s.CACertificates.Data, s.Timeout, sink.Warning)
	if err != nil {
		return nil, &config.InputError{Input: s.Name(&s.CACertificates), Problem: err.Error(),
			Fix: msgCAFix}
	}
	client := func(cert *tls.Certificate, singleUse bool) (*http.Client, error) {
		pool, err := roots()
		if err != nil {
			return nil, err
		}
		return transport.New(transport.Options{Timeout: s.Timeout, RootCAs: pool, ClientCertificate: cert,
			Getenv: m.Getenv, UserAgent: "sap-ci-auth/" + binaryVersion(), SingleUse: singleUse})
	}
	return &flow.Env{
		Now:       m.now,
		Warn:      sink.Warning,
		Notice:    sink.Notice,
		Info:      sink.Info,
		Describe:  func(string, string) {},
		Mask:      sink.Mask,
		Client:    func(cert *tls.Certificate) (*http.Client, error) { return client(cert, false) },
		SingleUse: func(cert *tls.Certificate) (*http.Client, error) { return client(cert, true) },
		Retry:     func() flow.Retry { return transport.NewRetry(transport.Options{Timeout: s.Timeout}) },
	}, nil
}

// outputs orders a result's values as config.Outputs does, adds the expiry
// (computed here once for every flow), and lists what must be masked.
func (m *Main) outputs(sink emit.Sink, res *flow.Result, f flow.Flow) ([]emit.Output, []string, error) {
	values := make(map[string]string, len(res.Values)+2)
	for k, v := range res.Values {
		values[k] = v
	}
	if res.Lifetime > 0 {
		values[config.OutExpiresIn] = strconv.FormatInt(int64(res.Lifetime/time.Second), 10)
		values[config.OutExpiresAt] = res.Issued.Add(res.Lifetime).UTC().Format(time.RFC3339)
	} else {
		values[config.OutExpiresIn], values[config.OutExpiresAt] = "", ""
		sink.Warning(msgNoLifetime)
	}
	secrets := slices.Clone(res.Secrets)
	var outs []emit.Output
	for _, o := range config.Outputs {
		v, ok := values[o.Name]
		if !ok {
			continue
		}
		delete(values, o.Name)
		outs = append(outs, emit.Output{Name: o.Name, Value: v})
		if o.Secret && !slices.Contains(secrets, v) {
			secrets = append(secrets, v)
		}
	}
	for name := range values {
		return nil, nil, fmt.Errorf(msgUndeclaredOutput, name)
	}
	for _, o := range outs {
		if !slices.Contains(f.Outputs, o.Name) {
			return nil, nil, fmt.Errorf(msgUnlistedOutput, f.Name, o.Name)
		}
	}
	return outs, secrets, nil
}

// version is set at link time (-ldflags "-X …/pkg/app.version=v1.2.3"); the
// Dockerfile does so when the release workflow passes VERSION.
var version string

// binaryVersion is the version the binary was stamped with at link time, else the
// module version it was built from (go install …@v1.2.3), else "(devel)".
func binaryVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
