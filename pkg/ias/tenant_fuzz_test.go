package ias

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// FuzzParseTenant checks ParseTenant on any text: no panic; a result is an
// https URL with a host and nothing else a request must not carry; an error
// wraps ErrTenant, is one line, and never shows the input, above all the
// user:password of a URL.
func FuzzParseTenant(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseTenant(s)
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, errTenant) {
				t.Errorf("error %q does not wrap ErrTenant", msg)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if in := strings.TrimSpace(s); secretLike(in) && strings.Contains(msg, in) {
				t.Errorf("error %q holds the input", msg)
			}
			if cred := userinfo(s); secretLike(cred) && strings.Contains(msg, cred) {
				t.Errorf("error %q holds the credentials %q of the input", msg, cred)
			}
			return
		}
		if u == nil {
			t.Fatal("ParseTenant returned neither a URL nor an error")
		}
		if u.Scheme != "https" || u.Host == "" {
			t.Errorf("ParseTenant(%q) = %q, want an https URL with a host", s, u)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			t.Errorf("ParseTenant(%q) = %q, want no user info, query, fragment or opaque part", s, u)
		}
		// Only one trailing "/" is trimmed, so "https://h///" keeps "/": harmless,
		// since Fetch trims it again before it appends the passcode path.
		base := strings.TrimRight(u.String(), "/")
		if strings.HasSuffix(base, passcodePath) {
			t.Errorf("ParseTenant(%q) path = %q, want no passcode path", s, u.Path)
		}
		// The result is a base URL: parsing it again gives the same URL.
		again, err := ParseTenant(u.String())
		if err != nil || strings.TrimRight(again.String(), "/") != base {
			t.Errorf("ParseTenant(%q) = %q, but parsing that again gives %v, %v", s, u, again, err)
		}
	})
}

// secretLike reports whether s looks like a password: 8 or more bytes
// without white space, with a letter and a digit. The messages' own words
// never look like that, so finding one in a message is a leak, not chance.
func secretLike(s string) bool {
	return len(s) >= 8 && !strings.ContainsFunc(s, unicode.IsSpace) &&
		strings.ContainsFunc(s, unicode.IsLetter) && strings.ContainsFunc(s, unicode.IsDigit)
}

// userinfo returns what sits between "://" (or the start) and the last "@"
// of the authority: the credentials a pasted URL may carry.
func userinfo(s string) string {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return s[:i]
	}
	return ""
}
