"""Render a post the way the author's Jekyll/kramdown blog showed it.

The post file is never changed; this produces the Markdown MkDocs renders.
kramdown starts a list or a fenced block right after a paragraph line, and
Python-Markdown folds both into the paragraph, so a blank line is put between
them. The end-of-post marker is dropped. Everything inside code blocks is kept
character for character.

The post's title is the page's only ``<h1>`` (written by the theme, with the
post header under it): when the body has ``#`` headings of its own, every body
heading goes down one level, so they keep their levels relative to one another
under the title. Shifting, rather than writing the title into the Markdown,
leaves the theme's title (no permalink sign, the page title of the search
index) as it is for every post.

Python-Markdown turns every TAB into spaces before it reads a block; a TAB in
a code block is written as ``TAB_MARK`` here and put back by the decoration
pass (``render.post``), so that what a reader copies is what the author wrote.
"""

from __future__ import annotations

import re
from html import escape

from ..model import Fence, Post
from ..parse.prose import END_OF_POST, MAX_PROSE_LINE

_LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+[.)])[ \t]+\S")
_BLOCK_START = re.compile(r"^ {0,3}(?:#|>|!!!|\?\?\?|===|<|\||-{3,}\s*$|\*{3,}\s*$|_{3,}\s*$)")
# An ATX heading as Python-Markdown reads one: one to six "#" at the start of a line (no space needed).
_ATX = re.compile(r"^(#{1,6})(?!#)")
# A run of backticks: opens or closes an inline code span (a span is closed by a run of the same length).
_BACKTICKS = re.compile(r"`+")
# A setext underline: "=" (level 1) or "-" (level 2) only, then spaces.
_SETEXT = re.compile(r"^(=+|-+)[ \t]*$")
# Stands for a TAB in code until the decoration pass puts the TAB back: a Unicode
# noncharacter, which no text is meant to hold (a post that holds it keeps its TABs expanded).
TAB_MARK = "\ufdd0"


def render_markdown(post: Post) -> str:
    """The Markdown that MkDocs renders for ``post`` (snippets already expanded)."""
    lines = post.document.lines
    code: set[int] = set()
    starts: set[int] = set()
    ends: set[int] = set()
    for fence in post.fences:
        code.update(range(fence.start, fence.end + 1))
        if fence.fenced:
            starts.add(fence.start)
            ends.add(fence.end)
    keep_tabs = not any(TAB_MARK in line for line in lines)
    code_text = _code_lines(post.fences, lines) if keep_tabs else {}
    shift = _has_title_heading(lines, code)
    out: list[str] = []
    previous_kind = "blank"  # blank | paragraph | list | code | block
    open_span: int | None = None  # length of the backtick run that opened a code span still open
    for i, line in enumerate(lines):
        if i in code:
            if i in starts and previous_kind in ("paragraph", "list"):
                out.append("")
            out.append(code_text.get(i, line))
            previous_kind = "code" if i in ends or i not in starts else "code-open"
            continue
        if END_OF_POST.match(line):
            out.append("")
            previous_kind = "blank"
            continue
        if len(line) > MAX_PROSE_LINE:
            # Shown as text, escaped, in a raw HTML paragraph Markdown does not read (parse.prose warns).
            out.extend(("", f'<p class="flagref-long-line">{escape(line)}</p>', ""))
            previous_kind, open_span = "blank", None
            continue
        stripped = line.strip()
        if shift:
            line = _shifted(line, out, previous_kind)
        if not stripped:
            kind = "blank"
        elif _LIST_ITEM.match(line):
            kind = "list"
        elif line.startswith((" ", "\t")) and previous_kind == "list":
            kind = "list"
        elif _BLOCK_START.match(line):
            kind = "block"
        else:
            kind = "paragraph"
        if kind == "list" and previous_kind == "paragraph" and open_span is not None:
            # Inside a code span the paragraph opened: Python-Markdown reads the "list item" as the
            # span's text (escaped); a blank line here would turn it into markup.
            kind = "paragraph"
        if kind == "list" and previous_kind == "paragraph":
            out.append("")
        elif kind != "blank" and previous_kind == "code":
            out.append("")
        out.append(line)
        open_span = _code_span_after(line, open_span) if kind == "paragraph" else None
        previous_kind = kind
    return "\n".join(out) + "\n"


def _code_span_after(line: str, open_span: int | None) -> int | None:
    """The code span still open after ``line`` (the length of its opening backtick run), given the one before."""
    for run in _BACKTICKS.finditer(line):
        width = run.end() - run.start()
        if open_span is None:
            open_span = width
        elif width == open_span:
            open_span = None
    return open_span


def _has_title_heading(lines: tuple[str, ...], code: set[int]) -> bool:
    """Whether the body has a level-1 heading of its own (``# x``, or a line underlined with ``=``)."""
    for i, line in enumerate(lines):
        if i in code:
            continue
        m = _ATX.match(line)
        if m and len(m.group(1)) == 1:
            return True
        if line.startswith("=") and _SETEXT.match(line) and _setext_text(lines, code, i):
            return True
    return False


def _setext_text(lines: tuple[str, ...], code: set[int], i: int) -> bool:
    """Whether line ``i`` underlines a one-line paragraph (how Python-Markdown reads a setext heading)."""
    if i == 0 or i - 1 in code or not lines[i - 1].strip() or lines[i - 1].startswith((" ", "\t")):
        return False
    return i == 1 or not lines[i - 2].strip()


def _shifted(line: str, out: list[str], previous_kind: str) -> str:
    """``line`` with its heading one level down; a setext underline turns the line above into an ATX heading."""
    m = _ATX.match(line)
    if m:
        return line if len(m.group(1)) == 6 else "#" + line
    s = _SETEXT.match(line)
    if s and previous_kind == "paragraph" and out and (len(out) == 1 or not out[-2].strip()):
        # "Title\n=====" is level 1, "Title\n-----" level 2: written as "## Title", "### Title".
        level = 2 if s.group(1).startswith("=") else 3
        out[-1] = "#" * level + " " + out[-1].strip()
        return ""
    return line


def _code_lines(fences: tuple[Fence, ...], lines: tuple[str, ...]) -> dict[int, str]:
    """Code lines holding a TAB, with each TAB of the code text written as ``TAB_MARK``.

    A fence's own indentation (in a list, an admonition) and an indented block's
    leading whitespace are Markdown syntax, not code text: their TABs stay.
    """
    out: dict[int, str] = {}
    for fence in fences:
        first, last = (fence.start + 1, fence.end - 1) if fence.fenced else (fence.start, fence.end)
        for i in range(first, min(last, len(lines) - 1) + 1):
            line = lines[i]
            if "\t" not in line:
                continue
            if fence.fenced:
                cut = len(fence.indent) if line.startswith(fence.indent) else 0
            else:
                cut = len(line) - len(line.lstrip(" \t"))
            out[i] = line[:cut] + line[cut:].replace("\t", TAB_MARK)
    return out
