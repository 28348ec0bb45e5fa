//go:build !unix

package config

import "os"

// openInputFlags is a plain read-only open where there are no FIFOs in the
// file system (windows): a named pipe (\\.\pipe\…) or a device (NUL, CON)
// opens without waiting, and the regular-file check refuses it before any
// byte is read. syscall.O_NONBLOCK exists on windows but is ignored by its
// open, so it is not passed.
const openInputFlags = os.O_RDONLY
