#!/usr/bin/python3
"""Doxygen INPUT_FILTER for the course's Markdown pages (FILTER_PATTERNS *.md in docs/Doxyfile).

Doxygen runs it as `page_filter.py PAGE.md` from the repository root and reads the page from
its stdout. The pages stay plain Doxygen Markdown; this filter only changes how some lines
render, the same way on every page, present and future:

  \\snippet FILE MARKER     gets a caption above the code: the file's path from the repository
                           root and the definition(s) the snippet shows ("LogWriter::write()"),
                           or the function it sits in ("in main()"), else the marker.
  \\include X.session       becomes a terminal session: the typed lines (after the prompt the
                           person sees) and the replies, without the transcript markup. A
                           `# $ cmd` line is a shell command typed before the session (so the
                           program shows no prompt of its own, like `nc`); other leading
                           `# ...` lines describe the session and go into its caption; later
                           `# ...` lines stay as shell comments. Without a `# $` line the
                           session is at the chapter program's prompt (`vkv> `, read from
                           chapters/*/prompt.cpp). A `~ ` line is a reply whose numbers
                           vary from run to run (common/testing/shell_session.hpp): it is
                           shown without the `~ `.
  \\include X.out           with an X.in beside it becomes the command that feeds X.in to the
                           chapter's program (build/bin/chNN-name) and what it prints.
  \\include OTHER           (any other file) gets a caption with its path.
  \dot graphs              get the course's diagram defaults on the line that opens the graph:
                           Helvetica on cluster and edge labels (Graphviz's default is Times 14) and
                           tighter spacing between nodes and ranks, so a diagram fits the
                           text column more often. A graph's own attributes, later in its
                           text, still win.
  **`code`**               (bold code, which Doxygen 1.9 prints with its asterisks) becomes
                           <b>`code`</b>.
  <details><summary>S</summary>   alone on a line, and `</details>` alone on a line, become raw
                           HTML (\\htmlonly[block]) when a blank line lies between them, so
                           that the Markdown blocks between them (paragraphs, code, lists) are
                           rendered inside the fold: Doxygen 1.9 otherwise ends a <details> at
                           the first blank line. A fold with no blank line is left to Doxygen. A tag that
                           shares its line with text is left to Doxygen, which folds one
                           paragraph by itself (`<details><summary>Answer</summary> It is...`
                           on the lines of a list item, no blank line before `</details>`).
  a page with 3 or more `## ` sections gets `\\tableofcontents` (Doxygen's [TOC]) at its end;
                           Doxygen puts the table at the top of the page wherever the command is.

Every replacement stays on the line it replaces (the session's line breaks are written as
&#10; inside <pre>), so Doxygen's warnings keep pointing at the right line of the page. The
transcript files are untouched: the tests still replay exactly what the pages show. Lines in
``` fences and \\code/\\verbatim blocks are left alone. A file the filter cannot find is left
to Doxygen, which warns about it.
"""

import html
import os
import re
import sys

# Doxygen's EXAMPLE_PATH (docs/Doxyfile), searched in order; EXAMPLE_RECURSIVE is on.
EXAMPLE_PATH = ["chapters", "common"]
DEFAULT_PROMPT = "vkv> "
MIN_SECTIONS_FOR_TOC = 3
DOT_DEFAULTS = 'graph [nodesep=0.2, ranksep=0.25, fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];'
DOT_GRAPH_OPEN = re.compile(r"^(\s*(?:strict\s+)?(?:di)?graph\b[^{]*\{)(.*)$")

SNIPPET = re.compile(r"^(\s*)[\\@]snippet(\{[^}]*\})?\s+(\S+)\s+(.+?)\s*$")
INCLUDE = re.compile(r"^(\s*)[\\@]include(\{[^}]*\})?\s+(\S+)\s*$")
FOLD_OPEN = re.compile(r"^(\s*)(<details>\s*(?:<summary>.*?</summary>)?)\s*$")
FOLD_CLOSE = re.compile(r"^(\s*)</details>\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
BLOCK_START = re.compile(r"^\s*[\\@](code|verbatim|htmlonly|dot|msc|startuml)\b")
BLOCK_END = re.compile(r"[\\@]end(code|verbatim|htmlonly|dot|msc|uml)\b")
CONTROL_WORDS = {"if", "for", "while", "switch", "return", "catch", "sizeof", "static_assert",
                 "decltype", "alignof", "noexcept", "requires", "defined"}
FUNCTION_NAME = re.compile(r"((?:[A-Za-z_]\w*(?:<[^<>()]*>)?::)*~?[A-Za-z_]\w*|operator\S+?)\s*\(")
TYPE_DEFINITION = re.compile(r"^(?:template\s*<.*>\s*)?(struct|class|enum class|enum|union)\s+"
                             r"([A-Za-z_][\w:]*)(?![^{;]*;\s*$)")


def find_example(name):
    """The path of `name` as Doxygen resolves it in EXAMPLE_PATH, or None."""
    for root in EXAMPLE_PATH:
        if os.path.isfile(os.path.join(root, name)):
            return os.path.join(root, name)
    base = os.path.basename(name)
    for root in EXAMPLE_PATH:
        for dirpath, _, files in sorted(os.walk(root)):
            if base in files and os.path.join(dirpath, base).endswith(name):
                return os.path.join(dirpath, base)
    return None


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().split("\n")


def indent_of(line):
    return len(line) - len(line.lstrip())


def is_comment(text):
    return text.startswith(("//", "/*", "*", "#"))


def definition_at(lines, i):
    """The name a definition starting at lines[i] defines ("Foo::bar()", "struct Foo"), or None.

    A function counts when its signature reaches a `{` before a `;` (a definition, not a
    declaration); a type when the line opens its body.
    """
    text = lines[i].strip()
    if not text or is_comment(text) or text.startswith(("}", "return ", "using ", "namespace")):
        return None
    m = TYPE_DEFINITION.match(text)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    m = FUNCTION_NAME.search(text)
    if not m or m.group(1).split("::")[-1] in CONTROL_WORDS or "=" in text[: m.start()]:
        return None
    for j in range(i, min(i + 8, len(lines))):
        tail = lines[j].split("//")[0].rstrip()
        if tail.endswith("{") or "{" in tail and j == i and tail.count("{") > tail.count("}"):
            return m.group(1) + "()"
        if tail.endswith(";") or tail.endswith("}"):
            return None
    return None


def snippet_label(path, marker):
    """What a snippet shows: its definitions, else the function around it, else the marker."""
    lines = read_lines(path)
    tag = f"[{marker}]"
    bounds = [i for i, line in enumerate(lines) if tag in line]
    if len(bounds) < 2:
        return marker
    start, end = bounds[0], bounds[1]
    # Preprocessor lines sit at column 0 whatever the code around them does.
    body = [i for i in range(start + 1, end)
            if lines[i].strip() and not lines[i].lstrip().startswith("#")]
    if body:
        base = min(indent_of(lines[i]) for i in body)
        names = []
        for i in body:
            if indent_of(lines[i]) == base:
                name = definition_at(lines, i)
                if name and name not in names:
                    names.append(name)
        if names:
            return ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        # No definition inside: name the one the snippet sits in.
        for i in range(start - 1, -1, -1):
            if lines[i].strip() and indent_of(lines[i]) < base:
                name = definition_at(lines, i)
                if name:
                    return "in " + name
                if indent_of(lines[i]) == 0:
                    break
    return marker


def caption(path, label, kind, title=""):
    """A caption line: the file's path, then what it shows (code) or what happens (a note)."""
    label_html = ""
    if label:
        body = (f'<code>{html.escape(label)}</code>' if kind == "code"
                else f'<span class="vkv-caption-note">{html.escape(label)}</span>')
        label_html = f' <span class="vkv-caption-sep">·</span> {body}'
    title_attr = f' title="{html.escape(title, quote=True)}"' if title else ""
    return (f'<div class="vkv-caption vkv-caption-{kind}"{title_attr}>'
            f'<span class="vkv-caption-file">{html.escape(path)}</span>{label_html}</div>')


def program_prompt():
    """The prompt the chapters' programs show at a terminal (kPrompt in a chapter's prompt.cpp)."""
    for dirpath, _, files in sorted(os.walk("chapters")):
        if "prompt.cpp" in files:
            with open(os.path.join(dirpath, "prompt.cpp"), encoding="utf-8") as f:
                m = re.search(r'kPrompt\s*=\s*"((?:[^"\\]|\\.)*)"', f.read())
            if m:
                return m.group(1).encode().decode("unicode_escape")
    return DEFAULT_PROMPT


def line_html(kind, text):
    if isinstance(text, tuple):  # (prompt, typed)
        prompt, typed = text
        return (f'<span class="vkv-prompt">{html.escape(prompt)}</span>'
                f'<span class="vkv-{kind}">{html.escape(typed)}</span>')
    return f'<span class="vkv-{kind}">{html.escape(text)}</span>'


def render_terminal(path, title_lines, body_lines, kind):
    """One line of HTML: a captioned terminal block. body_lines are (kind, text) pairs."""
    note = " ".join(title_lines)
    head = caption(path, note, kind, title="the tests replay this file against the real program")
    pre = "&#10;".join(line_html(k, t) for k, t in body_lines)
    return (f'\\htmlonly[block]<div class="vkv-terminal">{head}<pre class="vkv-terminal-body">'
            f'{pre}</pre></div>\\endhtmlonly')


def render_session(path):
    lines = read_lines(path)
    if lines and lines[-1] == "":
        lines.pop()
    has_command = any(line.startswith("# $ ") for line in lines)
    prompt = "" if has_command else program_prompt()
    title, body = [], []
    for line in lines:
        if line.startswith("# $ "):
            body.append(("command", "$ " + line[4:]))
        elif line.startswith("#"):
            text = line[1:].strip()
            if body:
                body.append(("comment", "# " + text))
            else:
                title.append(text)
        elif line.startswith("> "):
            body.append(("typed", (prompt, line[2:])))
        elif line.startswith("~ "):
            body.append(("reply", line[2:]))
        else:
            body.append(("reply", line))
    return render_terminal(path, title, body, "session")


def render_in_out(out_path, in_path):
    chapter_dir = out_path.split(os.sep)[1] if out_path.startswith("chapters" + os.sep) else ""
    program = f"build/bin/ch{chapter_dir}" if chapter_dir else "program"
    rel_in = in_path
    lines = read_lines(out_path)
    if lines and lines[-1] == "":
        lines.pop()
    body = [("command", f"$ {program} < {rel_in}")] + [("reply", line) for line in lines]
    return render_terminal(out_path, [], body, "session")


BOLD_CODE = re.compile(r"\*\*(`[^*]*?`[^*]*?)\*\*")


def multi_block_folds(lines):
    """The indexes of the fold tags to turn into raw HTML: an opening tag alone on its line
    whose fold holds a blank line, and the closing tag alone on its line that ends it. Every
    other fold (one paragraph, or an opening tag that shares its line with text) is left to
    Doxygen, which folds it by itself; inside a list item it must."""
    convert = set()
    for i, line in enumerate(lines):
        if not FOLD_OPEN.match(line):
            continue
        blank = False
        for j in range(i + 1, len(lines)):
            if FOLD_CLOSE.match(lines[j]):
                if blank:
                    convert.update((i, j))
                break
            if "<details>" in lines[j]:
                break  # another fold opens first: not ours to pair
            blank = blank or not lines[j].strip()
    return convert


def filter_line(line, raw_fold=False):
    m = (FOLD_OPEN.match(line) or FOLD_CLOSE.match(line)) if raw_fold else None
    if m:
        tag = m.group(2) if m.re is FOLD_OPEN else "</details>"
        return f"{m.group(1)}\\htmlonly[block]{tag}\\endhtmlonly"
    line = BOLD_CODE.sub(r"<b>\1</b>", line)
    m = SNIPPET.match(line)
    if m and m.group(2) not in ("{doc}", "{trimleft,doc}", "{doc,trimleft}"):
        path = find_example(m.group(3))
        if path:
            marker = m.group(4)
            return (f'{m.group(1)}\\htmlonly[block]{caption(path, snippet_label(path, marker), "code", marker)}'
                    f'\\endhtmlonly {line.strip()}')
        return line
    m = INCLUDE.match(line)
    if m and not m.group(2):
        path = find_example(m.group(3))
        if not path:
            return line
        if path.endswith(".session"):
            return m.group(1) + render_session(path)
        if path.endswith(".out") and os.path.isfile(path[:-4] + ".in"):
            return m.group(1) + render_in_out(path, path[:-4] + ".in")
        return f'{m.group(1)}\\htmlonly[block]{caption(path, "", "code")}\\endhtmlonly {line.strip()}'
    return line


def filter_page(text):
    out, fenced, block, dot_opened = [], None, None, False
    raw_folds = multi_block_folds(text.split("\n"))
    for index, line in enumerate(text.split("\n")):
        if fenced:
            if line.strip().startswith(fenced):
                fenced = None
            out.append(line)
            continue
        if block:
            if BLOCK_END.search(line):
                block = False
            elif block == "dot" and not dot_opened:
                m = DOT_GRAPH_OPEN.match(line)
                if m:
                    line = f"{m.group(1)} {DOT_DEFAULTS}{m.group(2)}"
                    dot_opened = True
            out.append(line)
            continue
        m = FENCE.match(line)
        if m:
            fenced = m.group(1)
            out.append(line)
            continue
        m = BLOCK_START.match(line)
        if m and not BLOCK_END.search(line):
            block, dot_opened = m.group(1), False
            out.append(line)
            continue
        out.append(filter_line(line, index in raw_folds))
    sections = sum(1 for line in text.split("\n") if line.startswith("## "))
    has_toc = re.search(r"^\s*(\[TOC\]|[\\@]tableofcontents)", text, re.M)
    if sections >= MIN_SECTIONS_FOR_TOC and not has_toc and "\\mainpage" not in text:
        if out and out[-1] == "":
            out[-1] = "\\tableofcontents"
            out.append("")
        else:
            out.append("\\tableofcontents")
    return "\n".join(out)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        sys.stdout.write(filter_page(f.read()))


if __name__ == "__main__":
    main()
