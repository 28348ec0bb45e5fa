package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// poison is what an input a flow does not declare is set to: a value that
// changes what the flow does if it reads the input anyway (a URL nobody
// serves, data that is no certificate, key or JWT, the other client-auth
// style).
func poison(name string) string {
	switch name {
	case "client-auth":
		return "basic"
	case "token-url", "verify-url", "ias-tenant":
		return "https://poison.invalid/" + name
	}
	return "poison-" + name
}

// TestFlowsReadOnlyTheirInputs runs every flow's Prepare and Run twice:
// with only the inputs of the case, and with every input the flow does not
// declare in its Inputs (nor is common to every flow) poisoned. The two
// must not differ: a flow that reads an input it does not declare would
// earn no "not used by the flow" warning for it, and its --help would not
// name it. The cases reach each flow's success path and its first checks.
func TestFlowsReadOnlyTheirInputs(t *testing.T) {
	t.Parallel()
	l := saptest.MustLandscape(t)
	runner := map[string]string{config.EnvIDTokenRequestURL: l.Issuer.RequestURL(), config.EnvIDTokenRequestToken: l.Issuer.RequestToken()}
	cases := []struct {
		name   string
		inputs map[string]string
		runner bool
	}{
		{"ias-passcode", map[string]string{"ias-tenant": l.IAS.URL, "certificate": string(l.Client.PEM())}, false},
		{"ias-passcode", map[string]string{"ias-tenant": l.IAS.URL}, false},
		{"ias-passcode", map[string]string{}, false},
		{"client-credentials", map[string]string{"service-key": l.CPIKey, "required-scopes": saptest.LandscapeCPIScope}, false},
		{"client-credentials", map[string]string{"service-key": l.CPIX509Key}, false},
		{"client-credentials", map[string]string{"token-url": l.UAA.TokenURL()}, false},
		{"client-credentials", map[string]string{}, false},
		{"password", map[string]string{"service-key": l.CockpitKey, "username": saptest.LandscapeCockpitUser, "password": l.CockpitPassword}, false},
		{"password", map[string]string{"service-key": l.CPIKey, "username": saptest.LandscapeOriginUser, "password": l.OriginUserPassword, "origin": saptest.LandscapeOrigin}, false},
		{"password", map[string]string{"service-key": l.CockpitKey}, false},
		{"oidc", map[string]string{"audience": saptest.LandscapeJobAudience}, true},
		{"oidc", map[string]string{"id-token": l.Issuer.MintGitLab(saptest.LandscapeJobAudience)}, false},
		{"oidc", map[string]string{}, false},
		{"jwt-bearer", map[string]string{"ias-tenant": l.IAS.URL, "client-id": saptest.LandscapeIASClientID,
			"client-secret": l.IASClientSecret, "audience": saptest.LandscapeJobAudience}, true},
		{"jwt-bearer", map[string]string{"ias-tenant": l.IAS.URL, "client-id": saptest.LandscapeIASClientID, "client-secret": l.IASClientSecret,
			"assertion": l.Issuer.MintGitHub(saptest.LandscapeJobAudience)}, false},
		{"jwt-bearer", map[string]string{"ias-tenant": l.IAS.URL, "client-id": saptest.LandscapeIASClientID}, true},
	}
	seen := map[string]bool{}
	for i, tc := range cases {
		seen[tc.name] = true
		t.Run(fmt.Sprintf("%s/%d", tc.name, i), func(t *testing.T) {
			t.Parallel()
			f := registry[slices.IndexFunc(registry, func(f flow.Flow) bool { return f.Name == tc.name })]
			env := map[string]string{"flow": tc.name}
			maps.Copy(env, tc.inputs)
			if tc.runner {
				maps.Copy(env, runner)
			}
			clean := runPrepared(t, l, f, env)
			var poisoned []string
			for _, in := range config.Inputs {
				twin := slices.ContainsFunc(config.Inputs, func(o config.Input) bool { return o.File == in.Name })
				if twin || slices.Contains(commonInputs, in.Name) || slices.Contains(f.Inputs, in.Name) {
					continue
				}
				if _, ok := env[in.Name]; ok {
					t.Fatalf("the case gives %s, which the %s flow does not declare", in.Name, f.Name)
				}
				env[in.Name] = poison(in.Name)
				poisoned = append(poisoned, in.Name)
			}
			if len(poisoned) == 0 {
				t.Fatal("nothing to poison: the test would prove nothing")
			}
			if dirty := runPrepared(t, l, f, env); dirty != clean {
				t.Errorf("with %s poisoned, the %s flow did something else: it reads an input its Inputs do not name\nclean:    %s\npoisoned: %s",
					strings.Join(poisoned, ", "), f.Name, clean, dirty)
			}
		})
	}
	for _, f := range registry {
		if !seen[f.Name] {
			t.Errorf("no case for the %s flow", f.Name)
		}
	}
}

// runPrepared loads env (input names, and ACTIONS_* variables) as a shell
// run would, runs the flow's Prepare and, when it succeeds, its Run, and
// returns what they did, without what differs from run to run (tokens,
// passcodes, times).
func runPrepared(t *testing.T, l *saptest.Landscape, f flow.Flow, env map[string]string) string {
	t.Helper()
	vars := map[string]string{}
	for k, v := range env {
		if strings.HasPrefix(k, "ACTIONS_") {
			vars[k] = v
		} else {
			vars[config.ShellEnv(k)] = v
		}
	}
	s, err := config.Load(t.Context(), config.Source{Getenv: func(k string) string { return vars[k] }, Flows: (&Main{}).flowNames()})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, 10*time.Second)
	var b strings.Builder
	run, err := f.Prepare(s, rec.Env)
	fmt.Fprintf(&b, "prepare: %v; described %q; warned %q; %d masks; %d clients", err, rec.Described(), rec.Warnings(), len(rec.Masked()), rec.Clients())
	if err != nil {
		return b.String()
	}
	ctx, cancel := context.WithTimeout(t.Context(), s.Timeout)
	defer cancel()
	res, err := run(ctx)
	fmt.Fprintf(&b, "; run: %v", err)
	if err == nil {
		fmt.Fprintf(&b, ", outputs %q", slices.Sorted(maps.Keys(res.Values)))
	}
	return b.String()
}
