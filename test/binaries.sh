#!/usr/bin/env bash
# The release's binaries, built by the release's own script
# (scripts/release-binaries.sh) from a clean copy of the sources:
#   - all six targets (linux, darwin, windows x amd64, arm64) build, so a
#     platform-specific file cannot break the release, and every package
#     with its tests vets for windows and darwin;
#   - the names a script picks them by, SHA256SUMS as `sha256sum -c` reads
#     it, static (CGO_ENABLED=0), -trimpath, no VCS stamp, the version
#     stamped with the Dockerfile's -ldflags;
#   - reproducible: a second copy in another directory, built with an empty
#     build cache, gives a byte-identical binary.
# Needs Go, git, sha256sum and tar.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=v0.0.0-ci.1
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "-- go vet for windows and darwin (tests included)"
GOOS=windows GOARCH=amd64 go vet ./...
GOOS=darwin GOARCH=arm64 go vet ./...

# A clean copy: the files git tracks or would track (as all.sh's gofmt
# check lists them, so a new file is in), none of the ignored ones, no .git.
copy() {
  mkdir -p "$1"
  git ls-files -z --cached --others --exclude-standard --deduplicate |
    while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$1"
}
a=$work/a/sap-ci-auth b=$work/elsewhere/deeper/other-name
copy "$a"
copy "$b"

echo "-- the refusals"
for bad in "" v1 1.2.3 "v1.2.3 x" "v1.2.3/../x" 'v1.2.3-$(id)'; do
  if bash "$a/scripts/release-binaries.sh" "$bad" "$work/bad" >/dev/null 2>&1; then
    fail "release-binaries.sh took the version '$bad'"
  fi
done
mkdir -p "$work/full" && : >"$work/full/stale"
if bash "$a/scripts/release-binaries.sh" "$version" "$work/full" >/dev/null 2>&1; then
  fail "release-binaries.sh wrote into a directory that was not empty"
fi

echo "-- six targets from $a"
dist=$work/dist-a
bash "$a/scripts/release-binaries.sh" "$version" "$dist"
want=(sap-ci-auth_${version}_darwin_amd64 sap-ci-auth_${version}_darwin_arm64
  sap-ci-auth_${version}_linux_amd64 sap-ci-auth_${version}_linux_arm64
  sap-ci-auth_${version}_windows_amd64.exe sap-ci-auth_${version}_windows_arm64.exe)
got=$(cd "$dist" && ls | LC_ALL=C sort | tr '\n' ' ')
[[ $got == "$(printf '%s ' SHA256SUMS "${want[@]}")" ]] || fail "dist holds: $got"
(cd "$dist" && sha256sum --strict -c SHA256SUMS) || fail "sha256sum -c SHA256SUMS"
# Names only (no ./ or directories), one line per binary, in sha256sum's
# text format: <64 hex><2 spaces><name>.
sums=$(sed -E 's/^[0-9a-f]{64}  //' "$dist/SHA256SUMS" | LC_ALL=C sort | tr '\n' ' ')
[[ $sums == "$(printf '%s ' "${want[@]}")" ]] || fail "SHA256SUMS names: $sums"

for name in "${want[@]}"; do
  target=${name#sap-ci-auth_"${version}"_}
  target=${target%.exe}
  os=${target%_*} arch=${target#*_}
  info=$(go version -m "$dist/$name") || fail "$name is not a Go binary"
  for setting in "GOOS=$os" "GOARCH=$arch" CGO_ENABLED=0 -trimpath=true -buildmode=exe; do
    grep -qE "^[[:space:]]+build[[:space:]]+${setting}\$" <<<"$info" || fail "$name: no build setting $setting in: $info"
  done
  if grep -q 'vcs' <<<"$info"; then fail "$name has a VCS stamp, which the image's binary has not: $info"; fi
  LC_ALL=C grep -aqF "$version" "$dist/$name" || fail "$name does not hold the version $version"
done
host="sap-ci-auth_${version}_$(go env GOHOSTOS)_$(go env GOHOSTARCH)"
if [[ -x $dist/$host ]]; then
  out=$("$dist/$host" --version)
  [[ $out == "sap-ci-auth $version" ]] || fail "$host --version said '$out'"
fi

# Built as the image is: the script's -ldflags is the Dockerfile's, with the
# script's version for the Dockerfile's ${VERSION}.
docker_ldflags=$(grep -oE -- '-ldflags "[^"]*"' Dockerfile | sed -E 's/^-ldflags "(.*)"$/\1/')
script_ldflags=$(grep -oE '^ldflags="[^"]*"' scripts/release-binaries.sh | sed -E 's/^ldflags="(.*)"$/\1/')
[[ -n $docker_ldflags && ${docker_ldflags//'${VERSION}'/'${version}'} == "$script_ldflags" ]] ||
  fail "the Dockerfile stamps with -ldflags \"$docker_ldflags\", scripts/release-binaries.sh with \"$script_ldflags\""
grep -qE 'go build -trimpath ' Dockerfile || fail "the Dockerfile's go build has no -trimpath"
grep -qE '^ENV CGO_ENABLED=0$' Dockerfile || fail "the Dockerfile's build stage does not set CGO_ENABLED=0"

echo "-- reproducible: linux/amd64 again from $b, with an empty build cache"
RELEASE_TARGETS=linux/amd64 GOCACHE=$work/gocache-b bash "$b/scripts/release-binaries.sh" "$version" "$work/dist-b"
linux=sap-ci-auth_${version}_linux_amd64
cmp "$dist/$linux" "$work/dist-b/$linux" || fail "$linux differs between $a and $b: the build is not reproducible"
echo "ok: six targets, SHA256SUMS, and the same bytes from two copies"
