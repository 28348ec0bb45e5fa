package app

import (
	"context"
	"fmt"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
)

// inspect is `sap-ci-auth inspect`: it loads the same inputs as a run (the
// flow from --flow or SAP_CI_AUTH_FLOW), prepares the flow, and prints what
// it would use (token URL, client id, client authentication, certificate)
// on stdout, and the problems it finds on stderr (every independent check,
// and the flow's first problem), without sending anything.
// Exit 0 when the run would start, 2 on a problem.
func (m *Main) inspect(ctx context.Context, flags map[string]string, onRunner bool) int {
	sink := emit.NewShell(m.Stdout, m.Stderr, emit.ShellOptions{MaskOnStderr: onRunner})
	s, err := config.Load(ctx, config.Source{Getenv: m.Getenv, Flags: flags, Flows: m.flowNames()})
	if code := m.mask(sink, s.Secrets()...); code != exitOK {
		return code
	}
	if err != nil {
		sink.Error(err.Error())
		return exitInput
	}
	f, _ := m.lookup(s.Flow)
	say := func(what, value string) { fmt.Fprintf(m.Stdout, "%-22s %s\n", what+":", value) }
	say(textFlow, f.Name+" ("+f.Summary+")")
	if s.DotenvFile != "" {
		say(textDotenvFile, s.DotenvFile)
	}
	env, problems := m.before(s, f, sink, m.exporter(sink))
	if env != nil {
		// The flow's own checks stop at its first problem; the ones
		// before it are independent and all reported.
		env.Describe = say
		env.Info = func(line string) { fmt.Fprintln(m.Stdout, line) }
		if _, err := f.Prepare(s, env); err != nil {
			problems = append(problems, err)
		}
	}
	say(textTimeout, fmt.Sprintf(textTimeoutValue, s.Timeout.String()))
	if len(problems) > 0 {
		for _, p := range problems {
			sink.Error(p.Error())
		}
		fmt.Fprintf(m.Stdout, textProblemsFound, len(problems))
		return exitInput
	}
	fmt.Fprintln(m.Stdout, textNoProblem)
	return exitOK
}

// flowNames lists the registry's flow names.
func (m *Main) flowNames() []string {
	names := make([]string, 0, len(m.flows()))
	for _, f := range m.flows() {
		names = append(names, f.Name)
	}
	return names
}
