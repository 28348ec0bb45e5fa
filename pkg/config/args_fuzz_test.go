package config_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
)

// FuzzParseArgs checks ParseArgs on any command line (the fuzzed text split
// at NUL bytes into arguments): no panic, an error is one line, and an error
// never shows the value given to a secret input, however the flag was
// written.
func FuzzParseArgs(f *testing.F) {
	var secrets []string
	for _, in := range config.Inputs {
		if in.Secret {
			secrets = append(secrets, in.Name)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		_, err := config.ParseArgs(args)
		if err == nil {
			return
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\r\n") {
			t.Errorf("error spans lines: %q", msg)
		}
		for i, a := range args {
			if !strings.HasPrefix(a, "-") {
				continue
			}
			flag := strings.TrimLeft(a, "-")
			for _, name := range secrets {
				rest, ok := strings.CutPrefix(flag, name)
				if !ok {
					continue
				}
				value := strings.TrimPrefix(rest, "=")
				if rest == "" && i+1 < len(args) {
					value = args[i+1] // --client-secret VALUE
				}
				if secretLike(value) && strings.Contains(msg, value) {
					t.Errorf("error %q holds the value given to %s", msg, name)
				}
			}
		}
	})
}

// secretLike reports whether s looks like a secret: 8 or more bytes with a
// letter and a digit. The messages' own words never look like that, so
// finding one in a message is a leak, not chance.
func secretLike(s string) bool {
	return len(s) >= 8 && strings.ContainsFunc(s, unicode.IsLetter) && strings.ContainsFunc(s, unicode.IsDigit)
}
