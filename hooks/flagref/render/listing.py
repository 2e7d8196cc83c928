"""Listing pages: home (the newest posts), one page per category, archive by year.

Rendered here rather than by Material's blog plugin: the plugin wants a
front-matter ``date`` and list ``categories`` (the author writes neither),
reads posts from disk itself, and doubled the build time of a 300-post site.
Each page is Markdown (front matter written by a YAML writer, headings for the
table of contents and search) around raw HTML blocks. Nothing from a post is
Markdown or YAML syntax there: names reach a page through ``render.text``
(``esc``, ``md_text``, ``front_matter``), and each category has a page of its
own, never another's (``routes.category_pages``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Post
from .routes import (
    ARCHIVE_INDEX,
    CATEGORIES_INDEX,
    REFERENCE_INDEX,
    PageNames,
    SlugCollision,
    category_pages,
    page_url,
    relative_url,
)
from .text import esc, front_matter, md_text

# Posts on the home page; every post is in the archive (by year and month) and in its categories.
HOME_POSTS = 10
_MONTHS = ("January February March April May June July August September October November December").split()


@dataclass(frozen=True)
class SitePost:
    """A post and where the site publishes it."""

    src_uri: str
    url: str
    post: Post

    @property
    def sort_key(self) -> tuple:
        """Newest first, then by title and source path."""
        date = self.post.date
        return (-(date.toordinal() if date else 0), self.post.title.lower(), self.src_uri)


def generate_listing_pages(
    posts: Sequence[SitePost], directory_urls: bool = True
) -> tuple[dict[str, str], list[SlugCollision]]:
    """Markdown source of every listing page, keyed by its ``src_uri``; and the categories whose slug was taken.

    Each collision is a category page with a suffixed slug (``categories/c-2.md``
    for ``C++`` beside ``c``): worth an info line, not an error.
    """
    categories = category_pages(c for item in posts for c in item.post.categories)
    pages: dict[str, str] = {}
    pages.update(_home_pages(posts, directory_urls, categories))
    pages.update(_category_pages(posts, directory_urls, categories))
    pages.update(_archive_pages(posts, directory_urls, categories))
    return pages, list(categories.collisions)


def listing_page_names(posts: Sequence[SitePost]) -> tuple[list[str], list[SlugCollision]]:
    """The ``src_uri`` of every page ``generate_listing_pages`` makes, without making them; and the collisions.

    What a build needs to list the pages before their content is made (elsewhere).
    """
    categories = category_pages(c for item in posts for c in item.post.categories)
    names = ["index.md", *(categories.uri(name) for name in _by_category(posts)), CATEGORIES_INDEX]
    names += [f"archive/{_year_label(year)}.md" for year in _by_year(posts)] + [ARCHIVE_INDEX]
    return names, list(categories.collisions)


def render_listing_pages(posts: Sequence[SitePost], directory_urls: bool = True) -> dict[str, str]:
    """Markdown source of every listing page, keyed by its ``src_uri`` (``generate_listing_pages`` without collisions)."""
    return generate_listing_pages(posts, directory_urls)[0]


def format_date(post: Post) -> str:
    """The post's date as ``1 January 2024``, or ``undated``."""
    d = post.date
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}" if d else "undated"


def render_post_card(
    item: SitePost, from_url: str, directory_urls: bool, heading: str = "h2", categories: PageNames | None = None
) -> str:
    """A post's card in a listing: title, date, categories (``categories``: the build's pages) and excerpt."""
    post = item.post
    categories = categories or category_pages(post.categories)
    href = relative_url(from_url, item.url)
    cats = ", ".join(
        f'<a href="{esc(relative_url(from_url, page_url(categories.uri(c), directory_urls)))}">{esc(c)}</a>'
        for c in post.categories
    )
    date = f'<time datetime="{post.date.isoformat()}">{esc(format_date(post))}</time>' if post.date else "undated"
    meta = date + (f" · {cats}" if cats else "")
    excerpt = f'<p class="flagref-card__excerpt">{esc(post.excerpt)}</p>' if post.excerpt else ""
    return (
        f'<article class="flagref-card"><{heading} class="flagref-card__title"><a href="{esc(href)}">'
        f"{esc(post.title)}</a></{heading}>"
        f'<p class="flagref-card__meta">{meta}</p>{excerpt}</article>'
    )


def _page(title: str, body: str) -> str:
    return f"{front_matter(title)}\n{body}\n"


def _home_pages(posts: Sequence[SitePost], directory_urls: bool, categories: PageNames) -> dict[str, str]:
    """The home page: the newest posts, then the way to every other one (the archive, by year and month).

    One page, however many posts: pages of ten older posts each (99 at 1,000
    posts) listed nothing the archive does not, and each cost the build a full
    page.
    """
    url = page_url("index.md", directory_urls)
    newest = posts[:HOME_POSTS]
    cards = "\n".join(render_post_card(p, url, directory_urls, categories=categories) for p in newest)
    if not newest:
        cards = '<p class="flagref-empty">No posts yet.</p>'
    reference = esc(relative_url(url, page_url(REFERENCE_INDEX, directory_urls)))
    intro = (
        '<p class="flagref-intro">Posts about Kubernetes, newest first. Every flag in their manifests and '
        f'command lines is explained in the <a href="{reference}">flag reference</a>.</p>\n\n'
    )
    older = len(posts) - len(newest)
    more = ""
    if older:
        archive = esc(relative_url(url, page_url(ARCHIVE_INDEX, directory_urls)))
        more = (
            f'\n\n<nav class="flagref-pager"><a href="{archive}">{older} older post{"s" if older != 1 else ""} '
            "in the archive, by year and month →</a></nav>"
        )
    return {"index.md": _page("Home", f'{intro}<div class="flagref-cards">\n{cards}\n</div>{more}')}


def _by_category(posts: Sequence[SitePost]) -> dict[str, list[SitePost]]:
    """The posts of each category, categories A to Z."""
    by_category: dict[str, list[SitePost]] = defaultdict(list)
    for item in posts:
        for name in item.post.categories:
            by_category[name].append(item)
    return {name: by_category[name] for name in sorted(by_category, key=str.lower)}


def _category_pages(posts: Sequence[SitePost], directory_urls: bool, categories: PageNames) -> dict[str, str]:
    by_category = _by_category(posts)
    pages = {}
    index_url = page_url(CATEGORIES_INDEX, directory_urls)
    rows = []
    for name in by_category:
        uri = categories.uri(name)
        url = page_url(uri, directory_urls)
        cards = "\n".join(render_post_card(p, url, directory_urls, categories=categories) for p in by_category[name])
        count = len(by_category[name])
        pages[uri] = _page(
            name,
            f'<p class="flagref-count">{count} post{"s" if count != 1 else ""} in this category, newest first.</p>\n\n'
            f'<div class="flagref-cards">\n{cards}\n</div>',
        )
        rows.append(
            f'<li><a href="{esc(relative_url(index_url, url))}">{esc(name)}</a> <span class="flagref-count">({count})</span></li>'
        )
    body = (
        f'<ul class="flagref-categories">\n{"".join(rows)}\n</ul>'
        if rows
        else '<p class="flagref-empty">No categories yet.</p>'
    )
    pages[CATEGORIES_INDEX] = _page("Categories", body)
    return pages


def _by_year(posts: Sequence[SitePost]) -> dict[int | None, list[SitePost]]:
    """The posts of each year, newest year first, then the undated ones."""
    by_year: dict[int | None, list[SitePost]] = defaultdict(list)
    for item in posts:
        by_year[item.post.date.year if item.post.date else None].append(item)
    years = sorted((y for y in by_year if y is not None), reverse=True) + ([None] if None in by_year else [])
    return {year: by_year[year] for year in years}


def _year_label(year: int | None) -> str:
    return str(year) if year is not None else "undated"


def _archive_pages(posts: Sequence[SitePost], directory_urls: bool, categories: PageNames) -> dict[str, str]:
    by_year = _by_year(posts)
    pages = {}
    index_url = page_url(ARCHIVE_INDEX, directory_urls)
    rows = []
    for year in by_year:
        label = _year_label(year)
        uri = f"archive/{label}.md"
        url = page_url(uri, directory_urls)
        sections = []
        month = object()
        for item in by_year[year]:
            m = item.post.date.month if item.post.date else None
            if m != month:
                month = m
                sections.append(f"\n## {md_text(_MONTHS[m - 1] if m else 'Undated')}\n")
            sections.append(render_post_card(item, url, directory_urls, heading="h3", categories=categories) + "\n")
        pages[uri] = _page(f"Archive {label}", "\n".join(sections))
        n = len(by_year[year])
        rows.append(
            f'<li><a href="{esc(relative_url(index_url, url))}">{esc(label)}</a> <span class="flagref-count">({n} post{"s" if n != 1 else ""})</span></li>'
        )
    body = (
        f'<ul class="flagref-years">\n{"".join(rows)}\n</ul>' if rows else '<p class="flagref-empty">No posts yet.</p>'
    )
    pages[ARCHIVE_INDEX] = _page("Archive", body)
    return pages
