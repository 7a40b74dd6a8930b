#!/usr/bin/env python3
"""The learner's workspace: chapter N's marked function bodies replaced by stubs.

The code a chapter teaches is marked in the real sources, around whole function definitions
(outside any `//! [snippet]` lines, so the pages' snippets do not show the markers):

    // LEARNER: begin Lexer::lex(): split a line into tokens at spaces and tabs
    //! [lex]
    Status Lexer::lex(std::string_view line, std::vector<std::string_view>* tokens) {
      ...
    }
    //! [lex]
    // LEARNER: end

A region holds one or more definitions whose signature line ends in `{` and whose closing
brace is a lone `}` at column 0. In the starter each body becomes a stub that compiles and
fails: `return Status::invalid_argument("chapter 2: Lexer::lex is not written yet")` for a
function that returns Status or Result<T>, `throw std::logic_error(...)` for any other.

    tools/starter.py start N DEST [--force]  write the starter for chapter N into DEST
    tools/starter.py todo N                  what chapter N's learner writes, in order
    tools/starter.py check [BUILD_DIR]       CI: for every chapter with markers, generate the
                                             starter, build its tests, and require them to fail
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = re.compile(r"^\s*// LEARNER: begin (.*)$")
END = re.compile(r"^\s*// LEARNER: end\s*$")
SOURCE_EXTS = (".hpp", ".cpp", ".h", ".cc")
# Helpers that only a stubbed body called become unused; the starter must still build clean.
STARTER_CXX_FLAGS = "-Wno-unused-function -Wno-unused-parameter"


class MarkerError(Exception):
    pass


def chapter_dirs():
    base = os.path.join(ROOT, "chapters")
    return sorted(d for d in os.listdir(base) if re.match(r"^\d\d-", d)
                  and os.path.isdir(os.path.join(base, d)))


def chapter_dir(n):
    for d in chapter_dirs():
        if int(d[:2]) == n:
            return d
    raise SystemExit(f"no chapter {n}; chapters: {' '.join(chapter_dirs())}")


def source_files(chapter):
    """The chapter's sources (not its tests, benchmarks or fuzzers), in a stable order."""
    base = os.path.join(ROOT, "chapters", chapter)
    out = []
    for name in sorted(os.listdir(base)):
        if name.endswith(SOURCE_EXTS) and os.path.isfile(os.path.join(base, name)):
            out.append(os.path.join("chapters", chapter, name))
    return out


def function_name(signature):
    sig = re.sub(r"^\s*template\s*<.*?>\s*", "", signature)
    m = re.search(r"([A-Za-z_][\w:~]*)\s*\(", sig)
    return (m.group(1) if m else "?"), sig


def returns_status(sig):
    return re.match(r"^\s*((inline|static|constexpr)\s+)*(vkv::)?(Status|Result\s*<)", sig) \
        is not None


def parse_regions(rel):
    """[(begin_line, end_line, text, [(open_line, close_line, name, sig)])], 0-based lines."""
    lines = open(os.path.join(ROOT, rel)).read().split("\n")
    regions, i = [], 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if END.match(lines[i]):
            raise MarkerError(f"{rel}:{i + 1}: LEARNER: end without a begin")
        if not m:
            i += 1
            continue
        begin, text, funcs, sig_lines = i, m.group(1).strip(), [], []
        i += 1
        while True:
            if i == len(lines):
                raise MarkerError(f"{rel}:{begin + 1}: LEARNER: begin without an end")
            if BEGIN.match(lines[i]):
                raise MarkerError(f"{rel}:{i + 1}: LEARNER regions do not nest")
            if END.match(lines[i]):
                break
            stripped = lines[i].strip()
            if stripped.startswith("//") or not stripped:
                sig_lines = []
            elif stripped.endswith("{") and (sig_lines or not lines[i].startswith((" ", "\t"))):
                # A signature's line at column 0, or the indented last line of a signature
                # that began at column 0.
                sig_lines.append(stripped)
                opening = i
                i += 1
                while i < len(lines) and lines[i] != "}":
                    if BEGIN.match(lines[i]) or END.match(lines[i]):
                        raise MarkerError(f"{rel}:{i + 1}: marker inside a function body "
                                          "(mark whole definitions; the body must end with "
                                          "a lone '}' at column 0)")
                    i += 1
                if i == len(lines):
                    raise MarkerError(f"{rel}:{opening + 1}: no closing '}}' at column 0")
                name, sig = function_name(" ".join(sig_lines))
                funcs.append((opening, i, name, sig))
                sig_lines = []
            else:
                sig_lines.append(stripped)
            i += 1
        if not funcs:
            raise MarkerError(f"{rel}:{begin + 1}: the region holds no function definition")
        regions.append((begin, i, text, funcs))
        i += 1
    return regions


def todo(n):
    """[(file, function, marker text)] for chapter n, in file order (the page's order)."""
    out = []
    for rel in source_files(chapter_dir(n)):
        for _, _, text, funcs in parse_regions(rel):
            for _, _, name, _ in funcs:
                out.append((rel, name, text))
    return out


def stub_file(rel, n):
    lines = open(os.path.join(ROOT, rel)).read().split("\n")
    regions = parse_regions(rel)
    if not regions:
        return None
    needs_stdexcept = False
    replace = {}  # opening line -> (closing line, stub lines)
    for _, _, text, funcs in regions:
        for opening, closing, name, sig in funcs:
            message = f"chapter {n}: {name} is not written yet ({rel})"
            if returns_status(sig):
                stmt = ["  return vkv::Status::invalid_argument(", f'      "{message}");']
            else:
                stmt = ["  throw std::logic_error(", f'      "{message}");']
                needs_stdexcept = True
            replace[opening] = (closing, ["  // LEARNER: write this body (see the marker above)"]
                                + stmt)
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        if i in replace:
            closing, stub = replace[i]
            out.extend(stub)
            i = closing
            continue
        i += 1
    if needs_stdexcept and not any(l.strip() == "#include <stdexcept>" for l in out):
        first = next((k for k, l in enumerate(out) if l.startswith("#include")), None)
        if first is None:
            first = next(k for k, l in enumerate(out) if l.startswith("#pragma once"))
        out.insert(first + 1, "#include <stdexcept>  // the starter's stubs throw")
    return "\n".join(out)


def repo_files():
    """What a clone holds (tracked and new, not ignored files), or a walk without git."""
    try:
        listed = subprocess.run(
            ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout.decode().split("\0")
        return [f for f in listed if f and os.path.isfile(os.path.join(ROOT, f))]
    except (OSError, subprocess.CalledProcessError):
        out = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in (".git", "workspace", "data")
                           and not d.startswith("build")]
            out += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames]
        return out


def start(n, dest, force=False, quiet=False):
    chapter = chapter_dir(n)
    dest = os.path.abspath(dest)
    if os.path.exists(dest) and os.listdir(dest):
        if not force:
            raise SystemExit(f"{os.path.relpath(dest)} exists: it may hold your work. "
                             f"Keep it, or start again with FORCE=1 (make start N={n} FORCE=1).")
        shutil.rmtree(dest)
    stubbed = {}
    for rel in source_files(chapter):
        text = stub_file(rel, n)
        if text is not None:
            stubbed[rel] = text
    for rel in repo_files():
        if rel.startswith("workspace/"):
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if rel in stubbed:
            with open(target, "w") as f:
                f.write(stubbed[rel])
        else:
            shutil.copy2(os.path.join(ROOT, rel), target)
    if not quiet:
        items = todo(n)
        print(f"Chapter {n} ({chapter}): your workspace is {os.path.relpath(dest)}/")
        if not items:
            print(f"Chapter {n} has no LEARNER markers yet: the workspace is the finished code.")
        else:
            print("Write these bodies, in this order (each is a stub that fails now):")
            for k, (rel, name, text) in enumerate(items, 1):
                print(f"  {k}. {rel}: {name}\n       {text}")
        print(f"Read chapters/{chapter}/README.md (or `make docs`) as you go.")
        print(f"Check your work: make check N={n}   (red until every body is written, then green)")


def build_and_test(ws, n, werror, jobs):
    """Configures and builds chapter n's tests in ws/build; returns (ctest rc, output)."""
    label = f"ch{n:02d}"
    build = os.path.join(ws, "build")
    subprocess.run(["cmake", "-S", ws, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                    "-DVKV_TESTS=ON", "-DVKV_BENCH=OFF", f"-DVKV_WERROR={'ON' if werror else 'OFF'}",
                    f"-DCMAKE_CXX_FLAGS={STARTER_CXX_FLAGS}"],
                   check=True, stdout=subprocess.DEVNULL)
    # Quiet unless it fails; without make's variables, so no "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    made = subprocess.run(["cmake", "--build", build, f"-j{jobs}", "--target", f"{label}-tests"],
                          env=env, capture_output=True, text=True)
    if made.returncode != 0:
        print(made.stdout + made.stderr, end="", file=sys.stderr)
        raise subprocess.CalledProcessError(made.returncode, made.args)
    run = subprocess.run(["ctest", "-L", f"^{label}$", "--no-tests=error", "-j", str(jobs),
                          "--timeout", "120"], cwd=build, capture_output=True, text=True, env=env)
    return run.returncode, run.stdout + run.stderr


def check(jobs):
    failures, started = [], time.time()
    for chapter in chapter_dirs():
        n = int(chapter[:2])
        try:
            items = todo(n)
        except MarkerError as e:
            failures.append(f"{chapter}: {e}")
            continue
        if not items:
            print(f"starter-check: {chapter}: no LEARNER markers yet, skipped")
            continue
        t0 = time.time()
        with tempfile.TemporaryDirectory(prefix=f"vkv-starter-ch{n:02d}-") as ws:
            start(n, ws, quiet=True)
            try:
                rc, out = build_and_test(ws, n, werror=True, jobs=jobs)
            except subprocess.CalledProcessError as e:
                failures.append(f"{chapter}: the starter does not build ({e.cmd[:3]}...)")
                continue
        m = re.search(r"(\d+) tests failed out of (\d+)", out)
        if rc == 0 or not m or int(m.group(1)) == 0:
            failures.append(f"{chapter}: the starter's ch{n:02d} tests did not fail "
                            f"(ctest rc {rc}):\n{out[-2000:]}")
            continue
        print(f"starter-check: {chapter}: {len(items)} stubs; starter builds, "
              f"{m.group(1)} of {m.group(2)} ch{n:02d} tests fail as they must "
              f"({time.time() - t0:.0f}s)")
    print(f"starter-check: {time.time() - started:.0f}s in all "
          "(the full source's tests pass in `make test`)")
    if failures:
        for f in failures:
            print(f"starter-check: FAILED: {f}", file=sys.stderr)
        sys.exit(1)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("start", "todo", "check", "build-and-test"):
        raise SystemExit(__doc__)
    jobs = int(os.environ.get("JOBS", "2"))
    try:
        if argv[1] == "start":
            start(int(argv[2]), argv[3], force="--force" in argv[4:])
        elif argv[1] == "todo":
            for rel, name, text in todo(int(argv[2])):
                print(f"{rel}: {name}: {text}")
        elif argv[1] == "build-and-test":  # make check: the learner's build, warnings allowed
            rc, out = build_and_test(os.path.abspath(argv[3]), int(argv[2]), werror=False,
                                     jobs=jobs)
            print(out, end="")
            sys.exit(rc)
        else:
            check(jobs)
    except MarkerError as e:
        raise SystemExit(f"starter: {e}")


if __name__ == "__main__":
    main(sys.argv)
