package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// checkScopes fails when the token lacks a required scope. The scopes are
// not secret, the token is and stays out of the message; the granted
// scopes are the server's text, so secrets are kept out of them.
func checkScopes(tok *issuedToken, required, secrets []string) error {
	if len(required) == 0 {
		return nil
	}
	granted := grantedScopes(tok)
	missing := missingScopes(required, granted)
	if len(missing) == 0 {
		return nil
	}
	carries, ok := sanitize(strings.Join(granted, " "), secrets, maxDescription)
	switch {
	case !ok:
		carries = msgEchoLeftOut
	case carries == "":
		carries = "none"
	}
	return fmt.Errorf(msgLacksScopes, strings.Join(missing, ", "), carries)
}

// maxVerifyBody is what is read of the verify-url's answer: enough for the
// first line of an error.
const maxVerifyBody = 64 << 10

// verify GETs rawURL once with the token (retried only as SAP's policy
// allows, redirects never followed) and returns a one-line result, or an
// error for anything but a 2xx. Of the answer only the first line of a
// JSON "error"/"message" field is shown, with secrets (the token among
// them) redacted.
func verify(ctx context.Context, hc *http.Client, rawURL, authorization string, secrets []string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf(msgVerifyRequest, err)
	}
	req.Header.Set("Authorization", authorization)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf(msgVerifyFailed, flow.RequestError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxVerifyBody))
	status := fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	detail := answerDetail(body, secrets)
	var fail error
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return fmt.Sprintf(msgVerified, status), nil
	case resp.StatusCode == http.StatusUnauthorized:
		fail = fmt.Errorf(msgVerifyNotAccepted, status, detail)
	case resp.StatusCode == http.StatusForbidden:
		fail = fmt.Errorf(msgVerifyNoRole, status, detail)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		fail = fmt.Errorf(msgVerifyRedirected, status)
	default:
		fail = fmt.Errorf(msgVerifyStatus, status, detail)
	}
	// An answer to a retry: what the first attempt got, too.
	return "", fmt.Errorf("%w%s", fail, flow.FirstAttempt(resp))
}

// answerDetail is ` ("<first line of error or message>")` from a JSON
// answer, with secrets redacted, or "" (` (<left out>)` when the line held
// a secret that could not be replaced).
func answerDetail(body []byte, secrets []string) string {
	var v struct {
		Error   any `json:"error"`
		Message any `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	text := ""
	for _, f := range []any{v.Error, v.Message} {
		switch x := f.(type) {
		case string:
			text = x
		case map[string]any: // OData: {"error":{"message":{"value":"…"}}}
			if m, ok := x["message"].(map[string]any); ok {
				text, _ = m["value"].(string)
			} else {
				text, _ = x["message"].(string)
			}
		}
		if text != "" {
			break
		}
	}
	first, _, _ := strings.Cut(text, "\n")
	first, ok := sanitize(first, secrets, 200)
	switch {
	case !ok:
		return " (" + msgEchoLeftOut + ")"
	case first == "":
		return ""
	}
	return fmt.Sprintf(" (%q)", first)
}
