"""Snippet includes, one case per form in tests/fixtures/cases/snippets.txt.

The cases include the files of tests/fixtures/cases/snippets/; each expanded
line is shown with the file and line it came from.
"""

from __future__ import annotations

import pytest

from conftest import CASES, Case, assert_case, case_params
from flagref.parse.snippets import SnippetSource, expand_snippets

pytestmark = pytest.mark.unit

SOURCE = SnippetSource((CASES / "snippets",), display_root=CASES)


def describe(case: Case) -> list[str]:
    """``origin | line`` per expanded line, then ``! diagnostic`` per problem (the snippets folder as <snippets>)."""
    document, diagnostics = expand_snippets("post.md", list(case.input), 1, SOURCE)
    out = [f"{origin} | {line}" if line else f"{origin} |" for origin, line in zip(document.origins, document.lines)]
    folder = str((CASES / "snippets").resolve())
    out += [f"! {diagnostic}".replace(folder, "<snippets>") for diagnostic in diagnostics]
    return out


@pytest.mark.parametrize("case", case_params("snippets.txt"))
def test_snippets(case: Case) -> None:
    assert_case(case, describe(case))
