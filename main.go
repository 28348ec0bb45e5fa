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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := &app.Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Args: os.Args[1:]}
	code := m.Run(ctx)
	stop()
	os.Exit(code)
}
