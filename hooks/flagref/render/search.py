"""The documents the site search indexes: one per page of text, one per flag entry.

The search index is built by Pagefind (a static indexer) from these documents,
not from the published pages: a post is indexed by its article alone (no
navigation, no flag tables, which repeat its code blocks), and each flag of the
reference is a record of its own, so that a short entry is not ranked below
the long reference page that holds it.

A page's code blocks are not indexed as they are: their output (manifests,
``kubectl get`` tables, paths and addresses) matched nearly every post on
common words and doubled the time of a two-word search in the reader's
browser. What a reader looks a post up by stays: the commands it runs, as
typed, and the flags it uses, as written, follow the prose.

Pagefind reads:

* ``data-pagefind-body``: the text to index;
* ``data-pagefind-meta`` on ``<meta>`` tags: what a result shows (``title``),
  for a post the flags it uses (``flags``, canonical names, space-separated),
  and for a flag record the entry it opens (``target``);
* ``data-pagefind-filter`` on ``<meta>`` tags: ``kind`` (``flag`` or
  ``page``), and ``flag`` on flag records only (its canonical name), so that
  the search worker finds a flag's entry by exact name. Posts carry their
  flags as meta, not as a filter: Pagefind counts every value of every filter
  for each search, and a filter of 1,300 flag names over every post cost more
  than the search itself;
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
# The folder of the flag records' document paths: one no site page can have (no MkDocs page starts with "_flagref").
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
    commands: tuple[str, ...] = ()  # the command lines the page runs, as typed (plain text)
    spellings: tuple[str, ...] = ()  # the flags the page uses, as written (``--etcd-servers``, ``-n``)


def stage_path(url: str) -> str:
    """The path a page's document is indexed as, so that Pagefind gives ``url`` back (``posts/x/`` -> ``posts/x/index.html``)."""
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
    if page.flags:
        head.append(_meta_tag("data-pagefind-meta", "flags", " ".join(sorted(set(page.flags)))))
    if page.date:
        head.append(_meta_tag("data-pagefind-sort", "date", page.date))
    body = without_excluded(without_code(page.html))
    looked_up = [f"<p>{escape(line)}</p>" for line in dict.fromkeys(page.commands)]
    if page.spellings:
        looked_up.append(f"<p>{escape(' '.join(dict.fromkeys(page.spellings)))}</p>")
    if looked_up:
        body += "<section>" + "".join(looked_up) + "</section>"
    return _document(head, body)


def without_code(html: str) -> str:
    """``html`` without its ``<pre>`` blocks (an unclosed one runs to the end).

    Found with ``str.find``, which scans the text once: no pattern to backtrack.
    """
    out: list[str] = []
    at = 0
    while (start := html.find("<pre", at)) != -1:
        if html[start + 4 : start + 5] not in (">", " ", "\n", "\t"):  # <prefix...>, not a <pre> tag
            out.append(html[at : start + 4])
            at = start + 4
            continue
        out.append(html[at:start])
        end = html.find("</pre>", start)
        if end == -1:
            return "".join(out)
        at = end + len("</pre>")
    out.append(html[at:])
    return "".join(out)


def without_excluded(html: str) -> str:
    """``html`` without the elements Pagefind leaves out for their ``data-search-exclude`` attribute.

    Pagefind would drop them itself (``EXCLUDE_SELECTORS``), but only after
    the worker joined them into the document, the broker encoded them and
    Pagefind parsed them: a post's flag tables are three quarters of its
    article's HTML. An element is cut from its start tag to its matching end
    tag written the same way; one that is not closed (and all that follows
    it), or an attribute name that is not in a tag (text, a quoted value), is
    left to Pagefind. Found with ``str.find``, each part of the text scanned a
    bounded number of times: no pattern to backtrack.
    """
    out: list[str] = []
    at = scan = 0  # copied up to ``at``; looked at up to ``scan``
    opened = -1  # the last "<" before ``scan``
    closed = html.find(">")  # the first ">" after ``opened``
    quotes = [0, 0]  # the double and single quotes from ``opened`` up to ``counted``
    counted = 0
    while (hit := html.find(_EXCLUDED, scan)) != -1:
        after = hit + len(_EXCLUDED)
        last = html.rfind("<", scan, hit)
        if last != -1:
            opened, counted, quotes = last, last, [0, 0]
            if closed != -1 and closed < opened:  # else it is still the first ">" after ``opened``
                closed = html.find(">", opened)
        scan = after
        if opened < at or -1 < closed < hit:
            continue  # not in a tag: text between two tags
        quotes[0] += html.count('"', counted, hit)
        quotes[1] += html.count("'", counted, hit)
        counted = hit
        if quotes[0] % 2 or quotes[1] % 2 or html[hit - 1] not in _SPACE or html[after : after + 1] not in _AFTER_NAME:
            continue  # inside an attribute's value, or part of a longer name
        head = html[opened + 1 : opened + 16]
        # As written (its end tag is found as written); a tag's name comes right after its "<".
        name = head.split(None, 1)[0] if head[:1].isalnum() else ""
        if not name.isalnum() or closed == -1:
            continue
        end = closed + 1
        if name.lower() not in _VOID and html[closed - 1] != "/":
            end = _end_tag(html, name, end)
            if end == -1:
                break  # the rest is left to Pagefind: looking again for an end tag would scan it again
        out.append(html[at:opened])
        at = scan = end
    out.append(html[at:])
    return "".join(out)


def _end_tag(html: str, name: str, at: int) -> int:
    """Where the element named ``name`` whose content starts at ``at`` ends (after its end tag); -1: never."""
    depth = 1
    next_open = _tag_at(html, "<" + name, at)
    while True:
        close = _tag_at(html, "</" + name, at)
        if close == -1:
            return -1
        while next_open != -1 and next_open < close:  # an element of the same name inside it
            depth += 1
            next_open = _tag_at(html, "<" + name, next_open + 1)
        depth -= 1
        at = html.find(">", close) + 1
        if at == 0:
            return -1
        if depth == 0:
            return at
        while next_open != -1 and next_open < at:
            next_open = _tag_at(html, "<" + name, next_open + 1)


def _tag_at(html: str, opening: str, at: int) -> int:
    """The next ``opening`` (``<name`` or ``</name``) from ``at`` that is the whole name, not a longer one's start."""
    while (found := html.find(opening, at)) != -1:
        if html[found + len(opening) : found + len(opening) + 1] in _AFTER_NAME:
            return found
        at = found + 1
    return -1


_EXCLUDED = "data-search-exclude"
_SPACE = " \t\n\r\f"
_AFTER_NAME = (*_SPACE, "=", ">", "/")
# Elements that have no end tag.
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def flag_documents(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(document path, document)`` of every flag entry of ``flags.json``'s content (see ``exports.flags_document``).

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
