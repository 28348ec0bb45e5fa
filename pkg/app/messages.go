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
)
