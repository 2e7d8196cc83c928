"""Command lines and unit files read as their shell and program read them, held to hand-reviewed records.

Each post in ``tests/fixtures/commands/posts/`` has a record in ``tests/fixtures/commands/expected/`` listing every
flag use inside its code blocks (see the README there for how the records were written). The engine's non-prose
uses must equal the record exactly, as a multiset of ``(line, program, flag, value)``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "commands"
POSTS = FIXTURES / "posts"
EXPECTED = FIXTURES / "expected"
STEMS = sorted(path.stem for path in POSTS.glob("*.md"))

# Reserved words of POSIX sh and bash: they shape a command line but never receive a flag.
SHELL_KEYWORDS = frozenset(
    "if then else elif fi case esac for select while until do done in function time coproc { } ! [[ ]]".split()
)


@dataclass(frozen=True)
class Record:
    """One flag use, in the terms the records are written in."""

    line: int
    program: str | None
    flag: str
    value: str | None

    def describe(self, lines: list[str]) -> str:
        """``12: kubeadm --pod-network-cidr=192.168.0.0/16  | <the line in the post>``."""
        value = "" if self.value is None else f"={self.value!r}"
        text = lines[self.line - 1].strip() if 0 < self.line <= len(lines) else "<no such line>"
        return f"{self.line:4}: {self.program} {self.flag}{value}  | {text[:100]}"


@dataclass(frozen=True)
class Expected:
    uses: Counter[Record]
    not_programs: frozenset[str]


def _post_path(stem: str) -> Path:
    return POSTS / f"{stem}.md"


def _load_expected(stem: str) -> Expected:
    data = yaml.safe_load((EXPECTED / f"{stem}.yaml").read_text(encoding="utf-8"))
    uses = Counter(Record(u["line"], u["program"], u["flag"], u["value"]) for u in data["uses"])
    return Expected(uses, frozenset(data.get("not_programs") or ()))


def _fence_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines inside code fences (the fixtures only use top-level backtick fences)."""
    inside, found = False, set()
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            found.add(number)
    return found


def _engine_uses(stem: str) -> list:
    # Imported here so that the record checks below run even while the engine is being rebuilt.
    from flagref.parse import parse_post

    text = _post_path(stem).read_text(encoding="utf-8")
    post = parse_post(f"posts/{stem}.md", text)
    return [use for use in post.uses if use.kind != "prose"]


def _actual(stem: str) -> Counter[Record]:
    return Counter(Record(use.line, use.component, use.flag, use.value) for use in _engine_uses(stem))


def test_every_post_has_a_record_and_every_record_a_post():
    records = sorted(path.stem for path in EXPECTED.glob("*.yaml"))
    assert STEMS, "no fixture posts found"
    assert records == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_records_are_well_formed_and_point_into_code_blocks(stem: str):
    lines = _post_path(stem).read_text(encoding="utf-8").splitlines()
    code = _fence_lines(lines)
    problems = []
    for record in _load_expected(stem).uses:
        if not (isinstance(record.line, int) and isinstance(record.program, str) and isinstance(record.flag, str)):
            problems.append(f"bad types: {record}")
        elif not record.flag.startswith("-") or not (record.value is None or isinstance(record.value, str)):
            problems.append(f"bad flag or value: {record}")
        elif record.line not in code:
            problems.append(f"not inside a code block: {record.describe(lines)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_engine_reads_the_post_as_recorded(stem: str):
    lines = _post_path(stem).read_text(encoding="utf-8").splitlines()
    expected = _load_expected(stem).uses
    actual = _actual(stem)
    missing = sorted((expected - actual).elements(), key=lambda r: (r.line, r.flag))
    unexpected = sorted((actual - expected).elements(), key=lambda r: (r.line, r.flag))
    if missing or unexpected:
        report = [f"posts/{stem}.md: {len(missing)} missing, {len(unexpected)} unexpected"]
        report += [f"  missing    {record.describe(lines)}" for record in missing]
        report += [f"  unexpected {record.describe(lines)}" for record in unexpected]
        pytest.fail("\n".join(report), pytrace=False)


@pytest.mark.parametrize("stem", STEMS)
def test_no_word_of_the_shell_or_the_prose_becomes_a_program(stem: str):
    forbidden = _load_expected(stem).not_programs | SHELL_KEYWORDS
    wrong = sorted(
        {f"{use.line}: {use.component} {use.flag}" for use in _engine_uses(stem) if use.component in forbidden}
    )
    assert not wrong, "\n".join(wrong)


def _scores() -> tuple[float, float, float, str]:
    """Recall and precision of (line, flag) and accuracy of (program, flag, value) over every fixture."""
    expected_total = actual_total = matched = correct = 0
    rows = []
    for stem in STEMS:
        expected = _load_expected(stem).uses
        actual = _actual(stem)
        where_expected: Counter[tuple[int, str]] = Counter()
        for record, count in expected.items():
            where_expected[(record.line, record.flag)] += count
        where_actual: Counter[tuple[int, str]] = Counter()
        for record, count in actual.items():
            where_actual[(record.line, record.flag)] += count
        found = sum((where_expected & where_actual).values())
        # Of the uses found at the right place, how many also name the right program and value.
        right = sum((expected & actual).values())
        expected_total += sum(where_expected.values())
        actual_total += sum(where_actual.values())
        matched += found
        correct += right
        rows.append(f"  {stem}: expected {sum(where_expected.values())}, found {found}, exact {right}")
    recall = matched / expected_total if expected_total else 1.0
    precision = matched / actual_total if actual_total else 1.0
    accuracy = correct / matched if matched else 1.0
    summary = "\n".join(
        [f"recall {recall:.3f}  precision {precision:.3f}  accuracy {accuracy:.3f}  ({expected_total} uses)", *rows]
    )
    return recall, precision, accuracy, summary


def test_scores_over_all_fixtures():
    recall, precision, accuracy, summary = _scores()
    assert (recall, precision, accuracy) == (1.0, 1.0, 1.0), summary
