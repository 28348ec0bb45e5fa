package app

// The exit codes under the names the tests (package app_test) use; main
// returns Run's code as it is, so no other package names them.
const (
	ExitOK     = exitOK
	ExitRemote = exitRemote
	ExitInput  = exitInput
)
