package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
)

// Usage is the --help text, built from the flow registry and the input and
// output tables, so it always names what the program and action.yml do.
func (m *Main) Usage() string {
	var b strings.Builder
	b.WriteString(`sap-ci-auth gets SAP credentials in CI: an IAS one-time passcode for btp/cf login,
or an OAuth token for Cloud Integration or HANA cockpit APIs.

Usage:
  sap-ci-auth <flow> [--<input> value ...]
  sap-ci-auth inspect [<flow>] [--<input> value ...]
                         show what a run would use and any problem; sends nothing
  sap-ci-auth demo       run every flow against built-in fake SAP endpoints
  sap-ci-auth --help | --version

Flows:
`)
	for _, f := range m.flows() {
		fmt.Fprintf(&b, "  %-19s %s\n", f.Name, f.Summary)
	}
	b.WriteString(`
Inputs (GitHub: with: <input>; elsewhere: --<input> or the SAP_CI_AUTH_ variable;
an empty value means unset; secrets are never accepted as flags):
`)
	for _, in := range config.Inputs {
		flag := "--" + in.Name
		if in.Secret {
			flag = "(env only)"
		}
		desc := in.Description
		if in.Default != "" {
			desc += " [default " + in.Default + "]"
		}
		if users := m.readers(in.Name); len(users) < len(m.flows()) {
			desc += " {" + strings.Join(users, ", ") + "}"
		}
		fmt.Fprintf(&b, "  %-22s %-22s %s\n      %s\n", in.Name, flag, config.ShellEnv(in.Name), desc)
	}
	b.WriteString("\nOutputs (GitHub: steps.<id>.outputs.<name>; dotenv-file: NAME=value; --output json: one object):\n")
	for _, o := range config.Outputs {
		fmt.Fprintf(&b, "  %-15s %-15s %s\n", o.Name, emit.DotenvName(o.Name), o.Description)
	}
	b.WriteString(`
In a shell the primary output alone goes to stdout (the passcode, the access token, or the
oidc flow's ID token), so --password "$(sap-ci-auth ias-passcode)" works; all logging goes
to stderr (on a GitHub runner, ::add-mask:: lines for every secret go there too, so the
runner masks them; but it reads stdout and stderr apart, so never print the value in the
step that obtained it: prefer the action, its outputs or --export-env).
Started as the container action (no arguments, INPUT_* set by the runner), inputs come
from INPUT_<NAME> (hyphens kept), every secret is announced with ::add-mask:: before
anything else, and outputs go to $GITHUB_OUTPUT.

Exit codes:
  0    success
  1    the remote side or the network failed
  2    bad configuration or input (nothing was sent)
  130  stopped by SIGINT, 143 by SIGTERM (nothing was written)

Errors, their causes and fixes: TROUBLESHOOTING.md
`)
	return b.String()
}

// readers lists the flows that read input name.
func (m *Main) readers(name string) []string {
	var out []string
	for _, f := range m.flows() {
		if slices.Contains(commonInputs, name) || slices.Contains(f.Inputs, name) {
			out = append(out, f.Name)
		}
	}
	return out
}
