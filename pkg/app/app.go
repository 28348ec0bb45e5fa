// Package app runs sap-ci-auth: it reads the settings, prepares the chosen
// flow (any failure there exits 2 and nothing is sent), masks every secret,
// runs the flow (a failure exits 1), masks what came back, and only then
// writes outputs. It is the only package that orders masks before writes.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
)

// Exit codes.
const (
	// ExitOK means the credential was fetched and every output written.
	ExitOK = 0
	// ExitRemote means the remote side or the network failed.
	ExitRemote = 1
	// ExitInput means bad configuration or input; nothing was sent.
	ExitInput = 2
)

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
}

// result is what a flow produced.
type result struct {
	outputs []emit.Output
	primary string
	// secrets are masked before any output is written.
	secrets []string
}

// prepared is a flow that has checked all its inputs and can run.
type prepared func(ctx context.Context) (*result, error)

// inputFailure marks an error found before anything was sent.
type inputFailure struct{ err error }

func (e inputFailure) Error() string { return e.err.Error() }
func (e inputFailure) Unwrap() error { return e.err }

func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Run runs the program and returns the process exit code.
func (m *Main) Run(ctx context.Context) int {
	github := m.Getenv("GITHUB_ACTIONS") == "true"
	args, err := config.ParseArgs(m.Args)
	if err != nil {
		m.sinkFor(github, false).Error(err.Error())
		return ExitInput
	}
	switch args.Command {
	case "help":
		fmt.Fprint(m.Stdout, Usage())
		return ExitOK
	case "version":
		fmt.Fprintln(m.Stdout, "sap-ci-auth", Version())
		return ExitOK
	}
	s, err := config.Load(ctx, config.Source{Getenv: m.Getenv, GitHub: github, Flags: args.Values})
	json := s != nil && s.Output == "json"
	sink := m.sinkFor(github, json)
	return m.runWith(ctx, sink, s, err)
}

func (m *Main) sinkFor(github, json bool) emit.Sink {
	if github {
		return emit.NewGitHub(m.Stdout, m.Getenv)
	}
	return emit.NewShell(m.Stdout, m.Stderr, json)
}

// runWith runs the flow in s, whose loading may have failed with loadErr.
func (m *Main) runWith(ctx context.Context, sink emit.Sink, s *config.Settings, loadErr error) int {
	if s != nil {
		// The input secrets are masked before anything else is printed,
		// even an error about another input.
		for _, secret := range []string{s.Certificate, s.CertificatePassword, s.ClientSecret, s.Password} {
			if err := sink.Mask(secret); err != nil {
				sink.Error(err.Error())
				return ExitRemote
			}
		}
	}
	if loadErr != nil {
		sink.Error(loadErr.Error())
		return ExitInput
	}
	run, err := m.prepare(s, sink)
	if err != nil {
		sink.Error(err.Error())
		return ExitInput
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	res, err := run(ctx)
	if err != nil {
		sink.Error(err.Error())
		var in inputFailure
		if errors.As(err, &in) {
			return ExitInput
		}
		return ExitRemote
	}
	for _, secret := range res.secrets {
		if err := sink.Mask(secret); err != nil {
			sink.Error(err.Error())
			return ExitRemote
		}
	}
	if s.DotenvFile != "" {
		if err := emit.WriteDotenv(s.DotenvFile, res.outputs); err != nil {
			sink.Error("dotenv-file: " + err.Error())
			return ExitRemote
		}
	}
	if err := sink.Outputs(res.outputs, res.primary); err != nil {
		sink.Error(err.Error())
		return ExitRemote
	}
	return ExitOK
}

// prepare checks the flow's inputs and returns the flow ready to run. It
// sends nothing; every error it returns names an input.
func (m *Main) prepare(s *config.Settings, sink emit.Sink) (prepared, error) {
	switch s.Flow {
	case config.FlowIASPasscode:
		return m.prepareIAS(s, sink)
	default:
		return m.prepareOAuth(s, sink)
	}
}

// expiry returns the expires-in and expires-at outputs.
func expiry(now time.Time, seconds int64) []emit.Output {
	return []emit.Output{
		{Name: "expires-in", Value: itoa(seconds)},
		{Name: "expires-at", Value: now.Add(time.Duration(seconds) * time.Second).UTC().Format(timeFormat)},
	}
}

// version is set at link time (-ldflags "-X …/pkg/app.version=v1.2.3"); the
// Dockerfile does so when the release workflow passes VERSION.
var version string

// Version is the version the binary was stamped with at link time, else the
// module version it was built from (go install …@v1.2.3), else "(devel)".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func userAgent() string { return "sap-ci-auth/" + Version() }

const timeFormat = time.RFC3339

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
