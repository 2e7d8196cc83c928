"""Finding a flag as a reader does: typed into the header search or the /flags/ filter, in Chromium.

The seed site is served on 127.0.0.1 (see ``test_browser``); every keystroke is typed with the
keyboard, dashes included. A screenshot of each step is saved under the test's ``tmp_path``.
"""

# The fixtures of test_browser are imported, and taken by name as arguments (F811 says "redefined").
# ruff: noqa: F811
from __future__ import annotations

import json
import re
import shutil

import pytest
from test_browser import (  # noqa: F401 - fixtures, used by name
    INJECTION_URL,
    SEED_TITLE,
    article,
    browser,
    expect,
    fixture_base,
    open_reader,
    seed_base,
    serve,
)

from conftest import SEED_URL
from flagref.searchbroker import SHARDS_LISTING

pytestmark = pytest.mark.browser


def _search(page, query: str):
    """Open the search with its keyboard shortcut and type ``query``; the result list."""
    box = page.locator("input.md-search__input")
    if box.evaluate("el => el !== document.activeElement"):
        page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    page.keyboard.type(query, delay=15)
    results = page.locator(".md-search-result__list > .md-search-result__item")
    expect(results.first).to_be_visible()
    _answered(page, query)
    return results


# Records, in the page, which query the search worker's last result answers (its RESULT messages carry it).
_LISTEN = """(() => {
  const Original = window.Worker;
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (e.data && e.data.type === 3) window.__flagrefAnswered = e.data.data.query;
      });
    }
  };
})();"""


@pytest.fixture
def reader(open_reader):
    """A reader whose page records which query each search result answers."""
    made = open_reader()
    made.page.add_init_script(_LISTEN)
    return made


@pytest.fixture(scope="module")
def sharded_base(sharded_seed_site):
    """The seed site with its search index in two shards (the flag records; the seed post), served."""
    assert sharded_seed_site.warnings == []
    assert json.loads((sharded_seed_site.site / "pagefind" / SHARDS_LISTING).read_text())["shards"] == ["shards/1/"]
    with serve(sharded_seed_site.site) as base:
        yield base


@pytest.fixture(params=["one index", "shards"])
def search_base(request) -> str:
    """The seed site served, its search index in one piece or in shards merged in the browser."""
    return request.getfixturevalue("seed_base" if request.param == "one index" else "sharded_base")


def _answered(page, query: str) -> None:
    """Wait until the list shows the answer to ``query`` itself, not to a prefix typed on the way."""
    page.wait_for_function("q => window.__flagrefAnswered === q", arg=query, timeout=10_000)
    page.wait_for_timeout(50)  # Material renders the list on the next frame


def _expect_first(results, url: str) -> None:
    """The first result is on the page at ``url``, once the results of the whole query are in."""
    link = results.first.locator("a.md-search-result__link").first
    expect(link).to_have_attribute("href", re.compile("^" + re.escape(url)))


@pytest.mark.parametrize(
    ("query", "page_url", "anchor", "in_seed"),
    [
        ("--etcd-servers", "flags/kube-apiserver/", "etcd-servers", True),
        ("etcd-servers", "flags/kube-apiserver/", "etcd-servers", True),
        ("etcd servers", "flags/kube-apiserver/", "etcd-servers", True),
        ("\u2014etcd-servers", "flags/kube-apiserver/", "etcd-servers", True),  # an editor's em dash
        ("--listen-client-urls", "flags/etcd/", "listen-client-urls", True),
        ("ETCD_LISTEN_CLIENT_URLS", "flags/etcd/", "listen-client-urls", True),
        # Catalogued, and used by no post of the seed site.
        ("--authorization-mode", "flags/kube-apiserver/", "authorization-mode", False),
    ],
)
def test_a_flag_typed_as_written_finds_its_entry_first(reader, search_base, tmp_path, query, page_url, anchor, in_seed):
    page = reader.page
    reader.open(search_base, idle=True)
    results = _search(page, query)
    _expect_first(results, search_base + page_url)
    entry = results.first.locator(f'a[href*="#{anchor}"]').first
    expect(entry).to_be_visible()
    expect(entry.locator("h1, h2").first).to_have_text(re.compile(rf"^--{re.escape(anchor)}$"))
    if in_seed:
        # The posts that use the flag come right after its entries: the first result off /flags/ is the seed.
        hrefs = page.locator(".md-search-result__item").evaluate_all(
            "items => items.map(i => i.querySelector('a').getAttribute('href'))"
        )
        first_post = next((h for h in hrefs if "/flags/" not in h), str(hrefs))
        assert first_post.startswith(search_base + SEED_URL), hrefs
    page.screenshot(path=tmp_path / "search.png")
    assert reader.foreign() == []


def test_enter_lands_on_the_entry(reader, search_base, tmp_path):
    page = reader.page
    reader.open(search_base + SEED_URL, idle=True)
    _expect_first(_search(page, "--etcd-servers"), search_base + "flags/kube-apiserver/")
    page.screenshot(path=tmp_path / "1-typed.png")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(search_base) + r"flags/kube-apiserver/(\?[^#]*)?#etcd-servers$"))
    heading = page.locator("#etcd-servers")
    expect(heading).to_be_in_viewport()
    page.screenshot(path=tmp_path / "2-entry.png")
    assert reader.foreign() == []


def test_a_shard_that_cannot_be_loaded_leaves_the_others_answering(reader, sharded_seed_site, tmp_path):
    """A listing that names a shard gone (a cached listing after a rebuild): its pages are missing, no more."""
    site = tmp_path / "site"
    shutil.copytree(sharded_seed_site.site, site)
    listing = site / "pagefind" / SHARDS_LISTING
    listing.write_text(json.dumps({"shards": ["shards/99/", *json.loads(listing.read_text())["shards"]]}))
    with serve(site) as base:
        page = reader.page
        reader.open(base, idle=True)
        _expect_first(_search(page, "etcd component cluster"), base + SEED_URL)
        _expect_first(_search(page, "--etcd-servers"), base + "flags/kube-apiserver/")


def test_ordinary_words_and_exclusion_keep_working(reader, search_base):
    page = reader.page
    reader.open(search_base, idle=True)
    results = _search(page, "etcd component cluster")
    _expect_first(results, search_base + SEED_URL)
    with_flag = page.locator('.md-search-result__list a[href*="#etcd-servers"]')
    _search(page, "etcd servers")
    expect(with_flag.first).to_be_attached()
    # The reader's own "-word": nothing that holds "servers" stays.
    _search(page, "etcd -servers")
    expect(with_flag).to_have_count(0)


# Every answer of the search worker, in order: its query and the first location of each result.
_ALL_ANSWERS = """(() => {
  const Original = window.Worker;
  window.__flagrefAnswers = [];
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (e.data && e.data.type === 3) {
          window.__flagrefAnswers.push({query: e.data.data.query, items: e.data.data.items.map(g => g[0].location)});
        }
      });
    }
  };
})();"""


def test_a_long_answer_shows_its_first_ten_results_before_the_rest(open_reader, seed_base):
    """The first ten results are sent as soon as they are loaded; the list is then completed to twenty."""
    reader = open_reader()
    page = reader.page
    page.add_init_script(_ALL_ANSWERS)
    reader.open(seed_base, idle=True)
    page.keyboard.press("/")
    page.keyboard.type("etcd", delay=15)  # matches the seed post and most of etcd's entries
    page.wait_for_function(
        "() => window.__flagrefAnswers.filter(a => a.query === 'etcd' && a.items.length === 20).length === 1",
        timeout=10_000,
    )
    page.wait_for_timeout(200)  # nothing more comes for the query
    answers = [a["items"] for a in page.evaluate("() => window.__flagrefAnswers") if a["query"] == "etcd"]
    assert [len(items) for items in answers] == [10, 20]
    assert set(answers[0]) <= set(answers[1])


def test_flags_filter_narrows_the_list_as_you_type(reader, seed_base, tmp_path):
    page = reader.page
    reader.open(seed_base + "flags/", idle=True)
    items = article(page).locator("li[data-flag]")
    visible = article(page).locator("li[data-flag]:visible")
    total = items.count()
    assert total > 100 and visible.count() == total
    headings = [h.strip().rstrip("¶") for h in article(page).locator("h2").all_inner_texts()]
    assert headings[:4] == ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    page.screenshot(path=tmp_path / "1-all.png")
    box = article(page).locator("input.flagref-filter__input")
    box.click()
    page.keyboard.type("--etcd-serv", delay=15)
    expect(visible).to_have_count(2)  # --etcd-servers and --etcd-servers-overrides
    expect(visible.first.locator("code")).to_have_text("--etcd-servers")
    expect(visible.first.locator(".flagref-count")).to_have_text(
        "(3)"
    )  # its manifest value and two mentions in the prose
    expect(visible.first.locator(".flagref-oneline")).to_contain_text("etcd client URLs")
    expect(article(page).locator("h2#component-etcd")).to_be_hidden()
    expect(article(page).locator(".flagref-filter__count")).to_have_text("2 flags match")
    page.screenshot(path=tmp_path / "2-filtered.png")
    page.keyboard.press("Control+a")
    page.keyboard.type("ETCD_LISTEN_CLIENT_URLS", delay=5)
    # Every word typed is in each flag left (its name or meaning), and they are etcd's.
    expect(visible.first.locator("code")).to_have_text("--listen-client-urls")
    assert all(f.startswith("etcd ") for f in visible.evaluate_all("els => els.map(e => e.dataset.flag)"))
    page.keyboard.press("Backspace")
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    expect(visible).to_have_count(total)
    assert reader.foreign() == []


def test_a_flag_in_the_seed_manifest_leads_to_its_entry(reader, seed_base, tmp_path):
    page = reader.page
    reader.open(seed_base + SEED_URL, idle=True)
    flag = article(page).locator("pre a.flagref-flag", has_text=re.compile(r"^--data-dir$"))
    expect(flag).to_have_count(1)
    flag.scroll_into_view_if_needed()
    page.wait_for_timeout(250)  # Material records the scroll offset 100 ms after a scroll (see test_browser)
    flag.click()
    expect(page).to_have_url(seed_base + "flags/etcd/#data-dir")
    expect(page.locator("#data-dir")).to_be_in_viewport()
    page.screenshot(path=tmp_path / "entry.png")


def test_seed_post_offline_has_no_failed_request(reader, seed_base, tmp_path):
    failed: list[str] = []
    reader.page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    reader.page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url}: HTTP {r.status}"))
    reader.open(seed_base + SEED_URL, idle=True)
    expect(article(reader.page).locator("h1")).to_have_text(SEED_TITLE)
    _search(reader.page, "--etcd-servers")
    reader.page.screenshot(path=tmp_path / "offline.png")
    assert failed == [] and reader.foreign() == []


@pytest.mark.parametrize("query", ["friends", "alert", "--foo"])
def test_markup_from_a_post_is_shown_as_text_in_results(reader, fixture_base, tmp_path, query):
    page = reader.page
    reader.open(fixture_base, idle=True)
    _search(page, query)
    listed = page.locator(".md-search-result__list")
    expect(listed.locator(f'a[href*="{INJECTION_URL}"]').first).to_be_attached()
    # The post's title, its flag value and its Pod name reach the list as text: no element is made of them.
    assert listed.locator("script, img, b").count() == 0
    if query == "friends":
        expect(listed.locator("h1").first).to_contain_text("<script>alert('title')</script> & friends")
    page.wait_for_timeout(200)  # an injected handler would have run by now
    page.screenshot(path=tmp_path / "results.png")
    assert reader.dialogs == []
