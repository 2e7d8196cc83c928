"""Reading composed YAML nodes of the catalog, so every error names ``file:line``.

Scalars are kept as written (``1.20`` stays ``"1.20"``); the lifecycle keys
(``introduced``/``last_listed``, ``deprecated``/``removed``, ``defaults``) are
read and cross-checked here too.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from pathlib import Path

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from ..datafile import NULL_TAG, DataFileError, check_keys, line_of, read_line_text, read_pairs, read_text
from .model import DefaultChange, Event, version_key

_BOOL_TAG = "tag:yaml.org,2002:bool"
# A release: 1.24, 3.4.1, optionally with a leading v (fixed number of groups, linear).
_VERSION_RE = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")
_EVENT_KEYS = ("release", "source")
_CHANGE_KEYS = ("release", "from", "to", "source")


class CatalogError(DataFileError):
    """A catalog file that cannot be used; the message starts with ``file:line``."""


# Every reader takes the file path for its error and raises CatalogError.
line = line_of
pairs_of = functools.partial(read_pairs, error=CatalogError)
keys_allowed = functools.partial(check_keys, error=CatalogError)
text_of = functools.partial(read_text, error=CatalogError)
line_text_of = functools.partial(read_line_text, error=CatalogError)


def source_line(source: str) -> int:
    """The line of a ``path:line`` origin recorded on a spec."""
    return int(source.rsplit(":", 1)[1])


def read_scalar(path: Path, node: Node, what: str) -> str | None:
    """The scalar as written (``1.20`` stays ``"1.20"``, ``false`` stays ``"false"``)."""
    if not isinstance(node, ScalarNode):
        raise CatalogError(path, line(node), f"{what} must be a single value, not a list or mapping")
    if node.tag == NULL_TAG:
        return None
    return node.value


def read_text_list(path: Path, node: Node, what: str) -> list[str]:
    """The texts of a non-empty YAML list; anything else is a ``CatalogError``."""
    if not isinstance(node, SequenceNode) or not node.value:
        raise CatalogError(path, line(node), f"{what} must be a non-empty list")
    return [text_of(path, item, what) for item in node.value]


def read_choice(path: Path, node: Node, what: str, allowed: frozenset[str]) -> str:
    """A text that must be one of ``allowed``; otherwise a ``CatalogError`` offering the closest choice."""
    value = text_of(path, node, what)
    if value not in allowed:
        close = difflib.get_close_matches(value, sorted(allowed), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise CatalogError(
            path, line(node), f"{what} {value!r} is not one of {', '.join(sorted(allowed))}; {hint}".rstrip("; ")
        )
    return value


def read_bool(path: Path, node: Node, what: str) -> bool:
    """A YAML ``true`` or ``false``; any other value is a ``CatalogError``."""
    if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
        raise CatalogError(path, line(node), f"{what} must be true or false")
    return yaml.constructor.SafeConstructor.bool_values[node.value.lower()]


def read_url(path: Path, node: Node, what: str) -> str:
    """A text that must be an ``https://`` URL."""
    value = text_of(path, node, what)
    if not value.startswith("https://"):
        raise CatalogError(path, line(node), f"{what} must be an https:// URL")
    return value


def read_version(path: Path, node: Node, what: str) -> str:
    """A release written like ``"1.24"`` (``3.4.1``, an optional leading ``v``), without the ``v``."""
    value = text_of(path, node, what)
    match = _VERSION_RE.fullmatch(value)
    if match is None:
        raise CatalogError(path, line(node), f'{what} {value!r} must be a version like "1.24" (quoted)')
    return match.group(1)


def read_listing(path: Path, pairs: Mapping[str, tuple[Node, Node]], where: str) -> tuple[str | None, str | None]:
    """``introduced`` and ``last_listed`` of ``pairs`` (``None`` when absent), checked to be in order."""
    introduced = read_version(path, pairs["introduced"][1], f"{where}: introduced") if "introduced" in pairs else None
    if "last_listed" not in pairs:
        return introduced, None
    last = read_version(path, pairs["last_listed"][1], f"{where}: last_listed")
    if introduced is None:
        raise CatalogError(path, line(pairs["last_listed"][0]), f"{where}: last_listed needs `introduced:`")
    if version_key(last) < version_key(introduced):
        raise CatalogError(
            path, line(pairs["last_listed"][1]), f"{where}: last_listed {last} comes before introduced {introduced}"
        )
    return introduced, last


def read_event(
    path: Path, pairs: Mapping[str, tuple[Node, Node]], key: str, where: str, need_source: bool = False
) -> Event | None:
    """``deprecated: {release: "1.24", source: "#106859"}``; a bare quoted release is the older form.

    ``need_source`` refuses the bare form (Kubernetes programs, whose release
    notes give every change a source).
    """
    if key not in pairs:
        return None
    node = pairs[key][1]
    if isinstance(node, ScalarNode) and not need_source:
        return Event(read_version(path, node, f"{where}: {key}"))
    if isinstance(node, ScalarNode):
        raise CatalogError(
            path,
            line(node),
            f'{where}: write {key} as {{release: "1.NN", source: "#PR"}}; a Kubernetes program needs the evidence',
        )
    fields = pairs_of(path, node, f"{where}: {key}")
    keys_allowed(path, fields, _EVENT_KEYS, f"{where}: {key}")
    if set(fields) != set(_EVENT_KEYS):
        raise CatalogError(
            path,
            line(node),
            f"{where}: {key} needs `release:` and `source:` (a PR like #106859, or how to check it)",
        )
    return Event(
        read_version(path, fields["release"][1], f"{where}: {key}.release"),
        line_text_of(path, fields["source"][1], f"{where}: {key}.source"),
    )


def read_defaults(
    path: Path, pairs: Mapping[str, tuple[Node, Node]], where: str, default: str | None
) -> tuple[DefaultChange, ...]:
    """``defaults:``, a list of changes in release order whose last ``to`` is ``default``."""
    if "defaults" not in pairs:
        return ()
    node = pairs["defaults"][1]
    if not isinstance(node, SequenceNode) or not node.value:
        raise CatalogError(path, line(node), f"{where}: defaults must be a non-empty list of changes")
    changes: list[DefaultChange] = []
    for item in node.value:
        what = f"{where}: defaults"
        fields = pairs_of(path, item, what)
        keys_allowed(path, fields, _CHANGE_KEYS, what)
        if set(fields) != set(_CHANGE_KEYS):
            raise CatalogError(path, line(item), f"{what}: each change needs release, from, to and source")
        change = DefaultChange(
            release=read_version(path, fields["release"][1], f"{what}: release"),
            old=read_scalar(path, fields["from"][1], f"{what}: from"),
            new=read_scalar(path, fields["to"][1], f"{what}: to"),
            source=line_text_of(path, fields["source"][1], f"{what}: source"),
        )
        if changes and version_key(change.release) <= version_key(changes[-1].release):
            raise CatalogError(path, line(item), f"{what}: list the changes in release order")
        if changes and change.old != changes[-1].new:
            raise CatalogError(
                path, line(item), f"{what}: from {change.old!r} does not follow the previous to {changes[-1].new!r}"
            )
        changes.append(change)
    if changes[-1].new != default:
        raise CatalogError(
            path,
            line(pairs["defaults"][0]),
            f"{where}: the last default change is to {changes[-1].new!r} but `default:` is {default!r}; "
            "`default:` is the newest default",
        )
    return tuple(changes)
