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
