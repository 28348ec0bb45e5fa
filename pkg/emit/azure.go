package emit

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// Azure writes for Azure Pipelines (TF_BUILD=True): the CLI in a script step
// or a container job. It speaks the agent's logging commands, whose rules
// are read from microsoft/azure-pipelines-agent at commit
// 42bde98bea7bb3b9e186d693e3b1554249e93a38:
//
//   - src/Agent.Worker/Handlers/NodeHandler.cs (OnDataReceived; the script
//     tasks run under it) and src/Agent.Sdk/ProcessInvoker.cs: every line of
//     stdout AND stderr goes to WorkerCommandManager.TryProcessCommand.
//   - src/Microsoft.VisualStudio.Services.Agent/Command.cs (TryParse): a
//     command starts at the first "##vso[" anywhere in a line and ends at the
//     next "]"; "area.event" and the properties "k=v" split on ";" and on the
//     first "="; property values and the data after "]" are unescaped.
//   - src/Agent.Sdk/CommandStringConvertor.cs: Unescape replaces "%3B" with
//     ";", "%0D" with CR, "%0A" with LF, "%5D" with "]", in that order, and
//     then, when the DecodePercents knob is on, "%AZP25" with "%"; Escape is
//     the reverse ("%" first).
//   - src/Agent.Sdk/Knob/AgentKnobs.cs (DecodePercents: the variable
//     DECODE_PERCENTS, default true) and src/Agent.Sdk/Util/StringUtil.cs
//     (ConvertToBoolean: "1", "true", "$true" are true, "0", "false",
//     "$false" false, anything else the default false).
//
// Every command goes to stderr, so that `X=$(sap-ci-auth …)` captures the
// value alone while the agent still reads the masks and variables; the
// primary value (or JSON) goes to stdout as the shell sink prints it.
type Azure struct {
	shell  *Shell
	stderr io.Writer
	opts   AzureOptions
	masks  map[string]bool
}

// AzureOptions configures [NewAzure].
type AzureOptions struct {
	// JSON prints every output as one JSON object on stdout.
	JSON bool
	// Variable says which pipeline variable an output becomes: its name and
	// whether it is secret; ok false leaves the output out. Nil: the dotenv
	// name, not secret.
	Variable func(output string) (name string, secret, ok bool)
	// Getenv reads DECODE_PERCENTS, which changes how the agent unescapes.
	Getenv func(string) string
}

// NewAzure returns an Azure Pipelines sink.
func NewAzure(stdout, stderr io.Writer, opts AzureOptions) *Azure {
	return &Azure{shell: NewShell(stdout, stderr, ShellOptions{JSON: opts.JSON}), stderr: stderr, opts: opts}
}

// azurePrefix starts a logging command (Command.cs LoggingCommandPrefix).
const azurePrefix = "##vso["

// decodePercents is the agent's DecodePercents knob as the step sees it.
func (a *Azure) decodePercents() bool {
	if a.opts.Getenv == nil {
		return true
	}
	switch strings.ToLower(a.opts.Getenv(textDecodePercents)) {
	case "", "1", "true", "$true":
		return true
	}
	return false
}

// azureEscapes are CommandStringConvertor's _specialSymbolsMapping.
var azureEscapes = []struct{ token, replacement string }{
	{";", "%3B"}, {"\r", "%0D"}, {"\n", "%0A"}, {"]", "%5D"},
}

// AzureEscape escapes a property value or data as
// CommandStringConvertor.Escape does, and reports whether the agent will
// read it back intact: with DECODE_PERCENTS off, a value holding "%3B",
// "%0D", "%0A" or "%5D" cannot be written at all.
func AzureEscape(v string, decodePercents bool) (string, bool) {
	if !decodePercents {
		for _, m := range azureEscapes {
			if strings.Contains(v, m.replacement) {
				return "", false
			}
		}
	} else {
		v = strings.ReplaceAll(v, "%", "%AZP25")
	}
	for _, m := range azureEscapes {
		v = strings.ReplaceAll(v, m.token, m.replacement)
	}
	return v, true
}

// ErrDecodePercents is the refusal of a pipeline whose DECODE_PERCENTS is
// off, from [Azure.Check] and from [Azure.Mask] when a form of a secret
// cannot be carried: a configuration problem, which the caller reports
// with the exit code of bad input when nothing was sent yet.
var ErrDecodePercents = errors.New(msgAzureDecodePercents)

// Check refuses DECODE_PERCENTS off: the agent then reads "%3B" in a value
// as ";", so a secret's percent-encoded form could not be masked nor every
// output be carried intact.
func (a *Azure) Check() error {
	if !a.decodePercents() {
		return ErrDecodePercents
	}
	return nil
}

// Mask writes ##vso[task.setsecret] for every form of value (see
// [secret.Forms]) not announced before, in one write. A form that no
// command can carry (only with DECODE_PERCENTS off) is left out and
// [ErrDecodePercents] returned once the others are written.
func (a *Azure) Mask(value string) error {
	if a.masks == nil {
		a.masks = map[string]bool{}
	}
	var b strings.Builder
	var forms []string
	var refused error
	for _, f := range secret.Forms(value) {
		if f == "" || a.masks[f] {
			continue
		}
		e, ok := AzureEscape(f, a.decodePercents())
		if !ok { // mask every form that can be, then refuse
			refused = ErrDecodePercents
			continue
		}
		b.WriteString(azurePrefix + "task.setsecret]" + e + "\n")
		forms = append(forms, f)
	}
	if b.Len() > 0 {
		if _, err := io.WriteString(a.stderr, b.String()); err != nil {
			return fmt.Errorf(msgLoggingCommand, err)
		}
	}
	for _, f := range forms {
		a.masks[f] = true
	}
	return refused
}

// logLine makes text safe for a plain log line: one line, and no "##vso["
// that the agent would take for a command wherever it stands.
func logLine(text string) string {
	text = strings.Join(strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
	return strings.ReplaceAll(text, azurePrefix, textNoCommand)
}

// Notice logs a plain line on stderr (logissue knows only error and
// warning).
func (a *Azure) Notice(msg string) { fmt.Fprintf(a.stderr, msgNoticeLine, logLine(message(msg))) }

// Info prints nothing, as a shell does.
func (a *Azure) Info(string) {}

// Warning writes ##vso[task.logissue type=warning].
func (a *Azure) Warning(msg string) { a.issue("warning", msgWarningLine, msg) }

// Error writes ##vso[task.logissue type=error].
func (a *Azure) Error(msg string) { a.issue("error", msgErrorLine, msg) }

func (a *Azure) issue(kind, plain, msg string) {
	e, ok := AzureEscape(textIssuePrefix+message(msg), a.decodePercents())
	if !ok { // only with DECODE_PERCENTS off: a plain line then
		fmt.Fprintf(a.stderr, plain, logLine(message(msg)))
		return
	}
	fmt.Fprintf(a.stderr, "%stask.logissue type=%s]%s\n", azurePrefix, kind, e)
}

// azureName is what the sink accepts as a variable name (the dotenv names).
var azureName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Outputs checks every value and name, then writes one
// ##vso[task.setvariable variable=NAME;issecret=…;isoutput=true] per output
// to stderr in one write, then prints the primary value (or JSON) on stdout.
func (a *Azure) Outputs(outs []Output, primary string) error {
	if err := checkValues(outs); err != nil {
		return err
	}
	var b strings.Builder
	for _, o := range outs {
		name, isSecret, ok := DotenvName(o.Name), false, true
		if a.opts.Variable != nil {
			name, isSecret, ok = a.opts.Variable(o.Name)
		}
		if !ok {
			continue
		}
		if !azureName.MatchString(name) {
			return fmt.Errorf(msgAzureName, o.Name)
		}
		e, ok := AzureEscape(o.Value, a.decodePercents())
		if !ok { // only with DECODE_PERCENTS off, which Check refuses before a run sends anything
			return fmt.Errorf(msgAzureValue, o.Name)
		}
		fmt.Fprintf(&b, "%stask.setvariable variable=%s;issecret=%t;isoutput=true]%s\n", azurePrefix, name, isSecret, e)
	}
	if _, err := io.WriteString(a.stderr, b.String()); err != nil {
		return fmt.Errorf(msgLoggingCommand, err)
	}
	return a.shell.Outputs(outs, primary)
}
