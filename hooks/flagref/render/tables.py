"""The flag tables under a post's code blocks, and the table markup every generated table shares.

Renderers only: each cell comes from a ``FlagUse`` (identity settled at parse
time) and its index entry. Every text from a post goes through ``esc``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..checks.secrets import MASK, MASK_REASON
from ..index import FlagIndex
from ..model import FlagUse
from ..parse.argv import split_list
from .text import esc

# A block table with more rows than this starts folded.
LONG_TABLE = 8

# use -> extra lines under its meaning (relations): (text, URL or None).
RelationCells = Callable[[FlagUse], list[tuple[str, str | None]]]
# use -> (href of its reference entry from this page, tooltip).
FlagLink = Callable[[FlagUse], tuple[str, str]]

# A flag in escaped text (a meaning, a relation): "--", a letter or digit, then
# name characters, then an optional "=value" up to a space or a tag. The name
# class and "=" are disjoint, so the match is linear.
_TEXT_FLAG = re.compile(r"(?<![\w-])--[A-Za-z0-9][A-Za-z0-9_.-]*(?:=[^\s<]*)?")
# A separator after which a long value may wrap: "/" (not the first of "//"), ",",
# "=", "&", ";" or "?". Never ":" or ".", so a host, an address and a port
# (https://127.0.0.1:2379) stay whole.
_BREAK_AFTER = re.compile(r"([/,=&;?])(?!/)")

if TYPE_CHECKING:
    from ..catalog import FlagSpec


def wrap_table(headers: Sequence[str], rows_html: str) -> str:
    """A table in Material's scrolling wrapper: the one place this markup is written.

    ``headers`` are plain text (escaped here); ``rows_html`` is the ``<tr>`` markup.
    """
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return (
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table></div></div>"
    )


def render_block_tables(
    uses: Sequence[FlagUse],
    index: FlagIndex,
    link: FlagLink,
    relations: RelationCells | None,
    truncated: set[tuple[int, str]],
) -> str:
    """One collapsible table per (component, object, container) of a block; ``""`` when it has no flags.

    ``truncated`` holds (block, object label) of the manifests cut short in the post.
    """
    groups: dict[tuple, list[FlagUse]] = defaultdict(list)
    for use in uses:
        if use.kind in ("manifest", "command"):
            groups[(use.component, use.object, use.container)].append(use)
    out = []
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0].kind != "manifest")
    for (component, obj, container), group in ordered:
        title = esc(component or "unknown component")
        if obj:
            title += " — " + nowrap_flags(esc(obj))  # a command line: its flags never break after their dashes
        if container and container != component:
            title += f", container {esc(container)}"
        title += f", {len(group)} flag{'s' if len(group) != 1 else ''}"
        if (group[0].block, obj) in truncated:
            title += ", manifest truncated"
        rows = "".join(_row(use, index, link, relations) for use in group)
        # Manifests are what readers come for; typed commands' options stay folded.
        opened = " open" if group[0].kind == "manifest" and len(group) <= LONG_TABLE else ""
        out.append(
            f'<details class="abstract flagref-table" data-search-exclude{opened}><summary>{title}</summary>'
            + wrap_table(("Flag", "Value", "Meaning and relations"), rows)
            + "</details>"
        )
    return "".join(out)


def _row(use: FlagUse, index: FlagIndex, link: FlagLink, relations: RelationCells | None) -> str:
    entry = index.entry(use)
    href, title = link(use)
    flag = (
        f'<a href="{esc(href)}" title="{esc(title)}"><code>'
        f'<span class="flagref-flagname">{esc(use.flag)}</span></code></a>'
    )
    if use.spelling:
        flag += f"<br><small>as <code>{esc(use.spelling)}</code></small>"
    meaning = (
        nowrap_flags(esc(entry.meaning)) if entry.meaning else '<span class="flagref-missing">no description yet</span>'
    )
    meaning += lifecycle_badge(entry.spec)
    # Relations sit under the meaning: a fourth column would not fit beside long values.
    related = [
        f'<a href="{esc(url)}">{nowrap_flags(esc(text))}</a>' if url else nowrap_flags(esc(text))
        for text, url in (relations(use) if relations is not None else [])
    ]
    if related:
        # Spans, not a list: the post's own lists stay the only lists on the page.
        meaning += (
            '<span class="flagref-related">'
            + "".join(f'<span class="flagref-item">↔ {r}</span>' for r in related)
            + "</span>"
        )
    return f'<tr><td>{flag}</td><td class="flagref-value">{render_value(use)}</td><td>{meaning}</td></tr>'


def lifecycle_badge(spec: FlagSpec | None) -> str:
    """`` <span>removed in 1.24, use --secure-port</span>`` (or deprecated) for a catalog entry; ``""`` when current."""
    if spec is None or not (spec.removed or spec.deprecated):
        return ""
    state, release = ("removed", spec.removed) if spec.removed else ("deprecated", spec.deprecated)
    instead = f"; {spec.replacement}" if spec.replacement else ""
    return f' <span class="flagref-badge flagref-badge--{state}">{state} in {esc(release)}{esc(instead)}</span>'


def nowrap_flags(text_html: str) -> str:
    """Escaped text with each ``--flag`` (and its ``=value``) in a span that keeps it on one line."""
    return _TEXT_FLAG.sub(_nowrap, text_html)


def _nowrap(m: re.Match) -> str:
    whole = m.group(0)
    name, eq, value = whole.partition("=")
    # A name ends with a letter or digit: "--flag." ends a sentence, and then no value follows.
    kept = name.rstrip("._-")
    if len(kept) < 4:
        return whole
    if kept != name:
        return f'<span class="flagref-flagname">{kept}</span>{whole[len(kept) :]}'
    return f'<span class="flagref-flagname">{name}{eq}{value}</span>'


def render_value(use: FlagUse, as_written: bool = True) -> str:
    """A use's value as a table cell shows it: masked when secret, one item per line for a comma list.

    ``as_written``: the author's spelling (quotes, ``${VAR}``), as a post's table shows it; else the
    value the program receives, as the reference groups the values posts use.
    """
    if use.value is None:
        return '<span class="flagref-missing">(no value)</span>'
    if not use.value:
        return '<span class="flagref-missing">(empty)</span>'
    if use.secret:
        return f'<span class="flagref-masked" title="{esc(MASK_REASON)}">{MASK}</span>'
    # Shown as the author wrote it (quotes, ${VAR}); checks and the reference compare the value received.
    shown = use.written if as_written and use.written else use.value
    items = shown.split(",")
    if len(items) > 1 and len(split_list(shown)) > 1:
        # One item per line, each followed by its comma as written (outside the code, so
        # the code is the item alone); spans, not a <ul>, so the post's own lists stay the only lists.
        last = len(items) - 1
        return "".join(
            f'<span class="flagref-item"><code>{_breakable(v)}</code>{"," if n < last else ""}</span>'
            for n, v in enumerate(items)
        )
    return f"<code>{_breakable(shown)}</code>"


def _breakable(value: str) -> str:
    """Escaped value that may wrap after a separator only, never inside a host, a port, a number or a word.

    Split before escaping, so that no break lands inside an entity (``&amp;``).
    """
    out: list[str] = []
    at = 0
    for m in _BREAK_AFTER.finditer(value):
        out.append(esc(value[at : m.end()]) + "<wbr>")
        at = m.end()
    out.append(esc(value[at:]))
    return "".join(out)
