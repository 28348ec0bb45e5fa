package saptest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

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
//   - any of those in a line once decoded the ways a server may have
//     encoded it: HTML entities (named, decimal, hex), percent-encoding
//     (with or without + for a space), JSON and other backslash escapes
//     (\u0027, \x27), and base64 runs, these on top of each other up to
//     three deep (see decodedLines; the decoders are the standard
//     library's and regexps, apart from pkg/secret's, so that the checker
//     does not agree with the code by construction);
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
		lines := cleanLines(string(texts[name]), intended[name])
		x := &windows{lines: lines, bySize: map[int]map[string]int{}}
		var decoded *windows
		for i, s := range secrets {
			l, ok := findSecret(x, s)
			if !ok {
				if decoded == nil {
					d, from := decodedLines(lines)
					decoded = &windows{lines: d, lineOf: from, bySize: map[int]map[string]int{}}
				}
				if l, ok = findSecret(decoded, s); ok {
					l.what += ", once decoded"
				}
			}
			if ok {
				l.text, l.secret = name, i
				leaks = append(leaks, l)
			}
		}
	}
	return leaks
}

// Limits of decodedLines.
const (
	// maxDecodedLine is the longest line decoded: messages are short, and
	// a long line is an output's value.
	maxDecodedLine = 64 << 10
	// decodeRounds is how many decoders are applied one on another.
	decodeRounds = 3
	// maxVariants bounds the decoded texts of one line.
	maxVariants = 64
)

var (
	percentEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	// backslashEscape is a UTF-16 surrogate pair, \u, \x or a quoted
	// character.
	backslashEscape = regexp.MustCompile(`\\u[dD][89abAB][0-9A-Fa-f]{2}\\u[dD][c-fC-F][0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\[\\/"']`)
	base64Run       = regexp.MustCompile(`[A-Za-z0-9+/_-]{8,}`)
)

// lineDecoders are the ways a whole line is decoded.
var lineDecoders = []func(string) string{
	html.UnescapeString,
	unpercent,
	func(s string) string { return unpercent(strings.ReplaceAll(s, "+", " ")) },
	unbackslash,
}

// unpercent decodes every %XX of s and leaves the rest, as a lenient
// server does (url.PathUnescape refuses a line with a stray %).
func unpercent(s string) string {
	return percentEscape.ReplaceAllStringFunc(s, func(m string) string {
		b, _ := hex.DecodeString(m[1:])
		return string(b)
	})
}

// unbackslash decodes JSON's and JavaScript's escapes.
func unbackslash(s string) string {
	return backslashEscape.ReplaceAllStringFunc(s, func(m string) string {
		switch m[1] {
		case 'u':
			hi, _ := strconv.ParseUint(m[2:6], 16, 32)
			if len(m) == 12 {
				lo, _ := strconv.ParseUint(m[8:12], 16, 32)
				return string(utf16.DecodeRune(rune(hi), rune(lo)))
			}
			return string(rune(hi))
		case 'x':
			b, _ := hex.DecodeString(m[2:])
			return string(b)
		}
		return m[1:]
	})
}

// unbase64 decodes each base64 run of s (either alphabet, padded or not) at
// each of the four offsets it may start at.
func unbase64(s string) []string {
	var out []string
	for _, run := range base64Run.FindAllString(s, -1) {
		run = strings.NewReplacer("-", "+", "_", "/").Replace(run)
		for off := range 4 {
			r := run[off:]
			if len(r)%4 == 1 {
				r = r[:len(r)-1] // a lone last character holds no whole byte
			}
			if b, err := base64.RawStdEncoding.DecodeString(r); err == nil && len(b) > 0 {
				out = append(out, string(b))
			}
		}
	}
	return out
}

// decodedLines returns the texts the decoders make of each line (not the
// lines themselves), and for each the index of its line.
func decodedLines(lines []string) ([]string, []int) {
	var out []string
	var from []int
	for n, line := range lines {
		if len(line) > maxDecodedLine {
			continue
		}
		seen := map[string]bool{line: true}
		current := []string{line}
		for range decodeRounds {
			var next []string
			for _, v := range current {
				candidates := unbase64(v)
				for _, dec := range lineDecoders {
					candidates = append(candidates, dec(v))
				}
				for _, c := range candidates {
					if !seen[c] && len(seen) < maxVariants {
						seen[c] = true
						next = append(next, c)
						out, from = append(out, c), append(from, n)
					}
				}
			}
			current = next
		}
	}
	return out, from
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
	lines []string
	// lineOf maps an index of lines to the line of the text it came from;
	// nil when lines are the text's.
	lineOf []int
	bySize map[int]map[string]int // window → first line (0-based)
}

// line is the 0-based line of the text that lines[n] is or came from.
func (x *windows) line(n int) int {
	if x.lineOf == nil {
		return n
	}
	return x.lineOf[n]
}

// find returns the first line holding w, an index of lines.
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
				return leak{line: x.line(n) + 1, what: what}, true
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
				return leak{line: x.line(n) + 1, what: fmt.Sprintf("a fragment of %d bytes of it or of an encoded form", size)}, true
			}
		}
	}
	return leak{}, false
}
