package app

// The texts this package shows users (the --help text is in help.go).
const (
	// Problems with the inputs, found before anything is sent.
	msgNotUsedByFlow      = "%s is not used by the %s flow; it is ignored"
	msgOutputNotSet       = "names %s, which the %s flow does not set"
	msgVarOutputNotSet    = "%s " + msgOutputNotSet
	msgUseItsOutputs      = "use one of its outputs: %s"
	msgCAFix              = "give PEM text or a path to a PEM file with -----BEGIN CERTIFICATE----- blocks"
	msgExportEnvNoGitHub  = "works only in a GitHub Actions job, whose runner gives GITHUB_ENV"
	msgExportEnvElsewhere = "elsewhere write the outputs with dotenv-file (a GitLab dotenv report, or `set -a; . file` in a shell)"

	// After the flow ran: failures before any output is written, and
	// the warning of an answer without a lifetime.
	msgCanceled         = "the run was canceled by a signal; no output was written"
	msgNothingToPrint   = "output: the server's answer gave no %s, so there is nothing to print; nothing was written"
	msgDotenvCredential = "dotenv-file: the %s cannot be written: %v; nothing was written (use the step outputs or --output json instead)"
	msgNoLifetime       = "the answer gives no lifetime (no usable expires_in, no future exp claim in the token): expires-in and expires-at are empty"
	msgUndeclaredOutput = "failed to write outputs: the flow set %s, which config.Outputs does not declare"
	msgUnlistedOutput   = "failed to write outputs: the %s flow set %s, which its registry entry does not list"

	// Lines of `sap-ci-auth inspect`: labels, the timeout's value, and the
	// last line.
	textFlow          = "flow"
	textDotenvFile    = "dotenv file"
	textTimeout       = "timeout"
	textTimeoutValue  = "%s (retries included)"
	textProblemsFound = "%d problem(s) found; nothing was sent\n"
	textNoProblem     = "no problem found; nothing was sent"

	// The GitHub job summary (GITHUB_STEP_SUMMARY): a warning when it
	// cannot be written, and its Markdown.
	msgSummaryUnusable     = "job summary: %v; the run goes on without a summary (set summary: false to turn it off)"
	textSummaryTitle       = "### sap-ci-auth: %s %s\n\n"
	textSummaryNoFlowTitle = "### sap-ci-auth: %s before a flow was chosen\n\n"
	textSummarySucceeded   = "succeeded"
	textSummaryFailed      = "failed"
	textSummaryTable       = "| | |\n|---|---|\n"
	textSummaryRow         = "| %s | %s |\n"
	textSummaryObtained    = "obtained"
	textSummaryNotShown    = " (step outputs; values are never shown here)"
	textSummaryLifetime    = "lifetime"
	textSummaryUntil       = "%s, until %s"
	textSummaryTime        = "2006-01-02 15:04:05 UTC"
	textSummaryGranted     = "scopes granted"
	textSummaryRequired    = "required scope"
	textSummaryPresent     = "present"
	textSummaryMissing     = "**missing**"
	textSummaryItem        = "- %s\n"
	textSummaryWarning     = "- warning: %s\n"
	textSummaryBlock       = "\n%s\n%s\n%s\n"
	textSummaryError       = "\n**Error:** %s\n"
	textSummaryLink        = "\nSee [Troubleshooting: %s](%s).\n"
	textSummaryLeftOut     = "(left out: it holds a secret)"

	// Where the summary links for an error: TROUBLESHOOTING.md's sections
	// (TestSummaryLinks checks that each heading exists).
	// The link is to the file of the release that runs (its tag), or of
	// main for a development build.
	textTroubleshootingURL = "https://github.com/sap-ci-auth/sap-ci-auth/blob/%s/TROUBLESHOOTING.md#"
	textDevelopmentRef     = "main"
	textHeadingInputs      = "Inputs and the command line"
	textHeadingTokenChecks = "verify-url and required-scopes"
	textHeadingReading     = "Reading a message"
	textHeadingIAS         = "IAS passcode (`ias-passcode`)"
	textHeadingToken       = "Token endpoint and OAuth errors (`client-credentials`, `password`, `jwt-bearer`)"
	textHeadingOIDC        = "OIDC and the job's ID token (`oidc`, `jwt-bearer`)"
)
