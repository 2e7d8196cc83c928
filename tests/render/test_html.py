"""The HTML tokenizer: lossless on any input, right about what is markup, linear in time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import best_time
from flagref.render.html import tokenize

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)


def kinds(html: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(html)]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("plain", [("text", "plain")]),
        ('<img alt="a > --b">x', [("start", '<img alt="a > --b">'), ("text", "x")]),
        ("<a title='x>y' href=z>t</a>", [("start", "<a title='x>y' href=z>"), ("text", "t"), ("end", "</a>")]),
        ('<a title=x"y>z', [("start", '<a title=x"y>'), ("text", "z")]),  # a quote inside an unquoted value
        ("<!-- a <b> -->c", [("other", "<!-- a <b> -->"), ("text", "c")]),
        ("<!-- never closed <p>", [("other", "<!-- never closed <p>")]),
        ("a < b", [("text", "a < b")]),
        (
            "<script>if (a<b) x('</p>')</script>--x",
            [("start", "<script>"), ("text", "if (a<b) x('</p>')"), ("end", "</script>"), ("text", "--x")],
        ),
        ("<STYLE>p<a>{}</style >", [("start", "<STYLE>"), ("text", "p<a>{}"), ("end", "</style >")]),
        ("</>x</ y>", [("other", "</>"), ("text", "x"), ("other", "</ y>")]),
        ('<img alt="unclosed', [("start", '<img alt="unclosed')]),
        ("<!DOCTYPE html><?php x ?>", [("other", "<!DOCTYPE html>"), ("other", "<?php x ?>")]),
        ("<br/>", [("start", "<br/>")]),
    ],
)
def test_tokens(html, expected):
    assert kinds(html) == expected


def test_tag_names_are_lower_case():
    assert [t.name for t in tokenize("<PRE class=x></Pre>")] == ["pre", "pre"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/!-=\"' abpre\n")), max_size=200))
def test_tokens_give_the_input_back(html):
    assert "".join(t.text for t in tokenize(html)) == html


@pytest.mark.parametrize(
    "shape",
    [
        "<",  # a "<" that starts nothing, again and again
        "<a ",  # a tag that never ends
        '<a b="',
        "<a b=",
        "</",
        "<!--",
        "<script>",
        "-",
        "x",
    ],
)
@pytest.mark.slow
def test_time_is_linear(shape):
    def timed(size: int) -> float:
        html = shape * (size // len(shape))
        return best_time(lambda: list(tokenize(html)))

    small, large = timed(10**4), timed(10**5)
    assert large / max(small, 1e-3) <= 20, (shape, small, large)
