package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/app"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestGoldenAzure runs the CLI as an Azure Pipelines script step does
// (TF_BUILD=True) and keeps in testdata/golden/<case>.golden its stdout, its
// stderr (the logging commands, as the agent receives them) and what the
// agent makes of them (saptest.ReadVsoLog: masks, variables, issues, and
// the log with the masks applied).
func TestGoldenAzure(t *testing.T) {
	t.Parallel()
	p := saptest.MustPKI(t)
	iasServer := saptest.MustIAS(t, p)
	iasServer.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"passcode":"` + goldenPasscode + `","expires_in":300}`})
	uaa := saptest.MustUAA(t, p, saptest.UAAConfig{})
	uaa.SetFault(saptest.Fault{Status: 200, ContentType: "application/json",
		Body: `{"access_token":"` + goldenToken + `","token_type":"bearer","expires_in":43199,"scope":"it!b5678.MonitorDataRead"}`})
	refusing := saptest.MustUAA(t, p, saptest.UAAConfig{})
	refusing.SetFault(saptest.Fault{Status: 401, ContentType: "application/json",
		Body: `{"error":"invalid_client","error_description":"Bad credentials]; ##vso[task.setvariable variable=PATH]/tmp/evil"}`})
	user := saptest.MustClient(t, p, "technical-user", saptest.WithECKey(),
		saptest.ValidBetween(goldenNow.AddDate(-1, 0, 0), goldenNow.AddDate(1, 0, 0)))
	dir := t.TempDir()
	p12 := filepath.Join(dir, "cert.p12")
	if err := user.WritePKCS12(p12, saptest.P12Modern, "golden-p12-password"); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, p.RootPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	key := func(tokenURL string) string {
		return `{"clientid":"sb-golden!b1|it!b2","clientsecret":"golden;client]secret%","url":"https://sub.it-cpi018.cfapps.eu10.hana.ondemand.com","tokenurl":"` + tokenURL + `"}`
	}
	azure := func(in map[string]string) map[string]string {
		env := map[string]string{"TF_BUILD": "True", "SAP_CI_AUTH_CA_CERTIFICATES": caFile, "SAP_CI_AUTH_CLIENT_AUTH": "body"}
		for k, v := range in {
			env[k] = v
		}
		return env
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{name: "ias-passcode-azure", args: []string{"ias-passcode", "--ias-tenant", iasServer.URL, "--certificate-file", p12},
			env: azure(map[string]string{"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "golden-p12-password"})},
		{name: "client-credentials-azure", args: []string{"client-credentials"},
			env: azure(map[string]string{"SAP_CI_AUTH_SERVICE_KEY": key(uaa.TokenURL())})},
		{name: "client-credentials-401-azure", args: []string{"client-credentials"},
			env: azure(map[string]string{"SAP_CI_AUTH_SERVICE_KEY": key(refusing.TokenURL())})},
		{name: "missing-input-azure", args: []string{"ias-passcode", "--certificate-file", p12},
			env: azure(map[string]string{"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "golden-p12-password"})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			m := &app.Main{Stdout: &stdout, Stderr: &stderr, Args: tc.args, Now: func() time.Time { return goldenNow },
				Getenv: func(k string) string { return tc.env[k] }}
			code := m.Run(context.Background())
			got := "exit code: " + strconv.Itoa(code) + "\n--- stdout\n" + stdout.String() + "--- stderr\n" + stderr.String() +
				"--- as the agent reads stderr\n" + agentView(stderr.String())
			got = normalize(got, map[string]string{iasServer.URL: "https://IAS", uaa.URL: "https://UAA", refusing.URL: "https://UAA"})
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), got)
		})
	}
}

// agentView prints what the agent makes of a step's output.
func agentView(out string) string {
	l := saptest.ReadVsoLog(out, true)
	var b strings.Builder
	fmt.Fprintf(&b, "masks: %d, all before any other line: %t\n", len(l.Secrets), l.LastSecret < l.FirstOther || l.FirstOther < 0)
	names := make([]string, 0, len(l.Variables))
	for n := range l.Variables {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		v := l.Variables[n]
		fmt.Fprintf(&b, "variable %s = %s (secret %t, output %t)\n", n, l.Mask(v.Value), v.Secret, v.Output)
	}
	for _, i := range l.Issues {
		fmt.Fprintf(&b, "%s: %s\n", i.Type, i.Message)
	}
	for _, line := range l.Lines {
		fmt.Fprintf(&b, "log: %s\n", line)
	}
	return b.String()
}
