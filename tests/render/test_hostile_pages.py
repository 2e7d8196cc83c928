"""A real build of a post whose names attack the generated pages: nothing runs, nothing is replaced."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import build_site

ATTACK = "![x](x){onerror=alert(1)}"
POST = f"""---
title: hostile names
categories: ["index", "C++", "c", "K8s", "k8s", ".", "..", "日本", "a\\x01b\\n{ATTACK}", "{ATTACK}"]
---
A manifest with containers named like generated pages.

```yaml
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: index
    args:
    - --foo=1
  - name: kube_apiserver
    args:
    - --bar=2
```
"""


def test_hostile_names_make_inert_pages_of_their_own(tmp_path):
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    (docs / "posts" / "2020-01-01-hostile.md").write_text(POST, encoding="utf-8")
    built = build_site(docs, tmp_path / "site", strict=False)
    for path in built.site.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article") or soup
        for tag in article.find_all(True):
            assert not any(a.lower().startswith("on") for a in tag.attrs), (path, str(tag))
            assert tag.name != "img", (path, str(tag))
    # The indexes are still the indexes.
    assert built.page("categories/").select_one("ul.flagref-categories") is not None
    assert built.page("flags/").select_one("h2#a-z") is not None
    categories = built.page("categories/").select("ul.flagref-categories li a")
    assert len(categories) == 10 and len({a["href"] for a in categories}) == 10
    for a in categories:
        assert (built.site / "categories" / a["href"] / "index.html").is_file()
    by_name = {a.get_text(): a["href"] for a in categories}
    assert ATTACK in by_name
    # A name with a control character keeps a page; its title (YAML front matter) is written without it.
    href = by_name["a\x01b\n" + ATTACK]
    title = built.page(f"categories/{href}").title.get_text()
    assert title.startswith(f"ab\n{ATTACK}")
    # Containers named like a generated page get pages of their own beside it.
    for url in ("flags/index-2/", "flags/kube-apiserver-2/", "flags/kube-apiserver/"):
        assert (built.site / url / "index.html").is_file()


FRONT_MATTER_POST = """---
title: mappings in front matter
description: {"\\"><script>alert(1)</script>": 1}
author: [{"<img src=x onerror=alert(2)>": 1}]
---
Text `a
- <script>alert(3)</script>`
"""


def test_front_matter_mappings_and_open_code_spans_stay_text(tmp_path):
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    (docs / "posts" / "2020-01-02-mappings.md").write_text(FRONT_MATTER_POST, encoding="utf-8")
    built = build_site(docs, tmp_path / "site", strict=False)
    page = built.page("posts/2020-01-02-mappings/")
    # A theme prints a mapping's keys as well as its values: both arrive escaped.
    assert page.find("script", string=lambda s: s and "alert" in s) is None
    assert page.find("img", src="x") is None
    assert "alert(1)" in page.select_one('meta[name="description"]')["content"]
    # The list item the author's kramdown would have started lies inside an open code span:
    # it stays the span's text rather than becoming markup.
    code = page.select_one("article p code")
    assert code is not None and "<script>alert(3)</script>" in code.get_text()


def test_a_very_long_line_of_text_is_shown_as_text_with_a_warning(tmp_path):
    import time

    long_line = "[" * 60_000 + "<b>x</b>"
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    (docs / "posts" / "2020-01-03-long.md").write_text(f"---\ntitle: long\n---\nBefore.\n{long_line}\nAfter.\n")
    start = time.process_time()
    built = build_site(docs, tmp_path / "site", strict=False)
    assert time.process_time() - start < 10  # Markdown and the excerpt took minutes on such a line
    shown = built.page("posts/2020-01-03-long/").select_one("p.flagref-long-line")
    assert shown is not None and shown.get_text() == long_line and shown.find("b") is None
    assert any(
        w.endswith(
            ":5: a line of 60,008 characters is shown as plain text (Markdown is not applied to lines over "
            "5,000 characters); break it into shorter lines"
        )
        for w in built.warnings
    ), built.warnings
