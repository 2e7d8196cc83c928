"""A post's wiring diagram: its related components as boxes, their relations as labelled lines.

Two steps: ``layout_wiring`` places everything (pure geometry, no markup) and
``draw_wiring`` writes the inline SVG (made here, so the page needs nothing
from elsewhere to show it). Every text from a post goes through ``esc``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..checks.verdicts import Relation
from .text import esc

MARKS = {"ok": "✓", "violation": "✗", "unknown": "?"}

_FONT = 13
_CHAR = 6.4  # average advance of lower-case sans-serif text at 13px, a little generous so text never overflows
_LINE = 17
_NODE_H = 32
_PAD = 12
_WRAP = 30  # characters per label line: narrow enough for a phone at a legible size
_RED = "#c62828"
_CAPTION = (
    "Wiring in this post: each line is a relation the build checked between the flags of two components "
    "(✓ consistent, ✗ contradicted, ? not checkable here)."
)


@dataclass(frozen=True)
class Label:
    """The text of one relation on an edge, wrapped, and its verdict."""

    lines: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Node:
    """A component's box in the wiring diagram, placed by its centre."""

    name: str
    x: float  # centre
    y: float
    width: float


@dataclass(frozen=True)
class Edge:
    """Two components joined: a straight line between neighbours, an arc (``apex`` x) otherwise."""

    upper: Node
    lower: Node
    labels: tuple[Label, ...]
    apex: float | None = None


@dataclass(frozen=True)
class WiringLayout:
    """The wiring diagram laid out: its size, boxes and edges, and each relation in words."""

    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]  # arcs first (innermost first), then straight lines, top to bottom
    summary: tuple[str, ...] = ()  # each relation in words, in the order the post shows them


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


def render_wiring(relations: Sequence[Relation]) -> str:
    """The diagram as an HTML figure; empty when fewer than two components are related."""
    layout = layout_wiring(relations)
    return draw_wiring(layout) if layout is not None else ""


def layout_wiring(relations: Sequence[Relation]) -> WiringLayout | None:
    """Where each box, line and label goes; ``None`` when fewer than two components are related.

    The components stand in a column in the order the post shows them, so
    the diagram stays narrow and its text legible on a phone. Neighbours are
    joined by a straight line labelled on its right; others by an arc on the
    left, labelled at its outermost point. Each label reads from the upper
    box: ``--etcd-servers served by etcd --listen-client-urls ✓``.
    """
    shown = wiring_relations(relations)
    order: list[str] = []
    for r in sorted(shown, key=lambda r: (min(r.a.block, r.b.block), r.a.line)):
        for use in sorted((r.a, r.b), key=lambda u: (u.block, u.line)):
            if use.component not in order:
                order.append(use.component)
    if len(order) < 2:
        return None
    rank = {name: i for i, name in enumerate(order)}
    grouped: dict[tuple[str, str], dict[str, list[Relation]]] = defaultdict(lambda: defaultdict(list))
    for r in shown:
        pair = tuple(sorted((r.a.component, r.b.component), key=rank.__getitem__))
        grouped[pair][r.rule.id].append(r)
    labels = {pair: tuple(_edge_label(g, pair[0]) for g in by_rule.values()) for pair, by_rule in grouped.items()}
    span = {pair: rank[pair[1]] - rank[pair[0]] for pair in labels}
    arcs = sorted((p for p in labels if span[p] > 1), key=lambda p: span[p])

    node_w = max(_node_width(name) for name in order)
    arc_text_w = max((_width(line) for p in arcs for label in labels[p] for line in label.lines), default=0)
    left = _PAD + (arc_text_w + 10 + 24 * len(arcs) + 20 if arcs else 0)
    cx = left + node_w / 2
    ys = [_PAD + _NODE_H / 2]
    for upper, lower in zip(order, order[1:]):
        ys.append(ys[-1] + _NODE_H + max(36, _height(labels.get((upper, lower), ())) + 12))
    nodes = {name: Node(name, cx, y, _node_width(name)) for name, y in zip(order, ys)}
    label_w = max(_width(line) for group in labels.values() for label in group for line in label.lines)
    edges = [
        Edge(nodes[a], nodes[b], labels[(a, b)], apex=left - 20 - 24 * level)  # clear of the widest box
        for level, (a, b) in enumerate(arcs)
    ]
    edges += [Edge(nodes[a], nodes[b], labels[(a, b)]) for a, b in zip(order, order[1:]) if (a, b) in labels]
    return WiringLayout(
        width=cx + node_w / 2 + 12 + label_w + _PAD,
        height=ys[-1] + _NODE_H / 2 + _PAD,
        nodes=tuple(nodes.values()),
        edges=tuple(edges),
        summary=tuple(f"{pair[0]} {' '.join(label.lines)}" for pair, group in labels.items() for label in group),
    )


def draw_wiring(layout: WiringLayout) -> str:
    """The SVG of a layout, in a figure with its caption; a title element tells screen readers every relation."""
    parts: list[str] = []
    for edge in layout.edges:
        parts.extend(_draw_edge(edge))
    for node in layout.nodes:
        parts.append(
            f'<rect x="{node.x - node.width / 2:.0f}" y="{node.y - _NODE_H / 2:.0f}" width="{node.width:.0f}" '
            f'height="{_NODE_H}" rx="6" stroke="currentColor" stroke-width="1.5" '
            'style="fill: var(--md-default-bg-color, #fff)"/>'
            f'<text x="{node.x:.0f}" y="{node.y + 4:.0f}" text-anchor="middle" font-weight="bold" '
            f'fill="currentColor">{esc(node.name)}</text>'
        )
    names = ", ".join(node.name for node in layout.nodes)
    title = f"How {names} are wired in this post: {'; '.join(layout.summary)}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" width="100%" '
        f'style="max-width: {layout.width:.0f}px" role="img" aria-labelledby="flagref-wiring-title" '
        f'font-family="sans-serif" font-size="{_FONT}">'
        f'<title id="flagref-wiring-title">{esc(title)}</title>{"".join(parts)}</svg>'
    )
    return f'<figure class="flagref-wiring">{svg}<figcaption>{esc(_CAPTION)}</figcaption></figure>'


def _draw_edge(edge: Edge) -> list[str]:
    upper, lower = edge.upper, edge.lower
    if edge.apex is not None:
        mid = (upper.y + lower.y) / 2
        x1, x2 = upper.x - upper.width / 2, lower.x - lower.width / 2
        control = 2 * edge.apex - (x1 + x2) / 2
        path = (
            f'<path d="M {x1:.0f} {upper.y:.0f} Q {control:.0f} {mid:.0f} {x2:.0f} {lower.y:.0f}" '
            f'fill="none"{_stroke(edge.labels)}/>'
        )
        return [path, *_texts(edge.labels, edge.apex - 6, mid - _height(edge.labels) / 2, "end")]
    top, bottom = upper.y + _NODE_H / 2, lower.y - _NODE_H / 2
    line = f'<line x1="{upper.x:.0f}" y1="{top:.0f}" x2="{upper.x:.0f}" y2="{bottom:.0f}"{_stroke(edge.labels)}/>'
    return [line, *_texts(edge.labels, upper.x + 12, (top + bottom) / 2 - _height(edge.labels) / 2, "start")]


def _edge_label(group: list[Relation], upper: str) -> Label:
    """``--etcd-servers served by etcd --listen-client-urls ✓``, told from the upper box's side, wrapped.

    The label starts with the upper component's flag whichever side of the
    rule it is, and the rule's words name the other component.
    """
    first = group[0]
    status = _worst(r.status for r in group)
    count = f" ×{len(group)}" if len(group) > 1 else ""
    use, side = (first.a, first.rule.a) if first.a.component == upper else (first.b, first.rule.b)
    return Label(tuple(_wrap(f"{use.flag} {side.shows} {MARKS[status]}{count}")), status)


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= _WRAP:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _texts(labels: Sequence[Label], x: float, top: float, anchor: str) -> list[str]:
    out = []
    y = top
    for label in labels:
        fill = _RED if label.status == "violation" else "currentColor"
        for line in label.lines:
            y += _LINE
            out.append(f'<text x="{x:.0f}" y="{y - 4:.0f}" text-anchor="{anchor}" fill="{fill}">{esc(line)}</text>')
        y += 4  # a little air between two relations
    return out


def _height(labels: Sequence[Label]) -> float:
    return sum(len(label.lines) * _LINE + 4 for label in labels)


def _stroke(labels: Sequence[Label]) -> str:
    worst = _worst(label.status for label in labels)
    dash = ' stroke-dasharray="5 4"' if worst == "unknown" else ""
    return f' stroke="{_RED if worst == "violation" else "currentColor"}" stroke-width="1.5"{dash}'


def _worst(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return next((s for s in ("violation", "unknown") if s in found), "ok")


def _width(text: str) -> float:
    return len(text) * _CHAR


def _node_width(name: str) -> float:
    return max(len(name) * (_CHAR + 1.5) + 28, 90)
