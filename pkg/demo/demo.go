// Package demo is `sap-ci-auth demo`: it starts the fake SAP landscape of
// pkg/saptest on 127.0.0.1 and runs every flow against it through the same
// entry point a real run takes (app.Main), with the same settings loading,
// TLS verification (the fakes' CA is passed with the ca-certificates input,
// as a user with a private CA would), masking and outputs.
//
// It lives apart from pkg/app, like a storybook beside the product: pkg/app
// and the flow packages never import pkg/saptest or net/http/httptest (a test
// in this package checks the import graph), so no real run can reach a fake.
// Only main.go dispatches here, for the command-line argument "demo"; a flow
// input or variable named "demo" is an unknown flow, never the demo.
package demo

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

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// Exit codes, as README's table gives them.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// Run runs the demo and returns the process exit code: 0 when every step
// passed, 1 when one failed or the fakes could not start, 2 when args (what
// followed "demo" on the command line) is not empty.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "sap-ci-auth: demo takes no arguments; run: sap-ci-auth demo")
		return exitUsage
	}
	l, err := saptest.NewLandscape()
	if err != nil {
		fmt.Fprintf(stderr, "sap-ci-auth: demo: %v\n", err)
		return exitFailed
	}
	defer l.Close()
	return run(ctx, l, stdout, stderr, time.Now)
}

// demo is one run against a landscape.
type demo struct {
	l   *saptest.Landscape
	out io.Writer
	now func() time.Time
	dir string
	// caFile and p12File are the landscape's root CA and the IAS user's
	// PKCS#12, written where a workflow would have them.
	caFile, p12File string
}

// run runs every step against l, printing to out.
func run(ctx context.Context, l *saptest.Landscape, out, stderr io.Writer, now func() time.Time) int {
	d := &demo{l: l, out: out, now: now}
	var err error
	if d.dir, err = os.MkdirTemp("", "sap-ci-auth-demo-"); err != nil {
		fmt.Fprintf(stderr, "sap-ci-auth: demo: failed to create a work directory: %v\n", err)
		return exitFailed
	}
	defer os.RemoveAll(d.dir)
	d.p12File = filepath.Join(d.dir, "cert.p12")
	d.caFile = filepath.Join(d.dir, "demo-ca.pem")
	for name, data := range map[string][]byte{d.p12File: l.ClientP12, d.caFile: l.PKI.RootPEM()} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			fmt.Fprintf(stderr, "sap-ci-auth: demo: failed to write %s: %v\n", filepath.Base(name), err)
			return exitFailed
		}
	}

	fmt.Fprintf(out, `sap-ci-auth demo: every flow against FAKE SAP endpoints on 127.0.0.1 (pkg/saptest).
Nothing here talks to SAP. Secrets are shown as *** as the GitHub log would show them.
  fake IAS tenant             %s  (mutual TLS; trusts the demo client CA)
  fake XSUAA                  %s
  fake Cloud Integration API  %s
  fake HANA cockpit UAA       %s/uaa-security
  fake HANA cockpit API       %s
`, l.IAS.URL, l.UAA.URL, l.CPI.URL, l.CockpitUAA.URL, l.Cockpit.URL)
	steps := []func(context.Context) error{d.passcode, d.clientCredentials, d.password, d.shell, d.secretless, d.azure}
	failed := 0
	for _, step := range steps {
		if err := step(ctx); err != nil {
			fmt.Fprintf(out, "  FAILED: %v\n", err)
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(out, "\ndemo: %d of %d steps failed\n", failed, len(steps))
		return exitFailed
	}
	fmt.Fprintf(out, "\ndemo: all %d steps passed. Point the inputs at your tenant to do this for real (see README.md).\n", len(steps))
	return exitOK
}

// step runs the program as the GitHub runner would for a step with the
// given inputs, prints the step's log with masked values hidden, and returns
// the outputs.
func (d *demo) step(ctx context.Context, title string, inputs map[string]string) (map[string]string, error) {
	return d.stepEnv(ctx, title, inputs, nil)
}

// stepEnv is step with more variables in the step's environment, as the
// runner sets ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN for a job with
// `permissions: id-token: write`.
func (d *demo) stepEnv(ctx context.Context, title string, inputs, extra map[string]string) (map[string]string, error) {
	fmt.Fprintf(d.out, "\n== %s\n", title)
	outFile, summaryFile := filepath.Join(d.dir, "set_output"), filepath.Join(d.dir, "step_summary")
	_ = os.Remove(outFile)
	_ = os.Remove(summaryFile)
	env := map[string]string{"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": summaryFile,
		"INPUT_TIMEOUT": "30s"}
	for k, v := range extra {
		env[k] = v
	}
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
		case k == "assertion":
			v = "${{ steps.ias.outputs.id-token }}"
		case k == "service-key":
			v = "${{ secrets.… }}  # the key JSON, pasted as the CLI printed it"
		case k == "ca-certificates":
			v += "  # the fakes' CA: a private CA is added, verification stays on"
		}
		fmt.Fprintf(d.out, "    %s: %s\n", k, v)
	}
	var log bytes.Buffer
	child := &app.Main{Stdout: &log, Stderr: &log, Getenv: func(k string) string { return env[k] }, Now: d.now}
	code := child.Run(ctx)
	masks := maskedValues(log.String())
	fmt.Fprintln(d.out, "  step log (the runner hides each ::add-mask:: value from then on):")
	maskLines := 0
	for line := range strings.SplitSeq(strings.TrimRight(log.String(), "\n"), "\n") {
		if strings.HasPrefix(line, "::add-mask::") {
			maskLines++
			continue
		}
		fmt.Fprintf(d.out, "    %s\n", hide(line, masks))
	}
	fmt.Fprintf(d.out, "    (and %d ::add-mask:: lines: every secret, and the encodings a server might echo, announced before use)\n", maskLines)
	if md, err := os.ReadFile(summaryFile); err == nil && len(md) > 0 {
		fmt.Fprintln(d.out, "  job summary (the Markdown appended to GITHUB_STEP_SUMMARY):")
		for line := range strings.SplitSeq(strings.TrimRight(string(md), "\n"), "\n") {
			fmt.Fprintf(d.out, "    %s\n", hide(line, masks))
		}
	}
	if code != exitOK {
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
		"flow": "ias-passcode", "ias-tenant": d.l.IAS.URL, "certificate-file": d.p12File,
		"certificate-password": d.l.ClientP12Password, "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	if issued := d.l.IAS.Passcodes(); len(issued) == 0 || issued[len(issued)-1] != outs["passcode"] {
		return errors.New("the passcode output is not the one the fake tenant issued")
	}
	host := strings.TrimPrefix(d.l.IAS.URL, "https://")
	const user = "technical-user@example.com"
	fmt.Fprintf(d.out, "  a later step would run:\n"+
		"    btp login --url https://cli.btp.cloud.sap --subdomain my-global-account --idp %s --user %s --password ***\n"+
		"    cf login -a https://api.cf.eu10.hana.ondemand.com -u %s -p *** --origin my-ias-origin\n", host, user, user)
	return nil
}

func (d *demo) clientCredentials(ctx context.Context) error {
	// cf CLI v8 prints the key under "credentials".
	key := "Getting key demo-key for service instance cpi-api as demo@example.com...\n\n{\n\"credentials\": " + d.l.CPIKey + "\n}\n"
	outs, err := d.step(ctx, "2. client-credentials: a Cloud Integration API token from a `cf service-key` (cf CLI v8) output", map[string]string{
		"flow": "client-credentials", "service-key": key, "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	return d.callAPI(ctx, d.l.CPI.URL, saptest.MessageProcessingLogsPath+"?$top=1", outs["authorization"])
}

func (d *demo) password(ctx context.Context) error {
	outs, err := d.step(ctx, "3. password: a HANA cockpit token from `xs service-key cockpit-uaa` output, header and OK included", map[string]string{
		"flow": "password", "service-key": d.l.CockpitKey, "username": saptest.LandscapeCockpitUser,
		"password": d.l.CockpitPassword, "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	return d.callAPI(ctx, d.l.Cockpit.URL, saptest.RegisteredResourcesPath, outs["authorization"])
}

// shell shows the same binary in a plain shell: the token alone on stdout.
func (d *demo) shell(ctx context.Context) error {
	fmt.Fprintf(d.out, "\n== 4. the same binary in a shell or GitLab job: TOKEN=$(sap-ci-auth client-credentials)\n")
	var stdout, stderr bytes.Buffer
	env := map[string]string{
		"SAP_CI_AUTH_TOKEN_URL": d.l.UAA.TokenURL(), "SAP_CI_AUTH_CLIENT_ID": saptest.LandscapeCPIClientID,
		"SAP_CI_AUTH_CLIENT_SECRET": d.l.CPIClientSecret, "SAP_CI_AUTH_CA_CERTIFICATES": d.caFile,
	}
	child := &app.Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Args: []string{"client-credentials"}, Now: d.now}
	if code := child.Run(ctx); code != exitOK {
		return fmt.Errorf("exit %d: %s", code, strings.TrimSpace(stderr.String()))
	}
	token := strings.TrimSuffix(stdout.String(), "\n")
	fmt.Fprintf(d.out, "  stdout: one line, the access token (%d characters); stderr: %d bytes\n", len(token), stderr.Len())
	return d.callAPI(ctx, d.l.CPI.URL, saptest.MessageProcessingLogsPath+"?$top=1", "Bearer "+token)
}

// azure runs the binary as an Azure Pipelines script step does (TF_BUILD=True):
// logging commands on stderr, every secret registered with
// ##vso[task.setsecret] first, the outputs as pipeline variables, the value
// alone on stdout for $(…).
func (d *demo) azure(ctx context.Context) error {
	fmt.Fprintf(d.out, "\n== 6. Azure Pipelines: a script step (TF_BUILD=True) runs sap-ci-auth client-credentials\n")
	var stdout, stderr bytes.Buffer
	env := map[string]string{
		"TF_BUILD": "True", "SAP_CI_AUTH_SERVICE_KEY": d.l.CPIKey, "SAP_CI_AUTH_CA_CERTIFICATES": d.caFile,
	}
	child := &app.Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Args: []string{"client-credentials"}, Now: d.now}
	code := child.Run(ctx)
	log := saptest.ReadVsoLog(stderr.String(), true)
	fmt.Fprintln(d.out, "  step log (the agent hides each ##vso[task.setsecret] value from then on):")
	setsecret := 0
	for line := range strings.SplitSeq(strings.TrimRight(stderr.String(), "\n"), "\n") {
		if strings.Contains(line, "##vso[task.setsecret]") {
			setsecret++
			continue
		}
		fmt.Fprintf(d.out, "    %s\n", log.Mask(line))
	}
	fmt.Fprintf(d.out, "    (and %d ##vso[task.setsecret] lines, first: every secret and the encodings a server might echo)\n", setsecret)
	if code != exitOK {
		return fmt.Errorf("the step exited %d", code)
	}
	names := make([]string, 0, len(log.Variables))
	for name := range log.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(d.out, "  output variables, as the agent reads them (later steps: $(<step>.<NAME>)):")
	for _, name := range names {
		v := log.Variables[name]
		fmt.Fprintf(d.out, "    %s = %s (secret: %v)\n", name, log.Mask(v.Value), v.Secret)
	}
	token := strings.TrimSuffix(stdout.String(), "\n")
	if got := log.Variables["ACCESS_TOKEN"]; !got.Secret || got.Value != token {
		return errors.New("the ACCESS_TOKEN variable is not the secret token printed on stdout")
	}
	fmt.Fprintf(d.out, "  stdout (for $(…)): %s\n", log.Mask(token))
	return d.callAPI(ctx, d.l.CPI.URL, saptest.MessageProcessingLogsPath+"?$top=1", "Bearer "+token)
}

// secretless runs the chain that needs no stored secret of the user: the
// job's own ID token (GitHub's token service), exchanged at IAS with the
// jwt-bearer grant, whose id_token is exchanged at XSUAA for a Cloud
// Integration user token.
func (d *demo) secretless(ctx context.Context) error {
	runner := map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   d.l.Issuer.RequestURL(),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": d.l.Issuer.RequestToken(),
	}
	fmt.Fprintf(d.out, "\n== 5. secretless: the job's own OIDC ID token (permissions: id-token: write) instead of a stored certificate or password\n"+
		"  fake CI OIDC issuer         %s  (GitHub-style token service; IAS trusts it as a corporate OpenID Connect provider)\n", d.l.Issuer.URL)
	if _, err := d.stepEnv(ctx, "5a. oidc: the job's ID token and what IAS must trust", map[string]string{
		"flow": "oidc", "audience": saptest.LandscapeJobAudience, "ca-certificates": d.caFile,
	}, runner); err != nil {
		return err
	}
	ias, err := d.stepEnv(ctx, "5b. jwt-bearer at IAS: the job's ID token for an IAS token", map[string]string{
		"flow": "jwt-bearer", "ias-tenant": d.l.IAS.URL, "client-id": saptest.LandscapeIASClientID,
		"client-secret": d.l.IASClientSecret, "audience": saptest.LandscapeJobAudience, "ca-certificates": d.caFile,
	}, runner)
	if err != nil {
		return err
	}
	xsuaa, err := d.step(ctx, "5c. jwt-bearer at XSUAA: the IAS id_token for a Cloud Integration user token", map[string]string{
		"flow": "jwt-bearer", "token-url": d.l.UAA.TokenURL(), "client-id": saptest.LandscapeCPIClientID,
		"client-secret": d.l.CPIClientSecret, "assertion": ias["id-token"], "ca-certificates": d.caFile,
	})
	if err != nil {
		return err
	}
	if err := d.callAPI(ctx, d.l.CPI.URL, saptest.MessageProcessingLogsPath+"?$top=1", xsuaa["authorization"]); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "  hand-off to the CLIs without argv where they allow it (export-env on step 5a or 5b: BTP_ASSERTION=id-token CF_ASSERTION=id-token):\n"+
		"    terraform apply                                    # the btp provider reads BTP_ASSERTION\n"+
		"    cf auth --assertion \"$CF_ASSERTION\" --origin my-ias-origin   # cf CLI >= 8.12 takes it only as an argument\n")
	return d.noSecret(ctx, runner)
}

// noSecret runs the chain that stores no secret at all: the job's ID token
// is both the jwt-bearer assertion and the IAS application's credential
// (client-auth id-token, RFC 7523 §2.2), and the IAS token is used at once.
func (d *demo) noSecret(ctx context.Context, runner map[string]string) error {
	ias, err := d.stepEnv(ctx, "5d. zero stored secrets: jwt-bearer at IAS with client-auth: id-token (the job's ID token is the assertion and the client's credential)", map[string]string{
		"flow": "jwt-bearer", "ias-tenant": d.l.IAS.URL, "client-id": saptest.LandscapeIASJobClientID, "client-auth": "id-token",
		"verify-url": d.l.IAS.UserInfoURL(), "ca-certificates": d.caFile,
	}, runner)
	if err != nil {
		return err
	}
	u, err := url.Parse(d.l.IAS.UserInfoURL())
	if err != nil {
		return fmt.Errorf("failed to parse the userinfo URL: %w", err)
	}
	return d.callAPI(ctx, d.l.IAS.URL, u.Path, ias["authorization"])
}

// callAPI uses a token as a later workflow step would (curl with the CA),
// against a fake API.
func (d *demo) callAPI(ctx context.Context, base, path, authorization string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return fmt.Errorf("failed to build the API request: %w", err)
	}
	req.Header.Set("Authorization", authorization)
	req.Header.Set("Accept", "application/json")
	resp, err := d.l.PKI.HTTPClient(nil).Do(req)
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
			Results []struct {
				MessageGUID string `json:"MessageGuid"`
				Status      string `json:"Status"`
			} `json:"results"`
		} `json:"d"`
		Result  []struct{ ResourceName string } `json:"result"`
		Subject string                          `json:"sub"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "not JSON"
	}
	switch {
	case len(v.D.Results) > 0:
		return fmt.Sprintf("latest message %s is %s", v.D.Results[0].MessageGUID, v.D.Results[0].Status)
	case len(v.Result) > 0:
		return fmt.Sprintf("registered resource %s", v.Result[0].ResourceName)
	case v.Subject != "":
		return fmt.Sprintf("IAS user %s", v.Subject)
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
