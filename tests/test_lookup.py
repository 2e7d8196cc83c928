"""``flagref lookup``: a flag typed as written finds its entry, from docs/ directly, cached by content."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import DOCS
from flagref.cli import _lookup_argv, main
from flagref.lookup import FlagDocument, load_document, lookup_flag, read_query
from flagref.render.answer import render_answer
from flagref.render.exports import KUBERNETES_ORDER

SEED_PATH = "docs/posts/kubernetes/components/2019-10-24-etcd.md"


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> FlagDocument:
    doc, report = load_document(DOCS, cache_dir=tmp_path_factory.mktemp("cache"))
    assert report.posts >= 1 and not report.hit
    return doc


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("--etcd-servers", (None, "--etcd-servers")),
        ("  etcd-servers ", (None, "etcd-servers")),
        ("etcd servers", (None, "etcd-servers")),
        ("--etcd-servers=https://127.0.0.1:2379", (None, "--etcd-servers")),
        ("kube-apiserver --etcd-servers", ("kube-apiserver", "--etcd-servers")),
        ("ETCD_LISTEN_CLIENT_URLS", (None, "ETCD_LISTEN_CLIENT_URLS")),
        ("", (None, "")),
    ],
)
def test_read_query(query, expected):
    assert read_query(query) == expected


@pytest.mark.parametrize(
    ("query", "component", "expected"),
    [
        ("--etcd-servers", None, [("kube-apiserver", "etcd-servers")]),
        ("etcd-servers", None, [("kube-apiserver", "etcd-servers")]),
        ("etcd servers", None, [("kube-apiserver", "etcd-servers")]),
        ("—etcd-servers", None, [("kube-apiserver", "etcd-servers")]),  # a dash an editor made typographic
        ("ETCD_LISTEN_CLIENT_URLS", None, [("etcd", "listen-client-urls")]),
        ("--listen-client-urls", None, [("etcd", "listen-client-urls")]),
        ("-n", "kubectl", [("kubectl", "namespace")]),
        ("kube-apiserver --etcd-servers", None, [("kube-apiserver", "etcd-servers")]),
        ("--data-dir", "etcd", [("etcd", "data-dir")]),
    ],
)
def test_lookup_finds_the_entry(document, query, component, expected):
    result = lookup_flag(document, query, component)
    assert [(m["component"], m["name"]) for m in result.matches] == expected, result


def test_lookup_answer_has_everything_a_reader_asks(document):
    (record,) = lookup_flag(document, "--etcd-servers").matches
    assert record["meaning"] and record["type"] == "url-list"
    assert record["lifecycle"]["timeline"].startswith("listed ")
    values = [v for v in record["values"] if v["kind"] == "manifest"]
    assert [(v["value"], v["path"], v["line"]) for v in values] == [("https://127.0.0.1:2379", SEED_PATH, 36)]
    assert {"etcd --listen-client-urls"} <= {
        f"{r['other']['component']} {r['other']['flag']}" for r in record["relations"]
    }
    assert record["upstream"].startswith("https://kubernetes.io/")
    text = render_answer(lookup_flag(document, "--etcd-servers"), site_url="https://site/")
    for part in (
        "kube-apiserver --etcd-servers",
        "type: url-list",
        "lifecycle: listed",
        f"{SEED_PATH}:36",
        "related: etcd --listen-client-urls",
        "upstream: https://kubernetes.io/",
        "reference: https://site/flags/kube-apiserver/#etcd-servers",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("query", "component", "suggested"),
    [
        ("--etcd-server", None, "kube-apiserver --etcd-servers"),
        ("etcd-srevers", None, "kube-apiserver --etcd-servers"),
        ("--listen-client-url", "etcd", "etcd --listen-client-urls"),
    ],
)
def test_misspelt_flag_gets_did_you_mean(document, query, component, suggested):
    result = lookup_flag(document, query, component)
    assert not result.found and result.problem
    assert suggested in result.suggestions[:3]
    assert "did you mean:" in render_answer(result)


def test_unknown_component_suggests_components(document):
    result = lookup_flag(document, "--data-dir", "etcdd")
    assert not result.found and "etcd" in result.suggestions


@pytest.mark.parametrize("query", ["--", "-", "=", "   ", "_", "ETCD_", "-" * 10_000, "a" * 10_000 + "!", "\0", "--ü"])
def test_hostile_queries_answer_without_crashing(document, query):
    result = lookup_flag(document, query)
    assert not result.found and result.problem


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["lookup", "--etcd-servers"], ["lookup", "--", "--etcd-servers"]),
        (["lookup", "--etcd-servers", "--json"], ["lookup", "--json", "--", "--etcd-servers"]),
        (["lookup", "-n", "--component", "kubectl"], ["lookup", "--component", "kubectl", "--", "-n"]),
        (["lookup", "--component=etcd", "data-dir"], ["lookup", "--component=etcd", "--", "data-dir"]),
        (["lookup", "--help"], ["lookup", "--help"]),
        (["scan", "docs"], ["scan", "docs"]),
    ],
)
def test_lookup_argv_takes_the_flag_as_an_argument(argv, expected):
    assert _lookup_argv(argv) == expected


def test_cli_lookup_text_json_and_exit_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path))
    assert main(["lookup", "--etcd-servers", "--docs", str(DOCS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("kube-apiserver --etcd-servers\n") and f"{SEED_PATH}:36" in out
    assert main(["lookup", "ETCD_LISTEN_CLIENT_URLS", "--json", "--docs", str(DOCS)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(m["component"], m["flag"]) for m in data["matches"]] == [("etcd", "--listen-client-urls")]
    assert main(["lookup", "--etcd-server", "--docs", str(DOCS)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "did you mean:\n  kube-apiserver --etcd-servers" in captured.err
    assert main(["lookup", "x", "--docs", str(tmp_path / "nowhere")]) == 2


def test_cache_is_keyed_by_each_post(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    cache = tmp_path / "cache"
    _, cold = load_document(docs, cache_dir=cache)
    _, warm = load_document(docs, cache_dir=cache)
    assert (cold.hit, cold.parsed) == (False, cold.posts) and (warm.hit, warm.parsed) == (True, 0)
    # A second post: only it is read; an edited value is seen at once.
    seed = tmp_path / SEED_PATH
    text = seed.read_text(encoding="utf-8")
    (seed.parent / "2019-10-25-copy.md").write_text(text.replace("title: ", "title: copy of ", 1), encoding="utf-8")
    seed.write_text(text.replace("--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=https://10.0.0.9:2379"))
    doc, report = load_document(docs, cache_dir=cache)
    assert (report.hit, report.parsed, report.posts) == (False, 2, 2)
    (record,) = lookup_flag(doc, "--etcd-servers").matches
    assert {v["value"] for v in record["values"] if v["kind"] == "manifest"} == {
        "https://10.0.0.9:2379",
        "https://127.0.0.1:2379",
    }
    (tmp_path / SEED_PATH).unlink()
    _, report = load_document(docs, cache_dir=cache)
    assert (report.hit, report.parsed, report.posts) == (False, 0, 1)


def test_broken_cache_file_is_recomputed(tmp_path):
    cache = tmp_path / "cache"
    _, first = load_document(DOCS, cache_dir=cache)
    first.cache_file.write_text("{not json", encoding="utf-8")
    (first.cache_file.parent / "posts.json").write_text("[]", encoding="utf-8")
    doc, again = load_document(DOCS, cache_dir=cache)
    assert not again.hit and lookup_flag(doc, "--etcd-servers").found
    _, third = load_document(DOCS, cache_dir=cache)
    assert third.hit


def test_flags_index_lists_kubernetes_components_first_with_counts_and_meanings(seed_site):
    page = seed_site.page("flags/")
    headings = [h.get("id") for h in page.select("article h2") if h.get("id", "").startswith("component-")]
    assert headings[:9] == [f"component-{c}" for c in KUBERNETES_ORDER]
    others = headings[9:]
    assert others == sorted(others)
    assert page.select_one("article input.flagref-filter__input[type=search]") is not None
    item = page.select_one('li[data-flag^="kube-apiserver --etcd-servers "]')
    assert item.select_one("a code").get_text() == "--etcd-servers"
    assert item.select_one(".flagref-count").get_text() == "(3)"
    assert item.select_one(".flagref-oneline").get_text().startswith("etcd client URLs")
    # The lists are out of the search index: search leads to each flag's own entry instead.
    assert item.find_parent("ul").has_attr("data-search-exclude")
