package main_test

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every package under pkg/ keeps the texts it shows users in one table, its
// messages.go: a single const block whose constants are texts.
//
//   - msg… constants are messages: errors, their hints, reasons, problems
//     and fixes, warnings and notices. Each is listed in TROUBLESHOOTING.md
//     with its cause and fix (TestTroubleshootingListsEveryMessage).
//   - text… constants are the other texts users see: labels and lines of
//     `sap-ci-auth inspect` and of the step log, flow summaries. They are
//     not looked for.
//   - match… constants are texts of other programs that the code looks for
//     (a TLS alert, an nginx error page, a UAA description). They are not
//     looked for either.
//
// The code uses the constants; no other non-test file under pkg/ holds
// prose (TestTextsLiveInTables). A test reads the tables as data, so the
// check is a lookup, not a guess from the code's shape.

const (
	// minText is the shortest message worth looking for.
	minText = 15
	// maxText is how much of a longer message must appear verbatim: enough
	// to find the entry, short enough that a reworded tail can be fixed
	// with the rest of the entry.
	maxText = 40
)

// notPkg are the directories under pkg/ whose texts are not the tool's:
// the fakes, the demo (which prints their texts) and the test helpers.
var notPkg = []string{"pkg/saptest", "pkg/demo", "pkg/flow/flowtest"}

// proseAllowed are files whose prose is checked elsewhere: the --help text
// (golden file) and the outputs table (action.yml test).
var proseAllowed = []string{"pkg/app/help.go", "pkg/config/outputs.go"}

// tableEntry is one constant of a messages.go table.
type tableEntry struct {
	name, text, pos string
}

// readTables parses every messages.go under root and returns their
// constants' values (constant expressions evaluated by go/types).
func readTables(t *testing.T, root string) []tableEntry {
	t.Helper()
	var out []tableEntry
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "messages.go" {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			if g, ok := decl.(*ast.GenDecl); !ok || g.Tok != token.CONST {
				t.Errorf("%s: %s holds something other than const blocks; keep code out of the table", path, fset.Position(decl.Pos()))
			}
		}
		info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
		if _, err := (&types.Config{Importer: importer.Default()}).Check(f.Name.Name, fset, []*ast.File{f}, info); err != nil {
			return err
		}
		for id, obj := range info.Defs {
			c, ok := obj.(*types.Const)
			if !ok {
				continue
			}
			if c.Val().Kind() != constant.String {
				t.Errorf("%s: %s is not a string", path, id.Name)
				continue
			}
			out = append(out, tableEntry{name: id.Name, text: constant.StringVal(c.Val()), pos: fset.Position(id.Pos()).String()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b tableEntry) int { return strings.Compare(a.pos, b.pos) })
	return out
}

// TestTroubleshootingListsEveryMessage guards TROUBLESHOOTING.md against
// drift: every msg… constant of every table must appear there (a format
// string by its longest run without a verb; white space collapsed; at most
// maxText characters; a text shorter than minText is too generic to look
// for). Deleting one message's line from TROUBLESHOOTING.md, or adding a
// message to a table, makes it fail and print the missing texts.
func TestTroubleshootingListsEveryMessage(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("TROUBLESHOOTING.md")
	if err != nil {
		t.Fatalf("failed to read TROUBLESHOOTING.md: %v", err)
	}
	text := collapse(string(doc))
	entries := readTables(t, "pkg")
	var missing []string
	checked := 0
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.name, "text"), strings.HasPrefix(e.name, "match"):
			continue
		case !strings.HasPrefix(e.name, "msg"):
			t.Errorf("%s: %s is not a msg…, text… or match… constant", e.pos, e.name)
			continue
		}
		want := reduce(longestRun(e.text))
		if want == "" {
			continue
		}
		checked++
		if !strings.Contains(text, want) {
			missing = append(missing, want+"\t("+e.name+", "+e.pos+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("TROUBLESHOOTING.md lacks %d of %d messages; add each (its cause and fix) to the right section:\n%s",
			len(missing), checked, strings.Join(missing, "\n"))
	}
	if checked < 150 {
		// The tables hold well over 200 messages; far fewer means they
		// were not found, and the test would pass for nothing.
		t.Errorf("found %d messages in pkg/*/messages.go, want at least 150", checked)
	}
}

// TestTextsLiveInTables: outside the tables, no non-test file under pkg/
// holds prose (a string literal of three words or more and at least
// minText characters), except in a struct tag (an input's declaration),
// as the argument of panic (a programming error), or in proseAllowed. A
// message written in place would escape TestTroubleshootingListsEveryMessage.
func TestTextsLiveInTables(t *testing.T) {
	t.Parallel()
	var found []string
	files := 0
	err := filepath.WalkDir("pkg", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains(notPkg, path) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || d.Name() == "messages.go" || slices.Contains(proseAllowed, path) {
			return nil
		}
		files++
		found = append(found, prose(t, path)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 30 {
		t.Fatalf("looked at %d files under pkg/, want at least 30", files)
	}
	if len(found) > 0 {
		t.Errorf("%d texts are written in place; move each to its package's messages.go (msg… for a message, text… for another text, match… for another program's text):\n%s",
			len(found), strings.Join(found, "\n"))
	}
}

// prose lists the prose literals of the file at path, outside struct tags,
// imports and panics.
func prose(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.Field:
			// A struct tag (or a parameter list) holds no message.
			return false
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return false
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err == nil && isProse(s) {
				out = append(out, fset.Position(n.Pos()).String()+": "+strconv.Quote(s))
			}
		}
		return true
	})
	return out
}

// isProse reports whether s reads as a text for people: three words or
// more, at least minText characters.
func isProse(s string) bool {
	return utf8.RuneCountInString(s) >= minText && len(strings.Fields(s)) >= 3
}

// TestTableRules checks the rules on made-up files, so that a rule that
// stops matching is seen here and not as a silently shorter list.
func TestTableRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code := `package x

import "errors"

type S struct {
	F string ` + "`help:\"a long description in a tag is fine\"`" + `
}

func f() error {
	if false {
		panic("x: a programming error may say so in place")
	}
	return errors.New("a message written in place escapes the check")
}
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	got := prose(t, filepath.Join(dir, "x.go"))
	if len(got) != 1 || !strings.Contains(got[0], "a message written in place") {
		t.Errorf("prose() = %q, want only the message written in place", got)
	}
	table := `package x

const (
	msgPrefix = "failed to read the file"
	msgJoined = msgPrefix + ": it is not PEM"
	msgFormat = "the answer is larger than %d bytes, so it is not a passcode"
	textLabel = "client authentication"
)
`
	if err := os.WriteFile(filepath.Join(dir, "messages.go"), []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	entries := readTables(t, dir)
	var texts []string
	for _, e := range entries {
		texts = append(texts, e.name+"="+reduce(longestRun(e.text)))
	}
	want := []string{"msgPrefix=failed to read the file", "msgJoined=failed to read the file: it is not PEM",
		"msgFormat=bytes, so it is not a passcode", "textLabel=client authentication"}
	if !slices.Equal(texts, want) {
		t.Errorf("tables read as %q, want %q", texts, want)
	}
}

// verb matches a fmt verb with its flags, width and precision.
var verb = regexp.MustCompile(`%[-+# 0]*[0-9*]*(\.[0-9*]*)?[a-zA-Z%]`)

// longestRun returns the longest run of a format string without a verb;
// a text without verbs is returned as it is.
func longestRun(s string) string {
	longest := ""
	for _, run := range verb.Split(s, -1) {
		if len(strings.Trim(run, trimSet)) > len(strings.Trim(longest, trimSet)) {
			longest = run
		}
	}
	return longest
}

// trimSet is what a fragment loses at its ends: the glue around the values
// spliced into it.
const trimSet = " \t\n;:,()"

// reduce trims a text to what is looked for: glue at its ends removed,
// white space collapsed, at most maxText characters; "" when it is shorter
// than minText.
func reduce(s string) string {
	s = collapse(strings.Trim(s, trimSet))
	if utf8.RuneCountInString(s) < minText {
		return ""
	}
	if utf8.RuneCountInString(s) > maxText {
		s = string([]rune(s)[:maxText])
	}
	return s
}

// collapse replaces every run of white space with one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
