#!/usr/bin/env bash
# Proves that each copy under third_party/ is its upstream release plus
# exactly its patch file (third_party/README.md says why each exists): the
# upstream module is fetched through the Go module proxy, patched in a
# temporary directory and compared file by file with the copy. Needs go and
# patch (test/all.sh skips it loudly without patch; .ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check MODULE VERSION DIR PATCH FILE...: DIR holds FILE... of MODULE@VERSION
# with PATCH applied, and nothing else.
check() {
  local module=$1 version=$2 dir=$3 patch=$4 json src
  shift 4
  # Outside this module, so that nothing here answers for the module.
  json=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$module@$version")
  src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' <<<"$json")
  [[ -d $src ]] || { echo "third-party: go mod download gave no directory for $module@$version:" >&2; echo "$json" >&2; exit 1; }
  mkdir -p "$work/want"
  for f in "$@"; do cp "$src/$f" "$work/want/$f"; done
  chmod -R u+w "$work/want"
  patch --quiet --no-backup-if-mismatch -d "$work/want" -p1 <"$patch"
  if ! diff -r "$work/want" "$dir"; then
    echo "third-party: $dir is not $module@$version plus $patch (see above); update the patch file or the copy" >&2
    exit 1
  fi
  rm -rf "$work/want"
  echo "third-party: $dir = $module@$version + $patch"
}

check github.com/sethvargo/go-envconfig v1.4.3 third_party/go-envconfig third_party/go-envconfig.patch \
  AUTHORS LICENSE decoding.go envconfig.go mutator.go
check github.com/sethvargo/go-githubactions v1.4.0 third_party/go-githubactions third_party/go-githubactions.patch \
  AUTHORS LICENSE actions.go actions_root.go command.go eof_crlf.go eof_lf.go options.go

# The binary is built with the copies, never with upstream, and the point of
# each patch holds: encoding/gob, html/template and text/template are not linked. (The list
# is read whole before grep: grep -q would quit early and, under pipefail,
# fail go list.)
deps=$(go list -deps .)
for lib in go-envconfig go-githubactions; do
  if grep -qx "github.com/sethvargo/$lib" <<<"$deps"; then
    echo "third-party: the binary links upstream $lib; import github.com/sap-ci-auth/sap-ci-auth/third_party/$lib instead" >&2
    exit 1
  fi
  grep -qx "github.com/sap-ci-auth/sap-ci-auth/third_party/$lib" <<<"$deps" ||
    { echo "third-party: the binary does not use third_party/$lib; drop the copy or import it" >&2; exit 1; }
done
for pkg in encoding/gob html/template text/template; do
  if grep -qx "$pkg" <<<"$deps"; then
    echo "third-party: the binary links $pkg again (go list -deps .); third_party/README.md says why it must not" >&2
    exit 1
  fi
done
