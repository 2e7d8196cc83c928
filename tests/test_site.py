"""The site as a reader gets it: a real MkDocs build of docs/ and of the fixture posts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from mkdocs.exceptions import Abort

from conftest import CONFIG, DOCS, FIXTURE_DOCS, FIXTURES, ROOT, SEED, SEED_URL, build_site
from flagref.parse.fences import find_fences
from flagref.parse.frontmatter import parse_front_matter
from flagref.parse.snippets import expand_snippets
from flagref.site import read_sources

SEED_TITLE = "kubernetes > etcd as a component in the cluster"


def _fenced_blocks(path):
    """The text of each fenced block of a post, read straight from the file."""
    text = path.read_text(encoding="utf-8")
    _, body, first, _ = parse_front_matter(path.name, text)
    document, _ = expand_snippets(path.name, body.splitlines(), first, None)
    return ["\n".join(f.body) + "\n" for f in find_fences(document)]


def test_seed_builds_strict_with_no_warning(seed_site):
    assert seed_site.warnings == []


def test_seed_post_title_lists_and_code_blocks(seed_site):
    article = seed_site.article(SEED_URL)
    assert article.h1.get_text() == SEED_TITLE
    lists = article.select("ul, ol")
    assert len(lists) == 2
    assert sum(len(x.find_all("li", recursive=False)) for x in lists) == 4
    assert [li.get_text(" ", strip=True) for li in lists[0].find_all("li")] == [
        "Should have some understanding of Pod manifests",
        "Some familiarity with the kube-system namespace",
    ]
    blocks = article.select("pre")
    assert [b.get_text() for b in blocks] == _fenced_blocks(SEED)
    assert len(blocks) == 4


def test_seed_post_keeps_transcript_characters_and_drops_end_marker(seed_site):
    article = seed_site.article(SEED_URL)
    first = article.select("pre")[0].get_text()
    assert first.count("<none>") == 2
    assert "end-of-post" not in article.get_text()
    # ```kube-apiserver.yaml``` in the text is inline code, as kramdown showed it.
    inline = [c.get_text() for c in article.select("p code")]
    assert "kube-apiserver.yaml" in inline
    assert "kubectl edit po kube-apiserver-master -n kube-system" in inline
    assert "```" not in article.get_text()


def test_seed_page_has_title_tag_and_permalinks(seed_site):
    page = seed_site.page(SEED_URL)
    assert page.title.get_text().startswith(SEED_TITLE)
    # The seed has no subheading; the etcd reference has one per flag. Each heading links to itself.
    assert seed_site.article(SEED_URL).select("h2, h3, h4, h5, h6") == []
    headings = seed_site.article("flags/etcd/").select("h2, h3, h4, h5, h6")
    assert headings, "the etcd reference page has no headings"
    for heading in headings:
        link = heading.select_one("a.headerlink")
        assert link is not None and link["href"] == "#" + heading["id"], str(heading)


@pytest.mark.parametrize("url", ["", "categories/kubernetes/", "archive/2019/"])
def test_listings_link_the_seed(seed_site, url):
    page = seed_site.page(url)
    links = [a for a in page.select("article.flagref-card a") if a.get_text() == SEED_TITLE]
    assert links, f"{url or 'home'} does not list the seed post"
    href = links[0]["href"]
    assert (seed_site.site / url / href / "index.html").resolve().is_file()


def test_home_card_shows_date_categories_and_excerpt(seed_site):
    card = seed_site.page("").select_one("article.flagref-card")
    assert card.time["datetime"] == "2019-10-24"
    assert card.select_one(".flagref-card__meta a").get_text() == "kubernetes"
    assert (
        card.select_one(".flagref-card__excerpt")
        .get_text()
        .startswith("etcd is a consistent key value datastore that Kubernetes leverages")
    )


def test_navigation_does_not_list_posts(seed_site):
    nav = seed_site.page(SEED_URL).select("nav.md-nav--primary a.md-nav__link")
    assert SEED_TITLE not in [a.get_text(strip=True) for a in nav]
    assert {"Home", "Categories", "Archive", "Flags"} <= {a.get_text(strip=True) for a in nav}


def test_no_asset_comes_from_another_host(seed_site):
    for path in seed_site.site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:link|script|img|iframe)\b[^>]*>", html):
            src = re.search(r'\b(?:src|href)="([^"]+)"', tag)
            if src and 'rel="canonical"' not in tag and 'rel="alternate"' not in tag:
                assert not re.match(r"^(https?:)?//", src.group(1)), f"{path}: {tag}"


def test_every_post_renders_exactly_the_blocks_the_engine_finds(seed_site, fixture_site, tmp_path):
    from flagref.checks.secrets import MASK
    from flagref.scan import scan_docs

    # The relation fixtures too, each folder as a posts/ folder of its own site.
    relation_posts = tmp_path / "relations" / "posts"
    for folder in (FIXTURES / "relations").iterdir():
        shutil.copytree(folder, relation_posts / folder.name)
    relation_site = build_site(relation_posts.parent, tmp_path / "relations-site", strict=False)
    for docs, built in ((DOCS, seed_site), (FIXTURE_DOCS, fixture_site), (relation_posts.parent, relation_site)):
        result = scan_docs(docs, ROOT / "snippets")
        for post in result.posts:
            url = re.sub(r"\.(md|markdown)$", "/", post.path)
            rendered = built.article(url).select("pre")
            assert len(rendered) == len(post.fences), post.path
            secrets = [u.value for u in post.uses if u.secret]
            for pre, fence in zip(rendered, post.fences):
                expected = "\n".join(fence.body) + "\n"
                for value in secrets:  # the only characters the site changes: masked credentials
                    expected = expected.replace(value, MASK)
                assert pre.get_text() == expected, f"{post.path}:{fence.origin.line}"


def test_bad_front_matter_warns_with_path_and_line_and_still_builds(fixture_site):
    assert (
        "tests/fixtures/docs/posts/site/2020-02-01-bad-front-matter.md:2: front matter is not valid YAML "
        "(mapping values are not allowed in this context); quote values that contain ': ' or start with a special "
        "character. Read what could be read line by line"
    ) in fixture_site.warnings
    article = fixture_site.article("posts/site/2020-02-01-bad-front-matter/")
    assert article.h1.get_text() == "kubernetes > a title: with a colon"
    card = [c for c in fixture_site.page("categories/kubernetes/").select("article.flagref-card")]
    assert any("a title: with a colon" in c.get_text() for c in card)


def test_impossible_date_warns_and_falls_back_to_the_file_name(fixture_site):
    assert (
        "tests/fixtures/docs/posts/site/2020-02-02-impossible-date.md:3: front matter date '2020-02-30' is "
        "impossible (day is out of range for month); write it as YYYY-MM-DD. Used the date in the file name instead"
    ) in fixture_site.warnings
    archive = fixture_site.page("archive/2020/")
    assert "A post dated the 30th of February" in archive.get_text()


def test_post_without_front_matter_is_titled_from_its_file_name(fixture_site):
    page = fixture_site.page("posts/site/2020-02-03-no-front-matter/")
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("article h1, article h2")]
    # The page's one h1 is the title Jekyll would give; the body's own heading follows, a level down.
    assert [h.name for h in page.select("article h1")] == ["h1"]
    assert headings[0] == "No front matter"
    assert any(h.startswith("A post with no front matter") for h in headings[1:])
    assert "---" not in page.select_one("article").get_text()


def test_nested_markdown_post_dated_by_file_name(fixture_site):
    article = fixture_site.article("posts/site/deeper/nested/2020-02-04-nested-post/")
    assert article.h1.get_text() == "A nested .markdown post"
    assert len(article.select("ul li")) == 2  # the list directly after "Environment:"
    nested = fixture_site.page("categories/nested/")
    card = nested.select_one("article.flagref-card")
    assert card.time["datetime"] == "2020-02-04"


def test_strict_build_fails_on_bad_input(tmp_path):
    docs = tmp_path / "docs" / "posts"
    docs.mkdir(parents=True)
    (docs / "2020-02-01-bad.md").write_text((FIXTURE_DOCS / "posts/site/2020-02-01-bad-front-matter.md").read_text())
    with pytest.raises(Abort):
        build_site(tmp_path / "docs", tmp_path / "site", strict=True)


def test_build_runs_from_another_directory_with_f(tmp_path):
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(CONFIG), "-d", str(tmp_path / "out")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / SEED_URL / "index.html").is_file()


def test_sources_are_read_from_any_depth_and_both_suffixes():
    sources = {s.src_uri for s in read_sources(FIXTURE_DOCS)}
    assert "posts/site/deeper/nested/2020-02-04-nested-post.markdown" in sources
    assert ROOT.joinpath("docs", "posts").is_dir()


def test_a_broken_catalog_stops_the_build_naming_file_and_line(tmp_path, monkeypatch, caplog):
    import flagref.catalog

    catalog = tmp_path / "catalog"
    shutil.copytree(flagref.catalog.DEFAULT_DIRECTORY, catalog)
    (catalog / "etcd.yaml").write_text("component: etcd\nflags:\n  name: [unclosed\n")
    monkeypatch.setattr(flagref.catalog, "DEFAULT_DIRECTORY", catalog)
    with pytest.raises(Abort, match="BuildError"):  # MkDocs logs a PluginError, then aborts
        build_site(DOCS, tmp_path / "site", strict=True)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [f"{catalog}/etcd.yaml:4: not valid YAML: did not find expected ',' or ']'; fix the syntax"]


def test_a_post_the_engine_failed_on_includes_nothing_from_outside_snippets(tmp_path, monkeypatch):
    import markdown

    import flagref.site
    from flagref.site import SiteBuild, SourceFile

    outside = tmp_path / "outside.txt"
    outside.write_text("CANARY-OUTSIDE", encoding="utf-8")
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    (snippets / "link.md").symlink_to(outside)

    def broken(*args, **kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(flagref.site, "parse_post", broken)
    text = '---\ntitle: t\n---\nBefore.\n\n--8<-- "link.md"\n\n```\n--8<-- "link.md"\n```\n'
    build = SiteBuild([SourceFile("posts/2020-01-01-x.md", "docs/posts/2020-01-01-x.md", text)])
    (item,) = build.posts
    assert item.post.failed
    source = build.post_markdown("posts/2020-01-01-x.md")
    assert "--8<--" not in source and "Before." in source
    # pymdownx.snippets as the site configures it (confined to snippets/) reads the Markdown as text.
    html = markdown.markdown(
        source,
        extensions=["pymdownx.snippets", "pymdownx.superfences"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(snippets)], "restrict_base_path": True}},
    )
    assert "CANARY-OUTSIDE" not in html
    assert "link.md" in html


_EXIT_SCRIPT = """
import gc, importlib.util, os, sys

class Sentinel:
    write = staticmethod(os.write)

    def __del__(self):
        self.write(1, b"collected at exit\\n")

if sys.argv[2] == "hook":  # as MkDocs loads it, twice (a second configuration)
    for _ in range(2):
        spec = importlib.util.spec_from_file_location("hooks/flagref_mkdocs.py", sys.argv[1])
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
gc.collect()
gc.disable()
garbage = Sentinel()
garbage.itself = garbage  # garbage only a collection finds
del garbage
"""


@pytest.mark.parametrize("hook", [True, False], ids=["hook loaded", "no hook"])
def test_the_heap_is_not_collected_again_at_exit(tmp_path, hook):
    """The interpreter's last collection walked a 1,000-post build's heap for 0.4 s; with the hook it is skipped."""
    script = tmp_path / "exit.py"
    script.write_text(_EXIT_SCRIPT)
    run = subprocess.run(
        [sys.executable, str(script), str(ROOT / "hooks" / "flagref_mkdocs.py"), "hook" if hook else "none"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "hooks")},
    )
    assert run.returncode == 0, run.stderr
    assert ("collected at exit" in run.stdout) is not hook
