"""Flags mentioned in the text of a post: in inline code or bare, and the program each belongs to."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import parse
from flagref.model import Document, Origin
from flagref.parse.prose import _BARE, END_OF_POST, _code_spans, find_mentions

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)


def _mentions(*lines: str, skip: tuple[int, ...] = ()) -> list[tuple[int, str, str | None, bool]]:
    document = Document("p.md", lines, tuple(Origin("p.md", i + 1) for i in range(len(lines))))
    return [(m.origin.line, m.flag, m.value, m.in_code) for m in find_mentions(document, skip)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Set `--etcd-servers` first.", [(1, "--etcd-servers", None, True)]),
        ("Set `--etcd-servers=https://127.0.0.1:2379`.", [(1, "--etcd-servers", "https://127.0.0.1:2379", True)]),
        ("The flag `--v 2` sets the level.", [(1, "--v", "2", True)]),
        ("Bare --data-dir=/var/lib/etcd, then more.", [(1, "--data-dir", "/var/lib/etcd", False)]),
        ("Ends a sentence: --listen-client-urls.", [(1, "--listen-client-urls", None, False)]),
        ("In (--name=master) brackets.", [(1, "--name", "master", False)]),
        # Not flags: a dash inside a word, a path, an em-dash-like double dash, a trailing dash.
        ("a well--known fact, /usr/--x, -- a pause, `--prefix-`", []),
        # A code span holds it once, not once as code and once bare.
        ("``--x `y` ``", [(1, "--x", "`y`", True)]),
    ],
)
def test_find_mentions(line, expected):
    assert _mentions(line) == expected


def test_code_lines_are_skipped_and_lines_are_kept():
    # A bare mention needs at least two characters after the dashes (prose._BARE), so the names here have two.
    assert _mentions("--ab here", "--bc in code", "and --cd", skip=(1,)) == [
        (1, "--ab", None, False),
        (3, "--cd", None, False),
    ]


@pytest.mark.parametrize("line", ["--- end of post ---", "-end-of-post-", "  -- End Of Post"])
def test_end_of_post_marker_is_not_prose(line):
    assert END_OF_POST.match(line)
    assert _mentions(line) == []


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["`a``", "``a`", "`--a", "--a-", "--a=", "`` `", "`--x=`"])
def test_long_lines_are_read_in_linear_time(unit):
    start = time.perf_counter()
    _mentions(unit * 40_000)
    assert time.perf_counter() - start < 2.0


def test_a_mention_belongs_to_the_one_program_that_sets_the_flag_in_the_post():
    text = (
        "```\n$ etcd --listen-client-urls=https://127.0.0.1:2379 --name=master\n```\n"
        "Here `--listen-client-urls` and --name are etcd's; --etcd-servers names kube-apiserver's.\n"
        "The --cert-file of etcd, and `--no-such-flag-anywhere`.\n"
    )
    post = parse("posts/2020-01-01-t.md", text)
    prose = [(u.line, u.component, u.flag, u.ambiguous) for u in post.uses if u.kind == "prose"]
    assert prose == [
        (4, "etcd", "--listen-client-urls", False),
        (4, "etcd", "--name", False),
        (4, "kube-apiserver", "--etcd-servers", False),
        # On one line, the code spans are read before the bare mentions.
        (5, None, "--no-such-flag-anywhere", True),
        (5, "etcd", "--cert-file", False),
    ]


def test_options_of_a_command_written_inline_belong_to_its_program():
    text = "---\ntitle: t\n---\nList them with `kubectl get po -n kube-system -o wide`, then `nginx -v` and `--v=2`.\n"
    post = parse("posts/2020-01-01-x.md", text)
    mentions = [(u.component, u.flag, u.name, u.value, u.object) for u in post.uses if u.kind == "prose"]
    assert mentions == [
        ("kubectl", "-n", "namespace", "kube-system", "kubectl get po -n kube-system -o wide"),
        ("kubectl", "-o", "output", "wide", "kubectl get po -n kube-system -o wide"),
        ("kubectl", "--v", "v", "2", None),  # the sentence names kubectl
    ]
    # An example command is no claim about the post's cluster: nothing to check against.
    assert post.claims == ()


# Code spans as a lazy pattern with a back-reference reads them (quadratic on unmatched runs):
# the oracle the linear scanner must agree with.
_CODE_SPAN_PATTERN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="`` a-", max_size=24))
def test_code_spans_are_the_spans_the_pattern_finds(line):
    expected = [(m.start(), m.end(), m.group(2)) for m in _CODE_SPAN_PATTERN.finditer(line)]
    assert _code_spans(line) == expected


# Bare mentions as the pattern with its look-behind first reads them (it tries every position):
# the oracle for the pattern that starts with its literal dashes.
_BARE_PATTERN = re.compile(r"(?<![\w/`-])(--[a-z0-9][a-z0-9-]*[a-z0-9])(?:=([^\s`<>]+))?(?![\w-])")


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="-- ab=`/_x\té<>9", max_size=24))
def test_bare_mentions_are_the_ones_the_pattern_finds(line):
    expected = [(m.span(), m.groups()) for m in _BARE_PATTERN.finditer(line)]
    assert [(m.span(), m.groups()) for m in _BARE.finditer(line)] == expected
