"""The site search: the documents sent to Pagefind, the indexer run, and what a build publishes."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import multiprocessing
import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CONFIG, best_time
from flagref.render.search import (
    RECORDS_FOLDER,
    SearchPage,
    flag_documents,
    page_document,
    stage_path,
    without_code,
    without_excluded,
)
from flagref.searchbroker import (
    BYTE_COST,
    DOCUMENT_COST,
    SHARDS_FOLDER,
    SHARDS_LISTING,
    SPARES_FOLDER,
    _Spares,
    _write_bundle,
)
from flagref.searchindex import (
    OLD_INDEX_PREFIX,
    OldIndex,
    SearchIndexer,
    pagefind_binary,
    scratch_folder,
    sweep_scratch,
)

HOSTILE = '"><script>alert(1)</script>'


def _meta(html: str, attribute: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag in BeautifulSoup(html, "html.parser").select(f"meta[{attribute}]"):
        key = tag[attribute].removesuffix("[content]")
        out.setdefault(key, []).append(tag["content"])
    return out


def _flag(name: str, component: str | None = "etcd", **extra) -> dict:
    base = {
        "component": component,
        "name": name,
        "flag": "--" + name,
        "url": f"flags/{component}/#{name}",
        "meaning": "Where the member listens for clients.",
        "type": "url-list",
        "default": "http://localhost:2379",
        "short": None,
        "env": "ETCD_" + name.upper().replace("-", "_"),
        "lifecycle": {"timeline": "", "replacement": None},
    }
    base.update(extra)
    return base


@pytest.mark.unit
@pytest.mark.parametrize(
    ("url", "path"),
    [("posts/x/", "posts/x/index.html"), ("", "index.html"), ("posts/x.html", "posts/x.html")],
)
def test_a_page_is_staged_where_pagefind_gives_its_url_back(url, path):
    assert stage_path(url) == path


@pytest.mark.unit
def test_a_page_document_carries_title_flags_and_date_as_data():
    page = SearchPage("posts/x/", HOSTILE, "<p>text</p>", ("etcd-servers", HOSTILE, "etcd-servers"), "2019-10-24")
    html = page_document(page)
    meta = _meta(html, "data-pagefind-meta")
    filters = _meta(html, "data-pagefind-filter")
    assert meta == {"title": [HOSTILE], "flags": [" ".join(sorted({"etcd-servers", HOSTILE}))]}
    # No flag filter on pages: Pagefind would count its every value on every search.
    assert filters == {"kind": ["page"]}
    assert _meta(html, "data-pagefind-sort") == {"date": ["2019-10-24"]}
    assert "<script>" not in html.split("<main", 1)[0]  # the head holds text only
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("main[data-pagefind-body]").decode_contents() == "<p>text</p>"


@pytest.mark.unit
def test_a_page_is_indexed_by_its_prose_commands_and_flags_not_its_code_output():
    html = (
        "<p>Look at the manifest.</p>"
        '<div class="highlight"><pre><span></span><code>$ kubectl get po -o yaml\n'
        "    - --etcd-servers=https://127.0.0.1:2379\n    image: k8s.gcr.io/kube-apiserver</code></pre></div>"
        "<p>After it.</p><pre>unclosed output"
    )
    commands = ("kubectl get po -o yaml", HOSTILE, "kubectl get po -o yaml")
    page = SearchPage("posts/x/", "T", html, ("etcd-servers",), None, commands, ("--etcd-servers", "-o", "-o"))
    body = BeautifulSoup(page_document(page), "html.parser").select_one("main[data-pagefind-body]")
    text = body.get_text(" ")
    assert "Look at the manifest." in text and "After it." in text
    assert "image" not in text and "unclosed" not in text and "127.0.0.1" not in text
    lines = [p.get_text() for p in body.select("section p")]
    assert lines == ["kubectl get po -o yaml", HOSTILE, "--etcd-servers -o"]
    assert body.select("script") == []  # the hostile command is text


@pytest.mark.unit
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a</p><pre>x</pre><p>b</p>", "<p>a</p><p>b</p>"),
        ('<pre class="x">x</pre>', ""),
        ("<prefix>kept</prefix><pre>x", "<prefix>kept</prefix>"),
        ("no code", "no code"),
        ("<pre>" * 20_000, ""),
    ],
)
def test_code_blocks_are_cut_out_in_one_scan(html, expected):
    assert without_code(html) == expected


@pytest.mark.unit
def test_a_post_document_leaves_out_the_flag_tables_and_the_header_line():
    """The tables and the date line would be dropped by Pagefind: they are not sent to it."""
    table = (
        '<details class="abstract flagref-table" data-search-exclude open><summary>etcd, 1 flag</summary>'
        "<table><tr><td>--data-dir</td><td>Where etcd keeps its data</td></tr></table></details>"
    )
    html = '<h1>T</h1>\n<p class="flagref-post-meta" data-search-exclude>1 May 2020</p>\n<p>Prose.</p>' + table
    document = page_document(SearchPage("posts/x/", "T", html))
    assert "<main data-pagefind-body><h1>T</h1>\n\n<p>Prose.</p></main>" in document


@pytest.mark.unit
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Nested elements of the same name, and an element after the cut one.
        (
            "<p>a</p><details data-search-exclude open><details data-search-exclude>in</details>t</details><p>b</p>",
            "<p>a</p><p>b</p>",
        ),
        ("<div data-search-exclude><div>in</div><divx>d</divx></div>out", "out"),
        ("<DIV data-search-exclude>x</DIV>y", "y"),
        ('<img data-search-exclude src="x">after', "after"),
        ("<br data-search-exclude/>after", "after"),
        # Not an attribute of a tag: text, a quoted value, a longer name.
        ("<p>data-search-exclude in text</p>", "<p>data-search-exclude in text</p>"),
        ('<a title="x data-search-exclude y">k</a>', '<a title="x data-search-exclude y">k</a>'),
        ("<div data-search-excluded>kept</div>", "<div data-search-excluded>kept</div>"),
        # Not a tag: "<" then spaces, however many.
        ("< data-search-exclude>x", "< data-search-exclude>x"),
        ("<" + " " * 20 + "data-search-exclude>x", "<" + " " * 20 + "data-search-exclude>x"),
        # Never closed: it and what follows are left to Pagefind.
        (
            "<p data-search-exclude>x</p>a<div data-search-exclude>b<p data-search-exclude>c</p>",
            "a<div data-search-exclude>b<p data-search-exclude>c</p>",
        ),
        ("<div data-search-exclude>x</Div>", "<div data-search-exclude>x</Div>"),
    ],
)
def test_excluded_elements_are_cut_from_their_start_to_their_end_tag(html, expected):
    assert without_excluded(html) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "shape",
    [
        "<a data-search-exclude>",
        "<div data-search-exclude>",
        "< data-search-exclude ",
        '" data-search-exclude ',
        "<p data-search-exclude>x</p>",
        "<p data-search-exclude><p>",
    ],
)
def test_cutting_excluded_elements_is_linear(shape):
    def timed(size: int) -> float:
        html = "<a " + shape * (size // len(shape)) + "</p>" * (size // len(shape))
        return best_time(lambda: without_excluded(html))

    small, large = timed(10**4), timed(10**5)
    assert large / max(small, 1e-3) <= 20, (shape, small, large)


@pytest.mark.unit
def test_each_flag_is_a_record_that_opens_its_entry_in_catalog_order():
    document = {"flags": [_flag("listen-client-urls"), _flag(HOSTILE, component="kube-apiserver", meaning=None)]}
    records = list(flag_documents(document))
    assert [path for path, _ in records] == [f"{RECORDS_FOLDER}/0.html", f"{RECORDS_FOLDER}/1.html"]
    first = _meta(records[0][1], "data-pagefind-meta")
    assert first["target"] == ["flags/etcd/#listen-client-urls"]
    assert first["flag"] == ["--listen-client-urls"] and first["component"] == ["etcd"]
    assert first["summary"] == ["Where the member listens for clients. · type url-list · default http://localhost:2379"]
    assert _meta(records[0][1], "data-pagefind-filter") == {"kind": ["flag"], "flag": ["listen-client-urls"]}
    assert [_meta(html, "data-pagefind-sort")["order"] for _, html in records] == [["0"], ["1"]]
    # The environment variable is in the text: ETCD_LISTEN_CLIENT_URLS finds the entry.
    body = BeautifulSoup(records[0][1], "html.parser").select_one("main").get_text(" ")
    assert "ETCD_LISTEN_CLIENT_URLS" in body and "--listen-client-urls" in body
    hostile = records[1][1]
    assert "<script>" not in hostile
    assert _meta(hostile, "data-pagefind-meta")["summary"][0].startswith("No description yet.")


@pytest.mark.unit
@pytest.mark.parametrize("path", ["../escape.html", "/etc/x.html", "a/../../b.html", ""])
def test_a_page_path_that_is_not_plain_is_refused(path, tmp_path):
    indexer = SearchIndexer(tmp_path / "out", binary=None)
    problem = indexer.add(path, "<html></html>")
    assert problem is not None and "not indexed" in problem and repr(path) in problem
    assert indexer.problems == [problem]
    indexer.close()


def _script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "pagefind"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def _logs() -> list[str]:
    """This process's indexer logs left in the temporary folder."""
    return [p.name for p in Path(tempfile.gettempdir()).glob(f"flagref-search-{os.getpid()}-*.log")]


def test_an_indexer_that_fails_is_reported_with_its_output(tmp_path):
    indexer = SearchIndexer(tmp_path / "out", binary=_script(tmp_path, "echo 'Error: no pages' >&2; exit 3"))
    indexer.start()
    problems = indexer.finish()
    assert problems == ["search: Pagefind failed (exit 3), the site has no search index: Error: no pages"]
    assert _logs() == []


def test_pages_sent_to_an_indexer_that_exited_are_not_waited_for(tmp_path):
    indexer = SearchIndexer(tmp_path / "out", binary=_script(tmp_path, "echo 'Error: gone' >&2; exit 3"))
    page = "<p>" + "x" * 100_000 + "</p>"  # far more than a pipe holds: a write that waited would hang
    assert [indexer.add(f"posts/{n}/index.html", page) for n in range(50)] == [None] * 50
    indexer.start()
    assert indexer.finish(timeout=30) == ["search: Pagefind failed (exit 3), the site has no search index: Error: gone"]


def test_an_indexer_that_hangs_is_stopped(tmp_path):
    indexer = SearchIndexer(tmp_path / "out", binary=_script(tmp_path, "exec sleep 60"))
    indexer.start()
    problems = indexer.finish(timeout=0.5)
    assert problems == ["search: Pagefind took over 0.5 s and was stopped; the site has no search index"]


def test_without_the_binary_the_build_says_what_to_install(tmp_path):
    indexer = SearchIndexer(tmp_path / "out", binary=None)
    indexer.binary = None
    indexer.start()
    (problem,) = indexer.finish()
    assert "Pagefind binary is missing" in problem and "pip install pagefind-bin" in problem


def test_a_binary_that_cannot_be_started_is_reported(tmp_path):
    indexer = SearchIndexer(tmp_path / "out", binary=tmp_path / "no-such-pagefind")
    assert indexer.add("posts/a/index.html", "<p>a</p>") is None  # reported once, below, not per page
    indexer.start()
    (problem,) = indexer.finish()
    assert "could not be started" in problem and "no-such-pagefind" in problem
    assert not (tmp_path / "out").exists()


def _entry(bundle: Path) -> dict:
    return json.loads((bundle / "pagefind-entry.json").read_text())


def test_pagefind_indexes_the_documents_sent(tmp_path):
    assert pagefind_binary() is not None, "pagefind-bin is a dependency of the site"
    indexer = SearchIndexer(tmp_path / "pagefind")
    indexer.add("posts/a/index.html", page_document(SearchPage("posts/a/", "A post", "<p>etcd servers</p>", ("x",))))
    for path, html in flag_documents({"flags": [_flag("listen-client-urls")]}):
        indexer.add(path, html)
    indexer.start()
    assert indexer.finish() == []
    assert indexer.documents == 2
    assert _entry(tmp_path / "pagefind")["languages"]["en"]["page_count"] == 2
    assert (tmp_path / "pagefind" / "pagefind.js").is_file()
    assert list((tmp_path / "pagefind" / "filter").iterdir())  # the kind and flag filters
    assert not (tmp_path / "pagefind" / SPARES_FOLDER).exists()  # the files made ahead and not taken are gone
    assert _logs() == []


def _files(contents: dict[str, bytes]) -> list[dict]:
    """Files as Pagefind's service gives them: a path, and the content in base64."""
    return [{"path": path, "content": base64.b64encode(data).decode()} for path, data in contents.items()]


def _made(spares: _Spares, count: int) -> None:
    """Wait (10 s at most) for ``count`` files made ahead."""
    deadline = time.monotonic() + 10
    while spares.made < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert spares.made == count


def test_pagefind_files_are_written_into_empty_files_made_ahead(tmp_path):
    """Making a file is what costs: a thread of the broker makes them empty beforehand, each is moved into place."""
    spares = _Spares(tmp_path / "out" / SPARES_FOLDER)
    try:
        spares.want(2)
        time.sleep(0.05)
        assert spares.made == 0  # not while Pagefind has pages to index
        spares.allow(True)
        _made(spares, 2)
        spares.want(3)  # more pages came in
        _made(spares, 3)
        time.sleep(0.05)
        assert sorted(p.name for p in spares.folder.iterdir()) == ["0", "1", "2"]  # no more than wanted
        ahead = {p.stat().st_ino for p in spares.folder.iterdir()}
        contents = {"pagefind-entry.json": b"{}", "fragment/en_1.pf_fragment": b"one", "index/en_2.pf_index": b"2" * 9}
        spares.want(0)  # every page is in: no more
        problems = _write_bundle(tmp_path / "out", _files({**contents, "more.js": b"x"}), whole=True, spares=spares)
        assert problems == []
        written = {path: (tmp_path / "out" / path) for path in [*contents, "more.js"]}
        assert {path: file.read_bytes() for path, file in written.items()} == {**contents, "more.js": b"x"}
        # The first three are the files made ahead (the same inodes); the fourth was made when written.
        assert {written[path].stat().st_ino for path in contents} == ahead and spares.taken == 3
    finally:
        spares.remove()
    assert not spares.folder.exists() and spares.made == 3


def test_a_file_made_ahead_is_emptied_before_it_is_written(tmp_path):
    spares = _Spares(tmp_path / SPARES_FOLDER)
    try:
        spares.allow(True)
        spares.want(1)
        _made(spares, 1)
        (spares.folder / "0").write_bytes(b"left over, longer than the file")
        assert _write_bundle(tmp_path, _files({"a.json": b"{}"}), whole=True, spares=spares) == []
        assert (tmp_path / "a.json").read_bytes() == b"{}"
    finally:
        spares.remove()


def test_files_that_cannot_be_made_ahead_are_made_when_written(tmp_path):
    (tmp_path / SPARES_FOLDER).write_text("a file where the folder would be")
    spares = _Spares(tmp_path / SPARES_FOLDER)
    try:
        spares.allow(True)
        spares.want(5)
        assert spares._thread is not None
        spares._thread.join(10)
        assert not spares._thread.is_alive() and spares.made == 0  # given up, once
        assert _write_bundle(tmp_path / "out", _files({"a.json": b"{}"}), whole=True, spares=spares) == []
        assert (tmp_path / "out" / "a.json").read_bytes() == b"{}"
    finally:
        spares.remove()


def test_pages_sent_from_a_forked_process_are_indexed_with_the_others(tmp_path):
    """The decoration worker is forked after the indexer starts, and sends the posts it decorates."""
    indexer = SearchIndexer(tmp_path / "pagefind")
    page = page_document(SearchPage("posts/a/", "A post", "<p>" + "etcd servers " * 5000 + "</p>"))

    def send(first: int) -> None:
        for n in range(first, first + 20):
            indexer.add(f"posts/{n}/index.html", page)

    child = multiprocessing.get_context("fork").Process(target=send, args=(0,))
    child.start()
    send(20)  # at the same time from here: requests must not interleave
    child.join(timeout=60)
    assert child.exitcode == 0
    indexer.start()
    assert indexer.finish() == []
    assert indexer.documents == 40
    assert _entry(tmp_path / "pagefind")["languages"]["en"]["page_count"] == 40


def test_a_build_publishes_the_index_and_points_the_search_box_at_it(seed_site):
    site = seed_site.site
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    # The seed post, and a record for every flag entry of the reference.
    flags = json.loads((site / "flags.json").read_text())["flags"]
    assert entry["languages"]["en"]["page_count"] == 1 + len(flags)
    # Material's own index is left empty: its plugin parses no page.
    assert json.loads((site / "search" / "search_index.json").read_text())["docs"] == []
    config = json.loads(BeautifulSoup((site / "index.html").read_text(), "html.parser").select_one("#__config").string)
    worker, _, material = config["search"].partition("#")
    assert worker.startswith("assets/flagref/search-worker.js?v=") and material.startswith("material-worker=search.")
    script = (site / "assets/flagref/search-worker.js").read_text()
    assert "__FLAGREF_ENV_PREFIXES__" not in script and '"ETCD_"' in script
    # Nothing staged is published: records live in the index only.
    assert not (site / RECORDS_FOLDER).exists()


@pytest.mark.unit
def test_scratch_folders_of_a_process_gone_are_swept_and_others_kept(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    (tmp_path / f"flagref-search-{dead}-abc" / "posts").mkdir(parents=True)
    (tmp_path / f"flagref-search-{dead}-abc.log").write_text("", encoding="utf-8")
    (tmp_path / f"flagref-exports-{dead}-def").mkdir()
    mine = tmp_path / f"flagref-search-{os.getpid()}-ghi"
    mine.mkdir()
    other = tmp_path / "flagref-search-oldstyle"  # no process id: not ours to judge
    other.mkdir()
    assert sweep_scratch(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])


@pytest.mark.unit
def test_the_last_index_is_set_aside_at_once_and_removed_beside(tmp_path):
    site = tmp_path / "site"
    bundle = site / "pagefind"
    (bundle / "fragment").mkdir(parents=True)
    for n in range(50):
        (bundle / "fragment" / f"{n}.pf_fragment").write_bytes(b"x")
    killed = site / f"{OLD_INDEX_PREFIX}1-2"  # what a build killed before its end left
    (killed / "index").mkdir(parents=True)
    (site / "index.html").write_text("a page", encoding="utf-8")

    old = OldIndex.set_aside(bundle)
    # MkDocs empties the folder next: the index is no longer in it, and what replaces it is hidden.
    assert not bundle.exists()
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == ["index.html"]
    assert len(old.folders) == 2 and all(p.parent == site and p.name.startswith(OLD_INDEX_PREFIX) for p in old.folders)
    old.wait(timeout=30)
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]


@pytest.mark.unit
def test_an_index_that_cannot_be_removed_beside_is_removed_at_the_end(tmp_path, monkeypatch):
    bundle = tmp_path / "site" / "pagefind"
    (bundle / "fragment").mkdir(parents=True)
    (bundle / "fragment" / "1.pf_fragment").write_bytes(b"x")

    def refused(*args, **kwargs):
        raise OSError("no process can be started")

    monkeypatch.setattr("flagref.searchindex.subprocess.Popen", refused)
    old = OldIndex.set_aside(bundle)
    assert not bundle.exists() and len(old.folders) == 1 and old.folders[0].is_dir()
    old.wait()
    assert list((tmp_path / "site").iterdir()) == []


@pytest.mark.unit
def test_an_index_that_stays_is_named_for_the_build_to_warn(tmp_path, monkeypatch):
    bundle = tmp_path / "site" / "pagefind"
    (bundle / "fragment").mkdir(parents=True)
    monkeypatch.setattr("flagref.searchindex.subprocess.Popen", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    monkeypatch.setattr("flagref.searchindex.shutil.rmtree", lambda *a, **k: None)  # a file that cannot go
    old = OldIndex.set_aside(bundle)
    (aside,) = old.folders
    assert old.wait() == [aside] and aside.is_dir()


@pytest.mark.unit
def test_no_site_folder_yet_sets_nothing_aside(tmp_path):
    old = OldIndex.set_aside(tmp_path / "site" / "pagefind")
    assert old.folders == []
    old.wait()
    assert not (tmp_path / "site").exists()


@pytest.mark.unit
def test_a_scratch_folder_names_its_process(tmp_path, monkeypatch):
    monkeypatch.setattr("flagref.searchindex.memory_folder", lambda: str(tmp_path))
    folder = scratch_folder("search")
    assert folder.parent == tmp_path and folder.name.startswith(f"flagref-search-{os.getpid()}-")
    assert sweep_scratch(tmp_path) == 0 and folder.is_dir()


@pytest.mark.parametrize("with_pagefind", [True, False])
def test_material_search_reads_no_page_when_pagefind_indexes(monkeypatch, with_pagefind):
    """With Pagefind, Material's search plugin keeps its box and its empty index, and its page handler is gone."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(CONFIG))
    hooks = sys.modules["hooks/flagref_mkdocs.py"]
    monkeypatch.setattr(hooks, "pagefind_binary", lambda: Path("/usr/bin/true") if with_pagefind else None)
    config = config.plugins.on_config(config)
    material = config.plugins["material/search"]
    owners = [getattr(h, "__self__", None) for h in config.plugins.events["page_context"]]
    assert (material in owners) is not with_pagefind
    # Its other handlers stay: it still writes the index its search box starts with.
    assert any(getattr(h, "__self__", None) is material for h in config.plugins.events["post_build"])


def _page_count(bundle: Path) -> int:
    return _entry(bundle)["languages"]["en"]["page_count"]


def test_a_site_larger_than_a_shard_is_indexed_in_shards_that_the_first_lists(tmp_path):
    """Each shard is written as soon as it is full, by a Pagefind of its own; the flag records stay in the first."""
    bundle = tmp_path / "pagefind"
    post = page_document(SearchPage("posts/a/", "A post", "<p>" + "etcd servers listen " * 200 + "</p>"))
    budget = 3 * (DOCUMENT_COST + BYTE_COST * len(post.encode()))  # three posts a shard
    indexer = SearchIndexer(bundle, budget=budget)
    for n in range(4):  # the first shard takes pages until it is full (three), the fourth opens the next
        assert indexer.add(f"posts/{n}/index.html", post) is None
    records = list(flag_documents({"flags": [_flag("listen-client-urls"), _flag("data-dir")]}))
    for path, html in records:  # then the flag records: into the first shard, full or not
        indexer.add(path, html, primary=True)
    for n in range(4, 11):
        indexer.add(f"posts/{n}/index.html", post)
    indexer.start()
    assert indexer.finish() == []
    listed = json.loads((bundle / SHARDS_LISTING).read_text())["shards"]
    assert listed == [f"{SHARDS_FOLDER}/1/", f"{SHARDS_FOLDER}/2/", f"{SHARDS_FOLDER}/3/"]
    counts = [_page_count(bundle / shard) for shard in listed]
    assert _page_count(bundle) == 3 + len(records) and counts == [3, 3, 2]
    assert indexer.documents == 11 + len(records) and indexer.shards == 4
    assert 10 << 20 < indexer.largest < 200 << 20  # Pagefind's own peak, read when it ended
    # Only the first shard carries Pagefind's scripts: the others are merged into it in the browser.
    assert (bundle / "pagefind.js").is_file() and (bundle / "wasm.en.pagefind").is_file()
    for shard in listed:
        assert not list((bundle / shard).glob("*.js")) and not list((bundle / shard).glob("wasm.*"))
        assert list((bundle / shard / "fragment").iterdir()) and list((bundle / shard).glob("*.pf_meta"))
    # The flag records (and their filters) are in the first shard alone.
    assert list((bundle / "filter").iterdir())
    assert not (bundle / SPARES_FOLDER).exists()
    assert all(not (bundle / shard / "filter").exists() or _no_flag_filter(bundle / shard) for shard in listed)
    assert _logs() == []


def _no_flag_filter(shard: Path) -> bool:
    """Whether no filter chunk of ``shard`` names the ``flag`` filter (gzip, a signature, then CBOR-ish bytes)."""
    return all(b"listen-client-urls" not in gzip.decompress(p.read_bytes()) for p in (shard / "filter").iterdir())


def test_a_small_site_is_one_index_and_lists_no_shard(tmp_path):
    indexer = SearchIndexer(tmp_path / "pagefind")
    indexer.add("posts/a/index.html", page_document(SearchPage("posts/a/", "A post", "<p>etcd</p>")))
    indexer.start()
    assert indexer.finish() == [] and indexer.shards == 1
    assert json.loads((tmp_path / "pagefind" / SHARDS_LISTING).read_text()) == {"shards": []}


def test_closing_a_run_stops_every_pagefind_it_started(tmp_path):
    """A newer rebuild stops a run halfway: its Pagefind processes are gone with its broker."""
    post = page_document(SearchPage("posts/a/", "A post", "<p>" + "etcd " * 2000 + "</p>"))
    indexer = SearchIndexer(tmp_path / "pagefind", budget=1)  # a shard a page
    for n in range(5):
        indexer.add(f"posts/{n}/index.html", post)
    time.sleep(0.5)  # some shards started
    broker = indexer._broker
    assert broker is not None
    children = _children(broker.pid)
    assert children, "the broker started no Pagefind"
    indexer.close()
    assert broker.returncode is not None
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in children)


def test_a_run_stopped_while_its_index_is_written_stops_at_once(tmp_path):
    """A serve rebuild that starts while the last index is written stops that run: the broker exits
    on the order, rather than being killed once ``close`` gave up waiting for it."""
    indexer = SearchIndexer(tmp_path / "out", binary=_script(tmp_path, "exec sleep 60"))  # never done writing
    indexer.add("posts/a/index.html", "<p>a</p>")
    indexer.start()
    time.sleep(0.3)  # the broker has taken the order to write the index
    broker = indexer._broker
    assert broker is not None
    children = _children(broker.pid)
    assert children, "the broker started no Pagefind"
    indexer.close()
    assert broker.returncode == 0  # it exited on the order (killed: -9)
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in children)


def test_the_orders_that_come_together_are_each_carried_out(tmp_path):
    """The orders "start" and "stop" read in one chunk: the run stops, it does not wait for the index."""
    indexer = SearchIndexer(tmp_path / "out", binary=_script(tmp_path, "exec sleep 60"))
    indexer.add("posts/a/index.html", "<p>a</p>")
    broker = indexer._broker
    assert broker is not None and indexer._control is not None
    os.write(indexer._control, b"start\nstop\n")
    assert broker.wait(timeout=30) == 0
    indexer.close()


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in found.read_text().split()] if found.exists() else []


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    return True


def test_by_default_a_site_of_any_size_is_one_index(tmp_path):
    """Split, Pagefind would rank each shard's pages by that shard's own statistics."""
    indexer = SearchIndexer(tmp_path / "pagefind")
    post = page_document(SearchPage("posts/a/", "A post", "<p>" + "etcd servers " * 8000 + "</p>"))  # 100 KB
    for n in range(12):
        indexer.add(f"posts/{n}/index.html", post)
    indexer.start()
    assert indexer.finish() == []
    assert indexer.shards == 1 and _page_count(tmp_path / "pagefind") == 12


@pytest.mark.parametrize(
    ("value", "budget", "warned"),
    [(None, None, False), (64, 64 << 20, False), (0, None, True), ("64", None, True), (True, None, True)],
)
def test_the_shard_size_is_read_from_mkdocs_yml(value, budget, warned, caplog):
    from mkdocs.config import load_config

    config = load_config(config_file=str(CONFIG))  # loads the hook module
    hooks = sys.modules["hooks/flagref_mkdocs.py"]
    options = {} if value is None else {"search_shard_mib": value}
    with caplog.at_level("WARNING"):
        assert hooks._shard_budget(options, config) == budget
    assert ("search_shard_mib" in caplog.text) is warned
    assert (f"{CONFIG}: extra.flagref.search_shard_mib is" in caplog.text) is warned  # names the file


def _service_script(tmp_path: Path, answers: list[dict]) -> Path:
    """A stand-in for Pagefind's service: reads each request (up to its comma) and gives the next answer."""
    lines = ["#!/bin/bash"]
    for answer in answers:
        encoded = base64.b64encode(json.dumps(answer).encode()).decode()
        lines.append(f"read -r -d , request; printf '%s,' '{encoded}'")
    lines.append("sleep 60")
    script = tmp_path / "pagefind"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize(
    "error",
    [
        {"message_id": 3, "payload": {"type": "Error", "message": "no body"}},
        # A request Pagefind could not read: answered without its number, with the request itself.
        {
            "message_id": None,
            "payload": {"type": "Error", "message": "no body", "original_message": '{"message_id": 3}'},
        },
    ],
    ids=["numbered", "unread"],
)
def test_a_page_pagefind_cannot_index_is_named(tmp_path, error):
    """Pagefind answers each request by its number: an error names the page it was about."""
    script = _service_script(
        tmp_path,
        [
            {"message_id": 1, "payload": {"type": "NewIndex", "index_id": 0}},
            {"message_id": 2, "payload": {"type": "IndexedFile"}},
            error,
            {"message_id": 4, "payload": {"type": "GetFiles", "files": []}},
        ],
    )
    indexer = SearchIndexer(tmp_path / "out", binary=script)
    indexer.add("posts/good/index.html", "<p>a</p>")
    indexer.add("posts/bad/index.html", "<p>b</p>")
    indexer.start()
    assert indexer.finish(timeout=30) == [
        "search: Pagefind could not index posts/bad/index.html (no body); the search does not find it"
    ]
    assert indexer.documents == 1
