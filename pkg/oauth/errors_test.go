package oauth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestClassifyKeepsBodyOut(t *testing.T) {
	t.Parallel()
	r := &tokenRequest{Grant: clientCredentialsGrant(), ClientID: "id", ClientSecret: "very-secret"}
	body := []byte(`{"error":"invalid_client","error_description":"very-secret is wrong","access_token":"tok-123"}`)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"retrieve error", &oauth2.RetrieveError{Body: body, ErrorCode: "invalid_client", ErrorDescription: "very-secret is wrong"},
			`token request failed (invalid_client: "*** is wrong"): client-id or client-secret is wrong; check them, or the clientid and clientsecret of the service key; if they are right, the server may want them sent the other way: try client-auth: basic`},
		{"json parse error", errors.New(`oauth2: cannot parse json: invalid character 'v' looking for beginning of value`),
			"token request failed: " + msgNotToken},
		{"form parse error", errors.New(`oauth2: cannot parse response: invalid URL escape "%ve"`),
			"token request failed: " + msgNotToken},
		{"no access token", errors.New("oauth2: server response missing access_token"),
			"token request failed: " + msgNotToken},
		{"unknown error", errors.New("oauth2: very-secret"),
			"token request failed: the token request failed for an unexpected reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := r.classify(context.Background(), tc.err)
			if got := err.Error(); got != tc.want {
				t.Errorf("classify() = %q, want %q", got, tc.want)
			}
			var re *oauth2.RetrieveError
			if errors.As(err, &re) {
				t.Errorf("classify() keeps the *oauth2.RetrieveError in the chain")
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	secrets := []string{"s3cret-client", "tok.en-0123456", "pass word-1"}
	cases := []struct {
		name, in, want string
		wantOK         bool
	}{
		{"plain", "Bad credentials", "Bad credentials", true},
		{"lines and tabs", " Bad\r\n\tcredentials\u2028now ", "Bad credentials now", true},
		{"secret", "the secret s3cret-client is wrong", "the secret *** is wrong", true},
		{"secret made by joining lines", "your pass\nword-1 is wrong", "your *** is wrong", true},
		{"%-encoded secret", "pw=pass+word-1", "pw=***", true},
		{"HTML references", "pw=&#x70;ass&#32;word&#45;1", "pw=***", true},
		{"percent-encoded HTML references", "pw=%26%23112%3Bass%26%2332%3Bword-1", "pw=***", true},
		{"token", "issued tok.en-0123456", "issued ***", true},
		{"a truncated echo hides the whole text", "secret s3cret-cl… is wrong", "", false},
		{"a truncated echo, encoded", "secret s3cret%2Dcl… is wrong", "", false},
		{"invalid UTF-8", "bad \xff byte", "bad \uFFFD byte", true},
		{"long", strings.Repeat("é", maxDescription+50), strings.Repeat("é", maxDescription-1) + "…", true},
		{"at the limit", strings.Repeat("é", maxDescription), strings.Repeat("é", maxDescription), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got, ok := sanitize(tc.in, secrets, maxDescription); got != tc.want || ok != tc.wantOK {
				t.Errorf("sanitize(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
