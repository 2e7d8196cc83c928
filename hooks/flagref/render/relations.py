"""Render relations: the "Related" cells of a post's flag tables, the relations of a
reference entry, and a post's wiring diagram (an inline SVG made here, so the
page needs nothing from elsewhere to show it).

Renderers only: the verdicts come from ``relations.evaluate_post``. Every text
that comes from a post goes through ``esc``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from ..checks.relations import PROBE_FLAG, Relation, Rule, RuleSide
from ..index import FlagEntry, FlagIndex
from ..model import FlagUse
from .routes import block_anchor, block_url, flag_url
from .text import esc

MARKS = {"ok": "✓", "violation": "✗", "unknown": "?"}
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
                target = flag_url(page_url, theirs.component, theirs.name, directory_urls)
                out.append((f"{mine.shows}: not in this post", target))
                for item, seen in also_seen(index, theirs, exclude=this_post)[:ALSO_SEEN_LIMIT]:
                    href = block_url(page_url, item.url, seen.block)
                    out.append((f"also seen in {item.post.title}", href))
        return out

    return cells


def also_seen(index: FlagIndex, side: RuleSide, exclude: object | None = None) -> list[tuple[object, FlagUse]]:
    """One written use of ``side``'s flag per post (manifests and commands), other than ``exclude``."""
    entry = index.get(side.component, side.name)
    if entry is None:
        return []
    found: dict[str, tuple[object, FlagUse]] = {}
    for item, use in entry.uses:
        if use.kind == "prose" or use.block is None or item is exclude:
            continue
        found.setdefault(item.src_uri, (item, use))
    return list(found.values())


def render_entry_relations(
    entry: FlagEntry,
    here: str,
    rules: Sequence[Rule],
    checked: Sequence[tuple[object, Relation]],
    index: FlagIndex,
    directory_urls: bool,
) -> str:
    """HTML for a reference entry: the rules involving its flag, where posts were checked, and also-seen links.

    ``checked`` holds every (SitePost, Relation) of the build.
    """
    items = []
    for rule in rules:
        for side in rule.involves(entry.component, entry.name):
            mine, theirs = (rule.a, rule.b) if side == "a" else (rule.b, rule.a)
            if theirs.flag == PROBE_FLAG:
                head = esc(mine.shows)
            else:
                href = flag_url(here, theirs.component, theirs.name, directory_urls)
                head = f'<a href="{esc(href)}">{esc(mine.shows)}</a>'
            parts = [f"{head} <small>({esc(rule.kind)})</small>: {esc(rule.explanation)}"]
            verdicts, shown = _checked_in(rule, checked, here)
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


def _checked_in(rule: Rule, checked: Sequence[tuple[object, Relation]], here: str) -> tuple[str, set[str]]:
    """Links to the posts where ``rule`` was applied, each with its worst verdict; and their ``src_uri``."""
    per_post: dict[str, tuple[object, Relation]] = {}
    rank = {"violation": 0, "unknown": 1, "ok": 2}
    for item, relation in checked:
        if relation.rule != rule or relation.a.block is None:
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


# --------------------------------------------------------------------------
# The wiring diagram


def wiring_relations(relations: Sequence[Relation]) -> list[Relation]:
    """Relations between two different components, both shown in code blocks of the post."""
    return [
        r
        for r in relations
        if r.b is not None
        and r.a.block is not None
        and r.b.block is not None
        and r.a.component
        and r.b.component
        and r.a.component != r.b.component
    ]


def wiring_block(relations: Sequence[Relation]) -> int | None:
    """The block after which the diagram goes: the one that completes the last relation it draws.

    ``None`` when fewer than two components are related.
    """
    shown = wiring_relations(relations)
    if len({c for r in shown for c in (r.a.component, r.b.component)}) < 2:
        return None
    return max(max(r.a.block, r.b.block) for r in shown)


_FONT = 13
_CHAR = 6.4  # average advance of lower-case sans-serif text at 13px, a little generous so text never overflows
_LINE = 17
_NODE_H = 32
_PAD = 12
_WRAP = 30  # characters per label line: narrow enough for a phone at a legible size
_RED = "#c62828"

Label = tuple[list[str], str]  # wrapped lines, status


def render_wiring(relations: Sequence[Relation]) -> str:
    """An inline SVG: the post's related components as boxes, their relations as labelled lines.

    The components stand in a column in the order the post shows them, so
    the diagram stays narrow and its text legible on a phone. Neighbours are
    joined by a straight line labelled on its right; others by an arc on the
    left, labelled at its outermost point. Each label reads from the upper
    box: ``--etcd-servers served by etcd --listen-client-urls ✓``. Empty
    when fewer than two components are related.
    """
    shown = wiring_relations(relations)
    order: list[str] = []
    for r in sorted(shown, key=lambda r: (min(r.a.block, r.b.block), r.a.line)):
        for use in sorted((r.a, r.b), key=lambda u: (u.block, u.line)):
            if use.component not in order:
                order.append(use.component)
    if len(order) < 2:
        return ""
    grouped: dict[tuple[str, str], dict[str, list[Relation]]] = defaultdict(lambda: defaultdict(list))
    for r in shown:
        pair = tuple(sorted((r.a.component, r.b.component), key=order.index))
        grouped[pair][r.rule.id].append(r)
    labels = {pair: [_edge_label(group, pair[0]) for group in by_rule.values()] for pair, by_rule in grouped.items()}
    span = {pair: order.index(pair[1]) - order.index(pair[0]) for pair in labels}
    arcs = sorted((p for p in labels if span[p] > 1), key=lambda p: span[p])

    node_w = max(_node_width(name) for name in order)
    arc_text_w = max([_width(line) for p in arcs for lines, _ in labels[p] for line in lines], default=0)
    left = _PAD + (arc_text_w + 10 + 24 * len(arcs) + 20 if arcs else 0)
    cx = left + node_w / 2
    ys = [_PAD + _NODE_H / 2]
    for upper, lower in zip(order, order[1:]):
        gap = max(36, _height(labels.get((upper, lower), [])) + 12)
        ys.append(ys[-1] + _NODE_H + gap)
    y_of = dict(zip(order, ys))
    label_w = max(_width(line) for group in labels.values() for lines, _ in group for line in lines)
    width = cx + node_w / 2 + 12 + label_w + _PAD
    height = ys[-1] + _NODE_H / 2 + _PAD

    parts: list[str] = []
    for level, pair in enumerate(arcs):
        (y1, y2), mid = (y_of[pair[0]], y_of[pair[1]]), (y_of[pair[0]] + y_of[pair[1]]) / 2
        x1, x2 = cx - _node_width(pair[0]) / 2, cx - _node_width(pair[1]) / 2
        apex = left - 20 - 24 * level  # clear of the widest box
        control = 2 * apex - (x1 + x2) / 2
        parts.append(
            f'<path d="M {x1:.0f} {y1:.0f} Q {control:.0f} {mid:.0f} {x2:.0f} {y2:.0f}" fill="none"{_stroke(labels[pair])}/>'
        )
        parts.extend(_texts(labels[pair], apex - 6, mid - _height(labels[pair]) / 2, "end"))
    for upper, lower in zip(order, order[1:]):
        lines = labels.get((upper, lower))
        if not lines:
            continue
        top, bottom = y_of[upper] + _NODE_H / 2, y_of[lower] - _NODE_H / 2
        parts.append(f'<line x1="{cx:.0f}" y1="{top:.0f}" x2="{cx:.0f}" y2="{bottom:.0f}"{_stroke(lines)}/>')
        parts.extend(_texts(lines, cx + 12, (top + bottom) / 2 - _height(lines) / 2, "start"))
    for name in order:
        w = _node_width(name)
        parts.append(
            f'<rect x="{cx - w / 2:.0f}" y="{y_of[name] - _NODE_H / 2:.0f}" width="{w:.0f}" height="{_NODE_H}" '
            'rx="6" stroke="currentColor" stroke-width="1.5" style="fill: var(--md-default-bg-color, #fff)"/>'
            f'<text x="{cx:.0f}" y="{y_of[name] + 4:.0f}" text-anchor="middle" font-weight="bold" '
            f'fill="currentColor">{esc(name)}</text>'
        )
    summary = "; ".join(f"{pair[0]} {' '.join(lines)}" for pair, ls in labels.items() for lines, _ in ls)
    title = f"How {', '.join(order)} are wired in this post: {summary}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width: {width:.0f}px" role="img" aria-labelledby="flagref-wiring-title" '
        f'font-family="sans-serif" font-size="{_FONT}">'
        f'<title id="flagref-wiring-title">{esc(title)}</title>{"".join(parts)}</svg>'
    )
    caption = (
        "Wiring in this post: each line is a relation the build checked between the flags of two components "
        "(✓ consistent, ✗ contradicted, ? not checkable here)."
    )
    return f'<figure class="flagref-wiring">{svg}<figcaption>{esc(caption)}</figcaption></figure>'


def _edge_label(group: list[Relation], upper: str) -> Label:
    """``--etcd-servers served by etcd --listen-client-urls ✓``, told from the upper box's side, wrapped.

    The label starts with the upper component's flag whichever side of the
    rule it is, and the rule's words name the other component.
    """
    first = group[0]
    status = _worst(r.status for r in group)
    count = f" ×{len(group)}" if len(group) > 1 else ""
    use, side = (first.a, first.rule.a) if first.a.component == upper else (first.b, first.rule.b)
    return _wrap(f"{use.flag} {side.shows} {MARKS[status]}{count}"), status


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= _WRAP:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _texts(labels: list[Label], x: float, top: float, anchor: str) -> list[str]:
    out = []
    y = top
    for lines, status in labels:
        fill = _RED if status == "violation" else "currentColor"
        for line in lines:
            y += _LINE
            out.append(f'<text x="{x:.0f}" y="{y - 4:.0f}" text-anchor="{anchor}" fill="{fill}">{esc(line)}</text>')
        y += 4  # a little air between two relations
    return out


def _height(labels: list[Label]) -> float:
    return sum(len(lines) * _LINE + 4 for lines, _ in labels)


def _stroke(labels: list[Label]) -> str:
    worst = _worst(status for _, status in labels)
    dash = ' stroke-dasharray="5 4"' if worst == "unknown" else ""
    return f' stroke="{_RED if worst == "violation" else "currentColor"}" stroke-width="1.5"{dash}'


def _worst(statuses) -> str:
    found = set(statuses)
    return next((s for s in ("violation", "unknown") if s in found), "ok")


def _width(text: str) -> float:
    return len(text) * _CHAR


def _node_width(name: str) -> float:
    return max(len(name) * (_CHAR + 1.5) + 28, 90)
