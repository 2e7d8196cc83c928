"""The site-wide flag index: uses grouped by (component, canonical name), read-only once built."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import core_data, parse
from flagref.index import FlagIndex
from flagref.model import Post

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Item:
    src_uri: str
    url: str
    post: Post


POST_A = """---
title: A
---
```
$ kubectl get po -n kube-system
$ kubectl logs etcd-master --namespace=kube-system
$ etcd --data-dir=/var/lib/etcd --not-in-the-catalog=1
```
Mentions --totally-unknown-flag-x in the text.
"""
POST_B = "```\n$ etcd --data-dir=/srv/etcd\n```\n"


@pytest.fixture(scope="module")
def index() -> FlagIndex:
    items = [
        Item("posts/2020-01-01-a.md", "posts/2020-01-01-a/", parse("posts/2020-01-01-a.md", POST_A)),
        Item("posts/2020-01-02-b.md", "posts/2020-01-02-b/", parse("posts/2020-01-02-b.md", POST_B)),
    ]
    return FlagIndex(core_data()[0], items)


def test_spellings_of_one_flag_share_its_entry(index):
    entry = index.get("kubectl", "namespace")
    assert entry is not None and entry.flag == "--namespace"
    assert sorted((item.src_uri, use.line, use.flag) for item, use in entry.uses) == [
        ("posts/2020-01-01-a.md", 5, "-n"),
        ("posts/2020-01-01-a.md", 6, "--namespace"),
    ]


def test_an_entry_gathers_every_post(index):
    entry = index.get("etcd", "data-dir")
    assert [(item.src_uri, use.value) for item, use in entry.uses] == [
        ("posts/2020-01-01-a.md", "/var/lib/etcd"),
        ("posts/2020-01-02-b.md", "/srv/etcd"),
    ]
    assert entry.meaning and entry.tooltip == f"etcd --data-dir: {entry.meaning}"
    assert index.entry(entry.uses[0][1]) is entry


def test_flags_the_catalog_lacks_still_have_entries(index):
    unknown = index.get("etcd", "not-in-the-catalog")
    assert unknown is not None and unknown.spec is None and unknown.meaning is None
    assert unknown.tooltip == "etcd --not-in-the-catalog: no description yet"
    loose = index.get(None, "totally-unknown-flag-x")
    assert loose is not None and loose.tooltip == "flag --totally-unknown-flag-x: no description yet"


def test_catalog_flags_nobody_uses_are_listed_too(index):
    catalog = core_data()[0]
    etcd = index.by_component("etcd")
    assert len(etcd) == len(catalog.components["etcd"].flags) + 1  # + the one the catalog lacks
    assert [e.name for e in etcd] == sorted(e.name for e in etcd)
    assert {"etcd", "kubectl"} <= set(index.components()) and None not in index.components()
    assert {e.component for e in index.names()["data-dir"]} >= {"etcd"}


def test_the_index_is_read_only(index):
    with pytest.raises(TypeError):
        index.entries[("etcd", "x")] = None  # type: ignore[index]
    assert index.get("etcd", "never-written-anywhere") is None
