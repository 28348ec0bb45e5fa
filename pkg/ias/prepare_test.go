package ias

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// flowSettings are the settings of an ias-passcode run as config.Load
// leaves them for the landscape's tenant and its user's PKCS#12 file; set
// changes them.
func flowSettings(l *saptest.Landscape, set func(s *config.Settings)) *config.Settings {
	s := &config.Settings{
		Flow:                Flow.Name,
		IASTenant:           l.IAS.URL,
		Certificate:         config.Material{Input: "certificate-file", Data: l.ClientP12},
		CertificatePassword: l.ClientP12Password,
		Timeout:             10 * time.Second,
		ClientAuth:          "body",
		Output:              "text",
	}
	if set != nil {
		set(s)
	}
	return s
}

// issueUser mints a certificate for the landscape's IAS user with opts, as
// PEM input.
func issueUser(t *testing.T, l *saptest.Landscape, opts ...saptest.ClientOption) config.Material {
	t.Helper()
	c, err := l.PKI.IssueClient(saptest.LandscapeIASUser, append([]saptest.ClientOption{saptest.WithECKey()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return config.Material{Input: "certificate", Data: c.PEM()}
}

// TestFlowPrepareRefuses: each input problem is an input error naming the
// input, before a client is built or anything is sent.
func TestFlowPrepareRefuses(t *testing.T) {
	t.Parallel()
	const wrongPassword = "not-the-p12-password"
	cases := []struct {
		name      string
		set       func(t *testing.T, l *saptest.Landscape, s *config.Settings)
		wantInput string
		want      string
	}{
		{
			name:      "missing ias-tenant",
			set:       func(_ *testing.T, _ *saptest.Landscape, s *config.Settings) { s.IASTenant = "" },
			wantInput: "ias-tenant", want: "missing",
		},
		{
			name: "a tenant over http",
			set: func(_ *testing.T, l *saptest.Landscape, s *config.Settings) {
				s.IASTenant = strings.Replace(l.IAS.URL, "https://", "http://", 1)
			},
			wantInput: "ias-tenant", want: "http:// is not allowed",
		},
		{
			name:      "a tenant that is no host",
			set:       func(_ *testing.T, _ *saptest.Landscape, s *config.Settings) { s.IASTenant = "my tenant" },
			wantInput: "ias-tenant", want: "neither a tenant id",
		},
		{
			name: "missing certificate",
			set: func(_ *testing.T, _ *saptest.Landscape, s *config.Settings) {
				s.Certificate, s.CertificatePassword = config.Material{}, ""
			},
			wantInput: "certificate", want: "missing",
		},
		{
			name: "wrong certificate password",
			set: func(_ *testing.T, _ *saptest.Landscape, s *config.Settings) {
				s.CertificatePassword = wrongPassword
			},
			wantInput: "certificate-password", want: "does not open the PKCS#12 certificate",
		},
		{
			name: "data that is no certificate",
			set: func(_ *testing.T, _ *saptest.Landscape, s *config.Settings) {
				s.Certificate = config.Material{Input: "certificate", Data: []byte("Qx7hZr9Wm2kTp4vLs8Nd")}
			},
			wantInput: "certificate", want: "give a PKCS#12 file",
		},
		{
			name: "an expired certificate",
			set: func(t *testing.T, l *saptest.Landscape, s *config.Settings) {
				s.Certificate = issueUser(t, l, saptest.ValidBetween(time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)))
			},
			wantInput: "certificate", want: "expired at",
		},
		{
			name: "a certificate not valid yet",
			set: func(t *testing.T, l *saptest.Landscape, s *config.Settings) {
				s.Certificate = issueUser(t, l, saptest.ValidBetween(time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour)))
			},
			wantInput: "certificate", want: "not valid before",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(l, nil)
			tc.set(t, l, s)
			rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, s.Timeout)
			run, err := Flow.Prepare(s, rec.Env)
			if run != nil {
				t.Error("got a run, want none")
			}
			flowtest.CheckInputError(t, err, tc.wantInput, append(l.Secrets(), wrongPassword, string(s.Certificate.Data)))
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", err, tc.want)
			}
			if got := rec.Clients(); got != 0 {
				t.Errorf("got %d clients asked for, want 0", got)
			}
			if got := l.IAS.Count(""); got != 0 {
				t.Errorf("IAS got %d requests, want 0", got)
			}
			saptest.CheckNoLeaks(t, append(l.Secrets(), wrongPassword), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}

// TestFlowPrepareAndRun prepares the flow with a certificate in each form
// a user gives it, then runs it against the fake tenant: one client, one
// request, a passcode the tenant issued with its lifetime, and no secret
// in anything the flow reported.
func TestFlowPrepareAndRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		set         func(t *testing.T, l *saptest.Landscape, s *config.Settings)
		wantWarning string
	}{
		{name: "PKCS#12 file with its password"},
		{
			name: "PEM text",
			set: func(_ *testing.T, l *saptest.Landscape, s *config.Settings) {
				s.Certificate, s.CertificatePassword = config.Material{Input: "certificate", Data: l.Client.PEM()}, ""
			},
		},
		{
			name: "the tenant's passcode URL pasted",
			set: func(_ *testing.T, l *saptest.Landscape, s *config.Settings) {
				s.IASTenant = l.IAS.PasscodeURL()
			},
		},
		{
			name: "a certificate close to expiry",
			set: func(t *testing.T, l *saptest.Landscape, s *config.Settings) {
				s.Certificate = issueUser(t, l, saptest.ValidBetween(time.Now().Add(-time.Hour), time.Now().Add(72*time.Hour)))
			},
			wantWarning: "generate a new one soon",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(l, nil)
			if tc.set != nil {
				tc.set(t, l, s)
			}
			now := time.Now()
			rec := flowtest.New(t, l.PKI.RootPool(), now, s.Timeout)
			run, err := Flow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if got, want := rec.Described(), []string{"passcode URL: " + l.IAS.PasscodeURL()}; !slices.Equal(got, want) {
				t.Errorf("got described %q, want %q", got, want)
			}
			if got := rec.Infos(); len(got) != 1 || !strings.HasPrefix(got[0], "certificate: subject ") || !strings.Contains(got[0], saptest.LandscapeIASUser) {
				t.Errorf("got infos %q, want one certificate line for %q", got, saptest.LandscapeIASUser)
			}
			if got, want := rec.Clients(), 1; got != want {
				t.Errorf("got %d clients asked for, want %d", got, want)
			}
			if got := l.IAS.Count(""); got != 0 {
				t.Errorf("IAS got %d requests during Prepare, want 0", got)
			}
			warnings := rec.Warnings()
			switch {
			case tc.wantWarning == "" && len(warnings) != 0:
				t.Errorf("got warnings %q, want none", warnings)
			case tc.wantWarning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tc.wantWarning)):
				t.Errorf("got warnings %q, want one with %q", warnings, tc.wantWarning)
			}

			ctx, cancel := context.WithTimeout(t.Context(), s.Timeout)
			defer cancel()
			res, err := run(ctx)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			passcode := res.Values[config.OutPasscode]
			if issued := l.IAS.Passcodes(); len(issued) != 1 || passcode != issued[0] {
				t.Errorf("got passcode %q, want the one the tenant issued (it issued %d)", passcode, len(issued))
			}
			for name := range res.Values {
				if !slices.Contains(Flow.Outputs, name) {
					t.Errorf("got output %s, which the flow does not declare", name)
				}
			}
			if got, want := res.Lifetime, defaultLifetime; got != want {
				t.Errorf("got lifetime %v, want %v", got, want)
			}
			if !res.Issued.Equal(now) {
				t.Errorf("got issued %v, want the clock's %v", res.Issued, now)
			}
			if got, want := l.IAS.Count(saptest.PasscodePath), 1; got != want {
				t.Errorf("IAS got %d passcode requests, want %d", got, want)
			}
			if got, want := rec.Clients(), 1; got != want {
				t.Errorf("got %d clients asked for after the run, want %d", got, want)
			}
			saptest.CheckNoLeaks(t, append(l.Secrets(), string(s.Certificate.Data)), map[string][]byte{"log": []byte(rec.Log())}, nil)
		})
	}
}
