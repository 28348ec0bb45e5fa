// Package emit is where results leave sap-ci-auth: GitHub Actions workflow
// commands and output files, plain stdout for shells, JSON, and dotenv files
// for GitLab reports. It is the only package that knows the runners'
// formats; the flows return plain values and pkg/app decides the order:
// masks first, then outputs.
package emit

import (
	"fmt"
	"strings"
)

// Output is one named result.
type Output struct {
	// Name is the output name (kebab case, as in action.yml).
	Name string
	// Value is what the output holds.
	Value string
}

// Sink receives logs, masks and outputs for one run.
type Sink interface {
	// Mask announces a secret so the runner hides it from logs. It must be
	// called before anything containing the secret is written.
	Mask(secret string) error
	// Warning logs a warning (an annotation on GitHub).
	Warning(msg string)
	// Error logs an error (an annotation on GitHub).
	Error(msg string)
	// Outputs publishes all outputs at once; primary names the one a shell
	// prints alone.
	Outputs(outs []Output, primary string) error
}

// CheckValue refuses a value that cannot be written safely as a single-line
// output: CR, LF or NUL would let a value forge further lines in a file
// command or a dotenv file.
func CheckValue(o Output) error {
	if strings.ContainsAny(o.Value, "\r\n\x00") {
		return fmt.Errorf("output %s contains a line break or NUL and cannot be written safely", o.Name)
	}
	return nil
}

// MaskParts splits a secret into what is worth masking. A multi-line value
// (a PEM key, a pasted service key) is masked line by line by the runner
// anyway; lines such as "{" or "-----END PRIVATE KEY-----" are dropped so
// that masking them does not blank out unrelated log lines.
func MaskParts(secret string) []string {
	if !strings.ContainsAny(secret, "\r\n") {
		if strings.TrimSpace(secret) == "" {
			return nil
		}
		return []string{secret}
	}
	var parts []string
	for line := range strings.FieldsFuncSeq(secret, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if len(line) < 8 || strings.HasPrefix(line, "-----") || strings.Trim(line, "{}[],\":") == "" {
			continue
		}
		parts = append(parts, line)
	}
	return parts
}
