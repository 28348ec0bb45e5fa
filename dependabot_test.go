package main_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dependabotConfig is the part of .github/dependabot.yml that the test reads
// (https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference).
type dependabotConfig struct {
	Version int `json:"version"`
	Updates []struct {
		Ecosystem   string   `json:"package-ecosystem"`
		Directory   string   `json:"directory"`
		Directories []string `json:"directories"`
		Schedule    struct {
			Interval string `json:"interval"`
		} `json:"schedule"`
		Groups map[string]struct {
			Patterns []string `json:"patterns"`
		} `json:"groups"`
	} `json:"updates"`
}

// yamlToJSON parses a YAML file with PyYAML (go.mod has no YAML parser, and
// .ci/run installs python3-yaml for test/container.sh). Without it the test
// is skipped, loudly, except in CI, where that is a failure.
func yamlToJSON(t *testing.T, path string) []byte {
	t.Helper()
	const script = `import json, sys, yaml
with open(sys.argv[1]) as f:
    json.dump(yaml.safe_load(f), sys.stdout)`
	cmd := exec.Command("python3", "-c", script, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && (strings.Contains(stderr.String(), "No module named 'yaml'") || errors.As(err, new(*exec.Error))) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with PyYAML is missing (.ci/run installs python3-yaml): %v %s", err, stderr.String())
		}
		t.Skipf("python3 with PyYAML is missing (apt-get install python3-yaml); %s NOT checked", path)
	}
	if err != nil {
		t.Fatalf("failed to parse %s: %v\n%s", path, err, stderr.String())
	}
	return out
}

// TestDependabotConfig checks that Dependabot moves every kind of pin the
// repository has (Go modules, the Dockerfile's base images, the workflows'
// actions), weekly, and that each kind comes as one grouped pull request.
func TestDependabotConfig(t *testing.T) {
	t.Parallel()
	var cfg dependabotConfig
	if err := json.Unmarshal(yamlToJSON(t, filepath.Join(".github", "dependabot.yml")), &cfg); err != nil {
		t.Fatalf("failed to read .github/dependabot.yml: %v", err)
	}
	if cfg.Version != 2 {
		t.Errorf("version: got %d, want 2", cfg.Version)
	}
	want := []string{"docker", "github-actions", "gomod"}
	var got []string
	for _, u := range cfg.Updates {
		got = append(got, u.Ecosystem)
		dirs := append([]string{u.Directory}, u.Directories...)
		if !slices.Contains(dirs, "/") {
			t.Errorf("%s: directory %q, want /: go.mod, the Dockerfile and .github/workflows are found from the root", u.Ecosystem, dirs)
		}
		if u.Schedule.Interval != "weekly" {
			t.Errorf("%s: schedule.interval %q, want weekly", u.Ecosystem, u.Schedule.Interval)
		}
		all := false
		for _, g := range u.Groups {
			all = all || slices.Contains(g.Patterns, "*")
		}
		if !all {
			t.Errorf("%s: no group with patterns [\"*\"]: each update would be a pull request of its own", u.Ecosystem)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("ecosystems: got %v, want %v (one entry each)", got, want)
	}
	// The docker ecosystem at / reads the Dockerfile there.
	if _, err := os.Stat("Dockerfile"); err != nil {
		t.Errorf("docker ecosystem at /: %v", err)
	}
}

// TestWorkflowActionsPinned checks that every action a workflow uses is
// pinned by full commit SHA with its tag in a comment (`@<40 hex> # vX.Y.Z`):
// a tag can be moved to other code, a SHA cannot, and Dependabot moves the
// SHA and the comment together.
func TestWorkflowActionsPinned(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(".github", "workflows", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows found: %v", err)
	}
	uses := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	comment := regexp.MustCompile(`^\s+# v\d+\.\d+\.\d+\b`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			m := uses.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[1], "./") {
				continue // not a step, or the action of this repository
			}
			if strings.HasPrefix(m[1], "docker://") {
				if !strings.Contains(m[1], "@sha256:") {
					t.Errorf("%s:%d: %s: pin the image by digest", f, i+1, m[1])
				}
				continue
			}
			if !pinned.MatchString(m[1]) || !comment.MatchString(m[2]) {
				t.Errorf("%s:%d: %q: want owner/repo@<full commit SHA> # vX.Y.Z", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
