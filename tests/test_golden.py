"""Expected records for every parsing fixture, as reviewed golden files.

Each post under tests/fixtures/docs/posts/parsing/ shows one kind of mess
found in real posts; tests/golden/<name>.json holds what the engine must
read from it (the `flagref scan --json` record of the post). Regenerate
after a deliberate change, then review the diff:

    FLAGREF_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURE_DOCS
from flagref.cli import post_json
from flagref.scan import scan_docs

GOLDEN = Path(__file__).resolve().parent / "golden"
PARSING = sorted((FIXTURE_DOCS / "posts" / "parsing").glob("*.md"))


@pytest.fixture(scope="module")
def scanned():
    return {post.path: post for post in scan_docs(FIXTURE_DOCS).posts}


@pytest.mark.parametrize("fixture", PARSING, ids=lambda p: p.stem)
def test_fixture_matches_its_golden_records(fixture, scanned):
    post = scanned[fixture.relative_to(FIXTURE_DOCS).as_posix()]
    actual = json.dumps(post_json(post), indent=2, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{fixture.stem}.json"
    if os.environ.get("FLAGREF_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8") if golden.exists() else ""
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(golden), "actual"))
        pytest.fail(f"{fixture.name} no longer reads as {golden.name}:\n{diff}")
