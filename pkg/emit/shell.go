package emit

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/sethvargo/go-githubactions"
)

// Shell writes for a plain shell or a GitLab job, and for the CLI inside a
// GitHub run: step: the primary value alone on stdout (so that
// `TOKEN=$(sap-ci-auth client-credentials)` works) or every output as one
// JSON object; logs go to stderr, which stays empty on success unless there
// is a warning.
type Shell struct {
	stdout, stderr io.Writer
	opts           ShellOptions
	masks          *githubactions.Action // on stderr; nil without MaskOnStderr
	announced      announced
}

// ShellOptions configures [NewShell]. The zero value prints the primary
// value and masks nothing.
type ShellOptions struct {
	// JSON prints every output as one JSON object instead of the primary
	// value alone.
	JSON bool
	// MaskOnStderr writes ::add-mask:: workflow commands to stderr. Set it
	// when the CLI runs inside a GitHub run: step: the runner reads workflow
	// commands on stderr as well as stdout (actions/runner ScriptHandler),
	// and $(…) captures only stdout, which then holds the value alone.
	MaskOnStderr bool
}

// NewShell returns a shell sink.
func NewShell(stdout, stderr io.Writer, opts ShellOptions) *Shell {
	s := &Shell{stdout: stdout, stderr: stderr, opts: opts}
	if opts.MaskOnStderr {
		s.masks = githubactions.New(githubactions.WithWriter(stderr), githubactions.WithGetenv(func(string) string { return "" }))
	}
	return s
}

// Check does nothing: stdout needs no check.
func (s *Shell) Check() error { return nil }

// Mask writes ::add-mask:: for every form of value (see [secret.Forms]) to
// stderr with MaskOnStderr, and does nothing otherwise: no runner but
// GitHub's reads masks from a shell.
func (s *Shell) Mask(value string) error {
	if s.masks == nil {
		return nil
	}
	return s.announced.add(s.masks, value)
}

// Notice logs to stderr.
func (s *Shell) Notice(msg string) { fmt.Fprintf(s.stderr, msgNoticeLine, message(msg)) }

// Info prints nothing: a shell's stderr stays empty on success.
func (s *Shell) Info(string) {}

// Warning logs to stderr.
func (s *Shell) Warning(msg string) {
	fmt.Fprintf(s.stderr, msgWarningLine, message(msg))
}

// Error logs to stderr.
func (s *Shell) Error(msg string) { fmt.Fprintf(s.stderr, msgErrorLine, message(msg)) }

// Outputs checks every value, then prints the primary output, or all of
// them as one JSON object (valid JSON for every value CheckValue accepts:
// encoding/json escapes control characters, and U+2028 and U+2029 too).
func (s *Shell) Outputs(outs []Output, primary string) error {
	if err := checkValues(outs); err != nil {
		return err
	}
	if s.opts.JSON {
		m := make(map[string]string, len(outs))
		for _, o := range outs {
			m[o.Name] = o.Value
		}
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf(msgEncodeOut, err)
		}
		if _, err := s.stdout.Write(append(b, '\n')); err != nil {
			return fmt.Errorf(msgWriteOut, err)
		}
		return nil
	}
	for _, o := range outs {
		if o.Name == primary {
			if _, err := io.WriteString(s.stdout, o.Value+"\n"); err != nil {
				return fmt.Errorf(msgWriteOut, err)
			}
			return nil
		}
	}
	return fmt.Errorf(msgNoOutput, primary)
}
