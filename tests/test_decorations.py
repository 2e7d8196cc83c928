"""Posts decorated in a second process make the same site as posts decorated in the build's own."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import markdown
import pytest

import flagref.decorations
from conftest import build_site, generated_docs, search_fragments, serving
from flagref.decorations import DecorationPool
from flagref.render.header import render_post_header
from flagref.render.search import RECORDS_FOLDER
from flagref.render.text import narrow
from flagref.site import SiteBuild, SourceFile

pytestmark = pytest.mark.slow


def _pages(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "posts").rglob("index.html")}


def _generated(site):
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("index.html")
        if p.relative_to(site).parts[0] in ("index.html", "flags", "categories", "archive")
    }


def test_the_worker_makes_the_same_pages_and_search_records(tmp_path, monkeypatch):
    count = flagref.decorations.MIN_POSTS + 10
    docs = generated_docs(tmp_path, count, seed=3)
    started = []
    real = flagref.decorations.DecorationPool.__init__

    def spy(self, *args, **kwargs):
        started.append(True)
        real(self, *args, **kwargs)

    monkeypatch.setattr(flagref.decorations.DecorationPool, "__init__", spy)
    taken = []
    real_page = flagref.decorations.DecorationPool.page

    def spy_page(self, src_uri):
        markdown = real_page(self, src_uri)
        taken.append((src_uri, markdown is not None))
        return markdown

    monkeypatch.setattr(flagref.decorations.DecorationPool, "page", spy_page)
    ahead = []
    real_markdown = flagref.decorations.DecorationPool.markdown

    def spy_markdown(self, src_uri):
        made = real_markdown(self, src_uri)
        ahead.append(made is not None)
        return made

    monkeypatch.setattr(flagref.decorations.DecorationPool, "markdown", spy_markdown)
    beside = build_site(docs, tmp_path / "beside", strict=False)
    assert started == [True]
    assert len(taken) > 10 and all(made for _, made in taken)  # every generated page came from the worker
    assert len(ahead) == count and all(ahead)  # every post's Markdown and header too, made ahead
    monkeypatch.setattr(flagref.decorations, "MIN_POSTS", 10**9)
    here = build_site(docs, tmp_path / "here", strict=False)
    assert started == [True]  # the second build decorated in its own process

    a, b = _pages(beside.site), _pages(here.site)
    assert a.keys() == b.keys() and len(a) == count
    assert [k for k in a if a[k] != b[k]] == []
    # The generated pages (home, categories, archive, the reference) were made by the worker, the same.
    made, alone = _generated(beside.site), _generated(here.site)
    assert made.keys() == alone.keys() and {"index.html", "flags/index.html", "archive/index.html"} <= made.keys()
    assert [k for k in made if made[k] != alone[k]] == []
    assert b'class="abstract flagref-table"' in next(iter(a.values()))
    # Every post was staged for search by the worker, as the build stages it itself.
    records = sorted((r["url"], r["content"]) for r in search_fragments(beside.site))
    assert records == sorted((r["url"], r["content"]) for r in search_fragments(here.site))
    assert sum(1 for url, _ in records if url.startswith("/posts/")) == len(a)
    assert sum(1 for url, _ in records if RECORDS_FOLDER in url) > 0  # the flag records, staged by the worker too
    assert beside.warnings == here.warnings
    # The exports the worker wrote are those the build writes itself.
    for name in ("flags.json", "objects.inv"):
        assert (beside.site / name).read_bytes() == (here.site / name).read_bytes(), name


def test_a_serve_rebuild_restages_kept_posts_in_the_worker(tmp_path, monkeypatch):
    """Under serve the worker, forked with the kept decorations, stages unchanged posts without being sent them."""
    count = flagref.decorations.MIN_POSTS + 10
    docs = generated_docs(tmp_path, count, seed=5)
    first = build_site(docs, tmp_path / "first", strict=False)
    sent: list[int] = []
    real = flagref.decorations.DecorationPool._flush

    def spy(self):
        sent.append(sum(1 for job in self._pending if job[1] is not None))  # posts whose HTML is sent
        real(self)

    with serving() as hooks:
        build_site(docs, tmp_path / "serve-1", strict=False)  # decorates and keeps every post
        monkeypatch.setattr(flagref.decorations.DecorationPool, "_flush", spy)
        again = build_site(docs, tmp_path / "serve-2", strict=False)
        if hooks._indexing is not None:  # serve writes the index beside
            assert hooks._indexing.closed.wait(120)
    assert sent and sum(sent) == 0, "kept posts were sent to the worker again"
    assert _pages(again.site) == _pages(first.site)
    records = sorted((r["url"], r["content"]) for r in search_fragments(again.site))
    assert records == sorted((r["url"], r["content"]) for r in search_fragments(first.site))


def _generated_build(tmp_path, count: int, seed: int) -> SiteBuild:
    docs = generated_docs(tmp_path, count, seed=seed)
    paths = sorted(docs.rglob("*.md"))
    return SiteBuild([SourceFile(p.relative_to(docs).as_posix(), str(p), p.read_text()) for p in paths])


def test_a_decorated_post_comes_back_through_one_file_removed_with_the_worker(tmp_path):
    """The build's process holds no decorated post before the theme asks for it, and leaves no file behind.

    The worker appends every post to one file (a file each cost more than the decoration on this disk).
    """
    build = _generated_build(tmp_path, 4, seed=11)
    extensions = ["pymdownx.superfences", "md_in_html", "attr_list", "admonition", "tables"]
    rendered = {
        i.src_uri: markdown.markdown(build.post_markdown(i.src_uri), extensions=extensions) for i in build.posts
    }
    pool = DecorationPool(build, search=None)
    try:
        for src_uri, html in rendered.items():
            pool.submit(src_uri, html, f"<header>{src_uri}</header>", None)
        pool.drain()
        folder = pool._folder
        assert [p.name for p in folder.iterdir()] == ["posts"]  # written by the worker, not sent back
        expected = {u: f"<header>{u}</header>" + narrow(build.decorate(u, html)) for u, html in rendered.items()}
        assert (folder / "posts").stat().st_size == sum(len(p.encode()) for p in expected.values())
        first, *rest = rendered
        page = pool.result(first)
        assert page == expected[first]
        assert 'class="flagref-flag"' in page and page != f"<header>{first}</header>" + rendered[first]  # decorated
        assert pool.result(first) is None  # taken once
        assert [pool.result(u) for u in reversed(rest)] == [expected[u] for u in reversed(rest)]  # any order
    finally:
        pool.close()
    assert not folder.exists()  # the posts not taken (a build that failed) go with the worker


def test_the_posts_markdown_and_headers_are_made_ahead_in_the_order_asked(tmp_path, monkeypatch):
    build = _generated_build(tmp_path, 40, seed=13)
    order = [i.src_uri for i in reversed(build.posts)]
    monkeypatch.setattr(flagref.decorations, "AHEAD_FIRST", 3)
    monkeypatch.setattr(flagref.decorations, "AHEAD_BATCH", 16)
    pool = DecorationPool(build, search=None)
    try:
        pool.ahead(order[:-1])
        futures = list(dict.fromkeys(pool._ahead.values()))
        asked = len(order) - 1
        assert asked > 3 + 16
        sizes = [3, *[16] * ((asked - 3) // 16), *([(asked - 3) % 16] if (asked - 3) % 16 else [])]
        assert [len([u for u, f in pool._ahead.items() if f is future]) for future in futures] == sizes
        for src_uri in order[:-1]:
            expected = (
                build.post_markdown(src_uri),
                narrow(render_post_header(build.by_src[src_uri], build.categories)),
            )
            assert pool.markdown(src_uri) == expected
            assert pool.markdown(src_uri) is None  # taken once
        assert pool.markdown(order[-1]) is None  # not asked for: the build makes it
    finally:
        pool.close()


def test_a_post_the_worker_failed_to_make_ahead_is_made_by_the_build(tmp_path, monkeypatch):
    build = _generated_build(tmp_path, 3, seed=17)
    pool = DecorationPool(build, search=None)

    def broken(src_uris):
        raise RuntimeError("the worker failed")

    monkeypatch.setattr(flagref.decorations, "_ahead", broken)  # the worker is forked with it (at the first task)
    try:
        pool.ahead([i.src_uri for i in build.posts])
        assert [pool.markdown(i.src_uri) for i in build.posts] == [None, None, None]
    finally:
        pool.close()


def test_a_post_decorated_beside_is_let_go_once_its_page_is_written(tmp_path):
    """MkDocs holds every page's content until the site is written: the adapter lets a decorated post go."""
    hooks = sys.modules["hooks/flagref_mkdocs.py"]
    post = SimpleNamespace(file=SimpleNamespace(src_uri="posts/2020-01-01-x.md"), content="<p>decorated</p>")
    other = SimpleNamespace(file=SimpleNamespace(src_uri="flags/etcd.md"), content="<p>entry</p>")
    pool = DecorationPool(_generated_build(tmp_path, 1, seed=2), search=None)
    saved, hooks._pool = hooks._pool, pool
    try:
        assert hooks.on_post_page("<html>", page=post) == "<html>"
        assert hooks.on_post_page("<html>", page=other) == "<html>"
    finally:
        hooks._pool = saved
        pool.close()
    assert post.content is None
    assert other.content == "<p>entry</p>"  # not a post: left as MkDocs holds it


def test_a_page_the_author_wrote_is_kept_over_the_generated_page_of_its_name(tmp_path):
    docs = generated_docs(tmp_path, flagref.decorations.MIN_POSTS + 10, seed=5)  # a worker makes the generated pages
    (docs / "index.md").write_text("# Welcome\n\nThe author's own home page.\n", encoding="utf-8")
    result = build_site(docs, tmp_path / "out", strict=False)
    home = (result.site / "index.html").read_text(encoding="utf-8")
    assert "The author&#39;s own home page." in home or "The author's own home page." in home
    assert "flagref-cards" not in home
    # The other generated pages are made as usual.
    years = [p for p in (result.site / "archive").glob("*/index.html")]
    assert years and all("flagref-card" in p.read_text(encoding="utf-8") for p in years)
