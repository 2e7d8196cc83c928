"""YAML from posts, read with bounds: no alias bombs, no deep nesting, no traceback.

Posts are pasted from other people's manifests, so the YAML in them is
untrusted: a few hundred bytes of nested aliases ("billion laughs") expand to
gigabytes, and a flow list nested a thousand deep overflows the stack. Every
reader of post YAML goes through :func:`compose`, which uses libyaml's
composer where present (the same nodes and marks as PyYAML's, several times
faster) and then walks the node graph once, iteratively, refusing any alias
(a node reached twice), nesting deeper than ``MAX_DEPTH`` and documents of
more than ``MAX_NODES`` nodes.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64
MAX_NODES = 200_000


class YamlProblem(ValueError):
    """YAML that is not read; ``line`` is 0-based in the text given."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def compose(text: str) -> Node | None:
    """The node tree of the first document of ``text``, checked; raises ``YamlProblem``."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line if mark else 0, str(exc.problem or exc.context or "not valid YAML")) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:  # libyaml's own limits, odd input
        raise YamlProblem(0, f"not readable YAML ({type(exc).__name__})") from None
    if root is not None:
        check(root)
    return root


def check(root: Node) -> None:
    """Refuse aliases, nesting deeper than ``MAX_DEPTH`` and more than ``MAX_NODES`` nodes."""
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise YamlProblem(node.start_mark.line, "YAML aliases (*name) are not read; write the values out")
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise YamlProblem(node.start_mark.line, f"more than {MAX_NODES:,} YAML nodes; split the block")
        if depth > MAX_DEPTH:
            raise YamlProblem(node.start_mark.line, f"YAML nested deeper than {MAX_DEPTH} levels")
        # Lists rather than generators: this runs once per node of every block of YAML.
        if isinstance(node, SequenceNode):
            stack.extend([(child, depth + 1) for child in node.value])
        elif isinstance(node, MappingNode):
            stack.extend([(item, depth + 1) for pair in node.value for item in pair])


def to_python(node: Node | None) -> object:
    """Plain values from a checked tree: every scalar as text (dates, numbers and booleans as written)."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return None if node.tag == "tag:yaml.org,2002:null" else node.value
    if isinstance(node, SequenceNode):
        return [to_python(child) for child in node.value]
    out: dict = {}
    for key, value in node.value:
        k = to_python(key)
        out[k if isinstance(k, str) else str(k)] = to_python(value)
    return out
