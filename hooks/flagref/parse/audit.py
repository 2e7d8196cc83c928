"""Nothing lost: every dash-led word in a code block was read as a flag, or is reported.

Counted per flag, not per line: a line where one flag was read and a second
one was not (``VAR="--x=y" VAR2="--z=w"``) reports the second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..model import Fence, FlagUse, Unparsed
from .argv import FLAG_TOKEN, is_truncation

# Dashes an editor puts for "--" or "-": hyphen and non-breaking hyphen to horizontal bar, and minus.
TYPOGRAPHIC_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# A word led by one or two of them (a plain "-" may be one of the two), then a name: "–etcd-servers".
# One class per part and a fixed-length start: linear.
_TYPOGRAPHIC_FLAG = re.compile(
    rf"(?<![\w\-{TYPOGRAPHIC_DASHES}])[{TYPOGRAPHIC_DASHES}][\-{TYPOGRAPHIC_DASHES}]?[A-Za-z][A-Za-z0-9_.-]*"
)


def audit_blocks(fences: Sequence[Fence], uses: Iterable[FlagUse], unparsed: Iterable[Unparsed]) -> list[Unparsed]:
    """An ``Unparsed`` for each long flag in a block line that no use and no report covers."""
    read: dict[tuple[str, int], list[str]] = defaultdict(list)
    for use in uses:
        texts = read[(use.path, use.line)]
        if use.flag:
            texts.append(use.flag)
        if use.spelling:
            texts.append(use.spelling)
        if use.value:
            texts.append(use.value)
    reported = {(u.path, u.line) for u in unparsed}
    out: list[Unparsed] = []
    for fence in fences:
        for origin, text in zip(fence.origins, fence.body):
            # The dashes are not ASCII: an ASCII line (most lines; CPython knows it without a scan) has none.
            typographic = not text.isascii() and _TYPOGRAPHIC_FLAG.findall(text)
            if "--" not in text and not typographic:  # FLAG_TOKEN needs two dashes: most lines are skipped here
                continue
            key = (origin.path, origin.line)
            if key in reported:
                continue
            if typographic:
                # An editor turned the author's "--" into a typographic dash: no program reads it as a flag.
                written = ", ".join(typographic)
                fixed = ", ".join("--" + word.lstrip("-" + TYPOGRAPHIC_DASHES) for word in typographic)
                out.append(
                    Unparsed(
                        origin.path,
                        origin.line,
                        text,
                        f"{written} start{'s' if len(typographic) == 1 else ''} with a typographic dash "
                        "(an editor's en or em dash), not with --",
                        f"write it as {fixed}",
                    )
                )
                continue
            texts = read.get(key, ())
            missing = [
                token for token in _flag_tokens(text) if token not in texts and not any(token in t for t in texts)
            ]
            if missing and not is_truncation(text):
                out.append(
                    Unparsed(
                        origin.path,
                        origin.line,
                        text,
                        f"{', '.join(missing)} not read as a flag of any program on this line",
                        "if it is a command, show it after a prompt or in a ```bash block; "
                        "otherwise report the line as a parser bug",
                    )
                )
    return out


def _flag_tokens(text: str) -> list[str]:
    """The long flags written on ``text`` (``FLAG_TOKEN``), as written."""
    return FLAG_TOKEN.findall(text)
