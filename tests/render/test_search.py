"""The site search: the documents sent to Pagefind, the indexer run, and what a build publishes."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CONFIG
from flagref.render.search import (
    RECORDS_FOLDER,
    SearchPage,
    flag_documents,
    page_document,
    stage_path,
    without_code,
)
from flagref.searchindex import SearchIndexer, pagefind_binary, scratch_folder, sweep_scratch

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
def test_a_page_path_that_is_not_plain_is_refused(path):
    indexer = SearchIndexer(binary=None)
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
    indexer = SearchIndexer(binary=_script(tmp_path, "echo 'Error: no pages' >&2; exit 3"))
    indexer.start(tmp_path / "out")
    problems = indexer.finish()
    assert problems == ["search: Pagefind failed (exit 3), the site has no search index: Error: no pages"]
    assert _logs() == []


def test_pages_sent_to_an_indexer_that_exited_are_not_waited_for(tmp_path):
    indexer = SearchIndexer(binary=_script(tmp_path, "echo 'Error: gone' >&2; exit 3"))
    indexer._process.wait()
    page = "<p>" + "x" * 100_000 + "</p>"  # far more than a pipe holds: a write that waited would hang
    assert [indexer.add(f"posts/{n}/index.html", page) for n in range(50)] == [None] * 50
    indexer.start(tmp_path / "out")
    assert indexer.finish(timeout=30) == ["search: Pagefind failed (exit 3), the site has no search index: Error: gone"]


def test_an_indexer_that_hangs_is_stopped(tmp_path):
    indexer = SearchIndexer(binary=_script(tmp_path, "exec sleep 60"))
    indexer.start(tmp_path / "out")
    problems = indexer.finish(timeout=0.5)
    assert problems == ["search: Pagefind took over 0.5 s and was stopped; the site has no search index"]


def test_without_the_binary_the_build_says_what_to_install(tmp_path):
    indexer = SearchIndexer(binary=None)
    indexer.binary = None
    indexer.start(tmp_path / "out")
    (problem,) = indexer.finish()
    assert "Pagefind binary is missing" in problem and "pip install pagefind-bin" in problem


def test_a_binary_that_cannot_be_started_is_reported(tmp_path):
    indexer = SearchIndexer(binary=tmp_path / "no-such-pagefind")
    assert indexer.add("posts/a/index.html", "<p>a</p>") is None  # reported once, below, not per page
    indexer.start(tmp_path / "out")
    (problem,) = indexer.finish()
    assert "could not be started" in problem and "no-such-pagefind" in problem
    assert not (tmp_path / "out").exists()


def _entry(bundle: Path) -> dict:
    return json.loads((bundle / "pagefind-entry.json").read_text())


def test_pagefind_indexes_the_documents_sent(tmp_path):
    assert pagefind_binary() is not None, "pagefind-bin is a dependency of the site"
    indexer = SearchIndexer()
    indexer.add("posts/a/index.html", page_document(SearchPage("posts/a/", "A post", "<p>etcd servers</p>", ("x",))))
    for path, html in flag_documents({"flags": [_flag("listen-client-urls")]}):
        indexer.add(path, html)
    indexer.start(tmp_path / "pagefind")
    assert indexer.finish() == []
    assert indexer.documents == 2
    assert _entry(tmp_path / "pagefind")["languages"]["en"]["page_count"] == 2
    assert (tmp_path / "pagefind" / "pagefind.js").is_file()
    assert list((tmp_path / "pagefind" / "filter").iterdir())  # the kind and flag filters
    assert _logs() == []


def test_pages_sent_from_a_forked_process_are_indexed_with_the_others(tmp_path):
    """The decoration worker is forked after the indexer starts, and sends the posts it decorates."""
    indexer = SearchIndexer()
    page = page_document(SearchPage("posts/a/", "A post", "<p>" + "etcd servers " * 5000 + "</p>"))

    def send(first: int) -> None:
        for n in range(first, first + 20):
            indexer.add(f"posts/{n}/index.html", page)

    child = multiprocessing.get_context("fork").Process(target=send, args=(0,))
    child.start()
    send(20)  # at the same time from here: requests must not interleave
    child.join(timeout=60)
    assert child.exitcode == 0
    indexer.start(tmp_path / "pagefind")
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
