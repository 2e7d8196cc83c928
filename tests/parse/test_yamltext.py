"""YAML from posts read with bounds: the quick walk and the full check refuse the same trees."""

from __future__ import annotations

import pytest
import yaml

from flagref.parse import yamltext
from flagref.parse.yamltext import MAX_DEPTH, YamlProblem, compose, to_python

pytestmark = pytest.mark.unit


def test_an_alias_is_refused():
    with pytest.raises(YamlProblem, match="aliases"):
        compose("a: &x [1, 2]\nb: *x\n")


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, MAX_DEPTH + 2, MAX_DEPTH + 6])
def test_nesting_is_refused_past_the_limit_only(levels):
    # The outermost list is at depth 0: `levels` nested lists reach depth levels - 1.
    text = "[" * levels + "]" * levels
    if levels - 1 <= MAX_DEPTH:
        root = compose(text)
        yamltext.check(root)  # the full check agrees with the quick walk
    else:
        with pytest.raises(YamlProblem, match="nested deeper"):
            compose(text)


def test_too_many_nodes_are_refused(monkeypatch):
    monkeypatch.setattr(yamltext, "MAX_NODES", 10)
    assert compose("[" + ", ".join(["1"] * 9) + "]") is not None  # ten nodes
    with pytest.raises(YamlProblem, match="YAML nodes"):
        compose("[" + ", ".join(["1"] * 10) + "]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: null\nb: ~\nc: ''\nd: true\ne: 0x1f\nf: x",
            {"a": None, "b": None, "c": "", "d": "true", "e": "0x1f", "f": "x"},
        ),
        # The same plain scalars again: their tags are now kept, and read the same.
        ("[null, ~, x, 'null']", [None, None, "x", "null"]),
    ],
)
def test_scalars_resolve_as_the_safe_loader_resolves_them(text, expected):
    assert to_python(compose(text)) == expected
    assert to_python(compose(text)) == expected


def _tags(node) -> object:
    """Every node's tag and scalar text, in order."""
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value)
    if isinstance(node, yaml.MappingNode):
        return (node.tag, [(_tags(k), _tags(v)) for k, v in node.value])
    return (node.tag, [_tags(child) for child in node.value])


@pytest.mark.parametrize(
    "text",
    [
        "a: 'x'\nb: \"1\"\nc: |\n  block\nd: !!str 5\ne: ~\ng: {x: null, y: [yes, No, 0o7, 0x1f, .inf, -1.5e3]}\n",
        "- 2001-12-14t21:59:43.10-05:00\n- 2020-01-01\n- =\n- <<\n- ! tagged\n- " + "y" * 300 + "\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n  containers:\n  - args: ['--v=2', \"--x\"]\n",
    ],
)
def test_tags_are_the_safe_loaders(text):
    assert _tags(compose(text)) == _tags(yaml.compose(text, Loader=yaml.SafeLoader))
