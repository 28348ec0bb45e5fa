package config

import "testing"

// specialFileCases: windows has no FIFOs in its file system; its devices
// (NUL here) open without waiting and are refused before a byte is read.
func specialFileCases(t *testing.T, _ string) []fileCase {
	t.Helper()
	return []fileCase{
		{name: "device", path: "NUL", wantErr: "is not a regular file (a device)"},
	}
}
