"""Generated pages are safe by construction: hostile names from posts end up as inert text, each on its own page."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup

from flagref.catalog import FlagSpec, load_catalog
from flagref.index import FlagEntry, FlagIndex
from flagref.model import Document, FlagUse, FrontMatter, Post
from flagref.render.listing import SitePost, generate_listing_pages, listing_page_names
from flagref.render.reference import generate_reference_pages, reference_page_names, render_entry
from flagref.render.routes import page_names
from flagref.render.text import clean_name, front_matter, md_text, narrow

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)

ATTACK = "![x](x){onerror=alert(1)}"
HOSTILE = [
    ATTACK,
    f"a\n{ATTACK}",
    f"a\x01\x7f\x85b\n---\n{ATTACK}",
    "index",
    "README",
    "C++",
    "c",
    "K8s",
    "k8s",
    "日本",
    "中文",
    ".",
    "..",
    "<script>alert(1)</script>",
    'o\'neil & "co"',
    "**bold** `code` [l](u) {#id .cls}",
]
CATALOG = SimpleNamespace(components={}, docs_url=lambda component, flag: None)


def post(path: str, categories=(), uses=()) -> SitePost:
    front = FrontMatter("t", tuple(categories), date=dt.date(2020, 1, 1))
    p = Post(path, "x", front, "title", Document(path, (), ()), uses=tuple(uses))
    return SitePost(path, path.removesuffix(".md") + "/", p)


def render(source: str) -> tuple[dict, BeautifulSoup]:
    """Front matter and HTML of a generated page, as MkDocs reads them (same Markdown extensions)."""
    assert source.startswith("---\n")
    head, body = source[4:].split("\n---\n", 1)
    meta = yaml.safe_load(head)
    md = markdown.Markdown(extensions=["abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc"])
    return meta, BeautifulSoup(md.convert(body), "html.parser")


def assert_inert(pages: dict[str, str]) -> None:
    for uri, source in pages.items():
        meta, soup = render(source)
        # The title is the only text in the front matter; component pages add a fixed search boost.
        assert list(meta) in (["title"], ["title", "search"]) and isinstance(meta["title"], str), uri
        assert meta.get("search", {"boost": 2}) == {"boost": 2}, uri
        for tag in soup.find_all(True):
            assert tag.name not in ("script", "img"), (uri, str(tag))
            assert not any(a.lower().startswith("on") for a in tag.attrs), (uri, str(tag))


def test_listing_pages_are_inert_and_one_per_category():
    posts = [post(f"posts/p{n}.md", [name]) for n, name in enumerate(HOSTILE)]
    pages, collisions = generate_listing_pages(posts)
    assert_inert(pages)
    categories = [uri for uri in pages if uri.startswith("categories/") and uri != "categories/index.md"]
    assert len(categories) == len(HOSTILE) == len(set(categories))
    # The categories index is the index, whatever a category is called.
    assert render(pages["categories/index.md"])[0] == {"title": "Categories"}
    assert {c.name for c in collisions} >= {"index", "README", "C++", "K8s", "..", "中文", "日本"}
    assert all(c.uri != c.wanted for c in collisions)
    # Each card links the page of its own category.
    _, soup = render(pages["categories/index.md"])
    hrefs = {a.get_text(): a["href"] for a in soup.select("li a")}
    assert len(set(hrefs.values())) == len(HOSTILE)


def dated(n: int) -> SitePost:
    front = FrontMatter("t", ("c",), date=dt.date(2020, 1, 1) + dt.timedelta(days=n))
    path = f"posts/p{n:02d}.md"
    p = Post(path, "x", front, f"post {n:02d}", Document(path, (), ()))
    return SitePost(path, path.removesuffix(".md") + "/", p)


@pytest.mark.parametrize(("count", "older"), [(25, "15 older posts"), (11, "1 older post "), (10, None), (0, None)])
def test_the_home_page_shows_the_newest_posts_and_leads_to_the_archive_for_the_rest(count, older):
    posts = sorted((dated(n) for n in range(count)), key=lambda p: p.sort_key)
    pages, _ = generate_listing_pages(posts)
    assert [uri for uri in pages if not uri.startswith(("categories/", "archive/"))] == ["index.md"]
    _, soup = render(pages["index.md"])
    titles = [a.get_text() for a in soup.select(".flagref-card__title a")]
    assert titles == [f"post {n:02d}" for n in range(count - 1, max(count - 11, -1), -1)]
    link = soup.select_one(".flagref-pager a")
    if older is None:
        assert link is None
    else:
        assert older in link.get_text() + " " and link["href"] == "archive/"
    # Every post is listed in the archive, once.
    archived = [
        a.get_text()
        for uri, source in pages.items()
        if uri.startswith("archive/") and uri != "archive/index.md"
        for a in render(source)[1].select(".flagref-card__title a")
    ]
    assert sorted(archived) == sorted(p.post.title for p in posts)


def test_the_title_of_a_category_page_is_its_name_escaped_and_cleaned():
    pages, _ = generate_listing_pages([post("posts/a.md", ["a\x01<b>\n{x}"])])
    (uri,) = [u for u in pages if u.startswith("categories/") and not u.endswith("index.md")]
    assert render(pages[uri])[0] == {"title": "a&lt;b&gt;&#10;{x}"}


def test_reference_pages_are_inert_and_never_replace_one_another():
    names = ["kube-apiserver", "kube_apiserver", "index", ATTACK, "C++", "c"]
    uses = [
        FlagUse("posts/a.md", n + 1, 0, "manifest", name, "--x{y}", "v", name="x{y}") for n, name in enumerate(names)
    ]
    uses.append(FlagUse("posts/a.md", 9, 0, "manifest", "etcd", f"--{ATTACK}", "v", name=ATTACK))
    index = FlagIndex(CATALOG, [post("posts/a.md", uses=uses)])
    pages, collisions = generate_reference_pages(index)
    assert_inert(pages)
    assert render(pages["flags/index.md"])[0] == {"title": "Flag reference"}
    assert pages["flags/kube-apiserver.md"].startswith("---\ntitle: kube-apiserver flags\n")
    assert len(pages) == 1 + len(names) + 1
    assert {(c.name, c.uri) for c in collisions} == {
        ("kube_apiserver", "flags/kube-apiserver-2.md"),
        ("index", "flags/index-2.md"),
        ("C++", "flags/c-2.md"),
    }
    # The heading shows the name as written, with an id of its own.
    _, soup = render(pages["flags/index.md"])
    headings = {h.get_text(): h["id"] for h in soup.select("h2")}
    assert headings[ATTACK].startswith("component-") and len(set(headings.values())) == len(headings)


def test_page_names_are_stable_and_prefer_the_name_written_as_its_slug():
    one = page_names("t", ["K8s", "k8s", "c", "C++", "c-2"])
    two = page_names("t", ["c-2", "C++", "c", "k8s", "K8s"])
    assert one == two
    assert dict(one.uris) == {
        "c": "t/c.md",
        "c-2": "t/c-2.md",
        "k8s": "t/k8s.md",
        "C++": "t/c-3.md",
        "K8s": "t/k8s-2.md",
    }
    assert str(one.collisions[0]) == "the page of 'C++' is t/c-3.md: t/c.md is the page of 'c'"


@pytest.mark.slow
def test_many_names_with_one_slug_take_linear_time():
    names = [f"{'!' * k}" for k in range(1, 3001)]
    pages = page_names("t", names)
    assert len(set(pages.uris.values())) == 3000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", ("plain", False)),
        ("a\x00b\x1bc\x7fd\x9fe", ("abcde", True)),
        ("tab\tnew\nline", ("tab\tnew\nline", False)),
    ],
)
def test_clean_name(text, expected):
    assert clean_name(text) == expected


@pytest.mark.parametrize("text", [ATTACK, "# h", "a\n\n    b", "*x*", "<b>", "&amp;", "x {#id}", "a_b_"])
def test_md_text_is_inert_in_a_heading(text):
    html = markdown.markdown(f"## {md_text(text)}", extensions=["attr_list", "toc"])
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h2.get_text() == text.replace("\n", " ") or soup.h2.get_text() == text
    assert len(soup.find_all(True)) == 1


def test_front_matter_is_yaml_with_one_title():
    for title in HOSTILE:
        head = front_matter(title)
        assert head.startswith("---\n") and head.endswith("\n---\n")
        assert list(yaml.safe_load(head[4:-4])) == ["title"]


def _facts(spec: FlagSpec) -> dict[str, str]:
    index = FlagIndex(CATALOG, [])
    html = render_entry(index, FlagEntry(spec.component, spec.name, spec), "flags/kubelet/", True, None)
    soup = BeautifulSoup(html, "html.parser")
    return {term.get_text(): str(term.find_next_sibling("dd")) for term in soup.select(".flagref-facts dt")}


def test_a_flag_with_a_config_field_names_it_escaped():
    spec = FlagSpec("kubelet", "cluster-dns", "DNS servers.", "string-list", None, config_field="<b>x</b>&")
    assert _facts(spec)["Config file field"] == "<dd><code>&lt;b&gt;x&lt;/b&gt;&amp;</code></dd>"
    assert "Config file field" not in _facts(FlagSpec("kubelet", "v", "Verbosity.", "int", "0"))


def test_the_catalog_field_of_a_kubelet_flag_is_shown():
    spec = load_catalog().lookup("kubelet", "--cluster-dns")
    assert _facts(spec)["Config file field"] == "<dd><code>clusterDNS</code></dd>"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("<p>etcd — Pod etcd ✓</p>", "<p>etcd &#8212; Pod etcd &#10003;</p>"),
        ("<p>café · 10 ms</p>", "<p>café · 10 ms</p>"),  # Latin-1 stays as it is
        ("<p>plain</p>", "<p>plain</p>"),
        ("<p>—</p><script>var a = '—';</script>", "<p>—</p><script>var a = '—';</script>"),
        ("<p>—</p><STYLE>p::before { content: '—' }</STYLE>", "<p>—</p><STYLE>p::before { content: '—' }</STYLE>"),
    ],
)
def test_a_page_is_held_one_byte_a_character_and_reads_the_same(page, expected):
    out = narrow(page)
    assert out == expected
    assert max(map(ord, out)) <= 0xFF or "<script" in out.lower() or "<style" in out.lower()
    # A browser reads the references as the characters: the text is the same.
    assert BeautifulSoup(out, "html.parser").get_text() == BeautifulSoup(page, "html.parser").get_text()


def test_the_page_names_are_those_of_the_pages_made_before_they_are_made():
    # A build lists the generated pages by these names, and the decoration worker makes them.
    posts = sorted(
        [post(f"posts/p{n}.md", [name]) for n, name in enumerate(HOSTILE)] + [dated(n) for n in range(3)],
        key=lambda p: p.sort_key,
    )
    pages, collisions = generate_listing_pages(posts)
    assert listing_page_names(posts) == (list(pages), collisions)
    uses = [FlagUse("posts/a.md", n + 1, 0, "manifest", name, "--x", "v", name="x") for n, name in enumerate(HOSTILE)]
    index = FlagIndex(CATALOG, [post("posts/a.md", uses=uses)])
    pages, collisions = generate_reference_pages(index)
    assert reference_page_names(index) == (list(pages), collisions)


def _converted(source: str) -> tuple[str, list]:
    """HTML and table of contents of a generated page's body as MkDocs converts it (toc with permalinks)."""
    body = source.split("\n---\n", 1)[1] if source.startswith("---\n") else source
    md = markdown.Markdown(
        extensions=["attr_list", "md_in_html", "tables", "toc"], extension_configs={"toc": {"permalink": True}}
    )
    html = md.convert(body)
    return html, md.toc_tokens


def _between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def _names(tokens: list) -> list:
    return [(t["level"], t["id"], t["name"], _names(t["children"])) for t in tokens]


@pytest.mark.parametrize("heading_html", [True, False])
def test_a_generated_page_with_its_headings_set_aside_is_the_page_markdown_makes(heading_html):
    from flagref.site import SiteBuild

    names = ["listen-client-urls", "data-dir", "x{y}", "a_b", ATTACK]
    uses = [FlagUse("posts/a.md", i + 1, 0, "manifest", "etcd", f"--{n}", "v", name=n) for i, n in enumerate(names)]
    index = FlagIndex(CATALOG, [post("posts/a.md", uses=uses)])
    pages, _ = generate_reference_pages(index)
    build = SiteBuild([])
    build.heading_html = heading_html
    for uri in ("flags/etcd.md", "flags/index.md"):
        expected_html, expected_toc = _converted(pages[uri])
        html, toc = _converted(build.stash(uri, pages[uri]))
        # The same HTML but for the line breaks between blocks (set aside, a block keeps none around it).
        assert _between_tags(build.page_html(uri, html)) == _between_tags(expected_html)
        made = build.page_toc(uri)
        assert (made is not None) == heading_html
        if made is not None:  # the headings were set aside: the table of contents comes from them
            assert toc == [] and _names(made) == _names(expected_toc) and len(made) >= 2
        else:
            assert _names(toc) == _names(expected_toc)


def test_a_page_with_a_heading_the_renderers_did_not_write_keeps_every_heading_in_markdown():
    from flagref.site import SiteBuild

    build = SiteBuild([])
    build.heading_html = True
    source = "## a {#a}\n\ntext\n\n## March\n"  # an archive month: no id of its own
    html, toc = _converted(build.stash("archive/2020.md", source))
    assert build.page_toc("archive/2020.md") is None and [t["id"] for t in toc] == ["a", "march"]


@pytest.mark.parametrize(
    "source, placeholders",
    [
        ("<div>a</div>\n\n<div>b</div>\n\n\n<p>c</p>\n", 1),  # blank lines only between: one placeholder
        ("## one {#one}\n\n<div>a</div>\n\n## two {#two}\n", 1),  # headings set aside join them too
        ("<div>a</div>\n\ntext between\n\n<div>b</div>\n", 2),  # Markdown between: two
        ('<div markdown="1">\n*a*\n</div>\n\n<div>b</div>\n', 1),  # md_in_html's block stays Markdown
    ],
)
def test_blocks_with_only_blank_lines_between_share_a_placeholder(source, placeholders):
    """Markdown spends time on each paragraph: blocks next to each other are set aside as one, same page."""
    from flagref.site import SiteBuild

    build = SiteBuild([])
    build.heading_html = True
    stashed = build.stash("flags/x.md", source)
    assert len(re.findall(r"flagrefstash[0-9]+x", stashed)) == placeholders
    build.page_toc("flags/x.md")
    html, _ = _converted(stashed)
    # The same HTML but for the line breaks between blocks (set aside, a block keeps none around it).
    assert _between_tags(build.page_html("flags/x.md", html)) == _between_tags(_converted(source)[0])


def test_a_block_after_a_line_of_text_is_not_joined_to_the_block_before():
    """Such a block is in the text's paragraph, as it was before blocks were joined."""
    from flagref.site import SiteBuild

    build = SiteBuild([])
    stashed = build.stash("flags/x.md", "<div>a</div>\n\ntext\n<div>b</div>\n\n<div>c</div>\n")
    assert stashed == "flagrefstash0x\n\ntext\nflagrefstash1x\n\nflagrefstash2x\n"
