"""The engine's memos: bounded, keyed by content and data, and never a different answer from a fresh read."""

from __future__ import annotations

import gc
import weakref

import pytest

from conftest import core_data, parse
from flagref.catalog import Catalog
from flagref.parse import memo as memo_module
from flagref.parse import parse_post
from flagref.parse.blocks import BlockReader
from flagref.parse.identity import Identifier
from flagref.parse.memo import Memo, memo_of
from flagref.parse.programs import Programs
from flagref.parse.shell import parse_script

pytestmark = pytest.mark.unit


def _fresh() -> tuple[Catalog, Programs]:
    """Copies of the packaged data: objects of their own, so their memos start empty."""
    catalog, programs = core_data()
    return (
        Catalog(catalog.components, catalog.fingerprint),
        Programs(programs.programs, programs.keywords, programs.builtins),
    )


def test_a_memo_forgets_its_oldest_entries_past_its_count():
    memo: Memo[int] = Memo(entries=2, budget=100, largest=100)
    for key in "abc":
        memo.put(key, ord(key), 1)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (None, ord("b"), ord("c"))


def test_a_memo_keeps_within_its_budget_and_skips_what_is_too_large():
    memo: Memo[str] = Memo(entries=100, budget=10, largest=6)
    memo.put("a", "A", 6)
    memo.put("b", "B", 6)  # 12 > 10: "a" goes
    memo.put("c", "C", 7)  # larger than anything kept
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (None, "B", None)
    assert memo.put("d", "D", 1) == "D" and len(memo) == 2


def test_memos_live_and_die_with_their_data():
    catalog, programs = _fresh()
    parse_script(["kubectl get po -n kube-system"], programs)
    text = "---\ntitle: t\n---\n```\n$ kubectl get po -n kube-system\n```\n"
    assert parse_post("posts/p.md", text, catalog=catalog, programs=programs).uses
    assert programs in memo_module._TABLES and catalog in memo_module._TABLES
    assert memo_of(catalog, "x") is memo_of(catalog, "x")
    # Nothing the memos keep holds on to the data they were read against.
    gone = [weakref.ref(catalog), weakref.ref(programs)]
    del catalog, programs
    gc.collect()
    assert [ref() for ref in gone] == [None, None]


def test_the_same_lines_give_the_same_script_and_other_data_reads_again():
    _, programs = _fresh()
    first = parse_script(["sudo kubeadm init --pod-network-cidr=10.0.0.0/8"], programs)
    again = parse_script(["sudo kubeadm init --pod-network-cidr=10.0.0.0/8"], programs)
    assert again is first
    _, other = _fresh()
    fresh = parse_script(["sudo kubeadm init --pod-network-cidr=10.0.0.0/8"], other)
    assert fresh is not first and fresh == first


def test_a_reading_of_words_is_placed_where_the_words_are():
    # The same command in two posts, at other lines: each use carries its own post's line.
    block = "```\n$ kubectl logs etcd-master -n kube-system --tail=5\n```\n"
    one = parse("posts/one.md", "---\ntitle: a\n---\n" + block)
    two = parse("posts/two.md", "---\ntitle: b\n---\n\nSome text.\n\n" + block)
    lines = {post.path: {(u.flag, u.line) for u in post.uses} for post in (one, two)}
    assert lines["posts/one.md"] == {("-n", 5), ("--tail", 5)}
    assert lines["posts/two.md"] == {("-n", 8), ("--tail", 8)}


def test_readings_of_words_equal_fresh_readings():
    catalog, programs = _fresh()
    reader = BlockReader(catalog, programs, Identifier(catalog))
    words = ["-xzvf", "etcd.tar.gz", "-C", "/tmp", "--strip-components=1"]
    kept = reader.read_words(words, "tar", None)
    assert reader.read_words(list(words), "tar", None) is kept
    fresh_catalog, fresh_programs = _fresh()
    fresh = BlockReader(fresh_catalog, fresh_programs, Identifier(fresh_catalog)).read_words(words, "tar", None)
    assert [(f.item, f.flag, f.value, f.spelling) for f in fresh.flags] == [
        (f.item, f.flag, f.value, f.spelling) for f in kept.flags
    ]
    assert [(f.flag, f.value) for f in kept.flags] == [
        ("-x", None),
        ("-z", None),
        ("-v", None),
        ("-f", "etcd.tar.gz"),
        ("-C", "/tmp"),
        ("--strip-components", "1"),
    ]
