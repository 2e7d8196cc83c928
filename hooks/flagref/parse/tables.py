"""Markdown tables in a post's text that state a flag's value: claims the checks hold to the manifests."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..model import Document, FlagUse, Origin
from .argv import unquote
from .identity import Identifier

# The separator row under a table header: | --- | :---: |
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_FLAG_CELL = re.compile(r"^`*(--[A-Za-z0-9][A-Za-z0-9_.-]*)`*$")
_VALUE_HEADER = re.compile(r"(?i)\bvalue")
_DEFAULT_HEADER = re.compile(r"(?i)default")
_COMPONENT_HEADER = re.compile(r"(?i)component|program|binary|server|process")
_NOT_A_VALUE = frozenset({"", "-", "—", "–", "n/a", "none", "(none)", "?"})


def find_table_claims(
    document: Document, code_lines: set[int], mentions: Sequence[FlagUse], ident: Identifier
) -> list[FlagUse]:
    """Rows of the post's Markdown tables that give a flag's value, as prose uses with that value.

    Read from ``post.document`` outside code blocks, so included snippets keep
    their own origins. The value column is the one headed "value" (not
    "default": defaults are no claim about this post), or the second one of a
    two-column table; a column headed component/program names the component,
    else the component the engine gave the flag's mention on that line.
    Cells with spaces are prose, not a value, and are skipped.
    """
    by_line = {(u.path, u.line, u.flag): u.component for u in mentions if u.kind == "prose"}
    claims = []
    for header, origin, row in _table_rows(document, code_lines):
        flag_col = next((i for i, cell in enumerate(row) if _FLAG_CELL.match(cell)), None)
        if flag_col is None:
            continue
        value_col = next(
            (i for i, h in enumerate(header) if _VALUE_HEADER.search(h) and not _DEFAULT_HEADER.search(h)), None
        )
        if value_col is None and len(header) == 2 and flag_col == 0 and not _DEFAULT_HEADER.search(header[1]):
            value_col = 1
        if value_col is None or value_col >= len(row) or value_col == flag_col:
            continue
        value = unquote(row[value_col].strip().strip("`").strip())
        if value.lower() in _NOT_A_VALUE or re.search(r"\s", value):
            continue
        flag = _FLAG_CELL.match(row[flag_col]).group(1)
        component_col = next((i for i, h in enumerate(header) if _COMPONENT_HEADER.search(h)), None)
        if component_col is not None and component_col < len(row) and row[component_col].strip("` "):
            component = row[component_col].strip("` ")
        else:
            component = by_line.get((origin.path, origin.line, flag))
        claims.append(ident.use(origin.path, origin.line, None, "prose", component, flag, value))
    return claims


def _table_rows(document: Document, skip: set[int]) -> Iterator[tuple[list[str], Origin, list[str]]]:
    lines = document.lines
    i = 0
    while i < len(lines) - 1:
        if (
            i in skip
            or i + 1 in skip
            or "|" not in lines[i]
            or "|" not in lines[i + 1]
            or not _TABLE_SEPARATOR.match(lines[i + 1])
        ):
            i += 1
            continue
        header = [h.strip("`*_ ") for h in _cells(lines[i])]
        j = i + 2
        while j < len(lines) and j not in skip and "|" in lines[j] and lines[j].strip():
            yield header, document.origins[j], _cells(lines[j])
            j += 1
        i = j


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(text)]
