"""Relations between flags, checked inside each post.

The rules are reviewed data (``rules/relations.yaml``): each ties a flag of
one component (side *a*) to a flag of the same or another component (side
*b*) and says how their values must agree. :func:`evaluate_post` applies them
to the program instances a post shows (a container of a manifest, a typed
command) and adds two checks of its own: a ``--flag=value`` the text states,
and a Markdown table row listing a flag and its value, must both match what
the post's manifests and commands set.

Scope is one post: two posts may describe two different clusters, so across
posts there are only "also seen" links (drawn by the renderers), never
violations. A side the post does not show, or shows only in a truncated
manifest, is ``unknown``, never a violation.

Pure Python and PyYAML: no MkDocs here.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import Node, SequenceNode

from ..datafile import DataFileError, check_keys, line_of, read_line_text, read_pairs, read_text
from ..model import Diagnostic, FlagUse, Origin, Post, Probe
from ..parse.argv import split_list, unquote
from .values import addresses, normalise_path, normalise_value, parse_address, parse_bool, serves

KINDS = ("endpoint", "subset", "membership", "same-file", "same-value", "requires", "probe-port")
#: Checks built into this module rather than written as rules.
CLAIM_KINDS = ("prose", "table")
STATUSES = ("ok", "violation", "unknown")
DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "relations.yaml"
PROBE_FLAG = "httpGet.port"

_RULE_KEYS = ("id", "kind", "explanation", "key", "a", "b")
_SIDE_KEYS = ("component", "flag", "shows", "when", "when_set", "scheme")
_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COMPONENT_RE = re.compile(r"[a-z][a-z0-9-]*")
_FLAG_RE = re.compile(r"--[a-z0-9][a-z0-9-]*")
# Kinds whose two sides are flags of one running program (one container, one command).
_ONE_INSTANCE = frozenset({"subset", "membership", "probe-port"})


# --------------------------------------------------------------------------
# Records


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
        return self.flag.lstrip("-")

    @property
    def label(self) -> str:
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


@dataclass(frozen=True)
class Relation:
    """One rule applied to one use in a post, and the verdict.

    ``a`` is the use the rule is about (where a violation is reported), ``b``
    the use on the other side when the post shows one. ``explanation`` is the
    verdict in words; for a violation it is the warning's message, naming the
    other side's ``path:line`` at its end.
    """

    rule: Rule
    kind: str
    a: FlagUse
    b: FlagUse | None
    status: str  # ok | violation | unknown
    explanation: str

    def diagnostic(self) -> Diagnostic | None:
        """The build warning for a violation, ``None`` otherwise."""
        if self.status != "violation":
            return None
        return Diagnostic(self.a.path, self.a.line, self.explanation)


class RuleError(DataFileError):
    """A rules file that cannot be used; the message starts with ``file:line``."""


# The two checks that need no rule file; they appear in tables and the reference like rules.
PROSE_RULE = Rule(
    "prose-claim",
    "prose",
    "A value the text gives for a flag must be the value the post's manifests and commands set.",
    RuleSide("", "", "the value the text states"),
    RuleSide("", "", "as the text says"),
    origin=Origin("hooks/flagref/relations.py", 0),
)
TABLE_RULE = Rule(
    "table-claim",
    "table",
    "A flag's value in a Markdown table of the post must be the value its manifests and commands set.",
    RuleSide("", "", "the value the table states"),
    RuleSide("", "", "as the table says"),
    origin=Origin("hooks/flagref/relations.py", 0),
)


# --------------------------------------------------------------------------
# Loading the rules


_cache: dict[Path, tuple[tuple[int, int], tuple[Rule, ...]]] = {}


def load_rules(path: str | os.PathLike | None = None) -> tuple[Rule, ...]:
    """Read and check the rules file (default: ``rules/relations.yaml`` beside this module).

    Cached per file while its mtime and size are unchanged, so an edit during
    ``mkdocs serve`` is picked up. Raises :class:`RuleError` naming
    ``file:line`` for any problem.
    """
    shown = Path(path) if path is not None else DEFAULT_RULES
    key = shown.resolve()
    try:
        stat = key.stat()
    except OSError as exc:
        raise RuleError(shown, 0, f"cannot read the rules file ({exc.strerror})") from None
    signature = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    rules = parse_rules(key.read_text(encoding="utf-8"), shown)
    _cache[key] = (signature, rules)
    return rules


def parse_rules(text: str, path: str | os.PathLike = "relations.yaml") -> tuple[Rule, ...]:
    """The rules in ``text`` (the content of the file at ``path``), strictly checked."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise RuleError(path, line, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if root is None:
        raise RuleError(path, 1, "empty rules file; it needs a `rules:` list")
    top = _pairs(path, root, "the rules file")
    _check_keys(path, top, ("rules",), "the rules file")
    if "rules" not in top:
        raise RuleError(path, _line(root), "missing `rules:` list")
    items = top["rules"][1]
    if not isinstance(items, SequenceNode) or not items.value:
        raise RuleError(path, _line(items), "`rules:` must be a non-empty list")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for node in items.value:
        rule = _rule(path, node)
        if rule.id in seen:
            raise RuleError(path, _line(node), f"duplicate rule id {rule.id!r} (first at line {seen[rule.id]})")
        seen[rule.id] = _line(node)
        rules.append(rule)
    return tuple(rules)


def _rule(path, node: Node) -> Rule:
    pairs = _pairs(path, node, "a rule")
    _check_keys(path, pairs, _RULE_KEYS, "a rule")
    for required in ("id", "kind", "explanation", "a", "b"):
        if required not in pairs:
            raise RuleError(path, _line(node), f"rule is missing `{required}:`")
    rule_id = _text(path, pairs["id"][1], "id")
    if not _ID_RE.fullmatch(rule_id):
        raise RuleError(path, _line(pairs["id"][1]), f"id {rule_id!r} must be lower-case words joined by '-'")
    where = f"rule {rule_id}"
    kind_node = pairs["kind"][1]
    kind = _text(path, kind_node, f"{where}: kind")
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise RuleError(path, _line(kind_node), f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}{hint}")
    explanation = _line_text(path, pairs["explanation"][1], f"{where}: explanation")
    a = _side(path, pairs["a"][1], kind, "a", where)
    b = _side(path, pairs["b"][1], kind, "b", where)
    key = None
    if kind == "membership":
        if "key" not in pairs:
            raise RuleError(path, _line(node), f"{where}: a membership rule needs `key:`, the flag naming the entry")
        key = _flag(path, pairs["key"][1], f"{where}: key")
    elif "key" in pairs:
        raise RuleError(path, _line(pairs["key"][0]), f"{where}: `key:` is for membership rules only")
    if kind in _ONE_INSTANCE and a.component != b.component:
        raise RuleError(
            path,
            _line(pairs["b"][1]),
            f"{where}: a {kind} rule relates flags of one program; a is {a.component}, b is {b.component}",
        )
    return Rule(rule_id, kind, explanation, a, b, key, Origin(str(path), _line(node)))


def _side(path, node: Node, kind: str, which: str, where: str) -> RuleSide:
    what = f"{where}: {which}"
    pairs = _pairs(path, node, what)
    _check_keys(path, pairs, _SIDE_KEYS, what)
    for required in ("component", "flag", "shows"):
        if required not in pairs:
            raise RuleError(path, _line(node), f"{what} is missing `{required}:`")
    component = _text(path, pairs["component"][1], f"{what}.component")
    if not _COMPONENT_RE.fullmatch(component):
        raise RuleError(
            path, _line(pairs["component"][1]), f"{what}.component {component!r} must be a lower-case program name"
        )
    if kind == "probe-port" and which == "a":
        flag = _text(path, pairs["flag"][1], f"{what}.flag")
        if flag != PROBE_FLAG:
            raise RuleError(path, _line(pairs["flag"][1]), f"{what}.flag of a probe-port rule is always {PROBE_FLAG}")
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
                path, _line(pairs[extra][0]), f"{what}: `{extra}:` does not apply to side {which} of a {kind} rule"
            )
    when = _text(path, pairs["when"][1], f"{what}.when") if "when" in pairs else None
    if allowed["when"] and when is None:
        raise RuleError(path, _line(node), f"{what} needs `when:`, the value that makes the rule apply")
    when_set = _flag(path, pairs["when_set"][1], f"{what}.when_set") if "when_set" in pairs else None
    scheme = None
    if allowed["scheme"]:
        if "scheme" not in pairs:
            raise RuleError(path, _line(node), f"{what} needs `scheme:` (HTTP or HTTPS)")
        scheme = _text(path, pairs["scheme"][1], f"{what}.scheme")
        if scheme not in ("HTTP", "HTTPS"):
            raise RuleError(path, _line(pairs["scheme"][1]), f"{what}.scheme {scheme!r} must be HTTP or HTTPS")
    return RuleSide(component, flag, shows, when, when_set, scheme)


_line = line_of
_pairs = functools.partial(read_pairs, error=RuleError)
_check_keys = functools.partial(check_keys, error=RuleError)
_text = functools.partial(read_text, error=RuleError)
_line_text = functools.partial(read_line_text, error=RuleError)


def _flag(path, node: Node, what: str) -> str:
    value = _text(path, node, what)
    if not _FLAG_RE.fullmatch(value):
        raise RuleError(path, _line(node), f"{what} {value!r} must be a long flag written with its dashes (--name)")
    return value


def rule_problems(rules: Iterable[Rule], catalog) -> list[str]:
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


# --------------------------------------------------------------------------
# What a post shows: program instances


@dataclass
class Instance:
    """One running program a post shows: a container of a manifest, or a typed command."""

    component: str
    label: str  # "Pod etcd-master", "the etcdctl command"
    block: int | None
    origin: Origin
    truncated: bool
    flags: dict[str, FlagUse] = field(default_factory=dict)  # canonical name -> use (the last wins, as in pflag)
    probes: tuple[Probe, ...] = ()
    container: str | None = None


class PostFacts:
    """The instances of a post, and the catalog questions the evaluators ask."""

    def __init__(self, post: Post, catalog=None) -> None:
        self.post = post
        self.catalog = catalog
        self.instances = _find_instances(post)
        self.by_component: dict[str, list[Instance]] = defaultdict(list)
        self.instance_of: dict[FlagUse, Instance] = {}
        for inst in self.instances:
            self.by_component[inst.component].append(inst)
            for use in inst.flags.values():
                self.instance_of[use] = inst

    def of(self, component: str) -> list[Instance]:
        return self.by_component.get(component, [])

    def written(self, name: str, component: str | None) -> list[tuple[Instance, FlagUse]]:
        """Every instance that sets flag ``name`` (of ``component``, or of any component when ``None``)."""
        return [
            (inst, inst.flags[name])
            for inst in self.instances
            if name in inst.flags and (component is None or inst.component == component)
        ]


def _find_instances(post: Post) -> list[Instance]:
    pool: dict[tuple[str, int | None, str], list[FlagUse]] = defaultdict(list)
    for use in post.uses:
        if use.kind in ("manifest", "command") and use.component:
            pool[(use.kind, use.block, use.component)].append(use)
    taken: set[int] = set()

    def claim(inst: Instance, candidates: list[FlagUse], origins: set[Origin]) -> None:
        for use in candidates:
            if id(use) not in taken and use.origin in origins:
                taken.add(id(use))
                inst.flags[use.name] = use

    out: list[Instance] = []
    truncated: dict[tuple[int, str], bool] = {}
    for manifest in post.manifests:
        truncated[(manifest.block, manifest.label)] = manifest.truncated
        for c in manifest.containers:
            if not c.component:
                continue
            label = manifest.label + (f", container {c.name}" if c.name and c.name != c.component else "")
            origin = c.origin or manifest.origin
            inst = Instance(
                c.component, label, manifest.block, origin, manifest.truncated, probes=c.probes, container=c.name
            )
            origins = {o for o, _ in c.argv} | {o for o, _, _ in c.env}
            claim(inst, pool.get(("manifest", manifest.block, c.component), []), origins)
            out.append(inst)
    for command in post.commands:
        inst = Instance(command.tool, f"the {command.tool} command", command.block, command.origin, False)
        claim(inst, pool.get(("command", command.block, command.tool), []), set(command.arg_origins) | {command.origin})
        if inst.flags:
            out.append(inst)
    # What is left: kubeadm extraArgs (no container) and command lines in output (ps -ef).
    rest: dict[tuple, Instance] = {}
    for (kind, block, component), uses in pool.items():
        for use in uses:
            if id(use) in taken:
                continue
            key = (kind, block, component, use.object, use.line if kind == "command" else None)
            inst = rest.get(key)
            if inst is None:
                label = use.object or f"the {component} command line"
                cut = truncated.get((block, use.object), False) if use.object else False
                inst = rest[key] = Instance(component, label, block, use.origin, cut)
                out.append(inst)
            inst.flags[use.name] = use
    return out


# --------------------------------------------------------------------------
# Evaluation


def evaluate_post(post: Post, rules: Sequence[Rule], catalog=None) -> list[Relation]:
    """Every relation the rules find in ``post``, plus its prose and table claims, in source order."""
    facts = PostFacts(post, catalog)
    found: list[Relation] = []
    for rule in rules:
        found.extend(_EVALUATORS[rule.kind](rule, facts))
    found.extend(check_claims(facts))
    return sorted(found, key=lambda r: (r.a.path != post.path, r.a.path, r.a.line, r.rule.id))


def _type(use: FlagUse) -> str | None:
    return use.spec.type if use.spec is not None else None


def _said(use: FlagUse) -> str:
    """``kube-apiserver --etcd-servers=https://127.0.0.1:2379`` as the post wrote it."""
    who = f"{use.component} " if use.component else ""
    return f"{who}{use.flag}" + (f"={use.value}" if use.value is not None else "")


def _others(pairs: Sequence[tuple[str, FlagUse]]) -> str:
    """``(value) at path:line, nor (value) at path:line``: the other side, its place last."""
    return ", nor ".join(f"({value}) at {use.origin}" for value, use in pairs)


def _missing(side: RuleSide, instances: Sequence[Instance]) -> str:
    if not instances:
        return f"no {side.component} in this post"
    shown = instances[0]
    if all(inst.truncated for inst in instances):
        return f"{shown.label} at {shown.origin} is truncated and does not show {side.flag}"
    return f"{shown.label} at {shown.origin} does not show {side.flag}"


def _unknown(rule: Rule, use: FlagUse, other: FlagUse | None, reason: str, said: str | None = None) -> Relation:
    text = f"{said or _said(use)}: not checked ({rule.a.shows}): {reason}"
    return Relation(rule, rule.kind, use, other, "unknown", text)


def _uses(rule: Rule, facts: PostFacts) -> Iterator[tuple[Instance, FlagUse]]:
    for inst in facts.of(rule.a.component):
        use = inst.flags.get(rule.a.name)
        if use is not None and use.value:
            yield inst, use


def _listed(side: RuleSide, facts: PostFacts, same: Instance | None = None) -> tuple[list[FlagUse], list[Instance]]:
    """Side ``side``'s uses with a value (in ``same`` only, when given), and the instances lacking it."""
    instances = [same] if same is not None else facts.of(side.component)
    having = [inst.flags[side.name] for inst in instances if inst.flags.get(side.name) and inst.flags[side.name].value]
    lacking = [inst for inst in instances if not (inst.flags.get(side.name) and inst.flags[side.name].value)]
    return having, lacking


def _within(rule: Rule, facts: PostFacts, verb: str, same_instance: bool) -> Iterator[Relation]:
    """endpoint and subset: every URL of a is served by one of b's listen URLs."""
    for inst, use in _uses(rule, facts):
        listeners, lacking = _listed(rule.b, facts, inst if same_instance else None)
        if not listeners:
            yield _unknown(rule, use, None, _missing(rule.b, lacking))
            continue
        unserved: list[str] = []
        undecided: list[str] = []
        server: FlagUse | None = None
        for text, client in addresses(use.value):
            verdicts = [
                (serves(addr, client) if client and addr else None, b)
                for b in listeners
                for _, addr in addresses(b.value)
            ]
            hit = next((b for verdict, b in verdicts if verdict), None)
            if hit is not None:
                server = server or hit
            elif any(verdict is None for verdict, _ in verdicts):
                undecided.append(text)
            else:
                unserved.append(text)
        if unserved and not lacking:
            what = _said(use) if len(unserved) == len(split_list(use.value)) else f"{_said(use)}: {','.join(unserved)}"
            others = _others([(b.value, b) for b in listeners])
            message = f"{what} is not {verb} {rule.b.component} {listeners[0].flag} {others}"
            yield Relation(rule, rule.kind, use, listeners[0], "violation", message)
        elif unserved or undecided:
            open_ = unserved + undecided
            reason = (
                _missing(rule.b, lacking)
                if unserved
                else f"{','.join(open_)} is a host name; only DNS can tell whether {listeners[0].flag} covers it"
            )
            yield _unknown(rule, use, server, reason)
        else:
            others = _others([(server.value, server)])
            yield Relation(
                rule, rule.kind, use, server, "ok", f"{_said(use)} is {verb} {rule.b.component} {server.flag} {others}"
            )


def _endpoint(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _within(rule, facts, "served by", same_instance=False)


def _subset(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _within(rule, facts, "within", same_instance=True)


def _membership(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    key = (rule.key or "--name").lstrip("-")
    for inst, use in _uses(rule, facts):
        cluster = inst.flags.get(rule.b.name)
        name_use = inst.flags.get(key)
        if cluster is None or not cluster.value:
            yield _unknown(rule, use, None, _missing(rule.b, [inst]))
            continue
        if name_use is None or not name_use.value:
            yield _unknown(rule, use, cluster, _missing(RuleSide(rule.a.component, rule.key or "--name", ""), [inst]))
            continue
        name = name_use.value
        entries = [item.partition("=") for item in split_list(cluster.value)]
        mine = [url for member, _, url in entries if member == name]
        said = f"{_said(use)} is not the {cluster.flag} entry for {name_use.flag}={name}"
        if not mine:
            members = [member for member, _, _ in entries]
            close = difflib.get_close_matches(name, members, n=1)
            hint = (
                f"did you mean {name_use.flag}={close[0]}?"
                if close
                else "add " + ",".join(f"{name}={url}" for url in split_list(use.value))
            )
            message = f"{said} (no {name}= entry in {cluster.value}; {hint}) at {cluster.origin}"
            yield Relation(rule, rule.kind, use, cluster, "violation", message)
            continue
        wanted = {parse_address(url) or url for url in split_list(use.value)}
        listed = {parse_address(url) or url for url in mine}
        if wanted != listed:
            entry = ",".join(f"{name}={url}" for url in mine)
            yield Relation(rule, rule.kind, use, cluster, "violation", f"{said} ({entry}) at {cluster.origin}")
        else:
            message = f"{_said(use)} is the {cluster.flag} entry for {name_use.flag}={name} at {cluster.origin}"
            yield Relation(rule, rule.kind, use, cluster, "ok", message)


def _same(
    rule: Rule, facts: PostFacts, verb: str, normalise: Callable[[str, str | None], object]
) -> Iterator[Relation]:
    for _, use in _uses(rule, facts):
        others, lacking = _listed(rule.b, facts)
        if not others:
            yield _unknown(rule, use, None, _missing(rule.b, lacking))
            continue
        type_ = _type(use)  # side a's type decides how both values compare
        mine = normalise(use.value, type_)
        match = next((b for b in others if normalise(b.value, type_) == mine), None)
        if match is not None:
            message = f"{_said(use)} is {verb} {rule.b.component} {match.flag} {_others([(match.value, match)])}"
            yield Relation(rule, rule.kind, use, match, "ok", message)
        else:
            message = f"{_said(use)} is not {verb} {rule.b.component} {others[0].flag} {_others([(b.value, b) for b in others])}"
            yield Relation(rule, rule.kind, use, others[0], "violation", message)


def _same_file(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _same(rule, facts, "the same file as", lambda value, _type: normalise_path(value))


def _same_value(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _same(rule, facts, "the same as", normalise_value)


def _requires(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    for inst in facts.of(rule.a.component):
        use = inst.flags.get(rule.a.name)
        # A boolean flag given bare (--client-cert-auth) is true.
        if use is None or parse_bool(use.value) != parse_bool(rule.a.when):
            continue
        clients = [
            c for c in facts.of(rule.b.component) if rule.b.when_set is None or rule.b.when_set.lstrip("-") in c.flags
        ]
        if not clients:
            reason = (
                f"no {rule.b.component}" + (f" setting {rule.b.when_set}" if rule.b.when_set else "") + " in this post"
            )
            yield _unknown(rule, use, None, reason)
        for client in clients:
            given = client.flags.get(rule.b.name)
            if given is not None and given.value:
                message = f"{_said(use)}, and {client.label} sets {given.flag} at {given.origin}"
                yield Relation(rule, rule.kind, use, given, "ok", message)
            elif client.truncated:
                reason = f"{client.label} at {client.origin} is truncated and does not show {rule.b.flag}"
                yield _unknown(rule, use, None, reason)
            else:
                message = f"{_said(use)} requires {rule.b.label}, which {client.label} does not set at {client.origin}"
                yield Relation(rule, rule.kind, use, None, "violation", message)


def _probe_port(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    for inst in facts.of(rule.a.component):
        for probe in inst.probes:
            scheme = (probe.scheme or "HTTP").upper()
            if scheme != rule.a.scheme or not probe.port:
                continue
            port = unquote(probe.port)
            # The probe as a use, so that it can be side a of a relation like any flag.
            use = FlagUse(
                probe.origin.path,
                probe.origin.line,
                inst.block,
                "probe",
                inst.component,
                f"{probe.kind}.{PROBE_FLAG}",
                port,
                inst.label,
                inst.container,
                name=f"{probe.kind}.{PROBE_FLAG}",
            )
            said = f"{inst.component} {probe.kind} port {port} ({scheme})"
            flag = inst.flags.get(rule.b.name)
            if not port.isdigit():
                # A named port points into the container's ports list, which the engine does not read.
                yield _unknown(rule, use, flag, "the probe names a port rather than giving its number", said)
                continue
            if flag is None or flag.value is None:
                spec = facts.catalog.lookup(inst.component, rule.b.flag) if facts.catalog is not None else None
                default = f" (its default is {spec.default})" if spec is not None and spec.default else ""
                yield _unknown(rule, use, None, _missing(rule.b, [inst]) + default, said)
                continue
            opened = _ports(flag.value, scheme.lower())
            message = f"{rule.b.component} {flag.flag} opens ({flag.value}) at {flag.origin}"
            if int(port) in opened:
                yield Relation(rule, rule.kind, use, flag, "ok", f"{said} is the port {message}")
            else:
                yield Relation(rule, rule.kind, use, flag, "violation", f"{said} is not the port {message}")


def _ports(value: str, scheme: str) -> set[int]:
    """The ports a flag opens: a port number, ``host:port``, or the URLs of ``scheme`` in a list."""
    text = unquote(value.strip())
    if text.isdigit():
        return {int(text)}
    found = set()
    for _, addr in addresses(text):
        if addr is not None and addr.port is not None and addr.scheme == scheme:
            found.add(addr.port)
    if not found and re.fullmatch(r"\S*:\d+", text):
        found.add(int(text.rsplit(":", 1)[1]))
    return found


_EVALUATORS: dict[str, Callable[[Rule, PostFacts], Iterable[Relation]]] = {
    "endpoint": _endpoint,
    "subset": _subset,
    "membership": _membership,
    "same-file": _same_file,
    "same-value": _same_value,
    "requires": _requires,
    "probe-port": _probe_port,
}


# --------------------------------------------------------------------------
# Claims: values the text and its tables state


def check_claims(facts: PostFacts) -> list[Relation]:
    """Prose ``--flag=value`` mentions and Markdown table rows against the post's manifests and commands."""
    out = []
    for use in facts.post.uses:
        if use.kind == "prose" and use.value is not None:
            out.append(_claim(PROSE_RULE, "the text says", use, facts))
    for use in facts.post.claims:
        out.append(_claim(TABLE_RULE, "the table says", use, facts))
    return out


def _claim(rule: Rule, who: str, use: FlagUse, facts: PostFacts) -> Relation:
    written = facts.written(use.name, use.component)
    said = f"{who} {_said(use)}"
    if not written:
        where = f"{use.component} " if use.component else ""
        return Relation(
            rule, rule.kind, use, None, "unknown", f"{said}: no {where}manifest or command in this post sets {use.flag}"
        )
    for _, other in written:
        type_ = _type(other)
        if normalise_value(use.value, type_) == normalise_value(other.value, type_):
            return Relation(rule, rule.kind, use, other, "ok", f"{said}, as {_setter(facts, other)}")
    setters = ", and ".join(_setter(facts, other) for _, other in written)
    return Relation(rule, rule.kind, use, written[0][1], "violation", f"{said}, but {setters}")


def _setter(facts: PostFacts, use: FlagUse) -> str:
    inst = facts.instance_of.get(use)
    label = inst.label if inst is not None else (use.object or use.component or "the post")
    return f"{label} sets {use.flag}={use.value} at {use.origin}"
