package oauth

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// everyByte writes every byte of s in format (a percent-encoding or an
// HTML reference of each).
func everyByte(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// TestTokenFlowEchoedSecrets: whatever server text a token flow shows (the
// token endpoint's error_description and token type, the granted scopes,
// the verify-url's message) has every secret the run knows replaced by
// *** in whatever encoding the server echoed it: the client secret, the
// certificate password and the private key of the service key, none of
// which the server should know but a hostile one may; what cannot be
// replaced is left out, and the message says so.
func TestTokenFlowEchoedSecrets(t *testing.T) {
	t.Parallel()
	const leftOut = "server text that held a secret was left out"
	cases := []struct {
		name  string
		set   func(l *saptest.Landscape, s *config.Settings)
		fault func(l *saptest.Landscape)
		want  string
	}{
		{
			name: "client secret in error_description, HTML decimal references",
			set:  func(l *saptest.Landscape, s *config.Settings) { s.ServiceKey = serviceKey(l.CPIKey) },
			fault: func(l *saptest.Landscape) {
				l.UAA.SetFault(saptest.Fault{Status: http.StatusUnauthorized, ContentType: "application/json",
					Body: `{"error":"invalid_client","error_description":"bad secret ` + everyByte(l.CPIClientSecret, "&#%d;") + `"}`})
			},
			want: `(HTTP 401, invalid_client: "bad secret ***")`,
		},
		{
			name: "certificate password in error_description, percent-encoded",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey = serviceKey(l.CPIKey)
				s.Certificate, s.CertificatePassword = config.Material{Input: "certificate-file", Data: l.ClientP12}, l.ClientP12Password
			},
			fault: func(l *saptest.Landscape) {
				l.UAA.SetFault(saptest.Fault{Status: http.StatusBadRequest, ContentType: "application/json",
					Body: `{"error":"invalid_request","error_description":"p12 password ` + everyByte(l.ClientP12Password, "%%%02x") + ` refused"}`})
			},
			want: `(HTTP 400, invalid_request: "p12 password *** refused")`,
		},
		{
			name: "a line of the key's private key in error_description, as JSON escapes",
			set:  func(l *saptest.Landscape, s *config.Settings) { s.ServiceKey = serviceKey(l.CPIX509Key) },
			fault: func(l *saptest.Landscape) {
				line := strings.Split(string(l.X509Client.KeyPEM()), "\n")[1]
				l.UAA.SetFault(saptest.Fault{Status: http.StatusUnauthorized, ContentType: "application/json",
					Body: `{"error":"invalid_client","error_description":"key ` + strings.ReplaceAll(everyByte(line, `\u%04x`), `\`, `\\`) + `"}`})
			},
			want: `(HTTP 401, invalid_client: "key ***")`,
		},
		{
			name: "half of the client secret in error_description: left out",
			set:  func(l *saptest.Landscape, s *config.Settings) { s.ServiceKey = serviceKey(l.CPIKey) },
			fault: func(l *saptest.Landscape) {
				l.UAA.SetFault(saptest.Fault{Status: http.StatusUnauthorized, ContentType: "application/json",
					Body: `{"error":"invalid_client","error_description":"secret starts ` + everyByte(l.CPIClientSecret[:12], "&#x%x;") + `"}`})
			},
			want: "(HTTP 401, invalid_client, " + leftOut + ")",
		},
		{
			name: "client secret as the token type, base64",
			set:  func(l *saptest.Landscape, s *config.Settings) { s.ServiceKey = serviceKey(l.CPIKey) },
			fault: func(l *saptest.Landscape) {
				l.UAA.SetFault(saptest.Fault{Status: http.StatusOK, ContentType: "application/json",
					Body: `{"access_token":"tok-0123456789abcdef","token_type":"` + base64.StdEncoding.EncodeToString([]byte(l.CPIClientSecret)) + `"}`})
			},
			want: `the server issued a token of type "***"`,
		},
		{
			name: "client secret among the granted scopes, HTML-escaped",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.RequiredScopes = serviceKey(l.CPIKey), config.Words{"WorkspacePackagesEdit"}
			},
			fault: func(l *saptest.Landscape) {
				l.UAA.SetFault(saptest.Fault{Status: http.StatusOK, ContentType: "application/json",
					Body: `{"access_token":"tok-0123456789abcdef","scope":"it.Read ` + everyByte(l.CPIClientSecret, "&#x%X;") + `"}`})
			},
			want: "(it carries: it.Read ***)",
		},
		{
			name: "client secret in the verify-url's message, percent-encoded HTML",
			set: func(l *saptest.Landscape, s *config.Settings) {
				s.ServiceKey, s.VerifyURL = serviceKey(l.CPIKey), l.CPI.URL+saptest.MessageProcessingLogsPath
			},
			fault: func(l *saptest.Landscape) {
				l.CPI.SetFault(saptest.Fault{Status: http.StatusBadRequest, ContentType: "application/json",
					Body: `{"error":{"message":{"value":"no ` + everyByte(html.EscapeString(l.CPIClientSecret), "%%%02X") + ` here"}}}`})
			},
			want: `verify-url answered 400 Bad Request ("no *** here")`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := flowtest.Landscape(t)
			s := flowSettings(ClientCredentialsFlow, func(s *config.Settings) { tc.set(l, s) })
			rec := flowtest.New(t, l.PKI.RootPool(), time.Time{}, s.Timeout)
			run, err := ClientCredentialsFlow.Prepare(s, rec.Env)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			tc.fault(l)
			res, err := run(t.Context())
			if err == nil {
				t.Fatalf("got outputs %q, want an error", res.Values)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
			saptest.CheckNoLeaks(t, l.Secrets(), map[string][]byte{"error": []byte(err.Error()), "log": []byte(rec.Log())}, nil)
		})
	}
}
