//go:build unix

package config

import (
	"os"
	"syscall"
)

// openInputFlags opens a file input non-blocking: on unix, opening a FIFO
// for reading waits for a writer, and a FIFO without one would hang the run
// before the regular-file check could refuse it.
const openInputFlags = os.O_RDONLY | syscall.O_NONBLOCK
