#!/usr/bin/env bash
# The container image and the three runners that start it, each started the
# way that runner really starts it, against the fake SAP endpoints of
# test/fakesap on the host's loopback (127.0.0.1; nothing else is contacted):
#
#   0. image     test/offline-images.sh makes the base images (this engine has
#                no registry), then a cold (--no-cache) and a warm build of the
#                Dockerfile; modules downloaded before sources are copied
#                (SAP_CI_AUTH_REBUILD_CHECK=1: proven by a rebuild after a
#                source-only change); size <= 12 MB; root user, exec-form entrypoint,
#                one CA bundle file, /busybox/sh present.
#   1. GitHub    `docker run` with the runner's own flags (--workdir
#                /github/workspace, -e INPUT_<NAME> with hyphens, every declared
#                input set to its default, GITHUB_OUTPUT under
#                /github/file_commands, host dirs owned by uid 1001 like on
#                hosted runners) plus --network host; each flow's outputs read
#                back from the output file; every secret announced with
#                ::add-mask:: before any other line holds it; a bad input
#                gives exit code 2 and ::error::. The secretless flows with
#                the runner's ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN pointing at
#                the fake token service: oidc and jwt-bearer at IAS with
#                export-env into GITHUB_ENV (ghadelimiter_ heredoc), then
#                jwt-bearer at XSUAA. CLI mode: the image run with arguments
#                and GITHUB_ACTIONS=true prints the value alone on stdout and
#                its ::add-mask:: lines on stderr.
#   1b. release  the release rehearsal: the image pushed to a local OCI
#                registry on 127.0.0.1 (test/registry), action.yml rewritten
#                by scripts/pin-action-image.sh (as release.yml does) in a
#                copy of the repository, every local reference to the image
#                removed, then the released action run as the runner does
#                (docker pull by digest, docker run with its flags) and under
#                act (test/act/released.yml: demo, client-credentials, a bad
#                input with ::error::); the registry's log and RepoDigests
#                prove the pulls by digest. SAP_CI_AUTH_PIN_SCRIPT=<file>
#                rehearses with <file> instead of the script.
#   2. act       test/act/workflow.yml under act v0.2.89 in container mode
#                (`uses: ./` for each flow, a later step that uses each
#                output); act's log shows *** and never a secret, and the
#                values later steps saw are the ones the fakes issued. act
#                has no OIDC: the secretless chain runs from a job token in a
#                file (id-token-file), with export-env; a run: step calls the
#                binary as a CLI (the job image has it).
#   3. GitLab    jobs of .gitlab-ci.yml and of the CI/CD component in
#                templates/ run by test/gitlab-job.py as the docker executor
#                does (entrypoint "", the shell detection script, the script on
#                stdin, SAP_CI_AUTH_* variables, File variables); the dotenv
#                report passes GitLab's rules and a later job uses it; no job
#                log holds a secret. A secretless project: SAP_CI_AUTH_ID_TOKEN
#                set as id_tokens: sets it, for jwt-bearer at IAS and XSUAA in
#                one job, and for the component with flow jwt-bearer.
#
# Without a Docker engine it prints a loud SKIPPED line and exits 0, except
# with CI=true, where that is a failure. Needs: docker, go, act v0.2.89,
# python3 with PyYAML, curl, busybox-static, ca-certificates (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export PATH="$(go env GOPATH)/bin:$PATH"

IMAGE=sap-ci-auth:dev
JOB_IMAGE=sap-ci-auth-job:local
TOOLS_IMAGE=sap-ci-auth-tools:test
MAX_IMAGE_BYTES=12000000
ACT_VERSION=0.2.89

if ! docker info >/dev/null 2>&1; then
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: test/container.sh: no Docker engine answers (docker info failed) and CI=true;" >&2
    echo "      the image, GitHub, act and GitLab tests must run in CI." >&2
    exit 1
  fi
  echo "############################################################################"
  echo "## SKIPPED: test/container.sh: no Docker engine answers (docker info failed)."
  echo "## The image, GitHub docker run, act and GitLab executor tests did NOT run."
  echo "############################################################################"
  exit 0
fi

started=$SECONDS
tmp=$(mktemp -d /tmp/sap-ci-auth-container.XXXXXX)
fakesap_pid=
registry_pid=
rel_name=
cleanup() {
  local rc=$?
  # (|| true: under set -e, wait's 143 for the killed child would end the
  # trap here, before the FAILED line and the clean-up below.)
  [[ -n $fakesap_pid ]] && kill "$fakesap_pid" 2>/dev/null && wait "$fakesap_pid" 2>/dev/null || true
  [[ -n $registry_pid ]] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null || true
  # The release rehearsal's references (the image stays as $IMAGE).
  [[ -n $rel_name ]] && docker image ls --digests --format '{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}' "$rel_name" |
    tr ' ' '\n' | grep -v ':<none>$\|@<none>$' | xargs -r docker image rm >/dev/null 2>&1 || true
  # Containers this script started (GitHub- and GitLab-style runs carry the
  # label; act removes its own with --rm).
  docker ps -aq --filter label=sap-ci-auth-test | xargs -r docker rm -f >/dev/null 2>&1 || true
  if ((rc != 0)); then
    echo "container.sh: FAILED (exit $rc); logs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------------------
step "fake SAP endpoints on 127.0.0.1 (test/fakesap)"
go build -o "$tmp/fakesap" ./test/fakesap
"$tmp/fakesap" -dir "$tmp/fake" >"$tmp/fakesap.json" 2>"$tmp/fakesap.log" &
fakesap_pid=$!
for _ in $(seq 100); do
  [[ -s $tmp/fake/fakesap.env ]] && break
  kill -0 "$fakesap_pid" 2>/dev/null || fail "fakesap exited: $(cat "$tmp/fakesap.log")"
  sleep 0.1
done
# shellcheck source=/dev/null
. "$tmp/fake/fakesap.env"
cat "$tmp/fakesap.log"

# issued prints every passcode and token the fakes handed out, one a line
# (the UAAs' and the IAS's tokens, and every job ID token of the issuer).
issued() { curl -fsS "$FAKESAP_CONTROL_URL/issued" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(d["passcodes"]+d["tokens"]))'; }
# is_issued SHA256: whether a value with that hash was issued.
is_issued() {
  local hashes
  hashes=$(issued | while IFS= read -r v; do sha "$v"; done)
  grep -qx -- "$1" <<<"$hashes"
}
# secs START: seconds since START (an $EPOCHREALTIME value), one decimal.
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# mb BYTES: as MB (10^6), two decimals.
mb() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e6 }'; }
# no_secrets FILE WHAT: FILE holds none of the test's secrets or issued values.
no_secrets() {
  local file=$1 what=$2 v
  { issued; printf '%s\n' "$FAKESAP_P12_PASSWORD" "$FAKESAP_CLIENT_SECRET" "$FAKESAP_COCKPIT_SECRET" \
      "$FAKESAP_PASSWORD" "$FAKESAP_CPI_PASSWORD" "$FAKESAP_ORIGIN_PASSWORD" "$(cat "$FAKESAP_P12_B64_FILE")" \
      "$FAKESAP_IAS_CLIENT_SECRET" "$FAKESAP_ID_TOKEN_REQUEST_TOKEN"; } >"$tmp/secrets.txt"
  while IFS= read -r v; do
    [[ -n $v ]] || continue
    if grep -qF -- "$v" "$file"; then fail "$what holds a secret (${#v} characters, starting ${v:0:4}…): see $file"; fi
  done <"$tmp/secrets.txt"
  ok "$what holds no secret ($(wc -l <"$tmp/secrets.txt") values checked)"
}

# fakes_alive: fail at once, with fakesap's log, if the fakes are gone.
fakes_alive() { kill -0 "$fakesap_pid" 2>/dev/null || fail "fakesap is gone (its log: $(cat "$tmp/fakesap.log"))"; }

# ---------------------------------------------------------------------------
step "base images (offline: this engine has no registry)"
bash test/offline-images.sh

step "image: cold and warm builds"
t0=$EPOCHREALTIME
docker build --no-cache -t "$IMAGE" . >"$tmp/build-cold.log" 2>&1 || { cat "$tmp/build-cold.log"; fail "cold build"; }
cold=$(secs "$t0")
t0=$EPOCHREALTIME
docker build -t "$IMAGE" . >"$tmp/build-warm.log" 2>&1 || { cat "$tmp/build-warm.log"; fail "warm build"; }
warm=$(secs "$t0")
grep -q 'Using cache\|CACHED' "$tmp/build-warm.log" || fail "the warm build used no cache"
ok "cold build ${cold}s, warm build ${warm}s"

# Cache-friendly layers: go.mod and go.sum are copied and downloaded before
# any source. Always checked in the Dockerfile's order; with
# SAP_CI_AUTH_REBUILD_CHECK=1 also proven by a build after a source-only change
# (another ~40 s of compiling on 2 cores, so not by default).
awk '/^COPY go.mod go.sum/ { m = NR } /^RUN go mod download/ { d = NR } /^COPY (main.go|pkg|\.)/ && !s { s = NR }
     END { exit !(m && d && s && m < d && d < s) }' Dockerfile ||
  fail "the Dockerfile does not copy go.mod/go.sum and run go mod download before copying sources"
if [[ ${SAP_CI_AUTH_REBUILD_CHECK:-} == 1 ]]; then
  ctx=$tmp/context
  mkdir -p "$ctx"
  cp -a Dockerfile .dockerignore go.mod go.sum main.go pkg "$ctx/"
  printf '\n// source-only change for test/container.sh\n' >>"$ctx/main.go"
  t0=$EPOCHREALTIME
  docker build -t sap-ci-auth:rebuild "$ctx" >"$tmp/build-src.log" 2>&1 || { cat "$tmp/build-src.log"; fail "source-change build"; }
  src=$(secs "$t0")
  grep -A1 'go mod download' "$tmp/build-src.log" | grep -q 'Using cache\|CACHED' ||
    { cat "$tmp/build-src.log"; fail "a source-only change re-ran go mod download: layers are not cache-friendly"; }
  docker image rm sap-ci-auth:rebuild >/dev/null
  ok "source-only change: modules layer reused, rebuilt in ${src}s"
else
  ok "modules are downloaded before sources are copied (SAP_CI_AUTH_REBUILD_CHECK=1 proves it with a rebuild)"
fi

size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "image $IMAGE: $size bytes ($(mb "$size") MB)"
((size <= MAX_IMAGE_BYTES)) || fail "image is $size bytes, more than $MAX_IMAGE_BYTES"
[[ -z $(docker image inspect -f '{{.Config.User}}' "$IMAGE") ]] || fail "the image sets USER; GitHub runs container actions as root"
[[ $(docker image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE") == '["/usr/local/bin/sap-ci-auth"]' ]] || fail "entrypoint is not exec-form /usr/local/bin/sap-ci-auth"
docker image inspect -f '{{json .Config.Env}}' "$IMAGE" | grep -q 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' || fail "SSL_CERT_FILE is not set"
# Go reads SSL_CERT_FILE and then scans SSL_CERT_DIR (default /etc/ssl/certs,
# which holds the same bundle): a missing directory keeps it to one parse.
docker image inspect -f '{{json .Config.Env}}' "$IMAGE" | grep -q 'SSL_CERT_DIR=/nonexistent' || fail "SSL_CERT_DIR does not point away from /etc/ssl/certs: the bundle would be parsed twice"
certs=$(docker run --rm --entrypoint /busybox/sh "$IMAGE" -c 'ls -A /etc/ssl/certs; command -v sap-ci-auth')
[[ $certs == $'ca-certificates.crt\n/usr/local/bin/sap-ci-auth' ]] || fail "expected one CA bundle and sap-ci-auth on PATH, got: $certs"
docker run --rm "$IMAGE" --version
docker run --rm "$IMAGE" demo >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log"; fail "demo in the image"; }
ok "image: root, exec-form entrypoint, one CA bundle file, /busybox/sh, the demo passes"

# ---------------------------------------------------------------------------
step "1. GitHub: docker run as the runner does it"
fakes_alive
gh=$tmp/github
mkdir -p "$gh/_temp/_github_home" "$gh/_temp/_github_workflow" "$gh/_temp/_runner_file_commands" "$gh/workspace"
cp "$FAKESAP_P12_FILE" "$gh/workspace/ias-user.p12"
cp "$FAKESAP_COCKPIT_KEY_FILE" "$gh/workspace/cockpit-key.json"
mkdir -p "$gh/workspace/certs"
cp "$FAKESAP_CA_FILE" "$gh/workspace/certs/fake-ca.pem"
# The hosted runner's user owns these directories and files; the container
# (root, no --user) must still write the output file. Needs root to set up.
runner_uid=1001
if ((EUID == 0)); then
  chown -R "$runner_uid:$runner_uid" "$gh"
else
  runner_uid=$EUID
  echo "NOTE: not root, so the runner directories belong to uid $EUID, not 1001 as on hosted runners"
fi

# Every input action.yml declares, with its default: the runner exports all
# of them (an unset one as its default, which may be empty).
mapfile -t declared < <(python3 -c '
import yaml
for k, v in yaml.safe_load(open("action.yml"))["inputs"].items():
    print(k + "=" + str(v.get("default", "")))')

# gh_run NAME [+VAR=VALUE...] [INPUT=VALUE...] [-- ARG...]: one step; stdout,
# stderr, the output file and the env file go to $gh/NAME.{out,err,output,env};
# the exit code to $gh/NAME.rc. +VAR=VALUE adds a variable the runner sets
# for some jobs only (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN with `permissions:
# id-token: write`); arguments after -- go to the image (a CLI call: the
# runner never passes any to the action, since action.yml declares no args).
gh_run() {
  local name=$1 id
  shift
  id=$(cat /proc/sys/kernel/random/uuid)
  local out=$gh/_temp/_runner_file_commands/set_output_$id envf=$gh/_temp/_runner_file_commands/set_env_$id
  # The runner creates both empty before the step.
  install -o "$runner_uid" -g "$runner_uid" -m 0644 /dev/null "$out"
  install -o "$runner_uid" -g "$runner_uid" -m 0644 /dev/null "$envf"
  declare -A inputs=()
  local kv k extra=() args=()
  while (($#)); do
    case $1 in
      --) shift; args=("$@"); break ;;
      +*) extra+=("${1#+}") ;;
      *) inputs[${1%%=*}]=${1#*=} ;;
    esac
    shift
  done
  if ((${#args[@]} == 0)); then
    for kv in "${declared[@]}"; do [[ -v inputs[${kv%%=*}] ]] || inputs[${kv%%=*}]=${kv#*=}; done
  fi
  local envs=() flags=()
  for k in "${!inputs[@]}"; do
    envs+=("INPUT_${k^^}=${inputs[$k]}")
    flags+=(-e "INPUT_${k^^}") # by name, as the runner passes them
  done
  envs+=("HOME=/github/home" "GITHUB_OUTPUT=/github/file_commands/set_output_$id"
    "GITHUB_ENV=/github/file_commands/set_env_$id" "GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_$id"
    "GITHUB_WORKSPACE=/github/workspace" "GITHUB_ACTION=$name" "RUNNER_TEMP=/home/runner/work/_temp"
    "GITHUB_ACTIONS=true" "CI=true" "${extra[@]}")
  for kv in "${envs[@]:${#inputs[@]}}"; do flags+=(-e "${kv%%=*}"); done
  local rc=0
  env "${envs[@]}" docker run --name "sca-gh-$name-$$" --label sap-ci-auth-test \
    --workdir /github/workspace --rm "${flags[@]}" --network host \
    -v "$gh/_temp/_github_home:/github/home" -v "$gh/_temp/_github_workflow:/github/workflow" \
    -v "$gh/_temp/_runner_file_commands:/github/file_commands" -v "$gh/workspace:/github/workspace" \
    "${GH_IMAGE:-$IMAGE}" "${args[@]}" >"$gh/$name.out" 2>"$gh/$name.err" || rc=$?
  echo "$rc" >"$gh/$name.rc"
  cp "$out" "$gh/$name.output"
  cp "$envf" "$gh/$name.env"
  [[ $(stat -c %u "$out") == "$runner_uid" && $(stat -c %u "$envf") == "$runner_uid" ]] ||
    fail "$name: the output or env file changed owner"
}

# gh_check NAME SECRET_OUTPUTS EXPECTED_OUTPUTS: the output file holds exactly
# the expected outputs; each secret output was announced with ::add-mask::
# before any other line of stdout or stderr held it; prints NAME=VALUE lines.
# (authorization is "Bearer <access-token>": the runner masks every occurrence
# of a masked value, so the access-token mask covers it; checked separately.)
gh_check() {
  python3 - "$gh/$1.output" "$gh/$1.out" "$gh/$1.err" "$2" "$3" <<'EOF'
import re, sys
path, out, err, secret_names, expected = sys.argv[1:]
text = open(path).read()
outputs, lines, i = {}, text.split("\n"), 0
while i < len(lines):
    line = lines[i]
    if "<<" in line:  # name<<DELIMITER, value lines, DELIMITER
        name, delim = line.split("<<", 1)
        if not re.fullmatch(r"ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", delim):
            sys.exit(f"output {name}: heredoc delimiter {delim!r} is not ghadelimiter_<random uuid>")
        j = lines.index(delim, i + 1)
        outputs[name] = "\n".join(lines[i + 1:j])
        i = j + 1
    elif "=" in line:
        name, value = line.split("=", 1)
        outputs[name] = value
        i += 1
    elif line == "":
        i += 1
    else:
        sys.exit(f"unparseable output file line {i + 1}")
if sorted(outputs) != sorted(expected.split()):
    sys.exit(f"outputs {sorted(outputs)}, want {sorted(expected.split())}")
for name in secret_names.split():
    value = outputs[name]
    if not value:
        sys.exit(f"output {name} is empty")
    masked = False
    for stream in (out, err):
        for line in open(stream).read().split("\n"):
            if line == "::add-mask::" + value:
                masked = True
            elif value in line and not masked:
                sys.exit(f"{stream}: a line holds output {name} before ::add-mask:: announced it")
    if not masked:
        sys.exit(f"output {name} was never announced with ::add-mask::")
for k, v in outputs.items():
    print(f"{k}={v}")
EOF
}

# gh_no_leak NAME: stdout and stderr hold secrets only in ::add-mask:: lines.
gh_no_leak() {
  grep -v '^::add-mask::' "$gh/$1.out" >"$gh/$1.log" || true
  cat "$gh/$1.err" >>"$gh/$1.log"
  no_secrets "$gh/$1.log" "GitHub step $1 (stdout without add-mask lines, stderr)"
}

ca_pem=$(cat "$FAKESAP_CA_FILE")
gh_run passcode flow=ias-passcode "ias-tenant=$FAKESAP_IAS_URL" certificate-file=ias-user.p12 \
  "certificate-password=$FAKESAP_P12_PASSWORD" "ca-certificates=$ca_pem"
[[ $(cat "$gh/passcode.rc") == 0 ]] || { cat "$gh/passcode.out" "$gh/passcode.err"; fail "GitHub ias-passcode: exit $(cat "$gh/passcode.rc")"; }
gh_check passcode passcode "passcode expires-in expires-at" >"$gh/passcode.kv" || fail "GitHub ias-passcode outputs"
passcode=$(sed -n 's/^passcode=//p' "$gh/passcode.kv")
is_issued "$(sha "$passcode")" || fail "GitHub ias-passcode: the passcode output is not one the fake IAS issued"
gh_no_leak passcode
ok "GitHub ias-passcode: outputs $(cut -d= -f1 "$gh/passcode.kv" | xargs), masked first, issued by the fake"

gh_run cc flow=client-credentials "service-key=$(cat "$FAKESAP_SERVICE_KEY_FILE")" "ca-certificates=$ca_pem"
[[ $(cat "$gh/cc.rc") == 0 ]] || { cat "$gh/cc.out" "$gh/cc.err"; fail "GitHub client-credentials: exit $(cat "$gh/cc.rc")"; }
gh_check cc access-token "access-token authorization token-type expires-in expires-at scope" >"$gh/cc.kv" ||
  fail "GitHub client-credentials outputs"
token=$(sed -n 's/^access-token=//p' "$gh/cc.kv")
is_issued "$(sha "$token")" || fail "GitHub client-credentials: the token is not one the fake UAA issued"
grep -qx "authorization=Bearer $token" "$gh/cc.kv" || fail "GitHub client-credentials: authorization is not Bearer <access-token>"
gh_no_leak cc
ok "GitHub client-credentials: outputs $(cut -d= -f1 "$gh/cc.kv" | xargs), masked first, issued by the fake"

# Files relative to the workspace: --workdir /github/workspace makes them resolve.
gh_run pw flow=password service-key-file=cockpit-key.json "username=$FAKESAP_USERNAME" \
  "password=$FAKESAP_PASSWORD" ca-certificates=certs/fake-ca.pem timeout=10s
[[ $(cat "$gh/pw.rc") == 0 ]] || { cat "$gh/pw.out" "$gh/pw.err"; fail "GitHub password: exit $(cat "$gh/pw.rc")"; }
gh_check pw access-token "access-token authorization token-type expires-in expires-at scope" >"$gh/pw.kv" ||
  fail "GitHub password outputs"
is_issued "$(sha "$(sed -n 's/^access-token=//p' "$gh/pw.kv")")" || fail "GitHub password: the token is not one the fake UAA issued"
gh_no_leak pw
ok "GitHub password: outputs $(cut -d= -f1 "$gh/pw.kv" | xargs), masked first, issued by the fake"

gh_run bad flow=ias-passcode "certificate-password=$FAKESAP_P12_PASSWORD"
[[ $(cat "$gh/bad.rc") == 2 ]] || fail "GitHub with ias-tenant missing: exit $(cat "$gh/bad.rc"), want 2"
grep -q '^::error::' "$gh/bad.out" || fail "GitHub with ias-tenant missing: no ::error:: line"
[[ ! -s $gh/bad.output ]] || fail "GitHub with ias-tenant missing: outputs were written"
gh_no_leak bad
ok "GitHub bad input: exit 2, $(grep -m1 '^::error::' "$gh/bad.out")"

# The secretless flows, with the two variables the runner adds to a
# container action's environment when the job has `permissions: id-token:
# write`, pointing at the fake issuer's GitHub-style token service.
oidc_env=("+ACTIONS_ID_TOKEN_REQUEST_URL=$FAKESAP_ID_TOKEN_REQUEST_URL" "+ACTIONS_ID_TOKEN_REQUEST_TOKEN=$FAKESAP_ID_TOKEN_REQUEST_TOKEN")

# gh_check_env NAME VAR=OUTPUT...: the step's GITHUB_ENV file holds exactly
# these variables, each as a VAR<<ghadelimiter_<uuid> heredoc whose value is
# that output of the step (read from $gh/NAME.kv).
gh_check_env() {
  python3 - "$gh/$1.env" "$gh/$1.kv" "${@:2}" <<'EOF'
import re, sys
path, kv, *want = sys.argv[1:]
outputs = dict(l.split("=", 1) for l in open(kv).read().splitlines())
lines, got, i = open(path).read().split("\n"), {}, 0
if lines[-1] != "":
    sys.exit("GITHUB_ENV does not end with a newline")
while i < len(lines) - 1:
    m = re.fullmatch(r"([A-Z_][A-Z0-9_]*)<<(ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", lines[i])
    if not m:
        sys.exit(f"GITHUB_ENV line {i + 1} is not NAME<<ghadelimiter_<uuid>")
    j = lines.index(m.group(2), i + 1)
    got[m.group(1)] = "\n".join(lines[i + 1:j])
    i = j + 1
expected = {w.split("=")[0]: outputs[w.split("=")[1]] for w in want}
if got != expected:
    sys.exit(f"GITHUB_ENV holds {sorted(got)}, want {sorted(expected)} with the outputs' values")
EOF
}

gh_run oidc "${oidc_env[@]}" flow=oidc "audience=$FAKESAP_JOB_AUDIENCE" "ca-certificates=$ca_pem" export-env=BTP_ASSERTION=id-token
[[ $(cat "$gh/oidc.rc") == 0 ]] || { cat "$gh/oidc.out" "$gh/oidc.err"; fail "GitHub oidc: exit $(cat "$gh/oidc.rc")"; }
gh_check oidc id-token "id-token issuer subject audience expires-in expires-at" >"$gh/oidc.kv" || fail "GitHub oidc outputs"
is_issued "$(sha "$(sed -n 's/^id-token=//p' "$gh/oidc.kv")")" || fail "GitHub oidc: the id-token is not one the fake issuer's token service minted"
grep -qx "issuer=$FAKESAP_ISSUER_URL" "$gh/oidc.kv" && grep -qx "audience=$FAKESAP_JOB_AUDIENCE" "$gh/oidc.kv" &&
  grep -qxF "subject=$FAKESAP_GITHUB_SUBJECT" "$gh/oidc.kv" || { cat "$gh/oidc.kv"; fail "GitHub oidc: issuer, audience or subject is not the token's"; }
gh_check_env oidc BTP_ASSERTION=id-token || fail "GitHub oidc: export-env BTP_ASSERTION=id-token"
grep -q '^::notice::OIDC trust report' "$gh/oidc.out" || fail "GitHub oidc: no trust report notice"
gh_no_leak oidc
ok "GitHub oidc (token service on loopback): outputs $(cut -d= -f1 "$gh/oidc.kv" | xargs), masked first, BTP_ASSERTION in GITHUB_ENV, trust report"

# jwt-bearer at IAS: the job's token for an IAS token; its id_token goes to
# GITHUB_ENV as BTP_ASSERTION (what Terraform's btp provider reads).
gh_run ias "${oidc_env[@]}" flow=jwt-bearer "ias-tenant=$FAKESAP_IAS_URL" "client-id=$FAKESAP_IAS_CLIENT_ID" \
  "client-secret=$FAKESAP_IAS_CLIENT_SECRET" "audience=$FAKESAP_JOB_AUDIENCE" "ca-certificates=$ca_pem" \
  export-env=BTP_ASSERTION=id-token
[[ $(cat "$gh/ias.rc") == 0 ]] || { cat "$gh/ias.out" "$gh/ias.err"; fail "GitHub jwt-bearer at IAS: exit $(cat "$gh/ias.rc")"; }
gh_check ias "access-token id-token" "access-token authorization token-type expires-in expires-at scope id-token" >"$gh/ias.kv" ||
  fail "GitHub jwt-bearer at IAS outputs"
for o in access-token id-token; do
  is_issued "$(sha "$(sed -n "s/^$o=//p" "$gh/ias.kv")")" || fail "GitHub jwt-bearer at IAS: $o is not one the fake IAS issued"
done
gh_check_env ias BTP_ASSERTION=id-token || fail "GitHub jwt-bearer at IAS: export-env BTP_ASSERTION=id-token"
gh_no_leak ias
ok "GitHub jwt-bearer at IAS (job token from the token service): outputs $(cut -d= -f1 "$gh/ias.kv" | xargs), masked first, BTP_ASSERTION in GITHUB_ENV"

# Zero stored secrets (client-auth id-token): the job's token is both the
# assertion and the IAS application's credential; no input holds a secret.
gh_run nosecret "${oidc_env[@]}" flow=jwt-bearer "ias-tenant=$FAKESAP_IAS_URL" "client-id=$FAKESAP_IAS_JOB_CLIENT_ID" \
  client-auth=id-token "ca-certificates=$ca_pem"
[[ $(cat "$gh/nosecret.rc") == 0 ]] || { cat "$gh/nosecret.out" "$gh/nosecret.err"; fail "GitHub client-auth id-token: exit $(cat "$gh/nosecret.rc")"; }
gh_check nosecret "access-token id-token" "access-token authorization token-type expires-in expires-at scope id-token" >"$gh/nosecret.kv" ||
  fail "GitHub client-auth id-token outputs"
for o in access-token id-token; do
  is_issued "$(sha "$(sed -n "s/^$o=//p" "$gh/nosecret.kv")")" || fail "GitHub client-auth id-token: $o is not one the fake IAS issued"
done
grep -q 'Client Authentication' "$gh/nosecret.out" || fail "GitHub client-auth id-token: the trust report does not name the Client Authentication entry"
gh_no_leak nosecret
ok "GitHub jwt-bearer at IAS with client-auth id-token (no secret in any input): outputs $(cut -d= -f1 "$gh/nosecret.kv" | xargs), masked first"

# jwt-bearer at XSUAA with the IAS id_token as assertion: a Cloud
# Integration user token, and the API accepts it.
gh_run xsuaa flow=jwt-bearer "service-key=$(cat "$FAKESAP_SERVICE_KEY_FILE")" \
  "assertion=$(sed -n 's/^id-token=//p' "$gh/ias.kv")" "ca-certificates=$ca_pem"
[[ $(cat "$gh/xsuaa.rc") == 0 ]] || { cat "$gh/xsuaa.out" "$gh/xsuaa.err"; fail "GitHub jwt-bearer at XSUAA: exit $(cat "$gh/xsuaa.rc")"; }
gh_check xsuaa access-token "access-token authorization token-type expires-in expires-at scope id-token" >"$gh/xsuaa.kv" ||
  fail "GitHub jwt-bearer at XSUAA outputs"
is_issued "$(sha "$(sed -n 's/^access-token=//p' "$gh/xsuaa.kv")")" || fail "GitHub jwt-bearer at XSUAA: the token is not one the fake UAA issued"
curl -fsS --cacert "$FAKESAP_CA_FILE" -H "Authorization: $(sed -n 's/^authorization=//p' "$gh/xsuaa.kv")" \
  "$FAKESAP_CPI_URL/api/v1/MessageProcessingLogs?\$top=1" | grep -q '"Status":"COMPLETED"' ||
  fail "GitHub jwt-bearer at XSUAA: the Cloud Integration API refused the token"
gh_no_leak xsuaa
ok "GitHub jwt-bearer at XSUAA (assertion: the IAS id_token): a user token the Cloud Integration API accepts"

# CLI mode: the image started with arguments, as from a `run:` step
# (GITHUB_ACTIONS=true, GITHUB_OUTPUT and GITHUB_ENV set, no INPUT_*): stdout
# is the value alone, for $(…); the masks go to stderr, which the runner
# also reads for workflow commands; neither file is written.
# gh_cli_check NAME WHAT
gh_cli_check() {
  local v
  [[ $(cat "$gh/$1.rc") == 0 ]] || { cat "$gh/$1.out" "$gh/$1.err"; fail "GitHub CLI $2: exit $(cat "$gh/$1.rc")"; }
  [[ $(wc -l <"$gh/$1.out") == 1 ]] || fail "GitHub CLI $2: stdout has $(wc -l <"$gh/$1.out") lines, want the value alone"
  v=$(cat "$gh/$1.out")
  is_issued "$(sha "$v")" || fail "GitHub CLI $2: stdout is not a value the fakes issued"
  grep -qxF -- "::add-mask::$v" "$gh/$1.err" || fail "GitHub CLI $2: stderr has no ::add-mask:: line for the value"
  [[ ! -s $gh/$1.output && ! -s $gh/$1.env ]] || fail "GitHub CLI $2: wrote GITHUB_OUTPUT or GITHUB_ENV"
  grep -v '^::add-mask::' "$gh/$1.err" >"$gh/$1.log" || true
  no_secrets "$gh/$1.log" "GitHub CLI $2 (stderr without add-mask lines)"
}
gh_run cli "+SAP_CI_AUTH_SERVICE_KEY=$(cat "$FAKESAP_SERVICE_KEY_FILE")" "+SAP_CI_AUTH_CA_CERTIFICATES=$ca_pem" -- client-credentials
gh_cli_check cli client-credentials
gh_run cli-oidc "${oidc_env[@]}" "+SAP_CI_AUTH_CA_CERTIFICATES=$ca_pem" -- oidc --audience "$FAKESAP_JOB_AUDIENCE"
gh_cli_check cli-oidc oidc
ok "GitHub CLI mode (IMAGE client-credentials, IMAGE oidc; GITHUB_ACTIONS=true): the value alone on stdout, ::add-mask:: on stderr, no file written"

# ---------------------------------------------------------------------------
step "1b. release rehearsal: the released action.yml, its image pulled by digest from a local registry"
fakes_alive
t_rel=$SECONDS
# What release.yml's action job does, against an OCI registry on 127.0.0.1
# (test/registry: go-containerregistry's pkg/registry): push the image, make
# the release form of action.yml with scripts/pin-action-image.sh in a copy
# of the repository and commit it, then run that action as the runner does
# (docker pull of the image, docker run with the runner's flags) and under
# act, with no local reference to the image left, so that only a pull by
# digest can find it. SAP_CI_AUTH_PIN_SCRIPT=<file> runs <file> instead of
# the script (to show that the rehearsal fails when the rewrite is broken).
grep -qF 'bash scripts/pin-action-image.sh "$IMAGE@$DIGEST" action.yml' .github/workflows/release.yml ||
  fail "release.yml no longer runs scripts/pin-action-image.sh \"\$IMAGE@\$DIGEST\" action.yml: update the rehearsal"
go build -o "$tmp/registry" ./test/registry
"$tmp/registry" >"$tmp/registry.addr" 2>"$tmp/registry.log" &
registry_pid=$!
for _ in $(seq 100); do
  [[ -s $tmp/registry.addr ]] && break
  kill -0 "$registry_pid" 2>/dev/null || fail "the registry exited: $(cat "$tmp/registry.log")"
  sleep 0.1
done
reg=$(head -1 "$tmp/registry.addr")
[[ $reg =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "the registry printed '$reg', not 127.0.0.1:<port>"
rel_name=$reg/sap-ci-auth
docker tag "$IMAGE" "$rel_name:rehearsal"
docker push "$rel_name:rehearsal" >"$tmp/push.log" 2>&1 || { cat "$tmp/push.log"; fail "docker push to the local registry"; }
pushed=$(sed -n 's/^rehearsal: digest: \(sha256:[0-9a-f]\{64\}\) size: [0-9]*$/\1/p' "$tmp/push.log")
[[ -n $pushed ]] || { cat "$tmp/push.log"; fail "docker push printed no digest"; }
ok "pushed $IMAGE to $rel_name:rehearsal: $pushed"

# The release's checkout: a copy of the working tree (tracked and untracked
# files, not ignored ones) committed as the tagged commit; then the
# release's own step: the script, and a commit of action.yml on top.
rel=$tmp/release
mkdir -p "$rel"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
  tar --null -T - -c | tar -C "$rel" -x
[[ -z ${SAP_CI_AUTH_PIN_SCRIPT:-} ]] || cp "$SAP_CI_AUTH_PIN_SCRIPT" "$rel/scripts/pin-action-image.sh"
relgit() { git -C "$rel" -c user.name=rehearsal -c user.email=rehearsal@localhost "$@"; }
relgit init -q && relgit add -A && relgit commit -qm "the tagged commit"
(cd "$rel" && bash scripts/pin-action-image.sh "$rel_name@$pushed" action.yml) >"$tmp/pin.log" 2>&1 ||
  { cat "$tmp/pin.log"; fail "scripts/pin-action-image.sh refused the pushed image"; }
relgit commit -qm "Release: action.yml runs $rel_name@$pushed" action.yml || fail "the script left action.yml as it was: nothing to commit"
[[ $(relgit diff --name-only HEAD~1 HEAD) == action.yml ]] || fail "the release commit changed more than action.yml"
uses=$(python3 -c 'import sys, yaml; r = yaml.safe_load(open(sys.argv[1]))["runs"]; print(r["using"], r["image"])' "$rel/action.yml")
[[ $uses == "docker docker://$rel_name@$pushed" ]] ||
  fail "the released action.yml runs '$uses', want 'docker docker://$rel_name@$pushed'"
! grep -qi 'dockerfile\|every run' "$rel/action.yml" || fail "the released action.yml still says it builds the Dockerfile: $(grep -ni 'dockerfile\|every run' "$rel/action.yml" | head -1)"
ok "released action.yml (one commit on top, action.yml only): $(grep -n '^  image: ' "$rel/action.yml")"
ref=${uses#docker docker://}

# unref: no local tag or digest reference to the registry's image is left
# (the layers stay, as on a runner that ran an older release).
unref() {
  docker image rm "$rel_name:rehearsal" "$ref" >/dev/null 2>&1 || true
  [[ -z $(docker image ls -q "$rel_name") ]] || fail "images named $rel_name are still there: $(docker image ls "$rel_name")"
  ! docker image inspect "$ref" >/dev/null 2>&1 || fail "$ref still resolves locally"
}
# pulled_by_digest SINCE WHAT [manifest]: after unref, the pull asked the
# registry (its log has a request after line SINCE), and the image now
# answers to the reference by digest (RepoDigests); with `manifest`, the
# registry served the manifest by digest (GET /v2/sap-ci-auth/manifests/
# <digest>). Only the first pull can show that GET: the engine (Docker
# 20.10 and later) keeps a pulled manifest in its content store and, for a
# pull of the same digest, only pings the registry (GET /v2/).
pulled_by_digest() {
  local log
  log=$(tail -n +"$(($1 + 1))" "$tmp/registry.log")
  [[ -n $log ]] || fail "$2: the registry got no request: the image was not pulled"
  if [[ ${3:-} == manifest ]] && ! grep -q " GET /v2/sap-ci-auth/manifests/$pushed\$" <<<"$log"; then
    echo "$log"
    fail "$2: the registry's log shows no GET of the manifest by digest"
  fi
  docker image inspect -f '{{json .RepoDigests}}' "$ref" | grep -qF "\"$ref\"" || fail "$2: RepoDigests lacks $ref"
}

# As the runner: `docker pull` of a docker:// action's image when the job is
# set up, then docker run with its flags (gh_run), the released image.
unref
since=$(wc -l <"$tmp/registry.log")
docker pull -q "$ref" >"$tmp/pull.log" 2>&1 || { cat "$tmp/pull.log"; fail "docker pull $ref"; }
pulled_by_digest "$since" "runner pull" manifest
GH_IMAGE=$ref gh_run rel-demo -- demo
[[ $(cat "$gh/rel-demo.rc") == 0 ]] || { cat "$gh/rel-demo.out" "$gh/rel-demo.err"; fail "released image: demo exit $(cat "$gh/rel-demo.rc")"; }
grep -q '^demo: all 6 steps passed' "$gh/rel-demo.out" "$gh/rel-demo.err" || fail "released image: the demo did not pass every step"
GH_IMAGE=$ref gh_run rel-cc flow=client-credentials "service-key=$(cat "$FAKESAP_SERVICE_KEY_FILE")" "ca-certificates=$ca_pem"
[[ $(cat "$gh/rel-cc.rc") == 0 ]] || { cat "$gh/rel-cc.out" "$gh/rel-cc.err"; fail "released image: client-credentials exit $(cat "$gh/rel-cc.rc")"; }
gh_check rel-cc access-token "access-token authorization token-type expires-in expires-at scope" >"$gh/rel-cc.kv" ||
  fail "released image: client-credentials outputs"
is_issued "$(sha "$(sed -n 's/^access-token=//p' "$gh/rel-cc.kv")")" || fail "released image: the token is not one the fake UAA issued"
gh_no_leak rel-cc
GH_IMAGE=$ref gh_run rel-bad flow=ias-passcode
[[ $(cat "$gh/rel-bad.rc") == 2 ]] || fail "released image with ias-tenant missing: exit $(cat "$gh/rel-bad.rc"), want 2"
grep -q '^::error::' "$gh/rel-bad.out" || fail "released image with ias-tenant missing: no ::error:: line"
ok "runner: docker pull by digest (the registry served the manifest by digest, RepoDigests has it), then docker run with the runner's flags: demo, client-credentials against the fakes, a bad input (exit 2, ::error::)"

# Under act: `uses: ./` in the copy is the released action; act pulls it.
unref
since=$(wc -l <"$tmp/registry.log")
printf "SERVICE_KEY='%s'\n" "$(cat "$FAKESAP_SERVICE_KEY_FILE")" >"$tmp/rel-act.secrets"
printf 'CA_PEM="%s"\n' "$(awk '{printf "%s\\n", $0}' "$FAKESAP_CA_FILE")" >"$tmp/rel-act.vars"
: >"$tmp/rel-act.empty"
rc=0
act push -C "$rel" -W "$rel/test/act/released.yml" -P "ubuntu-latest=$JOB_IMAGE" --pull=false --action-offline-mode \
  --no-cache-server --container-daemon-socket - --rm \
  --secret-file "$tmp/rel-act.secrets" --var-file "$tmp/rel-act.vars" --env-file "$tmp/rel-act.empty" --input-file "$tmp/rel-act.empty" \
  >"$tmp/rel-act.log" 2>&1 || rc=$?
((rc == 0)) || { tail -40 "$tmp/rel-act.log"; fail "act on the released action exited $rc; log: $tmp/rel-act.log"; }
grep -q 'Job succeeded' "$tmp/rel-act.log" || fail "act on the released action: the job did not succeed"
pulled_by_digest "$since" "act"
grep -q 'demo: all 6 steps passed' "$tmp/rel-act.log" || fail "act on the released action: the demo did not pass every step"
h=$(sed -n 's/.*RESULT released-cc sha256=\([0-9a-f]*\).*/\1/p' "$tmp/rel-act.log")
[[ -n $h ]] && is_issued "$h" || fail "act on the released action: the token a later step received is not one the fake UAA issued"
grep -q '::error::.*ias-tenant' "$tmp/rel-act.log" || fail "act on the released action: the bad input gave no ::error:: naming ias-tenant"
grep -q 'RESULT released-bad outcome=failure' "$tmp/rel-act.log" || fail "act on the released action: the bad input did not fail the step"
no_secrets "$tmp/rel-act.log" "act's log of the released action"
ok "act: uses: ./ of the released copy pulled $ref (no local reference before, the registry asked, RepoDigests has it): demo, client-credentials, a bad input with ::error::"
rel_secs=$((SECONDS - t_rel))

# ---------------------------------------------------------------------------
step "tools image: the job image with the binary (act's run: steps, GitLab's same-job examples)"
gl=$tmp/gitlab
mkdir -p "$gl/project"
# Any image with the user's CLIs and the binary copied in, as .gitlab-ci.yml
# describes. act uses it as the job image too, so that a `run:` step can call
# the binary as a CLI, as on a runner where it is installed. btp here is a
# stand-in that reports a hash of the password it was given.
mkdir -p "$gl/tools"
cat >"$gl/tools/btp" <<'EOF'
#!/bin/sh
# Stand-in for the btp CLI: prints a hash of --password, never the password.
while [ $# -gt 0 ]; do
  case $1 in --password) pw=$2; shift ;; --user) user=$2; shift ;; esac
  shift
done
[ -n "$pw" ] || { echo "btp: no --password" >&2; exit 1; }
echo "btp stand-in: login as $user, password sha256=$(printf %s "$pw" | sha256sum | cut -d' ' -f1)"
EOF
chmod 755 "$gl/tools/btp"
cat >"$gl/tools/Dockerfile" <<EOF
FROM $JOB_IMAGE
COPY --from=$IMAGE /usr/local/bin/sap-ci-auth /usr/local/bin/sap-ci-auth
COPY btp /usr/local/bin/btp
EOF
docker build -q -t "$TOOLS_IMAGE" "$gl/tools" >"$gl/tools.log" 2>&1 || { cat "$gl/tools.log"; fail "tools image build"; }
ok "$TOOLS_IMAGE: $JOB_IMAGE plus /usr/local/bin/sap-ci-auth and a btp stand-in"

# ---------------------------------------------------------------------------
step "2. act v$ACT_VERSION: test/act/workflow.yml, container mode"
fakes_alive
act --version | grep -q "$ACT_VERSION" || fail "act $ACT_VERSION is needed (go install github.com/nektos/act@v$ACT_VERSION): $(act --version 2>&1)"
if command -v actionlint >/dev/null; then actionlint test/act/workflow.yml && ok "actionlint test/act/workflow.yml"; fi
{
  echo "IAS_CERTIFICATE='$(cat "$FAKESAP_P12_B64_FILE")'"
  echo "IAS_CERTIFICATE_PASSWORD='$FAKESAP_P12_PASSWORD'"
  echo "SERVICE_KEY='$(cat "$FAKESAP_SERVICE_KEY_FILE")'"
  echo "COCKPIT_KEY='$(cat "$FAKESAP_COCKPIT_KEY_FILE")'"
  echo "COCKPIT_PASSWORD='$FAKESAP_PASSWORD'"
  echo "IAS_CLIENT_SECRET='$FAKESAP_IAS_CLIENT_SECRET'"
  # act has no OIDC token service: a job token minted at the fake issuer now
  # (it lasts 5 minutes), which the workflow writes to a file in the
  # workspace for id-token-file, as a local run would.
  echo "JOB_ID_TOKEN='$(curl -fsS "$FAKESAP_MINT_URL?style=github&audience=$FAKESAP_JOB_AUDIENCE")'"
} >"$tmp/act.secrets"
{
  echo "IAS_URL=$FAKESAP_IAS_URL"
  echo "CPI_URL=$FAKESAP_CPI_URL"
  echo "COCKPIT_URL=$FAKESAP_COCKPIT_URL"
  echo "COCKPIT_USER=$FAKESAP_USERNAME"
  echo "IAS_CLIENT_ID=$FAKESAP_IAS_CLIENT_ID"
  echo "ISSUER_URL=$FAKESAP_ISSUER_URL"
  # act reads this file with godotenv: "\n" in double quotes is a line break.
  printf 'CA_PEM="%s"\n' "$(awk '{printf "%s\\n", $0}' "$FAKESAP_CA_FILE")"
} >"$tmp/act.vars"
: >"$tmp/act.empty"
t0=$SECONDS
rc=0
# act builds the Dockerfile itself, as GitHub does for `image: Dockerfile`
# (about a minute on 2 cores: it packs the context with other tar metadata
# than the docker CLI, so the CLI's layers are not reused; later runs are).
# Container mode (-P ubuntu-latest=<image>): the job container gets the host
# network and act starts the action's container in it (network
# container:<job>), so 127.0.0.1 is the host. -P ubuntu-latest=-self-hosted
# would put the action's container on the bridge, away from loopback. The job
# image is the tools image, which has the binary for the CLI step.
act push -W test/act/workflow.yml -P "ubuntu-latest=$TOOLS_IMAGE" --pull=false --action-offline-mode \
  --no-cache-server --container-daemon-socket - --rm \
  --secret-file "$tmp/act.secrets" --var-file "$tmp/act.vars" --env-file "$tmp/act.empty" --input-file "$tmp/act.empty" \
  >"$tmp/act.log" 2>&1 || rc=$?
# The first 120 lines of interest; sed reads to the end, as head would
# not: with pipefail, a writer cut off by head's exit (SIGPIPE, 141) would
# end the script once the log has more lines than that.
sed 's/^/  act| /' "$tmp/act.log" | grep -v '^  act| *$' | grep -E '⭐|✅|❌|⚙|\||network=|Job ' |
  grep -v '⚙  \*\*\*$' | cut -c1-220 | sed -n '1,120p'
((rc == 0)) || fail "act exited $rc; log: $tmp/act.log"
grep -q 'Job succeeded' "$tmp/act.log" || fail "act: job did not succeed"
grep -q 'network="container:' "$tmp/act.log" || fail "act: the action container did not join the job container's network"
grep -q '| passcode: \*\*\*$' "$tmp/act.log" || fail "act: the later step's echo of the passcode is not shown as ***"
grep -q '| access token: \*\*\*$' "$tmp/act.log" || fail "act: the later step's echo of the token is not shown as ***"
grep -q '::set-output:: passcode=\*\*\*' "$tmp/act.log" || fail "act: the passcode output is not shown as ***"
grep -q '| BTP_ASSERTION: \*\*\*$' "$tmp/act.log" || fail "act: the echo of the exported BTP_ASSERTION (the IAS id_token, masked only by the action) is not shown as ***"
grep -q '| cli token: \*\*\*$' "$tmp/act.log" ||
  fail "act: the echo of the token a CLI call printed is not shown as *** (its ::add-mask:: went to stderr)"
for flow in passcode client-credentials password oidc jwt-bearer-ias jwt-bearer-xsuaa cli; do
  h=$(sed -n "s/.*RESULT $flow sha256=\([0-9a-f]*\).*/\1/p" "$tmp/act.log")
  [[ -n $h ]] || fail "act: no RESULT line for $flow"
  is_issued "$h" || fail "act: the $flow value a later step received is not one the fakes issued"
done
for flow in client-credentials password jwt-bearer-xsuaa cli; do
  grep -q "RESULT $flow .* api=OK" "$tmp/act.log" || fail "act: the API call of the step after $flow failed"
done
grep -qF "RESULT oidc sha256=$(sha "$(sed -n "s/^JOB_ID_TOKEN='\(.*\)'$/\1/p" "$tmp/act.secrets")") issuer=$FAKESAP_ISSUER_URL" "$tmp/act.log" ||
  fail "act: BTP_ASSERTION (export-env) is not the job token from id-token-file, or the issuer output is wrong"
no_secrets "$tmp/act.log" "act's log"
ok "act: 3 flows and the secretless chain (id-token-file, export-env) via uses: ./, a CLI run: step; later steps got the issued values and called the API, log shows *** (${SECONDS}s total so far, act $((SECONDS - t0))s)"

# ---------------------------------------------------------------------------
step "3. GitLab: the docker executor (.gitlab-ci.yml, templates/sap-ci-auth.yml)"
fakes_alive

# Project CI/CD variables as a GitLab admin would set them.
python3 - "$gl/variables.json" <<EOF
import json, sys
json.dump({
    "SAP_AUTH_IMAGE": "$IMAGE",
    "SAP_TOOLS_IMAGE": "$TOOLS_IMAGE",
    "SAP_CI_AUTH_IAS_TENANT": "$FAKESAP_IAS_URL",
    "SAP_CI_AUTH_CERTIFICATE": open("$FAKESAP_P12_B64_FILE").read(),           # masked
    "SAP_CI_AUTH_CERTIFICATE_PASSWORD": "$FAKESAP_P12_PASSWORD",              # masked
    "SAP_CI_AUTH_CA_CERTIFICATES": open("$FAKESAP_CA_FILE").read(),            # PEM text
    "SAP_CI_AUTH_SERVICE_KEY_FILE": {"value": open("$FAKESAP_SERVICE_KEY_FILE").read(), "file": True},
    "CPI_API_URL": "$FAKESAP_CPI_URL",
    "CURL_CA_BUNDLE": {"value": open("$FAKESAP_CA_FILE").read(), "file": True},
}, open(sys.argv[1], "w"))
EOF
chmod 600 "$gl/variables.json"
# GitLab's masked-variable rules for the two masked values.
for v in "$(cat "$FAKESAP_P12_B64_FILE")" "$FAKESAP_P12_PASSWORD"; do
  [[ ${#v} -ge 8 && $v != *[[:space:]]* && $v != *'$'* ]] || fail "a masked GitLab variable breaks GitLab's masking rules"
done

gitlab_job() { # JOB LOG [gitlab-job.py options]
  local job=$1 log=$2
  shift 2
  python3 test/gitlab-job.py --job "$job" --project-dir "$gl/project" --variables "$gl/variables.json" \
    --image-map "curlimages/curl:8.11.1=$JOB_IMAGE" --log "$log" "$@"
}

# a. btp-login: the passcode fetched and used in the same job.
gitlab_job btp-login "$gl/btp-login.log" || { cat "$gl/btp-login.log"; fail "GitLab job btp-login"; }
sed 's/^/  job| /' "$gl/btp-login.log"
h=$(sed -n 's/.*password sha256=\([0-9a-f]*\).*/\1/p' "$gl/btp-login.log")
[[ -n $h ]] && is_issued "$h" || fail "GitLab btp-login: btp did not get a passcode the fake IAS issued"
no_secrets "$gl/btp-login.log" "GitLab job log btp-login"

# b. cpi-token: the component's job; a dotenv report for later jobs.
gitlab_job cpi-token "$gl/cpi-token.log" || { cat "$gl/cpi-token.log"; fail "GitLab job cpi-token (component)"; }
sed 's/^/  job| /' "$gl/cpi-token.log"
report=$gl/project/sap-auth.env
[[ -f $report ]] || fail "GitLab cpi-token: no dotenv report $report"
[[ $(stat -c %a "$report") == 600 ]] || fail "GitLab cpi-token: the report's mode is $(stat -c %a "$report"), want 600"
no_secrets "$gl/cpi-token.log" "GitLab job log cpi-token"
token=$(sed -n 's/^ACCESS_TOKEN=//p' "$report")
is_issued "$(sha "$token")" || fail "GitLab cpi-token: ACCESS_TOKEN is not one the fake UAA issued"
ok "GitLab cpi-token: report with $(cut -d= -f1 "$report" | xargs)"

# c. cpi-call: a later job loads the report (gitlab-job.py applies GitLab's
#    dotenv rules) and calls the API with the token.
gitlab_job cpi-call "$gl/cpi-call.log" --dotenv "$report" || { cat "$gl/cpi-call.log"; fail "GitLab job cpi-call"; }
sed 's/^/  job| /' "$gl/cpi-call.log"
grep -q 'Cloud Integration API answered 200' "$gl/cpi-call.log" || fail "GitLab cpi-call: the API call failed"
no_secrets "$gl/cpi-call.log" "GitLab job log cpi-call"
ok "GitLab: same-job passcode, component token job, dotenv report, later job used the token"

# d. The secretless set-up, as a project of its own: only the OAuth clients
#    are CI/CD variables (no SAP_CI_AUTH_* besides the CA of the fakes), and
#    each job's ID token comes from `id_tokens:`, minted by the fake issuer
#    for the job's aud, set as the masked variable SAP_CI_AUTH_ID_TOKEN.
python3 - "$gl/variables-secretless.json" <<EOF
import json, sys
json.dump({
    "SAP_AUTH_IMAGE": "$IMAGE",
    "SAP_TOOLS_IMAGE": "$TOOLS_IMAGE",
    "SAP_CI_AUTH_CA_CERTIFICATES": open("$FAKESAP_CA_FILE").read(),            # PEM text
    "IAS_TENANT": "$FAKESAP_IAS_URL",
    "IAS_CLIENT_ID": "$FAKESAP_IAS_CLIENT_ID",
    "IAS_JOB_AUDIENCE": "$FAKESAP_JOB_AUDIENCE",
    "IAS_CLIENT_SECRET": "$FAKESAP_IAS_CLIENT_SECRET",                       # masked
    "CPI_SERVICE_KEY_FILE": {"value": open("$FAKESAP_SERVICE_KEY_FILE").read(), "file": True},
    "CPI_API_URL": "$FAKESAP_CPI_URL",
    "CURL_CA_BUNDLE": {"value": open("$FAKESAP_CA_FILE").read(), "file": True},
}, open(sys.argv[1], "w"))
EOF
chmod 600 "$gl/variables-secretless.json"
v=$FAKESAP_IAS_CLIENT_SECRET
[[ ${#v} -ge 8 && $v != *[[:space:]]* && $v != *'$'* ]] || fail "IAS_CLIENT_SECRET breaks GitLab's masking rules"
gitlab_secretless() { # JOB LOG [gitlab-job.py options]
  local job=$1 log=$2
  shift 2
  python3 test/gitlab-job.py --job "$job" --project-dir "$gl/project" --variables "$gl/variables-secretless.json" \
    --mint-url "$FAKESAP_MINT_URL" --log "$log" "$@"
}
# The rules keep the two set-ups apart (exit code 3: GitLab would not run it).
for j in btp-login cpi-token cpi-call; do
  rc=0; gitlab_secretless "$j" "$gl/$j.skipped.log" 2>/dev/null || rc=$?
  ((rc == 3)) || fail "GitLab: job $j would run in the secretless project (gitlab-job.py exit $rc, want 3)"
done
for j in cpi-secretless ias-token; do
  rc=0; gitlab_job "$j" "$gl/$j.skipped.log" 2>/dev/null || rc=$?
  ((rc == 3)) || fail "GitLab: job $j would run in the project of jobs 1-3 (gitlab-job.py exit $rc, want 3)"
done

# e. cpi-secretless: id_tokens -> jwt-bearer at IAS -> jwt-bearer at XSUAA
#    -> the API, all in one job.
gitlab_secretless cpi-secretless "$gl/cpi-secretless.log" || { cat "$gl/cpi-secretless.log"; fail "GitLab job cpi-secretless"; }
sed 's/^/  job| /' "$gl/cpi-secretless.log"
grep -q 'Cloud Integration API answered 200 to the user token' "$gl/cpi-secretless.log" || fail "GitLab cpi-secretless: the API call failed"
grep -qF "sub: $FAKESAP_GITLAB_SUBJECT" "$gl/cpi-secretless.log" || fail "GitLab cpi-secretless: no trust report with the GitLab token's sub in the log"
no_secrets "$gl/cpi-secretless.log" "GitLab job log cpi-secretless"
ok "GitLab cpi-secretless: the job's id_tokens token, exchanged at IAS and then at XSUAA, opened the API"

# f. ias-token: the component with flow jwt-bearer and id_tokens added by
#    name; its dotenv report passes GitLab's rules.
gitlab_secretless ias-token "$gl/ias-token.log" || { cat "$gl/ias-token.log"; fail "GitLab job ias-token (component, jwt-bearer)"; }
sed 's/^/  job| /' "$gl/ias-token.log"
no_secrets "$gl/ias-token.log" "GitLab job log ias-token"
report=$gl/project/ias-token.env
[[ -f $report ]] || fail "GitLab ias-token: no dotenv report $report"
names=$(python3 -c 'import importlib.util, sys
spec = importlib.util.spec_from_file_location("gitlab_job", "test/gitlab-job.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(" ".join(m.parse_dotenv(sys.argv[1])))' "$report") || fail "GitLab ias-token: GitLab would reject the dotenv report"
for v in ACCESS_TOKEN ID_TOKEN; do
  is_issued "$(sha "$(sed -n "s/^$v=//p" "$report")")" || fail "GitLab ias-token: $v is not one the fake IAS issued"
done
ok "GitLab ias-token (component, jwt-bearer, id_tokens): report with $names"

# ---------------------------------------------------------------------------
step "summary"
echo "image $IMAGE: $size bytes ($(mb "$size") MB, limit $(mb "$MAX_IMAGE_BYTES") MB)"
echo "cold build (--no-cache): ${cold}s; warm build: ${warm}s${src:+; after a source-only change: ${src}s}"
echo "GitHub docker run: 5 flows (oidc and jwt-bearer with the token service) + bad input + 2 CLI calls;" \
  "act $ACT_VERSION: 5 flows + a CLI run: step; GitLab executor: 5 jobs (2 with id_tokens)"
echo "release rehearsal: action.yml pinned to $ref, pulled by digest by the runner's docker and by act, in ${rel_secs}s"
echo "container.sh: PASS in $((SECONDS - started))s"
