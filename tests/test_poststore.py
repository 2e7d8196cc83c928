"""The post store: posts read by an earlier run are taken back from disk, never a stale one."""

from __future__ import annotations

import logging
import pickle
import sys
import time
from pathlib import Path

import pytest
from test_prereading import _files, _same_posts
from test_prereading import _sources as _read

import flagref.poststore
import flagref.site
from conftest import build_site, generated_docs
from flagref.catalog import load_catalog
from flagref.checks.rules import load_rules
from flagref.poststore import PostStore
from flagref.site import PostCache, SiteBuild, SourceFile, site_fingerprint

pytestmark = pytest.mark.unit

COUNT = 24


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_docs(tmp_path_factory.mktemp("poststore"), COUNT, seed=29)


def _sources(docs: Path) -> list[SourceFile]:
    return _read(_files(docs))


def _store(docs: Path, cache: Path, fingerprint: str | None = None) -> PostStore:
    catalog = load_catalog()
    return PostStore.for_site(docs, fingerprint or site_fingerprint(None, catalog), catalog, load_rules(), cache)


def _reading(monkeypatch) -> list[str]:
    """The display paths of the posts read from now on (``_read_post``), in order."""
    read: list[str] = []
    real = flagref.site._read_post

    def spy(source, *args):
        read.append(source.display_path)
        return real(source, *args)

    monkeypatch.setattr(flagref.site, "_read_post", spy)
    return read


def _no_reading(monkeypatch) -> None:
    def refuse(source, *args):
        pytest.fail(f"{source.display_path} was read, not taken from the store")

    monkeypatch.setattr(flagref.site, "_read_post", refuse)


def test_a_second_run_takes_every_post_and_its_checks_from_the_store(corpus, tmp_path, monkeypatch):
    sources = _sources(corpus)
    first = SiteBuild(sources, cache=PostCache(), store=_store(corpus, tmp_path))
    assert (first.read, first.stored) == (COUNT, 0)
    assert first.keep_posts(_store(corpus, tmp_path))
    assert not first.keep_posts(_store(corpus, tmp_path)), "a pack holding every post is not written again"
    _no_reading(monkeypatch)
    second = SiteBuild(sources, cache=PostCache(), store=_store(corpus, tmp_path))  # a new run: nothing in memory
    assert (second.read, second.stored) == (0, COUNT)
    _same_posts(second, first)  # every field, the checks, and the very catalog entries and rules
    assert second.violations == first.violations
    assert [e.key for e in second.index.entries.values()] == [e.key for e in first.index.entries.values()]


def test_an_edited_post_is_read_again_and_the_pack_holds_the_build_s_posts(corpus, tmp_path, monkeypatch):
    sources = _sources(corpus)
    SiteBuild(sources, cache=PostCache()).keep_posts(_store(corpus, tmp_path))
    edited = sources[3]
    sources[3] = SourceFile(edited.src_uri, edited.display_path, edited.text.replace("--", "--x-", 1))
    dropped = sources.pop(0)  # a post removed from the site
    read = _reading(monkeypatch)
    build = SiteBuild(sources, cache=PostCache(), store=_store(corpus, tmp_path))
    assert read == [edited.display_path] and (build.read, build.stored) == (1, COUNT - 2)
    assert build.by_src[edited.src_uri].post == SiteBuild([sources[2]], cache=PostCache()).posts[0].post
    assert build.keep_posts(_store(corpus, tmp_path))
    kept = _store(corpus, tmp_path).keys()
    assert kept == set(build._keys.values())
    assert all(key[0] != dropped.display_path for key in kept)
    read.clear()
    again = SiteBuild(sources, cache=PostCache(), store=_store(corpus, tmp_path))
    assert read == [] and again.stored == COUNT - 1


def test_a_store_made_for_other_data_is_not_used(corpus, tmp_path):
    sources = _sources(corpus)
    SiteBuild(sources, cache=PostCache()).keep_posts(_store(corpus, tmp_path))
    # Another snippets folder, catalog or engine data: another fingerprint, another pack.
    other = _store(corpus, tmp_path, fingerprint="something else")
    assert other.path != _store(corpus, tmp_path).path and other.keys() == frozenset()
    # A store made with other catalog objects than the build's (a catalog edited in between).
    store = _store(corpus, tmp_path)
    store.catalog = object()
    build = SiteBuild(sources, cache=PostCache(), store=store)
    assert (build.read, build.stored) == (COUNT, 0)
    assert not build.keep_posts(store)


def test_a_damaged_pack_or_entry_is_read_past(corpus, tmp_path, monkeypatch):
    sources = _sources(corpus)
    SiteBuild(sources, cache=PostCache()).keep_posts(_store(corpus, tmp_path))
    store = _store(corpus, tmp_path)
    (at, size), damaged = min((place, key) for key, place in store._read_index().items())
    data = bytearray(store.path.read_bytes())
    data[at : at + size] = b"\x80\x05not a pickle".ljust(size, b"\0")
    store.path.write_bytes(bytes(data))
    read = _reading(monkeypatch)
    build = SiteBuild(sources, cache=PostCache(), store=_store(corpus, tmp_path))
    assert read == [damaged[0]] and (build.read, build.stored) == (1, COUNT - 1)
    assert build.keep_posts(_store(corpus, tmp_path)) is False  # every key is in the pack: not rewritten
    store.path.write_bytes(bytes(data[: len(data) // 2]))  # cut short: no index at its end
    assert _store(corpus, tmp_path).keys() == frozenset()
    build = SiteBuild(sources, cache=PostCache(), store=_store(corpus, tmp_path))
    assert (build.read, build.stored) == (COUNT, 0)
    assert build.keep_posts(_store(corpus, tmp_path))
    assert _store(corpus, tmp_path).keys() == set(build._keys.values())


def test_an_entry_found_under_another_key_is_not_taken(corpus, tmp_path):
    """A pack replaced by another run after its index was read: an offset may then lead to another post."""
    sources = _sources(corpus)
    build = SiteBuild(sources, cache=PostCache())
    build.keep_posts(_store(corpus, tmp_path))
    store = _store(corpus, tmp_path)
    index = store._read_index()
    first, second, *_ = sorted(index)
    data = store.path.read_bytes()
    end = flagref.poststore.TRAILER.unpack(data[-flagref.poststore.TRAILER.size :])[0]
    swapped = {**index, first: index[second], second: index[first]}
    store.path.write_bytes(
        data[:end] + pickle.dumps(swapped) + flagref.poststore.TRAILER.pack(end, flagref.poststore.MARK)
    )
    got = _store(corpus, tmp_path).take(index)
    assert first not in got and second not in got
    assert len(got) == COUNT - 2
    assert all(post.path == key[0] for key, (post, _, _) in got.items())


def test_only_the_newest_packs_are_kept(corpus, tmp_path):
    build = SiteBuild(_sources(corpus)[:2], cache=PostCache())
    paths = []
    for n in range(flagref.poststore.KEPT + 3):  # other snippets or catalogs: a pack each
        store = _store(corpus, tmp_path, fingerprint=f"context {n}")
        assert build.keep_posts(store)
        paths.append(store.path)
        time.sleep(0.02)  # apart by more than the file system's clock tick
    assert [p.exists() for p in paths] == [False] * 3 + [True] * flagref.poststore.KEPT


def test_a_pack_that_cannot_be_written_costs_nothing_but_time(corpus, tmp_path):
    sources = _sources(corpus)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    store = _store(corpus, blocked)  # its folder cannot be made
    build = SiteBuild(sources, cache=PostCache(), store=store)
    assert build.keep_posts(store) is False
    assert build.read == COUNT and blocked.read_text() == "not a folder"


@pytest.mark.slow
def test_a_site_built_again_from_the_store_is_the_same(tmp_path, monkeypatch, caplog):
    """Two runs of ``mkdocs build`` on 80 posts (the reading child and the decoration worker on)."""
    docs = generated_docs(tmp_path, 80, seed=31)
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "cache"))
    if "hooks/flagref_mkdocs.py" in sys.modules:  # nothing in memory from an earlier test's build
        monkeypatch.setattr(sys.modules["hooks/flagref_mkdocs.py"], "_cache", PostCache())
    first = build_site(docs, tmp_path / "first", strict=False)
    hooks = sys.modules["hooks/flagref_mkdocs.py"]
    packs = list((tmp_path / "cache" / flagref.poststore.FOLDER).glob("*.pack"))
    assert len(packs) == 1, "the first build wrote the store"
    written = packs[0].stat().st_mtime_ns
    time.sleep(0.01)
    monkeypatch.setattr(hooks, "_cache", PostCache())  # nothing in memory, as in a new process
    _no_reading(monkeypatch)
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        second = build_site(docs, tmp_path / "second", strict=False)
    assert "read 0 of 80 posts; the others are unchanged since an earlier run read them" in second.infos
    assert packs[0].stat().st_mtime_ns == written, "a pack holding every post is not written again"
    assert second.warnings == first.warnings
    pages = sorted(p.relative_to(first.site) for p in first.site.rglob("*") if p.is_file())
    assert pages == sorted(p.relative_to(second.site) for p in second.site.rglob("*") if p.is_file())
    assert [p for p in pages if (first.site / p).read_bytes() != (second.site / p).read_bytes()] == []
