"""Where everything lives on the site: page URLs, flag entries, block anchors and the links between them."""

from __future__ import annotations

import posixpath
import random

import pytest

from flagref.render.routes import (
    attr_id,
    block_anchor,
    block_url,
    category_uri,
    component_uri,
    flag_anchor,
    flag_target,
    flag_url,
    page_url,
    relative_url,
    slugify,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("src_uri", "directory_urls", "url"),
    [
        ("posts/a/2019-10-24-etcd.md", True, "posts/a/2019-10-24-etcd/"),
        ("posts/a/2019-10-24-etcd.md", False, "posts/a/2019-10-24-etcd.html"),
        ("posts/x.markdown", True, "posts/x/"),
        ("index.md", True, ""),
        ("index.md", False, "index.html"),
        ("flags/index.md", True, "flags/"),
        ("flags/index.md", False, "flags/index.html"),
        ("docs/README.md", True, "docs/"),
    ],
)
def test_page_url_is_the_url_mkdocs_gives(src_uri, directory_urls, url):
    assert page_url(src_uri, directory_urls) == url


@pytest.mark.parametrize(
    ("from_url", "to_url", "link"),
    [
        ("posts/a/b/", "flags/etcd/", "../../../flags/etcd/"),
        ("posts/a/b/", "flags/etcd/#data-dir", "../../../flags/etcd/#data-dir"),
        ("", "flags/", "flags/"),
        ("flags/etcd/", "flags/etcd/#name", "./#name"),
        ("flags/etcd.html", "flags/kubelet.html", "kubelet.html"),
        ("posts/a/", "categories/k 8 s/", "../../categories/k%208%20s/"),
    ],
)
def test_relative_url(from_url, to_url, link):
    assert relative_url(from_url, to_url) == link


def test_names_and_anchors():
    assert slugify("Kube API server!") == "kube-api-server" and slugify("!!!") == "x"
    assert attr_id("listen-client-urls") == "listen-client-urls"
    assert attr_id("a b<c>") == "a-b-c" and attr_id("") == "flag"
    assert component_uri("kube-apiserver") == "flags/kube-apiserver.md"
    assert category_uri("Kubernetes Networking") == "categories/kubernetes-networking.md"
    assert flag_anchor("data-dir") == "data-dir"
    assert block_anchor(3) == "flagref-block-3"


def test_flag_targets_and_links():
    assert flag_target("etcd", "data-dir") == ("flags/etcd.md", "data-dir")
    # A flag no program could be given for points to its row in the reference index's A–Z table.
    assert flag_target(None, "token") == ("flags/index.md", "flag-token")
    assert flag_url("posts/a/", "etcd", "data-dir", True) == "../../flags/etcd/#data-dir"
    assert flag_url("posts/a.html", None, "token", False) == "../flags/index.html#flag-token"


def test_block_links():
    assert block_url("flags/etcd/", "posts/a/", 2) == "../../posts/a/#flagref-block-2"
    assert block_url("flags/etcd/", "posts/a/", None) == "../../posts/a/"


@pytest.mark.unit
def test_the_relative_path_by_common_folders_is_posixpaths():
    """``_relpath`` answers as ``posixpath.relpath`` does, for normal URLs and for every odd one it hands over."""
    from flagref.render.routes import _relpath

    parts = ["posts", "flags", "etcd", "2019-10-24-etcd", "x.html", "index.html", "", ".", ".."]
    rng = random.Random(7)
    cases = [("flags/etcd/", "posts/etcd/2019-10-24-etcd/"), ("", ""), ("posts/x/", ""), ("", "posts/x/")]
    for _ in range(20000):
        to = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))
        base = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4)))
        cases.append((to, base + "/" if base else ""))
    for to, base in cases:
        if to or base:
            assert _relpath(to, base) == posixpath.relpath("/" + to, "/" + base), (to, base)
    assert _relpath("flags/etcd/", "posts/etcd/2019-10-24-etcd/") == "../../../flags/etcd"
