"""Reviewed data files (the catalog, the relation rules): strict reading with file:line errors.

PyYAML's composer keeps every node's line, so each problem can name where to
fix it. The readers take the error class of their file kind, so a catalog
problem is a ``CatalogError`` and a rules problem a ``RuleError``, both
``DataFileError``s.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

NULL_TAG = "tag:yaml.org,2002:null"
# Long enough for a real sentence, short enough to catch a pasted paragraph.
MAX_LINE = 200


class DataFileError(ValueError):
    """A reviewed data file that cannot be used; the message starts with ``file:line``."""

    def __init__(self, path: str | os.PathLike, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        super().__init__(f"{self.path}:{line}: {message}")


Error = type[DataFileError]
# libyaml's composer where present: the same nodes and marks as PyYAML's, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(path, text: str, error: Error = DataFileError) -> Node | None:
    """The node tree of a data file's text; invalid YAML raises ``error`` naming ``path:line``."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise error(path, line, f"not valid YAML: {exc.problem or exc.context}; fix the syntax") from None
    except yaml.YAMLError as exc:
        raise error(path, 1, f"not valid YAML ({exc}); fix the syntax") from None


def line_of(node: Node) -> int:
    """The 1-based line a node starts on."""
    return node.start_mark.line + 1


def read_pairs(path, node: Node, what: str, error: Error = DataFileError) -> dict[str, tuple[Node, Node]]:
    """A mapping's entries by key; duplicate keys are errors (safe_load would keep the last silently)."""
    if not isinstance(node, MappingNode):
        raise error(path, line_of(node), f"{what} must be a mapping of `key: value`")
    pairs: dict[str, tuple[Node, Node]] = {}
    for key_node, value in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
            raise error(path, line_of(key_node), f"{what}: keys must be plain names")
        key = key_node.value
        if key in pairs:
            # In reviewed data a repeated key usually means two edits collided.
            first = line_of(pairs[key][0])
            raise error(
                path,
                line_of(key_node),
                f"duplicate key {key!r} in {what} (first at line {first}); merge the two entries",
            )
        pairs[key] = (key_node, value)
    return pairs


def check_keys(
    path, pairs: Mapping[str, tuple[Node, Node]], allowed: Sequence[str], what: str, error: Error = DataFileError
) -> None:
    """Raise ``error`` at the first key not in ``allowed``, naming the closest allowed key."""
    for key, (key_node, _) in pairs.items():
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"allowed: {', '.join(allowed)}"
            raise error(path, line_of(key_node), f"unknown key {key!r} in {what}; {hint}")


def read_text(path, node: Node, what: str, error: Error = DataFileError) -> str:
    """A non-empty scalar, stripped; anything else is an ``error``."""
    if not isinstance(node, ScalarNode) or node.tag == NULL_TAG or not node.value.strip():
        raise error(path, line_of(node), f"{what} must be a non-empty single value")
    return node.value.strip()


def read_line_text(path, node: Node, what: str, error: Error = DataFileError) -> str:
    """A non-empty text on one line, of at most ``MAX_LINE`` characters."""
    value = read_text(path, node, what, error)
    if "\n" in value:
        raise error(path, line_of(node), f"{what} must be one line")
    if len(value) > MAX_LINE:
        raise error(path, line_of(node), f"{what} is {len(value)} characters; keep it under {MAX_LINE}")
    return value
