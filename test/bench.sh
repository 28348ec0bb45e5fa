#!/usr/bin/env bash
# Benchmarks: where a run's time goes and how big the binary is. Speed and
# size goals live here and in `go test -bench`, never in timed unit tests.
#
#   bash test/bench.sh           full: Go benchmarks, then hyperfine over the
#                                real binary against test/fakesap on loopback
#   bash test/bench.sh --smoke   a few runs of each, to prove the script works
#
# Every run gets the same trust store (one bundle file, an empty hashed
# directory), because x509.SystemCertPool costs ~17 ms with a hashed
# /etc/ssl/certs and ~3 ms with one file (testing-recipes.md).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=false
[[ ${1:-} == --smoke ]] && smoke=true

work=$(mktemp -d)
cleanup() {
  [[ -n ${fake_pid:-} ]] && kill "$fake_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -trimpath -ldflags "-s -w" -o "$work/sap-ci-auth" .
go build -o "$work/fakesap" ./test/fakesap
printf 'binary size (stripped, static): %s bytes\n' "$(stat -c %s "$work/sap-ci-auth")"

if $smoke; then
  go test -run '^$' -bench . -benchtime 3x ./pkg/certs ./pkg/app >/dev/null
else
  go test -run '^$' -bench . -benchmem ./pkg/certs ./pkg/app
fi

"$work/fakesap" -dir "$work/fake" >/dev/null &
fake_pid=$!
for _ in $(seq 100); do [[ -s $work/fake/fakesap.env ]] && break; sleep 0.1; done
[[ -s $work/fake/fakesap.env ]] || { echo "fakesap did not start" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/fake/fakesap.env"

mkdir -p "$work/empty-certs"
export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt SSL_CERT_DIR="$work/empty-certs"
export SAP_CI_AUTH_CA_CERTIFICATES="$work/fake/ca.pem"
export SAP_CI_AUTH_CERTIFICATE_PASSWORD="$(cat "$work/fake/client-password")"
export SAP_CI_AUTH_SERVICE_KEY_FILE="$work/fake/service-key.json"
passcode="$work/sap-ci-auth ias-passcode --ias-tenant $FAKESAP_IAS_URL --certificate-file $work/fake/client.p12"
token="$work/sap-ci-auth client-credentials"
# Both must work before they are timed.
$passcode >/dev/null
$token >/dev/null

if ! command -v hyperfine >/dev/null; then
  if [[ ${CI:-} == true ]]; then echo "hyperfine is missing; .ci/run installs it" >&2; exit 1; fi
  echo "SKIPPED: hyperfine is not installed (apt-get install hyperfine); process timings not measured" >&2
  exit 0
fi
runs=(--warmup 3 --min-runs 30)
$smoke && runs=(--runs 3)
hyperfine -N "${runs[@]}" --export-markdown "$work/bench.md" \
  -n ias-passcode "$passcode" -n client-credentials "$token" -n help "$work/sap-ci-auth --help"
$smoke || cat "$work/bench.md"
