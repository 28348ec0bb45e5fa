#!/usr/bin/env bash
# Benchmarks: where a run's time goes and how big the binary is. Speed and
# size goals live here and in `go test -bench`, never in timed unit tests.
#
#   bash test/bench.sh           full: Go benchmarks, then the binary against
#                                a minimal client, 300 interleaved rounds
#   bash test/bench.sh --smoke   a few rounds of each, to prove the script works
#
# The yardstick is test/bench/minclient: the smallest Go program
# doing the same exchange against test/fakesap on loopback (P12 + password →
# GET /service/users/passcode; client_credentials with the secret in the body
# through x/oauth2), with no checks, retries, masking or output formats. The
# guard: sap-ci-auth at most 1.20× that client's wall time, for the passcode
# and for a token, in both trust set-ups below; the full run fails above it
# (the smoke run's three rounds are too few to judge, so it only prints).
#
# Fair comparison:
#   - both are built as the Dockerfile builds the image's binary
#     (CGO_ENABLED=0, -trimpath, -ldflags "-s -w");
#   - both get the same trust store: one bundle file (SSL_CERT_FILE) and an
#     empty SSL_CERT_DIR (x509.SystemCertPool costs ~17 ms with a hashed
#     /etc/ssl/certs and ~3 ms with one file; testing-recipes.md), in two
#     set-ups: the fakes' CA given as an extra CA (ca-certificates,
#     MINCLIENT_CA_FILE: a private CA), and the fakes' CA inside the bundle
#     with no extra CA (a real tenant, whose CA is public: both clients then
#     leave RootCAs nil and crypto/tls loads the system roots);
#   - runs are interleaved by test/bench/interleave (binary, client, client,
#     binary, …): hyperfine runs all of one command's runs before the next
#     (sharkdp/hyperfine#483), so on a shared machine a burst of load would
#     land on one side only. It reports wall time, CPU time (user + system,
#     steadier under load) and minor page faults; the ratio is of medians.
#   - with valgrind installed, the full run also counts instructions
#     (callgrind), which do not depend on the machine's load at all.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=false
[[ ${1:-} == --smoke ]] && smoke=true
rounds=${BENCH_ROUNDS:-300} warmup=5 guard=(-max-wall 1.20)
$smoke && rounds=3 warmup=1 guard=()

work=$(mktemp -d)
cleanup() {
  [[ -n ${fake_pid:-} ]] && kill "$fake_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# As the Dockerfile builds: static, no paths, no symbol or DWARF tables.
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/sap-ci-auth" .
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/minclient" ./test/bench/minclient
go build -o "$work/interleave" ./test/bench/interleave
go build -o "$work/fakesap" ./test/fakesap
printf 'binary size (stripped, static): %s bytes; minimal client: %s bytes\n' \
  "$(stat -c %s "$work/sap-ci-auth")" "$(stat -c %s "$work/minclient")"

if $smoke; then
  go test -run '^$' -bench . -benchtime 3x ./pkg/certs ./pkg/app >/dev/null
else
  go test -run '^$' -bench . -benchmem ./pkg/certs ./pkg/app
fi

"$work/fakesap" -dir "$work/fake" >/dev/null 2>"$work/fakesap.log" &
fake_pid=$!
for _ in $(seq 100); do [[ -s $work/fake/fakesap.env ]] && break; sleep 0.1; done
[[ -s $work/fake/fakesap.env ]] || { echo "fakesap did not start:" >&2; cat "$work/fakesap.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/fake/fakesap.env"

# The same trust store for both; every other input is passed per command,
# so that neither run warns about an input its flow does not use.
mkdir -p "$work/empty-certs"
export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt SSL_CERT_DIR="$work/empty-certs"
export SAP_CI_AUTH_CA_CERTIFICATES="$FAKESAP_CA_FILE" MINCLIENT_CA_FILE="$FAKESAP_CA_FILE"
export SAP_CI_AUTH_CERTIFICATE_PASSWORD="$FAKESAP_P12_PASSWORD" MINCLIENT_P12_PASSWORD="$FAKESAP_P12_PASSWORD"
export MINCLIENT_CLIENT_SECRET="$FAKESAP_CLIENT_SECRET"
bin_passcode="$work/sap-ci-auth ias-passcode --ias-tenant $FAKESAP_IAS_URL --certificate-file $FAKESAP_P12_FILE"
min_passcode="$work/minclient passcode $FAKESAP_IAS_URL $FAKESAP_P12_FILE"
bin_token="$work/sap-ci-auth client-credentials --service-key-file $FAKESAP_SERVICE_KEY_FILE"
min_token="$work/minclient token $FAKESAP_TOKEN_URL $FAKESAP_CLIENT_ID"
# All four must work, and quietly, before they are timed.
for cmd in "$bin_passcode" "$min_passcode" "$bin_token" "$min_token"; do
  if [[ -n $($cmd 2>&1 >/dev/null) ]]; then
    echo "bench: $cmd wrote to stderr:" >&2
    $cmd >/dev/null
    exit 1
  fi
done

echo
echo "== sap-ci-auth (A) against the minimal client (B); guard: A/B ≤ 1.20 for wall time"
echo "-- the fakes' CA as an extra CA (ca-certificates; a private CA)"
"$work/interleave" -n "$rounds" -warmup "$warmup" "${guard[@]}" \
  ias-passcode "$bin_passcode" "$min_passcode" \
  client-credentials "$bin_token" "$min_token"
echo "-- the fakes' CA in the system bundle (a public CA, as a real tenant's)"
cat "$SSL_CERT_FILE" "$FAKESAP_CA_FILE" >"$work/bundle.pem"
SSL_CERT_FILE="$work/bundle.pem" SAP_CI_AUTH_CA_CERTIFICATES='' MINCLIENT_CA_FILE='' \
  "$work/interleave" -n "$rounds" -warmup "$warmup" "${guard[@]}" \
  ias-passcode "$bin_passcode" "$min_passcode" \
  client-credentials "$bin_token" "$min_token"

if ! $smoke && command -v valgrind >/dev/null; then
  echo
  echo "== instructions (valgrind --tool=callgrind; one run each, independent of load)"
  instructions() {
    # asyncpreemptoff: no SIGURG preemption signals under valgrind.
    GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" \
      >/dev/null 2>&1 || { echo "valgrind failed on $*" >&2; return 1; }
    awk '/^summary:/ {print $2}' "$work/cg.out"
  }
  compare() {
    local ia ib
    # shellcheck disable=SC2086 # the commands are word lists
    ia=$(instructions $2) ib=$(instructions $3)
    awk -v n="$1" -v a="$ia" -v b="$ib" 'BEGIN {printf "%-20s A %d  B %d  A/B %.3fx\n", n, a, b, a / b}'
  }
  compare ias-passcode "$bin_passcode" "$min_passcode"
  compare client-credentials "$bin_token" "$min_token"
fi
