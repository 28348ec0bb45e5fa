package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// envName is what a variable exported to later steps may be called.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// reservedEnv are variables that change how later steps run, or that the
// runner owns; exporting a credential into one would be an attack, not a
// hand-off.
var reservedEnv = []string{"PATH", "HOME", "SHELL", "ENV", "BASH_ENV", "NODE_OPTIONS", "PYTHONPATH", "PYTHONSTARTUP",
	"PERL5OPT", "RUBYOPT", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS",
	"PROMPT_COMMAND", "IFS", "PS4", "CDPATH", "GLOBIGNORE", "TMPDIR", "CI", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
	"ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "GOFLAGS", "GOPROXY", "NPM_CONFIG_REGISTRY"}

// reservedPrefixes start variables the runner or the dynamic loader own.
var reservedPrefixes = []string{"GITHUB_", "RUNNER_", "ACTIONS_", "LD_", "DYLD_", "INPUT_", "STATE_", "BASH_FUNC_"}

// parseExportEnv reads export-env: NAME=output pairs separated by white
// space, commas or line breaks.
func parseExportEnv(v string) ([]EnvVar, error) {
	var out []EnvVar
	fail := func(problem, fix string) error {
		return &InputError{Input: In.Name(&In.ExportEnv), Problem: problem, Fix: fix}
	}
	for _, pair := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		name, output, ok := strings.Cut(pair, "=")
		if !ok || name == "" || output == "" {
			return nil, fail(msgNotPair, msgNotPairFix)
		}
		if !envName.MatchString(name) {
			return nil, fail(msgBadVarName, msgBadVarNameFix)
		}
		if slices.Contains(reservedEnv, name) || slices.ContainsFunc(reservedPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			return nil, fail(fmt.Sprintf(msgReservedVar, name), msgReservedVarFix)
		}
		if _, ok := LookupOutput(output); !ok {
			return nil, fail(fmt.Sprintf(msgNoSuchOutput, name), msgNoSuchOutputFix)
		}
		if slices.ContainsFunc(out, func(e EnvVar) bool { return e.Name == name }) {
			return nil, fail(fmt.Sprintf(msgVarTwice, name), msgVarTwiceFix)
		}
		out = append(out, EnvVar{Name: name, Output: output})
	}
	return out, nil
}
