"""The flag reference: an index page and one page per component, made at build time.

Each flag has a stable URL (``flags/etcd/#listen-client-urls``), its meaning,
type and default from the catalog, every value the posts show with its
context, the posts that mention it, and a deep link to the upstream docs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ..index import FlagEntry, FlagIndex
from .listing import _yaml_str
from .post import render_value
from .routes import (
    REFERENCE_INDEX,
    attr_id,
    block_url,
    component_uri,
    flag_anchor,
    flag_target,
    flag_url,
    page_url,
    relative_url,
)
from .text import esc, md_text

# entry -> HTML about its relations (issue "cross-references"), or "".
EntryExtra = Callable[[FlagEntry, str], str]


def render_reference_pages(
    index: FlagIndex, directory_urls: bool = True, extra: EntryExtra | None = None
) -> dict[str, str]:
    """Markdown source of ``flags/index.md`` and ``flags/<component>.md``."""
    pages = {REFERENCE_INDEX: _index_page(index, directory_urls)}
    for component in index.components():
        pages[component_uri(component)] = _component_page(index, component, directory_urls, extra)
    return pages


def _page(title: str, body: str) -> str:
    return f"---\ntitle: {_yaml_str(esc(title))}\n---\n\n{body}\n"


def _index_page(index: FlagIndex, directory_urls: bool) -> str:
    here = page_url(REFERENCE_INDEX, directory_urls)
    out = [
        '<p class="flagref-intro">Every flag of every component and tool that the catalog describes or a post '
        "uses, grouped by component, A to Z. Flags the posts use show how many times.</p>\n"
    ]
    for component in index.components():
        spec = index.catalog.components.get(component) if index.catalog else None
        url = page_url(component_uri(component), directory_urls)
        out.append(f"\n## {md_text(component)} {{#component-{attr_id(component)}}}\n")
        summary = (
            esc(getattr(spec, "summary", "")) if spec else '<span class="flagref-missing">not in the catalog yet</span>'
        )
        items = []
        for entry in index.by_component(component):
            href = relative_url(here, f"{url}#{flag_anchor(entry.name)}")
            count = len(entry.uses)
            used = f' <span class="flagref-count">({count})</span>' if count else ""
            items.append(f'<li><a href="{esc(href)}"><code>{esc(entry.flag)}</code></a>{used}</li>')
        out.append(
            f'<div class="flagref-component"><p>{summary} <a href="{esc(relative_url(here, url))}">All '
            f'{esc(component)} flags</a></p><ul class="flagref-flaglist">{"".join(items)}</ul></div>\n'
        )
    out.append("\n## A–Z {#a-z}\n")
    rows = []
    for name, entries in index.names().items():
        cells = []
        for entry in sorted(entries, key=lambda e: e.component or ""):
            if entry.component is None:
                cells.append(f"mentioned without a component ({len(entry.uses)})")
                continue
            href = flag_url(here, entry.component, entry.name, directory_urls)
            cells.append(f'<a href="{esc(href)}">{esc(entry.component)}</a>')
        flag = entries[0].flag
        rows.append(
            f'<tr id="{flag_target(None, name)[1]}"><td><code>{esc(flag)}</code></td><td>{", ".join(cells)}</td></tr>'
        )
    out.append(
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table><thead><tr><th>Flag</th>'
        f"<th>Components</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div></div>\n"
    )
    return _page("Flag reference", "".join(out))


def _component_page(index: FlagIndex, component: str, directory_urls: bool, extra: EntryExtra | None) -> str:
    here = page_url(component_uri(component), directory_urls)
    spec = index.catalog.components.get(component) if index.catalog else None
    intro = (
        esc(spec.summary) if spec else '<span class="flagref-missing">This component is not in the catalog yet.</span>'
    )
    docs = f' <a href="{esc(spec.docs_url)}">Upstream documentation</a>.' if spec and spec.docs_url else ""
    out = [f'<p class="flagref-intro">{intro}{docs}</p>\n']
    for entry in index.by_component(component):
        out.append(f"\n## {md_text(entry.flag)} {{#{flag_anchor(entry.name)}}}\n\n")
        out.append(render_entry(index, entry, here, directory_urls, extra) + "\n")
    return _page(f"{component} flags", "".join(out))


def render_entry(index: FlagIndex, entry: FlagEntry, here: str, directory_urls: bool, extra: EntryExtra | None) -> str:
    spec = entry.spec
    parts = ['<div class="flagref-entry">']
    if spec is not None:
        parts.append(f'<p class="flagref-meaning">{esc(spec.meaning)}')
        if spec.removed:
            parts.append(f' <span class="flagref-badge flagref-badge--removed">removed in {esc(spec.removed)}</span>')
        elif spec.deprecated:
            parts.append(
                f' <span class="flagref-badge flagref-badge--deprecated">deprecated in {esc(spec.deprecated)}</span>'
            )
        parts.append("</p>")
        if spec.note:
            parts.append(f'<p class="flagref-note">{esc(spec.note)}</p>')
        facts = [("Type", f"<code>{esc(spec.type)}</code>")]
        facts.append(("Default", f"<code>{esc(spec.default)}</code>" if spec.default not in (None, "") else "none"))
        if spec.short:
            facts.append(("Short form", f"<code>-{esc(spec.short)}</code>"))
        if spec.env:
            facts.append(("Environment variable", f"<code>{esc(spec.env)}</code>"))
        parts.append('<dl class="flagref-facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    else:
        parts.append('<p class="flagref-missing">No description yet: this flag is not in the catalog.</p>')
    docs = index.catalog.docs_url(entry.component, entry.flag) if index.catalog and entry.component else None
    if docs:
        parts.append(
            f'<p class="flagref-upstream"><a href="{esc(docs)}">Upstream documentation for {esc(entry.flag)}</a></p>'
        )
    if extra is not None:
        parts.append(extra(entry, here))
    parts.append(_values(index, entry, here))
    parts.append(_mentions(entry, here))
    parts.append("</div>")
    return "".join(parts)


def _values(index: FlagIndex, entry: FlagEntry, here: str) -> str:
    written = [(item, use) for item, use in entry.uses if use.kind != "prose"]
    if not written:
        return ""
    by_value: dict[str, list] = defaultdict(list)
    for item, use in written:
        by_value[render_value(use)].append((item, use))
    rows = []
    for value_html, places in by_value.items():
        where = "<br>".join(
            f'<a href="{esc(block_url(here, item.url, use.block))}">{esc(item.post.title)}</a> '
            f"<small>{esc(use.path)}:{use.line}</small>"
            for item, use in places
        )
        hosts = ", ".join(sorted({esc(u.host) for _, u in places if u.host})) or "—"
        objects = "<br>".join(
            sorted({esc(u.object or u.kind) + (f" ({esc(u.spelling)})" if u.spelling else "") for _, u in places})
        )
        rows.append(
            f'<tr><td class="flagref-value">{value_html}</td><td>{where}</td><td>{hosts}</td><td>{objects}</td></tr>'
        )
    # Out of the search index: it repeats post titles once per use, and the posts are indexed themselves.
    return (
        f'<div class="flagref-seen" data-search-exclude><p><strong>Values in the posts</strong> '
        f"({len(written)} use{'s' if len(written) != 1 else ''})</p>"
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table><thead><tr><th>Value</th><th>Where</th>'
        f"<th>Host</th><th>Object</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div></div></div>"
    )


def _mentions(entry: FlagEntry, here: str) -> str:
    seen: dict[str, tuple] = {}
    for item, use in entry.uses:
        if use.kind == "prose":
            seen.setdefault(item.src_uri, (item, use))
    if not seen:
        return ""
    items = "".join(
        f'<li><a href="{esc(relative_url(here, item.url))}">{esc(item.post.title)}</a> <small>{esc(use.path)}:{use.line}</small></li>'
        for item, use in seen.values()
    )
    return f'<p class="flagref-mentioned"><strong>Mentioned in</strong></p><ul>{items}</ul>'
