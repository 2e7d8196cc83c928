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

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64
MAX_NODES = 200_000
# Plain scalars longer than this are resolved each time rather than kept (few are, and they rarely repeat).
_TAG_MEMO_WIDTH = 120
_TAG_MEMO_SIZE = 20_000


class _Loader(_BASE_LOADER):
    """The safe loader, resolving each plain scalar's tag once per text.

    The composer asks the resolver for the tag of every node, and the
    resolver tries the implicit patterns (null, bool, int, float...) on every
    plain scalar; the answer depends only on the text, so it is kept. A
    quoted or block scalar, a list and a mapping always get the default tag
    of their kind: the safe loader has no path resolvers (checked below).
    """

    _tags: dict[str, str] = {}

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool] | bool) -> str:
        """The tag of a node, as the safe loader's resolver gives it."""
        if kind is ScalarNode:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG
            if len(value) > _TAG_MEMO_WIDTH:
                return _BASE_LOADER.resolve(self, kind, value, implicit)
            tags = _Loader._tags
            tag = tags.get(value)
            if tag is None:
                if len(tags) >= _TAG_MEMO_SIZE:
                    tags.clear()
                tag = tags[value] = _BASE_LOADER.resolve(self, kind, value, implicit)
            return tag
        return self.DEFAULT_MAPPING_TAG if kind is MappingNode else self.DEFAULT_SEQUENCE_TAG


# With path resolvers (none in the safe loader) a tag would depend on where the node is.
_LOADER = _BASE_LOADER if _BASE_LOADER.yaml_path_resolvers else _Loader


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
    if root is not None and ("*" in text or not _within_bounds(root)):
        # An alias is written with `*`: without one, no node can be reached twice, and a
        # walk that only measures depth and size says whether the full check has to run.
        check(root)
    return root


def _within_bounds(root: Node) -> bool:
    """Whether a tree without aliases is at most ``MAX_DEPTH`` deep and ``MAX_NODES`` large (level by level)."""
    level: list[Node] = [root]
    depth = count = 0
    while level:
        count += len(level)
        if depth > MAX_DEPTH or count > MAX_NODES:
            return False
        below: list[Node] = []
        for node in level:
            if isinstance(node, SequenceNode):
                below.extend(node.value)
            elif isinstance(node, MappingNode):
                for pair in node.value:
                    below.extend(pair)
        level = below
        depth += 1
    return True


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
