package flow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// FuzzExpiresInJSON checks ExpiresIn on any expires_in a JSON answer may
// carry: no panic, and the result obeys checkExpiresIn.
func FuzzExpiresInJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, ok, warning := flow.ExpiresIn(json.RawMessage(raw))
		checkExpiresIn(t, string(raw), d, ok, warning)
	})
}

// FuzzExpiresInString checks ExpiresIn on any expires_in a form answer may
// carry: no panic, and the result obeys checkExpiresIn.
func FuzzExpiresInString(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, ok, warning := flow.ExpiresIn(s)
		checkExpiresIn(t, s, d, ok, warning)
	})
}

// checkExpiresIn holds what every answer of ExpiresIn must obey: a usable
// lifetime is more than nothing and at most MaxLifetime in whole seconds, an
// unusable one is 0, and a warning is one line that never repeats the value.
func checkExpiresIn(t *testing.T, in string, d time.Duration, ok bool, warning string) {
	t.Helper()
	switch {
	case ok && (d <= 0 || d > flow.MaxLifetime):
		t.Errorf("ExpiresIn(%q) = %v, true; want a lifetime in (0, %v]", in, d, flow.MaxLifetime)
	case ok && d%time.Second != 0:
		t.Errorf("ExpiresIn(%q) = %v, true; want whole seconds", in, d)
	case !ok && d != 0:
		t.Errorf("ExpiresIn(%q) = %v, false; want 0 when not ok", in, d)
	}
	if strings.ContainsAny(warning, "\r\n") {
		t.Errorf("ExpiresIn(%q) warning spans lines: %q", in, warning)
	}
	// The warning never carries the value: it is one of a fixed set of
	// texts (which a short value could otherwise match by chance).
	if warning != "" && !slices.Contains(fixedWarnings, warning) {
		t.Errorf("ExpiresIn(%q) warning %q is not one of the fixed texts", in, warning)
	}
}

// fixedWarnings are every warning ExpiresIn gives.
var fixedWarnings = []string{
	"the answer's expires_in is not a number; ignored",
	"the answer's expires_in is zero or negative; ignored",
	"the answer's expires_in is more than a year; taken as one year",
	"the answer's expires_in is less than a second; ignored",
}
