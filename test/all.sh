#!/usr/bin/env bash
# Runs every test: static checks, the Go unit and end-to-end tests (real
# nginx on loopback), actionlint, and the container and runner tests.
# This is the README's test command; .ci/run installs the tools first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"

echo "== gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

echo "== actionlint"
if command -v actionlint >/dev/null; then
  actionlint
elif [[ ${CI:-} == true ]]; then
  echo "actionlint is missing; .ci/run installs it" >&2
  exit 1
else
  echo "SKIPPED: actionlint is not installed (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7)" >&2
fi

echo "== go test (unit and end-to-end)"
go test -race -count=1 -shuffle=on ./...

echo "== benchmarks, smoke run (full numbers: bash test/bench.sh)"
bash test/bench.sh --smoke

echo "== container image and runners (GitHub docker run, act, GitLab)"
bash test/container.sh
