// Command fakesap runs the fake SAP endpoints of pkg/saptest on the host's
// loopback interface until it is killed, for the container and runner tests
// in test/container.sh: the containers started there (docker run --network
// host, act's job and action containers, a GitLab-style job container) reach
// these servers at 127.0.0.1.
//
// It starts a fake IAS tenant (passcodes over mutual TLS), a fake UAA/XSUAA
// (client-credentials and password grants), a fake Cloud Integration API that
// accepts the UAA's tokens, and a plain-HTTP control server on 127.0.0.1 that
// reports the secrets issued so far (GET /issued), so that a test can check
// that a value a runner passed on is the one the fake issued, and that none of
// them leaked into a log.
//
// Into the directory given by -dir it writes:
//
//	ca.pem                the root CA of the fakes' server certificate (ca-certificates input)
//	client.p12            a client certificate for the IAS, PKCS#12 (OpenSSL 3 default encryption)
//	client.p12.b64        the same, base64 (the certificate input)
//	client-password       the PKCS#12 password
//	service-key.json      a Cloud Integration "api" plan key ({"oauth":{…}}) for client-credentials
//	cockpit-key.json      a HANA cockpit UAA key for the password grant
//	fakesap.env           all of the above and the URLs as sourceable FAKESAP_*='…' lines
//
// fakesap.env is written last (through a rename), so a script can wait for it
// to appear. The same values are printed as one JSON object on stdout.
//
// The ports are chosen by the kernel (127.0.0.1:0) and reported; nothing
// listens on any other address. Every key and certificate is minted at start
// and lives only as long as the process and the directory.
//
// Usage:
//
//	go build -o /tmp/fakesap ./test/fakesap
//	/tmp/fakesap -dir "$dir" &
//	until [ -s "$dir/fakesap.env" ]; do sleep 0.1; done
//	. "$dir/fakesap.env"
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// Fixed identities of the fakes. The secrets are random per run.
const (
	cpiClientID     = "sb-ci-auth-test!b42|it!b182722"
	cpiScope        = "it!b182722.IntegrationOperationServer.read"
	cockpitClientID = "sb-cockpit-ci!i7"
	cockpitUser     = "COCKPIT_CI"
	iasUser         = "P000042 (sap-ci-auth container test)"
)

func main() {
	dir := flag.String("dir", "", "directory to write the CA, client certificate, service keys and fakesap.env into (required)")
	flag.Parse()
	if *dir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: fakesap -dir DIR")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "fakesap:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", dir, err)
	}
	p, err := saptest.NewPKI()
	if err != nil {
		return err
	}
	ias, err := saptest.NewIAS(p)
	if err != nil {
		return err
	}
	defer ias.Close()

	cpiSecret, cockpitSecret, cockpitPassword, p12Password := random(), random(), random(), random()
	uaa, err := saptest.NewUAA(p, saptest.UAAConfig{
		Clients: map[string]string{cpiClientID: cpiSecret, cockpitClientID: cockpitSecret},
		Users:   map[string]string{cockpitUser: cockpitPassword},
		Scopes:  []string{cpiScope},
	})
	if err != nil {
		return err
	}
	defer uaa.Close()
	cpi, err := saptest.NewCPI(p, uaa, "")
	if err != nil {
		return err
	}
	defer cpi.Close()

	client, err := p.IssueClient(iasUser, saptest.ViaIntermediate())
	if err != nil {
		return err
	}
	p12, err := client.PKCS12(saptest.P12Modern, p12Password)
	if err != nil {
		return err
	}
	serviceKey, err := json.Marshal(map[string]any{"oauth": map[string]string{
		"clientid":     cpiClientID,
		"clientsecret": cpiSecret,
		"url":          cpi.URL,
		"tokenurl":     uaa.TokenURL(),
	}})
	if err != nil {
		return err
	}
	cockpitKey, err := json.Marshal(map[string]string{
		"clientid":     cockpitClientID,
		"clientsecret": cockpitSecret,
		"url":          uaa.URL,
	})
	if err != nil {
		return err
	}

	control, err := serveControl(ias, uaa)
	if err != nil {
		return err
	}
	defer control.Close()

	files := map[string][]byte{
		"ca.pem":           p.RootPEM(),
		"client.p12":       p12,
		"client.p12.b64":   []byte(base64.StdEncoding.EncodeToString(p12)),
		"client-password":  []byte(p12Password),
		"service-key.json": serviceKey,
		"cockpit-key.json": cockpitKey,
	}
	for name, data := range files {
		// 0644: the files are throw-away test data, and the GitHub-style
		// test reads them from a container as root anyway.
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("failed to write %s: %w", name, err)
		}
	}

	env := map[string]string{
		"FAKESAP_DIR":              dir,
		"FAKESAP_IAS_URL":          ias.URL,
		"FAKESAP_UAA_URL":          uaa.URL,
		"FAKESAP_TOKEN_URL":        uaa.TokenURL(),
		"FAKESAP_CPI_URL":          cpi.URL,
		"FAKESAP_CONTROL_URL":      "http://" + control.Addr,
		"FAKESAP_CA_FILE":          filepath.Join(dir, "ca.pem"),
		"FAKESAP_P12_FILE":         filepath.Join(dir, "client.p12"),
		"FAKESAP_P12_B64_FILE":     filepath.Join(dir, "client.p12.b64"),
		"FAKESAP_P12_PASSWORD":     p12Password,
		"FAKESAP_SERVICE_KEY_FILE": filepath.Join(dir, "service-key.json"),
		"FAKESAP_COCKPIT_KEY_FILE": filepath.Join(dir, "cockpit-key.json"),
		"FAKESAP_CLIENT_ID":        cpiClientID,
		"FAKESAP_CLIENT_SECRET":    cpiSecret,
		"FAKESAP_SCOPE":            cpiScope,
		"FAKESAP_COCKPIT_CLIENT":   cockpitClientID,
		"FAKESAP_COCKPIT_SECRET":   cockpitSecret,
		"FAKESAP_USERNAME":         cockpitUser,
		"FAKESAP_PASSWORD":         cockpitPassword,
	}
	if err := writeEnv(filepath.Join(dir, "fakesap.env"), env); err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(env); err != nil {
		return fmt.Errorf("failed to print the URLs: %w", err)
	}
	fmt.Fprintf(os.Stderr, "fakesap: IAS %s, UAA %s, CPI %s, control http://%s; serving until killed\n",
		ias.URL, uaa.URL, cpi.URL, control.Addr)

	<-ctx.Done()
	return nil
}

// control is the plain-HTTP server that reports what the fakes issued.
type control struct {
	Addr string
	srv  *http.Server
}

func (c *control) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.srv.Shutdown(ctx)
}

// serveControl serves GET /issued on 127.0.0.1:
//
//	{"passcodes":["…"],"tokens":["…"]}
//
// tokens holds every access and refresh token the UAA issued.
func serveControl(ias *saptest.IAS, uaa *saptest.UAA) (*control, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("failed to listen on 127.0.0.1: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /issued", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string][]string{
			"passcodes": nonNil(ias.Passcodes()),
			"tokens":    nonNil(uaa.Tokens()),
		})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "fakesap: control server:", err)
		}
	}()
	return &control{Addr: l.Addr().String(), srv: srv}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeEnv writes NAME='value' lines that sh, bash and busybox sh can
// source, through a temporary file and a rename so that readers never see a
// partial file.
func writeEnv(path string, env map[string]string) error {
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s='%s'\n", k, strings.ReplaceAll(env[k], "'", `'\''`))
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("failed to write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	return nil
}

// random returns 24 random hex characters: long enough that a leak check
// cannot match by chance, and free of characters that need quoting.
func random() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}
