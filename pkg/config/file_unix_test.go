//go:build unix

package config

import (
	"path/filepath"
	"syscall"
	"testing"
)

// specialFileCases: a FIFO without a writer (an open without O_NONBLOCK
// would wait for one for ever) and an endless device, both refused before a
// byte is read.
func specialFileCases(t *testing.T, dir string) []fileCase {
	t.Helper()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	return []fileCase{
		{name: "FIFO without a writer does not hang", path: fifo, wantErr: "is not a regular file (a FIFO)"},
		{name: "endless device", path: "/dev/zero", wantErr: "is not a regular file (a device)"},
	}
}
