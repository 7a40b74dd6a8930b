#!/usr/bin/env python3
"""`make exercise N=3`: runs chapter 3's exercise tests and says which are done and which not yet.

An exercise on a chapter's page that changes code is checked by a Catch2 test in
chapters/NN-name/tests/exercises_test.cpp, tagged `[.exercise][chNN]`. The leading '.' hides
it: CTest never registers it, so `make test` does not run it, and it fails until the learner
has done the exercise. This script runs each of them in a process of its own (so a crash or a
hang in one does not hide the others) and prints one line per test, with the first failed
check under each one that does not pass yet. Failing tests are the expected state, so it
exits 0 whenever the tests ran.

    tools/exercises.py TEST_BINARY     (build/tests/ch03-tests)
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

TIMEOUT_SECONDS = 300
MAX_DETAIL_LINES = 6


def exercise_names(binary):
    # Catch2 v2 exits with the number of tests it listed.
    listed = subprocess.run([binary, "--list-test-names-only", "[exercise]"],
                            capture_output=True, text=True)
    if listed.returncode < 0 or (listed.stderr.strip() and not listed.stdout.strip()):
        sys.exit(f"{binary} could not list its tests: {listed.stderr.strip()}")
    return [line for line in listed.stdout.splitlines() if line.strip()]


def spec_for(name):
    """A Catch2 test spec that matches exactly the test called `name`."""
    escaped = name.replace("\\", "\\\\").replace(",", "\\,").replace('"', '\\"')
    return f'"{escaped}"'


def shorten(text):
    lines = text.strip().splitlines() or [""]
    if len(lines) > MAX_DETAIL_LINES:
        lines = lines[:MAX_DETAIL_LINES] + ["..."]
    return lines


def first_failure(root):
    """What went wrong first in a Catch2 XML report, as lines, or None: the failed check or
    the exception, with the INFO messages that Catch2 wrote just before it."""
    for parent in root.iter():
        infos = []
        for node in parent:
            if node.tag == "Info":
                infos.append(node.text or "")
                continue
            where = f"{os.path.basename(node.get('filename', '?'))}:{node.get('line', '?')}"
            if node.tag == "Expression" and node.get("success") == "false":
                original = (node.findtext("Original") or "").strip()
                expanded = (node.findtext("Expanded") or "").strip()
                lines = [f"{where}: {node.get('type', 'CHECK')}( {original} )"]
                if expanded and expanded != original:
                    lines += ["with " + line if i == 0 else "     " + line
                              for i, line in enumerate(shorten(expanded))]
            elif node.tag in ("Exception", "FatalErrorCondition"):
                kind = "exception" if node.tag == "Exception" else "fatal error"
                lines = [f"{where}: {kind}: {line}" for line in shorten(node.text or "")]
            else:
                infos = []
                continue
            for info in infos:
                lines += shorten(info)
            return lines
    return None


def run_one(binary, name):
    """(passed, detail lines) for the test called `name`."""
    try:
        run = subprocess.run([binary, spec_for(name), "-r", "xml"], capture_output=True,
                             text=True, errors="replace", timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return False, [f"did not finish in {TIMEOUT_SECONDS} s"]
    try:
        root = ET.fromstring(run.stdout)
    except ET.ParseError:
        how = f"signal {-run.returncode}" if run.returncode < 0 else f"exit {run.returncode}"
        tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
        return False, [f"the test program stopped ({how}) before it finished"] + tail
    result = root.find(".//TestCase/OverallResult")
    if result is None:
        return False, ["no such test ran (is its name unique?)"]
    if result.get("success") == "true":
        return True, []
    return False, first_failure(root) or ["failed (see the test's own output)"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    label = os.path.basename(binary).removesuffix("-tests")
    names = exercise_names(binary)
    if not names:
        print(f"{label}: no exercise tests ([.exercise][{label}] in its tests/exercises_test.cpp)")
        return
    print(f"{label}'s exercise tests, each failing until its exercise is done:")
    done = 0
    for name in names:
        passed, detail = run_one(binary, name)
        done += passed
        print(f"  {'done   ' if passed else 'not yet'}  {name}")
        for line in detail:
            print(f"             {line}")
    print(f"{done} of {len(names)} done.", end="")
    if done < len(names):
        print(f' One in full: {binary} "<test name>"', end="")
    print()


if __name__ == "__main__":
    main()
