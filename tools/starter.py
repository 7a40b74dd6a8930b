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
fails at once: `return Status::invalid_argument("chapter 2: Lexer::lex is not written yet")`
for a function that returns Status or Result<T>; any other prints that line and ends the
program (`_Exit`, no unwinding), so that no test waits on a lock, a thread or a condition
that the unwritten body would have seen to.

The regions are listed in the order the chapter's page walks them: a region goes where the
page first quotes one of its snippets (one without a quoted snippet of its own goes with the
nearest quoted snippet above it in its file, else below). Each page has a "Write it yourself"
section with that list, as `todo N --markdown` prints it; docs/check_docs.py holds the two
equal.

    tools/starter.py start N DEST [--force]  write the starter for chapter N into DEST
    tools/starter.py todo N [--markdown]     what chapter N's learner writes, in the page's
                                             order (--markdown: the page's list)
    tools/starter.py pages                   each marked chapter's page lists what its markers
                                             say (docs/check_docs.py runs it)
    tools/starter.py check [N...]            CI: for every chapter with markers (or chapters
                                             N...), build the starter and require its tests
                                             to fail, each within a few seconds; the tree and
                                             its build are kept in build-starter/, so a
                                             second run rebuilds only what changed
"""
import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = re.compile(r"^\s*// LEARNER: begin (.*)$")
END = re.compile(r"^\s*// LEARNER: end\s*$")
SNIPPET_MARK = re.compile(r"^\s*//! \[([\w-]+)\]\s*$")
PAGE_SNIPPET = re.compile(r"^\s*[\\@]snippet(?:\{[^}]*\})?\s+(\S+)\s+(\S+)")
SOURCE_EXTS = (".hpp", ".cpp", ".h", ".cc")
# Helpers that only a stubbed body called become unused; the starter must still build clean.
STARTER_CXX_FLAGS = "-Wno-unused-function -Wno-unused-parameter"
# `check` builds the test programs unoptimised (VKV_TEST_CXX_FLAGS) and with Catch2's header
# precompiled (VKV_TEST_PCH): each is compiled once per check, and they were most of its build.
# A test source is the same file in the starter as in the full source, whose build (`make
# test`) compiles it as the learner's does, with -Werror; so the starter's tests are built as
# the learner's only in a chapter whose stubs are in a header (a test source that includes it
# is not the same there). Both are needed then: at -O2, GCC 12 warns of some code through a
# precompiled header that it does not warn of without one.
STARTER_TEST_CXX_FLAGS = "-O0"
# `check` compiles each test program's sources this many at a time, as `make test` does
# (VKV_TEST_UNITY in CMakeLists.txt); the learner's `make check` compiles them one at a time.
STARTER_TEST_UNITY = "8"
# `check` builds with Ninja where it is installed: it compiles a target's sources while the
# libraries it links are still being built, where make waits for each library in turn.
STARTER_GENERATOR = "Ninja"
# How a stub that cannot return an error ends the program (EX_SOFTWARE).
STUB_EXIT_CODE = 70
# A chapter test may take this long against the learner's code (`make check`).
TEST_TIMEOUT_SECONDS = 120
# Against the stubs a test must fail, not hang: the check kills any test still running after
# this long and reports it, so a stub that leaves a test waiting is found and fixed.
STARTER_TEST_TIMEOUT_SECONDS = 150
# A test that takes this long to fail against the stubs is named, to be made to fail sooner.
SLOW_STARTER_TEST_SECONDS = 5
# The heading of each chapter page's list of what to write.
WRITE_HEADING = "## Write it yourself"
# Where `check` keeps its starter tree and build between runs (`make clean` removes it).
CHECK_DIR = os.path.join(ROOT, "build-starter")


class MarkerError(Exception):
    pass


@dataclass
class Function:
    opening: int  # 0-based line of the signature's last line (the one ending in '{')
    closing: int  # 0-based line of its lone '}'
    name: str
    signature: str


@dataclass
class Region:
    rel: str    # the file, relative to the repository
    begin: int  # 0-based line of `// LEARNER: begin`
    text: str   # what the marker says to write
    functions: list = field(default_factory=list)
    snippets: list = field(default_factory=list)  # the `//! [name]` snippets inside it
    page_line: float = float("inf")  # where the page walks it (0-based line of README.md)


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


def read_lines(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read().split("\n")


def function_name(signature):
    sig = re.sub(r"^\s*template\s*<.*?>\s*", "", signature)
    m = re.search(r"([A-Za-z_][\w:~]*)\s*\(", sig)
    return (m.group(1) if m else "?"), sig


def returns_status(sig):
    return re.match(r"^\s*((inline|static|constexpr)\s+)*(vkv::)?(Status|Result\s*<)", sig) \
        is not None


def parse_regions(rel):
    """The file's LEARNER regions, in file order."""
    lines = read_lines(rel)
    regions, i = [], 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if END.match(lines[i]):
            raise MarkerError(f"{rel}:{i + 1}: LEARNER: end without a begin")
        if not m:
            i += 1
            continue
        region, sig_lines = Region(rel, i, m.group(1).strip()), []
        i += 1
        while True:
            if i == len(lines):
                raise MarkerError(f"{rel}:{region.begin + 1}: LEARNER: begin without an end")
            if BEGIN.match(lines[i]):
                raise MarkerError(f"{rel}:{i + 1}: LEARNER regions do not nest")
            if END.match(lines[i]):
                break
            stripped = lines[i].strip()
            snippet = SNIPPET_MARK.match(lines[i])
            if snippet and snippet.group(1) not in region.snippets:
                region.snippets.append(snippet.group(1))
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
                region.functions.append(Function(opening, i, name, sig))
                sig_lines = []
            else:
                sig_lines.append(stripped)
            i += 1
        if not region.functions:
            raise MarkerError(f"{rel}:{region.begin + 1}: the region holds no function definition")
        regions.append(region)
        i += 1
    return regions


def page_snippet_lines(chapter):
    """{(file relative to chapters/, snippet name): the page line that first quotes it}."""
    out = {}
    readme = os.path.join("chapters", chapter, "README.md")
    if not os.path.exists(os.path.join(ROOT, readme)):
        return out
    for k, line in enumerate(read_lines(readme)):
        m = PAGE_SNIPPET.match(line)
        if m:
            out.setdefault((m.group(1), m.group(2)), k)
    return out


def todo(n):
    """Chapter n's regions, in the order its page walks them."""
    chapter = chapter_dir(n)
    quoted = page_snippet_lines(chapter)
    never = float("inf")
    keyed = []
    for rel in source_files(chapter):
        regions = parse_regions(rel)
        if not regions:
            continue
        where = os.path.relpath(rel, "chapters")
        # The page line of every snippet of the file that the page quotes, by file line.
        shown = [(k, quoted[(where, m.group(1))]) for k, line in enumerate(read_lines(rel))
                 if (m := SNIPPET_MARK.match(line)) and (where, m.group(1)) in quoted]
        for region in regions:
            own = [quoted[(where, s)] for s in region.snippets if (where, s) in quoted]
            above = [page for line, page in shown if line < region.begin]
            below = [page for line, page in shown if line > region.begin]
            region.page_line = (min(own) if own else above[-1] if above else
                                below[0] if below else never)
            keyed.append(((region.page_line, rel, region.begin), region))
    return [region for _, region in sorted(keyed, key=lambda kr: kr[0])]


def markdown_list(n):
    """The list of what to write, as each chapter page's "Write it yourself" shows it."""
    lines = []
    for k, region in enumerate(todo(n), 1):
        names = ", ".join(f"`{f.name}()`" for f in region.functions)
        lines.append(f"{k}. `{os.path.basename(region.rel)}`: {names}")
    return lines


def page_problems(n):
    """What is wrong with chapter n's "Write it yourself" section: it must list what the
    markers say, name the two commands, and come right before the section of the page that
    walks the first thing to write ("## The code" on most pages)."""
    readme = os.path.join("chapters", chapter_dir(n), "README.md")
    lines = read_lines(readme)
    regions = todo(n)
    at = [k for k, line in enumerate(lines) if line.strip() == WRITE_HEADING]
    if not regions:
        return [f"{readme}: a '{WRITE_HEADING}' section, but the chapter marks nothing to "
                "write"] if at else []
    if len(at) != 1:
        return [f"{readme}: {len(at)} '{WRITE_HEADING}' sections; it needs one, listing what "
                f"`tools/starter.py todo {n} --markdown` prints"]
    headings = [k for k, line in enumerate(lines) if line.startswith("## ")]
    section_end = next((k for k in headings if k > at[0]), len(lines))
    body = lines[at[0] + 1:section_end]
    problems = []
    listed = [line.rstrip() for line in body if re.match(r"^\d+\. ", line)]
    expected = markdown_list(n)
    if listed != expected:
        problems.append(f"{readme}: the '{WRITE_HEADING}' list is not what the LEARNER "
                        "markers say; it should read:\n" + "\n".join(expected))
    for command in (f"make start N={n}", f"make check N={n}"):
        if command not in " ".join(body):
            problems.append(f"{readme}: the '{WRITE_HEADING}' section does not say `{command}`")
    walks = max((k for k in headings if k < regions[0].page_line), default=None)
    if walks is not None and section_end != walks:
        problems.append(f"{readme}: the '{WRITE_HEADING}' section belongs right before "
                        f"'{lines[walks]}', where the page walks the first thing to write")
    return problems


def stubbed_source(rel, n):
    """The file with every marked body a stub, or None when it has no markers."""
    lines = read_lines(rel)
    regions = parse_regions(rel)
    if not regions:
        return None
    needs_exit = False
    replace = {}  # opening line -> (closing line, stub lines)
    for region in regions:
        for f in region.functions:
            message = f"chapter {n}: {f.name} is not written yet ({rel})"
            if returns_status(f.signature):
                stmt = ["  return vkv::Status::invalid_argument(", f'      "{message}");']
            else:
                stmt = [f'  std::fputs("{message}\\n", stderr);',
                        "  std::fflush(nullptr);",
                        f"  std::_Exit({STUB_EXIT_CODE});  // no unwinding: nothing waits on a stub"]
                needs_exit = True
            replace[f.opening] = (f.closing,
                                  ["  // LEARNER: write this body (see the marker above)"] + stmt)
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        if i in replace:
            closing, stub = replace[i]
            out.extend(stub)
            i = closing
            continue
        i += 1
    if needs_exit:
        first = next((k for k, l in enumerate(out) if l.startswith("#include")), None)
        if first is None:
            first = next(k for k, l in enumerate(out) if l.startswith("#pragma once"))
        for header in ("<cstdlib>", "<cstdio>"):
            if not any(l.strip() == f"#include {header}" for l in out):
                out.insert(first + 1, f"#include {header}  // the starter's stubs")
    return "\n".join(out)


def repo_files():
    """What a clone holds (tracked and new, not ignored files), or a walk without git."""
    try:
        listed = subprocess.run(
            ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout.decode().split("\0")
        files = [f for f in listed if f and os.path.isfile(os.path.join(ROOT, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d not in (".git", "workspace", "data")
                           and not d.startswith("build")]
            files += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames]
    return [f for f in files if not f.startswith("workspace/")]


def ignored_files(paths):
    """Those of `paths` (relative to the repository) that git ignores."""
    if not paths:
        return set()
    try:
        listed = subprocess.run(["git", "-C", ROOT, "check-ignore", "--no-index", "--stdin", "-z"],
                                input="".join(p + "\0" for p in paths).encode(),
                                capture_output=True).stdout.decode()
    except OSError:
        return set()
    return {p for p in listed.split("\0") if p}


def write_tree(n, dest, keep_unchanged):
    """Writes the starter for chapter n into dest. With keep_unchanged, a file whose bytes are
    already there is left alone (so a build there rebuilds only what changed) and files the
    starter does not have are removed, but for those git ignores (what a build made there:
    chapter 9's node_modules, which would take an `npm ci` again); else dest must be empty."""
    stubbed = {}
    for rel in source_files(chapter_dir(n)):
        text = stubbed_source(rel, n)
        if text is not None:
            stubbed[rel] = text.encode()
    wanted = set()
    for rel in repo_files():
        wanted.add(rel)
        target = os.path.join(dest, rel)
        if rel in stubbed:
            data = stubbed[rel]
        elif not keep_unchanged:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, rel), target)
            continue
        else:
            with open(os.path.join(ROOT, rel), "rb") as f:
                data = f.read()
        if keep_unchanged and os.path.isfile(target):
            with open(target, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)
        shutil.copymode(os.path.join(ROOT, rel), target)
    if keep_unchanged:
        extra = [os.path.relpath(os.path.join(dirpath, name), dest)
                 for dirpath, _, filenames in os.walk(dest) for name in filenames]
        extra = [rel for rel in extra if rel not in wanted]
        made = ignored_files(extra)
        for rel in extra:
            if rel not in made:
                os.remove(os.path.join(dest, rel))


def print_todo(n):
    for k, region in enumerate(todo(n), 1):
        names = ", ".join(f.name for f in region.functions)
        print(f"  {k}. {region.rel}: {names}\n       {region.text}")


def start(n, dest):
    chapter = chapter_dir(n)
    write_tree(n, dest, keep_unchanged=False)
    print(f"Chapter {n} ({chapter}): your workspace is {os.path.relpath(dest)}/")
    if not todo(n):
        print(f"Chapter {n} has no LEARNER markers yet: the workspace is the finished code.")
    else:
        print("Write these bodies, in the order the page explains them (each is a stub that "
              "fails now):")
        print_todo(n)
    print(f"Read chapters/{chapter}/README.md (or `make docs`) as you go.")
    print(f"Check your work: make check N={n}   (red until every body is written, then green)")


def label_targets(build, label):
    """The test programs whose tests carry `label` (chNN-tests, and chNN-e2e-tests where the
    whole-program tests run against the chapter's server)."""
    listed = subprocess.run(["cmake", "--build", build, "--target", "help"],
                            capture_output=True, text=True, check=True).stdout
    return sorted(set(re.findall(rf"\b({label}(?:-[a-z0-9]+)*-tests)\b", listed)))


def cached_generator(build):
    """The CMake generator `build` was configured with, or None."""
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            return next((line.split("=", 1)[1].strip() for line in f
                         if line.startswith("CMAKE_GENERATOR:")), None)
    except OSError:
        return None


def build_and_test(src, build, n, werror, jobs, timeout=TEST_TIMEOUT_SECONDS, test_flags="",
                   test_pch=False, generator=None, test_unity=""):
    """Configures src in build (with `generator`, when given), builds chapter n's test
    programs (with `test_flags` added, Catch2's header precompiled if `test_pch`, and
    `test_unity` sources compiled as one when given) and runs its tests; returns (ctest rc,
    output, seconds building)."""
    label = f"ch{n:02d}"
    t0 = time.time()
    if generator and cached_generator(build) not in (None, generator):
        shutil.rmtree(build)  # CMake cannot change a build's generator
    subprocess.run(["cmake", "-S", src, "-B", build] + (["-G", generator] if generator else []) +
                   ["-DCMAKE_BUILD_TYPE=Release",
                    "-DVKV_TESTS=ON", "-DVKV_BENCH=OFF", f"-DVKV_WERROR={'ON' if werror else 'OFF'}",
                    f"-DCMAKE_CXX_FLAGS={STARTER_CXX_FLAGS}", f"-DVKV_TEST_CXX_FLAGS={test_flags}",
                    f"-DVKV_TEST_PCH={'ON' if test_pch else 'OFF'}",
                    f"-DVKV_TEST_UNITY={test_unity}"],
                   check=True, stdout=subprocess.DEVNULL)
    # Quiet unless it fails; without make's variables, so no "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    made = subprocess.run(["cmake", "--build", build, f"-j{jobs}", "--target"]
                          + label_targets(build, label), env=env, capture_output=True, text=True)
    if made.returncode != 0:
        print(made.stdout + made.stderr, end="", file=sys.stderr)
        raise subprocess.CalledProcessError(made.returncode, made.args)
    built = time.time() - t0
    run = subprocess.run(["ctest", "-L", f"^{label}$", "--no-tests=error", "-j", str(jobs),
                          "--timeout", str(timeout)], cwd=build, capture_output=True, text=True,
                         env=env)
    return run.returncode, run.stdout + run.stderr, built


def check_chapter(n, jobs):
    """None when chapter n's starter builds and its tests fail in time, else what is wrong."""
    chapter = chapter_dir(n)
    src, build = os.path.join(CHECK_DIR, "src"), os.path.join(CHECK_DIR, "build")
    t0 = time.time()
    write_tree(n, src, keep_unchanged=True)
    quick_tests = not any(r.rel.endswith((".hpp", ".h")) for r in todo(n))
    try:
        rc, out, built = build_and_test(src, build, n, werror=True, jobs=jobs,
                                        timeout=STARTER_TEST_TIMEOUT_SECONDS,
                                        test_flags=STARTER_TEST_CXX_FLAGS if quick_tests else "",
                                        test_pch=quick_tests, test_unity=STARTER_TEST_UNITY,
                                        generator=STARTER_GENERATOR if shutil.which("ninja")
                                        else None)
    except subprocess.CalledProcessError as e:
        return f"{chapter}: the starter does not build ({' '.join(e.cmd[:4])}...)"
    m = re.search(r"(\d+) tests failed out of (\d+)", out)
    hung = re.findall(r"Test +#\d+: (.*?) \.*\s*\*\*\*Timeout", out)
    if rc == 0 or not m or int(m.group(1)) == 0:
        return f"{chapter}: the starter's ch{n:02d} tests did not fail (ctest rc {rc}):\n" \
               f"{out[-2000:]}"
    if hung:
        return (f"{chapter}: with the stubs these tests hung (killed after "
                f"{STARTER_TEST_TIMEOUT_SECONDS}s) instead of failing:\n  " + "\n  ".join(hung))
    total = time.time() - t0
    print(f"starter-check: {chapter}: {len(todo(n))} regions to write; starter builds, "
          f"{m.group(1)} of {m.group(2)} ch{n:02d} tests fail as they must "
          f"({total:.0f}s: build {built:.0f}s, tests {total - built:.0f}s)")
    for name, seconds in re.findall(r"Test +#\d+: (.*?) \.+ *\S.*?([\d.]+) sec$", out, re.M):
        if float(seconds) >= SLOW_STARTER_TEST_SECONDS:
            print(f"starter-check: note: {name} took {float(seconds):.0f}s to fail")
    return None


def check(jobs, numbers=None):
    failures, started = [], time.time()
    os.makedirs(CHECK_DIR, exist_ok=True)
    with open(os.path.join(CHECK_DIR, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one check at a time uses the tree
        for chapter in chapter_dirs():
            n = int(chapter[:2])
            if numbers and n not in numbers:
                continue
            try:
                if not todo(n):
                    print(f"starter-check: {chapter}: no LEARNER markers yet, skipped")
                    continue
                failure = check_chapter(n, jobs)
            except MarkerError as e:
                failure = f"{chapter}: {e}"
            if failure:
                failures.append(failure)
    print(f"starter-check: {time.time() - started:.0f}s in all "
          "(the full source's tests pass in `make test`)")
    if failures:
        for f in failures:
            print(f"starter-check: FAILED: {f}", file=sys.stderr)
        sys.exit(1)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("start", "todo", "pages", "check", "build-and-test"):
        raise SystemExit(__doc__)
    jobs = int(os.environ.get("JOBS", "2"))
    try:
        if argv[1] == "start":
            n, dest = int(argv[2]), os.path.abspath(argv[3])
            if os.path.exists(dest) and os.listdir(dest):
                if "--force" not in argv[4:]:
                    raise SystemExit(f"{os.path.relpath(dest)} exists: it may hold your work. "
                                     f"Keep it, or start again with FORCE=1 "
                                     f"(make start N={n} FORCE=1).")
                shutil.rmtree(dest)
            start(n, dest)
        elif argv[1] == "todo":
            n = int(argv[2])
            if "--markdown" in argv[3:]:
                print("\n".join(markdown_list(n)))
            else:
                print_todo(n)
        elif argv[1] == "pages":
            problems = [p for d in chapter_dirs() for p in page_problems(int(d[:2]))]
            for problem in problems:
                print(f"starter: {problem}", file=sys.stderr)
            if problems:
                sys.exit(1)
        elif argv[1] == "build-and-test":  # make check: the learner's build, warnings allowed
            ws = os.path.abspath(argv[3])
            rc, out, _ = build_and_test(ws, os.path.join(ws, "build"), int(argv[2]),
                                        werror=False, jobs=jobs)
            print(out, end="")
            sys.exit(rc)
        else:
            check(jobs, {int(a) for a in argv[2:]})
    except MarkerError as e:
        raise SystemExit(f"starter: {e}")


if __name__ == "__main__":
    main(sys.argv)
