package main_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMarkdownLinks checks that every link from README.md,
// TROUBLESHOOTING.md and SECURITY.md to a section (#anchor, or FILE.md#anchor
// between them) names a heading that exists, with GitHub's anchor rules, and that a
// link to a file of the repository names one that exists.
func TestMarkdownLinks(t *testing.T) {
	t.Parallel()
	files := []string{"README.md", "TROUBLESHOOTING.md", "SECURITY.md"}
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
