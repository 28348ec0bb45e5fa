package oidc

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseUnverified checks ParseUnverified on any text: no panic; an error
// is one line and never shows the token's payload or signature; claims come
// back with their raw map.
func FuzzParseUnverified(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(enc([]byte(`{"alg":"ES256","kid":"k1"}`)) + "." +
		enc([]byte(`{"iss":"https://gitlab.example","project_path":"g/p","namespace_id":"7","aud":["sap","x"],"exp":1700000000.5,"nbf":"x"}`)) + "." +
		enc([]byte("NotAReal-ES256-Signature-0123456789")))

	f.Fuzz(func(t *testing.T, token string) {
		c, err := ParseUnverified(token)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			parts := strings.Split(token, ".")
			if len(parts) != 3 {
				return
			}
			// go-jose names an unexpected "alg" (part of the header), by
			// design; only a segment that is not in the alg counts.
			alg := headerAlg(parts[0])
			for i, seg := range parts[1:] {
				if len(seg) >= 8 && strings.Contains(msg, seg) && !strings.Contains(alg, seg) {
					t.Errorf("error %q holds segment %d of the token", msg, i+2)
				}
			}
			return
		}
		if c == nil || c.Raw == nil {
			t.Fatalf("ParseUnverified returned no error but claims %+v", c)
		}
		_ = c.provider()
		_ = c.Expiry()
	})
}

// headerAlg returns the "alg" of a JWT header segment, or "".
func headerAlg(seg string) string {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	_ = json.Unmarshal(b, &h)
	return h.Alg
}
