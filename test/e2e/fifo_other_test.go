//go:build !unix

package e2e

import "testing"

// mkfifo: there are no FIFOs in this platform's file system, so a test that
// needs one cannot run here.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	t.Skipf("SKIPPED: no FIFOs on this platform (%s)", path)
}
