"""Posts decorated in a second process make the same site as posts decorated in the build's own."""

from __future__ import annotations

import sys
import time

import pytest

import flagref.decorations
from conftest import ROOT, build_site, search_fragments, serving
from flagref.render.search import RECORDS_FOLDER

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402 - the benchmarks' corpus generator, a plain script folder

pytestmark = pytest.mark.slow


def _pages(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "posts").rglob("index.html")}


def test_the_worker_makes_the_same_pages_and_search_records(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    count = flagref.decorations.MIN_POSTS + 10
    generate(count, docs, seed=3)
    started = []
    real = flagref.decorations.DecorationPool.__init__

    def spy(self, *args, **kwargs):
        started.append(True)
        real(self, *args, **kwargs)

    monkeypatch.setattr(flagref.decorations.DecorationPool, "__init__", spy)
    beside = build_site(docs, tmp_path / "beside", strict=False)
    assert started == [True]
    monkeypatch.setattr(flagref.decorations, "MIN_POSTS", 10**9)
    here = build_site(docs, tmp_path / "here", strict=False)
    assert started == [True]  # the second build decorated in its own process

    a, b = _pages(beside.site), _pages(here.site)
    assert a.keys() == b.keys() and len(a) == count
    assert [k for k in a if a[k] != b[k]] == []
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
    docs = tmp_path / "docs"
    count = flagref.decorations.MIN_POSTS + 10
    generate(count, docs, seed=5)
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
        while hooks._indexing is not None and hooks._indexing.stage.exists():  # serve indexes beside
            time.sleep(0.1)
    assert sent and sum(sent) == 0, "kept posts were sent to the worker again"
    assert _pages(again.site) == _pages(first.site)
    records = sorted((r["url"], r["content"]) for r in search_fragments(again.site))
    assert records == sorted((r["url"], r["content"]) for r in search_fragments(first.site))
