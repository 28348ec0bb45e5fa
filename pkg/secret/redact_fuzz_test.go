package secret_test

import (
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// FuzzRedact checks Redact on any text and secret: no panic; text that is
// not clean comes back empty; clean text holds no part of the secret, and no
// secret of 8 bytes or more.
func FuzzRedact(f *testing.F) {
	f.Fuzz(func(t *testing.T, text, s string) {
		got, ok := secret.Redact(text, []string{s})
		if !ok {
			if got != "" {
				t.Errorf("Redact = %q, false; want \"\" when not clean", got)
			}
			return
		}
		for _, p := range secret.Parts(s) {
			if strings.Contains(got, p) {
				t.Errorf("Redact = %q, true; holds the part %q", got, p)
			}
		}
		if len(s) >= 8 && strings.TrimSpace(s) != "" && strings.Contains(got, s) {
			t.Errorf("Redact = %q, true; holds the secret", got)
		}
	})
}
