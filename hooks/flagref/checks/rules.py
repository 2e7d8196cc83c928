"""The relation rules: their records and the strict reader of ``rules/relations.yaml``.

The rules are reviewed data: each ties a flag of one component (side *a*) to
a flag of the same or another component (side *b*) and says, by its kind, how
their values must agree. A mistake in the file is a :class:`RuleError` naming
``file:line``; the build never runs on rules it could not read.

Pure Python and PyYAML: no MkDocs here.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from yaml.nodes import Node, SequenceNode

from ..datafile import DataFileError, check_keys, compose, line_of, read_line_text, read_pairs, read_text
from ..model import Origin

if TYPE_CHECKING:
    from ..catalog import Catalog

KINDS = ("endpoint", "subset", "membership", "same-file", "same-value", "requires", "probe-port")
DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "relations.yaml"
#: Side a of a probe-port rule: the port of a container's HTTP probes, not a flag.
PROBE_FLAG = "httpGet.port"

_RULE_KEYS = ("id", "kind", "explanation", "key", "a", "b")
_SIDE_KEYS = ("component", "flag", "shows", "when", "when_set", "scheme")
# These run on the reviewed rules file only, never on post text; each is linear.
# An id: lower-case words of letters and digits joined by single dashes.
_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A program name as typed: a lower-case letter, then letters, digits and dashes.
_COMPONENT_RE = re.compile(r"[a-z][a-z0-9-]*")
# A long flag with its two dashes: --etcd-servers.
_FLAG_RE = re.compile(r"--[a-z0-9][a-z0-9-]*")
# Kinds whose two sides are flags of one running program (one container, one command).
_ONE_INSTANCE = frozenset({"subset", "membership", "probe-port"})


@dataclass(frozen=True)
class RuleSide:
    """One side of a rule: a flag of a component, and what a post's table shows beside it."""

    component: str
    flag: str  # canonical, with its dashes; httpGet.port for a probe
    shows: str
    when: str | None = None  # requires, side a: the value that makes the rule apply
    when_set: str | None = None  # requires, side b: only instances setting this flag count
    scheme: str | None = None  # probe-port, side a: HTTP or HTTPS

    @property
    def name(self) -> str:
        """The flag without its dashes, as ``FlagUse.name`` holds it."""
        return self.flag.lstrip("-")

    @property
    def label(self) -> str:
        """``kube-apiserver --etcd-servers``."""
        return f"{self.component} {self.flag}".strip()


@dataclass(frozen=True)
class Rule:
    """A reviewed relation between two flags (see ``rules/relations.yaml``)."""

    id: str
    kind: str
    explanation: str
    a: RuleSide
    b: RuleSide
    key: str | None = None  # membership: the flag naming the entry (--name)
    origin: Origin = Origin("", 0)

    def involves(self, component: str | None, name: str) -> list[str]:
        """The sides (``"a"``, ``"b"``) that are ``component``'s flag ``name`` (without dashes)."""
        return [s for s, side in (("a", self.a), ("b", self.b)) if side.component == component and side.name == name]


class RuleError(DataFileError):
    """A rules file that cannot be used; the message starts with ``file:line``."""


# --------------------------------------------------------------------------
# Loading


# Resolved path -> (SHA-256 of the text, the rules read from it). Keyed by content, so an edit during
# `mkdocs serve` is always seen, even one that keeps the file's size and modification time.
_cache: dict[Path, tuple[str, tuple[Rule, ...]]] = {}


def load_rules(path: str | os.PathLike[str] | None = None) -> tuple[Rule, ...]:
    """Read and check the rules file (default: ``rules/relations.yaml`` beside this module).

    The same tuple is returned while the file's text is unchanged. Raises
    :class:`RuleError` naming ``file:line`` for any problem, including a file
    that cannot be read or is not UTF-8.
    """
    shown = Path(path) if path is not None else DEFAULT_RULES
    key = shown.resolve()
    try:
        data = key.read_bytes()
    except OSError as exc:
        raise RuleError(shown, 0, f"cannot read the rules file ({exc.strerror or exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    cached = _cache.get(key)
    if cached is not None and cached[0] == digest:
        return cached[1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RuleError(shown, line, "not UTF-8 text; save the file as UTF-8") from None
    rules = parse_rules(text, shown)
    _cache[key] = (digest, rules)
    return rules


def parse_rules(text: str, path: str | os.PathLike[str] = "relations.yaml") -> tuple[Rule, ...]:
    """The rules in ``text`` (the content of the file at ``path``), strictly checked."""
    root = compose(path, text, RuleError)
    if root is None:
        raise RuleError(path, 1, "empty rules file; it needs a `rules:` list")
    top = _pairs(path, root, "the rules file")
    _check_keys(path, top, ("rules",), "the rules file")
    if "rules" not in top:
        raise RuleError(path, line_of(root), "missing `rules:` list")
    items = top["rules"][1]
    if not isinstance(items, SequenceNode) or not items.value:
        raise RuleError(path, line_of(items), "`rules:` must be a non-empty list")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for node in items.value:
        rule = _rule(path, node)
        if rule.id in seen:
            raise RuleError(path, line_of(node), f"duplicate rule id {rule.id!r} (first at line {seen[rule.id]})")
        seen[rule.id] = line_of(node)
        rules.append(rule)
    return tuple(rules)


_pairs = functools.partial(read_pairs, error=RuleError)
_check_keys = functools.partial(check_keys, error=RuleError)
_text = functools.partial(read_text, error=RuleError)
_line_text = functools.partial(read_line_text, error=RuleError)


def _rule(path: str | os.PathLike[str], node: Node) -> Rule:
    pairs = _pairs(path, node, "a rule")
    _check_keys(path, pairs, _RULE_KEYS, "a rule")
    for required in ("id", "kind", "explanation", "a", "b"):
        if required not in pairs:
            raise RuleError(path, line_of(node), f"rule is missing `{required}:`")
    rule_id = _text(path, pairs["id"][1], "id")
    if not _ID_RE.fullmatch(rule_id):
        raise RuleError(path, line_of(pairs["id"][1]), f"id {rule_id!r} must be lower-case words joined by '-'")
    where = f"rule {rule_id}"
    kind_node = pairs["kind"][1]
    kind = _text(path, kind_node, f"{where}: kind")
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise RuleError(path, line_of(kind_node), f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}{hint}")
    explanation = _line_text(path, pairs["explanation"][1], f"{where}: explanation")
    a = _side(path, pairs["a"][1], kind, "a", where)
    b = _side(path, pairs["b"][1], kind, "b", where)
    key = None
    if kind == "membership":
        if "key" not in pairs:
            raise RuleError(path, line_of(node), f"{where}: a membership rule needs `key:`, the flag naming the entry")
        key = _flag(path, pairs["key"][1], f"{where}: key")
    elif "key" in pairs:
        raise RuleError(path, line_of(pairs["key"][0]), f"{where}: `key:` is for membership rules only")
    if kind in _ONE_INSTANCE and a.component != b.component:
        raise RuleError(
            path,
            line_of(pairs["b"][1]),
            f"{where}: a {kind} rule relates flags of one program; a is {a.component}, b is {b.component}",
        )
    return Rule(rule_id, kind, explanation, a, b, key, Origin(str(path), line_of(node)))


def _side(path: str | os.PathLike[str], node: Node, kind: str, which: str, where: str) -> RuleSide:
    what = f"{where}: {which}"
    pairs = _pairs(path, node, what)
    _check_keys(path, pairs, _SIDE_KEYS, what)
    for required in ("component", "flag", "shows"):
        if required not in pairs:
            raise RuleError(path, line_of(node), f"{what} is missing `{required}:`")
    component = _text(path, pairs["component"][1], f"{what}.component")
    if not _COMPONENT_RE.fullmatch(component):
        raise RuleError(
            path, line_of(pairs["component"][1]), f"{what}.component {component!r} must be a lower-case program name"
        )
    if kind == "probe-port" and which == "a":
        flag = _text(path, pairs["flag"][1], f"{what}.flag")
        if flag != PROBE_FLAG:
            raise RuleError(path, line_of(pairs["flag"][1]), f"{what}.flag of a probe-port rule is always {PROBE_FLAG}")
    else:
        flag = _flag(path, pairs["flag"][1], f"{what}.flag")
    shows = _line_text(path, pairs["shows"][1], f"{what}.shows")
    allowed = {
        "when": kind == "requires" and which == "a",
        "when_set": kind == "requires" and which == "b",
        "scheme": kind == "probe-port" and which == "a",
    }
    for extra, ok in allowed.items():
        if extra in pairs and not ok:
            raise RuleError(
                path, line_of(pairs[extra][0]), f"{what}: `{extra}:` does not apply to side {which} of a {kind} rule"
            )
    when = _text(path, pairs["when"][1], f"{what}.when") if "when" in pairs else None
    if allowed["when"] and when is None:
        raise RuleError(path, line_of(node), f"{what} needs `when:`, the value that makes the rule apply")
    when_set = _flag(path, pairs["when_set"][1], f"{what}.when_set") if "when_set" in pairs else None
    scheme = None
    if allowed["scheme"]:
        if "scheme" not in pairs:
            raise RuleError(path, line_of(node), f"{what} needs `scheme:` (HTTP or HTTPS)")
        scheme = _text(path, pairs["scheme"][1], f"{what}.scheme")
        if scheme not in ("HTTP", "HTTPS"):
            raise RuleError(path, line_of(pairs["scheme"][1]), f"{what}.scheme {scheme!r} must be HTTP or HTTPS")
    return RuleSide(component, flag, shows, when, when_set, scheme)


def _flag(path: str | os.PathLike[str], node: Node, what: str) -> str:
    value = _text(path, node, what)
    if not _FLAG_RE.fullmatch(value):
        raise RuleError(path, line_of(node), f"{what} {value!r} must be a long flag written with its dashes (--name)")
    return value


def rule_problems(rules: Iterable[Rule], catalog: Catalog) -> list[str]:
    """Rule flags the catalog does not know, for components the catalog describes.

    Not an error at load time (the catalog grows separately); the test suite
    keeps the two in step.
    """
    problems = []
    for rule in rules:
        sides = [rule.a, rule.b] + ([RuleSide(rule.a.component, rule.key, "")] if rule.key else [])
        for side in sides:
            if side.flag == PROBE_FLAG or side.component not in catalog.components:
                continue
            if catalog.lookup(side.component, side.flag) is None:
                problems.append(f"{rule.origin}: rule {rule.id}: the catalog has no {side.label}")
    return problems
