package emit

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// GitHub writes for the GitHub Actions runner (and act): workflow commands
// (masks, annotations) on a writer, outputs to the file named by
// GITHUB_OUTPUT and environment variables to the file named by GITHUB_ENV.
//
// Workflow commands go through go-githubactions (AddMask, Noticef,
// Warningf, Errorf), which escapes them as the runner expects. The file
// commands are written here instead of with its SetOutput and SetEnv: those
// use the fixed heredoc delimiter "_GitHubActionsFileCommandDelimeter_",
// which a value can hold to forge further outputs, open the file once per
// value (a failure midway leaves a half-written block), and panic when the
// file cannot be written. Here every value is checked first, the blocks use
// a random ghadelimiter_<uuid> as actions/toolkit's file-command.ts does,
// and all of them go to the file in one append.
type GitHub struct {
	masks  announced
	w      io.Writer
	action *githubactions.Action
	getenv func(string) string
	random io.Reader
}

// envStepSummary names the file of the job summary.
const envStepSummary = "GITHUB_STEP_SUMMARY"

// GitHubOption configures [NewGitHub].
type GitHubOption func(*GitHub)

// WithRandom sets where heredoc delimiters come from (crypto/rand.Reader by
// default). Tests and golden files pass a fixed reader so that the output
// file is the same on every run.
func WithRandom(r io.Reader) GitHubOption {
	return func(g *GitHub) { g.random = r }
}

// NewGitHub returns a sink writing workflow commands to w and reading
// GITHUB_OUTPUT and GITHUB_ENV through getenv.
func NewGitHub(w io.Writer, getenv func(string) string, opts ...GitHubOption) *GitHub {
	g := &GitHub{
		w:      w,
		action: githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)),
		getenv: getenv,
		random: rand.Reader,
	}
	for _, o := range opts {
		o(g)
	}
	return g
}

// guard runs f and turns a go-githubactions panic (it panics when a write
// fails) into an error.
func guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf(msgWorkflowCommand, e)
				return
			}
			err = fmt.Errorf(msgWorkflowCommandPanic, r)
		}
	}()
	f()
	return nil
}

// Check makes sure GITHUB_OUTPUT names a file the outputs can be appended
// to: set, a regular file (or a symbolic link to one), or a new file in an
// existing, writable directory. It writes nothing to the file.
func (g *GitHub) Check() error { return checkFileCommand("GITHUB_OUTPUT", g.getenv("GITHUB_OUTPUT")) }

// CheckExportEnv is Check for GITHUB_ENV, the destination of ExportEnv.
func (g *GitHub) CheckExportEnv() error {
	return checkFileCommand("GITHUB_ENV", g.getenv("GITHUB_ENV"))
}

// CheckSummary makes sure GITHUB_STEP_SUMMARY names a file the job summary
// can be appended to, as Check does for GITHUB_OUTPUT. A failure is for a
// warning: the job summary is a report, never a reason to stop a run.
func (g *GitHub) CheckSummary() error {
	return checkFileCommand(envStepSummary, g.getenv(envStepSummary))
}

// Summary appends markdown and then links to the job summary
// (GITHUB_STEP_SUMMARY) in one write, through go-githubactions'
// AddStepSummary, whose panic on a failed write becomes an error. URLs in
// markdown lose their user info, query and fragment, as in every
// annotation; links is the caller's own text, written as it is, so that
// its links into the project's documentation keep their anchors: it holds
// no value from an input or a server. The caller builds markdown from
// values that are no secret.
func (g *GitHub) Summary(markdown, links string) error {
	if err := g.CheckSummary(); err != nil {
		return err
	}
	return guard(func() { g.action.AddStepSummary(message(markdown) + links) })
}

// Mask emits ::add-mask:: for every form of value (see [secret.Forms]).
func (g *GitHub) Mask(value string) error {
	return g.masks.add(g.action, value)
}

// Notice emits a ::notice:: annotation.
func (g *GitHub) Notice(msg string) { _ = guard(func() { g.action.Noticef("%s", message(msg)) }) }

// Info writes msg as a plain log line. Line breaks become spaces, and a
// line that would start a workflow command ("::") is indented, so server
// or certificate text can never forge one.
func (g *GitHub) Info(msg string) {
	line := strings.Join(strings.FieldsFunc(msg, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
	if strings.HasPrefix(strings.TrimSpace(line), "::") {
		line = "  " + line
	}
	fmt.Fprintln(g.w, line)
}

// Warning emits a ::warning:: annotation.
func (g *GitHub) Warning(msg string) { _ = guard(func() { g.action.Warningf("%s", message(msg)) }) }

// Error emits an ::error:: annotation.
func (g *GitHub) Error(msg string) { _ = guard(func() { g.action.Errorf("%s", message(msg)) }) }

// outputName is what GitHub accepts as an output name in a file command;
// anything else (such as "<<" or "=") would change how the line is read.
var outputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// envName is what ExportEnv accepts as a variable name.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// Outputs checks every value, then appends all outputs to GITHUB_OUTPUT in
// one write. On error nothing is left in the file.
func (g *GitHub) Outputs(outs []Output, _ string) error {
	for _, o := range outs {
		if !outputName.MatchString(o.Name) {
			return fmt.Errorf(msgOutputName, o.Name)
		}
	}
	return g.appendBlocks("GITHUB_OUTPUT", outs)
}

// ExportEnv checks every variable, then appends all of them to GITHUB_ENV
// in one write, so that later steps of the job see them as environment
// variables. Names must match ^[A-Z_][A-Z0-9_]*$; the caller refuses names
// that change how later steps run (PATH, GITHUB_*, …). Values are masked by
// the caller first.
func (g *GitHub) ExportEnv(vars []Output) error {
	for _, v := range vars {
		if !envName.MatchString(v.Name) {
			return fmt.Errorf(msgEnvName, v.Name)
		}
	}
	return g.appendBlocks("GITHUB_ENV", vars)
}

// appendBlocks writes outs as name<<delimiter blocks to the file named by
// the environment variable env.
func (g *GitHub) appendBlocks(env string, outs []Output) error {
	if len(outs) == 0 {
		return nil
	}
	if err := checkValues(outs); err != nil {
		return err
	}
	path := g.getenv(env)
	if path == "" {
		return notSetError(env)
	}
	delim, err := g.delimiter(outs)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for _, o := range outs {
		// The format of actions/toolkit's prepareKeyValueMessage.
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, o.Value, delim)
	}
	return appendOnce(env, path, b.Bytes())
}

// maxDelimiterTries bounds the search for a delimiter that no name or value
// holds; with 122 random bits one try is enough unless the reader is fixed.
const maxDelimiterTries = 8

// delimiter returns a ghadelimiter_<uuid> that no name or value contains.
func (g *GitHub) delimiter(outs []Output) (string, error) {
	for range maxDelimiterTries {
		var u [16]byte
		if _, err := io.ReadFull(g.random, u[:]); err != nil {
			return "", fmt.Errorf(msgDelimiter, err)
		}
		u[6] = u[6]&0x0f | 0x40 // a version 4 UUID, as crypto.randomUUID gives the toolkit
		u[8] = u[8]&0x3f | 0x80
		d := fmt.Sprintf("ghadelimiter_%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
		clash := false
		for _, o := range outs {
			if strings.Contains(o.Name, d) || strings.Contains(o.Value, d) {
				clash = true
				break
			}
		}
		if !clash {
			return d, nil
		}
	}
	return "", errors.New(msgDelimiterClash)
}

func notSetError(env string) error {
	return fmt.Errorf(msgNotSet, env)
}

// checkFileCommand checks that path (the value of env) can take an append.
func checkFileCommand(env, path string) error {
	if path == "" {
		return notSetError(env)
	}
	st, err := os.Stat(path) // follows a link: a link to a regular file is fine
	switch {
	case err == nil:
		if st.IsDir() {
			return fmt.Errorf(msgFileCommandDir, env, path)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf(msgFileCommandSpecial, env, path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf(msgOpenForWriting, env, path, err)
		}
		return f.Close()
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return fmt.Errorf(msgFileCommandLink, env, path)
		}
		return checkDirWritable(env, path)
	default:
		return fmt.Errorf(msgCheck, env, path, err)
	}
}

// checkDirWritable checks that the directory of path exists and that a
// file can be created in it, by creating and removing an empty one.
func checkDirWritable(what, path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf(msgNoDir, what, path)
	}
	if !st.IsDir() {
		return fmt.Errorf(msgDirNotDir, what, path)
	}
	f, err := os.CreateTemp(dir, ".sap-ci-auth-check-*")
	if err != nil {
		return fmt.Errorf(msgCreateNextTo, what, path, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf(msgRemoveNextTo, what, path, err)
	}
	return nil
}

// appendOnce appends data to path in one write. It re-checks on the open
// file that path is a regular file, and truncates the file back to its old
// size when the write fails, so no half-written block stays behind.
func appendOnce(env, path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf(msgOpen, env, path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf(msgCheck, env, path, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf(msgFileCommandIrregular, env, path)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Truncate(st.Size())
		f.Close()
		return fmt.Errorf(msgWrite, env, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf(msgWrite, env, path, err)
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
