package servicekey

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// fuzzMarker is in the client secret of the seeds: no error may ever show it.
const fuzzMarker = "FUZZ-SECRET"

// FuzzParse feeds Parse any bytes (the seeds under testdata/fuzz/FuzzParse
// and below: keys as the CLIs print them, broken JSON, BOM, NUL, deep
// nesting, invalid UTF-8) and checks that nothing panics, that every error
// is one line holding nothing of the key, and that a parsed key's
// TokenEndpoint and TLSCertificate behave.
func FuzzParse(f *testing.F) {
	// A real X.509 key, minted here so that no key is committed.
	p := saptest.MustPKI(f)
	c := saptest.MustClient(f, p, "fuzz-client", saptest.WithECKey())
	f.Add([]byte(`{"clientid":"sb-x!b1|it!b2","certificate":` + jsonQuote(string(c.CertPEM())) +
		`,"key":` + jsonQuote(string(c.KeyPEM())) + `,"certurl":"https://sub.authentication.cert.eu10.hana.ondemand.com","credential-type":"x509"}`))
	f.Add([]byte(`{"clientid":"sb-x","certificate":` + jsonQuote(string(c.CertPEM())) +
		`,"key":` + jsonQuote(string(p.RootPEM())) + `,"certurl":"https://cert.example"}`))
	f.Add([]byte(`{"clientid":"sb-x","clientsecret":"` + fuzzMarker + `-3f9a1c7e","url":"https://sub.authentication.eu10.hana.ondemand.com"}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data)
		if err != nil {
			checkErr(t, "Parse", err, data)
			return
		}
		if k == nil {
			t.Fatal("Parse returned neither a key nor an error")
		}
		if k.ClientSecret != "" && !contains(k.Secrets(), k.ClientSecret) {
			t.Errorf("Secrets() = %d values, want the client secret among them", len(k.Secrets()))
		}
		_ = k.IsX509()
		if ep, err := k.TokenEndpoint(); err != nil {
			checkErr(t, "TokenEndpoint", err, data)
		} else if u, perr := url.Parse(ep); perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			t.Errorf("TokenEndpoint() = a URL that is not absolute http(s) with a host (parse error %v)", perr)
		}
		if _, err := k.TLSCertificate(); err != nil {
			checkErr(t, "TLSCertificate", err, data)
		}
	})
}

// checkErr fails when err spans lines or holds the marker or a secret-looking
// run of the input.
//
// The one exception is the names of the bindings of a VCAP_SERVICES
// document (bindingsError), shown so that the user can pick one: they are
// names, not secrets, and are left out of the check once each was seen to
// be a name.
func checkErr(t *testing.T, what string, err error, input []byte) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("%s error spans lines: %q", what, msg)
	}
	if be, ok := errors.AsType[*bindingsError](err); ok {
		for _, n := range be.Names {
			service, name, _ := strings.Cut(n, " ")
			if !isSafeName(service) && service != textUnnamed ||
				!isSafeName(strings.Trim(name, `"`)) && !strings.HasPrefix(name, "#") {
				t.Errorf("%s error names a binding %q that does not look like a name", what, n)
			}
			msg = strings.ReplaceAll(msg, n, "")
		}
	}
	if strings.Contains(msg, fuzzMarker) {
		t.Errorf("%s error holds the client secret: %q", what, msg)
	}
	if run, ok := leakedRun(msg, string(input)); ok {
		t.Errorf("%s error holds %q from the input: %q", what, run, msg)
	}
}

// leakedRun returns a run of the input that looks like a secret (8 or more
// letters, digits and -_.+/=, with at least one letter and one digit) and
// appears in msg. The messages' own words (field names, hints, line and
// column numbers) never mix letters and digits over 8 bytes, so such a run in
// a message came from the input.
func leakedRun(msg, input string) (string, bool) {
	isRun := func(r rune) bool {
		return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.+/=", r))
	}
	for run := range strings.FieldsFuncSeq(input, func(r rune) bool { return !isRun(r) }) {
		if len(run) < 8 || !strings.ContainsFunc(run, unicode.IsLetter) || !strings.ContainsFunc(run, unicode.IsDigit) {
			continue
		}
		if strings.Contains(msg, run) {
			return run, true
		}
	}
	return "", false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// jsonQuote writes s as a JSON string the way service keys carry PEM: line
// breaks as \n.
func jsonQuote(s string) string {
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}
