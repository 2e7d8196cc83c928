"""The flag reference: an index page and one page per component, made at build time.

Each flag has a stable URL (``flags/etcd/#listen-client-urls``), its meaning,
type and default from the catalog, every value the posts show with its
context, the posts that mention it, and a deep link to the upstream docs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ..catalog import version_key
from ..index import FlagEntry, FlagIndex
from .exports import FLAGS_JSON, component_order
from .routes import (
    REFERENCE_INDEX,
    PageNames,
    SlugCollision,
    block_url,
    component_pages,
    flag_anchor,
    flag_target,
    flag_url,
    page_url,
    relative_url,
)
from .tables import lifecycle_badge, render_value, wrap_table
from .text import esc, front_matter, md_text

# entry -> HTML about its relations (issue "cross-references"), or "".
EntryExtra = Callable[[FlagEntry, str], str]


def generate_reference_pages(
    index: FlagIndex,
    directory_urls: bool = True,
    extra: EntryExtra | None = None,
    entry_html: EntryExtra | None = None,
) -> tuple[dict[str, str], list[SlugCollision]]:
    """Markdown source of ``flags/index.md`` and ``flags/<component>.md``; and the components whose slug was taken.

    A component named ``index`` or ``kube_apiserver`` gets a page of its own
    (``flags/index-2.md``, ``flags/kube-apiserver-2.md``), reported as a collision.
    ``entry_html``: what makes an entry's HTML instead of ``render_entry`` (a caller that keeps them).
    """
    components = component_pages(index)
    pages = {REFERENCE_INDEX: _index_page(index, directory_urls, components)}

    def rendered(entry: FlagEntry, here: str) -> str:
        return render_entry(index, entry, here, directory_urls, extra)

    make = entry_html or rendered
    for component in index.components():
        pages[components.uri(component)] = _component_page(index, component, directory_urls, make, components)
    return pages, list(components.collisions)


def reference_page_names(index: FlagIndex) -> tuple[list[str], list[SlugCollision]]:
    """The ``src_uri`` of every page ``generate_reference_pages`` makes, without making them; and the collisions."""
    components = component_pages(index)
    return [REFERENCE_INDEX, *(components.uri(c) for c in index.components())], list(components.collisions)


def render_reference_pages(
    index: FlagIndex, directory_urls: bool = True, extra: EntryExtra | None = None
) -> dict[str, str]:
    """Markdown source of the reference pages (``generate_reference_pages`` without collisions)."""
    return generate_reference_pages(index, directory_urls, extra)[0]


def _page(title: str, body: str) -> str:
    return f"{front_matter(title)}\n{body}\n"


def _index_page(index: FlagIndex, directory_urls: bool, components: PageNames) -> str:
    here = page_url(REFERENCE_INDEX, directory_urls)
    out = [
        '<p class="flagref-intro">Every flag of every component and tool that the catalog describes or a post '
        "uses: the Kubernetes components first, then the other tools, flags A to Z. Flags the posts use show "
        "how many times.</p>\n",
        # The filter runs in the page (assets/flagref/flagref-lookup.js): nothing is fetched, nothing reloads.
        '<div class="flagref-filter" data-search-exclude><input class="flagref-filter__input" type="search" '
        'placeholder="Filter: etcd-servers, --data-dir, cidr…" aria-label="Filter the flags" autocomplete="off">'
        '<span class="flagref-filter__count" aria-live="polite"></span></div>\n',
    ]
    for component in sorted(index.components(), key=component_order):
        spec = index.catalog.components.get(component) if index.catalog else None
        uri = components.uri(component)
        url = page_url(uri, directory_urls)
        # The page's slug is unique where the name's characters may not be (C++ and C--).
        slug = uri.rsplit("/", 1)[-1].removesuffix(".md")
        out.append(f"\n## {md_text(component)} {{#component-{slug}}}\n")
        summary = (
            esc(getattr(spec, "summary", "")) if spec else '<span class="flagref-missing">not in the catalog yet</span>'
        )
        items = []
        for entry in index.by_component(component):
            href = relative_url(here, f"{url}#{flag_anchor(entry.name)}")
            count = len(entry.uses)
            used = f' <span class="flagref-count">({count})</span>' if count else ""
            meaning = one_line(entry.meaning) if entry.meaning else ""
            words = f"{component} {entry.flag} {meaning}".lower()
            items.append(
                f'<li data-flag="{esc(words)}"><a href="{esc(href)}"><code>{esc(entry.flag)}</code></a>{used}'
                f'<span class="flagref-oneline">{esc(meaning)}</span></li>'
            )
        # Out of the search index: each flag's own entry is what search should find, not this list.
        out.append(
            f'<div class="flagref-component"><p>{summary} <a href="{esc(relative_url(here, url))}">All '
            f'{esc(component)} flags</a></p><ul class="flagref-flaglist flagref-flaglist--lookup" '
            f"data-search-exclude>{''.join(items)}</ul></div>\n"
        )
    out.append(f"\n## {md_text('A–Z')} {{#a-z}}\n")
    rows = []
    for name, entries in index.names().items():
        cells = []
        for entry in sorted(entries, key=lambda e: e.component or ""):
            if entry.component is None:
                cells.append(f"mentioned without a component ({len(entry.uses)})")
                continue
            href = flag_url(here, entry.component, entry.name, directory_urls, components)
            cells.append(f'<a href="{esc(href)}">{esc(entry.component)}</a>')
        flag = entries[0].flag
        rows.append(
            f'<tr id="{esc(flag_target(None, name)[1])}"><td><code>{esc(flag)}</code></td>'
            f"<td>{', '.join(cells)}</td></tr>"
        )
    out.append("<div data-search-exclude>" + wrap_table(("Flag", "Components"), "".join(rows)) + "</div>\n")
    return _page("Flag reference", "".join(out))


def one_line(text: str) -> str:
    """The first sentence of a meaning, on one line: what a list of 700 flags has room for."""
    flat = " ".join(text.split())
    head, dot, rest = flat.partition(". ")
    return head + "." if dot and rest else flat


def _component_page(
    index: FlagIndex, component: str, directory_urls: bool, entry_html: EntryExtra, components: PageNames
) -> str:
    here = page_url(components.uri(component), directory_urls)
    spec = index.catalog.components.get(component) if index.catalog else None
    intro = (
        esc(spec.summary) if spec else '<span class="flagref-missing">This component is not in the catalog yet.</span>'
    )
    docs = f' <a href="{esc(spec.docs_url)}">Upstream documentation</a>.' if spec and spec.docs_url else ""
    out = [f'<p class="flagref-intro">{intro}{docs}</p>\n', _release_filter(spec)]
    for entry in index.by_component(component):
        out.append(f"\n## {md_text(entry.flag)} {{#{flag_anchor(entry.name)}}}\n\n")
        out.append(entry_html(entry, here) + "\n")
    return _page(f"{component} flags", "".join(out))


def _release_filter(spec) -> str:
    """A select box that shows only the flags valid in one Kubernetes release (flagref-lookup.js)."""
    if spec is None or getattr(spec, "versions", None) != "kubernetes" or not getattr(spec, "pages", None):
        return ""
    # From the first reference page the catalog covers to the last release any of its facts names.
    named = [spec.pages[-1], *(r for f in spec.flags.values() for r in (f.removed, f.deprecated) if r)]
    first, last = version_key(spec.pages[0]), max(version_key(r) for r in named)
    releases = [f"{first[0]}.{minor}" for minor in range(last[1], first[1] - 1, -1)] if first[0] == last[0] else []
    if not releases:
        return ""
    options = "".join(f'<option value="{esc(r)}">{esc(r)}</option>' for r in releases)
    return (
        '<p class="flagref-release-filter" data-search-exclude><label>Show the flags valid in '
        f'<select data-flagref-release><option value="">every release</option>{options}</select></label></p>\n'
    )


def render_entry(index: FlagIndex, entry: FlagEntry, here: str, directory_urls: bool, extra: EntryExtra | None) -> str:
    """The HTML of one flag entry: the catalog's facts, the upstream link, ``extra``, and the values posts use."""
    spec = entry.spec
    # The releases the flag is valid in, for the "valid in release" filter of the component page.
    life = "".join(
        f' data-{key}="{esc(value)}"'
        for key, value in (("introduced", spec and spec.introduced), ("removed", spec and spec.removed))
        if value
    )
    parts = [f'<div class="flagref-entry"{life}>']
    if spec is not None:
        parts.append(f'<p class="flagref-meaning">{esc(spec.meaning)}{lifecycle_badge(spec)}</p>')
        if spec.note:
            parts.append(f'<p class="flagref-note">{esc(spec.note)}</p>')
        facts = [("Type", f"<code>{esc(spec.type)}</code>")]
        facts.append(("Default", f"<code>{esc(spec.default)}</code>" if spec.default not in (None, "") else "none"))
        if spec.short:
            facts.append(("Short form", f"<code>-{esc(spec.short)}</code>"))
        if spec.env:
            facts.append(("Environment variable", f"<code>{esc(spec.env)}</code>"))
        if timeline := spec.timeline():
            facts.append(("Releases", esc(timeline)))
        if spec.config_field:
            facts.append(("Config file field", f"<code>{esc(spec.config_field)}</code>"))
        if spec.replacement:
            facts.append(("Instead", esc(spec.replacement)))
        parts.append('<dl class="flagref-facts">' + " ".join(f"<dt>{k}</dt> <dd>{v}</dd>" for k, v in facts) + "</dl>")
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


# A reference entry summarises its values so that its size does not grow with the corpus: the most
# used values, each with its first uses, hosts and objects; flags.json lists every use.
SHOWN_VALUES = 8
SHOWN_PLACES = 3
SHOWN_NAMES = 3


def _values(index: FlagIndex, entry: FlagEntry, here: str) -> str:
    written = [(item, use) for item, use in entry.uses if use.kind != "prose"]
    if not written:
        return ""
    # Each value rendered once: as received, a cell reads the value and whether it is secret only.
    cells: dict[tuple[str | None, bool], str] = {}
    by_value: dict[str, list] = defaultdict(list)
    for item, use in written:
        cell = cells.get((use.value, use.secret))
        if cell is None:
            cell = cells[(use.value, use.secret)] = render_value(use, as_written=False)
        by_value[cell].append((item, use))
    # The most used values first; values used as often keep the order of the posts (sorted is stable).
    ranked = sorted(by_value.items(), key=lambda pair: -len(pair[1]))
    rows = "".join(_value_row(value_html, places, here) for value_html, places in ranked[:SHOWN_VALUES])
    note = ""
    if len(ranked) > SHOWN_VALUES:
        rest = [place for _, places in ranked[SHOWN_VALUES:] for place in places]
        note = (
            f'<p class="flagref-more">{_count(len(ranked) - SHOWN_VALUES, "other value")} in '
            f"{_count(len(rest), 'use')} of {_count(len({item.src_uri for item, _ in rest}), 'post')}; "
            f"<code>{FLAGS_JSON}</code> lists every use.</p>"
        )
    # Out of the search index: it repeats post titles once per use, and the posts are indexed themselves.
    return (
        f'<div class="flagref-seen" data-search-exclude><p><strong>Values in the posts</strong> '
        f"({_count(len(written), 'use')})</p>"
        + wrap_table(("Value", "Where", "Host", "Object"), rows)
        + note
        + "</div>"
    )


def _value_row(value_html: str, places: list, here: str) -> str:
    """One value: its first uses (and how many more), and the hosts and objects it was seen on."""
    where = "<br>".join(
        f'<a href="{esc(block_url(here, item.url, use.block))}">{esc(item.post.title)}</a> '
        f"<small>{esc(use.path)}:{use.line}</small>"
        for item, use in places[:SHOWN_PLACES]
    )
    if len(places) > SHOWN_PLACES:
        more = places[SHOWN_PLACES:]
        posts = len({item.src_uri for item, _ in more})
        where += f"<br><small>and {_count(len(more), 'more use')} in {_count(posts, 'post')}</small>"
    hosts = _first(sorted({esc(u.host) for _, u in places if u.host}), ", ") or "—"
    objects = _first(
        sorted({esc(u.object or u.kind) + (f" ({esc(u.spelling)})" if u.spelling else "") for _, u in places}), "<br>"
    )
    return f'<tr><td class="flagref-value">{value_html}</td><td>{where}</td><td>{hosts}</td><td>{objects}</td></tr>'


def _first(names: list[str], sep: str) -> str:
    """The first few of ``names`` joined by ``sep``, and how many were left out."""
    shown = sep.join(names[:SHOWN_NAMES])
    return shown + f"{sep}<small>and {len(names) - SHOWN_NAMES} more</small>" if len(names) > SHOWN_NAMES else shown


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


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
