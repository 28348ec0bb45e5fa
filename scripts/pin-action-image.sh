#!/usr/bin/env bash
# Makes the release form of action.yml: the one line `  image: Dockerfile`
# becomes `  image: docker://<name>@sha256:<hex>`, so that `uses:` pulls the
# image the release built, by digest, instead of building the Dockerfile.
# The comment above that line (it says the image is built on every run) is
# replaced by one that names what the line now does. Nothing else changes.
#
#   scripts/pin-action-image.sh ghcr.io/owner/repo@sha256:<64 hex> [action.yml]
#
# .github/workflows/release.yml runs it before committing action.yml;
# test/container.sh runs it in its release rehearsal (a local registry, the
# rewritten action.yml under the runner's docker flags and under act), and
# test/e2e/release_test.go checks what it refuses. It refuses anything but
# name@sha256:<64 lower-case hex> (a tag, a tag and a digest, a short digest:
# a moving or mistyped reference must never reach a release), and fails when
# action.yml has no `  image: Dockerfile` line, or more than one (an
# already released file, or a changed layout that needs a look). Exit 1 and
# one line on stderr; the file is then left as it was.
set -euo pipefail

die() { echo "pin-action-image: $*" >&2; exit 1; }

(($# == 1 || $# == 2)) || die "usage: $0 NAME@sha256:<64 hex> [action.yml]"
ref=$1
file=${2:-action.yml}

# A registry host (with an optional port) or a first path component, then
# lower-case path components, then the digest: the reference grammar of
# github.com/distribution/reference, without tags.
component='[a-z0-9]+([._-]+[a-z0-9]+)*'
name="$component(:[0-9]+(/$component)+|(/$component)*)"
[[ $ref =~ ^$name@sha256:[0-9a-f]{64}$ ]] ||
  die "${ref@Q} is not NAME@sha256:<64 lower-case hex> (a tag, or a digest of another length or form, is refused)"

[[ -f $file ]] || die "$file does not exist"
n=$(grep -c '^  image: Dockerfile$' "$file" || true)
((n == 1)) || die "$file has $n lines '  image: Dockerfile', want exactly 1 (already released?)"

tmp=$(mktemp "$file.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# The comment lines right above the image line describe the development
# form; they go, and one line on the released form takes their place.
awk -v ref="$ref" '
  /^  #/ { held = held $0 "\n"; next }
  /^  image: Dockerfile$/ {
    held = ""
    print "  # Released: the image built by .github/workflows/release.yml from this commit'"'"'s parent, by digest."
    print "  image: docker://" ref
    next
  }
  { printf "%s", held; held = ""; print }
  END { printf "%s", held }
' "$file" >"$tmp"
grep -q "^  image: docker://$ref\$" "$tmp" || die "the rewrite of $file failed"
chmod --reference="$file" "$tmp"
mv "$tmp" "$file"
trap - EXIT
