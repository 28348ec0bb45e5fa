#!/usr/bin/env bash
# Builds, WITHOUT A REGISTRY, the base images that the Dockerfile and the
# runner tests name, under the same names:
#
#   golang:1.26                              the Dockerfile's builder stage
#   gcr.io/distroless/static-debian12:debug  the Dockerfile's final stage
#   sap-ci-auth-job:local                    a job image for act (-P ubuntu-latest=…)
#                                            and for GitLab-style later jobs
#
# WHY: the Docker engine on the machines this project is tested on has no
# registry and no network: nothing can be pulled, so `docker build` would fail
# on its first FROM. This script stands in for `docker pull`: it assembles root
# file systems from what the host already has and loads them with
# `docker import`. Where a registry answers, it pulls the real golang and
# distroless images instead (OFFLINE=1 skips the attempt); on the machines
# without one, the pull fails within milliseconds (where DNS or a firewall
# drops packets instead, each attempt gives up after a minute). Stand-ins
# carry the label org.sap-ci-auth.stand-in=true (images built on them inherit
# it); on a workstation, once you can pull the real images, remove them with
#   docker rmi golang:1.26 gcr.io/distroless/static-debian12:debug sap-ci-auth-job:local
# (the golang stand-in has GOPROXY=off and would break other builds).
#
# What goes in, and how close it is to the real image:
#   golang:1.26   busybox-static as /bin/sh and the other applets; the host's
#                 Go toolchain ($(go env GOROOT), which must be go1.26.x) at
#                 /usr/local/go; a module cache holding exactly this project's
#                 modules at /go/pkg/mod, taken from the host's module cache
#                 (the proxy is asked only when that cache lacks one); the CA
#                 bundle. ENV as in the official image (PATH, GOPATH=/go,
#                 GOTOOLCHAIN=local) plus GOPROXY=off, so that a build which
#                 needs a module this cache lacks fails at once instead of
#                 timing out on the network. No GOFLAGS: go.mod and go.sum are
#                 complete, so the default -mod=readonly is right, and
#                 -mod=mod would let a build rewrite them silently.
#   distroless    what gcr.io/distroless/static-debian12:debug holds that
#                 matters here: busybox at /busybox/busybox with one link per
#                 applet, no /bin/sh (GitLab's shell detection must find
#                 /busybox/sh), Debian's CA bundle as ONE file
#                 /etc/ssl/certs/ca-certificates.crt (no hashed directory),
#                 /etc/passwd and /etc/group with root, nobody and nonroot,
#                 /tmp, ENV PATH with /busybox and SSL_CERT_FILE, ENTRYPOINT
#                 ["/busybox/sh"].
#   job image     busybox (/bin/sh, tail, sha256sum …), the host's curl with
#                 the shared libraries it links, and the CA bundle: a stand-in
#                 for ubuntu-latest under act (act starts it with
#                 `tail -f /dev/null` and runs `shell: sh` steps in it) and for
#                 a curl image in a later GitLab job.
#
# Needs the Debian packages busybox-static and ca-certificates (.ci/run
# installs them) and curl. An image that already exists is kept unless
# FORCE=1. Usage: bash test/offline-images.sh [FORCE=1 in the environment]
set -euo pipefail
cd "$(dirname "$0")/.."

GOLANG_IMAGE=golang:1.26
DISTROLESS_IMAGE=gcr.io/distroless/static-debian12:debug
JOB_IMAGE=${SAP_CI_AUTH_JOB_IMAGE:-sap-ci-auth-job:local}
BUSYBOX=/bin/busybox
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

die() { echo "offline-images: $*" >&2; exit 1; }

missing=()
for p in busybox-static ca-certificates; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
((${#missing[@]} == 0)) || die "missing Debian packages: ${missing[*]} (.ci/run installs them: apt-get install ${missing[*]})"
[[ -x $BUSYBOX && -s $CA_BUNDLE ]] || die "$BUSYBOX or $CA_BUNDLE is missing"
"$BUSYBOX" --list | grep -qx sh || die "$BUSYBOX has no sh applet"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have() { [[ ${FORCE:-} != 1 ]] && docker image inspect "$1" >/dev/null 2>&1; }

# pulled NAME: the real image, where a registry answers (not with OFFLINE=1).
pulled() {
  [[ ${OFFLINE:-} == 1 ]] && return 1
  if timeout 60 docker pull -q "$1" >/dev/null 2>&1; then
    echo "offline-images: pulled the real $1"
    return 0
  fi
  echo "offline-images: cannot pull $1 (no registry); making a stand-in"
  return 1
}

# install_busybox ROOT DIR: busybox at ROOT/DIR/busybox plus one symlink per
# applet next to it.
install_busybox() {
  local root=$1 dir=$2 applet
  mkdir -p "$root$dir"
  cp "$BUSYBOX" "$root$dir/busybox"
  for applet in $("$BUSYBOX" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$root$dir/$applet"
  done
}

# base_files ROOT: the few files every image here carries.
base_files() {
  local root=$1
  mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/root" "$root/home/nonroot"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

# import ROOT NAME CHANGES...: docker import ROOT as NAME.
import() {
  local root=$1 name=$2
  shift 2
  local changes=(--change 'LABEL org.sap-ci-auth.stand-in=true')
  for c in "$@"; do changes+=(--change "$c"); done
  tar --numeric-owner -C "$root" -c . | docker import "${changes[@]}" - "$name" >/dev/null
  echo "offline-images: imported $name ($(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%.1f MB", $1/1e6}'))"
}

# --- gcr.io/distroless/static-debian12:debug -------------------------------
if have "$DISTROLESS_IMAGE"; then
  echo "offline-images: $DISTROLESS_IMAGE exists (FORCE=1 to rebuild)"
elif ! pulled "$DISTROLESS_IMAGE"; then
  root=$work/distroless
  base_files "$root"
  install_busybox "$root" /busybox
  import "$root" "$DISTROLESS_IMAGE" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox' \
    'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    'ENTRYPOINT ["/busybox/sh"]'
fi

# --- golang:1.26 -------------------------------------------------------------
# The stand-in's module cache holds the modules of one go.sum (its sha256 is
# the label org.sap-ci-auth.go-sum): with GOPROXY=off, a stand-in made
# before go.mod gained a module would fail the build, so it is made again.
gosum=$(sha256sum go.sum | cut -d' ' -f1)
stale_golang() {
  local label
  label=$(docker image inspect -f '{{index .Config.Labels "org.sap-ci-auth.stand-in"}} {{index .Config.Labels "org.sap-ci-auth.go-sum"}}' "$GOLANG_IMAGE") || return 1
  [[ $label == "true $gosum" || $label != true* ]] && return 1
  echo "offline-images: the $GOLANG_IMAGE stand-in was made for another go.sum; making it again"
}
if have "$GOLANG_IMAGE" && ! stale_golang; then
  echo "offline-images: $GOLANG_IMAGE exists (FORCE=1 to rebuild)"
elif ! pulled "$GOLANG_IMAGE"; then
  goroot=$(go env GOROOT)
  gover=$(go env GOVERSION)
  [[ $gover == go1.26* ]] || die "the host's Go is $gover; golang:1.26 needs go1.26.x"
  root=$work/golang
  base_files "$root"
  install_busybox "$root" /bin
  mkdir -p "$root/usr/local" "$root/go/bin" "$root/go/src"
  # The whole toolchain except its own test suite (21 MB nobody builds here).
  tar -C "$(dirname "$goroot")" --exclude="./$(basename "$goroot")/test" -c "./$(basename "$goroot")" |
    tar -C "$root/usr/local" -x
  [[ -d $root/usr/local/go ]] || mv "$root/usr/local/$(basename "$goroot")" "$root/usr/local/go"
  # This project's modules only, read from the host's module cache as a
  # file:// proxy; the network proxy is the fallback for a module missing there.
  hostcache=$(go env GOMODCACHE)/cache/download
  # go.sum still checks every file, so GOSUMDB is not needed.
  GOFLAGS= GOMODCACHE="$root/go/pkg/mod" GOPROXY="file://$hostcache,${GOPROXY_FALLBACK:-https://proxy.golang.org}" \
    GOSUMDB=off GOTOOLCHAIN=local go mod download ||
    die "could not fill the module cache from $hostcache (run 'go mod download' on the host first)"
  chmod -R u+w "$root/go/pkg/mod" # go marks the cache read-only; let rm -rf work
  import "$root" "$GOLANG_IMAGE" \
    'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV GOLANG_VERSION='"${gover#go}" \
    'ENV GOPATH=/go' \
    'ENV GOTOOLCHAIN=local' \
    'ENV GOPROXY=off' \
    "LABEL org.sap-ci-auth.go-sum=$gosum" \
    'WORKDIR /go' \
    'CMD ["/bin/sh"]'
fi

# --- the job image (act's ubuntu-latest stand-in, a curl image for GitLab) ---
if have "$JOB_IMAGE"; then
  echo "offline-images: $JOB_IMAGE exists (FORCE=1 to rebuild)"
else
  root=$work/job
  base_files "$root"
  install_busybox "$root" /bin
  # curl and every shared library it links (ld.so included), at their own paths.
  curl_bin=$(command -v curl) || die "curl is missing on the host"
  mkdir -p "$root/usr/bin"
  cp "$curl_bin" "$root/usr/bin/curl"
  for lib in $(ldd "$curl_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  # Debian's /lib64 -> usr/lib64 style links differ per host; ld.so is looked
  # up at the path the ELF names, which ldd printed, so it is in place.
  "$root/bin/busybox" true # the static busybox must run as is
  import "$root" "$JOB_IMAGE" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt' \
    'CMD ["/bin/sh"]'
fi
