"""The documents the site search indexes: one per page of text, one per flag entry.

The search index is built by Pagefind (a static indexer) from these documents,
not from the published pages: a post is indexed by its article alone (no
navigation, no flag tables, which repeat its code blocks), and each flag of the
reference is a record of its own, so that a short entry is not ranked below
the long reference page that holds it. Pagefind reads:

* ``data-pagefind-body``: the text to index;
* ``data-pagefind-meta`` on ``<meta>`` tags: what a result shows (``title``),
  and for a flag record the entry it opens (``target``);
* ``data-pagefind-filter`` on ``<meta>`` tags: ``kind`` (``flag`` or
  ``page``) and ``flag`` (canonical names), so that the search worker finds
  a flag's entry and the posts that use it by exact name;
* ``data-pagefind-sort``: ``order`` of the entries (Kubernetes components
  first), ``date`` of the posts.

Every name and value from a post is data: escaped, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

# The site folder of the search bundle; the worker loads ``<site>/pagefind/pagefind.js``.
SEARCH_BUNDLE = "pagefind"
# Where flag records are staged: a folder no site page can have (MkDocs pages never start with "_flagref").
RECORDS_FOLDER = "_flagref_records"
# Elements Pagefind leaves out of the text: what Material's own search leaves out, and permalinks.
EXCLUDE_SELECTORS = ("[data-search-exclude]", ".headerlink")


@dataclass(frozen=True)
class SearchPage:
    """A page of text to index: where it is published, its title, its article HTML, the flags it uses."""

    url: str  # site-root relative, as MkDocs gives it (``posts/x/``)
    title: str  # plain text
    html: str  # the article as published (already escaped HTML)
    flags: tuple[str, ...] = ()  # canonical names of the flags the page uses
    date: str | None = None  # ISO date of a post


def stage_path(url: str) -> str:
    """The file a page is staged as, so that Pagefind gives it ``url`` back (``posts/x/`` -> ``posts/x/index.html``)."""
    if not url or url.endswith("/"):
        return url + "index.html"
    return url


def page_document(page: SearchPage) -> str:
    """The document Pagefind indexes for a page of text."""
    head = [
        f"<title>{escape(page.title)}</title>",
        _meta_tag("data-pagefind-meta", "title", page.title),
        _meta_tag("data-pagefind-filter", "kind", "page"),
    ]
    head += [_meta_tag("data-pagefind-filter", "flag", name) for name in sorted(set(page.flags))]
    if page.date:
        head.append(_meta_tag("data-pagefind-sort", "date", page.date))
    return _document(head, page.html)


def flag_documents(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(stage path, document)`` of every flag entry of ``flags.json``'s content (see ``exports.flags_document``).

    The entries come in the document's order (Kubernetes components first);
    that order is each record's ``order`` sort key.
    """
    width = len(str(len(document["flags"])))
    for number, flag in enumerate(document["flags"]):
        component = flag["component"] or "flag"
        title = f"{component} {flag['flag']}"
        head = [
            f"<title>{escape(title)}</title>",
            _meta_tag("data-pagefind-meta", "title", title),
            _meta_tag("data-pagefind-meta", "flag", flag["flag"]),
            _meta_tag("data-pagefind-meta", "component", component),
            _meta_tag("data-pagefind-meta", "target", flag["url"]),
            _meta_tag("data-pagefind-meta", "summary", _summary(flag)),
            _meta_tag("data-pagefind-filter", "kind", "flag"),
            _meta_tag("data-pagefind-filter", "flag", flag["name"]),
            _meta_tag("data-pagefind-sort", "order", str(number).zfill(width)),
        ]
        body = [f"<h1>{escape(flag['flag'])}</h1>", f"<p>{escape(component)}</p>"]
        body += [f"<p>{escape(text)}</p>" for text in _facts(flag)]
        yield f"{RECORDS_FOLDER}/{number}.html", _document(head, "".join(body))


def _summary(flag: Mapping[str, Any]) -> str:
    """One line under the flag in a search result: meaning, then type and default."""
    facts = [flag.get("meaning") or "No description yet."]
    if flag.get("type"):
        facts.append(f"type {flag['type']}")
    if flag.get("default") not in (None, ""):
        facts.append(f"default {flag['default']}")
    timeline = (flag.get("lifecycle") or {}).get("timeline")
    if timeline:
        facts.append(timeline)
    return " · ".join(facts)


def _facts(flag: Mapping[str, Any]) -> Iterable[str]:
    """The words a reader may search an entry by, besides its name."""
    if flag.get("meaning"):
        yield flag["meaning"]
    for key in ("short", "env"):
        if flag.get(key):
            yield flag[key]
    if flag.get("type"):
        yield f"type {flag['type']}"
    if flag.get("default") not in (None, ""):
        yield f"default {flag['default']}"
    lifecycle = flag.get("lifecycle") or {}
    if lifecycle.get("timeline"):
        yield lifecycle["timeline"]
    if lifecycle.get("replacement"):
        yield f"replaced by {lifecycle['replacement']}"


def _meta_tag(attribute: str, key: str, value: str) -> str:
    # ``key[content]`` tells Pagefind to read the value from the tag's content attribute.
    return f'<meta {attribute}="{key}[content]" content="{escape(value, quote=True)}">'


def _document(head: list[str], body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        + "".join(head)
        + f"</head><body><main data-pagefind-body>{body}</main></body></html>"
    )
