"""Render relations: the "Related" cells of a post's flag tables and the relations of a reference entry.

Renderers only: the verdicts come from ``checks.evaluate_post``. Every text
that comes from a post goes through ``esc``. The wiring diagram is
``render.diagram``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from ..checks.rules import PROBE_FLAG, Rule, RuleSide
from ..checks.verdicts import Relation
from ..index import FlagEntry, FlagIndex
from ..model import FlagUse
from .diagram import MARKS
from .routes import block_anchor, block_url, component_pages, flag_url
from .text import esc

# How many other posts a cell or an entry names before it stops.
ALSO_SEEN_LIMIT = 3


def related_cells(
    relations: Sequence[Relation],
    index: FlagIndex,
    page_url: str,
    directory_urls: bool,
    this_post: object | None = None,
) -> Callable[[FlagUse], list[tuple[str, str | None]]]:
    """The ``relations`` callback of ``decorate_post`` for one post.

    Each relation of a use becomes a cell line: its verdict mark, what the
    rule shows on this side, and a link to the other side's block on this
    page; when the post does not show the other side, a link to its reference
    entry and "also seen" links to other posts that do.
    """
    pages = component_pages(index)
    by_use: dict[FlagUse, list[tuple[Relation, str]]] = defaultdict(list)
    for relation in relations:
        by_use[relation.a].append((relation, "a"))
        if relation.b is not None:
            by_use[relation.b].append((relation, "b"))

    def cells(use: FlagUse) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = []
        for relation, side in by_use.get(use, []):
            mine, theirs = (relation.rule.a, relation.rule.b) if side == "a" else (relation.rule.b, relation.rule.a)
            other = relation.b if side == "a" else relation.a
            mark = MARKS[relation.status]
            if other is not None and other.block is not None:
                state = {"ok": "", "violation": ": contradicted", "unknown": ": not checked"}[relation.status]
                out.append((f"{mark} {mine.shows} in this post{state}", f"#{block_anchor(other.block)}"))
            elif other is not None:
                out.append((f"{mark} {mine.shows} (line {other.line})", None))
            elif relation.status == "violation":
                out.append((f"{mark} {mine.shows}: missing in this post", None))
            elif theirs.component and theirs.flag != PROBE_FLAG:
                target = flag_url(page_url, theirs.component, theirs.name, directory_urls, pages)
                out.append((f"{mine.shows}: not in this post", target))
                for item, seen in also_seen(index, theirs, exclude=this_post, limit=ALSO_SEEN_LIMIT):
                    href = block_url(page_url, item.url, seen.block)
                    out.append((f"also seen in {item.post.title}", href))
        return out

    return cells


def also_seen(
    index: FlagIndex, side: RuleSide, exclude: object | None = None, limit: int | None = None
) -> list[tuple[object, FlagUse]]:
    """One written use of ``side``'s flag per post (manifests and commands), other than ``exclude``.

    ``limit``: the first that many posts only. A post's cell names three, and
    stops looking there: a flag every post uses has a thousand uses at 1,000
    posts, and every post's cells would read them all.
    """
    entry = index.get(side.component, side.name)
    if entry is None:
        return []
    found: dict[str, tuple[object, FlagUse]] = {}
    for item, use in entry.uses:
        if use.kind == "prose" or use.block is None or item is exclude:
            continue
        found.setdefault(item.src_uri, (item, use))
        if len(found) == limit:
            break
    return list(found.values())


def render_entry_relations(
    entry: FlagEntry,
    here: str,
    rules: Sequence[Rule],
    checked: Mapping[str, Sequence[tuple[object, Relation]]],
    index: FlagIndex,
    directory_urls: bool,
) -> str:
    """HTML for a reference entry: the rules involving its flag, where posts were checked, and also-seen links.

    ``checked`` holds every (SitePost, Relation) of the build, by rule id.
    """
    pages = component_pages(index)
    items = []
    for rule in rules:
        for side in rule.involves(entry.component, entry.name):
            mine, theirs = (rule.a, rule.b) if side == "a" else (rule.b, rule.a)
            if theirs.flag == PROBE_FLAG:
                head = esc(mine.shows)
            else:
                href = flag_url(here, theirs.component, theirs.name, directory_urls, pages)
                head = f'<a href="{esc(href)}">{esc(mine.shows)}</a>'
            parts = [f"{head} <small>({esc(rule.kind)})</small>: {esc(rule.explanation)}"]
            verdicts, shown = _checked_in(checked.get(rule.id, ()), here)
            if verdicts:
                parts.append(f"<br><small>Checked in {verdicts}</small>")
            if theirs.flag != PROBE_FLAG:
                # Posts already named as checked are not repeated: "also seen" is about the others.
                seen = [(item, use) for item, use in also_seen(index, theirs) if item.src_uri not in shown]
                if seen:
                    links = ", ".join(
                        f'<a href="{esc(block_url(here, item.url, use.block))}">'
                        f"{esc(item.post.title)}</a> (<code>{esc(use.value)}</code>)"
                        for item, use in seen[:ALSO_SEEN_LIMIT]
                    )
                    more = f" and {len(seen) - ALSO_SEEN_LIMIT} more" if len(seen) > ALSO_SEEN_LIMIT else ""
                    parts.append(f"<br><small>{esc(theirs.label)} also seen in {links}{more}</small>")
            items.append(f"<li>{''.join(parts)}</li>")
    if not items:
        return ""
    return f'<div class="flagref-relations"><p><strong>Related flags</strong></p><ul>{"".join(items)}</ul></div>'


def _checked_in(checked: Sequence[tuple[object, Relation]], here: str) -> tuple[str, set[str]]:
    """Links to the posts where a rule was applied, each with its worst verdict; and their ``src_uri``.

    ``checked``: the rule's relations, each with the post it was found in.
    """
    per_post: dict[str, tuple[object, Relation]] = {}
    rank = {"violation": 0, "unknown": 1, "ok": 2}
    for item, relation in checked:
        if relation.a.block is None:
            continue
        kept = per_post.get(item.src_uri)
        # One verdict per post: the worst one, since that is what a reader needs to see.
        if kept is None or rank[relation.status] < rank[kept[1].status]:
            per_post[item.src_uri] = (item, relation)
    links = [
        f'<a href="{esc(block_url(here, item.url, relation.a.block))}">{esc(item.post.title)}</a> '
        f"{MARKS[relation.status]}"
        for item, relation in per_post.values()
    ]
    return ", ".join(links), set(per_post)
