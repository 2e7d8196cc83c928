"""Expand pymdownx.snippets includes (``--8<--``) while keeping line origins.

The engine must see a page exactly as it renders, and a warning about an
included manifest must name ``snippets/<file>:<line>``, so the body of a post
is expanded here, each output line paired with the file and line it came
from. The result is also what the site renders, so pymdownx.snippets finds
nothing left to do and both always agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Diagnostic, Document, Origin

_INLINE = re.compile(
    r"""^(?P<space>[ \t]*)(?P<escape>;*)(?:(?P<marker>-+8<-+[ \t]+)"""
    r"""(?P<snippet>"(?:\\"|[^"\n\r])+?"|'(?:\\'|[^'\n\r])+?')|(?P<block>-+8<-+))\r?$"""
)
_SECTION = re.compile(
    r"(?i)^.*?(?<!;)-+8<-+[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*(?P<name>[a-z][-_0-9a-z]*)[ \t]*\].*$"
)
_TARGET = re.compile(r"(?i)^(?P<path>.*?)(?::(?P<section>[a-z][-_0-9a-z]*)|(?P<lines>(?::-?\d*){1,2}))?$")


@dataclass(frozen=True)
class SnippetSource:
    """Where includes are looked up, and how their paths are shown."""

    base_paths: tuple[Path, ...]
    display_root: Path | None = None

    def find(self, name: str) -> Path | None:
        for base in self.base_paths:
            candidate = (base / name).resolve()
            if candidate.is_file():
                return candidate
        return None

    def display(self, path: Path) -> str:
        root = self.display_root.resolve() if self.display_root is not None else None
        if root is not None and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
        return path.as_posix()


def expand_snippets(
    path: str, lines: Sequence[str], first_line: int, source: SnippetSource | None
) -> tuple[Document, list[Diagnostic]]:
    """Return the post body at ``path`` with every include expanded.

    ``first_line`` is the file line of ``lines[0]``. Missing snippets are
    reported (``check_paths``) and their include line is left in place.
    """
    out_lines: list[str] = []
    origins: list[Origin] = []
    diagnostics: list[Diagnostic] = []
    numbered = [(Origin(path, first_line + i), line) for i, line in enumerate(lines)]
    _expand(numbered, source, out_lines, origins, diagnostics, seen=(), top=True)
    return Document(path, tuple(out_lines), tuple(origins)), diagnostics


def _expand(
    numbered: Sequence[tuple[Origin, str]],
    source: SnippetSource | None,
    out_lines: list[str],
    origins: list[Origin],
    diagnostics: list[Diagnostic],
    seen: tuple[Path, ...],
    top: bool,
) -> None:
    in_block = False
    for origin, line in numbered:
        m = _INLINE.match(line)
        if m and m.group("escape"):
            # Left escaped: pymdownx.snippets removes the ';' when it renders.
            out_lines.append(line)
            origins.append(origin)
            continue
        if m and m.group("block"):
            in_block = not in_block
            continue
        if in_block:
            name = line.strip()
            if name and not name.startswith(";"):
                _include(origin, "", name, source, out_lines, origins, diagnostics, seen)
            elif not name:
                out_lines.append("")
                origins.append(origin)
            continue
        if m and m.group("marker"):
            name = m.group("snippet")[1:-1].strip()
            _include(origin, m.group("space"), name, source, out_lines, origins, diagnostics, seen)
            continue
        if _SECTION.match(line):
            continue
        out_lines.append(line)
        origins.append(origin)


def _include(
    origin: Origin,
    space: str,
    name: str,
    source: SnippetSource | None,
    out_lines: list[str],
    origins: list[Origin],
    diagnostics: list[Diagnostic],
    seen: tuple[Path, ...],
) -> None:
    target = _TARGET.match(name)
    file_name = target.group("path") if target else name
    found = source.find(file_name) if source else None
    if found is None:
        where = ", ".join(str(b) for b in source.base_paths) if source else "no snippets folder"
        diagnostics.append(
            Diagnostic(
                origin.path,
                origin.line,
                f"snippet {file_name!r} not found (looked in {where}); check the name or add the file under snippets/",
            )
        )
        out_lines.append(space + f'--8<-- "{name}"')
        origins.append(origin)
        return
    if found in seen:
        # pymdownx.snippets skips it too; say so rather than drop it unseen.
        diagnostics.append(
            Diagnostic(origin.path, origin.line, f"snippet {file_name!r} includes itself; remove the circular include")
        )
        return
    display = source.display(found) if source else found.as_posix()
    text = found.read_text(encoding="utf-8")
    numbered = [(Origin(display, i + 1), space + line if line else line) for i, line in enumerate(text.splitlines())]
    section = target.group("section") if target else None
    if section:
        numbered = _section(numbered, section, origin, name, diagnostics)
    elif target and target.group("lines"):
        numbered = _line_range(numbered, target.group("lines"))
    _expand(numbered, source, out_lines, origins, diagnostics, seen + (found,), top=False)


def _section(numbered, section, origin, name, diagnostics):
    start = end = None
    for i, (_, line) in enumerate(numbered):
        m = _SECTION.match(line)
        if m and m.group("name").lower() == section.lower():
            if m.group("type").lower() == "start" and start is None:
                start = i + 1
            elif m.group("type").lower() == "end" and start is not None:
                end = i
                break
    if start is None:
        diagnostics.append(
            Diagnostic(
                origin.path,
                origin.line,
                f"snippet {name!r}: section {section!r} not found; add '--8<-- [start:{section}]'",
            )
        )
        return []
    return numbered[start:end]


def _line_range(numbered, spec):
    parts = [p for p in spec.split(":")[1:]]
    start = int(parts[0]) if parts and parts[0].lstrip("-").isdigit() else 1
    stop = int(parts[1]) if len(parts) > 1 and parts[1].lstrip("-").isdigit() else len(numbered)
    start = max(start, 1)
    return numbered[start - 1 : stop]
