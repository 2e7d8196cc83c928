"""Reading flags out of an argument vector, and the lines that mark a cut."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagref.model import Origin
from flagref.parse.argv import FLAG_TOKEN, is_truncation, parse_argv, split_list, unquote

pytestmark = pytest.mark.unit


def _items(*words: str) -> list[tuple[Origin, str]]:
    return [(Origin("t.md", i + 1), w) for i, w in enumerate(words)]


@pytest.mark.parametrize(
    ("words", "takes", "expected"),
    [
        (
            ("--initial-cluster=master=https://10.128.15.226:2380",),
            None,
            [("--initial-cluster", "master=https://10.128.15.226:2380")],
        ),
        (("--authorization-mode", "Node,RBAC"), None, [("--authorization-mode", "Node,RBAC")]),
        (("--allow-privileged", "--v=2"), None, [("--allow-privileged", None), ("--v", "2")]),
        (("-n", "kube-system", "-o", "yaml"), {"-n": True, "-o": True}, [("-n", "kube-system"), ("-o", "yaml")]),
        (("-i", "active"), {"-i": False}, [("-i", None)]),
        (("--tls-cipher-suites='A,B'",), None, [("--tls-cipher-suites", "A,B")]),
        (
            ("--feature-gates=A=true", "--feature-gates=B=false"),
            None,
            [("--feature-gates", "A=true"), ("--feature-gates", "B=false")],
        ),
        (("--", "--not-a-flag"), None, []),
        (("-v=2",), None, [("-v", "2")]),
        # A value that starts with a dash is taken when the flag is known to want one.
        (("-e", "--etcd"), {"-e": True}, [("-e", "--etcd")]),
        (("--lines", "-5"), None, [("--lines", "-5")]),
    ],
)
def test_parse_argv(words, takes, expected):
    flags, _, unparsed = parse_argv(_items(*words), (lambda f: takes.get(f)) if takes else None)
    assert [(f.flag, f.value) for f in flags] == expected
    assert unparsed == []


def test_parse_argv_keeps_positionals_and_each_items_line():
    flags, positional, _ = parse_argv(_items("get", "po", "-n", "kube-system"), lambda f: True)
    assert [w for _, w in positional] == ["get", "po"]
    assert [(f.origin.line, f.flag, f.value) for f in flags] == [(3, "-n", "kube-system")]


def test_parse_argv_reports_malformed_flags():
    flags, _, unparsed = parse_argv(_items("--=broken"))
    assert flags == [] and [(u.line, u.text) for u in unparsed] == [(1, "--=broken")]


def test_parse_argv_reports_a_missing_value():
    flags, _, unparsed = parse_argv(_items("--data-dir"), lambda f: True)
    assert [(f.flag, f.value) for f in flags] == [("--data-dir", None)]
    assert [u.reason for u in unparsed] == ["--data-dir expects a value and none follows"]


@pytest.mark.parametrize(
    "line",
    [
        "--TRUNCATED--",
        "    --TRUNCATED--",
        "-- TRUNCATED --",
        "---truncated---",
        "  # --TRUNCATED--",
        "...",
        "    - --TRUNCATED--",
    ],
)
def test_truncation_markers(line):
    assert is_truncation(line)


@pytest.mark.parametrize("line", ["--etcd-servers=x", "- --truncate-log", "TRUNCATED is a word here"])
def test_not_truncation_markers(line):
    assert not is_truncation(line)


@pytest.mark.parametrize(
    ("line", "tokens"),
    [
        ("    - --etcd-servers=https://127.0.0.1:2379", ["--etcd-servers"]),
        ('args: ["--a=1", "--b"]', ["--a", "--b"]),
        ("x--not-a-flag and --yes", ["--yes"]),
        ("--TRUNCATED--", ["--TRUNCATED--"]),
    ],
)
def test_flag_tokens(line, tokens):
    assert [m.group(0) for m in FLAG_TOKEN.finditer(line)] == tokens


def test_unquote_and_split_list():
    assert unquote("'a b'") == "a b" and unquote('"x"') == "x" and unquote("'x") == "'x"
    assert split_list(" a, b,,c ") == ["a", "b", "c"] and split_list(None) == []


@pytest.mark.parametrize("size", [10_000, 100_000])
def test_long_items_are_read_in_linear_time(size):
    # The patterns are linear: a very long item of dashes or of a name takes no time.
    flags, _, unparsed = parse_argv(_items("-" * size, "--" + "a" * size + "=", "--x=" + "=" * size))
    assert len(flags) + len(unparsed) == 3
    assert not is_truncation("-" * size + "x")


# Flag tokens as the pattern with its look-behind first finds them (it tries every position):
# the oracle for FLAG_TOKEN, which starts with its literal dashes.
_FLAG_TOKEN_PATTERN = re.compile(r"(?:^|(?<=[\s\"'`(\[,=]))--[A-Za-z0-9][A-Za-z0-9_.-]*")


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="-- aB=`/_x\t\"'([,é.9\n", max_size=24))
def test_flag_tokens_are_the_ones_the_pattern_finds(line):
    assert [m.span() for m in FLAG_TOKEN.finditer(line)] == [m.span() for m in _FLAG_TOKEN_PATTERN.finditer(line)]


@pytest.mark.parametrize(
    "block",
    [
        "```yaml\nspec:\n  containers:\n  - command:\n    - etcd\n    - {dots}x\n```\n",
        "```\n{dots} --x=1\n```\n",
        "```\n    # {dots}x\n```\n",
    ],
)
def test_long_lines_of_punctuation_are_read_in_linear_time(block):
    # The truncation-marker pattern backtracked over runs of dots: 10 s for one 20,000-character line.
    from conftest import best_time, parse

    def read(n: int):
        return lambda: parse("posts/x.md", block.format(dots="." * n))

    small, large = best_time(read(10_000)), best_time(read(40_000))
    assert large < 8 * small + 0.01, (small, large)
