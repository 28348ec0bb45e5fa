package emit

// The texts this package shows users. None holds an output's value.
const (
	// Lines a shell prints on stderr.
	msgNoticeLine  = "sap-ci-auth: notice: %s\n"
	msgWarningLine = "sap-ci-auth: warning: %s\n"
	msgErrorLine   = "sap-ci-auth: error: %s\n"

	// Values that cannot be written.
	msgLineBreak  = "output %s contains a line break or NUL and cannot be written safely"
	msgNotUTF8    = "output %s is not valid UTF-8 and cannot be written safely"
	msgNoOutput   = "no output %s to print"
	msgEncodeOut  = "failed to encode outputs: %w"
	msgWriteOut   = "failed to write outputs: %w"
	msgOutputName = "output name %q cannot be written to GITHUB_OUTPUT"
	msgEnvName    = "export-env: the name %q is not an environment variable name: use upper-case letters, digits and _"

	// Workflow commands and file commands of the GitHub runner.
	msgWorkflowCommand      = "failed to write a workflow command: %w"
	msgWorkflowCommandPanic = "failed to write a workflow command: %v"
	msgDelimiter            = "failed to make a heredoc delimiter: %w"
	msgDelimiterClash       = "failed to make a heredoc delimiter: every candidate occurs in a value"
	msgNotSet               = "%s is not set: the GitHub runner sets it for every step; outside a runner, run sap-ci-auth as a CLI (a flow argument) to print to stdout"
	msgFileCommandDir       = "%s (%s) is a directory: it must name the runner's file command file"
	msgFileCommandSpecial   = "%s (%s) is not a regular file (a device, pipe or socket): it must name the runner's file command file"
	msgFileCommandLink      = "%s (%s) is a symbolic link to a missing file: it must name the runner's file command file"
	msgFileCommandIrregular = "%s (%s) is not a regular file: it must name the runner's file command file"
	msgOpenForWriting       = "failed to open %s (%s) for writing: %w"
	msgOpen                 = "failed to open %s (%s): %w"
	msgCheck                = "failed to check %s (%s): %w"
	msgWrite                = "failed to write %s (%s): %w"

	// The directory of a file to write (dotenv-file, GITHUB_OUTPUT,
	// GITHUB_ENV).
	msgNoDir        = "the directory of %s (%s) does not exist: create it first or name a file in an existing directory"
	msgDirNotDir    = "the directory of %s (%s) is not a directory: name a file in an existing directory"
	msgCreateNextTo = "failed to create a file next to %s (%s): %w"
	msgRemoveNextTo = "failed to remove a check file next to %s (%s): %w"

	// dotenv-file. textDotenvExample is the file name its messages suggest.
	textDotenvExample  = "sap-ci-auth.env"
	msgDotenvEmpty     = "dotenv-file is empty: name a file, for example " + textDotenvExample
	msgDotenvCheck     = "failed to check dotenv-file (%s): %w"
	msgDotenvLink      = "dotenv-file (%s) is a symbolic link: name the file itself, or a new file"
	msgDotenvDir       = "dotenv-file (%s) is a directory: name a file in it, for example %s"
	msgDotenvSpecial   = "dotenv-file (%s) is not a regular file (a device, pipe or socket): name a regular file; to print the outputs use --output json"
	msgDotenvCreate    = "failed to create dotenv-file (%s): %w"
	msgDotenvRestrict  = "failed to restrict dotenv-file (%s): %w"
	msgDotenvWrite     = "failed to write dotenv-file (%s): %w"
	msgDotenvName      = "output %s has no valid dotenv name"
	msgDotenvLeftOut   = "dotenv-file: %s (output %s) is left out: %v"
	msgDotenvSize      = "dotenv-file: the file is %d bytes; GitLab rejects a dotenv report of %d bytes (5 KB) or more unless the instance raised dotenv_size"
	msgDotenvVariables = "dotenv-file: the file holds %d variables; GitLab Self-Managed rejects more than %d unless the instance raised dotenv_variables"

	// Why a value is not written to a dotenv file: msgUnsafeValue with the
	// first kind of character found.
	msgUnsafeValue   = "its value holds %s, which a shell or GitLab would not read literally"
	msgLeadingEquals = `a leading "="`
	msgWhiteSpace    = "white space"
	msgControlChar   = "a control character"
	msgNonASCII      = "a non-ASCII character"
	msgQuote         = "a quote"
	msgShellSpecial  = "a shell special character"
	msgNothingUnsafe = "nothing unsafe"

	// Azure Pipelines logging commands. textNoCommand stands for "##vso[" in
	// a plain log line, which the agent would read as a command.
	textDecodePercents     = "DECODE_PERCENTS"
	textNoCommand          = "# #vso["
	textIssuePrefix        = "sap-ci-auth: "
	msgAzureDecodePercents = "DECODE_PERCENTS is false in this pipeline: the agent then decodes the escapes of ;, CR, LF and ] in a logging command but not those of %, so a secret could stay unmasked; remove the variable (the agent's default is true)"
	msgAzureName           = "output %s has no valid Azure Pipelines variable name"
	msgAzureValue          = "output %s cannot be carried intact in an Azure Pipelines logging command"
	msgLoggingCommand      = "failed to write an Azure Pipelines logging command: %w"
)
