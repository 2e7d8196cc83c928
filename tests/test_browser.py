"""What a reader sees: the built site served over HTTP and read in a real Chromium.

The real docs/ (built strictly) and the fixture posts (built without --strict)
are each served by ``http.server`` on 127.0.0.1, under the path of
``site_url`` (/flagref/) as on the published site. One Chromium serves the
whole module; each test gets a fresh context, with short timeouts, where every
request is recorded and any request to another host is refused.
"""

from __future__ import annotations

import functools
import http.server
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import CONFIG, SEED, SEED_URL
from flagref.checks.secrets import MASK

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 5_000
SEED_TITLE = "kubernetes > etcd as a component in the cluster"
INJECTION_URL = "posts/site/2020-02-05-script-injection/"
INJECTION_TITLE = "<script>alert('title')</script> & friends"
SCREENSHOTS = Path("/tmp")

expect.set_options(timeout=TIMEOUT_MS)


def _site_url() -> str:
    # Only the key is read; the !relative tag of the snippets options is not ours to resolve.
    for line in CONFIG.read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            return yaml.safe_load(line)["site_url"]
    raise AssertionError(f"{CONFIG}: no site_url")


SITE_URL = _site_url()
MOUNT = urlsplit(SITE_URL).path  # "/flagref/"


def fenced_texts(path: Path) -> list[str]:
    """The text between the ``` fences of a post, read straight from the file."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if current is None and re.fullmatch(r"```[^`]*", line):
            current = []
        elif current is not None and re.fullmatch(r"```\s*", line):
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


# --- the servers -------------------------------------------------------------


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site under MOUNT, as a static host would."""

    origin = ""

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(MOUNT):
            return str(Path(self.directory) / "__not_under_the_mount__")
        return super().translate_path("/" + path[len(MOUNT) :])

    def send_head(self):
        # The build writes site_url into sitemap.xml, and Material's instant
        # navigation only follows links listed there. A build for this origin
        # (what `mkdocs serve` does) would have written this origin instead.
        if urlsplit(self.path).path == MOUNT + "sitemap.xml":
            body = Path(self.translate_path(self.path)).read_bytes()
            site_origin = SITE_URL.removesuffix(MOUNT)
            body = body.replace(site_origin.encode(), self.origin.encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, *args) -> None:  # quiet: pytest shows only what fails
        return None


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 on a free port; yield the site's base URL."""
    handler = functools.partial(type("Handler", (_SiteHandler,), {}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.func.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield handler.func.origin + MOUNT
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def seed_base(seed_site) -> Iterator[str]:
    assert seed_site.warnings == []
    with serve(seed_site.site) as base:
        yield base


@pytest.fixture(scope="module")
def fixture_base(fixture_site) -> Iterator[str]:
    with serve(fixture_site.site) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Reader:
    """A page with what it asked the network for and the dialogs it opened."""

    page: Page
    requests: list = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        return [r.url for r in self.requests if _is_foreign(r.url)]

    def open(self, url: str, *, idle: bool = False) -> None:
        self.page.goto(url, wait_until="load")
        if idle:  # everything the page fetches after load too (sitemap, search index)
            self.page.wait_for_load_state("networkidle")


def _is_foreign(url: str) -> bool:
    return urlsplit(url).hostname not in ("127.0.0.1", None)


@pytest.fixture
def open_reader(browser):
    contexts = []

    def make(**options) -> Reader:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("color_scheme", "light")
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(2 * TIMEOUT_MS)
        page = context.new_page()
        reader = Reader(page)
        context.on("request", lambda request: reader.requests.append(request))
        context.route(_is_foreign, lambda route: route.abort())  # recorded above, never sent

        def on_dialog(dialog) -> None:
            reader.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return reader

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def reader(open_reader) -> Reader:
    return open_reader()


def article(page: Page) -> Locator:
    return page.locator("article.md-content__inner")


def open_all_tables(page: Page) -> None:
    folded = article(page).locator("details.flagref-table:not([open]) > summary")
    for _ in range(folded.count()):
        folded.first.click()
    expect(folded).to_have_count(0)


# --- the tests ---------------------------------------------------------------


def test_pages_fetch_nothing_from_another_host(reader, seed_base):
    urls = [
        SEED_URL,
        "",
        "categories/",
        "categories/kubernetes/",
        "archive/",
        "archive/2019/",
        "flags/",
        "flags/etcd/",
        "flags/kube-apiserver/",
    ]
    # One tab per page, loading side by side; each is then waited for until the network is idle.
    pages = [reader.page] + [reader.page.context.new_page() for _ in urls[1:]]
    for page, url in zip(pages, urls):
        page.goto(seed_base + url, wait_until="commit")
    for page in pages:
        page.wait_for_load_state("networkidle")
        expect(page.locator("h1").first).to_be_visible()
    assert reader.foreign() == []
    fetched = {urlsplit(r.url).path for r in reader.requests}
    assert {MOUNT + url for url in urls} <= fetched
    # The check above means something only if the pages did load their assets.
    assert any(p.endswith(".css") for p in fetched) and any(p.endswith(".js") for p in fetched)
    assert MOUNT + "search/search_index.json" in fetched
    # No web font at all: the theme's fonts are the reader's system fonts.
    assert [r.url for r in reader.requests if r.resource_type == "font"] == []


def test_seed_post_lists_and_code_blocks_as_written(reader, seed_base):
    reader.open(seed_base + SEED_URL)
    body = article(reader.page)
    expect(body.locator("h1")).to_have_text(SEED_TITLE)
    lists = body.locator("ul, ol")
    expect(lists).to_have_count(2)
    expect(body.locator("ul > li, ol > li")).to_have_count(4)
    for n in range(2):
        expect(lists.nth(n)).to_be_visible()
    codes = body.locator("pre > code")
    expect(codes).to_have_count(4)
    shown = [text.removesuffix("\n") for text in codes.evaluate_all("cs => cs.map(c => c.innerText)")]
    assert shown == fenced_texts(SEED)
    first = codes.first
    expect(first).to_be_visible()
    expect(first).to_contain_text("master   <none>           <none>")


WIDTHS = (360, 768, 1280)


def at_widths(page: Page, widths, check) -> str:
    """``check()`` at each viewport width, on the page already loaded; what it found, by width."""
    report = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        found = check()
        if found:
            report.append(f"at {width}px:")
            report.extend(f"  {item}" for item in (found if isinstance(found, list) else [found]))
    return "\n".join(report)


def test_inline_flag_names_never_break_after_their_dashes(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    open_all_tables(page)
    names = article(page).locator(".flagref-flagname")
    prose = names.evaluate_all("names => names.filter(e => !e.closest('pre, table')).map(e => e.textContent)")
    assert set(prose) == {"--etcd-servers", "--listen-client-urls", "--advertise-client-urls"}

    def broken():
        return names.evaluate_all(
            """names => names.filter(e => e.getClientRects().length !== 1)
                             .map(e => e.textContent + ' (' + e.getClientRects().length + ' boxes)')"""
        )

    found = at_widths(page, WIDTHS, broken)
    assert not found, "split across lines:\n" + found


# Every flag name written as text outside code blocks: in prose, and in the
# Meaning and Related cells of the tables, where no .flagref-flagname span wraps it.
_SPLIT_FLAG_NAMES = """root => {
    const found = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest('pre, svg')) continue;
        for (const m of node.data.matchAll(/(?<![\\w-])--[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) found.push(m[0] + ' in "' + node.parentElement.closest('td, p, li').innerText.trim() + '"');
        }
    }
    return found;
}"""


def test_no_flag_name_in_text_or_tables_breaks_after_its_dashes(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    open_all_tables(page)
    found = at_widths(page, WIDTHS, lambda: article(page).evaluate(_SPLIT_FLAG_NAMES))
    assert not found, "split across lines:\n" + found


def test_flag_tables_fit_the_page_without_scrolling_sideways(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    open_all_tables(page)
    tables = article(page).locator("details.flagref-table")

    def hidden():
        return tables.evaluate_all(
            """tables => tables.map(d => {
                const wrap = d.querySelector('.md-typeset__scrollwrap');
                return [d.querySelector('summary').textContent, wrap.scrollWidth - wrap.clientWidth];
            }).filter(([, hidden]) => hidden > 1)"""
        )

    # On a phone a table may scroll sideways, as Material's tables do; not on a tablet or a desktop.
    found = at_widths(page, (768, 1280), hidden)
    assert not found, "tables wider than their box (summary, pixels hidden to the right):\n" + found


def test_wiring_diagram_labels_are_readable(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    svg = article(page).locator("figure.flagref-wiring svg")
    expect(svg).to_be_visible()

    def too_small():
        sizes = svg.evaluate(
            """svg => {
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
            }"""
        )
        assert sizes
        return f"labels drawn {min(sizes):.1f}px high" if min(sizes) < 10 else None

    found = at_widths(page, WIDTHS, too_small)
    assert not found, "unreadable diagram:\n" + found


def test_copy_button_copies_the_block_as_written(open_reader, seed_base):
    reader = open_reader(permissions=["clipboard-read", "clipboard-write"])
    reader.open(seed_base + SEED_URL)
    block = article(reader.page).locator("pre").filter(has_text="kubectl get po etcd-master")
    expect(block).to_have_count(1)
    block.hover()
    # Material 9.8 draws the copy button as nav > button[data-md-type=copy]; older ones as .md-clipboard.
    button = block.locator("button.md-clipboard, button[data-md-type=copy]")
    expect(button).to_be_visible()
    button.click()
    copied = reader.page.evaluate("navigator.clipboard.readText()")
    assert copied == fenced_texts(SEED)[3]
    assert "<a" not in copied and MASK not in copied


def test_flag_in_code_has_a_tooltip_and_links_to_its_reference_entry(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL, idle=True)
    meaning = "Addresses this member listens on for client requests"
    flag = article(page).locator("pre a.flagref-flag", has_text=re.compile(r"^--listen-client-urls$"))
    expect(flag).to_have_count(1)
    expect(flag).to_have_attribute("title", re.compile(re.escape(meaning)))
    flag.hover()
    # content.tooltips: Material shows the title as its own tooltip.
    expect(page.locator(".md-tooltip2--active", has_text=meaning)).to_be_visible()

    page.evaluate("window.__flagref_marker = 'same page'")
    # Material records the scroll offset 100 ms after a scroll, into whatever history
    # entry is current then: a click right after hover() scrolled would restore the
    # old offset on the new page instead of going to its anchor. A reader is slower.
    page.wait_for_timeout(250)
    flag.click()
    expect(page).to_have_url(seed_base + "flags/etcd/#listen-client-urls")
    heading = page.locator("#listen-client-urls")
    expect(heading).to_have_count(1)
    expect(heading).to_be_in_viewport()
    header = page.locator("header.md-header").bounding_box()
    assert heading.bounding_box()["y"] >= header["y"] + header["height"] - 1, "the entry is under the header"
    assert page.evaluate("window.__flagref_marker") == "same page", "instant navigation did a full load"

    entry = page.locator("#listen-client-urls + .flagref-entry")
    expect(entry.locator("td.flagref-value").first).to_contain_text("https://127.0.0.1:2379")
    back = entry.locator("table a", has_text=SEED_TITLE)
    expect(back).to_have_count(1)
    back.click()
    expect(page).to_have_url(re.compile(re.escape(seed_base + SEED_URL) + "(#.*)?$"))
    expect(article(page).locator("h1")).to_have_text(SEED_TITLE)


def _rows(details: Locator) -> Locator:
    return details.locator("tbody > tr")


def test_flag_tables_open_short_and_fold_long(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    tables = article(page).locator("details.flagref-table")

    apiserver = tables.filter(has=page.locator("summary", has_text=re.compile(r"^kube-apiserver — ")))
    expect(apiserver.locator("summary")).to_have_text(
        "kube-apiserver — Pod kube-apiserver-master (kube-system), 4 flags, manifest truncated"
    )
    expect(apiserver).to_have_attribute("open", "")
    expect(_rows(apiserver)).to_have_count(4)
    for row in _rows(apiserver).all():
        expect(row).to_be_visible()

    etcd = tables.filter(has=page.locator("summary", has_text=re.compile(r"^etcd — ")))
    expect(etcd.locator("summary")).to_have_text("etcd — Pod etcd-master (kube-system), 17 flags, manifest truncated")
    expect(etcd).not_to_have_attribute("open", "")
    expect(_rows(etcd).first).to_be_hidden()
    etcd.locator("summary").click()
    expect(etcd).to_have_attribute("open", "")
    expect(_rows(etcd)).to_have_count(17)
    for row in _rows(etcd).all():
        expect(row).to_be_visible()
    row = _rows(etcd).filter(has=page.locator("td:first-child", has_text=re.compile(r"^--listen-client-urls$")))
    expect(row).to_have_count(1)
    value = row.locator("td.flagref-value")
    # One URL per line, the comma kept as the author wrote it.
    expect(value).to_have_text("https://127.0.0.1:2379,https://10.128.15.226:2379")
    assert value.inner_text().split() == ["https://127.0.0.1:2379,", "https://10.128.15.226:2379"]


def test_palette_toggle_switches_light_and_dark(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    body = page.locator("body")
    toggle = page.locator("form[data-md-component=palette] label:visible")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    toggle.click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    toggle.click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")


def test_search_finds_the_seed_post_offline(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("etcd-servers")
    # The flag reference pages name the post too; the hit wanted is the post itself.
    hit = page.locator(f'.md-search-result__link[href^="{seed_base + SEED_URL}"]').first
    expect(hit).to_be_visible()
    expect(hit.locator("h1")).to_have_text(SEED_TITLE)
    assert reader.foreign() == []


def test_instant_navigation_from_home_to_a_post(reader, seed_base):
    page = reader.page
    reader.open(seed_base, idle=True)  # Material follows links only once it has read the sitemap
    page.evaluate("window.__flagref_marker = 'same page'")
    documents_before = sum(r.resource_type == "document" for r in reader.requests)
    article(page).locator("article.flagref-card a", has_text=SEED_TITLE).click()
    expect(page).to_have_url(seed_base + SEED_URL)
    expect(article(page).locator("h1")).to_have_text(SEED_TITLE)
    expect(article(page).locator("pre")).to_have_count(4)
    assert page.evaluate("window.__flagref_marker") == "same page"
    assert sum(r.resource_type == "document" for r in reader.requests) == documents_before


def test_script_in_a_post_is_shown_as_text_never_run(reader, fixture_base):
    page = reader.page
    reader.open(fixture_base + INJECTION_URL, idle=True)
    body = article(page)
    expect(body.locator("h1")).to_have_text(INJECTION_TITLE)
    assert page.title().startswith(INJECTION_TITLE)
    table = body.locator("details.flagref-table")
    expect(table.locator("summary")).to_have_text("kube-apiserver — Pod <img src=x onerror=alert(2)>, 1 flag")
    expect(table.locator("td.flagref-value")).to_have_text("<script>alert(1)</script>")
    code = body.locator("pre > code")
    expect(code).to_contain_text("    - --foo=<script>alert(1)</script>")
    expect(code).to_contain_text('  name: "<img src=x onerror=alert(2)>"')
    expect(body.locator("p:not(.flagref-post-meta)").first).to_contain_text("--foo=<script>alert(1)</script>")
    expect(body.locator("script, img")).to_have_count(0)

    reader.open(fixture_base, idle=True)
    card = page.locator("article.flagref-card").filter(has_text="friends")
    expect(card.locator(".flagref-card__title")).to_have_text(INJECTION_TITLE)
    expect(card.locator(".flagref-card__meta a")).to_have_text("<b>bold</b>")
    expect(card.locator(".flagref-card__excerpt")).to_contain_text("--foo=<script>alert(1)</script>")
    expect(card.locator("script, img, b")).to_have_count(0)

    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("friends")
    hit = page.locator(".md-search-result__item", has_text="friends").first
    expect(hit.locator("h1")).to_have_text(INJECTION_TITLE)
    page.wait_for_timeout(300)  # a dialog opened by a late script would land here
    assert reader.dialogs == []


def test_screenshots_of_the_seed_post_in_light_and_dark(reader, seed_base):
    page = reader.page
    reader.open(seed_base + SEED_URL)
    open_all_tables(page)
    page.evaluate("window.scrollTo(0, 0)")  # else the fixed header is drawn mid-page
    page.screenshot(path=SCREENSHOTS / "flagref-seed-light.png", full_page=True)
    page.locator("form[data-md-component=palette] label:visible").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    page.mouse.move(640, 600)  # away from the toggle, whose tooltip would be in the picture
    page.wait_for_timeout(300)  # the palette's colour transition
    page.screenshot(path=SCREENSHOTS / "flagref-seed-dark.png", full_page=True)
    for name in ("light", "dark"):
        assert (SCREENSHOTS / f"flagref-seed-{name}.png").stat().st_size > 10_000
