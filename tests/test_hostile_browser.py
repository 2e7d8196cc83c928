"""Every kind of page a hostile post reaches, opened in Chromium: nothing the posts hold runs.

A site is built from posts whose names, values, titles, categories and front
matter carry markup meant to run (tests/render/test_hostile_pages.py and the
fixture injection post), and every page of it is opened: the post pages, the
home page and its later pages, the categories and each category, the archive,
the flag reference and each component's page, and the search results for the
hostile words. A script that ran would open a dialog or leave a mark on the page.
"""

# The fixtures of test_browser are imported, and taken by name as arguments (F811 says "redefined").
# ruff: noqa: F811
from __future__ import annotations

import shutil

import pytest
from render.test_hostile_pages import FRONT_MATTER_POST, POST
from test_browser import browser, open_reader, serve  # noqa: F401 - fixtures, used by name

from conftest import FIXTURE_DOCS, build_site

pytestmark = pytest.mark.browser

# Every payload of these posts either calls alert() or, for the attributes, sets this mark.
MARK = "window.__flagrefRan"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-browser")
    docs = root / "docs"
    (docs / "posts" / "site").mkdir(parents=True)
    shutil.copy(FIXTURE_DOCS / "posts" / "site" / "2020-02-05-script-injection.md", docs / "posts" / "site")
    (docs / "posts" / "2020-01-01-hostile.md").write_text(POST, encoding="utf-8")
    (docs / "posts" / "2020-01-02-mappings.md").write_text(FRONT_MATTER_POST, encoding="utf-8")
    return build_site(docs, root / "site", strict=False)


def _kinds(site) -> list[str]:
    """Every page of the site, site-relative (``posts/x/``), the search bundle's and theme's own left out."""
    urls = []
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        if rel.startswith(("assets", "pagefind", "search")):
            continue
        urls.append("" if rel == "." else rel + "/")
    return urls


def test_no_page_runs_what_the_posts_hold(hostile_site, open_reader):
    urls = _kinds(hostile_site.site)
    # Each kind is there: posts, home, categories (index and pages), archive, reference (index and components).
    for prefix in ("posts/", "categories/", "archive/", "flags/", "flags/kube-apiserver/"):
        assert any(u.startswith(prefix) for u in urls), prefix
    assert "" in urls
    reader = open_reader()
    page = reader.page
    page.add_init_script("window.alert = window.confirm = window.prompt = () => { window.__flagrefRan = true; };")
    with serve(hostile_site.site) as base:
        for url in urls:
            reader.open(base + url)
            page.wait_for_timeout(50)  # handlers of images that failed to load
            assert page.evaluate(MARK) is None, url
            assert page.locator("article img[src='x'], article script:not([src])").count() == 0, url
            if url == "posts/site/2020-02-05-script-injection/":  # the payloads are there, as text
                assert "--foo=<script>alert(1)</script>" in page.locator("article").inner_text()
        # The search results for the payloads' words show them as text.
        reader.open(base, idle=True)
        for query in ("alert", "onerror", "script"):
            page.keyboard.press("/")
            page.keyboard.press("Control+a")
            page.keyboard.type(query, delay=10)
            page.wait_for_timeout(400)
            assert page.evaluate(MARK) is None, query
            assert page.locator(".md-search-result img, .md-search-result script").count() == 0, query
    assert reader.dialogs == []
