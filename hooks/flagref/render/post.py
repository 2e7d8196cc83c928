"""Add the flag layer to a rendered post: links in code, tables under blocks, links in prose.

Works on the HTML MkDocs produced from ``compat.render_markdown``: the n-th
``<pre>`` is the n-th block the engine found (a test holds this for every
post). Code text is never changed, only wrapped in links, so what a reader
copies is what the author wrote; the one exception is a secret value, which is
masked everywhere the site shows it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from ..checks.secrets import MASK
from ..index import FlagEntry, FlagIndex
from ..model import FlagUse, Post
from ..parse.argv import split_list
from .routes import block_anchor, flag_url
from .text import esc

_PRE = re.compile(r"<pre\b[^>]*>.*?</pre>(?:\s*</div>)?", re.S)
_TAGS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
# A bare flag in prose, possibly cut by the abbreviation extension: --<abbr title="...">etcd</abbr>-servers
_PROSE_FLAG = re.compile(r"(?<![\w/\"'=-])--(?:<abbr\b[^>]*>|</abbr>|[A-Za-z0-9_.-])+")
_FLAG_NAME = re.compile(r"^--[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]$")
_CODE_SPAN = re.compile(r"<code>(--[A-Za-z0-9][A-Za-z0-9_.-]*)((?:=|\s)[^<]*)?</code>")
LONG_TABLE = 8

# (use, this page's URL) -> extra cells (relations); issue-5 checks plug in here.
RelationCells = Callable[[FlagUse], list[tuple[str, str | None]]]


def decorate_post(
    html: str,
    post: Post,
    index: FlagIndex,
    page_url: str,
    directory_urls: bool = True,
    relations: RelationCells | None = None,
    extra_after_block: dict[int, str] | None = None,
) -> str:
    """The post's HTML with flags linked and a flag table under each block that has flags."""
    by_line: dict[tuple[str, int], list[FlagUse]] = defaultdict(list)
    by_block: dict[int, list[FlagUse]] = defaultdict(list)
    for use in post.uses:
        if use.block is not None:
            by_line[(use.path, use.line)].append(use)
            by_block[use.block].append(use)

    def link(use: FlagUse) -> tuple[str, str]:
        return flag_url(page_url, use.component, use.name, directory_urls), index.entry(use).tooltip

    truncated = {(m.block, m.label) for m in post.manifests if m.truncated}
    counter = iter(range(len(post.fences)))

    def on_pre(match: re.Match) -> str:
        n = next(counter, None)
        if n is None:  # more <pre> than blocks: leave the rest as rendered
            return match.group(0)
        fence = post.fences[n]
        block_html = _link_code(match.group(0), fence, by_line, index, link)
        anchor = f'<span class="flagref-anchor" id="{block_anchor(n)}"></span>'
        table = render_block_tables(by_block.get(n, []), index, link, relations, truncated)
        extra = (extra_after_block or {}).get(n, "")
        return anchor + block_html + table + extra

    html = _PRE.sub(on_pre, html)
    return _link_prose(html, post, index, page_url, directory_urls)


def _link_code(block_html: str, fence, by_line, index: FlagIndex, link) -> str:
    start = block_html.find("<code")
    start = block_html.find(">", start) + 1 if start >= 0 else block_html.find(">", block_html.find("<pre")) + 1
    end = block_html.rfind("</code>")
    if end < 0:
        end = block_html.rfind("</pre>")
    lines = block_html[start:end].split("\n")
    for k, origin in enumerate(fence.origins):
        if k >= len(lines):
            break
        uses = by_line.get((origin.path, origin.line))
        if uses:
            lines[k] = _link_line(lines[k], uses, index, link)
    return block_html[:start] + "\n".join(lines) + block_html[end:]


def _link_line(line_html: str, uses: list[FlagUse], index: FlagIndex, link) -> str:
    # Segments of (is_text, html); a linked flag becomes a locked segment, so the
    # next use of the line finds the next occurrence.
    segments = [(i % 2 == 0, part) for i, part in enumerate(_TAGS.split(line_html))]
    for use in uses:
        # ETCD_DATA_DIR for an env spelling, -ef for a bundle of short options.
        token = use.spelling if use.spelling and (use.spelling.isupper() or use.spelling.startswith("-")) else use.flag
        pattern = re.compile(r"(?<![\w-])" + re.escape(token) + r"(?![\w-])")
        for n, (is_text, part) in enumerate(segments):
            m = pattern.search(part) if is_text else None
            if m is None:
                continue
            href, title = link(use)
            anchor = f'<a class="flagref-flag" href="{esc(href)}" title="{esc(title)}">{m.group(0)}</a>'
            segments[n : n + 1] = [(True, part[: m.start()]), (False, anchor), (True, part[m.end() :])]
            break
        if use.secret:
            _mask(segments, esc(use.value))
    return "".join(part for _, part in segments)


def _mask(segments: list[tuple[bool, str]], value_html: str) -> None:
    for n, (is_text, part) in enumerate(segments):
        if is_text and value_html in part:
            segments[n] = (True, part.replace(value_html, MASK, 1))
            return


def render_block_tables(
    uses: list[FlagUse], index: FlagIndex, link, relations: RelationCells | None, truncated: set[tuple[int, str]]
) -> str:
    """One collapsible table per (component, object) of a block."""
    groups: dict[tuple, list[FlagUse]] = defaultdict(list)
    for use in uses:
        if use.kind in ("manifest", "command"):
            groups[(use.component, use.object, use.container)].append(use)
    out = []
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0].kind != "manifest")
    for (component, obj, container), group in ordered:
        title = esc(component or "unknown component")
        if obj:
            title += " — " + esc(obj)
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
            '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table>'
            "<thead><tr><th>Flag</th><th>Value</th><th>Meaning and relations</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div></div></details>"
        )
    return "".join(out)


def _row(use: FlagUse, index: FlagIndex, link, relations: RelationCells | None) -> str:
    entry: FlagEntry = index.entry(use)
    href, title = link(use)
    flag = f'<a href="{esc(href)}" title="{esc(title)}"><code><span class="flagref-flagname">{esc(use.flag)}</span></code></a>'
    if use.spelling:
        flag += f"<br><small>as <code>{esc(use.spelling)}</code></small>"
    value = render_value(use)
    meaning = (
        _nowrap_flags(esc(entry.meaning))
        if entry.meaning
        else '<span class="flagref-missing">no description yet</span>'
    )
    spec = entry.spec
    if spec is not None and getattr(spec, "removed", None):
        meaning += f' <span class="flagref-badge flagref-badge--removed">removed in {esc(spec.removed)}</span>'
    elif spec is not None and getattr(spec, "deprecated", None):
        meaning += f' <span class="flagref-badge flagref-badge--deprecated">deprecated in {esc(spec.deprecated)}</span>'
    # Relations sit under the meaning: a fourth column would not fit beside long values.
    related = [
        f'<a href="{esc(url)}">{_nowrap_flags(esc(text))}</a>' if url else _nowrap_flags(esc(text))
        for text, url in (relations(use) if relations is not None else [])
    ]
    if related:
        # Spans, not a list: the post's own lists stay the only lists on the page.
        meaning += (
            '<span class="flagref-related">'
            + "".join(f'<span class="flagref-item">↔ {r}</span>' for r in related)
            + "</span>"
        )
    return f'<tr><td>{flag}</td><td class="flagref-value">{value}</td><td>{meaning}</td></tr>'


_TEXT_FLAG = re.compile(r"(?<![\w-])--[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9](?:=[^\s<]*)?")


def _nowrap_flags(text_html: str) -> str:
    """Escaped text with each ``--flag`` (and its ``=value``) in a span that keeps it on one line."""
    return _TEXT_FLAG.sub(lambda m: f'<span class="flagref-flagname">{m.group(0)}</span>', text_html)


def render_value(use: FlagUse) -> str:
    if use.value is None:
        return '<span class="flagref-missing">(no value)</span>'
    if use.secret:
        return f'<span class="flagref-masked" title="masked: looks like a secret">{MASK}</span>'
    items = split_list(use.value)
    if len(items) > 1:
        # One value per line; spans, not a <ul>, so the post's own lists stay the only lists.
        return "".join(f'<span class="flagref-item"><code>{_breakable(v)}</code></span>' for v in items)
    return f"<code>{_breakable(use.value)}</code>"


def _breakable(value: str) -> str:
    """Escaped value that may wrap after / , = and : only, never inside a number or a word."""
    return re.sub(r"([/,=:])(?!/)", r"\1<wbr>", esc(value))


def _link_prose(html: str, post: Post, index: FlagIndex, page_url: str, directory_urls: bool) -> str:
    mentions: dict[str, FlagUse] = {}
    for use in post.uses:
        if use.kind == "prose":
            mentions.setdefault(use.flag, use)

    def target(use: FlagUse) -> tuple[str, str]:
        return flag_url(page_url, use.component, use.name, directory_urls), index.entry(use).tooltip

    # <svg>: the wiring diagram (relations) is drawn text, not prose to link.
    parts = re.split(r"(<pre\b.*?</pre>|<a\b.*?</a>|<h[1-6]\b.*?</h[1-6]>|<svg\b.*?</svg>)", html, flags=re.S)
    for i in range(0, len(parts), 2):
        part = parts[i]

        def on_span(m: re.Match) -> str:
            whole = m.group(0)
            text = whole.rstrip("._-")
            tail = whole[len(text) :]
            flag = re.sub(r"<[^>]*>", "", text)
            if not _FLAG_NAME.match(flag) or flag not in mentions or text.count("<abbr") != text.count("</abbr>"):
                return whole
            href, title = target(mentions[flag])
            return (
                f'<a class="flagref-mention" href="{esc(href)}" title="{esc(title)}">'
                f'<span class="flagref-flagname">{flag}</span></a>{tail}'
            )

        def on_code(m: re.Match) -> str:
            flag, rest = m.group(1), m.group(2) or ""
            if flag not in mentions:
                return m.group(0)
            href, title = target(mentions[flag])
            return (
                f'<a class="flagref-mention" href="{esc(href)}" title="{esc(title)}"><code>'
                f'<span class="flagref-flagname">{flag}</span>{rest}</code></a>'
            )

        part = _CODE_SPAN.sub(on_code, part)
        pieces = re.split(r"(<code\b.*?</code>|<a\b.*?</a>)", part, flags=re.S)
        parts[i] = "".join(p if j % 2 else _PROSE_FLAG.sub(on_span, p) for j, p in enumerate(pieces))
    return "".join(parts)
