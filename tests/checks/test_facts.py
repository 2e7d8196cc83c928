"""A post's program instances: each container and command keeps its own flags, found by index."""

from __future__ import annotations

import pytest

from flagref.catalog import load_catalog
from flagref.checks.facts import PostFacts
from flagref.parse import parse_post

pytestmark = pytest.mark.unit

CATALOG = load_catalog()
TEXT = """---
title: t
---
```yaml
kind: Pod
metadata:
  name: etcd-a
spec:
  containers:
  - command:
    - etcd
    - --name=a
    - --listen-client-urls=https://10.0.0.1:2379
  - command:
    - etcd
    - --name=b
    name: second
```
```
root@m:~# etcdctl --endpoints=https://10.0.0.1:2379 member list
root@m:~# etcdctl --endpoints=https://10.0.0.2:2379 member list
```
"""


@pytest.fixture(scope="module")
def facts() -> PostFacts:
    return PostFacts(parse_post("posts/t.md", TEXT, catalog=CATALOG), CATALOG)


def test_each_container_and_command_is_an_instance(facts):
    assert [(i.component, i.label, sorted(i.flags)) for i in facts.instances] == [
        ("etcd", "Pod etcd-a", ["listen-client-urls", "name"]),
        ("etcd", "Pod etcd-a, container second", ["name"]),
        ("etcdctl", "the etcdctl command", ["endpoints"]),
        ("etcdctl", "the etcdctl command", ["endpoints"]),
    ]


def test_listing_and_writers_come_from_the_index(facts):
    listing = facts.listing("etcd", "listen-client-urls")
    assert [u.line for u in listing.having] == [13]
    assert [i.label for i in listing.lacking] == ["Pod etcd-a, container second"]
    assert facts.listing("etcd", "listen-client-urls") is listing
    assert [u.value for _, u in facts.written("endpoints", None)] == ["https://10.0.0.1:2379", "https://10.0.0.2:2379"]
    assert facts.written("endpoints", "etcd") == []
    assert [u.value for _, u in facts.written("name", "etcd")] == ["a", "b"]
    for inst in facts.instances:
        assert all(facts.instance_of[use] is inst for use in inst.flags.values())
