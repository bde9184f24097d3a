#!/usr/bin/env python3
"""run-host-tests.py BUILDDIR LABEL [--wrapper CMD] [--suite S]...

Runs the meson tests of BUILDDIR (all of the given suites) the way `meson test`
would (the parallel tests side by side, VHID_TEST_JOBS at a time, default one per
CPU), but counts TAP subtests, so `make check` can report every check. A test
that crashes or exits non-zero without a "not ok" line counts as one failure.
Prints failing output, then "LABEL: N passed, M failed".

A test's meson timeout is what it needs on an idle machine; here it only catches
a hang, so it is multiplied by VHID_TIME_SCALE (default 10): under valgrind on a
loaded machine a test is slow, not failed.
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys


def is_our_elf(path):
    if path.startswith(("/bin/", "/usr/bin/")):
        return False
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def main():
    args = sys.argv[1:]
    build, label = args[0], args[1]
    wrapper, suites = [], []
    i = 2
    while i < len(args):
        if args[i] == "--wrapper":
            wrapper = shlex.split(args[i + 1])
            i += 2
        elif args[i] == "--suite":
            suites.append(args[i + 1])
            i += 2
        else:
            sys.exit(f"unknown argument {args[i]}")
    tests = json.loads(subprocess.check_output(["meson", "introspect", "--tests", build]))
    scale = int(os.environ.get("VHID_TIME_SCALE") or 10)
    chosen = [t for t in tests
              if not suites or any(s.split(":")[-1] in suites for s in t["suite"])]

    def run(t):
        env = dict(os.environ)
        env.update(t.get("env") or {})
        # wrap our programs, not the shell running a script test (dash leaks by design)
        cmd = (wrapper if is_our_elf(t["cmd"][0]) else []) + t["cmd"]
        limit = t.get("timeout") or 30  # meson's default; 0 or less: no limit
        try:
            p = subprocess.run(cmd, env=env, cwd=t.get("workdir") or build, capture_output=True,
                               text=True, timeout=limit * scale if limit > 0 else None)
            return p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            return f"timed out after {e.timeout}s\n", -1

    # as meson test does: the tests marked parallel run side by side, one per CPU
    # (the valgrind stage alone went from 80 s to about half on 2 cores), the
    # others alone afterwards; the report keeps the suite's order
    jobs = int(os.environ.get("VHID_TEST_JOBS") or os.cpu_count() or 1)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run, t): t["name"] for t in chosen if t.get("is_parallel", True)}
        for f, name in futures.items():
            results[name] = f.result()
    for t in chosen:
        if t["name"] not in results:
            results[t["name"]] = run(t)
    passed = failed = 0
    for t in chosen:
        out, rc = results[t["name"]]
        ok = sum(1 for line in out.splitlines() if line.startswith("ok "))
        bad = sum(1 for line in out.splitlines() if line.startswith("not ok"))
        if rc != 0 and bad == 0:
            bad = 1  # crashed, sanitizer or valgrind error, or no TAP at all
        if t["protocol"] != "tap" and rc == 0 and ok == 0:
            ok = 1  # a plain exit-code test
        passed += ok
        failed += bad
        status = "ok" if bad == 0 else "FAILED"
        print(f"  {t['name']:<28} {ok:3d} passed, {bad} failed  {status}")
        if bad:
            print("    " + "\n    ".join(out.rstrip().splitlines()[-40:]))
    print(f"{label}: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
