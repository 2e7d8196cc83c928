"""Snippet includes: expanded with their origins, and never a file from outside snippets/."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from flagref.parse.snippets import MAX_DEPTH, MAX_LINES, SnippetSource, expand_snippets

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, SnippetSource]:
    base = tmp_path / "project" / "snippets"
    (base / "manifests").mkdir(parents=True)
    (base / "manifests" / "etcd.yaml").write_text("a: 1\n# --8<-- [start:args]\nb: 2\n# --8<-- [end:args]\nc: 3\n")
    (tmp_path / "secret.txt").write_text("TOP SECRET\n")
    return tmp_path, SnippetSource((base,), display_root=tmp_path / "project")


def _expand(source: SnippetSource, *lines: str):
    document, diagnostics = expand_snippets("posts/p.md", list(lines), 5, source)
    return list(document.lines), [str(d) for d in diagnostics], document


def test_an_include_is_expanded_with_the_snippet_lines_as_origins(tree):
    _, source = tree
    lines, problems, document = _expand(source, "before", '--8<-- "manifests/etcd.yaml"', "after")
    assert lines == ["before", "a: 1", "b: 2", "c: 3", "after"]
    assert problems == []
    assert [str(o) for o in document.origins] == [
        "posts/p.md:5",
        "snippets/manifests/etcd.yaml:1",
        "snippets/manifests/etcd.yaml:3",
        "snippets/manifests/etcd.yaml:5",
        "posts/p.md:7",
    ]


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ('--8<-- "manifests/etcd.yaml:args"', ["b: 2"]),
        ('--8<-- "manifests/etcd.yaml:2:3"', ["b: 2"]),  # line 2 is the section marker, dropped
        ('--8<-- "manifests/etcd.yaml:4"', ["c: 3"]),
        ("    --8<-- 'manifests/etcd.yaml:args'", ["    b: 2"]),
    ],
)
def test_sections_line_ranges_and_indentation(tree, include, expected):
    _, source = tree
    lines, problems, _ = _expand(source, include)
    assert lines == expected and problems == []


def test_the_block_form_includes_each_name(tree):
    _, source = tree
    lines, problems, _ = _expand(source, "--8<--", "manifests/etcd.yaml:args", "", "manifests/etcd.yaml:args", "--8<--")
    assert lines == ["b: 2", "", "b: 2"] and problems == []


def test_an_escaped_include_is_left_for_the_renderer(tree):
    _, source = tree
    lines, problems, _ = _expand(source, ';--8<-- "manifests/etcd.yaml"')
    assert lines == [';--8<-- "manifests/etcd.yaml"'] and problems == []


@pytest.mark.parametrize(
    "name",
    [
        "../../secret.txt",
        "../../../../../../../../../../etc/passwd",
        "/etc/passwd",
        "/proc/self/environ",
        "manifests/../../../secret.txt",
    ],
)
def test_a_file_outside_snippets_is_refused_and_never_read(tree, name):
    _, source = tree
    lines, problems, _ = _expand(source, f'--8<-- "{name}"')
    assert lines == [f';--8<-- "{name}"'], "the include stays as escaped text, so pymdownx does not read it either"
    assert len(problems) == 1
    assert problems[0].startswith("posts/p.md:5: snippet ")
    assert "outside the snippets folder" in problems[0] or "not found" in problems[0]
    assert "TOP SECRET" not in "\n".join(lines) and "root:" not in "\n".join(lines)


def test_a_symbolic_link_out_of_snippets_is_refused(tree):
    root, source = tree
    (source.base_paths[0] / "leak.txt").symlink_to(root / "secret.txt")
    lines, problems, _ = _expand(source, '--8<-- "leak.txt"')
    assert lines == [';--8<-- "leak.txt"']
    assert problems == [
        "posts/p.md:5: snippet 'leak.txt' refused: it points outside the snippets folder; "
        "include only files under snippets/"
    ]


def test_a_missing_snippet_names_the_include(tree):
    _, source = tree
    _, problems, _ = _expand(source, '--8<-- "nope.md"')
    assert problems[0].startswith("posts/p.md:5: snippet 'nope.md' not found (looked in ")


def test_invalid_utf8_is_reported_not_raised(tree):
    _, source = tree
    (source.base_paths[0] / "bad.md").write_bytes(b"ok\n\xff\xfe broken\n")
    lines, problems, _ = _expand(source, '--8<-- "bad.md"')
    assert lines == [';--8<-- "bad.md"']
    assert "not valid UTF-8" in problems[0] and problems[0].startswith("posts/p.md:5:")


@pytest.mark.slow
def test_includes_that_double_at_each_level_stop_at_the_size_bound(tree):
    _, source = tree
    base = source.base_paths[0]
    depth = 24  # 2**24 lines if nothing stopped it
    (base / "l0.md").write_text("x\n" * 64)
    for n in range(1, depth):
        (base / f"l{n}.md").write_text(f'--8<-- "l{n - 1}.md"\n--8<-- "l{n - 1}.md"\n')
    started = time.perf_counter()
    lines, problems, _ = _expand(source, f'--8<-- "l{depth - 1}.md"')
    assert time.perf_counter() - started < 5
    assert len(lines) <= MAX_LINES + 2 * depth
    assert problems and all(("nest deeper" in p) or ("would exceed" in p) for p in problems)


def test_nesting_deeper_than_the_bound_is_reported(tree):
    _, source = tree
    base = source.base_paths[0]
    for n in range(MAX_DEPTH + 2):
        (base / f"d{n}.md").write_text(f'line {n}\n--8<-- "d{n + 1}.md"\n' if n < MAX_DEPTH + 1 else "end\n")
    lines, problems, _ = _expand(source, '--8<-- "d0.md"')
    assert f"line {MAX_DEPTH - 1}" in lines and "end" not in lines
    assert any("nest deeper than" in p for p in problems)


def test_a_circular_include_is_reported(tree):
    _, source = tree
    (source.base_paths[0] / "self.md").write_text('x\n--8<-- "self.md"\n')
    lines, problems, _ = _expand(source, '--8<-- "self.md"')
    assert lines == ["x"] and problems == [
        "snippets/self.md:2: snippet 'self.md' includes itself; remove the circular include"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("line", ["-" * 1_000_000, "--8<" * 100_000, ";" + "-" * 500_000 + "8<", "." * 100_000])
def test_long_lines_are_read_in_linear_time(tree, line):
    _, source = tree
    started = time.perf_counter()
    lines, _, _ = _expand(source, line)
    assert time.perf_counter() - started < 1.0
    assert lines == [line]
