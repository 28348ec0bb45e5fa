#!/usr/bin/env python3
"""Summarises `go test -json` output for test/all.sh.

Plain `go test` hides why a test was skipped unless -v is given, and -v buries
failures in thousands of lines. This prints one line per package, the whole
output of every failed test or package, and a loud banner for every skipped
test with its reason, so a skip can never pass unnoticed.

Usage: go test -json ./... > out.json; python3 test/gotest-report.py out.json
Exits 1 when any test, package or build failed.
"""
import collections
import json
import sys


def main(path):
    output = collections.defaultdict(list)  # (package, test) -> lines
    build = collections.defaultdict(list)  # import path -> build output lines
    failed, skipped = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                # go test prints some build errors as plain text.
                sys.stdout.write(line)
                failed.append(("(build)", ""))
                continue
            action = ev.get("Action")
            pkg, test = ev.get("Package", ""), ev.get("Test", "")
            if action == "build-output":
                build[ev.get("ImportPath", "")].append(ev.get("Output", ""))
            elif action == "build-fail":
                ip = ev.get("ImportPath", "")
                print(f"BUILD FAILED {ip}\n{''.join(build[ip])}", end="")
                failed.append((ip, ""))
            elif action == "output":
                output[(pkg, test)].append(ev.get("Output", ""))
            elif action == "skip" and test:
                skipped.append((pkg, test, "".join(output[(pkg, test)])))
            elif action == "fail":
                print(f"--- FAIL {pkg} {test}".rstrip())
                print("".join(output[(pkg, test)]), end="")
                failed.append((pkg, test))
            elif action in ("pass", "skip") and not test:
                elapsed = ev.get("Elapsed", 0)
                note = "[no test files]" if action == "skip" else f"{elapsed:.2f}s"
                print(f"ok   {pkg} {note}")
    for pkg, test, out in skipped:
        print("#" * 78)
        print(f"## SKIPPED: {pkg} {test}")
        for reason in out.strip().splitlines():
            print(f"##   {reason.strip()}")
        print("#" * 78)
    if skipped:
        print(f"go test: {len(skipped)} test(s) SKIPPED (see above)")
    if failed:
        print(f"go test: FAILED ({len(failed)} failing tests or packages)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
