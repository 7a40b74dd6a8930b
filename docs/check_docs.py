#!/usr/bin/python3
"""Checks the generated site as a reader would meet it (run by `make docs` after Doxygen and
docs/fit_diagrams.py): `check_docs.py build/docs/html`. Exits 1, naming each problem, when

  - a diagram is wider than the text column and would be cut off (not fitted), or fits only by
    shrinking below MIN_SCALE, where its labels are too small to read: draw it narrower
    (rankdir=TB, shorter labels, or a column of nodes in a subgraph {rank=same});
  - a chapter page (chapters/NN-name/README.md) is missing from the main page, the sidebar or
    Related Pages, or they list the chapters out of order;
  - a page's \\snippet has no caption, or a transcript it includes is not shown as a terminal
    session (or the transcript markup, "> " lines, shows on the page);
  - a page's folds (<details>: answers and hints) are not all folds in its HTML, as when an
    answer has a blank line inside a one-paragraph fold (see docs/filters/page_filter.py);
  - an exercise on a chapter page says "Checked by the test `NAME`" and the chapter has no
    test of that name tagged [.exercise] and with the chapter's tag (in a tests/*.cpp that
    its CMakeLists.txt builds), or an exercise test is named by no exercise on its page, or
    a page says "checked by a test" without naming it (`make exercise N=3` runs them);
  - a chapter page's "Write it yourself" list is not what the chapter's LEARNER markers say
    (`tools/starter.py pages`, which knows the markers, checks it).

TEXT_WIDTH is the text column of a chapter page at a 1280-px wide window with the theme in
docs/vkv.css (898 px measured with headless Chromium, less a scroll bar and some margin).
"""

import glob
import os
import re
import subprocess
import sys

TEXT_WIDTH = 880
MIN_SCALE = 0.6

IFRAME = re.compile(r'<iframe( class="vkv-fit")? [^>]*src="([^"]+\.svg)" width="(\d+)" height="(\d+)"')
LABEL = re.compile(r"^#\s.*\{#([A-Za-z_][\w-]*)\}\s*$", re.M)
SNIPPET = re.compile(r"^\s*[\\@]snippet(\{[^}]*\})?\s+\S+\s+\S", re.M)
FENCED = re.compile(r"^\s*(```|~~~).*?^\s*\1", re.M | re.S)
CHECKED_BY = re.compile(r"checked by the test `([^`]+)`", re.I)
CHECKED_UNNAMED = re.compile(r"checked by an? (exercise )?test\b", re.I)
TEST_CASE = re.compile(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"([^"]*)"')
SESSION = re.compile(r"^\s*[\\@]include\s+\S+\.(session|out)\s*$", re.M)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_diagrams(html_dir, problems):
    scaled = []
    for page in sorted(glob.glob(os.path.join(html_dir, "*.html"))):
        for fitted, svg, width, _ in IFRAME.findall(read(page)):
            width = int(width)
            where = f"{os.path.basename(page)}: {svg} ({width} px wide)"
            if width <= TEXT_WIDTH:
                continue
            if not fitted:
                problems.append(f"{where} is wider than the {TEXT_WIDTH}-px text column and is "
                                "cut off (docs/fit_diagrams.py did not fit it)")
                continue
            svg_path = os.path.join(html_dir, svg)
            if os.path.exists(svg_path) and 'width="100%"' not in read(svg_path)[:2000]:
                problems.append(f"{where}: the SVG keeps its own width, so it is cut off")
            scale = TEXT_WIDTH / width
            if scale < MIN_SCALE:
                problems.append(f"{where} only fits the {TEXT_WIDTH}-px column at {scale:.0%}, "
                                f"too small to read (at least {MIN_SCALE:.0%}): draw it narrower")
            else:
                scaled.append(f"{where} is shown at {scale:.0%}")
    for line in scaled:
        print(f"check_docs: note: {line}")


def chapter_pages():
    """(label, README path) of every chapter, in chapter order."""
    pages = []
    for readme in sorted(glob.glob("chapters/[0-9][0-9]-*/README.md")):
        m = LABEL.search(read(readme))
        if m:
            pages.append((m.group(1), readme))
    return pages


def check_navigation(html_dir, chapters, problems):
    front = read(os.path.join(html_dir, "index.html"))
    for label, readme in chapters:
        if f'href="{label}.html"' not in front:
            problems.append(f"{readme} ({label}) is not linked from docs/mainpage.md")
    for index, what in (("navtreedata.js", "the sidebar"), ("pages.html", "Related Pages")):
        text = read(os.path.join(html_dir, index))
        positions = []
        for label, readme in chapters:
            pos = text.find(f'"{label}.html"')
            if pos < 0:
                problems.append(f"{readme} ({label}) is missing from {what}")
            positions.append(pos)
        found = [p for p in positions if p >= 0]
        if found != sorted(found):
            problems.append(f"{what} lists the chapters out of order")


def check_pages(html_dir, chapters, problems):
    pages = list(chapters)
    for md in sorted(glob.glob("docs/*.md")):
        m = LABEL.search(read(md))
        if m:
            pages.append((m.group(1), md))
    for label, source in pages:
        html_path = os.path.join(html_dir, f"{label}.html")
        if not os.path.exists(html_path):
            problems.append(f"{source}: no page {label}.html was generated")
            continue
        text, page = read(source), read(html_path)
        snippets = len(SNIPPET.findall(text)) - len(re.findall(r"[\\@]snippet\{[^}]*doc", text))
        captions = page.count('class="vkv-caption vkv-caption-code"')
        if captions < snippets:
            problems.append(f"{source}: {snippets} snippets but {captions} captions on {label}.html")
        sessions = len(SESSION.findall(text))
        terminals = page.count('class="vkv-terminal"')
        if terminals < sessions:
            problems.append(f"{source}: {sessions} sessions but {terminals} shown as terminal "
                            f"sessions on {label}.html")
        if re.search(r'<div class="line">&gt; ', page):
            problems.append(f"{label}.html shows transcript markup (a '> ' line)")
        folds = FENCED.sub("", text).count("<details>")
        shown = page.count("<details>")
        if shown != folds or page.count("</details>") != shown:
            problems.append(f"{source}: {folds} folds (<details>) but {shown} on {label}.html: "
                            "a one-paragraph fold has no blank line inside, and a fold of "
                            "several blocks opens and closes on lines of their own")


def one_line(text):
    return " ".join(text.split())


def check_exercises(chapters, problems):
    """The exercise tests a chapter page names exist, and every exercise test is named."""
    for _, readme in chapters:
        chapter = os.path.dirname(readme)
        tag = f"[ch{os.path.basename(chapter)[:2]}]"
        page = one_line(read(readme))
        built = read(os.path.join(chapter, "CMakeLists.txt"))
        tests = {}
        for source in sorted(glob.glob(os.path.join(chapter, "tests", "*.cpp"))):
            for name, tags in TEST_CASE.findall(read(source)):
                if "[.exercise]" not in tags:
                    continue
                where = os.path.relpath(source, chapter)
                if tag not in tags:
                    problems.append(f"{source}: exercise test `{name}` lacks the tag {tag}")
                if where not in built:
                    problems.append(f"{source} holds exercise tests but {chapter}/CMakeLists.txt "
                                    "does not build it")
                tests[one_line(name)] = source
        named = {one_line(name) for name in CHECKED_BY.findall(page)}
        for name in sorted(named - tests.keys()):
            problems.append(f"{readme}: an exercise is 'checked by the test `{name}`', but no "
                            f"test of that name in {chapter}/tests is tagged [.exercise]{tag}")
        for name in sorted(tests.keys() - named):
            problems.append(f"{tests[name]}: the exercise test `{name}` is named by no exercise "
                            f"on {readme} (say: Checked by the test `{name}`)")
        if CHECKED_UNNAMED.search(page):
            problems.append(f"{readme}: an exercise says it is checked by a test without naming "
                            "it (say: Checked by the test `NAME`)")


def check_write_it_yourself(problems):
    run = subprocess.run([sys.executable, "tools/starter.py", "pages"], capture_output=True,
                         text=True)
    if run.returncode != 0:
        problems.append(run.stderr.strip() or "tools/starter.py pages failed")


def main():
    html_dir = sys.argv[1]
    problems = []
    chapters = chapter_pages()
    check_diagrams(html_dir, problems)
    check_navigation(html_dir, chapters, problems)
    check_pages(html_dir, chapters, problems)
    check_exercises(chapters, problems)
    check_write_it_yourself(problems)
    for problem in problems:
        print(f"check_docs: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"check_docs: {len(chapters)} chapters in the sidebar and Related Pages, in order; "
          f"every diagram fits {TEXT_WIDTH} px; every snippet captioned, every session a "
          "terminal, every fold folded; every exercise test named by its page; every list "
          "of what to write matches the markers")


if __name__ == "__main__":
    main()
