"""The top of a post page: its title as the page's ``<h1>``, then date, categories and reading time."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Post
from .listing import SitePost, format_date
from .routes import PageNames, category_pages, category_uri, page_url, relative_url
from .text import esc

# Words a reader reads in a minute, for the reading time in the post header.
WORDS_PER_MINUTE = 200


def site_categories(posts: Iterable[SitePost]) -> PageNames:
    """The page of every category of the site: the same mapping the listing pages use."""
    return category_pages(c for item in posts for c in item.post.categories)


def reading_minutes(post: Post) -> int:
    """Minutes to read ``post`` at ``WORDS_PER_MINUTE``, code included (a reader reads it too); 1 at least."""
    words = sum(len(line.split()) for line in post.document.lines)
    return max(1, -(-words // WORDS_PER_MINUTE))


def render_post_header(item: SitePost, categories: PageNames, directory_urls: bool = True) -> str:
    """The top of a post page: its title as the page's ``<h1>``, then date, categories (links) and reading time.

    ``categories`` is the site's mapping (``site_categories``): a category whose
    slug collided has a suffixed page, and only the site-wide mapping knows it.
    """
    post = item.post
    date = f'<time datetime="{post.date.isoformat()}">{esc(format_date(post))}</time>' if post.date else "undated"
    parts = [date]
    links = [
        f'<a href="{esc(relative_url(item.url, page_url(category_uri(c, categories), directory_urls)))}">{esc(c)}</a>'
        for c in post.categories
    ]
    if links:
        parts.append('<span class="flagref-post-meta__categories">' + ", ".join(links) + "</span>")
    parts.append(f"{reading_minutes(post)} min read")
    return f'<h1>{esc(post.title)}</h1>\n<p class="flagref-post-meta" data-search-exclude>{" · ".join(parts)}</p>\n'
