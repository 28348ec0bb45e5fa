package flow

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxLifetime is the longest lifetime an answer's expires_in is believed:
// SAP's passcodes live 5 minutes and its access tokens at most a day, so a
// larger value is a server's mistake, not a promise.
const MaxLifetime = 366 * 24 * time.Hour

// ExpiresIn reads an expires_in value as servers send it: a JSON number
// (whole or fractional), a numeric string, or a form value. It returns
// ok=false when the value is absent (nil, null, "") or unusable: not a
// number (a boolean, text), NaN, zero or negative — then the caller falls
// back to another source or leaves the lifetime unknown — and a warning
// when the value was present but ignored or clamped to [MaxLifetime]. The
// warning never holds the value itself beyond its kind.
func ExpiresIn(v any) (d time.Duration, ok bool, warning string) {
	var f float64
	switch v := v.(type) {
	case nil:
		return 0, false, ""
	case json.RawMessage:
		var x any
		dec := json.NewDecoder(strings.NewReader(string(v)))
		dec.UseNumber()
		if len(strings.TrimSpace(string(v))) == 0 || dec.Decode(&x) != nil {
			return 0, false, ""
		}
		return ExpiresIn(x)
	case json.Number:
		return ExpiresIn(string(v))
	case float64:
		f = v
	case int64:
		f = float64(v)
	case int:
		f = float64(v)
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return 0, false, ""
		}
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return 0, false, msgExpiresInNotNumber
		}
	default:
		return 0, false, msgExpiresInNotNumber
	}
	switch {
	case math.IsNaN(f):
		return 0, false, msgExpiresInNotNumber
	case f <= 0:
		return 0, false, msgExpiresInNotPositive
	case f > MaxLifetime.Seconds():
		return MaxLifetime, true, msgExpiresInTooLong
	}
	d = time.Duration(math.Round(f)) * time.Second
	if d <= 0 {
		// 0.4 s rounds to no lifetime at all: not a usable value.
		return 0, false, msgExpiresInTooShort
	}
	return d, true, ""
}
