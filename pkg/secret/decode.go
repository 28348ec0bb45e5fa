package secret

import (
	"encoding/base64"
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// A server may echo a secret in any encoding a web framework applies: HTML
// entities (&quot; &#x27; &#39;), percent-encoding (of every byte, in upper
// or lower case hex, + for a space), JSON or JavaScript escapes (\u0027),
// base64, and any of these on top of another (percent-encoding of an
// HTML-escaped form). A runner's mask is a literal match, and the space of
// escapes is open, so more masks cannot close it. Instead [Redact] decodes
// the server's text every way it could have been encoded, in layers, keeps
// for every decoded byte the bytes of the original it came from, and looks
// for each secret in every layer: a secret found there is replaced by ***
// where its encoded form stands in the original.
//
// The work is bounded so that a hostile answer cannot make it slow: the
// text is cut at maxRedactLen bytes, single decoders are combined at most
// maxDepth deep, the all-at-once decoder runs at most maxChain times, and
// base64 is decoded once per layer.
const (
	// maxRedactLen is the most of a text Redact looks at; a longer text is
	// cut there (at a character boundary) and ends in "…". Messages show at
	// most 1000 characters of a server's text.
	maxRedactLen = 4096
	// maxDepth is how many single decoders are combined, in every order.
	maxDepth = 2
	// maxChain is how many times the all-at-once decoder is applied to a
	// text: percent-encoding (and the others) decoded until stable.
	maxChain = 8
	// minBase64Run is the shortest run of base64 characters decoded.
	minBase64Run = 8
	// minBase64Match is the shortest secret looked for in decoded base64,
	// whose bytes are mostly noise.
	minBase64Match = 6
)

// span is where a byte of a decoded text came from: the bytes [lo, hi) of
// the original text.
type span struct{ lo, hi int32 }

// piece is a decoded text and, for each of its bytes, where it came from.
type piece struct {
	text string
	from []span
}

// layer is one way of decoding the original text: one piece, or for
// base64 one piece per decoded run.
type layer struct {
	pieces []piece
	// base64 is set for decoded base64, whose short matches are noise.
	base64 bool
}

// unescaper decodes the escape at s[i], if there is one: the decoded text
// and the number of bytes of s it stood for; n is 0 when s[i] starts no
// escape.
type unescaper func(s string, i int) (out string, n int)

// decode applies the unescapers to p in one pass, from left to right (at
// each byte the first unescaper that matches), and reports whether any
// escape was decoded.
func decode(p piece, us ...unescaper) (piece, bool) {
	var b strings.Builder
	from := make([]span, 0, len(p.from))
	changed := false
	for i := 0; i < len(p.text); {
		matched := false
		for _, u := range us {
			out, n := u(p.text, i)
			if n == 0 {
				continue
			}
			sp := span{p.from[i].lo, p.from[i+n-1].hi}
			b.WriteString(out)
			for range len(out) {
				from = append(from, sp)
			}
			i += n
			matched, changed = true, true
			break
		}
		if !matched {
			b.WriteByte(p.text[i])
			from = append(from, p.from[i])
			i++
		}
	}
	return piece{text: b.String(), from: from}, changed
}

// maxEntityLen is the longest HTML character reference looked at
// (&CounterClockwiseContourIntegral; is 33 bytes).
const maxEntityLen = 40

// entity decodes an HTML character reference: named (&quot; and the
// legacy forms without the semicolon), decimal (&#39;) or hex (&#x27;).
func entity(s string, i int) (string, int) {
	if s[i] != '&' {
		return "", 0
	}
	j := i + 1
	numeric := j < len(s) && s[j] == '#'
	if numeric {
		j++
	}
	// A numeric reference may have any number of leading zeros.
	for j < len(s) && (numeric || j-i < maxEntityLen) && isAlnum(s[j]) {
		j++
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	if j-i < 3 {
		return "", 0
	}
	ref := s[i:j]
	out := html.UnescapeString(ref)
	if out == ref {
		return "", 0
	}
	return out, j - i
}

// percent decodes %XX in either case; plus also decodes + as a space, as
// in a query or a form.
func percent(plus bool) unescaper {
	return func(s string, i int) (string, int) {
		switch {
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			return string([]byte{unhex(s[i+1])<<4 | unhex(s[i+2])}), 3
		case plus && s[i] == '+':
			return " ", 1
		}
		return "", 0
	}
}

// backslash decodes the escapes of JSON and JavaScript strings (\u0027,
// surrogate pairs, \" \\ \/ \n …) and those of Go, C and Python (\x27,
// \U0001F600, \047, \').
func backslash(s string, i int) (string, int) {
	if s[i] != '\\' || i+1 >= len(s) {
		return "", 0
	}
	switch c := s[i+1]; c {
	case 'u':
		r, ok := hexRune(s, i+2, 4)
		if !ok {
			return "", 0
		}
		if 0xD800 <= r && r < 0xDC00 && strings.HasPrefix(s[i+6:], `\u`) {
			if lo, ok := hexRune(s, i+8, 4); ok && 0xDC00 <= lo && lo < 0xE000 {
				return string(0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)), 12
			}
		}
		return string(r), 6
	case 'U':
		r, ok := hexRune(s, i+2, 8)
		if !ok || !utf8.ValidRune(r) {
			return "", 0
		}
		return string(r), 10
	case 'x':
		r, ok := hexRune(s, i+2, 2)
		if !ok {
			return "", 0
		}
		return string([]byte{byte(r)}), 4
	case '0', '1', '2', '3':
		if i+4 > len(s) || !isOctal(s[i+2]) || !isOctal(s[i+3]) {
			return "", 0
		}
		return string([]byte{(c-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')}), 4
	case '"', '\\', '/', '\'':
		return string(c), 2
	case 'a':
		return "\a", 2
	case 'v':
		return "\v", 2
	case 'n':
		return "\n", 2
	case 't':
		return "\t", 2
	case 'r':
		return "\r", 2
	case 'b':
		return "\b", 2
	case 'f':
		return "\f", 2
	}
	return "", 0
}

// hexRune reads n hex digits of s at i.
func hexRune(s string, i, n int) (rune, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var r rune
	for k := i; k < i+n; k++ {
		if !isHex(s[k]) {
			return 0, false
		}
		r = r<<4 | rune(unhex(s[k]))
	}
	return r, true
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isBase64 reports whether c belongs to the standard or the URL alphabet.
func isBase64(c byte) bool {
	return isAlnum(c) || c == '+' || c == '/' || c == '-' || c == '_'
}

// base64Pieces decodes every run of base64 characters in p (either
// alphabet, padded or not) at each of the four offsets a run may start at
// (a word glued to the front shifts it), each as a piece of its own.
func base64Pieces(p piece) []piece {
	var out []piece
	for i := 0; i < len(p.text); {
		if !isBase64(p.text[i]) {
			i++
			continue
		}
		j := i
		for j < len(p.text) && isBase64(p.text[j]) {
			j++
		}
		if j-i >= minBase64Run {
			for off := range 4 {
				if q, ok := base64Piece(p, i+off, j); ok {
					out = append(out, q)
				}
			}
		}
		i = j
	}
	return out
}

// base64Piece decodes p.text[i:j] as unpadded base64; each decoded byte
// comes from the characters that hold its bits.
func base64Piece(p piece, i, j int) (piece, bool) {
	if (j-i)%4 == 1 {
		j-- // a lone last character holds no whole byte
	}
	if j-i < 2 {
		return piece{}, false
	}
	std := strings.Map(func(r rune) rune {
		switch r {
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return r
	}, p.text[i:j])
	b, err := base64.RawStdEncoding.DecodeString(std)
	if err != nil || len(b) == 0 {
		return piece{}, false
	}
	from := make([]span, len(b))
	for k := range b {
		first, last := i+8*k/6, i+(8*k+7)/6
		from[k] = span{p.from[first].lo, p.from[last].hi}
	}
	return piece{text: string(b), from: from}, true
}

// layers returns the ways text may have been encoded, decoded: text
// itself; every combination of the single decoders (HTML entities,
// percent-encoding with and without + as a space, backslash escapes) up to
// maxDepth deep; the all-at-once decoders applied until stable; the base64
// runs of each of those; and the all-at-once decoders applied to those
// runs (base64 of a percent-encoded value, as in a Basic header).
func layers(text string) []layer {
	orig := piece{text: text, from: make([]span, len(text))}
	for i := range orig.from {
		orig.from[i] = span{int32(i), int32(i + 1)}
	}
	out := []layer{{pieces: []piece{orig}}}
	seen := map[string]bool{text: true}
	add := func(p piece) bool {
		if seen[p.text] {
			return false
		}
		seen[p.text] = true
		out = append(out, layer{pieces: []piece{p}})
		return true
	}
	singles := []unescaper{entity, percent(false), percent(true), backslash}
	frontier := []piece{orig}
	for range maxDepth {
		var next []piece
		for _, p := range frontier {
			for _, u := range singles {
				if q, ok := decode(p, u); ok && add(q) {
					next = append(next, q)
				}
			}
		}
		frontier = next
	}
	alls := [][]unescaper{{entity, percent(false), backslash}, {entity, percent(true), backslash}}
	for _, all := range alls {
		p := orig
		for range maxChain {
			q, ok := decode(p, all...)
			if !ok {
				break
			}
			add(q)
			p = q
		}
	}
	texts := len(out)
	for _, l := range out[:texts] {
		runs := base64Pieces(l.pieces[0])
		if len(runs) == 0 {
			continue
		}
		out = append(out, layer{pieces: runs, base64: true})
		// Decoded runs once more, all at once, until stable.
		for _, all := range alls {
			rs := runs
			for range maxChain / 2 {
				var next []piece
				for _, r := range rs {
					if q, ok := decode(r, all...); ok {
						next = append(next, q)
					}
				}
				if len(next) == 0 {
					break
				}
				out = append(out, layer{pieces: next, base64: true})
				rs = next
			}
		}
	}
	return out
}

// finder looks for secrets in the layers of a text.
type finder struct {
	// whole are the values to find whole, longest first.
	whole []string
	// frags are the parts whose fragments make a leak, and how many
	// windows (fragments) they have in all.
	frags    []frag
	nWindows int
	// windows are the fragments of frags by their first 8 bytes, built
	// when first needed.
	windows map[uint64][]string
}

// frag is a part of a secret and the size of its fragments that make a
// leak (see fragmentSize), at least 8.
type frag struct {
	part string
	n    int
}

// newFinder prepares the search for secrets: each whole, its white space
// collapsed, each of its parts, and the fragments of its parts.
func newFinder(secrets []string) *finder {
	f := &finder{}
	seenWhole, seenFrag := map[string]bool{}, map[string]bool{}
	addWhole := func(s string) bool {
		if s == "" || seenWhole[s] {
			return false
		}
		seenWhole[s] = true
		f.whole = append(f.whole, s)
		return true
	}
	for _, s := range secrets {
		if strings.TrimSpace(s) == "" {
			continue
		}
		// The whole value too: Parts leaves out the short lines of a
		// multi-line secret, which together still give it away.
		addWhole(s)
		if collapsed := strings.Join(strings.Fields(s), " "); collapsed != s && len(collapsed) >= minFormLen {
			addWhole(collapsed)
		}
		for _, p := range Parts(s) {
			addWhole(p)
			if seenFrag[p] {
				continue
			}
			seenFrag[p] = true
			if n := fragmentSize(p); n >= minFormLen { // a short part is only found whole
				f.frags = append(f.frags, frag{p, n})
				f.nWindows += len(p) - n + 1
			}
		}
	}
	slices.SortStableFunc(f.whole, func(a, b string) int { return len(b) - len(a) })
	return f
}

// key8 is the first 8 bytes of s (at least 8 long) as a number.
func key8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// fragmentSize is how many bytes of part p make a leak: half of it, but
// at least 8 and at most 16 bytes (all of a part shorter than 8).
func fragmentSize(p string) int {
	return min(len(p), max(minFormLen, min(fragmentLen, len(p)/2)))
}

// find returns where in the original text each whole secret stands, in
// any layer; when none does, whether a fragment of one is left in any
// layer.
func (f *finder) find(ls []layer) (spans []span, fragment bool) {
	for _, l := range ls {
		for _, p := range l.pieces {
			for _, w := range f.whole {
				if l.base64 && len(w) < minBase64Match {
					continue
				}
				for at := 0; ; {
					k := strings.Index(p.text[at:], w)
					if k < 0 {
						break
					}
					at += k
					spans = append(spans, span{p.from[at].lo, p.from[at+len(w)-1].hi})
					at++
				}
			}
		}
	}
	if len(spans) > 0 {
		return spans, false
	}
	return nil, f.fragment(ls)
}

// fragment reports whether a fragment of a part is in any layer. It
// indexes the smaller side by 8-byte prefixes: the fragments of the parts
// (as a rule), or the layers' text when the parts are larger (a hostile
// answer's 1 MiB "token").
func (f *finder) fragment(ls []layer) bool {
	var pieces []string
	size := 0
	for _, l := range ls {
		for _, p := range l.pieces {
			if len(p.text) >= minFormLen {
				pieces = append(pieces, p.text)
				size += len(p.text)
			}
		}
	}
	if f.windows != nil || f.nWindows <= size {
		if f.windows == nil {
			f.windows = map[uint64][]string{}
			seen := map[string]bool{}
			for _, fr := range f.frags {
				for i := 0; i+fr.n <= len(fr.part); i++ {
					if w := fr.part[i : i+fr.n]; !seen[w] {
						seen[w] = true
						f.windows[key8(w)] = append(f.windows[key8(w)], w)
					}
				}
			}
		}
		for _, t := range pieces {
			for i := 0; i+8 <= len(t); i++ {
				for _, w := range f.windows[key8(t[i:])] {
					if strings.HasPrefix(t[i:], w) {
						return true
					}
				}
			}
		}
		return false
	}
	type at struct{ piece, off int32 }
	index := map[uint64][]at{}
	for n, t := range pieces {
		for i := 0; i+8 <= len(t); i++ {
			index[key8(t[i:])] = append(index[key8(t[i:])], at{int32(n), int32(i)})
		}
	}
	for _, fr := range f.frags {
		for i := 0; i+fr.n <= len(fr.part); i++ {
			w := fr.part[i : i+fr.n]
			for _, a := range index[key8(w)] {
				if strings.HasPrefix(pieces[a.piece][a.off:], w) {
					return true
				}
			}
		}
	}
	return false
}

// replaceSpans replaces the bytes of text in spans, merged where they
// overlap, with "***".
func replaceSpans(text string, spans []span) string {
	slices.SortFunc(spans, func(a, b span) int { return int(a.lo - b.lo) })
	var b strings.Builder
	at := int32(0)
	for i := 0; i < len(spans); {
		lo, hi := spans[i].lo, spans[i].hi
		for i++; i < len(spans) && spans[i].lo < hi; i++ {
			hi = max(hi, spans[i].hi)
		}
		b.WriteString(text[at:lo])
		b.WriteString("***")
		at = hi
	}
	b.WriteString(text[at:])
	return b.String()
}

// cut shortens text to at most maxRedactLen bytes at a character
// boundary, marked with "…".
func cut(text string) string {
	if len(text) <= maxRedactLen {
		return text
	}
	n := maxRedactLen
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n] + "…"
}
