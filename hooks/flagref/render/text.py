"""Small HTML and URL helpers shared by the renderers. Untrusted text goes through ``esc``."""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import quote

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def esc(text: object) -> str:
    """Escape text for HTML element content and quoted attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def md_text(text: object) -> str:
    """Text for a Markdown line (a heading, a link label): escaped for both."""
    return _MD_SPECIAL.sub(r"\\\1", esc(text))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "x"


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


def attr_id(text: str) -> str:
    """An id/fragment from a flag name: ``listen-client-urls``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "flag"
