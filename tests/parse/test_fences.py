"""Code blocks found exactly as the site renders them: one case per shape in tests/fixtures/cases/fences.txt.

Each case is checked twice: against its hand-written expectation, and against
what Python-Markdown with the site's extensions (superfences, admonitions...)
renders, so that the scanner and the renderer never drift apart.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from conftest import CONFIG, Case, assert_case, case_params
from flagref.model import Document, Fence, Origin
from flagref.parse.fences import find_fences

pytestmark = pytest.mark.unit


def describe(fences: tuple[Fence, ...]) -> list[str]:
    """Blocks as the fixture file writes them: ``fenced 2-4 info=bash``, then ``| line`` per body line."""
    out = []
    for fence in fences:
        kind = "fenced" if fence.fenced else "indented"
        # Input lines are 1-based in the fixture; start/end index the document from 0.
        head = f"{kind} {fence.start + 1}-{fence.end + 1}"
        if fence.info:
            head += f" info={fence.info}"
        if fence.fenced and fence.indent:
            head += f" indent={fence.indent!r}"
        out.append(head)
        out.extend(f"| {line}" if line else "|" for line in fence.body)
    return out


def document(case: Case) -> Document:
    return Document("case.md", case.input, tuple(Origin("case.md", i + 1) for i in range(len(case.input))))


@pytest.mark.parametrize("case", case_params("fences.txt"))
def test_fences(case: Case) -> None:
    assert_case(case, describe(find_fences(document(case))))


class _AnyTag(yaml.SafeLoader):
    """mkdocs.yml with its ``!relative`` and ``!!python/name`` tags read as plain values."""


_AnyTag.add_multi_constructor("", lambda loader, suffix, node: None)


@functools.cache
def _extensions() -> tuple[list[Any], dict[str, dict]]:
    """The site's Markdown extensions, from mkdocs.yml (snippets left out: the parser expands them first)."""
    config = yaml.load(CONFIG.read_text(encoding="utf-8"), Loader=_AnyTag)
    names: list[Any] = []
    settings: dict[str, dict] = {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name == "pymdownx.snippets":
            continue
        names.append(name)
        if options:
            settings[name] = options
    return names, settings


def rendered_blocks(text: str) -> list[str]:
    """The text of every ``<pre>`` Python-Markdown renders for ``text`` with the site's extensions."""
    import markdown
    from bs4 import BeautifulSoup

    names, settings = _extensions()
    html = markdown.markdown(text, extensions=names, extension_configs=settings)
    return [pre.get_text() for pre in BeautifulSoup(html, "html.parser").select("pre")]


@pytest.mark.parametrize("case", case_params("fences.txt"))
def test_fences_agree_with_the_renderer(case: Case) -> None:
    found = ["\n".join(f.body) + "\n" for f in find_fences(document(case))]
    rendered = rendered_blocks(case.text)
    assert found == rendered, f"{case.where}: {case.title}: the scanner and the site see different blocks"
