package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// The demo's fake identities. They exist only inside the fakes started by
// runDemo.
const (
	demoUser         = "demo-technical-user"
	demoCertPassword = "demo-p12-password"
	demoCPIClient    = "sb-demo-cpi!b101|it!b202"
	demoCPISecret    = "demo-cpi-client-secret"
	// demoCPIScope is the scope the fake Cloud Integration API wants, in the
	// form third-party code requests (xsappname + Neo-style name).
	demoCPIScope      = "it!b202.IntegrationOperationServer.read"
	demoCockpitClient = "sb-cockpit!i1"
	demoCockpitSecret = "demo-cockpit-client-secret"
	demoCockpitUser   = "COCKPIT_ADMIN"
	demoCockpitPass   = "demo-cockpit-password"
)

// demo holds the fakes and files of one demo run.
type demo struct {
	m   *Main
	out io.Writer
	dir string
	pki *saptest.PKI
	ias *saptest.IAS
	uaa *saptest.UAA // the Cloud Integration tenant's XSUAA
	cpi *saptest.CPI
	// cockpitUAA is the HANA cockpit's own UAA under /uaa-security, whose
	// tokens last 14399 s; cockpit is its API.
	cockpitUAA *saptest.UAA
	cockpit    *saptest.CPI
	caFile     string
	p12File    string
}

// runDemo starts fake SAP endpoints on 127.0.0.1 and runs every flow
// against them through the same code path a real run takes: the same
// settings loading, TLS verification (the fakes' CA is passed with the
// ca-certificates input, as a user with a private CA would), masking and
// outputs. Nothing here changes how a real run behaves.
func (m *Main) runDemo(ctx context.Context) int {
	d, err := m.startDemo()
	if err != nil {
		fmt.Fprintf(m.Stderr, "sap-ci-auth: demo: %v\n", err)
		return ExitRemote
	}
	defer d.close()
	fmt.Fprintf(d.out, `sap-ci-auth demo: every flow against FAKE SAP endpoints on 127.0.0.1 (pkg/saptest).
Nothing here talks to SAP. Secrets are shown as *** as the GitHub log would show them.
  fake IAS tenant             %s  (mutual TLS; trusts the demo client CA)
  fake XSUAA                  %s
  fake Cloud Integration API  %s
  fake HANA cockpit UAA       %s/uaa-security
  fake HANA cockpit API       %s
`, d.ias.URL, d.uaa.URL, d.cpi.URL, d.cockpitUAA.URL, d.cockpit.URL)
	steps := []func(context.Context) error{d.passcode, d.clientCredentials, d.password, d.shell}
	failed := 0
	for _, step := range steps {
		if err := step(ctx); err != nil {
			fmt.Fprintf(d.out, "  FAILED: %v\n", err)
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(d.out, "\ndemo: %d of %d steps failed\n", failed, len(steps))
		return ExitRemote
	}
	fmt.Fprintf(d.out, "\ndemo: all %d steps passed. Point the inputs at your tenant to do this for real (see README.md).\n", len(steps))
	return ExitOK
}

func (m *Main) startDemo() (_ *demo, err error) {
	d := &demo{m: m, out: m.Stdout}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if d.dir, err = os.MkdirTemp("", "sap-ci-auth-demo-"); err != nil {
		return nil, fmt.Errorf("failed to create a work directory: %w", err)
	}
	if d.pki, err = saptest.NewPKI(); err != nil {
		return nil, err
	}
	if d.ias, err = saptest.NewIAS(d.pki); err != nil {
		return nil, err
	}
	d.uaa, err = saptest.NewUAA(d.pki, saptest.UAAConfig{
		Clients: map[string]string{demoCPIClient: demoCPISecret},
		Scopes:  []string{demoCPIScope},
	})
	if err != nil {
		return nil, err
	}
	if d.cpi, err = saptest.NewCPI(d.pki, d.uaa, demoCPIScope); err != nil {
		return nil, err
	}
	d.cockpitUAA, err = saptest.NewUAA(d.pki, saptest.UAAConfig{
		Clients:   map[string]string{demoCockpitClient: demoCockpitSecret},
		Users:     map[string]string{demoCockpitUser: demoCockpitPass},
		ExpiresIn: 14399,
		TokenPath: "/uaa-security/oauth/token",
	})
	if err != nil {
		return nil, err
	}
	if d.cockpit, err = saptest.NewCockpit(d.pki, d.cockpitUAA, ""); err != nil {
		return nil, err
	}
	client, err := d.pki.IssueClient(demoUser, saptest.ViaIntermediate())
	if err != nil {
		return nil, err
	}
	d.p12File = filepath.Join(d.dir, "cert.p12")
	d.caFile = filepath.Join(d.dir, "demo-ca.pem")
	if err := client.WritePKCS12(d.p12File, saptest.P12Modern, demoCertPassword); err != nil {
		return nil, err
	}
	if err := os.WriteFile(d.caFile, d.pki.RootPEM(), 0o600); err != nil {
		return nil, fmt.Errorf("failed to write the demo CA: %w", err)
	}
	return d, nil
}

func (d *demo) close() {
	if d.ias != nil {
		d.ias.Close()
	}
	if d.uaa != nil {
		d.uaa.Close()
	}
	if d.cpi != nil {
		d.cpi.Close()
	}
	if d.cockpitUAA != nil {
		d.cockpitUAA.Close()
	}
	if d.cockpit != nil {
		d.cockpit.Close()
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// step runs the program as the GitHub runner would for a step with the
// given inputs, prints the step's log with masked values hidden, and returns
// the outputs.
func (d *demo) step(ctx context.Context, title string, inputs map[string]string) (map[string]string, error) {
	fmt.Fprintf(d.out, "\n== %s\n", title)
	outFile := filepath.Join(d.dir, "set_output")
	os.Remove(outFile)
	env := map[string]string{"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_OUTPUT": outFile}
	names := make([]string, 0, len(inputs))
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintln(d.out, "  with:")
	for _, k := range names {
		v := inputs[k]
		switch {
		case k == "certificate-password" || k == "client-secret" || k == "password":
			v = "${{ secrets.… }}"
		case k == "service-key":
			v = "${{ secrets.… }}  # the key JSON, pasted as the CLI printed it"
		case k == "ca-certificates":
			v += "  # the fakes' CA: a private CA is added, verification stays on"
		}
		fmt.Fprintf(d.out, "    %s: %s\n", k, v)
	}
	var stdout bytes.Buffer
	child := &Main{Stdout: &stdout, Stderr: &stdout, Getenv: func(k string) string { return env[k] }, Now: d.m.Now}
	code := child.Run(ctx)
	masks := maskedValues(stdout.String())
	fmt.Fprintln(d.out, "  step log (the runner hides each ::add-mask:: value from then on):")
	for line := range strings.SplitSeq(strings.TrimRight(stdout.String(), "\n"), "\n") {
		fmt.Fprintf(d.out, "    %s\n", hide(line, masks))
	}
	if code != ExitOK {
		return nil, fmt.Errorf("the step exited %d", code)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		return nil, fmt.Errorf("failed to read the outputs: %w", err)
	}
	outs := emit.ParseOutputFile(b)
	fmt.Fprintln(d.out, "  outputs:")
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := hide(outs[k], masks)
		if v != outs[k] {
			v += fmt.Sprintf("  (%d characters, masked)", len(outs[k]))
		}
		fmt.Fprintf(d.out, "    %s = %s\n", k, v)
	}
	return outs, nil
}

func (d *demo) passcode(ctx context.Context) error {
	outs, err := d.step(ctx, "1. ias-passcode: an IAS one-time passcode over mutual TLS (PKCS#12 with an intermediate CA)", map[string]string{
		"flow": "ias-passcode", "ias-tenant": d.ias.URL, "certificate-file": d.p12File,
		"certificate-password": demoCertPassword, "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	if issued := d.ias.Passcodes(); len(issued) == 0 || issued[len(issued)-1] != outs["passcode"] {
		return errors.New("the passcode output is not the one the fake tenant issued")
	}
	host := strings.TrimPrefix(d.ias.URL, "https://")
	fmt.Fprintf(d.out, "  a later step would run:\n"+
		"    btp login --url https://cli.btp.cloud.sap --subdomain my-global-account --idp %s --user %s --password ***\n"+
		"    cf login -a https://api.cf.eu10.hana.ondemand.com -u %s -p *** --origin my-ias-origin\n", host, demoUser, demoUser)
	return nil
}

func (d *demo) clientCredentials(ctx context.Context) error {
	key := fmt.Sprintf("Getting key demo-key for service instance cpi-api as demo@example.com...\n\n"+
		"{\n  \"credentials\": {\n    \"oauth\": {\n      \"clientid\": %q,\n      \"clientsecret\": %q,\n"+
		"      \"tokenurl\": %q,\n      \"url\": %q\n    }\n  }\n}\n",
		demoCPIClient, demoCPISecret, d.uaa.TokenURL(), d.cpi.URL)
	outs, err := d.step(ctx, "2. client-credentials: a Cloud Integration API token from a `cf service-key` (cf CLI v8) output", map[string]string{
		"flow": "client-credentials", "service-key": key, "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	return d.callAPI(ctx, d.cpi.URL, saptest.MessageProcessingLogsPath+"?$top=1", outs["authorization"])
}

func (d *demo) password(ctx context.Context) error {
	key := fmt.Sprintf("Getting service key \"demo-cockpit-uaa\" for service instance \"cockpit-uaa\" ...\n\n"+
		"{\n  \"tenantmode\" : \"dedicated\",\n  \"clientid\" : %q,\n  \"xsappname\" : \"cockpit!i1\",\n"+
		"  \"identityzone\" : \"uaa\",\n  \"clientsecret\" : %q,\n  \"url\" : %q\n}\n\nOK\n",
		demoCockpitClient, demoCockpitSecret, d.cockpitUAA.URL+"/uaa-security")
	outs, err := d.step(ctx, "3. password: a HANA cockpit token from `xs service-key cockpit-uaa` output, header and OK included", map[string]string{
		"flow": "password", "service-key": key, "username": demoCockpitUser, "password": demoCockpitPass, "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	return d.callAPI(ctx, d.cockpit.URL, saptest.RegisteredResourcesPath, outs["authorization"])
}

// shell shows the same binary in a plain shell: the token alone on stdout.
func (d *demo) shell(ctx context.Context) error {
	fmt.Fprintf(d.out, "\n== 4. the same binary in a shell or GitLab job: TOKEN=$(sap-ci-auth client-credentials)\n")
	var stdout, stderr bytes.Buffer
	env := map[string]string{
		"SAP_CI_AUTH_TOKEN_URL": d.uaa.TokenURL(), "SAP_CI_AUTH_CLIENT_ID": demoCPIClient,
		"SAP_CI_AUTH_CLIENT_SECRET": demoCPISecret, "SAP_CI_AUTH_CA_CERTIFICATES": d.caFile,
	}
	child := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Args: []string{"client-credentials"}, Now: d.m.Now}
	if code := child.Run(ctx); code != ExitOK {
		return fmt.Errorf("exit %d: %s", code, strings.TrimSpace(stderr.String()))
	}
	token := strings.TrimSuffix(stdout.String(), "\n")
	fmt.Fprintf(d.out, "  stdout: one line, the access token (%d characters); stderr: %d bytes\n", len(token), stderr.Len())
	return d.callAPI(ctx, d.cpi.URL, saptest.MessageProcessingLogsPath+"?$top=1", "Bearer "+token)
}

// callAPI uses a token as a later workflow step would, against a fake API.
func (d *demo) callAPI(ctx context.Context, base, path, authorization string) error {
	hc := transport.New(transport.Options{Timeout: 10 * time.Second, RootCAs: d.pki.RootPool()})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fmt.Errorf("failed to build the API request: %w", err)
	}
	req.Header.Set("Authorization", authorization)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("failed to call the fake API: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	u, _ := url.Parse(path)
	fmt.Fprintf(d.out, "  a later step calls GET %s with the Authorization output: %s, %s\n", u.Path, resp.Status, summary(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the fake API answered %s", resp.Status)
	}
	return nil
}

// summary picks one telling value out of the fake API's answer.
func summary(body []byte) string {
	var v struct {
		D struct {
			Results []struct{ MessageGuid, Status string } `json:"results"`
		} `json:"d"`
		Result []struct{ ResourceName string } `json:"result"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "not JSON"
	}
	switch {
	case len(v.D.Results) > 0:
		return fmt.Sprintf("latest message %s is %s", v.D.Results[0].MessageGuid, v.D.Results[0].Status)
	case len(v.Result) > 0:
		return fmt.Sprintf("registered resource %s", v.Result[0].ResourceName)
	}
	return "empty result"
}

// maskedValues returns the values announced with ::add-mask::.
func maskedValues(log string) []string {
	var masks []string
	for line := range strings.SplitSeq(log, "\n") {
		if v, ok := strings.CutPrefix(line, "::add-mask::"); ok && v != "" {
			masks = append(masks, unescapeCommand(v))
		}
	}
	// Longest first, so a value containing another is hidden whole.
	sort.Slice(masks, func(i, j int) bool { return len(masks[i]) > len(masks[j]) })
	return masks
}

// unescapeCommand reverses the workflow command escaping of values.
func unescapeCommand(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

// hide replaces each masked value with ***, as the runner's log does.
func hide(s string, masks []string) string {
	if rest, ok := strings.CutPrefix(s, "::add-mask::"); ok && rest != "" {
		return "::add-mask::***"
	}
	for _, m := range masks {
		s = strings.ReplaceAll(s, m, "***")
	}
	return s
}
