"""Find the code blocks of a post exactly as the site renders them.

Fenced blocks follow pymdownx.superfences (which runs over the whole text, so
a fence directly after a paragraph line is still a fence, and fences may be
indented inside lists and admonitions); indented blocks follow
Python-Markdown. A test checks, for every post and fixture, that the number of
blocks found here equals the number of ``<pre>`` in the built page.
"""

from __future__ import annotations

import functools
import re

from ..model import Document, Fence

try:  # The very pattern superfences uses, so that both agree on what opens a fence.
    from pymdownx.superfences import RE_NESTED_FENCE_START as _FENCE_START
except ImportError:  # pragma: no cover - pymdownx is a dependency of the site, not of the core
    _FENCE_START = re.compile(
        r"(?P<fence>~{3,}|`{3,})(?:[ \t]*\.?(?P<lang>[\w#.+-]+)(?=[\t ]|$))?"
        r"(?:[ \t]*(\{(?P<attrs>[^\n]*)\})|(?P<options>(?:(?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*"
        r"(?:=(?P<quot>\"|').*?(?P=quot))?)(?=[\t ]|$))+)|(?P<unrecognized>(?:([ \t]*[^\s]+)(?=[\t ]|$))+))?[ \t]*$"
    )

_PREFIX = (" ", "\t", ">")
_TAB = 4
_LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[*+-]|\d+[.)])(?:[ \t]|$)")
_CONTAINER = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?|===)[ \t]")
_OPENERS = frozenset("*+-!?=")


def find_fences(document: Document) -> tuple[Fence, ...]:
    """Return the code blocks of ``document`` in the order they render."""
    lines = document.lines
    fenced = _find_fenced(lines)
    inside = set()
    for start, end, *_ in fenced:
        inside.update(range(start, end + 1))
    blocks = [(start, end, info, ws, True) for start, end, info, ws in fenced]
    blocks += [(start, end, "", "    ", False) for start, end in _find_indented(lines, inside)]
    blocks.sort()
    fences = []
    for index, (start, end, info, ws, is_fenced) in enumerate(blocks):
        first, stop = (start + 1, end) if is_fenced else (start, end + 1)
        width = len(ws) if is_fenced else 4
        body = tuple(_dedent(line, width) for line in lines[first:stop]) if width else tuple(lines[first:stop])
        fences.append(
            Fence(
                index=index,
                start=start,
                end=end,
                info=info,
                indent=ws,
                body=body,
                origins=tuple(document.origins[first:stop]),
                fenced=is_fenced,
            )
        )
    return tuple(fences)


def _find_fenced(lines: tuple[str, ...]) -> list[tuple[int, int, str, str]]:
    found = []
    fence = None
    ws = ""
    start = 0
    end_re = None
    info = ""
    for i, raw in enumerate(lines):
        if fence is None:
            if "```" not in raw and "~~~" not in raw:
                continue  # no fence can open on a line without three backticks or tildes
        elif not ws:
            # A fence at the margin: no line is too little indented for it, and only a line
            # starting with its run of backticks or tildes can close it.
            if raw.startswith(fence) and end_re.match(raw.rstrip("\r")):
                found.append((start, i, info, ws))
                fence = None
            continue
        line = raw.rstrip("\r")
        if fence is None:
            n = 0
            while n < len(line) and line[n] in _PREFIX:
                n += 1
            # The pattern starts with ``` or ~~~ at n: other lines (most of a post) are not matched.
            m = _FENCE_START.match(line, n) if line.startswith(("```", "~~~"), n) else None
            if m is None or m.group("unrecognized"):
                continue
            fence = m.group("fence")
            ws = line[:n].expandtabs(_TAB)
            start = i
            info = line[n + len(fence) :].strip()
            end_re = _closing(fence)
            continue
        lead, content = _split_ws(line, len(ws)) if ws else ("", line)
        if not (lead + content).strip():
            continue
        if len(lead) != len(ws) and content != "":
            fence = None  # superfences abandons a fence whose content is not indented enough
            continue
        if content.startswith(fence) and end_re.match(content):
            found.append((start, i, info, ws))
            fence = None
    return found


@functools.lru_cache(maxsize=64)
def _closing(fence: str) -> re.Pattern[str]:
    """The line that closes ``fence``: the same run of backticks or tildes, then blanks only."""
    return re.compile(re.escape(fence) + r"[ \t]*$")


def _split_ws(line: str, width: int) -> tuple[str, str]:
    virtual = 0
    used = 0
    parts = []
    for c in line:
        if virtual >= width or c not in _PREFIX:
            break
        used += 1
        if c == "\t":
            size = _TAB - (virtual % _TAB)
            parts.append(" " * size)
            virtual += size
        else:
            parts.append(c)
            virtual += 1
    return "".join(parts), line[used:]


def _find_indented(lines: tuple[str, ...], inside: set[int]) -> list[tuple[int, int]]:
    """Indented code blocks: four spaces after a blank line, outside lists."""
    found = []
    previous_blank = True
    in_container = False
    i = 0
    while i < len(lines):
        if i in inside:
            previous_blank = False
            i += 1
            continue
        line = lines[i].expandtabs(_TAB) if "\t" in lines[i] else lines[i]
        if not line.strip():
            previous_blank = True
            i += 1
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent < 4:
            # A list item or a container starts with one of these (or a decimal digit) after its blanks.
            first = line[indent : indent + 1] if indent < len(line) else ""
            starts = (first in _OPENERS or first.isdecimal()) and bool(_LIST_ITEM.match(line) or _CONTAINER.match(line))
            in_container = starts or (in_container and not previous_blank)
            previous_blank = False
            i += 1
            continue
        if previous_blank and not in_container:
            start = i
            last = i
            j = i + 1
            while j < len(lines) and j not in inside:
                candidate = lines[j].expandtabs(_TAB) if "\t" in lines[j] else lines[j]
                if candidate.strip():
                    if len(candidate) - len(candidate.lstrip(" ")) < 4:
                        break
                    last = j
                j += 1
            found.append((start, last))
            i = last + 1
            previous_blank = False
            continue
        previous_blank = False
        i += 1
    return found


def _dedent(line: str, width: int) -> str:
    return _split_ws(line, width)[1] if width else line
