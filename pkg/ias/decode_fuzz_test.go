package ias

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// passMarker is the passcode of the seeds: no error or warning may show it.
const passMarker = "FUZZPASS"

// FuzzDecode drives decode, the reader of a 200 passcode answer, with any
// body and Content-Type: no panic; a passcode is never blank and lives more
// than nothing and at most flow.MaxLifetime; errors and warnings are one line
// and never show the passcode.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}}
		resp.Header.Set("Content-Type", contentType)
		p, err := decode(resp, body)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			// The Content-Type's media type is named in the error; only a
			// marker that comes from the body counts.
			if strings.Contains(msg, passMarker) && !strings.Contains(strings.ToUpper(contentType), passMarker) {
				t.Errorf("error holds the passcode: %q", msg)
			}
			return
		}
		if p == nil {
			t.Fatal("decode returned neither a passcode nor an error")
		}
		if strings.TrimSpace(p.Value) == "" {
			t.Errorf("Value = %q, want a passcode that is not blank", p.Value)
		}
		if p.Lifetime <= 0 || p.Lifetime > flow.MaxLifetime {
			t.Errorf("Lifetime = %v, want in (0, %v]", p.Lifetime, flow.MaxLifetime)
		}
		if strings.ContainsAny(p.Warning, "\r\n") || strings.Contains(p.Warning, passMarker) {
			t.Errorf("Warning = %q, want one line without the passcode", p.Warning)
		}
	})
}
