#!/usr/bin/env bash
# Runs every test: static checks (gofmt, go vet, staticcheck), the Go unit
# and end-to-end tests (real nginx on loopback), the fuzz targets,
# actionlint, the release binaries (six targets, reproducible), the
# benchmark smoke run, and the container and runner tests.
# This is the README's test command; .ci/run installs the tools first and
# sets CI=true, which turns every "not installed" skip into a failure.
# Outside CI a skip is printed in a banner, never silently.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

banner() {
  echo "##############################################################################"
  echo "## SKIPPED: $*"
  echo "##############################################################################"
}

echo "== gofmt and go vet"
# Tracked and untracked (not ignored) files alike, so new files are checked
# too; files deleted but not yet `git rm`ed are left out.
mapfile -t listed < <(git ls-files --cached --others --exclude-standard --deduplicate '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')
gofiles=()
for f in "${listed[@]}"; do [[ -e $f ]] && gofiles+=("$f"); done
unformatted=$(gofmt -l "${gofiles[@]}")
if [[ -n $unformatted ]]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

# checker TOOL INSTALL WHAT COMMAND...: runs COMMAND, which needs TOOL.
# Without TOOL it fails the run in CI (.ci/run installs it) and is a loud
# skip elsewhere.
checker() {
  local tool=$1 install=$2 what=$3
  shift 3
  if command -v "$tool" >/dev/null; then
    "$@"
  elif [[ ${CI:-} == true ]]; then
    echo "$tool is missing; .ci/run installs it" >&2
    exit 1
  else
    banner "$tool is not installed ($install); $what NOT checked"
  fi
}

echo "== staticcheck"
checker staticcheck "go install honnef.co/go/tools/cmd/staticcheck@v0.8.2" "the code was" staticcheck ./...

echo "== actionlint"
checker actionlint "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7" "the workflows were" actionlint

echo "== go test (unit and end-to-end)"
command -v python3 >/dev/null || { echo "python3 is missing: test/gotest-report.py needs it (apt-get install python3)" >&2; exit 1; }
# -json so that gotest-report.py can show every skipped test and its reason.
rc=0
go test -race -count=1 -shuffle=on -json ./... >"$work/gotest.json" 2>"$work/gotest.err" || rc=$?
cat "$work/gotest.err" >&2
python3 test/gotest-report.py "$work/gotest.json" || rc=1
((rc == 0)) || { echo "go test failed" >&2; exit 1; }

echo "== fuzz targets, a few seconds each (longer: FUZZTIME=1m bash test/fuzz.sh)"
bash test/fuzz.sh

echo "== release binaries: six targets, SHA256SUMS, reproducible (scripts/release-binaries.sh)"
bash test/binaries.sh

echo "== benchmarks, smoke run (full numbers: bash test/bench.sh)"
bash test/bench.sh --smoke

echo "== container image and runners (GitHub docker run, act, GitLab)"
bash test/container.sh
