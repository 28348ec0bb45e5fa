package flow_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

func TestExpiresIn(t *testing.T) {
	t.Parallel()
	const year = flow.MaxLifetime
	cases := []struct {
		name        string
		in          any
		want        time.Duration
		wantOK      bool
		wantWarning bool
	}{
		{"absent", nil, 0, false, false},
		{"JSON null", json.RawMessage(`null`), 0, false, false},
		{"empty raw", json.RawMessage(``), 0, false, false},
		{"JSON integer", json.RawMessage(`43199`), 43199 * time.Second, true, false},
		{"JSON fraction rounds", json.RawMessage(`3599.5`), 3600 * time.Second, true, false},
		{"JSON string", json.RawMessage(`"3600"`), time.Hour, true, false},
		{"JSON huge is clamped", json.RawMessage(`1e30`), year, true, true},
		{"JSON zero", json.RawMessage(`0`), 0, false, true},
		{"JSON negative", json.RawMessage(`-5`), 0, false, true},
		{"JSON boolean", json.RawMessage(`true`), 0, false, true},
		{"JSON text", json.RawMessage(`"soon"`), 0, false, true},
		{"JSON object", json.RawMessage(`{}`), 0, false, true},
		{"form value", "1800", 30 * time.Minute, true, false},
		{"form value with spaces", " 60 ", time.Minute, true, false},
		{"form empty", "", 0, false, false},
		{"NaN text", "NaN", 0, false, true},
		{"infinity", "+Inf", year, true, true},
		{"float64", float64(300), 5 * time.Minute, true, false},
		{"float64 NaN", math.NaN(), 0, false, true},
		{"int64", int64(10), 10 * time.Second, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok, warning := flow.ExpiresIn(tc.in)
			if got != tc.want || ok != tc.wantOK || (warning != "") != tc.wantWarning {
				t.Errorf("ExpiresIn(%#v) = %v, %v, %q; want %v, %v, warning %v", tc.in, got, ok, warning, tc.want, tc.wantOK, tc.wantWarning)
			}
		})
	}
}
