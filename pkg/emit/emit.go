// Package emit is where results leave sap-ci-auth: GitHub Actions workflow
// commands and file commands (GITHUB_OUTPUT, GITHUB_ENV), plain stdout for
// shells, JSON, and dotenv files for GitLab reports. It is the only package
// that knows the runners' formats; the flows return plain values and pkg/app
// decides the order: check every destination, mask, then write.
package emit

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
	"github.com/sethvargo/go-githubactions"
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
	// Check makes sure every destination of Outputs can be written, before
	// anything is requested: a passcode is single use, so a run must not
	// fetch one it cannot deliver. Errors name the destination and the fix.
	Check() error
	// Mask announces a secret, and the forms a server might echo it in, so
	// that the runner hides them from logs. It must be called before
	// anything containing the secret is written.
	Mask(secret string) error
	// Info logs a line of the step's log on GitHub (never a workflow
	// command); a shell prints nothing, so that stderr stays empty on
	// success. `sap-ci-auth inspect` shows the same information locally.
	Info(msg string)
	// Notice logs a notice (an annotation on GitHub, a line on stderr).
	Notice(msg string)
	// Warning logs a warning (an annotation on GitHub).
	Warning(msg string)
	// Error logs an error (an annotation on GitHub).
	Error(msg string)
	// Outputs publishes all outputs at once; primary names the one a shell
	// prints alone. It checks every value before it writes any.
	Outputs(outs []Output, primary string) error
}

// CheckValue refuses a value that cannot be written safely as a single-line
// output: CR, LF or NUL would let a value forge further lines in a file
// command or a dotenv file, and invalid UTF-8 would be changed silently by
// the JSON encoder (into U+FFFD) and rejected by GitLab.
func CheckValue(o Output) error {
	if strings.ContainsAny(o.Value, "\r\n\x00") {
		return fmt.Errorf(msgLineBreak, o.Name)
	}
	if !utf8.ValidString(o.Value) {
		return fmt.Errorf(msgNotUTF8, o.Name)
	}
	return nil
}

// message is msg as every sink prints a notice, warning or error: with the
// user info, query and fragment of every URL in it removed, whichever
// package wrote the text (a URL's query or user info may hold a client
// secret or a proxy password; the transport's own errors are redacted
// already, this is the last place before the log).
func message(msg string) string { return secret.RedactURLs(msg) }

// checkValues runs CheckValue on every output, so that nothing is written
// when any value is refused.
func checkValues(outs []Output) error {
	for _, o := range outs {
		if err := CheckValue(o); err != nil {
			return err
		}
	}
	return nil
}

// announced remembers the values already masked, so that a secret given as
// an input and returned as an output (the oidc flow's id-token) is
// announced once. The zero value is ready to use.
type announced map[string]bool

// add emits ::add-mask:: through action for each form of value (see
// [secret.Forms]) not announced before.
func (a *announced) add(action *githubactions.Action, value string) error {
	if *a == nil {
		*a = map[string]bool{}
	}
	for _, f := range secret.Forms(value) {
		if (*a)[f] {
			continue
		}
		if err := guard(func() { action.AddMask(f) }); err != nil {
			return err
		}
		(*a)[f] = true
	}
	return nil
}
