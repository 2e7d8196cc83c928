"""Flags in prose: linked from the parser's mentions, and kept whole where the glossary's markup cut them."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import FlagUse
from .html import Token, tokenize
from .tables import FlagLink
from .text import esc

# A bare flag in prose text: "--" not glued to a word, a path, a quote or "=",
# then name characters; trailing "._-" are cut off by the caller.
_PROSE_FLAG = re.compile(r"(?<![\w/\"'=-])--[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class _Link:
    """A flag to link in a run of prose text: ``[start, end)`` of the run's text, and the link's markup."""

    start: int
    end: int
    html: str


def mention_link(href: str, title: str, inner_html: str) -> str:
    """A link to a flag's entry around a mention in prose, ``title`` as its tooltip."""
    return f'<a class="flagref-mention" href="{esc(href)}" title="{esc(title)}">{inner_html}</a>'


def link_prose(tokens: Sequence[Token], mentions: dict[str, FlagUse], link: FlagLink) -> str:
    """A run of prose text and ``<abbr>`` tags, with each mentioned flag linked.

    The glossary may have cut a flag with abbreviation markup
    (``--<abbr title="...">etcd</abbr>-servers``): the flag is found in the
    text alone, and the markup inside it is dropped from the link.
    """
    texts: list[tuple[int, str]] = []
    tags: list[tuple[int, Token]] = []
    at = 0
    for token in tokens:
        if token.kind == "text":
            texts.append((at, token.text))
            at += len(token.text)
        else:
            tags.append((at, token))
    plain = "".join(text for _, text in texts)
    if "--" not in plain or not mentions:
        return "".join(t.text for t in tokens)
    positions = [p for p, _ in tags]
    links: list[_Link] = []
    for m in _PROSE_FLAG.finditer(plain):
        flag = m.group(0).rstrip("._-")
        use = mentions.get(flag)
        if use is None or len(flag) < 4 or not flag[2].isalnum():
            continue
        start, end = m.start(), m.start() + len(flag)
        inside = tags[bisect.bisect_right(positions, start) : bisect.bisect_left(positions, end)]
        if not _balanced(t for _, t in inside):
            continue  # an abbreviation that starts in the flag and ends after it: leave the text as written
        href, title = link(use)
        links.append(_Link(start, end, mention_link(href, title, f'<span class="flagref-flagname">{flag}</span>')))
    if not links:
        return "".join(t.text for t in tokens)
    out: list[str] = []
    k = 0  # the next link
    for kind, i in _source_order(tokens):
        if kind == "tag":
            p, token = tags[i]
            if k < len(links) and links[k].start < p < links[k].end:
                continue  # markup inside a flag name: dropped
            out.append(token.text)
            continue
        p, text = texts[i]
        c, end = p, p + len(text)
        while c < end:
            if k >= len(links) or links[k].start >= end:
                out.append(plain[c:end])
                break
            current = links[k]
            if c < current.start:
                out.append(plain[c : current.start])
                c = current.start
                continue
            if c == current.start:
                out.append(current.html)
            c = min(current.end, end)
            if c == current.end:
                k += 1
    return "".join(out)


def unwrap_abbr_in_flags(tokens: Sequence[Token]) -> str:
    """A run of text and ``<abbr>`` tags with the abbreviations inside a ``--flag`` name unwrapped.

    The glossary's abbreviations are found in words, and a flag name holds words
    (``--<abbr>etcd</abbr>-servers``): markup inside the name would split it for
    search, for copying and for the line breaker. An abbreviation that is not
    wholly inside a flag name is kept.
    """
    plain_parts: list[str] = []
    drop: set[int] = set()
    at = 0
    open_at: tuple[int, int] | None = None
    pairs: list[tuple[int, int, int, int]] = []  # (start offset, end offset, start index, end index)
    for n, token in enumerate(tokens):
        if token.kind == "text":
            plain_parts.append(token.text)
            at += len(token.text)
        elif token.kind == "start":
            open_at = (at, n)
        elif token.kind == "end" and open_at is not None:
            pairs.append((open_at[0], at, open_at[1], n))
            open_at = None
    plain = "".join(plain_parts)
    if not pairs or "--" not in plain:
        return "".join(t.text for t in tokens)
    names = []
    for m in _PROSE_FLAG.finditer(plain):
        flag = m.group(0).rstrip("._-")
        if len(flag) >= 4 and flag[2].isalnum():
            names.append((m.start(), m.start() + len(flag)))
    for start, end, i, j in pairs:
        k = bisect.bisect_right(names, (start, len(plain) + 1)) - 1
        if k >= 0 and names[k][0] < start and end <= names[k][1]:
            drop.update((i, j))
    return "".join(t.text for n, t in enumerate(tokens) if n not in drop)


def _source_order(tokens: Sequence[Token]) -> list[tuple[str, int]]:
    """(kind, index in ``texts`` or ``tags``) for each token, in the order of the source."""
    order: list[tuple[str, int]] = []
    ti = gi = 0
    for token in tokens:
        if token.kind == "text":
            order.append(("text", ti))
            ti += 1
        else:
            order.append(("tag", gi))
            gi += 1
    return order


def _balanced(tags: Iterable[Token]) -> bool:
    depth = 0
    for token in tags:
        depth += 1 if token.kind == "start" else -1 if token.kind == "end" else 0
        if depth < 0:
            return False
    return depth == 0


# The start of a heading tag: "<h1" to "<h6" followed by a space or ">" (a fixed-length match).
_HEADING_START = re.compile(r"<h([1-6])(?=[\s>])")


def unwrap_abbr_in_headings(html: str) -> str:
    """``html`` with abbreviation markup taken out of every ``--flag`` name inside a heading.

    The reference pages title each entry with its flag (``## --etcd-servers``),
    and the glossary would wrap the ``etcd`` in it. Only the headings are
    tokenized: the pages are large (a component's entries) and the rest of
    their text is copied as it is.
    """
    if "<abbr" not in html:
        return html
    out: list[str] = []
    at = 0
    while (m := _HEADING_START.search(html, at)) is not None:
        close = html.find(f"</h{m.group(1)}>", m.end())
        if close < 0:
            break
        out.append(html[at : m.start()])
        heading = html[m.start() : close]
        out.append(_unwrap_heading(heading) if "<abbr" in heading else heading)
        at = close
    out.append(html[at:])
    return "".join(out)


def _unwrap_heading(heading: str) -> str:
    """A heading's start tag and content (no end tag), abbreviations taken out of its flag names."""
    start, *inner = tokenize(heading)
    # Headings written as data carry their dashes as &#45; (render.text.md_text); a dash needs no escape.
    dashes = [Token(t.kind, t.text.replace("&#45;", "-"), t.offset) if t.kind == "text" else t for t in inner]
    return start.text + unwrap_abbr_in_flags(dashes)
