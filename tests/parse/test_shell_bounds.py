"""The shell reader's bounds: any text is read without raising, in time linear in its length.

Hypothesis properties and timing ratios: slower than the behaviour cases in
``test_shell.py``, so they stay out of the ``unit`` tier and run in the full suite.
"""

from __future__ import annotations

import gc
import re
import shlex
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flagref.model import Origin
from flagref.parse.programs import Programs, load_programs
from flagref.parse.shell import Script, _extent_in, ends_on_its_line, parse_script

PROGRAMS = load_programs()
# What bash takes for an assignment rather than a command name.
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")


def run(source: str) -> Script:
    return parse_script(source.split("\n"), PROGRAMS)


def test_deep_nesting_is_reported() -> None:
    text = "bash -c " + shlex.quote("x")
    for _ in range(12):
        text = "bash -c " + shlex.quote(text)
    script = run(text)
    assert any("nested" in p.reason for p in script.problems)


# --------------------------------------------------------------------------
# Properties


SAFE_WORD = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_characters="\x7f"), min_size=1, max_size=12
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(SAFE_WORD, min_size=0, max_size=8))
def test_quoted_argv_round_trips(words: list[str]) -> None:
    script = parse_script(["prog " + shlex.join(words)], PROGRAMS)
    assert [(i.program, [w.value for w in i.args]) for i in script.invocations] == [("prog", words)]
    assert not script.problems


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.text(max_size=60), max_size=6))
def test_any_text_never_raises(lines: list[str]) -> None:
    script = parse_script(lines, PROGRAMS)
    _check_invariants(script, PROGRAMS)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.text(alphabet="ab $()`'\"\\|&;<>{}[]#=\n\t-", max_size=80), max_size=5))
def test_shell_punctuation_never_raises(lines: list[str]) -> None:
    _check_invariants(parse_script(lines, PROGRAMS), PROGRAMS)


def _check_invariants(script: Script, programs: Programs) -> None:
    for invocation in script.invocations:
        assert invocation.program
        assert not programs.is_keyword(invocation.executable), invocation
        assert "$" not in invocation.program and "`" not in invocation.program, invocation
        assert not ASSIGNMENT.match(invocation.executable), invocation
        for word in invocation.args:
            assert isinstance(word.value, str) and word.line >= 0


@pytest.mark.parametrize(
    "line",
    [
        "x" * 10_000,
        '"' * 10_000,
        "$(" * 5_000,
        "(" * 10_000,
        "`" * 10_000,
        "<<" * 5_000,
        "a | " * 2_500,
        "\\" * 10_000,
        "'" + "a" * 10_000,
    ],
    ids=["letters", "quotes", "substitutions", "parens", "backticks", "heredocs", "pipes", "backslashes", "open-quote"],
)
def test_long_lines_never_raise(line: str) -> None:
    _check_invariants(parse_script([line], PROGRAMS), PROGRAMS)


def _timed(lines: list[str]) -> float:
    # As timeit does: best of three, with the garbage collector paused so that its
    # passes over the many small records do not count as parsing time. Each run reads
    # with a fresh copy of the program data, whose memo is empty: the text is parsed
    # every time, not given back from an earlier run.
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            programs = Programs(PROGRAMS.programs, PROGRAMS.keywords, PROGRAMS.builtins)
            start = time.perf_counter()
            parse_script(lines, programs)
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "kubectl get po -n kube-system --show-labels ",
        "a | ",
        "$(x) ",
        "'q' \"d\" ",
        "sudo -E ",
        "x=$(a) ",
        "( ",
        '"',
    ],
    ids=["words", "pipes", "substitutions", "quotes", "wrappers", "assignments", "parens", "quote-run"],
)
def test_parse_is_linear(unit: str) -> None:
    small = [unit * (10_000 // len(unit))]
    large = [unit * (100_000 // len(unit))]
    ratio = _timed(large) / max(_timed(small), 1e-3)
    assert ratio <= 20, ratio


def test_many_lines_are_linear() -> None:
    line = "sudo kubeadm join 10.0.0.1:6443 --token abc --discovery-token-ca-cert-hash sha256:0"
    ratio = _timed([line] * 1000) / max(_timed([line] * 100), 1e-3)
    assert ratio <= 20, ratio


def test_loops_never_closed_at_prompts_are_linear() -> None:
    """Each loop typed at a prompt is looked for its ``done`` up to the next prompt, once."""
    from flagref.parse.commands import split_block

    def timed(count: int) -> float:
        # Lines all different: no window is read once and remembered for the others.
        body = [
            (Origin("p.md", i + 1), ("$ for i in a; do %d" if i % 3 == 0 else "> echo %d") % i) for i in range(count)
        ]
        body += [(Origin("p.md", count + 1 + k), f"out {k}" if k else "$ for n in a; do") for k in range(count)]
        start = time.perf_counter()
        commands, _ = split_block(body, PROGRAMS)
        assert len(commands) == count // 3 + (count % 3 > 0) + 1
        return time.perf_counter() - start

    ratio = timed(20_000) / max(timed(2_000), 1e-3)
    assert ratio <= 20, ratio


def test_long_script_is_read_in_pieces_with_true_lines() -> None:
    block = ["for n in a b; do", "  ssh $n 'sudo systemctl restart kubelet'", "done"] * 400
    script = parse_script(block, PROGRAMS)
    assert not script.problems
    systemctl = [i for i in script.invocations if i.program == "systemctl"]
    assert len(systemctl) == 400
    assert [i.line for i in systemctl[:3]] == [1, 4, 7]
    assert systemctl[-1].line == len(block) - 2


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.text(alphabet="ab $()`'\"\\|&;<>{}#=\t-", max_size=30), min_size=1, max_size=4))
def test_a_line_said_to_end_on_itself_does(lines: list[str]) -> None:
    # The quick test must never cut a command the lexer would carry on.
    if ends_on_its_line(lines[0]):
        assert _extent_in(lines, 0, len(lines), True) == 1
