"""Flags mentioned in the text of a post, in inline code or bare."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Document, Origin

END_OF_POST = re.compile(r"(?i)^\s*-{1,}\s*end[\s_-]*of[\s_-]*post\s*-*\s*$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_BARE = re.compile(r"(?<![\w/`-])(--[a-z0-9][a-z0-9-]*[a-z0-9])(?:=([^\s`<>]+))?(?![\w-])")
_IN_CODE = re.compile(r"^(--[A-Za-z0-9][A-Za-z0-9_.-]*)(?:[= ](.+))?$")
_TRAILING = ".,;:)!?'\""


@dataclass(frozen=True)
class Mention:
    origin: Origin
    flag: str
    value: str | None
    in_code: bool
    context: str  # the line, to tell which component the sentence speaks of


def find_mentions(document: Document, skip: Iterable[int]) -> list[Mention]:
    """Flags in the prose lines of ``document`` (``skip``: indexes of code lines)."""
    skipped = set(skip)
    mentions = []
    for i, line in enumerate(document.lines):
        if i in skipped or END_OF_POST.match(line):
            continue
        origin = document.origins[i]
        covered: list[tuple[int, int]] = []
        for m in _CODE_SPAN.finditer(line):
            covered.append(m.span())
            code = m.group(2).strip()
            cm = _IN_CODE.match(code)
            if cm and not cm.group(1).endswith("-"):
                mentions.append(Mention(origin, cm.group(1), cm.group(2), True, line))
        for m in _BARE.finditer(line):
            if any(a <= m.start() < b for a, b in covered):
                continue
            value = m.group(2)
            if value:
                value = value.rstrip(_TRAILING) or None
            mentions.append(Mention(origin, m.group(1), value, False, line))
    return mentions
