"""Posts read in a second process while MkDocs starts up are the posts the build reads itself."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import flagref.prereading
import flagref.records
from conftest import build_site, generated_docs
from flagref.catalog import load_catalog
from flagref.checks.claims import CLAIM_RULES
from flagref.checks.rules import load_rules
from flagref.model import Post
from flagref.parse.programs import load_programs
from flagref.prereading import PostFile, Prereader
from flagref.site import PostCache, SiteBuild, SourceFile, post_paths, site_fingerprint

COUNT = flagref.prereading.MIN_POSTS + 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_docs(tmp_path_factory.mktemp("prereading"), COUNT, seed=17)


def _files(docs: Path) -> list[PostFile]:
    paths = post_paths(docs)
    return [PostFile(p.relative_to(docs).as_posix(), p.relative_to(docs.parent).as_posix(), p) for p in paths]


def _sources(files: list[PostFile]) -> list[SourceFile]:
    return [SourceFile(f.src_uri, f.display_path, f.path.read_text(encoding="utf-8")) for f in files]


def _start(files: list[PostFile], cached: frozenset = frozenset()) -> Prereader:
    catalog = load_catalog()
    return Prereader(
        files,
        snippets=None,
        catalog=catalog,
        programs=load_programs(),
        rules=load_rules(),
        fingerprint=site_fingerprint(None, catalog),
        cached=cached,
    )


def _wait_claimed(prereader: Prereader, count: int) -> None:
    """Let the child start first (a fork of the test process may take a moment), bounded."""
    deadline = time.monotonic() + 20
    while prereader.claimed < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert prereader.claimed >= count, "the child claimed no post in 20 s"


def _same_posts(built: SiteBuild, alone: SiteBuild) -> None:
    assert [item.src_uri for item in built.posts] == [item.src_uri for item in alone.posts]
    catalog = {id(spec) for spec in built.catalog.flags()}
    for a, b in zip(built.posts, alone.posts, strict=True):
        assert a.post == b.post, a.src_uri
        for use, here in zip(a.post.uses, b.post.uses, strict=True):
            # The one catalog entry resolved when the flag was read: the same object, not a copy of it.
            if id(here.spec) in catalog:
                assert use.spec is here.spec, (a.src_uri, use.flag)
            else:
                assert use.spec == here.spec
    assert built.diagnostics == alone.diagnostics
    rules = {id(rule) for rule in (*built.rules, *CLAIM_RULES)}
    for item, here in zip(built.posts, alone.posts, strict=True):
        relations = built.relations[item.src_uri]
        assert relations == alone.relations[item.src_uri], item.src_uri

        def places(post, relations):  # where each relation's uses are among the post's uses (by identity)
            at = {id(use): i for i, use in enumerate(post.uses)}
            return [(at.get(id(r.a)), at.get(id(r.b))) for r in relations]

        # Checked beside, they are about this very post's uses, by the build's rules.
        assert places(item.post, relations) == places(here.post, alone.relations[item.src_uri])
        assert all(id(relation.rule) in rules for relation in relations)


def test_posts_read_beside_are_the_posts_read_here(corpus):
    files = _files(corpus)
    sources = _sources(files)
    alone = SiteBuild(sources, cache=PostCache())
    prereader = _start(files)
    _wait_claimed(prereader, 1)
    built = SiteBuild(sources, cache=PostCache(), prereader=prereader)
    assert prereader.received > 0, "the child sent no post"
    assert built.read == len(sources)
    _same_posts(built, alone)
    assert not prereader._process.is_alive()


def test_posts_the_build_reads_are_checked_before_it_meets_the_child(corpus):
    """The build checks each post it reads at once: checked after the meeting, one core would idle meanwhile."""
    files = _files(corpus)
    sources = _sources(files)
    prereader = _start(files)
    cache = PostCache()
    seen: dict[str, set] = {}
    real = prereader.read

    def spy(pending, read):
        got = real(pending, read)
        seen["checked"] = set(cache.checks)
        seen["built"] = {key for key in got if key not in prereader.checked}  # read here, not received
        return got

    prereader.read = spy
    SiteBuild(sources, cache=cache, prereader=prereader)
    assert seen["built"], "the build read no post itself"
    assert seen["built"] <= seen["checked"]


def test_a_post_changed_after_the_child_read_it_is_read_again(corpus):
    files = _files(corpus)
    sources = _sources(files)
    prereader = _start(files)
    _wait_claimed(prereader, 3)  # the child read the first post from disk, before this change
    first = sources[0]
    changed = first.text.replace("title:", "title: Changed", 1)
    assert changed != first.text
    sources[0] = SourceFile(first.src_uri, first.display_path, changed)
    built = SiteBuild(sources, cache=PostCache(), prereader=prereader)
    assert prereader.received > 0
    assert built.by_src[first.src_uri].post.title.startswith("Changed")
    _same_posts(built, SiteBuild(sources, cache=PostCache()))


def test_a_child_that_fails_costs_the_build_nothing(corpus, monkeypatch, capfd):
    def broken(source, fingerprint):
        raise RuntimeError("a bug in the child")

    monkeypatch.setattr(flagref.prereading, "post_key", broken)  # the forked child inherits it
    files = _files(corpus)
    sources = _sources(files)
    prereader = _start(files)
    built = SiteBuild(sources, cache=PostCache(), prereader=prereader)
    assert prereader.received == 0
    monkeypatch.undo()
    _same_posts(built, SiteBuild(sources, cache=PostCache()))
    assert "a bug in the child" in capfd.readouterr().err  # its traceback is shown, for a report


def test_posts_in_the_cache_are_not_read_beside(corpus):
    files = _files(corpus)
    sources = _sources(files)
    cache = PostCache()
    SiteBuild(sources, cache=cache)
    prereader = _start(files, cached=frozenset(cache.entries))
    _wait_claimed(prereader, len(files))
    got = prereader.read([], lambda source: pytest.fail("nothing was to be read"))
    assert got == {} and prereader.received == 0


def test_a_child_left_running_is_stopped(corpus):
    prereader = _start(_files(corpus))
    _wait_claimed(prereader, 1)
    pid = prereader._process.pid
    prereader.close()  # a build that failed before on_files: the next build's on_config does this
    assert not prereader._process.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.slow
def test_a_site_built_with_posts_read_beside_is_the_same(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(flagref.prereading, "MIN_POSTS", 10**9)
    alone = build_site(corpus, tmp_path / "alone", strict=False)
    monkeypatch.undo()
    hooks = sys.modules["hooks/flagref_mkdocs.py"]
    monkeypatch.setattr(hooks, "_cache", PostCache())  # every post read again, as in a new process
    received = []
    real = Prereader.read

    def read(self, pending, read_here):
        _wait_claimed(self, 1)
        got = real(self, pending, read_here)
        received.append(self.received)
        return got

    monkeypatch.setattr(Prereader, "read", read)
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "cache"))  # else the posts come from the post store
    beside = build_site(corpus, tmp_path / "beside", strict=False)
    assert len(received) == 1 and received[0] > 0
    assert hooks._prereader is None
    pages = sorted(p.relative_to(alone.site) for p in alone.site.rglob("*.html"))
    assert pages == sorted(p.relative_to(beside.site) for p in beside.site.rglob("*.html"))
    different = [p for p in pages if (alone.site / p).read_bytes() != (beside.site / p).read_bytes()]
    assert different == []
    assert beside.warnings == alone.warnings
    assert (alone.site / "flags.json").read_bytes() == (beside.site / "flags.json").read_bytes()


def test_a_batch_that_cannot_be_pickled_is_read_by_the_build(corpus, monkeypatch):
    """Say a post's front matter nests deeper than pickle goes: its batch is not sent, and the build reads it."""
    files = _files(corpus)
    sources = _sources(files)
    refused = files[1].display_path
    real = flagref.records.dispatch_table

    def table():
        def reduce(post):
            if post.path == refused:
                raise RecursionError("maximum recursion depth exceeded while pickling an object")
            return post.__reduce_ex__(5)

        return {**real(), Post: reduce}

    monkeypatch.setattr(flagref.records, "dispatch_table", table)  # the forked child inherits it
    prereader = _start(files)
    _wait_claimed(prereader, flagref.prereading.BATCH + 1)  # the refused post's batch was read beside
    built = SiteBuild(sources, cache=PostCache(), prereader=prereader)
    assert prereader.received > 0  # the other batches came
    assert built._keys[files[1].src_uri] not in prereader.checked  # the refused one did not
    monkeypatch.undo()
    _same_posts(built, SiteBuild(sources, cache=PostCache()))
