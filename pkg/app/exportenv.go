package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// checkExportEnv checks export-env before anything is sent: it needs the
// runner's GITHUB_ENV (github is nil outside action mode), and each
// variable must name an output the flow sets.
func checkExportEnv(s *config.Settings, f flow.Flow, github *emit.GitHub) error {
	if len(s.ExportEnv) == 0 {
		return nil
	}
	if github == nil {
		return &config.InputError{Input: s.Name(&s.ExportEnv), Problem: msgExportEnvNoGitHub,
			Fix: msgExportEnvElsewhere}
	}
	for _, v := range s.ExportEnv {
		if !slices.Contains(f.Outputs, v.Output) {
			return &config.InputError{Input: s.Name(&s.ExportEnv), Problem: fmt.Sprintf(msgVarOutputNotSet, v.Name, v.Output, f.Name),
				Fix: fmt.Sprintf(msgUseItsOutputs, strings.Join(f.Outputs, ", "))}
		}
	}
	return github.CheckExportEnv()
}

// exportEnv pairs each export-env variable with its output's value.
func exportEnv(vars []config.EnvVar, outs []emit.Output) []emit.Output {
	var out []emit.Output
	for _, v := range vars {
		for _, o := range outs {
			if o.Name == v.Output {
				out = append(out, emit.Output{Name: v.Name, Value: o.Value})
			}
		}
	}
	return out
}
