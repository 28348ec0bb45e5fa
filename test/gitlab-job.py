#!/usr/bin/env python3
"""Run one job of .gitlab-ci.yml the way GitLab Runner's docker executor does.

Used by test/container.sh; there is no local GitLab (`gitlab-runner exec` was
removed in 16.0), so this does the parts of GitLab and its runner that matter
for sap-ci-auth, and nothing else:

* configuration: reads .gitlab-ci.yml, expands `include: component:` entries
  that name this project's own components (templates/<name>.yml or
  templates/<name>/template.yml) with their `spec: inputs:` (defaults,
  options, required inputs, `$[[ inputs.x ]]` interpolation in keys and
  values), and deep-merges local job keys over included ones, as GitLab does;
* rules: `if:` expressions made of $VAR, && and || (a job whose rules do not
  match is reported as not run, exit code 3);
* variables, by GitLab's precedence (lowest first): predefined, the job's
  `id_tokens:`, top-level `variables:`, job `variables:`, dotenv reports of
  needed jobs, project CI/CD variables. CI/CD variables of type File are
  written to <project>.tmp/<NAME> and the variable holds that path, as the
  runner does;
* `id_tokens:` (GitLab 15.7+): each NAME gets a JWT for its `aud` (a string
  or a list, $VARIABLES expanded as GitLab 16.1+ does), fetched from
  --mint-url (test/fakesap's GET /mint?style=gitlab&audience=…), where GitLab
  would sign it with the instance's key. GitLab masks these variables; this
  runner masks nothing in the job log, so a leak check of the log is
  stricter than GitLab;
* the container: `docker run -i` of the job image (image names can be mapped
  to local stand-ins) with `--entrypoint ""` only when the job sets
  `entrypoint: [""]` (otherwise the image's entrypoint stays, as on GitLab),
  the command `sh -c <GitLab's shell detection script>`, the job script on
  stdin, the project directory mounted at /builds/<path> as the working
  directory, and `--network host` (a runner with network_mode = "host", so
  that the job reaches the test's loopback servers);
* the job log: every script line echoed as `$ <line>` before it runs, stdout
  and stderr merged, written to --log.

It does not upload artifacts: the dotenv report stays in the project
directory for the next job (--dotenv), which is what GitLab's artifact
upload and download achieve.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

import yaml

BUILDS = "/builds/sap-ci-auth/demo"

# gitlab-runner shells/bash.go, BashDetectShellScript: the docker executor
# runs `sh -c` with this script and pipes the job script into the shell it
# execs. /busybox/sh comes last; distroless :debug images have only that one.
DETECT_SHELL = """if [ -x /usr/local/bin/bash ]; then
	exec /usr/local/bin/bash $@
elif [ -x /usr/bin/bash ]; then
	exec /usr/bin/bash $@
elif [ -x /bin/bash ]; then
	exec /bin/bash $@
elif [ -x /usr/local/bin/sh ]; then
	exec /usr/local/bin/sh $@
elif [ -x /usr/bin/sh ]; then
	exec /usr/bin/sh $@
elif [ -x /bin/sh ]; then
	exec /bin/sh $@
elif [ -x /busybox/sh ]; then
	exec /busybox/sh $@
else
	echo shell not found
	exit 1
fi
"""

INPUT_RE = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")


class ConfigError(Exception):
    pass


def interpolate(node, inputs):
    """Replaces $[[ inputs.x ]] in every key and string value."""
    def sub(s):
        def one(m):
            name = m.group(1)
            if name not in inputs:
                raise ConfigError(f"unknown interpolation key: inputs.{name}")
            return str(inputs[name])
        # A value that is exactly one interpolation keeps the input's type.
        m = INPUT_RE.fullmatch(s.strip())
        if m and m.group(1) in inputs and not isinstance(inputs[m.group(1)], str):
            return inputs[m.group(1)]
        return INPUT_RE.sub(one, s)

    if isinstance(node, dict):
        return {sub(k) if isinstance(k, str) else k: interpolate(v, inputs) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, inputs) for v in node]
    if isinstance(node, str):
        return sub(node)
    return node


def component(repo, ref, given):
    """Loads this project's component `ref` (…/<name>@<version>)."""
    m = re.fullmatch(r"\$CI_SERVER_FQDN/\$CI_PROJECT_PATH/([A-Za-z0-9_-]+)@.+", ref)
    if not m:
        raise ConfigError(f"component {ref!r} is not one of this project's (only those can be run here)")
    name = m.group(1)
    for path in (f"templates/{name}.yml", f"templates/{name}/template.yml"):
        full = os.path.join(repo, path)
        if os.path.exists(full):
            break
    else:
        raise ConfigError(f"component {name}: neither templates/{name}.yml nor templates/{name}/template.yml exists")
    with open(full, encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    if len(docs) != 2 or "spec" not in (docs[0] or {}):
        raise ConfigError(f"{path}: a component is a spec: document, ---, then the jobs")
    spec = docs[0]["spec"].get("inputs", {}) or {}
    inputs = {}
    for key in given:
        if key not in spec:
            raise ConfigError(f"{path}: unknown input {key!r}")
    for key, decl in spec.items():
        decl = decl or {}
        if key in given:
            value = given[key]
        elif "default" in decl:
            value = decl["default"]
        else:
            raise ConfigError(f"{path}: required input {key!r} is missing")
        if "options" in decl and value not in decl["options"]:
            raise ConfigError(f"{path}: input {key!r} = {value!r} is not one of {decl['options']}")
        inputs[key] = value
    return interpolate(docs[1], inputs)


def merge(base, over):
    """GitLab's deep merge of hashes: `over` wins; arrays are replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load(repo, config):
    with open(os.path.join(repo, config), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    includes = cfg.pop("include", []) or []
    if isinstance(includes, (str, dict)):
        includes = [includes]
    included = {}
    for inc in includes:
        if not isinstance(inc, dict) or "component" not in inc:
            raise ConfigError(f"include {inc!r}: only component includes are supported here")
        included = merge(included, component(repo, inc["component"], inc.get("inputs", {}) or {}))
    return merge(included, cfg)


def expand(value, env):
    """$VAR and ${VAR} expansion, as GitLab does for image names and variables."""
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), value)


def rule_matches(expr, env):
    """Evaluates `$A && $B || $C` (presence checks only)."""
    def term(t):
        t = t.strip()
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", t)
        if not m:
            raise ConfigError(f"rules: unsupported expression {t!r}")
        return env.get(m.group(1), "") != ""
    return any(all(term(t) for t in alt.split("&&")) for alt in expr.split("||"))


def mint_id_tokens(job, env, mint_url):
    """The variables of the job's `id_tokens:`: NAME -> a JWT for its aud."""
    out = {}
    for name, spec in (job.get("id_tokens") or {}).items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or not isinstance(spec, dict) or set(spec) != {"aud"}:
            raise ConfigError(f"id_tokens: {name}: want NAME: {{aud: <string or list>}}")
        aud = spec["aud"]
        auds = [aud] if isinstance(aud, str) else aud
        if not isinstance(auds, list) or not auds or not all(isinstance(a, str) and a for a in auds):
            raise ConfigError(f"id_tokens: {name}: aud must be a non-empty string or list of strings")
        auds = [expand(a, env) for a in auds]
        if len(auds) != 1 or not auds[0]:
            raise ConfigError(f"id_tokens: {name}: only one non-empty aud is supported here (got {auds!r})")
        if not mint_url:
            raise ConfigError(f"id_tokens: {name}: needs --mint-url (the fake issuer that stands in for GitLab's)")
        query = urllib.parse.urlencode({"style": "gitlab", "audience": auds[0]})
        with urllib.request.urlopen(f"{mint_url}?{query}", timeout=10) as r:
            out[name] = r.read().decode().strip()
    return out


def parse_dotenv(path):
    """Reads a dotenv report and applies GitLab's rules, failing where GitLab
    would reject the upload."""
    data = open(path, "rb").read()
    if len(data) > 5 * 1024:
        raise ConfigError(f"{path}: {len(data)} bytes; GitLab accepts at most 5 KB")
    text = data.decode("utf-8")
    out = {}
    for n, line in enumerate(text.split("\n"), 1):
        if line == "" and n == len(text.split("\n")):
            break  # the final newline
        m = re.fullmatch(r"([A-Za-z0-9_]+)=(.*)", line)
        if not m:
            raise ConfigError(f"{path}:{n}: not a NAME=value line GitLab accepts (empty lines, comments, "
                              "multi-line values and names outside [A-Za-z0-9_] are rejected)")
        value = m.group(2).strip()
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1:
            raise ConfigError(f"{path}:{n}: quoted value; GitLab would keep the quotes")
        out[m.group(1)] = value
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", default=".")
    ap.add_argument("--config", default=".gitlab-ci.yml")
    ap.add_argument("--job", required=True)
    ap.add_argument("--project-dir", required=True, help="host directory mounted as CI_PROJECT_DIR")
    ap.add_argument("--variables", help="JSON file: {NAME: value} or {NAME: {value, file: true}} (project CI/CD variables)")
    ap.add_argument("--dotenv", action="append", default=[], help="dotenv report of a needed job")
    ap.add_argument("--image-map", action="append", default=[], help="NAME=LOCAL image stand-in")
    ap.add_argument("--mint-url", help="where id_tokens come from: GET URL?style=gitlab&audience=AUD answers the JWT")
    ap.add_argument("--log", required=True)
    ap.add_argument("--print-job", action="store_true", help="print the resolved job as JSON and exit")
    a = ap.parse_args()

    try:
        cfg = load(a.repo, a.config)
        job = cfg.get(a.job)
        if not isinstance(job, dict) or a.job.startswith("."):
            raise ConfigError(f"no job {a.job!r} in {a.config}")
        if a.print_job:
            json.dump(job, sys.stdout, indent=2)
            print()
            return 0

        cicd, files = {}, {}
        if a.variables:
            for k, v in json.load(open(a.variables, encoding="utf-8")).items():
                if isinstance(v, dict):
                    (files if v.get("file") else cicd)[k] = v["value"]
                else:
                    cicd[k] = v
        tmpdir = a.project_dir.rstrip("/") + ".tmp"
        os.makedirs(tmpdir, exist_ok=True)
        for k, v in files.items():
            with open(os.path.join(tmpdir, k), "w", encoding="utf-8") as f:
                f.write(v)
            cicd[k] = f"{BUILDS}.tmp/{k}"

        env = {
            "CI": "true", "GITLAB_CI": "true", "CI_JOB_NAME": a.job, "CI_JOB_STAGE": str(job.get("stage", "test")),
            "CI_PROJECT_DIR": BUILDS, "CI_PROJECT_PATH": "sap-ci-auth/demo", "CI_SERVER_FQDN": "gitlab.example.com",
            "CI_COMMIT_SHA": "0" * 40, "CI_PIPELINE_SOURCE": "push", "CI_BUILDS_DIR": "/builds",
        }
        for layer in (cfg.get("variables") or {}, job.get("variables") or {}):
            for k, v in layer.items():
                v = v.get("value", "") if isinstance(v, dict) else v
                env[k] = expand("" if v is None else str(v), {**env, **cicd})
        for path in a.dotenv:
            env.update(parse_dotenv(path))
        env.update(cicd)

        rules = job.get("rules")
        if rules is not None:
            # The first rule that matches decides; none matching means not run.
            first = next((r for r in rules if "if" not in r or rule_matches(r["if"], env)), None)
            if first is None or first.get("when") == "never":
                print(f"gitlab-job: {a.job}: rules do not match; GitLab would not run it", file=sys.stderr)
                return 3
        # Minted when the job runs, as GitLab does; ranked just above the
        # predefined variables, so any variable of the same name wins.
        for k, v in mint_id_tokens(job, env, a.mint_url).items():
            env.setdefault(k, v)

        image = job.get("image") or cfg.get("default", {}).get("image") or cfg.get("image")
        if image is None:
            raise ConfigError(f"{a.job}: no image")
        name, entrypoint = (image, None) if isinstance(image, str) else (image["name"], image.get("entrypoint"))
        name = expand(name, env)
        local = dict(m.split("=", 1) for m in a.image_map).get(name, name)

        lines = []
        for part in ("before_script", "script"):
            cmds = job.get(part, (cfg.get("default") or {}).get(part, []))
            lines += [cmds] if isinstance(cmds, str) else cmds
        script = ["set -eo pipefail"]
        for cmd in lines:
            shown = cmd.rstrip("\n").split("\n")
            shown = shown[0] + (" # collapsed multi-line command" if len(shown) > 1 else "")
            script.append("printf '%s\\n' " + "'$ " + shown.replace("'", "'\\''") + "'")
            script.append(cmd)

        run = ["docker", "run", "--rm", "-i", "--network", "host", "--label", "sap-ci-auth-test",
               "-w", BUILDS, "-v", f"{os.path.abspath(a.project_dir)}:{BUILDS}",
               "-v", f"{os.path.abspath(tmpdir)}:{BUILDS}.tmp"]
        if entrypoint is not None:
            if entrypoint != [""]:
                raise ConfigError(f"{a.job}: only entrypoint [\"\"] is supported here")
            run += ["--entrypoint", ""]
        for k in env:
            run += ["-e", k]  # values come from the environment, not argv
        run += [local, "sh", "-c", DETECT_SHELL]
        with open(a.log, "wb") as log:
            p = subprocess.run(run, input="\n".join(script).encode() + b"\n", stdout=log,
                               stderr=subprocess.STDOUT, env={**os.environ, **env})
        print(f"gitlab-job: {a.job}: image {name}" + (f" (local {local})" if local != name else "")
              + f", exit code {p.returncode}", file=sys.stderr)
        return p.returncode
    except ConfigError as e:
        print(f"gitlab-job: {e}", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())
