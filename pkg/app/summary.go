package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// recorder is the GitHub sink of a run whose job summary is on: it passes
// everything on and keeps what the summary shows (the flow's report lines,
// warnings, the error, the outputs' names and expiry, the masked secrets
// the summary is checked against). The flows know nothing of it.
type recorder struct {
	emit.Sink
	github   *emit.GitHub
	secrets  []string
	info     []string
	notices  []string
	warnings []string
	errors   []string
	outs     []emit.Output
	result   *flow.Result
	// version is the binary's (binaryVersion), which the error's link
	// into TROUBLESHOOTING.md follows.
	version string
}

func (r *recorder) Mask(s string) error {
	r.secrets = append(r.secrets, s)
	return r.Sink.Mask(s)
}
func (r *recorder) Info(msg string)    { r.info = append(r.info, msg); r.Sink.Info(msg) }
func (r *recorder) Notice(msg string)  { r.notices = append(r.notices, msg); r.Sink.Notice(msg) }
func (r *recorder) Warning(msg string) { r.warnings = append(r.warnings, msg); r.Sink.Warning(msg) }
func (r *recorder) Error(msg string)   { r.errors = append(r.errors, msg); r.Sink.Error(msg) }
func (r *recorder) Outputs(outs []emit.Output, primary string) error {
	err := r.Sink.Outputs(outs, primary)
	if err == nil {
		r.outs = outs
	}
	return err
}

// summarized runs flow f with a job summary: GITHUB_STEP_SUMMARY is
// checked first (unusable: a warning, and the run goes on without it), and
// the summary is appended when the run ends, on success or failure (not
// when a signal stopped it).
func (m *Main) summarized(ctx context.Context, g *emit.GitHub, s *config.Settings, f flow.Flow) int {
	// Run masked the secret inputs already; the summary is checked
	// against them too.
	r := &recorder{Sink: g, github: g, secrets: s.Secrets(), version: binaryVersion()}
	if err := g.CheckSummary(); err != nil {
		g.Warning(fmt.Sprintf(msgSummaryUnusable, err))
		return m.run(ctx, g, s, f, true)
	}
	code := m.run(ctx, r, s, f, true)
	if ctx.Err() == nil {
		if err := g.Summary(r.markdown(f.Name, code)); err != nil {
			g.Warning(fmt.Sprintf(msgSummaryUnusable, err))
		}
	}
	return code
}

// summarizeInputError writes the job summary of a run that stopped while
// its inputs were read (config.Load), maybe before a flow was chosen: the
// flow if one is known, the error and its link. As for every summary, an
// unusable GITHUB_STEP_SUMMARY is only a warning.
func (m *Main) summarizeInputError(g *emit.GitHub, s *config.Settings, err error) {
	flowName := ""
	if f, ok := m.lookup(s.Flow); ok {
		flowName = f.Name
	}
	r := &recorder{secrets: s.Secrets(), errors: []string{err.Error()}, version: binaryVersion()}
	werr := g.CheckSummary()
	if werr == nil {
		werr = g.Summary(r.markdown(flowName, exitInput))
	}
	if werr != nil {
		g.Warning(fmt.Sprintf(msgSummaryUnusable, werr))
	}
}

// markdown is the job summary of a run of flowName (empty: no flow was
// chosen) that ended with code, and apart the links into
// TROUBLESHOOTING.md for its errors (built from this package's own texts
// only, which emit writes as they are, anchors kept).
// Every value passes the secret check first ([recorder.clean]); output
// values are never shown, not even their length.
func (r *recorder) markdown(flowName string, code int) (text, links string) {
	var b strings.Builder
	status := textSummarySucceeded
	if code != exitOK {
		status = textSummaryFailed
	}
	row := func(label, value string) { fmt.Fprintf(&b, textSummaryRow, label, value) }
	if flowName == "" { // the run stopped before a flow was chosen
		fmt.Fprintf(&b, textSummaryNoFlowTitle, status)
	} else {
		fmt.Fprintf(&b, textSummaryTitle, mdText(r.clean(flowName)), status)
		b.WriteString(textSummaryTable)
		row(textFlow, mdText(r.clean(flowName)))
	}
	values := map[string]string{}
	var names []string
	for _, o := range r.outs {
		values[o.Name] = o.Value
		if o.Value != "" {
			names = append(names, "`"+o.Name+"`")
		}
	}
	if len(names) > 0 {
		row(textSummaryObtained, strings.Join(names, ", ")+textSummaryNotShown)
	}
	if in, err := strconv.ParseInt(values[config.OutExpiresIn], 10, 64); err == nil {
		at, _ := time.Parse(time.RFC3339, values[config.OutExpiresAt])
		row(textSummaryLifetime, fmt.Sprintf(textSummaryUntil, time.Duration(in)*time.Second, at.UTC().Format(textSummaryTime)))
	}
	if sc := values[config.OutScope]; sc != "" {
		row(textSummaryGranted, mdText(r.clean(sc)))
	}
	if r.result != nil {
		for _, c := range r.result.Required {
			state := textSummaryMissing
			if c.Present {
				state = textSummaryPresent
			}
			row(textSummaryRequired, mdText(r.clean(c.Scope))+": "+state)
		}
	}
	b.WriteString("\n")
	for _, l := range r.info {
		fmt.Fprintf(&b, textSummaryItem, mdText(r.clean(l)))
	}
	for _, w := range r.warnings {
		fmt.Fprintf(&b, textSummaryWarning, mdText(r.clean(w)))
	}
	for _, n := range r.notices {
		lines := strings.Split(r.clean(n), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(strings.Map(func(c rune) rune {
				if unicode.IsControl(c) {
					return ' '
				}
				return c
			}, l), " ")
		}
		n = strings.Join(lines, "\n")
		fence := strings.Repeat("`", max(3, longestRun(n, '`')+1))
		fmt.Fprintf(&b, textSummaryBlock, fence, n, fence)
	}
	var l strings.Builder
	var headings []string
	for _, e := range r.errors {
		fmt.Fprintf(&b, textSummaryError, mdText(r.clean(e)))
		if h := troubleshootingHeading(flowName, code, e); !slices.Contains(headings, h) {
			headings = append(headings, h)
			fmt.Fprintf(&l, textSummaryLink, mdText(h), troubleshootingURL(r.version)+githubAnchor(h))
		}
	}
	return b.String(), l.String()
}

// clean is the summary's secret check, the one the outputs get: a text
// holding any masked secret, or any form of one (base64, %-encoded, JSON
// or HTML escaped, …), is left out whole.
func (r *recorder) clean(text string) string {
	for _, s := range r.secrets {
		for _, f := range secret.Forms(s) {
			if f != "" && strings.Contains(text, f) {
				return textSummaryLeftOut
			}
		}
	}
	return text
}

// mdText escapes text for Markdown: ASCII punctuation that could start
// markup, a link, HTML or end a table cell is escaped with a backslash, and
// line breaks become spaces.
func mdText(text string) string {
	var b strings.Builder
	for _, c := range text {
		switch {
		case c == '\n' || c == '\r':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>|#!&~()", c):
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func longestRun(s string, c rune) int {
	n, best := 0, 0
	for _, r := range s {
		if r == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// troubleshootingHeading is the section of TROUBLESHOOTING.md that
// explains an error of flowName that ended a run with code.
func troubleshootingHeading(flowName string, code int, msg string) string {
	switch {
	case code == exitInput:
		return textHeadingInputs
	case strings.HasPrefix(msg, config.In.Name(&config.In.RequiredScopes)), strings.HasPrefix(msg, config.In.Name(&config.In.VerifyURL)):
		return textHeadingTokenChecks
	}
	if h, ok := flowHeadings[flowName]; ok {
		return h
	}
	return textHeadingReading
}

// releaseTag is a version the release scripts stamp (scripts/release-binaries.sh
// accepts vMAJOR.MINOR.PATCH[-PRERELEASE]).
var releaseTag = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)

// pseudoVersion reports whether v is what go install of an untagged commit
// reports (v0.0.0-20261206063128-abcdef123456, or
// vX.Y.(Z+1)-0.<time>-<commit>), which names no tag: it ends in a
// 14-digit time and a 12-hex-digit commit. (Checked apart, as a pattern
// with counted repetitions compiles to many copies at every start.)
func pseudoVersion(v string) bool {
	rest, commit, ok := strings.Cut(v[max(0, len(v)-27):], "-")
	if !ok || len(rest) != 14 || len(commit) != 12 {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	for _, c := range commit {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// troubleshootingURL is TROUBLESHOOTING.md as the binary of version knows
// it, up to the anchor: the release's tag, so that a link from an older
// release finds the section its message is in; main for a development
// build ("(devel)", a pseudo-version, a dirty or an unstamped build).
func troubleshootingURL(version string) string {
	ref := textDevelopmentRef
	if releaseTag.MatchString(version) && !pseudoVersion(version) {
		ref = version
	}
	return fmt.Sprintf(textTroubleshootingURL, ref)
}

// githubAnchor is the anchor GitHub gives a heading: lower case, spaces
// as hyphens, punctuation other than - and _ dropped.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// flowHeadings is the section of TROUBLESHOOTING.md for each flow's
// failures.
var flowHeadings = map[string]string{
	"ias-passcode":       textHeadingIAS,
	"client-credentials": textHeadingToken,
	"password":           textHeadingToken,
	"jwt-bearer":         textHeadingToken,
	"oidc":               textHeadingOIDC,
}
