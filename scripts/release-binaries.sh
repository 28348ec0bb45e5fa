#!/usr/bin/env bash
# Builds the release's static binaries, the way the release workflow does and
# test/binaries.sh checks:
#
#   bash scripts/release-binaries.sh VERSION [OUTDIR]     (OUTDIR: dist)
#
# writes OUTDIR/sap-ci-auth_<VERSION>_<os>_<arch> (.exe on windows) for
# linux, darwin and windows on amd64 and arm64, and OUTDIR/SHA256SUMS
# (`sha256sum` format, file names only: `cd OUTDIR && sha256sum -c SHA256SUMS`).
# VERSION is the tag as it is (v1.2.3), stamped exactly as the Dockerfile
# stamps the image's binary, so `sap-ci-auth --version` says the same in both.
# OUTDIR must be new or empty, so nothing stale is released.
# RELEASE_TARGETS (os/arch words) builds fewer targets; the release sets
# none, test/binaries.sh uses it for its second, cache-less build.
set -euo pipefail

version=${1:-}
out=${2:-dist}
# The version goes into file names and -ldflags: a tag (v1.2.3) or a
# pre-release (v1.2.3-rc.1), nothing a shell or a URL would read otherwise.
if [[ ! $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "usage: $0 vMAJOR.MINOR.PATCH[-PRERELEASE] [OUTDIR]; got version '$version'" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -n $(ls -A "$out") ]]; then
  echo "$out is not empty: give a new or empty directory" >&2
  exit 2
fi

# The same flags as the Dockerfile's `go build` (test/binaries.sh checks that
# they stay the same), plus what the image gets from its build stage without
# asking: CGO_ENABLED=0 (static), no VCS stamp (the image's build has no .git;
# here a checkout has one, and an untracked dist/ would mark it modified), and
# the baseline instruction sets every amd64 and arm64 machine runs.
ldflags="-s -w -X github.com/sap-ci-auth/sap-ci-auth/pkg/app.version=${version}"
targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
if [[ -n ${RELEASE_TARGETS:-} ]]; then
  read -r -a targets <<<"$RELEASE_TARGETS"
fi
names=()
for target in "${targets[@]}"; do
  os=${target%/*} arch=${target#*/}
  name="sap-ci-auth_${version}_${os}_${arch}"
  [[ $os == windows ]] && name+=.exe
  echo "building $name"
  (cd "$src" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch GOAMD64=v1 GOARM64=v8.0 \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out/$name" .)
  names+=("$name")
done
(cd "$out" && sha256sum "${names[@]}" >SHA256SUMS)
echo "$out:"
(cd "$out" && cat SHA256SUMS)
