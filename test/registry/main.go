// Command registry serves an OCI registry on 127.0.0.1 for
// test/container.sh's release rehearsal: github.com/google/go-containerregistry's
// pkg/registry (blobs in memory), on a free port, until killed. It prints its
// address (127.0.0.1:<port>) as the first line of stdout once it listens;
// every request is logged to stderr as "<method> <path>", which the
// rehearsal reads to prove that a pull asked for the manifest by digest.
//
// A test tool: the shipped binary never links it (the Dockerfile builds
// main.go and pkg/ only).
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "registry: failed to listen:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{
		Handler:           registry.New(registry.Logger(log.New(os.Stderr, "", log.LstdFlags))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "registry:", err)
		os.Exit(1)
	}
}
