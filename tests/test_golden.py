"""Expected records for every parsing fixture, as reviewed golden files.

Each post under tests/fixtures/docs/posts/parsing/ shows one kind of mess
found in real posts; tests/golden/<name>.json holds what the engine must
read from it (the `flagref scan --json` record of the post). After a
deliberate change, regenerate every golden file and review the diff:

    scripts/update-golden
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURE_DOCS, GOLDEN, assert_golden, parse_folder
from flagref.cli import post_json

pytestmark = pytest.mark.unit

PARSING = sorted((FIXTURE_DOCS / "posts" / "parsing").glob("*.md"))


@pytest.fixture(scope="module")
def posts():
    return {post.path: post for post in parse_folder(FIXTURE_DOCS)}


@pytest.mark.parametrize("fixture", PARSING, ids=lambda p: p.stem)
def test_fixture_matches_its_golden_records(fixture, posts):
    post = posts[fixture.relative_to(FIXTURE_DOCS).as_posix()]
    actual = json.dumps(post_json(post), indent=2, ensure_ascii=False) + "\n"
    assert_golden(GOLDEN / f"{fixture.stem}.json", actual)
