package config

// The texts this package shows users. An input's error reads
// "<input>: <problem>; <fix>" ([InputError]); none holds the value.
const (
	// Problems with an input's value.
	msgMissing        = "missing"
	msgUnknownFlow    = "unknown flow"
	msgUnknownFormat  = "unknown format"
	msgUnknownStyle   = "unknown style"
	msgNotDuration    = "not a positive Go duration"
	msgNotBoolean     = "neither true nor false"
	msgCannotBeRead   = "cannot be read"
	msgTooLong        = "is longer than %d bytes"
	msgGivenTogether  = "given together with %s"
	msgSecretFlag     = "not accepted as a command-line flag, because other processes can read argv"
	msgLoadSettings   = "failed to load settings: %w"
	msgCannotDecode   = "the settings could not be decoded"
	msgUnexpectedArg  = "unexpected argument"
	msgUnknownFlag    = "unknown flag --%s"
	msgHiddenFlag     = "an unknown flag (not shown, as it may hold a value)"
	msgFlagNeedsValue = "flag --%s needs a value"
	msgCannotParse    = "cannot be parsed"

	// Fixes.
	msgUseOneOf         = "use one of: %s"
	msgDurationFix      = "write it like 30s or 2m"
	msgBooleanFix       = "write true or false"
	msgToValidValue     = "%s to a valid value"
	msgTooLongFix       = "give the value itself, not a whole file's worth"
	msgGiveOnlyOne      = "give only one of them"
	msgOutputFormatFix  = "use text, json, or the name of one output (such as id-token)"
	msgSetInstead       = "set %s instead"
	msgSeeHelp          = "see sap-ci-auth --help"
	msgUnexpectedArgFix = "give the flow first and everything else as --<input> flags; " + msgSeeHelp

	// Where to set an input, in a fix: on GitHub, in a shell for a secret,
	// in a shell for another input.
	msgSetUnderWith     = "set `%s:` under the step's `with:`"
	msgSetEnv           = "set %s"
	msgPassFlagOrSetEnv = "pass --%s or set %s"

	// textCommandLine stands for the input in errors about the command
	// line itself.
	textCommandLine = "command line"

	// Problems with the file a file input names, and their fix.
	msgNoSuchFile       = "no such file"
	msgPermissionDenied = "permission denied reading the file"
	msgCannotOpen       = "cannot open the file"
	msgCannotReadFile   = "cannot read the file"
	msgNotRegularFile   = "is not a regular file (%s)"
	msgFileTooLarge     = "is larger than %d bytes"
	msgFileFix          = "give the path of a readable regular file (relative paths start at the working directory)"
	// An orpath input (ca-certificates) whose text is not PEM and names no
	// file: the file's problem, and the fix.
	msgNeitherPEMNorFile = "is neither PEM text nor a readable file"
	msgPEMFix            = "PEM text starts with -----BEGIN CERTIFICATE-----; convert a DER certificate with `openssl x509 -inform DER -in ca.der -out ca.pem`, or give the path of a readable PEM file"
	// A text input with a file twin that names an existing file, and the
	// fix (where to set the twin).
	msgHoldsPath   = "holds the path of a file, not its content"
	msgUseFileTwin = "%s to that path instead"
	// What a file that is not a regular file is.
	msgKindDirectory = "a directory"
	msgKindFIFO      = "a FIFO"
	msgKindSocket    = "a socket"
	msgKindDevice    = "a device"
	msgKindOther     = "not a plain file"

	// Problems with export-env and their fixes.
	msgNotPair         = "an entry is not NAME=output"
	msgNotPairFix      = "write pairs like CF_PASSWORD=passcode, separated by spaces or lines"
	msgBadVarName      = "a variable name is not of upper-case letters, digits and _"
	msgBadVarNameFix   = "name variables like CF_PASSWORD"
	msgReservedVar     = "%s changes how later steps run and cannot receive a credential"
	msgReservedVarFix  = "choose another variable name"
	msgNoSuchOutput    = "%s names no output of this action"
	msgNoSuchOutputFix = "use an output name such as passcode, access-token or id-token"
	msgVarTwice        = "%s is given twice"
	msgVarTwiceFix     = "give each variable once"

	// Texts of the flag package: the start of its errors for a flag that
	// is not defined and for one without its value (the value they quote
	// is not repeated).
	matchUndefinedFlag     = "flag provided but not defined: "
	matchFlagNeedsArgument = "flag needs an argument: "
)
