"""Hostile posts built for real: nothing from the build machine reaches the site."""

from __future__ import annotations

import os

import pytest
from mkdocs.exceptions import Abort

from conftest import build_site

CANARY = "flagref-canary-7d1f0c"

LEAKS = """---
title: includes that try to leave snippets
categories: [hostile]
---
An include that climbs out of the snippets folder:

--8<-- "../../../../../../../../../../etc/passwd"

The build's own environment:

```yaml
--8<-- "/proc/self/environ"
```
"""


def _post(tmp_path, text: str):
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    (docs / "posts" / "2020-01-01-leak.md").write_text(text, encoding="utf-8")
    return docs


def test_includes_outside_snippets_fail_the_strict_build(tmp_path):
    with pytest.raises(Abort):
        build_site(_post(tmp_path, LEAKS), tmp_path / "site", strict=True)


def test_includes_outside_snippets_publish_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("FLAGREF_CANARY", CANARY)
    assert os.environ["FLAGREF_CANARY"] == CANARY
    built = build_site(_post(tmp_path, LEAKS), tmp_path / "site", strict=False)
    refused = [w for w in built.warnings if "refused" in w or "not found" in w]
    assert [w.split(": snippet")[0].rsplit("/", 1)[-1] for w in refused] == [
        "2020-01-01-leak.md:7",
        "2020-01-01-leak.md:12",
    ]
    assert all("outside the snippets folder" in w for w in refused)
    published = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in built.site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json", ".xml", ".txt")
    )
    assert CANARY not in published
    assert "root:x:0:0" not in published
    # The include shows as the text the author wrote, so the reader sees what was refused.
    assert '--8<-- "/proc/self/environ"' in built.page("posts/2020-01-01-leak/").get_text()
