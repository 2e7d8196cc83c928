"""Links and masks in one line of a rendered code block.

The line comes as segments of HTML: text (``True``) and markup (``False``),
as the highlighter wrote them. Text is never changed, only wrapped in links,
except a secret value, which is masked.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable

from ..checks.secrets import MASK, MASK_REASON
from ..model import FlagUse
from .tables import FlagLink
from .text import esc

# A run of word characters and dashes in code text: a flag written as a word
# (--etcd-servers, -n, ETCD_DATA_DIR) is exactly one such run.
_RUN = re.compile(r"[\w-]+")


def link_code_line(segments: list[tuple[bool, str]], uses: Iterable[FlagUse], link: FlagLink) -> list[tuple[bool, str]]:
    """A code line's segments with each use's flag linked (its first free occurrence) and secrets masked."""
    runs: dict[str, deque[tuple[int, int, int]]] = defaultdict(deque)
    for n, (is_text, part) in enumerate(segments):
        if is_text:
            for m in _RUN.finditer(part):
                runs[m.group(0)].append((n, m.start(), m.end()))
    chosen: dict[int, list[tuple[int, int, str]]] = defaultdict(list)  # segment -> (start, end, link html)
    wide: dict[int, list[tuple[int, int]]] = defaultdict(list)  # the links that are not one run
    secrets = []
    for use in uses:
        # ETCD_DATA_DIR for an env spelling, -ef for a bundle of short options.
        token = use.spelling if use.spelling and (use.spelling.isupper() or use.spelling.startswith("-")) else use.flag
        found = _take(runs, token, segments, chosen, wide)
        if found is not None:
            n, start, end = found
            if not _RUN.fullmatch(token):
                wide[n].append((start, end))
            href, title = link(use)
            text = segments[n][1][start:end]
            chosen[n].append(
                (start, end, f'<a class="flagref-flag" href="{esc(href)}" title="{esc(title)}">{text}</a>')
            )
        if use.secret and use.value:
            secrets.append(use.value)
    out: list[tuple[bool, str]] = []
    for n, (is_text, part) in enumerate(segments):
        if not is_text or n not in chosen:
            out.append((is_text, part))
            continue
        at = 0
        for start, end, anchor in sorted(chosen[n]):
            out.extend(((True, part[at:start]), (False, anchor)))
            at = end
        out.append((True, part[at:]))
    for value in secrets:
        _mask(out, value)
    return out


def _take(runs, token: str, segments, chosen, wide) -> tuple[int, int, int] | None:
    """The first occurrence of ``token`` in the line not linked yet: (segment, start, end).

    Runs never overlap one another, so a run is checked only against the few
    links that are not one run: a long line of flags stays linear.
    """
    if _RUN.fullmatch(token):
        queue = runs.get(token)
        while queue:
            n, start, end = queue.popleft()
            if not any(s < end and start < e for s, e in wide.get(n, ())):
                return n, start, end
        return None
    # A flag with other characters (--log.level): looked for as text not glued to a word.
    pattern = re.compile(r"(?<![\w-])" + re.escape(token) + r"(?![\w-])")
    for n, (is_text, part) in enumerate(segments):
        if not is_text:
            continue
        for m in pattern.finditer(part):
            if not any(s < m.end() and m.start() < e for s, e, _ in chosen.get(n, ())):
                return n, m.start(), m.end()
    return None


def masked_html() -> str:
    """A masked value as code shows it: the mask, marked, with a tooltip that says why."""
    return f'<span class="flagref-masked" title="{esc(MASK_REASON)}">{MASK}</span>'


def _mask(segments: list[tuple[bool, str]], value: str) -> None:
    """Replace the first occurrence of a secret ``value`` in the line's text, however the HTML escaped it.

    The text is split around the value so that the mask is markup of its own,
    never text that a later step could take for the author's.
    """
    for escaped in _escapings(value):
        for n, (is_text, part) in enumerate(segments):
            if is_text and escaped in part:
                before, _, after = part.partition(escaped)
                segments[n : n + 1] = [(True, before), (False, masked_html()), (True, after)]
                return


def _escapings(value: str) -> list[str]:
    """The ways a highlighter may have written ``value`` in HTML text (quotes as is, named or numbered)."""
    base = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = [esc(value), base]
    for single in ("'", "&#39;", "&#x27;"):
        for double in ('"', "&quot;", "&#34;"):
            out.append(base.replace("'", single).replace('"', double))
    return list(dict.fromkeys(out))
