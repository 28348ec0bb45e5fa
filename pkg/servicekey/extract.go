package servicekey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// fieldsWithoutBraces spots key fields pasted without the surrounding braces
// (as in the HANA cockpit tutorial, where the page lost them).
var fieldsWithoutBraces = regexp.MustCompile(`"[A-Za-z_-]+"\s*:`)

// extract finds the first JSON object in data and decodes its top level.
func extract(data []byte) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errEmpty
	}
	start := bytes.IndexByte(data, '{')
	if start < 0 {
		if fieldsWithoutBraces.Match(data) {
			return nil, fmt.Errorf(msgNoBraces, errNoJSON)
		}
		return nil, errNoJSON
	}
	start = skipHeader(data, start)
	sc := scan(data, start, -1)
	if sc.end < 0 {
		return nil, unclosed(data, start, sc)
	}
	seg := data[start : sc.end+1]
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(seg, &obj); err != nil {
		return nil, syntaxError(data, start, err)
	}
	return obj, nil
}

// skipHeader moves start, the first "{" of data, past the header lines the
// CLIs print before the key when a name in them holds braces ("Getting key
// {ci} for service instance {my-uaa} as admin..."): a "{" that is not the
// first thing on its line, whose braces close on that line around no JSON
// object with fields, is not the key's; the key then starts at the first
// "{" of a later line. A "{" whose object spans lines ("VCAP_SERVICES: {"
// as `cf env` prints it) or that holds fields on one line stays the start.
func skipHeader(data []byte, start int) int {
	for !atLineStart(data, start) {
		eol := bytes.IndexByte(data[start:], '\n')
		if eol < 0 {
			return start
		}
		eol += start
		sc := scan(data, start, eol)
		if sc.end < 0 {
			return start
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(data[start:sc.end+1], &obj) == nil && len(obj) > 0 {
			return start
		}
		next := bytes.IndexByte(data[eol:], '{')
		if next < 0 {
			return start
		}
		start = eol + next
	}
	return start
}

// atLineStart reports whether only white space comes before data[p] on its
// line.
func atLineStart(data []byte, p int) bool {
	lineStart := bytes.LastIndexByte(data[:p], '\n') + 1
	return len(bytes.TrimSpace(data[lineStart:p])) == 0
}

// unclosed explains an object whose closing brace was not found.
func unclosed(data []byte, start int, sc scanState) error {
	// An error inside the key itself (say a quote that is missing, so the
	// quotes after it pair up wrongly) is worth more than "not closed". But an
	// error in the trailer (xs prints "OK" after the key) only means the }
	// is missing.
	var obj map[string]json.RawMessage
	err := json.Unmarshal(data[start:], &obj)
	var se *json.SyntaxError
	if errors.As(err, &se) && int(se.Offset) < len(data)-start {
		p := start + int(se.Offset) - 1
		if bytes.ContainsAny(data[p:], "\"{}:") {
			return syntaxError(data, start, err)
		}
	}
	if sc.inString {
		return newSyntaxError(data, sc.stringStart, msgUnclosedStr)
	}
	return newSyntaxError(data, start, msgUnclosedObj)
}

// syntaxError turns a json error for data[start:...] into a *jsonSyntaxError.
func syntaxError(data []byte, start int, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		// Any other error from decoding into a map of raw messages would be a
		// bug; say so without the text.
		return newSyntaxError(data, start, msgCheckSyntax)
	}
	p := start + int(se.Offset) - 1 // json's Offset counts the bad byte
	if p < start {
		p = start
	}
	if p >= len(data) {
		return newSyntaxError(data, len(data), msgUnclosedObj)
	}
	q, hint := diagnose(data, start, p)
	return newSyntaxError(data, q, hint)
}

func newSyntaxError(data []byte, p int, hint string) *jsonSyntaxError {
	line, col := position(data, p)
	return &jsonSyntaxError{Line: line, Column: col, Hint: hint}
}

// position returns the 1-based line and column (in characters) of data[p].
func position(data []byte, p int) (line, col int) {
	p = min(p, len(data))
	before := data[:p]
	line = 1 + bytes.Count(before, []byte("\n"))
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[lineStart:])
}

// diagnose names the likely mistake at data[p], the byte the JSON decoder
// stopped at, by looking at what the object expected there. It returns the
// position to report, which is the start of a bare word containing p.
func diagnose(data []byte, start, p int) (int, string) {
	sc := scan(data, start, p)
	if sc.inString {
		switch {
		case data[p] == '\n' || data[p] == '\r':
			return p, msgLineBreak
		case data[p] < 0x20:
			return p, msgControlChar
		}
		return p, msgBadEscape
	}
	// The decoder may stop inside a bare word (`test` fails at the "e", as if
	// it were `true`): go back to where that word began.
	q := p
	for q > start && !isDelim(data[q-1]) {
		q--
	}
	if q != p {
		sc = scan(data, start, q)
	}
	return q, hintAt(data, q, p, sc)
}

// hintAt names the mistake for a word starting at data[q] (the decoder
// stopped at data[p]) when the scan state there is sc.
func hintAt(data []byte, q, p int, sc scanState) string {
	c := data[q]
	switch {
	case c == '\'' || data[p] == '\'':
		return msgSingleQuotes
	case isSmartQuote(data[q:]):
		return msgSmartQuotes
	}
	switch sc.expect {
	case expectKey:
		if c == '}' && sc.prev == ',' {
			return msgTrailingComma
		}
		return msgUnquotedName
	case expectValue:
		switch {
		case (c == ']' || c == '}') && sc.prev == ',':
			return msgTrailingComma
		case c == ',' || c == '}' || c == ']':
			return msgMissingValue
		}
		return msgUnquotedValue
	case expectColon:
		return msgMissingColon
	case expectCommaOrEnd:
		if c == '"' || c == '{' || c == '[' {
			return msgMissingComma
		}
		return msgMissingQuote
	}
	return msgCheckSyntax
}

// isDelim reports bytes that end a bare word in JSON.
func isDelim(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', ',', ':', '{', '}', '[', ']', '"':
		return true
	}
	return false
}

// isSmartQuote reports whether b starts with “ ” ‘ or ’.
func isSmartQuote(b []byte) bool {
	r, _ := utf8.DecodeRune(b)
	return r == '\u201c' || r == '\u201d' || r == '\u2018' || r == '\u2019'
}

// What the innermost container expects next.
type expectation int

const (
	expectNone expectation = iota // outside any object
	expectKey
	expectColon
	expectValue
	expectCommaOrEnd
)

// scanState is where a scan of JSON-ish text stopped.
type scanState struct {
	end         int         // index of the "}" closing the object at start, or -1
	inString    bool        // stopped inside a double-quoted string
	stringStart int         // index of that string's opening quote
	expect      expectation // what the innermost container expects next
	prev        byte        // last non-space byte outside strings
}

// scan walks data from the "{" at start, tracking strings (with escapes) and
// nesting, until the matching "}" or, if stop >= 0, until data[stop]. It is
// forgiving: it only needs to be right for valid JSON and good enough to
// explain invalid JSON.
func scan(data []byte, start, stop int) scanState {
	type frame struct {
		object bool
		expect expectation
	}
	st := scanState{end: -1}
	var stack []frame
	escaped := false
	limit := len(data)
	if stop >= 0 {
		limit = stop
	}
	top := func() *frame { return &stack[len(stack)-1] }
	afterValue := func() {
		if len(stack) > 0 {
			top().expect = expectCommaOrEnd
		}
	}
	for i := start; i < limit; i++ {
		b := data[i]
		if st.inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				st.inString = false
				st.prev = b
				if len(stack) > 0 && top().expect == expectKey {
					top().expect = expectColon
				} else {
					afterValue()
				}
			}
			continue
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			st.inString, st.stringStart = true, i
		case '{', '[':
			f := frame{object: b == '{', expect: expectValue}
			if f.object {
				f.expect = expectKey
			}
			stack = append(stack, f)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				st.end = i
				return st
			}
			afterValue()
		case ':':
			if top().expect == expectColon {
				top().expect = expectValue
			}
		case ',':
			if top().object {
				top().expect = expectKey
			} else {
				top().expect = expectValue
			}
		default:
			// Part of a bare word: a number, true/false/null, or a mistake.
			if top().expect == expectValue && (i+1 >= len(data) || isDelim(data[i+1])) {
				afterValue()
			}
		}
		st.prev = b
	}
	if len(stack) > 0 {
		st.expect = top().expect
	}
	return st
}
