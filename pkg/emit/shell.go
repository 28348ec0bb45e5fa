package emit

import (
	"encoding/json"
	"fmt"
	"io"
)

// Shell writes for a plain shell or GitLab job: the primary value alone on
// stdout (so `$(sap-ci-auth ias-passcode)` works) or every output as one JSON
// object; logs go to stderr. There is no runtime masking outside GitHub, so
// nothing secret is ever logged.
type Shell struct {
	stdout, stderr io.Writer
	json           bool
}

// NewShell returns a shell sink; asJSON selects the JSON object on stdout.
func NewShell(stdout, stderr io.Writer, asJSON bool) *Shell {
	return &Shell{stdout: stdout, stderr: stderr, json: asJSON}
}

// Mask does nothing: no runner reads masks from a shell.
func (s *Shell) Mask(string) error { return nil }

// Warning logs to stderr.
func (s *Shell) Warning(msg string) { fmt.Fprintf(s.stderr, "sap-ci-auth: warning: %s\n", msg) }

// Error logs to stderr.
func (s *Shell) Error(msg string) { fmt.Fprintf(s.stderr, "sap-ci-auth: error: %s\n", msg) }

// Outputs prints the primary output, or all of them as JSON.
func (s *Shell) Outputs(outs []Output, primary string) error {
	for _, o := range outs {
		if err := CheckValue(o); err != nil {
			return err
		}
	}
	if s.json {
		m := make(map[string]string, len(outs))
		for _, o := range outs {
			m[o.Name] = o.Value
		}
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("failed to encode outputs: %w", err)
		}
		_, err = fmt.Fprintf(s.stdout, "%s\n", b)
		return err
	}
	for _, o := range outs {
		if o.Name == primary {
			_, err := fmt.Fprintln(s.stdout, o.Value)
			return err
		}
	}
	return fmt.Errorf("no output %s to print", primary)
}
