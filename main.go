// Command sap-ci-auth gets SAP credentials inside CI pipelines: an IAS
// one-time passcode for `btp login` / `cf login`, or an OAuth token for Cloud
// Integration and HANA cockpit APIs. See README.md and `sap-ci-auth --help`.
// `sap-ci-auth demo` runs every flow against built-in fakes (pkg/demo).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/demo"
)

func main() {
	// SIGINT and SIGTERM cancel the run at once; the exit code is then
	// 128 + the signal's number (130, 143), as shells report it. Notify
	// comes first and on this goroutine: until it returns, the runtime's
	// default applies, and as a container's PID 1 that is exit 2 (the
	// bad-input code) for a SIGTERM.
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	caught := make(chan syscall.Signal, 1)
	go func() {
		s := (<-sigs).(syscall.Signal)
		caught <- s
		cancel()
		// The run writes nothing once canceled; if it is stuck in work
		// that takes no context (decoding a hostile PKCS#12 file), end it.
		time.Sleep(500 * time.Millisecond)
		os.Exit(128 + int(s))
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	select {
	case s := <-caught:
		code = 128 + int(s)
	default:
	}
	os.Exit(code)
}

// run dispatches the command line: the demo apart, everything else to app.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && args[0] == "demo" {
		return demo.Run(ctx, args[1:], stdout, stderr)
	}
	return (&app.Main{Stdout: stdout, Stderr: stderr, Getenv: getenv, Args: args}).Run(ctx)
}
