"""Where everything lives on the site: page URLs, flag entries and block anchors, in one place.

Every renderer links through these functions, so a page and the links to it
never disagree. URLs are relative to the site root; ``relative_url`` turns
them into links from a given page.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

REFERENCE_INDEX = "flags/index.md"
CATEGORIES_INDEX = "categories/index.md"
ARCHIVE_INDEX = "archive/index.md"

# Runs of characters other than ASCII letters and digits, for slugs.
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Runs of characters not allowed in an id / fragment we write.
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def slugify(text: str) -> str:
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")
    return slug or "x"


def attr_id(text: str) -> str:
    """An id/fragment from a flag name: ``listen-client-urls``."""
    return _NOT_ID.sub("-", text).strip("-") or "flag"


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives ``src_uri`` (``a/b.md`` -> ``a/b/``), relative to the site root."""
    stem, _ = posixpath.splitext(src_uri)
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
        return stem if directory_urls else stem + "index.html"
    if stem == "README" or stem.endswith("/README"):
        stem = stem[: -len("README")]
        return stem if directory_urls else stem + "index.html"
    return stem + "/" if directory_urls else stem + ".html"


def relative_url(from_url: str, to_url: str) -> str:
    """Link from the page at ``from_url`` to ``to_url`` (both site-root relative)."""
    to_path, _, fragment = to_url.partition("#")
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath("/" + (to_path or ""), "/" + base) if to_path or base else "."
    if to_path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    rel = quote(rel, safe="/.-_~")
    return rel + ("#" + fragment if fragment else "")


def component_uri(component: str) -> str:
    """The generated page of a component's flags."""
    return f"flags/{slugify(component)}.md"


def category_uri(name: str) -> str:
    return f"categories/{slugify(name)}.md"


def flag_anchor(name: str) -> str:
    """The fragment of a flag's entry on its component page."""
    return attr_id(name)


def flag_target(component: str | None, name: str) -> tuple[str, str]:
    """(page ``src_uri``, fragment) of the reference entry of ``component``'s flag ``name``.

    A flag no program could be given for (a mention in the text that names
    none) points to its row in the A–Z table of the reference index.
    """
    if component is None:
        return REFERENCE_INDEX, f"flag-{attr_id(name)}"
    return component_uri(component), flag_anchor(name)


def flag_url(from_url: str, component: str | None, name: str, directory_urls: bool) -> str:
    """Link from the page at ``from_url`` to the reference entry of a flag."""
    uri, fragment = flag_target(component, name)
    return relative_url(from_url, page_url(uri, directory_urls) + "#" + fragment)


def block_anchor(block: int) -> str:
    """The id placed before the n-th code block of a post."""
    return f"flagref-block-{block}"


def block_url(from_url: str, post_url: str, block: int | None) -> str:
    """Link to a post, at one of its code blocks when ``block`` is given."""
    return relative_url(from_url, post_url + (f"#{block_anchor(block)}" if block is not None else ""))
