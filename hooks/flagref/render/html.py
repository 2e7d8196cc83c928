"""A linear HTML tokenizer: rendered HTML split once into text, tags and comments.

Enough of the HTML syntax to know, for every character, whether a browser
reads it as text or as markup: start and end tags (quoted attribute values may
hold ``>``), comments, declarations, and the raw text of ``<script>``,
``<style>`` and ``<textarea>``. Each token carries its offset in the input.
Joining the tokens' ``text`` gives the input back, character for character,
whatever the input: malformed markup becomes a token, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Elements whose content is raw text: a "<" inside them starts no tag.
RAW_TEXT = frozenset({"script", "style", "textarea"})

# A tag name right after "<" or "</": an ASCII letter, then anything but space, "/" and ">".
_NAME = re.compile(r"[A-Za-z][^\s/>]*")
# The next character that may end a start tag or open a quoted attribute value.
_TAG_STOP = re.compile(r"[>=]")
# Whitespace after "=" in a tag, before the attribute value.
_SPACE = re.compile(r"\s*")


@dataclass(frozen=True)
class Token:
    """A piece of HTML: ``kind`` is ``text``, ``start``, ``end`` or ``other`` (comment, declaration).

    ``name`` is the lower-case tag name of a ``start``/``end`` token; ``offset``
    where the token begins in the input.
    """

    kind: str
    text: str
    offset: int
    name: str = ""


def tokenize(html: str, start: int = 0) -> Iterator[Token]:
    """The tokens of ``html`` from ``start`` in order; every step moves forward, so the work is linear in its length.

    ``start`` must be where a token begins (the offset of one this function gave).
    """
    n = len(html)
    i = start
    while i < n:
        lt = html.find("<", i)
        if lt < 0:
            yield Token("text", html[i:], i)
            return
        end, token = _markup(html, lt)
        if token is None:  # a "<" that starts no markup is text
            end = lt + 1
            text_end = html.find("<", end)
            text_end = n if text_end < 0 else text_end
            yield Token("text", html[i:text_end], i)
            i = text_end
            continue
        if lt > i:
            yield Token("text", html[i:lt], i)
        yield token
        i = end
        if token.kind == "start" and token.name in RAW_TEXT:
            # Everything up to the matching end tag is text the browser never parses as tags.
            close = _find_end_tag(html, i, token.name)
            if close > i:
                yield Token("text", html[i:close], i)
            i = close


def _markup(html: str, lt: int) -> tuple[int, Token | None]:
    """The markup token starting at ``lt`` (a ``<``) and where it ends; ``None`` when ``<`` is text."""
    n = len(html)
    nxt = html[lt + 1 : lt + 2]
    if html.startswith("<!--", lt):
        close = html.find("-->", lt + 4)
        end = n if close < 0 else close + 3  # an unclosed comment runs to the end, as in a browser
        return end, Token("other", html[lt:end], lt)
    if nxt in ("!", "?"):
        end = _after(html, ">", lt + 2)
        return end, Token("other", html[lt:end], lt)
    if nxt == "/":
        name = _NAME.match(html, lt + 2)
        end = _after(html, ">", lt + 2)
        if name is None:  # "</>" or "</ x>": a bogus comment to a browser
            return end, Token("other", html[lt:end], lt)
        return end, Token("end", html[lt:end], lt, name.group(0).lower())
    name = _NAME.match(html, lt + 1)
    if name is None:
        return lt + 1, None
    end = _start_tag_end(html, name.end())
    return end, Token("start", html[lt:end], lt, name.group(0).lower())


def _start_tag_end(html: str, i: int) -> int:
    """Where a start tag whose attributes begin at ``i`` ends: after its ``>``, skipping quoted values."""
    n = len(html)
    while i < n:
        stop = _TAG_STOP.search(html, i)
        if stop is None:
            return n  # a tag cut by the end of the input: a browser drops it, so nothing after is text
        i = stop.end()
        if stop.group(0) == ">":
            return i
        i = _SPACE.match(html, i).end()
        if i < n and html[i] in "\"'":
            close = html.find(html[i], i + 1)
            if close < 0:
                return n
            i = close + 1
    return n


def _after(html: str, char: str, start: int) -> int:
    """Just after the next ``char`` from ``start``, or the end of the input."""
    found = html.find(char, start)
    return len(html) if found < 0 else found + 1


def _find_end_tag(html: str, i: int, name: str) -> int:
    """Where the end tag of raw-text element ``name`` starts (any case), or the end of the input."""
    lower_tag = "</" + name
    n = len(html)
    while True:
        found = html.find("</", i)
        if found < 0:
            return n
        if html[found : found + len(lower_tag)].lower() == lower_tag:
            after = html[found + len(lower_tag) : found + len(lower_tag) + 1]
            if after in ("", ">", "/") or after.isspace():
                return found
        i = found + 2
