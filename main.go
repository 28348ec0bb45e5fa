// Command sap-ci-auth gets SAP credentials inside CI pipelines: an IAS
// one-time passcode for `btp login` / `cf login`, or an OAuth token for Cloud
// Integration and HANA cockpit APIs. See README.md and `sap-ci-auth --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
)

func main() {
	// SIGINT and SIGTERM cancel the run at once; the exit code is then
	// 128 + the signal's number (130, 143), as shells report it.
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	caught := make(chan syscall.Signal, 1)
	go func() { s := (<-sigs).(syscall.Signal); caught <- s; cancel() }()
	code := (&app.Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Args: os.Args[1:]}).Run(ctx)
	select {
	case s := <-caught:
		code = 128 + int(s)
	default:
	}
	os.Exit(code)
}
