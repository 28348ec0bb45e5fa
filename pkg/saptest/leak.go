package saptest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/secret"
)

// CheckNoLeaks fails tb when a secret, a form derived from one, or a long
// fragment of one appears in any of texts outside an ::add-mask:: line.
// Every test that runs a flow calls it on everything the run produced:
// stdout, stderr, the GITHUB_OUTPUT and GITHUB_ENV files, the dotenv file
// and error texts, each under its name.
//
// What counts as a leak, for each secret:
//   - the secret or any form [secret.Forms] returns (its lines, and the
//     %-encoded, HTML-, JSON- and base64-encoded forms a server might echo);
//   - a fragment of the secret or of one of those forms: any 16 bytes of it,
//     or half of it for a form shorter than 32 bytes (at least 6 bytes;
//     shorter forms are matched whole only). In a JWT only the signature
//     is searched for fragments: the header and the claims are encoded
//     public data that every token of an issuer shares a long prefix of,
//     and a JWT without its signature grants nothing.
//
// A line whose text starts with "::add-mask::" is skipped: that is where a
// secret is meant to be. intended maps a text's name to the secrets that
// text is meant to hold (the passcode in GITHUB_OUTPUT, the token on a
// shell's stdout); their forms are blanked in that text before the search,
// so any other secret, or the same secret in another text, still fails.
// intended naming a text that is not in texts fails too, so that a typo
// cannot switch the check off.
//
// The failure message names the text, the line, the secret's index in
// secrets and what was found; it never shows a secret. Use secrets of 8
// bytes or more: a shorter one matches ordinary words.
func CheckNoLeaks(tb TB, secrets []string, texts map[string][]byte, intended map[string][]string) {
	tb.Helper()
	var problems []string
	for name := range intended {
		if _, ok := texts[name]; !ok {
			problems = append(problems, fmt.Sprintf("intended names the text %q, which is not among the texts", name))
		}
	}
	for _, l := range findLeaks(secrets, texts, intended) {
		problems = append(problems, l.String())
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		tb.Fatalf("saptest: %d leak(s):\n\t%s", len(problems), strings.Join(problems, "\n\t"))
	}
}

// leak is one place where a secret shows.
type leak struct {
	text   string // the name of the text
	line   int    // 1-based
	secret int    // index in the secrets passed
	what   string
}

func (l leak) String() string {
	return fmt.Sprintf("%s line %d: secret #%d, %s", l.text, l.line, l.secret, l.what)
}

// blank stands in for an intended secret; no form contains it, so no window
// across it matches.
const blank = "\x00"

// fragment lengths: see CheckNoLeaks.
const (
	fragmentLen    = 16
	minFragmentLen = 6
)

var jwtShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)

func findLeaks(secrets []string, texts map[string][]byte, intended map[string][]string) []leak {
	names := make([]string, 0, len(texts))
	for name := range texts {
		names = append(names, name)
	}
	sort.Strings(names)
	var leaks []leak
	for _, name := range names {
		x := &windows{lines: cleanLines(string(texts[name]), intended[name]), bySize: map[int]map[string]int{}}
		for i, s := range secrets {
			if l, ok := findSecret(x, s); ok {
				l.text, l.secret = name, i
				leaks = append(leaks, l)
			}
		}
	}
	return leaks
}

// cleanLines splits text into lines, empties ::add-mask:: lines and blanks
// every form of the intended secrets.
func cleanLines(text string, intended []string) []string {
	var forms []string
	for _, s := range intended {
		forms = append(forms, secret.Forms(s)...)
	}
	// Longest first, so that a form containing another is blanked whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "::add-mask::") {
			lines[i] = ""
			continue
		}
		for _, f := range forms {
			line = strings.ReplaceAll(line, f, blank)
		}
		lines[i] = line
	}
	return lines
}

// windows finds fixed-size substrings in lines; it indexes every line once
// per size.
type windows struct {
	lines  []string
	bySize map[int]map[string]int // window → first line (0-based)
}

// find returns the first line holding w.
func (x *windows) find(w string) (int, bool) {
	idx, ok := x.bySize[len(w)]
	if !ok {
		idx = map[string]int{}
		for n, line := range x.lines {
			for k := 0; k+len(w) <= len(line); k++ {
				if _, seen := idx[line[k:k+len(w)]]; !seen {
					idx[line[k:k+len(w)]] = n
				}
			}
		}
		x.bySize[len(w)] = idx
	}
	n, ok := idx[w]
	return n, ok
}

// findSecret reports the first line holding secret, a form of it or a
// fragment of one.
func findSecret(x *windows, value string) (leak, bool) {
	parts := secret.Parts(value)
	forms := secret.Forms(value)
	for _, f := range forms {
		what := "an encoded form of it (secret.Forms)"
		if slices.Contains(parts, f) {
			what = "the secret itself"
		}
		for n, line := range x.lines {
			if strings.Contains(line, f) {
				return leak{line: n + 1, what: what}, true
			}
		}
	}
	for _, f := range forms {
		size := min(fragmentLen, len(f)/2)
		if size < minFragmentLen {
			continue
		}
		start := 0
		if jwtShape.MatchString(f) {
			start = strings.LastIndexByte(f, '.') + 1 // the signature only
		}
		for k := start; k+size <= len(f); k++ {
			if n, ok := x.find(f[k : k+size]); ok {
				return leak{line: n + 1, what: fmt.Sprintf("a fragment of %d bytes of it or of an encoded form", size)}, true
			}
		}
	}
	return leak{}, false
}
