#!/usr/bin/env bash
# Proves that each copy under third_party/ is its upstream release plus
# exactly its patch file (third_party/README.md says why each exists): the
# upstream module is fetched through the Go module proxy, patched in a
# temporary directory and compared file by file with the copy.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check MODULE VERSION DIR PATCH FILE...: DIR holds FILE... of MODULE@VERSION
# with PATCH applied, and nothing else but them.
check() {
  local module=$1 version=$2 dir=$3 patch=$4
  shift 4
  local src
  # Outside this module (its replace directive would answer instead).
  src=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
  mkdir -p "$work/want"
  for f in "$@"; do cp "$src/$f" "$work/want/$f"; done
  chmod -R u+w "$work/want"
  patch --quiet -d "$work/want" -p1 <"$patch"
  if ! diff -r "$work/want" "$dir"; then
    echo "third-party: $dir is not $module@$version plus $patch (see above); update the patch file or the copy" >&2
    exit 1
  fi
  rm -rf "$work/want"
  echo "third-party: $dir = $module@$version + $patch"
}

check github.com/sethvargo/go-envconfig v1.4.3 third_party/go-envconfig third_party/go-envconfig.patch \
  AUTHORS LICENSE go.mod decoding.go envconfig.go mutator.go

# The replace directive is what makes the build use the copy.
grep -q '^replace github.com/sethvargo/go-envconfig => ./third_party/go-envconfig$' go.mod ||
  { echo "third-party: go.mod does not replace go-envconfig with third_party/go-envconfig" >&2; exit 1; }
# And the point of the patch: encoding/gob is not linked.
if go list -deps . | grep -qx encoding/gob; then
  echo "third-party: the binary links encoding/gob again (go list -deps .); third_party/README.md says why it must not" >&2
  exit 1
fi
