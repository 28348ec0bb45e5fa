package emit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// fixedDelimiter is the heredoc delimiter go-githubactions v1.4.0 writes
// around every output. It is not random, so a value holding it could end
// the block early; CheckValue already refuses line breaks, and GitHub
// refuses this value too.
const fixedDelimiter = "_GitHubActionsFileCommandDelimeter_"

// GitHub writes for the GitHub Actions runner (and act): workflow commands on
// stdout, outputs to the file named by GITHUB_OUTPUT.
//
// It wraps go-githubactions rather than calling it blindly: the library
// panics when a write fails or GITHUB_OUTPUT is unset, and writes outputs
// with a fixed heredoc delimiter. GitHub checks values first and turns
// panics into errors.
type GitHub struct {
	action *githubactions.Action
	getenv func(string) string
}

// NewGitHub returns a sink writing workflow commands to stdout and reading
// GITHUB_OUTPUT through getenv.
func NewGitHub(stdout io.Writer, getenv func(string) string) *GitHub {
	return &GitHub{
		action: githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv)),
		getenv: getenv,
	}
}

// guard runs f and turns a go-githubactions panic into an error.
func guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("failed to write a workflow command: %w", e)
				return
			}
			err = fmt.Errorf("failed to write a workflow command: %v", r)
		}
	}()
	f()
	return nil
}

// Mask emits ::add-mask:: for each maskable part of secret.
func (g *GitHub) Mask(secret string) error {
	for _, p := range MaskParts(secret) {
		if err := guard(func() { g.action.AddMask(p) }); err != nil {
			return err
		}
	}
	return nil
}

// Warning emits a ::warning:: annotation.
func (g *GitHub) Warning(msg string) { _ = guard(func() { g.action.Warningf("%s", msg) }) }

// Error emits an ::error:: annotation.
func (g *GitHub) Error(msg string) { _ = guard(func() { g.action.Errorf("%s", msg) }) }

// Outputs checks every value, then writes them all to GITHUB_OUTPUT.
func (g *GitHub) Outputs(outs []Output, _ string) error {
	path := g.getenv("GITHUB_OUTPUT")
	if path == "" {
		return errors.New("GITHUB_OUTPUT is not set: the runner did not give an output file (GITHUB_ACTIONS=true outside a runner? unset it to print to stdout)")
	}
	if _, err := os.Stat(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("failed to use the output file: %w", err)
	}
	for _, o := range outs {
		if err := CheckValue(o); err != nil {
			return err
		}
		if strings.Contains(o.Value, fixedDelimiter) {
			return fmt.Errorf("output %s contains the file command delimiter and cannot be written safely", o.Name)
		}
	}
	for _, o := range outs {
		if err := guard(func() { g.action.SetOutput(o.Name, o.Value) }); err != nil {
			return err
		}
	}
	return nil
}

// ParseOutputFile reads the name<<DELIMITER blocks of a GITHUB_OUTPUT file
// back into a map, as the runner does; the demo and the tests use it to show
// and check what a later step would receive.
func ParseOutputFile(data []byte) map[string]string {
	outs := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			if name, value, ok := strings.Cut(lines[i], "="); ok {
				outs[name] = value
			}
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		outs[name] = strings.Join(val, "\n")
	}
	return outs
}
