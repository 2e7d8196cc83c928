"""Two builds in one process, as `mkdocs serve` does: the second shows exactly the new state.

MkDocs loads the hook module once per process, so whatever it keeps between
builds (the content-keyed post cache) is shared by these builds as by serve's
rebuilds. The seed is changed between builds: a flag added, one changed, one
removed; then restored, and the third build must equal the first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from mkdocs.exceptions import Abort, PluginError

import flagref.catalog
from conftest import (
    DOCS,
    FIXTURES,
    SEED,
    SEED_URL,
    Built,
    build_site,
    cell_value,
    flag_table,
    search_fragments,
    serving,
)
from flagref.searchindex import OLD_INDEX_PREFIX
from flagref.site import PostCache, SiteBuild, SourceFile

SEED_TITLE = "kubernetes > etcd as a component in the cluster"
SEED_COPY = SEED.relative_to(DOCS)


def _etcd_table(built: Built) -> tuple[str, dict[str, str]]:
    """The post's etcd table: its summary, and its rows as flag -> value."""
    summary, rows = flag_table(built.article(SEED_URL), "etcd")
    assert summary, "the seed post has no etcd table"
    return summary, rows


def _seen_in_seed(built: Built, flag_id: str) -> list[str]:
    """The values the reference entry ``flags/etcd/#flag_id`` shows for the seed post."""
    heading = built.page("flags/etcd/").find(id=flag_id)
    if heading is None:
        return []
    entry = heading.find_next_sibling()
    values = []
    for row in entry.select("table tbody > tr"):
        value = row.select_one("td.flagref-value")
        if value is not None and value.find_next_sibling("td").get_text(" ", strip=True).startswith(SEED_TITLE):
            values.append(cell_value(value))
    return values


def _mentions_seed(built: Built, flag_id: str) -> bool:
    heading = built.page("flags/etcd/").find(id=flag_id)
    entry = heading.find_next_sibling() if heading is not None else None
    return entry is not None and SEED_TITLE in entry.get_text()


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _html(built: Built, url: str) -> str:
    page: BeautifulSoup = built.page(url)
    return str(page.select_one("article.md-content__inner"))


def _seed_copy(tmp_path: Path) -> tuple[Path, Path, str]:
    """A copy of docs/ to edit: its folder, the seed post in it, and the post's text."""
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    post = docs / SEED_COPY
    return docs, post, post.read_text(encoding="utf-8")


def test_second_build_shows_exactly_the_new_state_and_a_third_the_old(tmp_path):
    docs, post, original = _seed_copy(tmp_path)

    first = build_site(docs, tmp_path / "site-1", strict=True)
    summary, rows = _etcd_table(first)
    assert summary.startswith("etcd — Pod etcd-master (kube-system), 17 flags")
    assert rows["--snapshot-count"] == "10000"
    assert "--heartbeat-interval" not in rows and "--listen-metrics-urls" in rows
    assert _seen_in_seed(first, "snapshot-count") == ["10000"]
    assert _seen_in_seed(first, "listen-metrics-urls") == ["http://127.0.0.1:2381"]

    changed = _edit(original, "    - --snapshot-count=10000\n", "    - --snapshot-count=20000\n")
    changed = _edit(changed, "    - --trusted-ca-file=", "    - --heartbeat-interval=100\n    - --trusted-ca-file=")
    changed = _edit(changed, "    - --listen-metrics-urls=http://127.0.0.1:2381\n", "")
    post.write_text(changed, encoding="utf-8")

    second = build_site(docs, tmp_path / "site-2", strict=True)
    assert second.warnings == []
    summary, rows = _etcd_table(second)
    assert summary.startswith("etcd — Pod etcd-master (kube-system), 17 flags")
    expected = dict(_etcd_table(first)[1])
    del expected["--listen-metrics-urls"]
    expected["--snapshot-count"] = "20000"
    expected["--heartbeat-interval"] = "100"
    assert rows == expected
    assert list(rows).index("--heartbeat-interval") == list(rows).index("--trusted-ca-file") - 1
    assert _seen_in_seed(second, "snapshot-count") == ["20000"]
    assert _seen_in_seed(second, "heartbeat-interval") == ["100"]
    assert _seen_in_seed(second, "listen-metrics-urls") == []
    assert not _mentions_seed(second, "listen-metrics-urls")
    # The code block shows the new text, its flags linked.
    code = second.article(SEED_URL).select("pre")[3]
    assert "--snapshot-count=20000" in code.get_text() and "--listen-metrics-urls" not in code.get_text()
    assert [a.get_text() for a in code.select("a.flagref-flag") if a.get_text() == "--heartbeat-interval"] == [
        "--heartbeat-interval"
    ]

    post.write_text(original, encoding="utf-8")
    third = build_site(docs, tmp_path / "site-3", strict=True)
    for url in (SEED_URL, "flags/etcd/", "flags/kube-apiserver/", ""):
        assert _html(third, url) == _html(first, url), url


def test_serve_reuses_a_decorated_post_until_it_changes(tmp_path):
    """Under ``mkdocs serve`` a post's decorated HTML is kept between rebuilds, keyed by what it is made from."""
    docs, post, original = _seed_copy(tmp_path)
    first = build_site(docs, tmp_path / "site-1", strict=True)
    src_uri = SEED_COPY.as_posix()
    with serving() as hooks:
        cache = hooks._cache
        second = build_site(docs, tmp_path / "site-2", strict=True)
        kept = cache.decorated[src_uri]
        assert _html(second, SEED_URL) == _html(first, SEED_URL)
        third = build_site(docs, tmp_path / "site-3", strict=True)
        assert cache.decorated[src_uri] is kept, "an unchanged post was decorated again"
        assert _html(third, SEED_URL) == _html(first, SEED_URL)

        post.write_text(_edit(original, "    - --snapshot-count=10000\n", "    - --snapshot-count=20000\n"), "utf-8")
        edited = build_site(docs, tmp_path / "site-4", strict=True)
        assert cache.decorated[src_uri] is not kept
        assert _etcd_table(edited)[1]["--snapshot-count"] == "20000"

        post.write_text(original, encoding="utf-8")
        restored = build_site(docs, tmp_path / "site-5", strict=True)
        assert _html(restored, SEED_URL) == _html(first, SEED_URL)


def _page(built: Built, url: str) -> str:
    """A page's article and its table of contents (the sidebar MkDocs builds from the page's headings)."""
    page: BeautifulSoup = built.page(url)
    toc = page.select_one("nav.md-nav--secondary")
    return str(page.select_one("article.md-content__inner")) + (str(toc) if toc is not None else "")


def test_serve_reuses_a_generated_page_until_what_it_is_made_of_changes(tmp_path):
    """Under ``mkdocs serve`` a listing or reference page unchanged since the last rebuild is not converted again."""
    docs, post, original = _seed_copy(tmp_path)
    first = build_site(docs, tmp_path / "site-1", strict=True)
    with serving() as hooks:
        second = build_site(docs, tmp_path / "site-2", strict=True)
        kept = dict(hooks._generated)
        assert {"flags/etcd.md", "flags/index.md", "index.md"} <= kept.keys()
        third = build_site(docs, tmp_path / "site-3", strict=True)
        # Nothing changed: every page is the one kept, and reads as the first build's, contents included.
        assert all(hooks._generated[uri][1] is kept[uri][1] for uri in kept)
        for url in ("flags/etcd/", "flags/", "", "flags/kube-apiserver/"):
            assert _page(third, url) == _page(first, url) == _page(second, url), url
        assert "--snapshot-count" in third.page("flags/etcd/").select_one("nav.md-nav--secondary").get_text()

        post.write_text(_edit(original, "    - --snapshot-count=10000\n", "    - --snapshot-count=20000\n"), "utf-8")
        edited = build_site(docs, tmp_path / "site-4", strict=True)
        # The etcd reference shows the new value; a page the edit does not touch was not converted again.
        assert hooks._generated["flags/etcd.md"][1] is not kept["flags/etcd.md"][1]
        assert _seen_in_seed(edited, "snapshot-count") == ["20000"]
        assert hooks._generated["flags/kube-scheduler.md"][1] is kept["flags/kube-scheduler.md"][1]
        assert _page(edited, "flags/kube-scheduler/") == _page(first, "flags/kube-scheduler/")


def test_serve_makes_again_only_the_reference_entries_an_edit_reaches():
    """Under serve an entry is made again when its uses, its rules' relations or the other flag's uses change.

    The kube-apiserver --etcd-servers entry shows only the seed's value, yet lists where etcd
    --listen-client-urls is "also seen": an edit of that value in another post must reach it.
    """
    hard_way = FIXTURES / "commands/posts/2021-02-01-etcd-cluster-the-hard-way.md"
    seed = SourceFile("posts/seed.md", "docs/posts/seed.md", SEED.read_text(encoding="utf-8"))
    other = SourceFile("posts/hard-way.md", "docs/posts/hard-way.md", hard_way.read_text(encoding="utf-8"))
    cache = PostCache(keep_html=True)
    SiteBuild([seed, other], cache=cache).generated_pages()
    kept = dict(cache.reference)
    edited = SourceFile(
        other.src_uri,
        other.display_path,
        _edit(other.text, "2379,https://127.0.0.1:2379", "2379,https://127.0.0.2:2379"),
    )

    pages, _ = SiteBuild([seed, edited], cache=cache).generated_pages()

    assert pages == SiteBuild([seed, edited]).generated_pages()[0]  # the same as made afresh
    assert "https://127.0.0.2:2379" in pages["flags/kube-apiserver.md"]
    reached = [("etcd", "listen-client-urls"), ("kube-apiserver", "etcd-servers")]
    assert all(cache.reference[key][1] is not kept[key][1] for key in reached)
    untouched = ("kube-apiserver", "authorization-mode")  # the seed's alone, and no rule reaches the other post
    assert cache.reference[untouched][1] is kept[untouched][1]
    assert len(cache.reference) == len(kept)


def test_a_broken_catalog_stops_the_rebuild_and_the_last_good_site_stays(tmp_path, monkeypatch, caplog):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    site = tmp_path / "site"
    build_site(docs, site)
    catalog = tmp_path / "catalog"
    shutil.copytree(flagref.catalog.DEFAULT_DIRECTORY, catalog, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    etcd = catalog / "etcd.yaml"
    etcd.write_text(etcd.read_text(encoding="utf-8") + "\nnot-a-key: [\n", encoding="utf-8")
    monkeypatch.setattr(flagref.catalog, "DEFAULT_DIRECTORY", catalog)
    with pytest.raises((PluginError, Abort)):
        build_site(docs, site)
    assert any("etcd.yaml:" in r.getMessage() and "fix the syntax" in r.getMessage() for r in caplog.records)
    # Stopped before MkDocs emptied the site folder: what serve serves is the last good build.
    assert (site / SEED_URL / "index.html").is_file()
    assert (site / "flags" / "etcd" / "index.html").is_file()
    # Its search index too: the last one is set aside only once the data has loaded.
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == []


def test_a_build_into_the_last_site_folder_replaces_its_index_and_leaves_nothing_beside(tmp_path):
    """The last index is removed beside the build (``OldIndex``): the new one alone is in the site at the end."""
    docs, post, original = _seed_copy(tmp_path)
    site = tmp_path / "site"
    build_site(docs, site, strict=True)
    stale = site / "pagefind" / "fragment" / "stale.pf_fragment"
    stale.write_bytes(b"left by the last build")
    killed = site / f"{OLD_INDEX_PREFIX}1-2" / "fragment"  # set aside by a build killed before its end
    killed.mkdir(parents=True)
    (killed / "old.pf_fragment").write_bytes(b"older still")
    post.write_text(original + "\nWritten since the last build: quokkas.\n", encoding="utf-8")

    second = build_site(docs, site, strict=True)
    assert second.warnings == []
    assert not stale.exists()
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == []
    fragments = search_fragments(site)
    seed = [f for f in fragments if f["url"].rstrip("/").endswith(SEED_URL.rstrip("/"))]
    assert len(seed) == 1 and "quokkas" in seed[0]["content"]


def test_serve_does_not_hold_the_pages_for_the_search_index(tmp_path):
    """Under ``mkdocs serve`` the rebuild ends when the pages are written; the index lands beside, shortly after."""
    docs, _, _ = _seed_copy(tmp_path)
    build_site(docs, tmp_path / "warm-up", strict=True)
    with serving() as hooks:
        built = build_site(docs, tmp_path / "site", strict=True)
        running = hooks._indexing
        assert running is not None, "the rebuild waited for Pagefind"
        entry = built.site / "pagefind" / "pagefind-entry.json"
        assert running.closed.wait(120) and entry.exists(), "the search index never landed in the served site"
        assert search_fragments(built.site)  # a whole index, posts and flag records
        again = build_site(docs, tmp_path / "site-2", strict=True)
        newer = hooks._indexing
        build_site(docs, tmp_path / "site-3", strict=True)
        # A newer rebuild stops a run still going: its Pagefind is stopped, nothing of it is left.
        assert newer is not hooks._indexing and newer.closed.is_set() and newer._broker is None
        assert again.warnings == []
