"""Render a post the way the author's Jekyll/kramdown blog showed it.

The post file is never changed; this produces the Markdown MkDocs renders.
kramdown starts a list or a fenced block right after a paragraph line, and
Python-Markdown folds both into the paragraph, so a blank line is put between
them. The end-of-post marker is dropped. Everything inside code blocks is kept
character for character.
"""

from __future__ import annotations

import re

from ..model import Post
from ..parse.prose import END_OF_POST

_LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+[.)])[ \t]+\S")
_BLOCK_START = re.compile(r"^ {0,3}(?:#|>|!!!|\?\?\?|===|<|\||-{3,}\s*$|\*{3,}\s*$|_{3,}\s*$)")


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
    out: list[str] = []
    previous_kind = "blank"  # blank | paragraph | list | code | block
    for i, line in enumerate(lines):
        if i in code:
            if i in starts and previous_kind in ("paragraph", "list"):
                out.append("")
            out.append(line)
            previous_kind = "code" if i in ends or i not in starts else "code-open"
            continue
        if END_OF_POST.match(line):
            out.append("")
            previous_kind = "blank"
            continue
        stripped = line.strip()
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
        if kind == "list" and previous_kind == "paragraph":
            out.append("")
        elif kind != "blank" and previous_kind == "code":
            out.append("")
        out.append(line)
        previous_kind = kind
    return "\n".join(out) + "\n"
