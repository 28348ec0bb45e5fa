package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var flows = []string{"ias-passcode", "client-credentials", "password"}

// fakeFiles reads "files" from a map, for Source.ReadFile.
func fakeFiles(files map[string]string) func(input, path string) ([]byte, error) {
	return func(input, path string) ([]byte, error) {
		if v, ok := files[path]; ok {
			return []byte(v), nil
		}
		return nil, &InputError{Input: input, Problem: "no such file"}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		src   Source
		check func(*Settings) bool
	}{
		{
			name: "github inputs with hyphens kept",
			src:  Source{GitHub: true, Getenv: env(map[string]string{"INPUT_FLOW": "ias-passcode", "INPUT_IAS-TENANT": " mytenant ", "INPUT_CERTIFICATE-FILE": "c.p12"})},
			check: func(s *Settings) bool {
				return s.IASTenant == "mytenant" && s.Certificate.Input == "certificate-file" && string(s.Certificate.Data) == "P12" && s.GitHub
			},
		},
		{
			name:  "empty github input means unset and takes the default",
			src:   Source{GitHub: true, Getenv: env(map[string]string{"INPUT_FLOW": "password", "INPUT_TIMEOUT": "", "INPUT_CLIENT-AUTH": ""})},
			check: func(s *Settings) bool { return s.Timeout == 30*time.Second && s.ClientAuth == "body" },
		},
		{
			name:  "github falls back to SAP_CI_AUTH_ variables",
			src:   Source{GitHub: true, Getenv: env(map[string]string{"INPUT_FLOW": "password", "SAP_CI_AUTH_PASSWORD": "pw"})},
			check: func(s *Settings) bool { return s.Password == "pw" },
		},
		{
			name:  "github ignores the underscore spelling of inputs",
			src:   Source{GitHub: true, Getenv: env(map[string]string{"INPUT_FLOW": "password", "INPUT_CLIENT_ID": "x"})},
			check: func(s *Settings) bool { return s.ClientID == "" },
		},
		{
			name:  "shell env with underscores",
			src:   Source{Getenv: env(map[string]string{"SAP_CI_AUTH_FLOW": "client-credentials", "SAP_CI_AUTH_TOKEN_URL": "https://x/oauth/token", "SAP_CI_AUTH_TIMEOUT": "2m"})},
			check: func(s *Settings) bool { return s.TokenURL == "https://x/oauth/token" && s.Timeout == 2*time.Minute },
		},
		{
			name:  "shell ignores INPUT_ variables",
			src:   Source{Getenv: env(map[string]string{"SAP_CI_AUTH_FLOW": "password", "INPUT_USERNAME": "u"})},
			check: func(s *Settings) bool { return s.Username == "" },
		},
		{
			name: "secrets keep their spaces and lose only a trailing line break",
			src: Source{GitHub: true, Getenv: env(map[string]string{"INPUT_FLOW": "password",
				"INPUT_CERTIFICATE-PASSWORD": " pass word \n", "INPUT_PASSWORD": "pw\r\n", "INPUT_USERNAME": " user \n",
				"INPUT_CLIENT-SECRET": "  \n", "SAP_CI_AUTH_CLIENT_SECRET": "from-env"})},
			check: func(s *Settings) bool {
				// A blank secret input is unset, so the variable fills it.
				return s.CertificatePassword == " pass word " && s.Password == "pw" && s.Username == "user" && s.ClientSecret == "from-env"
			},
		},
		{
			name: "certificate text",
			src:  Source{Getenv: env(map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_CERTIFICATE": "MIIB\n"})},
			check: func(s *Settings) bool {
				return s.Certificate.Input == "certificate" && string(s.Certificate.Data) == "MIIB"
			},
		},
		{
			name: "service key file and CA path",
			src:  Source{Getenv: env(map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_SERVICE_KEY_FILE": "key.json", "SAP_CI_AUTH_CA_CERTIFICATES": "ca.pem"})},
			check: func(s *Settings) bool {
				return s.ServiceKey.Input == "service-key-file" && string(s.ServiceKey.Data) == `{"clientsecret":"s"}` && string(s.CACertificates.Data) == "CA"
			},
		},
		{
			name:  "CA as PEM text",
			src:   Source{Getenv: env(map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_CA_CERTIFICATES": "-----BEGIN CERTIFICATE-----\nx"})},
			check: func(s *Settings) bool { return strings.HasPrefix(string(s.CACertificates.Data), "-----BEGIN") },
		},
		{
			name: "flags win over env",
			src: Source{Getenv: env(map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_USERNAME": "env"}),
				Flags: map[string]string{"username": "flag", "flow": "ias-passcode"}},
			check: func(s *Settings) bool { return s.Username == "flag" && s.Flow == "ias-passcode" },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.src.Flows = flows
			tc.src.ReadFile = fakeFiles(map[string]string{"c.p12": "P12", "key.json": `{"clientsecret":"s"}`, "ca.pem": "CA"})
			s, err := Load(context.Background(), tc.src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !tc.check(s) {
				t.Errorf("got %+v", *s)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		env       map[string]string
		wantInput string
		wantText  string
	}{
		{"missing flow", map[string]string{}, "flow", "ias-passcode, client-credentials, password"},
		{"unknown flow", map[string]string{"SAP_CI_AUTH_FLOW": "s3cr3t-flow"}, "flow", "use one of"},
		{"bad timeout", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_TIMEOUT": "s3cr3t"}, "timeout", "30s"},
		{"negative timeout", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_TIMEOUT": "-1s"}, "timeout", "positive"},
		{"bad summary", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_SUMMARY": "s3cr3t"}, "summary", "true or false"},
		{"bad output", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_OUTPUT": "s3cr3t"}, "output", "text, json"},
		{"bad client-auth", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_CLIENT_AUTH": "s3cr3t"}, "client-auth", "body, basic"},
		{"both certificate inputs", map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_CERTIFICATE": "s3cr3t", "SAP_CI_AUTH_CERTIFICATE_FILE": "x"}, "certificate", "only one"},
		{"both key inputs", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_SERVICE_KEY": "s3cr3t", "SAP_CI_AUTH_SERVICE_KEY_FILE": "x"}, "service-key", "only one"},
		{"missing certificate file", map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_CERTIFICATE_FILE": "s3cr3t"}, "certificate-file", "no such file"},
		{"missing CA file", map[string]string{"SAP_CI_AUTH_FLOW": "ias-passcode", "SAP_CI_AUTH_CA_CERTIFICATES": "s3cr3t"}, "ca-certificates", "neither PEM text nor a readable file"},
		{"huge value", map[string]string{"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_SERVICE_KEY": "s3cr3t" + strings.Repeat("{", maxValue)}, "service-key", "longer than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(context.Background(), Source{Getenv: env(tc.env), Flows: flows, ReadFile: fakeFiles(nil)})
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an InputError", err)
			}
			if ie.Input != tc.wantInput {
				t.Errorf("input: got %q, want %q", ie.Input, tc.wantInput)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantText) || strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line containing %q and no value", msg, tc.wantText)
			}
		})
	}
}

func TestWhere(t *testing.T) {
	t.Parallel()
	cases := []struct {
		github bool
		input  string
		want   string
	}{
		{true, "ias-tenant", "`ias-tenant:` under the step's `with:`"},
		{false, "ias-tenant", "--ias-tenant or set SAP_CI_AUTH_IAS_TENANT"},
		{false, "client-secret", "set SAP_CI_AUTH_CLIENT_SECRET"},
	}
	for _, tc := range cases {
		s := &Settings{GitHub: tc.github}
		in, _ := lookup(tc.input)
		got := s.where(in)
		if !strings.Contains(got, tc.want) {
			t.Errorf("Where(%q, github=%v) = %q, want it to contain %q", tc.input, tc.github, got, tc.want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		want    Args
		wantErr string
	}{
		{"flow first", []string{"ias-passcode", "--ias-tenant", "t", "--certificate-file=c.p12"},
			Args{Values: map[string]string{"flow": "ias-passcode", "ias-tenant": "t", "certificate-file": "c.p12"}}, ""},
		{"flow as flag", []string{"--flow", "password", "-username", "u"},
			Args{Values: map[string]string{"flow": "password", "username": "u"}}, ""},
		{"demo is a flow name here (main dispatches the demo)", []string{"demo"}, Args{Values: map[string]string{"flow": "demo"}}, ""},
		{"help flag", []string{"--help"}, Args{Command: "help", Values: map[string]string{}}, ""},
		{"h flag", []string{"-h"}, Args{Command: "help", Values: map[string]string{}}, ""},
		{"version", []string{"--version"}, Args{Command: "version", Values: map[string]string{}}, ""},
		{"secret flag refused", []string{"password", "--password=s3cr3t"}, Args{}, "password: not accepted as a command-line flag"},
		{"secret flag refused, separate value", []string{"client-credentials", "--client-secret", "s3cr3t"}, Args{}, "SAP_CI_AUTH_CLIENT_SECRET"},
		{"secret flag with underscores", []string{"client-credentials", "--client_secret=s3cr3t"}, Args{}, "client-secret: not accepted as a command-line flag"},
		{"secret flag glued to its value", []string{"client-credentials", "--client-secret:s3cr3t"}, Args{}, "client-secret: not accepted"},
		{"a flag's bad value is not echoed", []string{"ias-passcode", "--help=s3cr3t"}, Args{}, "command line: cannot be parsed"},
		{"certificate password refused", []string{"-certificate-password", "s3cr3t"}, Args{}, "certificate-password"},
		{"unknown flag", []string{"--bogus", "s3cr3t"}, Args{}, "-bogus"},
		{"stray argument", []string{"password", "s3cr3t"}, Args{}, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseArgs(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("got error %v, want one containing %q and not the value", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestInputsAreTheSettingsFields: every env-tagged field of Settings is
// declared as an input (a Material with a file tag as two), names are
// unique and described, and a field names its input both ways.
func TestInputsAreTheSettingsFields(t *testing.T) {
	t.Parallel()
	want := 0
	st := reflect.TypeFor[Settings]()
	for i := range st.NumField() {
		if _, ok := st.Field(i).Tag.Lookup("env"); ok {
			want++
			if _, ok := st.Field(i).Tag.Lookup("file"); ok {
				want++
			}
		}
	}
	if len(Inputs) != want || want < 20 {
		t.Fatalf("%d inputs, want %d (one per env-tagged field, two for a Material with a file twin)", len(Inputs), want)
	}
	seen := map[string]bool{}
	for _, in := range Inputs {
		if seen[in.Name] || in.Description == "" || !regexp.MustCompile(`^[a-z][a-z0-9-]*$`).MatchString(in.Name) {
			t.Errorf("input %q: duplicate, undescribed or badly named", in.Name)
		}
		seen[in.Name] = true
	}
	s := &Settings{}
	for _, c := range []struct {
		field any
		want  []string
	}{
		{&In.IASTenant, []string{"ias-tenant"}},
		{&In.Certificate, []string{"certificate", "certificate-file"}},
		{&In.Timeout, []string{"timeout"}},
		{&In.Flow, []string{"flow"}},
	} {
		if got := Names(c.field); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Names = %v, want %v", got, c.want)
		}
	}
	if got := s.Name(&s.ClientSecret); got != "client-secret" {
		t.Errorf("Name(&s.ClientSecret) = %q", got)
	}
	if in, _ := lookup("timeout"); in.Default != "30s" {
		t.Errorf("timeout's default = %q, want the tag's 30s", in.Default)
	}
	if in, _ := lookup("client-secret"); !in.Secret {
		t.Error("client-secret is not secret")
	}
	for _, bad := range []any{s, &In.Flow, new(string), s.Flow} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Name(%T) of another value did not panic", bad)
				}
			}()
			s.Name(bad)
		}()
	}
}

// TestActionYAMLMatchesInputs checks that action.yml declares exactly the
// inputs and outputs of the tables, with the same defaults.
func TestActionYAMLMatchesInputs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatalf("read action.yml: %v", err)
	}
	inputs, defaults, outputs := parseActionYAML(string(b))
	var want []string
	for _, in := range Inputs {
		if in.ShellOnly {
			continue
		}
		want = append(want, in.Name)
		if got := defaults[in.Name]; got != in.Default {
			t.Errorf("action.yml default of %s: got %q, want %q", in.Name, got, in.Default)
		}
	}
	if !reflect.DeepEqual(inputs, want) {
		t.Errorf("action.yml inputs:\n got %v\nwant %v", inputs, want)
	}
	var wantOut []string
	for _, o := range Outputs {
		wantOut = append(wantOut, o.Name)
	}
	if !reflect.DeepEqual(sorted(outputs), sorted(wantOut)) {
		t.Errorf("action.yml outputs:\n got %v\nwant %v", outputs, wantOut)
	}
}

// parseActionYAML reads the input and output names of action.yml by
// indentation; the project keeps no YAML dependency for one test.
func parseActionYAML(s string) (inputs []string, defaults map[string]string, outputs []string) {
	defaults = map[string]string{}
	key := regexp.MustCompile(`^  ([a-z][a-z0-9-]*):\s*$`)
	def := regexp.MustCompile(`^    default:\s*(.*)$`)
	section, current := "", ""
	for line := range strings.SplitSeq(s, "\n") {
		switch {
		case strings.HasPrefix(line, "inputs:"):
			section = "inputs"
			continue
		case strings.HasPrefix(line, "outputs:"):
			section = "outputs"
			continue
		case line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			section = ""
		}
		if m := key.FindStringSubmatch(line); m != nil {
			current = m[1]
			switch section {
			case "inputs":
				inputs = append(inputs, current)
			case "outputs":
				outputs = append(outputs, current)
			}
		}
		if m := def.FindStringSubmatch(line); m != nil && section == "inputs" {
			defaults[current] = strings.Trim(strings.TrimSpace(m[1]), `'"`)
		}
	}
	return inputs, defaults, outputs
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

// fileCase is a file input and what readInputFile must make of it: wantLen
// bytes, or an error that starts with wantErr after the input's name.
type fileCase struct {
	name, path string
	wantLen    int
	wantErr    string
}

func TestReadInputFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Repeat("x", size)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok", 4)
	atCap := write("at-cap", maxValue)
	tooBig := write("too-big", maxValue+1)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}
	cases := []fileCase{
		{name: "regular file", path: ok, wantLen: 4},
		{name: "symlink to a regular file", path: link, wantLen: 4},
		{name: "exactly the cap", path: atCap, wantLen: maxValue},
		{name: "over the cap", path: tooBig, wantErr: "is larger than 1048576 bytes"},
		{name: "missing", path: filepath.Join(dir, "missing"), wantErr: "no such file"},
		{name: "directory", path: dir, wantErr: "is not a regular file (a directory)"},
	}
	// FIFOs and devices differ by platform: file_unix_test.go,
	// file_windows_test.go.
	cases = append(cases, specialFileCases(t, dir)...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A watchdog: an open that blocks (a FIFO opened without
			// O_NONBLOCK) fails here instead of hanging until go test's
			// own timeout.
			type result struct {
				b   []byte
				err error
			}
			done := make(chan result, 1)
			go func() {
				b, err := readInputFile("certificate-file", tc.path)
				done <- result{b, err}
			}()
			var b []byte
			var err error
			select {
			case r := <-done:
				b, err = r.b, r.err
			case <-time.After(10 * time.Second):
				t.Fatalf("readInputFile(%s) still blocked after 10 s", tc.path)
			}
			if tc.wantErr == "" {
				if err != nil || len(b) != tc.wantLen {
					t.Fatalf("got %d bytes, %v; want %d bytes", len(b), err, tc.wantLen)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "certificate-file: "+tc.wantErr) {
				t.Fatalf("got %v, want certificate-file: %s", err, tc.wantErr)
			}
		})
	}
}

func TestSecretsComeFromTheTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.json")
	if err := os.WriteFile(keyFile, []byte(`{"clientsecret":"file-secret"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(context.Background(), Source{Flows: flows, Getenv: env(map[string]string{
		"SAP_CI_AUTH_FLOW": "password", "SAP_CI_AUTH_CLIENT_ID": "not-secret", "SAP_CI_AUTH_PASSWORD": "pw-secret",
		"SAP_CI_AUTH_CERTIFICATE_PASSWORD": "cert-pw", "SAP_CI_AUTH_SERVICE_KEY_FILE": keyFile,
	})})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Secrets()
	want := []string{"cert-pw", `{"clientsecret":"file-secret"}`, "pw-secret"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets() = %q, want %q", got, want)
	}
}

// TestSecretsOfAnUndecodableRun: an input that cannot be decoded stops
// the loading, and still every secret, the CI's token variables included,
// is known to Secrets, so that it is masked before the error is printed.
func TestSecretsOfAnUndecodableRun(t *testing.T) {
	t.Parallel()
	s, err := Load(context.Background(), Source{Flows: flows, Getenv: env(map[string]string{
		"SAP_CI_AUTH_FLOW": "jwt-bearer", "SAP_CI_AUTH_TIMEOUT": "soon", "SAP_CI_AUTH_CLIENT_SECRET": "client-secret",
		EnvIDTokenRequestURL: "https://token.example/t?x=1", EnvIDTokenRequestToken: "request-token",
		EnvAzureOIDCRequestURI: "https://dev.example/oidc", EnvAzureAccessToken: "azure-access-token",
		EnvCircleCIIDToken: "circle-token",
	})})
	if err == nil {
		t.Fatal("Load succeeded, want the timeout refused")
	}
	got := s.Secrets()
	for _, want := range []string{"client-secret", "request-token", "azure-access-token", "circle-token"} {
		if !slices.Contains(got, want) {
			t.Errorf("Secrets() = %q, want it to hold %q", got, want)
		}
	}
}

func TestParseExportEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, wantErr string
		want        []EnvVar
	}{
		{in: "CF_PASSWORD=passcode BTP_ASSERTION=id-token", want: []EnvVar{{"CF_PASSWORD", "passcode"}, {"BTP_ASSERTION", "id-token"}}},
		{in: "A=access-token,\nB=scope", want: []EnvVar{{"A", "access-token"}, {"B", "scope"}}},
		{in: "PATH=passcode", wantErr: "PATH changes how later steps run"},
		{in: "GITHUB_TOKEN=access-token", wantErr: "GITHUB_TOKEN changes how later steps run"},
		{in: "RUNNER_TEMP=access-token", wantErr: "RUNNER_TEMP changes"},
		{in: "ACTIONS_RUNTIME_TOKEN=access-token", wantErr: "ACTIONS_RUNTIME_TOKEN changes"},
		{in: "LD_PRELOAD=access-token", wantErr: "LD_PRELOAD changes"},
		{in: "INPUT_FLOW=access-token", wantErr: "INPUT_FLOW changes"},
		{in: "BASH_ENV=access-token", wantErr: "BASH_ENV changes"},
		{in: "NODE_OPTIONS=access-token", wantErr: "NODE_OPTIONS changes"},
		{in: "cf_password=passcode", wantErr: "not of upper-case letters"},
		{in: "1X=passcode", wantErr: "not of upper-case letters"},
		{in: "X=not-an-output", wantErr: "X names no output"},
		{in: "X=passcode X=scope", wantErr: "X is given twice"},
		{in: "X", wantErr: "not NAME=output"},
	}
	for _, tc := range cases {
		got, err := parseExportEnv(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "export-env: ") {
				t.Errorf("parseExportEnv(%q) = %v, want an export-env error with %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseExportEnv(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestLoadTextOrPathMixUps: a value in the wrong one of "text or a path"
// is told apart from a missing file. ca-certificates that is neither PEM
// nor a readable file (base64 of a DER certificate, which the file system
// calls "no such file" or a name too long) says so and how to convert DER;
// certificate, service-key or id-token holding the path of an existing
// file names the -file input to use. The files are real (readInputFile).
func TestLoadTextOrPathMixUps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	existing := filepath.Join(dir, "cert.p12")
	if err := os.WriteFile(existing, []byte("P12"), 0o600); err != nil {
		t.Fatal(err)
	}
	// What `base64 -w0 ca.der` gives: one line, with or without a "/"
	// within the first 255 bytes (ENOENT or ENAMETOOLONG).
	derShort := "MIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBnMzY3IzdDAeFw0yNjAxMDEwMDAwMDBa"
	derLong := strings.Repeat("MIIBkTCB+wIJAKHBs3cr3t", 60)
	const neither = "is neither PEM text nor a readable file"
	const convert = "PEM text starts with -----BEGIN CERTIFICATE-----; convert a DER certificate with `openssl x509 -inform DER -in ca.der -out ca.pem`"
	cases := []struct {
		name      string
		github    bool
		env       map[string]string
		wantInput string
		want      []string // "" of want means success
	}{
		{name: "ca-certificates as base64 of DER", env: map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": derShort},
			wantInput: "ca-certificates", want: []string{neither + ";", convert}},
		{name: "ca-certificates as long base64 of DER", env: map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": derLong},
			wantInput: "ca-certificates", want: []string{neither + ";", convert}},
		{name: "ca-certificates naming a missing file", env: map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": filepath.Join(dir, "s3cr3t.pem")},
			wantInput: "ca-certificates", want: []string{neither + ";", "or give the path of a readable PEM file"}},
		{name: "ca-certificates naming a directory keeps the file's problem", env: map[string]string{"SAP_CI_AUTH_CA_CERTIFICATES": dir},
			wantInput: "ca-certificates", want: []string{"ca-certificates: is not a regular file (a directory)"}},
		{name: "certificate holding a path, shell", env: map[string]string{"SAP_CI_AUTH_CERTIFICATE": existing},
			wantInput: "certificate", want: []string{"certificate: holds the path of a file, not its content; pass --certificate-file or set SAP_CI_AUTH_CERTIFICATE_FILE to that path instead"}},
		{name: "certificate holding a path, github", github: true, env: map[string]string{"INPUT_CERTIFICATE": existing + "\n"},
			wantInput: "certificate", want: []string{"certificate: holds the path of a file, not its content; set `certificate-file:` under the step's `with:` to that path instead"}},
		{name: "service-key holding a path", env: map[string]string{"SAP_CI_AUTH_SERVICE_KEY": existing},
			wantInput: "service-key", want: []string{"pass --service-key-file or set SAP_CI_AUTH_SERVICE_KEY_FILE to that path"}},
		{name: "id-token holding a path", env: map[string]string{"SAP_CI_AUTH_ID_TOKEN": existing},
			wantInput: "id-token", want: []string{"id-token-file"}},
		{name: "certificate as base64 is data", env: map[string]string{"SAP_CI_AUTH_CERTIFICATE": derShort}},
		{name: "certificate naming a missing file is data", env: map[string]string{"SAP_CI_AUTH_CERTIFICATE": filepath.Join(dir, "missing.p12")}},
		{name: "certificate naming a directory is data", env: map[string]string{"SAP_CI_AUTH_CERTIFICATE": dir}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"SAP_CI_AUTH_FLOW": "password", "INPUT_FLOW": "password"}
			for k, v := range tc.env {
				vars[k] = v
			}
			_, err := Load(context.Background(), Source{Getenv: env(vars), GitHub: tc.github, Flows: flows})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want the value taken as data", err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an InputError", err)
			}
			if got, want := ie.Input, tc.wantInput; got != want {
				t.Errorf("input: got %q, want %q", got, want)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("got %q, want it to say %q", msg, w)
				}
			}
			if strings.Contains(msg, "s3cr3t") || strings.Contains(msg, existing) || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line without the value", msg)
			}
		})
	}
}
