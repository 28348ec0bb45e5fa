// Command fakesap runs the fake SAP endpoints of pkg/saptest on the host's
// loopback interface until it is killed, for the container and runner tests
// in test/container.sh: the containers started there (docker run --network
// host, act's job and action containers, a GitLab-style job container) reach
// these servers at 127.0.0.1.
//
// It starts the whole fake landscape of pkg/saptest (saptest.NewLandscape):
// a fake IAS tenant (passcodes over mutual TLS, and the jwt-bearer grant at
// /oauth2/token for the CI issuer's tokens), the CI's OIDC issuer (a
// GitHub-style token service for ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, and
// GitLab-style tokens minted on request), the Cloud Integration tenant's
// XSUAA (client-credentials with a secret or X.509, password grants with
// login_hint origins, jwt-bearer with IAS tokens) and API, the HANA
// cockpit's UAA under /uaa-security and its API; and a plain-HTTP control
// server on 127.0.0.1 that reports the secrets issued so far (GET /issued),
// so that a test can check that a value a runner passed on is the one the
// fake issued, and that none of them leaked into a log, and that mints job
// ID tokens (GET /mint).
//
// Into the directory given by -dir it writes:
//
//	ca.pem                the root CA of the fakes' server certificate (ca-certificates input)
//	client.p12            a client certificate for the IAS, PKCS#12 (OpenSSL 3 default encryption)
//	client.p12.b64        the same, base64 (the certificate input)
//	client-password       the PKCS#12 password
//	service-key.json      a Cloud Integration "api" plan key ({"oauth":{…}}) for client-credentials, one line
//	x509-key.json         a Cloud Integration key of key type Certificate (token URL: the UAA's cert endpoint), one line
//	cockpit-key.json      the HANA cockpit UAA key for the password grant, one line of JSON
//	cockpit-key.txt       the same key as `xs service-key` prints it, header and OK footer included
//	fakesap.env           all of the above and the URLs as sourceable FAKESAP_*='…' lines
//
// fakesap.env is written last (through a rename), so a script can wait for it
// to appear. The same values are printed as one JSON object on stdout.
//
// No job ID token is written to a file: the issuer's tokens last 5 minutes,
// as GitHub's do, about as long as test/container.sh runs, so a token minted
// at start would have expired before the GitLab jobs use it. A test gets a
// fresh one from GET $FAKESAP_MINT_URL?style=gitlab&audience=<aud> (or
// style=github) when it needs it, as GitLab mints id_tokens when a job starts.
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
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
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
	l, err := saptest.NewLandscape()
	if err != nil {
		return err
	}
	defer l.Close()
	control, err := serveControl(l)
	if err != nil {
		return err
	}
	defer control.Close()

	// One line each: the container tests paste them into dotenv-style
	// secret files.
	serviceKey, x509Key := compact(l.CPIKey), compact(l.CPIX509Key)
	xsKey := l.CockpitKey
	cockpitKey := compact(xsKey[strings.Index(xsKey, "{") : strings.LastIndex(xsKey, "}")+1])
	files := map[string][]byte{
		"ca.pem":           l.PKI.RootPEM(),
		"client.p12":       l.ClientP12,
		"client.p12.b64":   []byte(base64.StdEncoding.EncodeToString(l.ClientP12)),
		"client-password":  []byte(l.ClientP12Password),
		"service-key.json": serviceKey,
		"x509-key.json":    x509Key,
		"cockpit-key.json": cockpitKey,
		"cockpit-key.txt":  []byte(xsKey),
	}
	for name, data := range files {
		// 0644: the files are throw-away test data, and the GitHub-style
		// test reads them from a container as root anyway.
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("failed to write %s: %w", name, err)
		}
	}

	env := map[string]string{
		"FAKESAP_DIR":                 dir,
		"FAKESAP_IAS_URL":             l.IAS.URL,
		"FAKESAP_UAA_URL":             l.UAA.URL,
		"FAKESAP_TOKEN_URL":           l.UAA.TokenURL(),
		"FAKESAP_CERT_TOKEN_URL":      l.UAA.CertTokenURL(),
		"FAKESAP_CPI_URL":             l.CPI.URL,
		"FAKESAP_COCKPIT_UAA_URL":     l.CockpitUAA.URL + "/uaa-security",
		"FAKESAP_COCKPIT_TOKEN_URL":   l.CockpitUAA.TokenURL(),
		"FAKESAP_COCKPIT_URL":         l.Cockpit.URL,
		"FAKESAP_CONTROL_URL":         "http://" + control.Addr,
		"FAKESAP_CA_FILE":             filepath.Join(dir, "ca.pem"),
		"FAKESAP_P12_FILE":            filepath.Join(dir, "client.p12"),
		"FAKESAP_P12_B64_FILE":        filepath.Join(dir, "client.p12.b64"),
		"FAKESAP_P12_PASSWORD":        l.ClientP12Password,
		"FAKESAP_SERVICE_KEY_FILE":    filepath.Join(dir, "service-key.json"),
		"FAKESAP_X509_KEY_FILE":       filepath.Join(dir, "x509-key.json"),
		"FAKESAP_COCKPIT_KEY_FILE":    filepath.Join(dir, "cockpit-key.json"),
		"FAKESAP_COCKPIT_XS_KEY_FILE": filepath.Join(dir, "cockpit-key.txt"),
		"FAKESAP_CLIENT_ID":           saptest.LandscapeCPIClientID,
		"FAKESAP_CLIENT_SECRET":       l.CPIClientSecret,
		"FAKESAP_SCOPE":               saptest.LandscapeCPIScope,
		"FAKESAP_CPI_USER":            saptest.LandscapeCPIUser,
		"FAKESAP_CPI_PASSWORD":        l.CPIUserPassword,
		"FAKESAP_ORIGIN":              saptest.LandscapeOrigin,
		"FAKESAP_ORIGIN_USER":         saptest.LandscapeOriginUser,
		"FAKESAP_ORIGIN_PASSWORD":     l.OriginUserPassword,
		"FAKESAP_COCKPIT_CLIENT":      saptest.LandscapeCockpitClientID,
		"FAKESAP_COCKPIT_SECRET":      l.CockpitClientSecret,
		"FAKESAP_USERNAME":            saptest.LandscapeCockpitUser,
		"FAKESAP_PASSWORD":            l.CockpitPassword,

		// The secretless flows: the CI's OIDC issuer, which the IAS trusts
		// for the jwt-bearer grant of client FAKESAP_IAS_CLIENT_ID when a
		// token's aud is FAKESAP_JOB_AUDIENCE; the UAA trusts the IAS.
		"FAKESAP_ISSUER_URL":             l.Issuer.URL,
		"FAKESAP_ID_TOKEN_REQUEST_URL":   l.Issuer.RequestURL(),
		"FAKESAP_ID_TOKEN_REQUEST_TOKEN": l.Issuer.RequestToken(),
		"FAKESAP_MINT_URL":               "http://" + control.Addr + "/mint",
		"FAKESAP_IAS_TOKEN_URL":          l.IAS.TokenURL(),
		"FAKESAP_IAS_CLIENT_ID":          saptest.LandscapeIASClientID,
		"FAKESAP_IAS_CLIENT_SECRET":      l.IASClientSecret,
		// An IAS application with no secret: the job's token is its
		// credential (client-auth id-token) for either subject.
		"FAKESAP_IAS_JOB_CLIENT_ID": saptest.LandscapeIASJobClientID,
		"FAKESAP_JOB_AUDIENCE":      saptest.LandscapeJobAudience,
		"FAKESAP_GITHUB_SUBJECT":    saptest.GitHubSubject,
		"FAKESAP_GITLAB_SUBJECT":    saptest.GitLabSubject,
	}
	if err := writeEnv(filepath.Join(dir, "fakesap.env"), env); err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(env); err != nil {
		return fmt.Errorf("failed to print the URLs: %w", err)
	}
	fmt.Fprintf(os.Stderr, "fakesap: IAS %s, OIDC issuer %s, UAA %s, CPI %s, cockpit UAA %s, cockpit %s, control http://%s; serving until killed\n",
		l.IAS.URL, l.Issuer.URL, l.UAA.URL, l.CPI.URL, l.CockpitUAA.URL, l.Cockpit.URL, control.Addr)

	<-ctx.Done()
	// Said out loud: a test that finds the fakes gone can tell a signal
	// (this line) from a kill -9 or a crash (no line).
	fmt.Fprintf(os.Stderr, "fakesap: stopping: %v\n", context.Cause(ctx))
	return nil
}

// compact returns the JSON text on one line.
func compact(s string) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic(err) // the landscape's keys are valid JSON
	}
	return b.Bytes()
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

// serveControl serves on 127.0.0.1:
//
//	GET /issued  {"passcodes":["…"],"tokens":["…"]}
//	GET /mint?style=gitlab|github&audience=<aud>  a fresh job ID token, text/plain
//
// tokens holds every token issued so far: the access and refresh tokens of
// the two UAAs, the IAS's access, ID and refresh tokens, and every job ID
// token of the OIDC issuer (from its token service and from /mint).
func serveControl(l *saptest.Landscape) (*control, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("failed to listen on 127.0.0.1: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /issued", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string][]string{
			"passcodes": nonNil(l.IAS.Passcodes()),
			"tokens":    nonNil(slices.Concat(l.UAA.Tokens(), l.CockpitUAA.Tokens(), l.IAS.Tokens(), l.Issuer.Tokens())),
		})
	})
	mux.HandleFunc("GET /mint", func(w http.ResponseWriter, r *http.Request) {
		aud := r.URL.Query().Get("audience")
		var token string
		switch r.URL.Query().Get("style") {
		case "gitlab":
			if aud == "" {
				// GitLab refuses an id_tokens entry without aud.
				http.Error(w, "audience is required for style=gitlab", http.StatusBadRequest)
				return
			}
			token = l.Issuer.MintGitLab(aud)
		case "github":
			token = l.Issuer.MintGitHub(aud)
		default:
			http.Error(w, "style must be gitlab or github", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = fmt.Fprint(w, token)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "fakesap: control server:", err)
		}
	}()
	return &control{Addr: ln.Addr().String(), srv: srv}, nil
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
