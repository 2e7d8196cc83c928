"""The reader's page: post headers, the author's code as written, values as written, tables on a phone.

The fixture posts under ``tests/fixtures/reader/`` hold each case a reader met:
a body with ``#`` headings of its own, front matter whose keys are all
commented out, ``--token=$token`` and other placeholders beside a real token,
TABs in transcript output, comma lists and URLs in tables, a flag name in a
heading (where the glossary's abbreviations would split it) and a probe on the
wrong port. The build tests read the HTML; the browser tests (``browser``
marker) read the site in Chromium at a phone's and a desktop's size, light
and dark, and keep their screenshots under the test's ``tmp_path``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import fenced_texts

from conftest import FIXTURES, ROOT, Built, build_site, core_data, parse, search_fragments
from flagref.checks import check_post
from flagref.checks.rules import load_rules
from flagref.checks.secrets import MASK, is_placeholder, is_secret
from flagref.model import FlagUse
from flagref.parse.frontmatter import fallback_title, parse_front_matter
from flagref.render.html import tokenize
from flagref.render.markdown import render_markdown
from flagref.render.prose import unwrap_abbr_in_flags
from flagref.render.tables import render_value

READER_DOCS = FIXTURES / "reader"
BOOTSTRAP = READER_DOCS / "posts/2021-05-01-bootstrap-a-cluster-with-kubeadm.md"
BOOTSTRAP_URL = "posts/2021-05-01-bootstrap-a-cluster-with-kubeadm/"
PHONE = READER_DOCS / "posts/2021-05-08-the-etcd-pod-on-a-phone.md"
PHONE_URL = "posts/2021-05-08-the-etcd-pod-on-a-phone/"
SHOWN_BOOTSTRAP = "tests/fixtures/reader/posts/2021-05-01-bootstrap-a-cluster-with-kubeadm.md"
SHOWN_PHONE = "tests/fixtures/reader/posts/2021-05-08-the-etcd-pod-on-a-phone.md"
REAL_TOKEN = "k8s9zq.2m4hxrj0v7wbq5ny"

# An instruction in a diagnostic: after ";" or ":", a verb that tells the author what to do.
_INSTRUCTION = re.compile(
    r"[;:]\s.*?\b(?:change|remove|rename|write|quote|add|report|save|split|use|include|check|revoke|make|replace)\b",
    re.S,
)


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory) -> Built:
    """The reader fixture posts, built without --strict (their warnings are part of what is tested)."""
    return build_site(READER_DOCS, tmp_path_factory.mktemp("reader-site"), strict=False)


# --- post pages: the title, the header, the headings ---------------------------------------------------


def test_the_title_is_the_only_h1_and_body_headings_keep_their_levels_under_it(reader_site):
    article = reader_site.article(PHONE_URL)
    headings = [(h.name, h.get_text().removesuffix("¶")) for h in article.select("h1, h2, h3, h4, h5, h6")]
    assert headings == [
        ("h1", "The etcd Pod, read on a phone"),
        ("h2", "What kubeadm wrote"),
        ("h3", "The etcd manifest"),
        ("h4", "Setting --etcd-servers on the kube-apiserver"),
        ("h3", "The controller manager's probe"),
    ]


def test_commented_out_front_matter_counts_as_none_and_the_title_comes_from_the_file_name(reader_site):
    article = reader_site.article(BOOTSTRAP_URL)
    assert [h.get_text() for h in article.select("h1")] == ["Bootstrap a cluster with kubeadm"]
    assert [h.get_text().removesuffix("¶") for h in article.select("h2")] == ["Join a worker", "The hosts file"]
    assert reader_site.page(BOOTSTRAP_URL).title.get_text().startswith("Bootstrap a cluster with kubeadm")
    post = parse(SHOWN_BOOTSTRAP, BOOTSTRAP.read_text(encoding="utf-8"))
    assert post.title == "Bootstrap a cluster with kubeadm"
    assert post.categories == ()
    titled = [d for d in post.diagnostics if "titled" in d.message]
    assert [(d.line, d.level, d.message) for d in titled] == [
        (
            2,
            "info",
            "the front matter's keys are all commented out (a line starting with #), so the post is titled "
            "'Bootstrap a cluster with kubeadm' from its file name, as Jekyll does; add a title: line to the "
            "front matter to give it another",
        )
    ]


def test_the_header_shows_date_categories_as_links_and_reading_time(reader_site):
    meta = reader_site.article(PHONE_URL).select_one("h1 + p.flagref-post-meta")
    assert meta is not None
    assert meta.time["datetime"] == "2021-05-08"
    assert re.fullmatch(r"8 May 2021 · kubernetes, etcd · \d+ min read", meta.get_text())
    for link in meta.select("a"):
        target = (reader_site.site / PHONE_URL / link["href"]).resolve() / "index.html"
        assert target.is_file(), link["href"]
        category = reader_site.article(target.parent.relative_to(reader_site.site).as_posix() + "/")
        assert link.get_text() in category.h1.get_text()
    # A post with no categories shows none, and still its date and reading time.
    bare = reader_site.article(BOOTSTRAP_URL).select_one("p.flagref-post-meta")
    assert re.fullmatch(r"1 May 2021 · \d+ min read", bare.get_text())


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("posts/2021-05-01-bootstrap-a-cluster-with-kubeadm.md", "Bootstrap a cluster with kubeadm"),
        ("posts/a/2020-01-01-some_post-name.md", "Some post name"),
        ("posts/notes.markdown", "Notes"),
    ],
)
def test_title_from_the_file_name(path, title):
    assert fallback_title(path, "# A heading of the body\n") == title


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("no front matter\n", "the post has no front matter"),
        ("---\n#title: x\n# categories: y\n---\nbody\n", "the front matter's keys are all commented out"),
        ("---\ncategories: k8s\n---\nbody\n", "the front matter has no title"),
    ],
)
def test_an_untitled_post_gets_an_info_line_that_says_why(text, why):
    front, _, _, diagnostics = parse_front_matter("posts/2020-01-01-x.md", text)
    assert front.title is None
    [info] = [d for d in diagnostics if "titled" in d.message]
    assert info.level == "info" and info.message.startswith(why)
    assert "so the post is titled 'X' from its file name" in info.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# One\n\ntext\n\n## Two\n", ["## One", "### Two"]),
        ("## Two\n\n### Three\n", ["## Two", "### Three"]),  # no h1 of its own: nothing moves
        ("One\n===\n\ntext\n\nTwo\n---\n", ["## One", "### Two"]),
        ("# One\n\n###### Six\n", ["## One", "###### Six"]),
        ("# One\n\n```\n# a comment in code\n```\n", ["## One"]),
    ],
)
def test_body_headings_move_down_one_level_when_the_body_has_an_h1(body, expected):
    post = parse("posts/2020-01-01-x.md", "---\ntitle: T\n---\n" + body)
    out = render_markdown(post).splitlines()
    assert [line for line in out if line.startswith("#") and "comment" not in line] == expected
    assert ("# a comment in code" in out) == ("```" in body)


# --- the author's code, as written ----------------------------------------------------------------------


def test_code_blocks_are_the_author_s_text_but_for_the_one_real_token(reader_site):
    codes = [c.get_text().removesuffix("\n") for c in reader_site.article(BOOTSTRAP_URL).select("pre > code")]
    expected = [text.replace(REAL_TOKEN, MASK) for text in fenced_texts(BOOTSTRAP)]
    assert codes == expected
    assert "127.0.0.1\tlocalhost" in codes[3]  # TABs are TABs
    assert "--token=$token" in codes[0] and "--token=${TOKEN}" in codes[1] and "--token <token>" in codes[1]


def test_a_masked_value_is_marked_with_a_tooltip_that_says_why(reader_site):
    article = reader_site.article(BOOTSTRAP_URL)
    masked = article.select("pre .flagref-masked")
    assert [m.get_text() for m in masked] == [MASK]
    assert "credential" in masked[0]["title"]
    cells = article.select("td.flagref-value .flagref-masked")
    assert len(cells) == 1 and "credential" in cells[0]["title"]


@pytest.mark.parametrize(
    "value", ["$token", "${TOKEN}", "$(cat /etc/token)", "$ID.$SECRET", '"$TOKEN"', "<token>", "xxxxx", "*****", ""]
)
def test_placeholders_and_variables_are_not_secrets(value):
    assert is_placeholder(value)
    assert not is_secret(None, "token", value, frozenset({"token"}))


@pytest.mark.parametrize("value", [REAL_TOKEN, "s3cr3t", "x", "$", "admin:pa$$word"])
def test_real_values_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_placeholders_are_shown_in_tables_and_warn_about_nothing(reader_site):
    article = reader_site.article(BOOTSTRAP_URL)
    shown = [td.get_text() for td in article.select("td.flagref-value")]
    for value in ("$token", "<token>", "${TOKEN}", "xxxxxx.xxxxxxxxxxxxxxxx", "*****"):
        assert value in shown
    secret_warnings = [w for w in reader_site.warnings if "looks like a secret" in w]
    assert secret_warnings == [
        f"{SHOWN_BOOTSTRAP}:27: kubeadm --token holds what looks like a secret; the site masks it in tables, the "
        "reference and search, but it is in the post's source: if it is real, revoke it and write a placeholder"
    ]


# --- values as written ----------------------------------------------------------------------------------


def _use(value: str | None, secret: bool = False) -> FlagUse:
    return FlagUse("posts/x.md", 1, 0, "manifest", "etcd", "--x", value, name="x", secret=secret)


@pytest.mark.parametrize(
    ("value", "html"),
    [
        ("https://127.0.0.1:2379", "<code>https://<wbr>127.0.0.1:2379</code>"),
        (
            "https://127.0.0.1:2379,https://10.0.0.1:2379",
            '<span class="flagref-item"><code>https://<wbr>127.0.0.1:2379</code>,</span>'
            '<span class="flagref-item"><code>https://<wbr>10.0.0.1:2379</code></span>',
        ),
        ("/etc/kubernetes/pki", "<code>/<wbr>etc/<wbr>kubernetes/<wbr>pki</code>"),
        ("a&b=<c>", "<code>a&amp;<wbr>b=<wbr>&lt;c&gt;</code>"),
        ("0.0.0.0:10250", "<code>0.0.0.0:10250</code>"),
        ("", '<span class="flagref-missing">(empty)</span>'),
    ],
)
def test_values_keep_commas_and_break_only_after_separators(value, html):
    assert render_value(_use(value)) == html


def test_table_values_read_as_written(reader_site):
    article = reader_site.article(PHONE_URL)
    for td in article.select("td.flagref-value"):
        # Never a break between a host and its port, or inside an address.
        assert not re.search(r"[:.]<wbr", str(td)), td
    rows = {
        row.select_one(".flagref-flagname").get_text(): row.select_one("td.flagref-value").get_text()
        for row in article.select("details.flagref-table tbody > tr")
    }
    assert rows["--listen-client-urls"] == "https://127.0.0.1:2379,https://10.128.15.226:2379"
    assert rows["--tls-cipher-suites"] == (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    )


# --- no abbreviation markup in flag names, entry headings or code ---------------------------------------


def test_no_abbreviation_inside_flag_names_headings_of_flags_or_code(reader_site):
    article = reader_site.article(PHONE_URL)
    assert article.select("abbr"), "the glossary applies to the post's prose"
    assert article.select("pre abbr, code abbr, .flagref-flagname abbr") == []
    for heading in article.select("h1, h2, h3, h4, h5, h6"):
        for abbr in heading.select("abbr"):
            before, after = (s if isinstance(s, str) else "" for s in (abbr.previous_sibling, abbr.next_sibling))
            assert not before.endswith("-") and not after.startswith("-"), heading
    for component in ("etcd", "kube-apiserver"):
        page = reader_site.article(f"flags/{component}/")
        assert page.select("pre abbr, code abbr, .flagref-flagname abbr") == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('Setting --<abbr title="t">etcd</abbr>-servers', "Setting --etcd-servers"),
        ('--<abbr title="t">etcd</abbr>', "--etcd"),
        ('The <abbr title="t">etcd</abbr> flags', 'The <abbr title="t">etcd</abbr> flags'),
        ('--data-dir of <abbr title="t">etcd</abbr>', '--data-dir of <abbr title="t">etcd</abbr>'),
    ],
)
def test_abbreviations_inside_a_flag_name_are_unwrapped(html, expected):
    assert unwrap_abbr_in_flags(list(tokenize(html))) == expected


# --- every diagnostic says what to do -------------------------------------------------------------------


def _fixture_posts() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*") if p.suffix in (".md", ".markdown") and "posts" in p.relative_to(FIXTURES).parts
    )


def _diagnostics(path: Path):
    post = parse(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
    catalog, _ = core_data()
    _, violations = check_post(post, catalog, _RULES)
    return [*post.diagnostics, *(u.diagnostic() for u in post.unparsed), *violations]


_RULES = load_rules()


@pytest.mark.parametrize("path", _fixture_posts(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_diagnostic_of_every_fixture_post_says_what_to_do(path):
    missing = [str(d) for d in _diagnostics(path) if not _INSTRUCTION.search(d.message)]
    assert missing == [], "no instruction after ';' or ':':\n" + "\n".join(missing)


def test_the_fixture_posts_cover_warnings_and_infos():
    levels = {d.level for path in _fixture_posts() for d in _diagnostics(path)}
    assert levels == {"warning", "info"}


def test_the_probe_warning_says_which_port_to_change(reader_site):
    assert (
        f"{SHOWN_PHONE}:69: kube-controller-manager livenessProbe port 10260 (HTTP) is not the port "
        f"kube-controller-manager --port opens (10255) at {SHOWN_PHONE}:63; change the probe's port to 10255 or "
        "the flag to 10260"
    ) in reader_site.warnings


def test_flag_like_output_is_not_told_to_be_rewritten_as_a_flag():
    advice = [
        str(d)
        for path in _fixture_posts()
        for d in _diagnostics(path)
        if "output" in d.message and "write it as --name=value" in d.message
    ]
    assert advice == []


# --- in Chromium: phone and desktop, light and dark -----------------------------------------------------

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def reader_base(reader_site) -> Iterator[str]:
    from test_browser import serve

    with serve(reader_site.site) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(chromium):
    contexts = []

    def make(viewport: str, scheme: str, **options):
        context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme, **options)
        contexts.append(context)
        context.set_default_timeout(5_000)
        # Nothing leaves 127.0.0.1.
        context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _open_tables(page) -> None:
    folded = page.locator("article details.flagref-table:not([open]) > summary")
    for _ in range(folded.count()):
        folded.first.click()


# Every box of a table cell that is not inside the viewport: (what, left, right).
_CELLS_OUTSIDE = """([selector, width]) => [...document.querySelectorAll(selector)]
    .map(td => [td.innerText.trim().slice(0, 60), td.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.left < -0.5 || r.right > width + 0.5))
    .map(([text, r]) => [text, Math.round(r.left), Math.round(r.right)])"""

# Every code line box under a copy button: (the line, the button's box).
_COVERED_CODE = """() => {
    const found = [];
    for (const pre of document.querySelectorAll('article pre')) {
        const nav = pre.querySelector('.md-code__nav, .md-clipboard');
        const code = pre.querySelector('code');
        if (!nav || !code) continue;
        const b = nav.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(code);
        for (const r of range.getClientRects()) {
            if (r.width === 0 || r.height === 0) continue;
            if (r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom) {
                found.push(code.textContent.split('\\n')[0].slice(0, 50));
                break;
            }
        }
    }
    return found;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("url", [PHONE_URL, BOOTSTRAP_URL, "flags/etcd/"], ids=["post", "tokens", "reference"])
def test_tables_read_without_scrolling_sideways(open_page, reader_base, tmp_path, url, viewport, scheme):
    page = open_page(viewport, scheme)
    page.goto(reader_base + url, wait_until="load")
    assert page.locator("body").get_attribute("data-md-color-scheme") == SCHEMES[scheme]
    _open_tables(page)
    width = VIEWPORTS[viewport]["width"]
    # Each row's meaning (a post's flag tables) and every cell (the reference's value tables) lies in the viewport.
    meaning = page.evaluate(_CELLS_OUTSIDE, ["article details.flagref-table tbody td:nth-child(3)", width])
    cells = page.evaluate(_CELLS_OUTSIDE, ["article .flagref-seen tbody td", width])
    page.evaluate("window.scrollTo(0, 0)")  # else the fixed header is drawn mid-page
    shot = tmp_path / f"{url.strip('/').replace('/', '-')}-{viewport}-{scheme}.png"
    page.screenshot(path=shot, full_page=True, timeout=60_000)  # a reference page is long
    assert shot.stat().st_size > 10_000
    assert meaning == [], f"meaning cells outside the {width}px viewport (text, left, right): {meaning}"
    assert cells == [], f"value table cells outside the {width}px viewport (text, left, right): {cells}"
    assert page.locator("article details.flagref-table, article .flagref-seen").count() > 0
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_on_a_phone_each_row_is_a_card_and_on_a_desktop_a_row(open_page, reader_base, viewport):
    page = open_page(viewport, "light")
    page.goto(reader_base + PHONE_URL, wait_until="load")
    row = page.locator("article details.flagref-table tbody > tr").filter(has_text="--listen-client-urls")
    boxes = [row.locator("td").nth(n).bounding_box() for n in range(3)]
    tops = [round(b["y"]) for b in boxes]
    if viewport == "phone":
        assert tops == sorted(tops) and len(set(tops)) == 3, "flag, value and meaning are stacked"
    else:
        assert len(set(tops)) == 1, "flag, value and meaning side by side"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_copy_button_never_covers_code(open_page, reader_base, viewport):
    page = open_page(viewport, "light")
    for url in (PHONE_URL, BOOTSTRAP_URL):
        page.goto(reader_base + url, wait_until="load")
        pres = page.locator("article pre")
        for n in range(pres.count()):
            pres.nth(n).hover()  # the button shows on hover
        page.wait_for_function(
            "document.querySelectorAll('article pre .md-code__nav, article pre .md-clipboard').length"
        )
        covered = page.evaluate(_COVERED_CODE)
        assert covered == [], f"{url}: the copy button covers the code of {covered}"


@pytest.mark.browser
def test_the_copy_button_copies_the_author_s_lines_tabs_and_placeholders_included(open_page, reader_base):
    page = open_page("desktop", "light", permissions=["clipboard-read", "clipboard-write"])
    page.goto(reader_base + BOOTSTRAP_URL, wait_until="load")
    blocks = fenced_texts(BOOTSTRAP)
    for n in (0, 1, 3):  # $token; <token>, ${TOKEN}, xxxxx, *****, ""; the TABs of /etc/hosts
        pre = page.locator("article pre").nth(n)
        pre.hover()
        pre.locator("button.md-clipboard, button[data-md-type=copy]").click()
        assert page.evaluate("navigator.clipboard.readText()") == blocks[n]


@pytest.mark.browser
def test_a_masked_value_shows_a_marker_and_says_why_on_hover(open_page, reader_base):
    page = open_page("desktop", "dark")
    page.goto(reader_base + BOOTSTRAP_URL, wait_until="load")
    masked = page.locator("article pre .flagref-masked")
    assert masked.count() == 1
    marker = masked.evaluate("e => getComputedStyle(e, '::after').content")
    assert marker == '"masked"'
    assert "credential" in masked.get_attribute("title")


def test_reference_headings_keep_flag_names_whole_and_facts_read_as_words(seed_site):
    page = seed_site.page("flags/kube-apiserver/")
    # "etcd" is a glossary word: it must not be wrapped inside the flag's name.
    heading = page.find(id="etcd-servers")
    assert heading is not None and heading.find("abbr") is None
    assert heading.get_text().startswith("--etcd-servers")
    # Search snippets are made from the text: a fact and its value must not run together.
    (record,) = (r for r in search_fragments(seed_site.site) if r["meta"].get("target") == "flags/etcd/#data-dir")
    assert "type path" in record["content"] and "default" in record["content"]
    assert "Typepath" not in record["content"] and "typepath" not in record["content"]
