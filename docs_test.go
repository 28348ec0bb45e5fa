package main_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTroubleshootingListsEveryMessage guards TROUBLESHOOTING.md against
// drift: every user-visible error, warning and hint text in the code under
// pkg/ must appear there, so that a new or reworded message cannot ship
// undocumented. It parses the sources with go/parser (no build, no run) and
// collects the string literals that reach users (see collectMessages for
// the rules), then looks for each in the markdown. Deleting one message's
// line from TROUBLESHOOTING.md, or adding a new fmt.Errorf in pkg/oauth,
// makes it fail and print the missing texts, ready to paste.
//
// What is compared: a text shorter than minText characters is skipped (too
// generic to find); a format string contributes its longest run without a
// verb; a longer text only its first maxText characters. White space is
// collapsed on both sides, so the markdown may wrap lines.
func TestTroubleshootingListsEveryMessage(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("TROUBLESHOOTING.md")
	if err != nil {
		t.Fatalf("failed to read TROUBLESHOOTING.md: %v", err)
	}
	text := collapse(string(doc))
	msgs, err := collectMessages("pkg")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 150 {
		// The code holds well over 200 such texts; far fewer means the
		// collector broke, and the test would pass for nothing.
		t.Fatalf("collected %d messages from pkg/, want at least 150: the collector no longer sees them", len(msgs))
	}
	var missing []string
	used := map[string]bool{}
	for _, m := range msgs {
		if k, ok := internal(m.text); ok {
			used[k] = true
			continue
		}
		if !strings.Contains(text, m.text) {
			missing = append(missing, m.text+"\t("+m.pos+")")
		}
	}
	for k := range internalTexts {
		if !used[k] {
			t.Errorf("internalTexts holds %q, which the code no longer has; remove it", k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("TROUBLESHOOTING.md lacks %d of %d message texts; add each (its cause and fix) to the right section:\n%s",
			len(missing), len(msgs), strings.Join(missing, "\n"))
	}
}

// TestCollectMessagesRules checks the collector on a made-up file, so that
// a rule that stops matching is seen here and not as a silently shorter
// list.
func TestCollectMessagesRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package x

import ("errors"; "fmt")

const lockoutWarning = "; do not re-run blindly: repeated failures lock"
const reasonTimeout = "no answer within the timeout: check the URL"
const short = "not collected at all, its name says nothing"

var errX = errors.New("the token answer is larger than allowed")

type E struct{ Hint, Reason, Problem, Fix string }

func (e *E) Error() string { return "token request failed in Error()" }

func statusReason(s int) string {
	if s == 1 {
		return "too many requests (IAS allows 50 per second)"
	}
	return "short"
}

func expires() (n int, ok bool, warning string) {
	return 0, false, "the answer's expires_in is not a number; ignored"
}

func f(e *E, s interface{ Missing(a, b string) error; Warning(string) }, name string) error {
	_ = &E{Hint: "a requested scope is not allowed for this client; fix the scope, or leave it empty"}
	_ = E{Problem: name + " changes how later steps run and cannot receive a credential", Fix: "choose another variable name"}
	e.Reason = fmt.Sprintf("the answer is larger than %d bytes, so it is not a passcode", 5)
	_ = s.Missing("username", "name the user for the password grant")
	s.Warning(fmt.Sprintf("%s is not used by the %s flow; it is ignored", name, name))
	var warnings []string
	warnings = append(warnings, "dotenv-file: the file holds too many variables")
	fail := func(p string) error { return nil }
	_ = fail("permission denied reading the file")
	return fmt.Errorf("verify-url answered %s%s: the API does not accept the token; check: %w", name, name, errX)
}

func g(e *E, x509 bool) {
	bad := "client-id or client-secret is wrong; check them"
	if x509 {
		bad = "the client certificate was not accepted by the server"
	}
	e.Hint = bad
	problem := "missing: the service key is an X.509 key"
	_ = problem
}
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	msgs, err := collectMessages(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.text)
	}
	want := []string{
		"do not re-run blindly: repeated failures", // 40 characters of a long constant
		"no answer within the timeout: check the ",
		"the token answer is larger than allowed",
		"token request failed in Error",
		"too many requests (IAS allows 50 per sec",
		"the answer's expires_in is not a number;",
		"a requested scope is not allowed for thi",
		"changes how later steps run and cannot r",
		"choose another variable name",
		"bytes, so it is not a passcode", // the longest run between verbs
		"name the user for the password grant",
		"flow; it is ignored",
		"dotenv-file: the file holds too many var",
		"permission denied reading the file",
		"the API does not accept the token; check", // between verbs, glue trimmed
		"client-id or client-secret is wrong; che", // through a variable
		"the client certificate was not accepted ", // its other value
		"missing: the service key is an X.509 key", // a local named problem
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("collectMessages() lacks %q\ngot %q", w, got)
		}
	}
	for _, g := range got {
		if strings.Contains(g, "not collected") || g == "short" {
			t.Errorf("collectMessages() took %q, which no rule names", g)
		}
	}
}

const (
	// minText is the shortest text worth looking for.
	minText = 15
	// maxText is how much of a longer text must appear verbatim: enough to
	// find the entry, short enough that a reworded tail can be fixed with
	// the rest of the entry.
	maxText = 40
)

// internalTexts are collected by the rules but never reach a user: the
// caller maps the error to another message first. Each says where; an entry
// that no longer matches a collected text fails the test, so the list
// cannot outlive its reason.
var internalTexts = map[string]string{
	"decoding took too long":       "pkg/flow: errSlowParse, reported as \"could not be decoded within the timeout\"",
	"service key field is missing": "pkg/servicekey: ErrMissingField, a sentinel for errors.Is; the message is the *fieldError's",
}

// message is one collected text and where it was found.
type message struct {
	text, pos string
}

// Names that mark a user-visible text.
var (
	// textField are struct fields that hold a message part:
	// config.InputError{Problem, Fix}, oauth.tokenError.Hint, ias.requestError.Reason,
	// transport.explainedError.Reason, servicekey.fieldError{Reason, Hint}.
	textField = map[string]bool{"Hint": true, "Reason": true, "Problem": true, "Fix": true}
	// textName matches constants, variables and functions whose name says
	// they hold or return a message: lockoutWarning, roleHint,
	// reasonTimeout, hintUnquotedValue, statusReason, certProblem.
	textName = regexp.MustCompile(`(?i)(^(hint|reason|warning|problem)|(hint|reason|warning|problem)s?$)`)
	// logMethods are the sink and flow.Env methods that print a message.
	logMethods = map[string]bool{"Warning": true, "Warn": true, "Error": true, "Notice": true}
	// verb matches a fmt verb with its flags, width and precision.
	verb = regexp.MustCompile(`%[-+# 0]*[0-9*]*(\.[0-9*]*)?[a-zA-Z%]`)
)

// collectMessages parses every non-test .go file under root, except the
// fakes (pkg/saptest) and the demo (pkg/demo), whose texts are not the
// tool's, and returns the user-visible texts found by these rules:
//
//   - the value of a Hint, Reason, Problem or Fix field in a composite
//     literal, and of an assignment to such a field (e.Hint = …);
//   - the value of a constant or variable whose name starts or ends with
//     hint, reason, warning or problem (lockoutWarning, reasonTimeout,
//     a local problem := …);
//   - the first argument of fmt.Errorf and errors.New;
//   - what a function whose name says so returns (statusReason,
//     certProblem, StatusHint), every literal of an Error() method, and a
//     returned value in the position of a result named warning;
//   - the argument of a Warning, Warn, Error or Notice call, the second
//     argument of Missing, the arguments of a local fail(...) helper, and
//     what is appended to a slice named warnings.
//
// In each of these places a value may be a literal, a + concatenation, a
// fmt.Sprintf, or a variable of the same function or package, whose
// assigned values count (badClient := "…"; Hint: badClient). Each text is
// reduced as described at [TestTroubleshootingListsEveryMessage] and
// listed once, in file order.
func collectMessages(root string) ([]message, error) {
	dirs := map[string][]string{}
	var order []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "saptest" || d.Name() == "demo" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dir := filepath.Dir(path)
			if dirs[dir] == nil {
				order = append(order, dir)
			}
			dirs[dir] = append(dirs[dir], path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c := &collector{fset: token.NewFileSet(), seen: map[string]bool{}}
	for _, dir := range order {
		var files []*ast.File
		pkgVars := map[string][]ast.Expr{}
		for _, path := range dirs[dir] {
			f, err := parser.ParseFile(c.fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok {
					assigned(g, pkgVars)
				}
			}
		}
		for _, f := range files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.GenDecl:
					c.vars = pkgVars
					c.inspect(d)
				case *ast.FuncDecl:
					// A function's own variables first, then the package's.
					locals := map[string][]ast.Expr{}
					if d.Body != nil {
						assigned(d.Body, locals)
					}
					for k, v := range pkgVars {
						if _, ok := locals[k]; !ok {
							locals[k] = v
						}
					}
					c.vars = locals
					c.returns(d)
					c.inspect(d)
				}
			}
		}
	}
	return c.out, nil
}

// assigned records, by name, every value assigned to a variable or
// constant in n (var, const, :=, =).
func assigned(n ast.Node, vars map[string][]ast.Expr) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) {
					vars[name.Name] = append(vars[name.Name], n.Values[i])
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); ok {
					vars[id.Name] = append(vars[id.Name], n.Rhs[i])
				}
			}
		}
		return true
	})
}

// collector gathers the texts of one run of collectMessages.
type collector struct {
	fset *token.FileSet
	out  []message
	seen map[string]bool
	// vars are the values assigned to each name in the current scope.
	vars map[string][]ast.Expr
}

// add records the texts of e, found at n.
func (c *collector) add(n ast.Node, e ast.Expr) {
	c.addTexts(n, c.texts(e, nil))
}

func (c *collector) addTexts(n ast.Node, texts []string) {
	for _, s := range texts {
		s = reduce(s)
		if s == "" || c.seen[s] {
			continue
		}
		c.seen[s] = true
		p := c.fset.Position(n.Pos())
		c.out = append(c.out, message{text: s, pos: filepath.ToSlash(p.Filename) + ":" + strconv.Itoa(p.Line)})
	}
}

// inspect applies the rules for fields, names and calls inside n.
func (c *collector) inspect(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && textField[id.Name] {
				c.add(n, n.Value)
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, lhs := range n.Lhs {
				switch lhs := lhs.(type) {
				case *ast.SelectorExpr:
					if textField[lhs.Sel.Name] {
						c.add(n, n.Rhs[i])
					}
				case *ast.Ident:
					if textName.MatchString(lhs.Name) {
						c.add(n, n.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if textName.MatchString(name.Name) && i < len(n.Values) {
					c.add(n, n.Values[i])
				}
			}
		case *ast.CallExpr:
			c.call(n)
		}
		return true
	})
}

// returns applies the rules for what functions return.
func (c *collector) returns(fn *ast.FuncDecl) {
	if fn.Body == nil {
		return
	}
	// An Error method of an error type (not a sink's Error(msg)).
	isError := fn.Recv != nil && fn.Name.Name == "Error" && fn.Type.Params.NumFields() == 0
	byName := textName.MatchString(fn.Name.Name)
	// Positions of results named warning, hint, reason or problem.
	var named []int
	if fn.Type.Results != nil {
		i := 0
		for _, field := range fn.Type.Results.List {
			if len(field.Names) == 0 {
				i++
				continue
			}
			for _, name := range field.Names {
				if textName.MatchString(name.Name) {
					named = append(named, i)
				}
				i++
			}
		}
	}
	if !isError && !byName && len(named) == 0 {
		return
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for i, r := range n.Results {
				if isError || byName || slices.Contains(named, i) {
					c.add(n, r)
				}
			}
		case *ast.BasicLit:
			// An Error method's every literal is part of its text, however
			// it is built (Sprintf, WriteString, +=); a format contributes
			// its longest run without a verb.
			if isError {
				c.addTexts(n, formatTexts(c.texts(n, nil)))
			}
		}
		return true
	})
}

// call applies the rules for calls.
func (c *collector) call(call *ast.CallExpr) {
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		pkg, _ := fun.X.(*ast.Ident)
		switch {
		case pkg != nil && pkg.Name == "fmt" && fun.Sel.Name == "Errorf" && len(call.Args) > 0:
			c.addTexts(call, formatTexts(c.texts(call.Args[0], nil)))
		case pkg != nil && pkg.Name == "errors" && fun.Sel.Name == "New" && len(call.Args) > 0:
			c.add(call, call.Args[0])
		case logMethods[fun.Sel.Name] && len(call.Args) == 1:
			c.add(call, call.Args[0])
		case fun.Sel.Name == "Missing" && len(call.Args) == 2:
			c.add(call, call.Args[1])
		}
	case *ast.Ident:
		switch {
		case fun.Name == "fail":
			for _, a := range call.Args {
				c.add(call, a)
			}
		case fun.Name == "append" && len(call.Args) > 1 && isWarnings(call.Args[0]):
			for _, a := range call.Args[1:] {
				c.add(call, a)
			}
		}
	}
}

// isWarnings reports whether e is a slice called warnings (or X.Warnings).
func isWarnings(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return strings.EqualFold(e.Name, "warnings")
	case *ast.SelectorExpr:
		return strings.EqualFold(e.Sel.Name, "warnings")
	}
	return false
}

// texts returns the literal text parts of e: a string literal, each
// literal operand of a + concatenation, the runs of a fmt.Sprintf or
// fmt.Errorf format, and the values assigned to a variable (visiting each
// name once, so that x = x + "…" ends).
func (c *collector) texts(e ast.Expr, visited map[string]bool) []string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			if s, err := strconv.Unquote(e.Value); err == nil {
				return []string{s}
			}
		}
	case *ast.Ident:
		if visited[e.Name] || c.vars[e.Name] == nil {
			return nil
		}
		if visited == nil {
			visited = map[string]bool{}
		}
		visited[e.Name] = true
		var out []string
		for _, v := range c.vars[e.Name] {
			out = append(out, c.texts(v, visited)...)
		}
		return out
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return append(c.texts(e.X, visited), c.texts(e.Y, visited)...)
		}
	case *ast.ParenExpr:
		return c.texts(e.X, visited)
	case *ast.UnaryExpr:
		return c.texts(e.X, visited)
	case *ast.CompositeLit:
		var out []string
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			out = append(out, c.texts(el, visited)...)
		}
		return out
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" && (sel.Sel.Name == "Sprintf" || sel.Sel.Name == "Errorf") && len(e.Args) > 0 {
				return formatTexts(c.texts(e.Args[0], visited))
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "errors" && sel.Sel.Name == "New" && len(e.Args) > 0 {
				return c.texts(e.Args[0], visited)
			}
		}
	}
	return nil
}

// formatTexts returns the longest run without a verb of each format.
func formatTexts(formats []string) []string {
	var out []string
	for _, s := range formats {
		longest := ""
		for _, run := range verb.Split(s, -1) {
			if len(strings.Trim(run, trimSet)) > len(strings.Trim(longest, trimSet)) {
				longest = run
			}
		}
		out = append(out, longest)
	}
	return out
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

// internal returns the key of internalTexts that reduces to s.
func internal(s string) (string, bool) {
	for k := range internalTexts {
		if reduce(k) == s {
			return k, true
		}
	}
	return "", false
}

// collapse replaces every run of white space with one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// TestMarkdownLinks checks that every link from README.md and
// TROUBLESHOOTING.md to a section (#anchor, or FILE.md#anchor between the
// two) names a heading that exists, with GitHub's anchor rules, and that a
// link to a file of the repository names one that exists.
func TestMarkdownLinks(t *testing.T) {
	t.Parallel()
	files := []string{"README.md", "TROUBLESHOOTING.md"}
	anchors := map[string]map[string]bool{}
	texts := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("failed to read %s: %v", f, err)
		}
		texts[f] = string(b)
		anchors[f] = map[string]bool{}
		inFence := false
		for line := range strings.Lines(string(b)) {
			if strings.HasPrefix(line, "```") {
				inFence = !inFence
			}
			if !inFence && strings.HasPrefix(line, "#") {
				anchors[f][githubAnchor(strings.TrimLeft(strings.TrimSpace(line), "# "))] = true
			}
		}
	}
	link := regexp.MustCompile(`\]\(([^)\s]*)\)`)
	for _, f := range files {
		for _, m := range link.FindAllStringSubmatch(texts[f], -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			if file == "" {
				file = f
			}
			if _, err := os.Stat(file); err != nil {
				t.Errorf("%s links to %q: no such file", f, target)
				continue
			}
			if anchor == "" {
				continue
			}
			if a, ok := anchors[file]; !ok {
				t.Errorf("%s links to %q: anchors are checked only in %v", f, target, files)
			} else if !a[anchor] {
				t.Errorf("%s links to %q: %s has no heading with that anchor", f, target, file)
			}
		}
	}
}

// githubAnchor is the anchor GitHub gives a heading: lower case, spaces as
// hyphens, punctuation other than - and _ dropped.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f:
			b.WriteRune(r)
		}
	}
	return b.String()
}
