//go:build !unix

package main

import "os"

// minorFaults: no rusage on this platform, so no page-fault count (0).
func minorFaults(*os.ProcessState) int64 { return 0 }
