"""Where everything lives on the site: page URLs, flag entries and block anchors, in one place.

Every renderer links through these functions, so a page and the links to it
never disagree. URLs are relative to the site root; ``relative_url`` turns
them into links from a given page.
"""

from __future__ import annotations

import functools
import posixpath
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from ..index import FlagIndex

REFERENCE_INDEX = "flags/index.md"
CATEGORIES_INDEX = "categories/index.md"
ARCHIVE_INDEX = "archive/index.md"

# Runs of characters other than ASCII letters and digits, for slugs.
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Runs of characters not allowed in an id / fragment we write.
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


# Slugs a generated page of a name may not take: its folder's own index (README is an index to MkDocs).
_RESERVED = ("index", "readme")


def slugify(text: str) -> str:
    """ASCII letters, digits and dashes: ``C++`` -> ``c``, ``Étcd`` -> ``tcd``; ``x`` when nothing is left.

    Many names share a slug: ``page_names`` makes them unique within a folder.
    """
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")
    return slug or "x"


@dataclass(frozen=True)
class SlugCollision:
    """A name whose page could not take its plain slug, because another name or page had it."""

    name: str
    uri: str  # where its page is
    wanted: str  # the page its plain slug gives
    taken_by: str  # the name (or the generated page) that has it

    def __str__(self) -> str:
        return f"the page of {self.name!r} is {self.uri}: {self.wanted} is the page of {self.taken_by!r}"


@dataclass(frozen=True)
class PageNames:
    """The generated page (``src_uri``) of each name of a folder: one page per name, never another's."""

    folder: str
    uris: Mapping[str, str]
    collisions: tuple[SlugCollision, ...] = ()

    def uri(self, name: str) -> str:
        """The page of ``name``; a name the folder did not list gets the page its slug alone gives."""
        found = self.uris.get(name)
        return found if found is not None else page_names(self.folder, [name]).uris[name]


def page_names(folder: str, names: Iterable[str]) -> PageNames:
    """A distinct ``folder/<slug>.md`` for each name, whatever the names.

    A name already written as its slug (``kube-apiserver``) keeps it; the
    others take the slug in name order, with ``-2``, ``-3``... when it is
    taken (``C++`` after ``c``, ``K8s`` after ``k8s``, every non-ASCII name),
    and no name takes the folder's ``index.md``. The same names always give
    the same pages. Each suffixed name is returned as a ``SlugCollision``.
    """
    owner: dict[str, str] = {slug: f"{folder}/{slug}.md" for slug in _RESERVED}
    next_suffix: dict[str, int] = {}
    uris: dict[str, str] = {}
    collisions: list[SlugCollision] = []
    for name in sorted(set(names), key=lambda n: (slugify(n) != n, n)):
        base = slugify(name)
        slug = base
        if slug in owner:
            k = next_suffix.get(base, 2)
            while f"{base}-{k}" in owner:
                k += 1
            next_suffix[base] = k + 1
            slug = f"{base}-{k}"
            collisions.append(SlugCollision(name, f"{folder}/{slug}.md", f"{folder}/{base}.md", owner[base]))
        owner[slug] = name
        uris[name] = f"{folder}/{slug}.md"
    return PageNames(folder, MappingProxyType(uris), tuple(collisions))


# One table per index: it lives as long as the index, so nothing outlasts a build.
_COMPONENT_PAGES: weakref.WeakKeyDictionary[FlagIndex, PageNames] = weakref.WeakKeyDictionary()


def component_pages(index: FlagIndex) -> PageNames:
    """The page of each component of ``index``: what every link to a component's flags goes through."""
    pages = _COMPONENT_PAGES.get(index)
    if pages is None:
        pages = _COMPONENT_PAGES[index] = page_names("flags", index.components())
    return pages


def category_pages(categories: Iterable[str]) -> PageNames:
    """The page of each category."""
    return page_names("categories", categories)


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
    rel = _relative_path(from_url, to_path)
    return rel + ("#" + fragment if fragment else "")


@functools.lru_cache(maxsize=1 << 16)
def _relative_path(from_url: str, to_path: str) -> str:
    """The path part of ``relative_url``, quoted.

    Cached without the fragment: a page links to the same posts and entries
    from many lines (each use links to its own line of a post), and a pure
    function of two strings carries nothing from one build to the next.
    """
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    rel = _relpath(to_path or "", base) if to_path or base else "."
    if to_path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return quote(rel, safe="/.-_~")


def _relpath(to_path: str, base: str) -> str:
    """``posixpath.relpath("/" + to_path, "/" + base)``, by the two paths' common folders.

    ``posixpath.relpath`` makes both absolute and normal first, a tenth of a
    millisecond a call: a post links to a dozen reference pages, a reference
    page to hundreds of posts, and each pair is new. The URLs MkDocs makes
    are normal already; one that is not (``.``, ``..``, an empty folder) is
    left to ``posixpath``.
    """
    to_parts = to_path.split("/")
    base_parts = base.split("/")[:-1]  # the folder: what follows its last "/" is a file name
    odd = ("", ".", "..")
    if any(p in odd for p in to_parts[:-1]) or any(p in odd for p in base_parts) or to_parts[-1] in odd[1:]:
        return posixpath.relpath("/" + to_path, "/" + base)
    if not to_parts[-1]:
        to_parts.pop()  # "a/b/": the folder b
    common = 0
    for mine, theirs in zip(to_parts, base_parts):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(base_parts) - common) + to_parts[common:]) or "."


def component_uri(component: str, pages: PageNames | None = None) -> str:
    """The generated page of a component's flags (``pages``: the build's, from ``component_pages``)."""
    return (pages or page_names("flags", [component])).uri(component)


def category_uri(name: str, pages: PageNames | None = None) -> str:
    """The generated page of a category (``pages``: the build's, from ``category_pages``)."""
    return (pages or page_names("categories", [name])).uri(name)


def flag_anchor(name: str) -> str:
    """The fragment of a flag's entry on its component page."""
    return attr_id(name)


def flag_target(component: str | None, name: str, pages: PageNames | None = None) -> tuple[str, str]:
    """(page ``src_uri``, fragment) of the reference entry of ``component``'s flag ``name``.

    A flag no program could be given for (a mention in the text that names
    none) points to its row in the A–Z table of the reference index.
    """
    if component is None:
        return REFERENCE_INDEX, f"flag-{attr_id(name)}"
    return component_uri(component, pages), flag_anchor(name)


def flag_url(
    from_url: str, component: str | None, name: str, directory_urls: bool, pages: PageNames | None = None
) -> str:
    """Link from the page at ``from_url`` to the reference entry of a flag (``pages``: see ``component_uri``)."""
    uri, fragment = flag_target(component, name, pages)
    return relative_url(from_url, page_url(uri, directory_urls) + "#" + fragment)


def block_anchor(block: int) -> str:
    """The id placed before the n-th code block of a post."""
    return f"flagref-block-{block}"


def block_url(from_url: str, post_url: str, block: int | None) -> str:
    """Link to a post, at one of its code blocks when ``block`` is given."""
    return relative_url(from_url, post_url + (f"#{block_anchor(block)}" if block is not None else ""))
