"""Flag tables in posts, links from code and prose, and the generated reference."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import unquote, urljoin

import pytest

from conftest import DOCS, SEED_URL, cell_value, search_fragments
from flagref.checks.secrets import MASK
from test_engine import SEED_APISERVER, SEED_ETCD

TOKEN = "7c2kq1.9f3hx0a8b1c2d3e4"
CERT_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"


def _resolve(built, page_url, href):
    """The file and fragment an href of the page at page_url points to."""
    target = urljoin("http://site/" + page_url, href)
    path, _, fragment = target.removeprefix("http://site/").partition("#")
    file = built.site / unquote(path) / "index.html" if not path.endswith(".html") else built.site / path
    return file, fragment


def _assert_link_resolves(built, page_url, href):
    file, fragment = _resolve(built, page_url, href)
    assert file.is_file(), f"{href} from {page_url}: no {file}"
    if fragment:
        assert f'id="{fragment}"' in file.read_text(encoding="utf-8"), f"{href} from {page_url}: no #{fragment}"


def _tables(built, url):
    return built.article(url).select("details.flagref-table")


def _rows(table):
    return [
        (row.select("td")[0].get_text(" ", strip=True), cell_value(row.select("td")[1]))
        for row in table.select("tbody tr")
    ]


def test_seed_manifest_tables(seed_site):
    tables = {t.summary.get_text(): t for t in _tables(seed_site, SEED_URL)}
    apiserver = tables["kube-apiserver — Pod kube-apiserver-master (kube-system), 4 flags, manifest truncated"]
    etcd = tables["etcd — Pod etcd-master (kube-system), 17 flags, manifest truncated"]
    assert dict(_rows(apiserver)) == SEED_APISERVER
    assert dict(_rows(etcd)) == SEED_ETCD
    assert apiserver.has_attr("open") and not etcd.has_attr("open")  # long tables start collapsed
    # Comma lists are shown one value per line.
    row = [r for r in etcd.select("tbody tr") if "--listen-client-urls" in r.td.get_text()][0]
    assert [c.get_text() for c in row.select(".flagref-item code")] == [
        "https://127.0.0.1:2379",
        "https://10.128.15.226:2379",
    ]
    meaning = row.select("td")[2].get_text()
    assert "listens on for client requests" in meaning


def test_every_table_link_resolves(seed_site):
    for table in _tables(seed_site, SEED_URL):
        for a in table.select("a[href]"):
            _assert_link_resolves(seed_site, SEED_URL, a["href"])


def test_tables_sit_right_under_their_block(seed_site):
    article = seed_site.article(SEED_URL)
    etcd_block = article.select("pre")[3]
    nxt = etcd_block.find_parent("div", class_="highlight").find_next_sibling("details")
    assert nxt.summary.get_text().startswith("etcd — Pod etcd-master")


def test_flags_inside_code_blocks_link_with_a_tooltip(seed_site):
    article = seed_site.article(SEED_URL)
    manifest = article.select("pre")[3]
    links = {a.get_text(): a for a in manifest.select("a.flagref-flag")}
    assert set(SEED_ETCD) <= set(links)
    a = links["--listen-client-urls"]
    assert a["title"].startswith("etcd --listen-client-urls: ")
    assert a["href"].endswith("flags/etcd/#listen-client-urls")
    for a in manifest.select("a.flagref-flag"):
        _assert_link_resolves(seed_site, SEED_URL, a["href"])
    # The text of the block is still the transcript, character for character.
    assert "- --listen-client-urls=https://127.0.0.1:2379,https://10.128.15.226:2379" in manifest.get_text()


def test_prose_mentions_link_to_their_component(seed_site):
    article = seed_site.article(SEED_URL)
    mentions = [(a.get_text(), a["href"]) for a in article.select("a.flagref-mention")]
    assert ("--etcd-servers", "../../../../flags/kube-apiserver/#etcd-servers") in mentions  # bare, in a sentence
    assert ("--etcd-servers=https://127.0.0.1:2379", "../../../../flags/kube-apiserver/#etcd-servers") in mentions
    assert ("--listen-client-urls", "../../../../flags/etcd/#listen-client-urls") in mentions
    assert ("--advertise-client-urls", "../../../../flags/etcd/#advertise-client-urls") in mentions
    for _, href in mentions:
        _assert_link_resolves(seed_site, SEED_URL, href)
    # The flag name never breaks after its dashes.
    for a in article.select("a.flagref-mention"):
        assert a.select_one(".flagref-flagname").get_text().startswith("--")


@pytest.mark.parametrize(("component", "flags"), [("etcd", SEED_ETCD), ("kube-apiserver", SEED_APISERVER)])
def test_reference_entries_for_the_seed_flags(seed_site, component, flags):
    url = f"flags/{component}/"
    page = seed_site.page(url)
    for flag, value in flags.items():
        name = flag.removeprefix("--")
        heading = page.select_one(f"h2#{name}")
        assert heading is not None, f"{component} {flag} has no entry"
        entry = heading.find_next_sibling("div", class_="flagref-entry")
        assert entry.select_one(".flagref-meaning").get_text().strip()
        values = [cell_value(c) for c in entry.select("td.flagref-value")]
        assert value in values
        back = [a for a in entry.select("a[href]") if "flagref-block-" in a["href"]]
        assert back and back[0].get_text() == "kubernetes > etcd as a component in the cluster"
        _assert_link_resolves(seed_site, url, back[0]["href"])
        upstream = entry.select_one(".flagref-upstream a")["href"]
        if component == "etcd":
            assert upstream == f"https://etcd.io/docs/v3.4/op-guide/configuration/#--{name}"
        else:
            dashed = "%2D%2D" + name.replace("-", "%2D")
            assert (
                upstream
                == f"https://kubernetes.io/docs/reference/command-line-tools-reference/{component}/#:~:text={dashed}"
            )


def test_etcd_entry_shows_its_environment_variable(seed_site):
    entry = seed_site.page("flags/etcd/").select_one("h2#data-dir").find_next_sibling("div")
    assert "ETCD_DATA_DIR" in entry.get_text()


def test_removed_flags_are_marked(seed_site):
    entry = seed_site.page("flags/kube-scheduler/").select_one("h2#port").find_next_sibling("div")
    assert "removed in" in entry.select_one(".flagref-badge--removed").get_text()


def test_reference_index_groups_by_component_and_links_everything(seed_site):
    page = seed_site.page("flags/")
    groups = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h2")]
    for component in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"):
        assert component in groups
    etcd_list = page.select_one("h2#component-etcd").find_next_sibling("div")
    names = [a.get_text() for a in etcd_list.select("a code")]
    assert names == sorted(names) and "--listen-client-urls" in names
    for a in page.select("article a[href]"):
        if not a["href"].startswith(("http", "#")):
            _assert_link_resolves(seed_site, "flags/", a["href"])


def test_escaping_of_values_and_titles(fixture_site):
    url = "posts/site/2020-02-05-script-injection/"
    html = (fixture_site.site / url / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    article = fixture_site.article(url)
    assert article.h1.get_text() == "<script>alert('title')</script> & friends"
    (table,) = _tables(fixture_site, url)
    assert _rows(table) == [("--foo", "<script>alert(1)</script>")]
    assert "Pod <img src=x onerror=alert(2)>" in table.summary.get_text()
    for page in ("", "flags/kube-apiserver/", "categories/b-bold-b/"):
        text = (fixture_site.site / page / "index.html").read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<b>bold</b>" not in text
    home = fixture_site.page("")
    assert any(c.get_text() == "<script>alert('title')</script> & friends" for c in home.select(".flagref-card__title"))


def test_secrets_are_masked_and_reported(fixture_site):
    url = "posts/site/2020-02-06-secrets/"
    for page in (url, "flags/kubeadm/"):
        html = (fixture_site.site / page / "index.html").read_text(encoding="utf-8")
        assert TOKEN not in html and CERT_KEY not in html, page
    (table,) = _tables(fixture_site, url)
    values = dict(_rows(table))
    assert values["--token"] == MASK and values["--certificate-key"] == MASK
    assert values["--discovery-token-ca-cert-hash"].startswith("sha256:")  # a hash is not a secret
    index = json.dumps(search_fragments(fixture_site.site))
    assert "2020-02-06-secrets" in index  # the post is in the search index, its secrets are not
    assert TOKEN not in index and CERT_KEY not in index
    assert (
        "tests/fixtures/docs/posts/site/2020-02-06-secrets.md:7: kubeadm --token holds what looks like a secret; "
        "the site masks it in tables, the reference and search, but it is in the post's source: if it is real, "
        "revoke it and write a placeholder"
    ) in fixture_site.warnings


def test_flags_missing_from_the_catalog_are_shown_not_dropped(fixture_site):
    (table,) = _tables(fixture_site, "posts/site/2020-02-05-script-injection/")
    assert "no description yet" in table.get_text()
    entry = fixture_site.page("flags/kube-apiserver/").select_one("h2#foo").find_next_sibling("div")
    assert "not in the catalog" in entry.get_text()


def test_every_flag_in_docs_and_snippets_is_in_the_catalog():
    out = subprocess.run(
        [sys.executable, "-m", "flagref.cli", "catalog", "--missing", str(DOCS)], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout == "", "flags without a catalog entry (add them to hooks/flagref/catalog/):\n" + out.stdout


def test_catalog_missing_names_path_and_line(tmp_path):
    post = tmp_path / "posts" / "2021-01-01-x.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\ntitle: x\n---\n```\n$ etcd --made-up-flag=1 --name=a\n```\n")
    out = subprocess.run(
        [sys.executable, "-m", "flagref.cli", "catalog", "--missing", str(tmp_path)], capture_output=True, text=True
    )
    assert out.stdout == "posts/2021-01-01-x.md:5: etcd --made-up-flag has no catalog entry\n"


def test_search_index_has_the_reference(seed_site):
    records = search_fragments(seed_site.site)
    # Each flag entry is a record of its own that opens the entry; the posts are pages.
    targets = {r["meta"].get("target") for r in records if r["filters"]["kind"] == ["flag"]}
    assert "flags/etcd/#listen-client-urls" in targets
    pages = {r["url"] for r in records if r["filters"]["kind"] == ["page"]}
    assert pages == {"/posts/kubernetes/components/2019-10-24-etcd/"}
    (seed,) = (r for r in records if r["url"] in pages)
    assert {"listen-client-urls", "etcd-servers"} <= set(seed["meta"]["flags"].split(" "))
    # Its code's output is left out; the commands it runs and the flags it writes are in.
    assert "--etcd-servers" in seed["content"] and "kubectl get po" in seed["content"]
    assert "32h" not in seed["content"] and "apiserver-etcd-client.key" not in seed["content"]


def test_catalog_missing_reads_snippets_no_post_includes(tmp_path):
    (tmp_path / "docs" / "posts").mkdir(parents=True)
    manifest = tmp_path / "snippets" / "manifests" / "etcd.yaml"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("spec:\n  containers:\n  - command:\n    - etcd\n    - --name=a\n    - --made-up=1\n")
    out = subprocess.run(
        [sys.executable, "-m", "flagref.cli", "catalog", "--missing", str(tmp_path / "docs")],
        capture_output=True,
        text=True,
    )
    assert out.stdout == "snippets/manifests/etcd.yaml:6: etcd --made-up has no catalog entry\n"
