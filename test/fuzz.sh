#!/usr/bin/env bash
# Runs every fuzz target for about three seconds: go test allows one -fuzz
# target per run and package, so each runs on its own. The
# seed corpora under pkg/*/testdata/fuzz also run in every plain `go test`.
# Prints one line per target and stops at the first failure with the path of
# the input that broke it (go writes it under the package's testdata/fuzz;
# re-run it with `go test -run=FuzzX/<name> ./pkg/x`). FUZZTIME and
# FUZZMINIMIZETIME take go test's forms: 10s, or 1000x for a count.
#
# The budget is a count of executions per target (about 3 s of work here),
# not a duration: with a duration, Go 1.26's fuzz coordinator can fail a
# target with a bare "context deadline exceeded" and no failing input when
# the deadline fires while a worker is mid-call (golang/go#75804, fixed in
# Go 1.27). A count has no deadline to race. FUZZTIME, when set, replaces
# every target's budget (a duration there risks that flake again).
set -euo pipefail
cd "$(dirname "$0")/.."
# Go minimizes every new interesting input for up to 60 s by default; for
# PKCS#12 inputs (a PBKDF2 run each) that would eat the whole budget, so it
# is capped. FUZZMINIMIZETIME overrides it too.
minimize=${FUZZMINIMIZETIME:-1s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# package target executions (about 3 s each on this project's CI machine)
targets=(
  "servicekey FuzzParse 30000"
  "ias FuzzParseTenant 8000"
  "ias FuzzDecode 10000"
  "certs FuzzParse 5000"
  "flow FuzzExpiresInJSON 10000"
  "flow FuzzExpiresInString 80000"
  "oauth FuzzNormalizer 15000"
  "oauth FuzzJWTExpiry 30000"
  "oauth FuzzSanitize 20000"
  "config FuzzParseArgs 50000"
  "oidc FuzzParseUnverified 40000"
  "secret FuzzRedact 30000"
)

start=$SECONDS
for t in "${targets[@]}"; do
  read -r pkg name count <<<"$t"
  fuzztime=${FUZZTIME:-${count}x}
  t0=$SECONDS
  if go test -count=1 -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "./pkg/$pkg" >"$log" 2>&1; then
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    printf 'ok    %-12s %-22s %3ds  %s execs\n' "$pkg" "$name" $((SECONDS - t0)) "${execs:-?}"
  else
    printf 'FAIL  %-12s %-22s %3ds\n' "$pkg" "$name" $((SECONDS - t0)) >&2
    cat "$log" >&2
    crasher=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | tail -1)
    if [[ -n $crasher ]]; then
      echo "fuzz: failing input: pkg/$pkg/$crasher (re-run: go test -run=${crasher#testdata/fuzz/} ./pkg/$pkg)" >&2
    fi
    exit 1
  fi
done
echo "fuzz: ${#targets[@]} targets, ${FUZZTIME:-a fixed count of executions} each, $((SECONDS - start))s in all"
