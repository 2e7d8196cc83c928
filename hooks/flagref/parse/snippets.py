"""Expand pymdownx.snippets includes (``--8<--``) while keeping line origins.

The engine must see a page exactly as it renders, and a warning about an
included manifest must name ``snippets/<file>:<line>``, so the body of a post
is expanded here, each output line paired with the file and line it came
from. The result is also what the site renders, so pymdownx.snippets finds
nothing left to do and both always agree.

Includes are untrusted input: a post may name ``../../etc/passwd`` or a
symbolic link out of ``snippets/``. A file is read only when, after every link
is followed, it lies inside one of the configured base folders; anything else
is reported and the include line is escaped so that nothing downstream reads
it either. Expansion is bounded in depth and in total size, so includes that
include each other twice per level cannot grow a page without limit.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Diagnostic, Document, Origin

MAX_DEPTH = 8
MAX_LINES = 50_000

# A whole-line include: optional indentation, optional ';' escapes, then either
# `--8<-- "name"` / `--8<-- 'name'` or a bare `--8<--` that opens/closes a block of names.
# Anchored at both ends; tried only on lines holding "8<".
_INLINE = re.compile(
    r"""^(?P<space>[ \t]*)(?P<escape>;*)(?:(?P<marker>-+8<-+[ \t]+)"""
    r"""(?P<snippet>"(?:\\"|[^"\n\r])+?"|'(?:\\'|[^'\n\r])+?')|(?P<block>-+8<-+))\r?$"""
)
# A section marker from the dashes before "8<" on: `--8<-- [start:name]` / `[end:name]`.
# Matched at a fixed start found by _section_marker, never searched along the line.
_SECTION_AT = re.compile(r"(?i)-+8<-+[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*(?P<name>[a-z][-_0-9a-z]*)[ \t]*\]")
# An include's target: a path, then `:section` or `:start:end` line numbers.
_TARGET = re.compile(r"(?i)^(?P<path>[^:]*)(?::(?P<section>[a-z][-_0-9a-z]*)|(?P<lines>(?::-?\d*){1,2}))?$")


# What pymdownx.snippets reads as an include; a zero-width space after the "8" keeps it text.
INCLUDE_MARK = "--8<--"
_INERT_MARK = "--8\u200b<--"


def disarm_includes(text: str) -> str:
    """``text`` with every include marker made inert (it still reads ``--8<--``), for Markdown nobody expanded."""
    return text.replace(INCLUDE_MARK, _INERT_MARK)


def _section_marker(line: str) -> re.Match | None:
    """The section marker on ``line``, if any (linear: each '8<' is looked at once)."""
    at = line.find("8<")
    while at >= 0:
        start = at
        while start > 0 and line[start - 1] == "-":
            start -= 1
        if start < at and not (start > 0 and line[start - 1] == ";"):
            m = _SECTION_AT.match(line, start)
            if m:
                return m
        at = line.find("8<", at + 2)
    return None


@dataclass(frozen=True)
class SnippetSource:
    """Where includes are looked up, and how their paths are shown."""

    base_paths: tuple[Path, ...]
    display_root: Path | None = None

    def find(self, name: str) -> tuple[Path | None, str | None]:
        """The file ``name`` names inside a base folder, or ``(None, why)``.

        Symbolic links are followed before the check, so a link that points
        out of the base folders is refused like ``../`` is.
        """
        outside = False
        for base in self.base_paths:
            root = base.resolve()
            try:
                candidate = (root / name).resolve()
            except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte
                continue
            if not candidate.is_relative_to(root):
                outside = True
                continue
            if candidate.is_file():
                return candidate, None
        if outside:
            return None, "it points outside the snippets folder"
        return None, "not found"

    def display(self, path: Path) -> str:
        """``path`` as diagnostics show it: relative to ``display_root`` when inside it."""
        root = self.display_root.resolve() if self.display_root is not None else None
        if root is not None and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
        return path.as_posix()


@dataclass
class _Expansion:
    source: SnippetSource | None
    lines: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def emit(self, origin: Origin, line: str) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    def refuse(self, origin: Origin, space: str, name: str, message: str) -> None:
        """Report an include that is not expanded, and keep it as escaped text pymdownx will not read."""
        self.diagnostics.append(Diagnostic(origin.path, origin.line, message))
        self.emit(origin, space + f';--8<-- "{name}"')


def expand_snippets(
    path: str, lines: Sequence[str], first_line: int, source: SnippetSource | None
) -> tuple[Document, list[Diagnostic]]:
    """Return the post body at ``path`` with every include expanded.

    ``first_line`` is the file line of ``lines[0]``. An include that cannot be
    expanded (missing, outside the snippets folder, circular, too deep, too
    large) is reported with ``path:line`` and kept as escaped text.
    """
    if "8<" not in "\n".join(lines):
        # No include and no section marker (both hold "8<"): the body is the text as it is.
        origins = tuple(map(Origin, itertools.repeat(path), range(first_line, first_line + len(lines))))
        return Document(path, tuple(lines), origins), []
    state = _Expansion(source)
    numbered = [(Origin(path, first_line + i), line) for i, line in enumerate(lines)]
    _expand(numbered, state, seen=())
    return Document(path, tuple(state.lines), tuple(state.origins)), state.diagnostics


def _expand(numbered: Sequence[tuple[Origin, str]], state: _Expansion, seen: tuple[Path, ...]) -> None:
    in_block = False
    for origin, line in numbered:
        m = _INLINE.match(line) if "8<" in line else None
        if m and m.group("escape"):
            # Left escaped: pymdownx.snippets removes the ';' when it renders.
            state.emit(origin, line)
            continue
        if m and m.group("block"):
            in_block = not in_block
            continue
        if in_block:
            name = line.strip()
            if name and not name.startswith(";"):
                _include(origin, "", name, state, seen)
            elif not name:
                state.emit(origin, "")
            continue
        if m and m.group("marker"):
            _include(origin, m.group("space"), m.group("snippet")[1:-1].strip(), state, seen)
            continue
        if "8<" in line and _section_marker(line):
            continue
        state.emit(origin, line)


def _include(origin: Origin, space: str, name: str, state: _Expansion, seen: tuple[Path, ...]) -> None:
    source = state.source
    target = _TARGET.match(name)
    file_name = target.group("path") if target else name
    if source is None:
        state.refuse(origin, space, name, f"snippet {file_name!r} not found: no snippets folder is configured")
        return
    found, why = source.find(file_name)
    if found is None:
        if why == "not found":
            where = ", ".join(str(b) for b in source.base_paths)
            message = (
                f"snippet {file_name!r} not found (looked in {where}); check the name or add the file under snippets/"
            )
        else:
            message = f"snippet {file_name!r} refused: {why}; include only files under snippets/"
        state.refuse(origin, space, name, message)
        return
    if found in seen:
        # pymdownx.snippets skips it too; say so rather than drop it unseen.
        state.diagnostics.append(
            Diagnostic(origin.path, origin.line, f"snippet {file_name!r} includes itself; remove the circular include")
        )
        return
    if len(seen) >= MAX_DEPTH:
        state.refuse(
            origin,
            space,
            name,
            f"snippet {file_name!r} not expanded: includes nest deeper than {MAX_DEPTH} levels; "
            "include the inner file directly",
        )
        return
    try:
        text = found.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        state.refuse(
            origin,
            space,
            name,
            f"snippet {file_name!r} is not valid UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8",
        )
        return
    except OSError as exc:
        state.refuse(
            origin, space, name, f"snippet {file_name!r} cannot be read ({exc.strerror}); check its permissions"
        )
        return
    display = source.display(found)
    numbered = [(Origin(display, i + 1), space + line if line else line) for i, line in enumerate(text.splitlines())]
    section = target.group("section") if target else None
    if section:
        numbered = _section(numbered, section, origin, name, state)
    elif target and target.group("lines"):
        numbered = _line_range(numbered, target.group("lines"))
    if len(state.lines) + len(numbered) > MAX_LINES:
        state.refuse(
            origin,
            space,
            name,
            f"snippet {file_name!r} not expanded: the page would exceed {MAX_LINES:,} lines; "
            "split the page or include less",
        )
        return
    _expand(numbered, state, seen + (found,))


def _section(numbered, section: str, origin: Origin, name: str, state: _Expansion):
    start = end = None
    for i, (_, line) in enumerate(numbered):
        m = _section_marker(line) if "8<" in line else None
        if m and m.group("name").lower() == section.lower():
            if m.group("type").lower() == "start" and start is None:
                start = i + 1
            elif m.group("type").lower() == "end" and start is not None:
                end = i
                break
    if start is None:
        state.diagnostics.append(
            Diagnostic(
                origin.path,
                origin.line,
                f"snippet {name!r}: section {section!r} not found; add '--8<-- [start:{section}]' to the snippet",
            )
        )
        return []
    return numbered[start:end]


def _line_range(numbered, spec: str):
    parts = spec.split(":")[1:]
    start = int(parts[0]) if parts and parts[0].lstrip("-").isdigit() and len(parts[0]) < 10 else 1
    stop = int(parts[1]) if len(parts) > 1 and parts[1].lstrip("-").isdigit() and len(parts[1]) < 10 else len(numbered)
    start = max(start, 1)
    return numbered[start - 1 : stop]
