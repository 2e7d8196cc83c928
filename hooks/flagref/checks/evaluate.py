"""The rule kinds: each turns a rule and a post's instances into relations.

:func:`evaluate_post` applies every rule (``rules/relations.yaml``) to the
program instances a post shows, then holds the values its text and tables
state to them (:mod:`.claims`). Scope is one post: two posts may describe two
different clusters, so across posts there are only "also seen" links (drawn
by the renderers), never violations. A side the post does not show, or shows
only in a truncated manifest, is ``unknown``, never a violation.

Every evaluator does work proportional to the uses it judges: the other side
comes from the indexes of :class:`~.facts.PostFacts` and
:class:`~.values.Listeners`, never from a scan of the post per use.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..model import FlagUse, Post
from ..parse.argv import split_list, unquote
from .claims import check_claims
from .facts import Instance, PostFacts, value_type
from .rules import PROBE_FLAG, Rule, RuleSide
from .values import Listeners, addresses, normalise_path, normalise_value, parse_address, parse_bool
from .verdicts import Relation, missing, ok, others, said, shown, unknown, violation

if TYPE_CHECKING:
    from ..catalog import Catalog

# "did you mean" compares names by difflib, quadratic in their length: longer names get no suggestion.
_CLOSE_MATCH_LIMIT = 64
# A port number: 1 to 5 ASCII digits (a probe's "²" or a 5,000-digit port is not one).
_PORT_DIGITS = frozenset("0123456789")


def evaluate_post(post: Post, rules: Sequence[Rule], catalog: Catalog | None = None) -> list[Relation]:
    """Every relation the rules find in ``post``, plus its prose and table claims, in source order."""
    facts = PostFacts(post, catalog)
    found: list[Relation] = []
    for rule in rules:
        found.extend(_EVALUATORS[rule.kind](rule, facts))
    found.extend(check_claims(facts))
    return sorted(found, key=lambda r: (r.a.path != post.path, r.a.path, r.a.line, r.rule.id))


def _uses(rule: Rule, facts: PostFacts) -> Iterator[tuple[Instance, FlagUse]]:
    """Side a of ``rule`` wherever the post sets it with a value."""
    for inst in facts.of(rule.a.component):
        use = inst.valued(rule.a.name)
        if use is not None:
            yield inst, use


def _listeners(uses: Sequence[FlagUse]) -> Listeners[FlagUse]:
    return Listeners((addr, use) for use in uses for _, addr in addresses(use.value or ""))


def _within(rule: Rule, facts: PostFacts, verb: str, same_instance: bool) -> Iterator[Relation]:
    """endpoint and subset: every URL of a is served by one of b's listen URLs."""
    shared = None if same_instance else facts.listing(rule.b.component, rule.b.name)
    shared_index = _listeners(shared.having) if shared is not None else None
    for inst, use in _uses(rule, facts):
        if shared is None or shared_index is None:
            own = inst.valued(rule.b.name)
            having: Sequence[FlagUse] = (own,) if own is not None else ()
            lacking: Sequence[Instance] = () if own is not None else (inst,)
            index = _listeners(having)
        else:
            having, lacking, index = shared.having, shared.lacking, shared_index
        if not having:
            yield unknown(rule, use, None, missing(rule.b, lacking))
            continue
        unserved: list[str] = []
        undecided: list[str] = []
        server: FlagUse | None = None
        items = addresses(use.value or "")
        if not items:
            yield unknown(rule, use, None, f"{use.flag} names no URL")
            continue
        for text, client in items:
            verdict, hit = index.decide(client)
            if verdict:
                server = server or hit
            elif verdict is None:
                undecided.append(text)
            else:
                unserved.append(text)
        if unserved and not lacking:
            what = said(use) if len(unserved) == len(items) else f"{said(use)}: {','.join(unserved)}"
            wrong = f"{what} is not {verb} {rule.b.component} {having[0].flag} {others(having)}"
            todo = (
                f"make {use.flag} name a URL that {rule.b.flag} serves"
                if verb == "served by"
                else f"advertise only URLs that {rule.b.flag} serves"
            )
            yield violation(rule, use, having[0], wrong, f"{todo}, or add the URL to {rule.b.flag}")
        elif unserved or undecided:
            reason = (
                missing(rule.b, lacking)
                if unserved
                else f"{','.join(unserved + undecided)} is a host name; only DNS can tell whether {having[0].flag} "
                "covers it"
            )
            yield unknown(rule, use, server, reason)
        elif server is not None:  # every URL served, so there is a server
            yield ok(rule, use, server, f"{said(use)} is {verb} {rule.b.component} {server.flag} {others([server])}")


def _endpoint(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _within(rule, facts, "served by", same_instance=False)


def _subset(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _within(rule, facts, "within", same_instance=True)


def _membership(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    key = (rule.key or "--name").lstrip("-")
    for inst, use in _uses(rule, facts):
        cluster = inst.valued(rule.b.name)
        name_use = inst.valued(key)
        if cluster is None:
            yield unknown(rule, use, None, missing(rule.b, [inst]))
            continue
        if name_use is None:
            yield unknown(rule, use, cluster, missing(RuleSide(rule.a.component, rule.key or "--name", ""), [inst]))
            continue
        name = name_use.value or ""
        entries = [item.partition("=") for item in split_list(cluster.value)]
        mine = [url for member, _, url in entries if member == name]
        shown_name = shown(name_use)
        wrong = f"{said(use)} is not the {cluster.flag} entry for {name_use.flag}={shown_name}"
        if not mine:
            members = [m for m, _, _ in entries if len(m) <= _CLOSE_MATCH_LIMIT]
            close = difflib.get_close_matches(name, members, n=1) if len(name) <= _CLOSE_MATCH_LIMIT else []
            hint = (
                f"did you mean {name_use.flag}={close[0]}?"
                if close and not name_use.secret
                else "add " + ",".join(f"{shown_name}={url}" for url in split_list(shown(use)))
            )
            yield violation(
                rule,
                use,
                cluster,
                f"{wrong} (no {shown_name}= entry in {shown(cluster)}; {hint}) at {cluster.origin}",
                f"add the entry to {cluster.flag} or correct {name_use.flag}",
            )
            continue
        wanted = {parse_address(url) or url for url in split_list(use.value)}
        listed = {parse_address(url) or url for url in mine}
        if wanted != listed:
            entry = ",".join(f"{shown_name}={shown(cluster) if cluster.secret else url}" for url in mine)
            yield violation(
                rule,
                use,
                cluster,
                f"{wrong} ({entry}) at {cluster.origin}",
                f"make the {shown_name}= entry of {cluster.flag} list exactly the URLs of {use.flag}",
            )
        else:
            text = f"{said(use)} is the {cluster.flag} entry for {name_use.flag}={shown_name} at {cluster.origin}"
            yield ok(rule, use, cluster, text)


def _same(
    rule: Rule, facts: PostFacts, verb: str, noun: str, normalise: Callable[[str | None, str | None], object]
) -> Iterator[Relation]:
    """same-file and same-value: a's value, normalised, is one of b's."""
    listing = facts.listing(rule.b.component, rule.b.name)
    # Side a's type decides how both values compare: b's values are indexed once per type met.
    by_type: dict[str | None, dict[object, FlagUse]] = {}
    for _, use in _uses(rule, facts):
        if not listing.having:
            yield unknown(rule, use, None, missing(rule.b, listing.lacking))
            continue
        type_ = value_type(use)
        index = by_type.get(type_)
        if index is None:
            index = by_type[type_] = {}
            for b in listing.having:
                index.setdefault(normalise(b.value, type_), b)
        match = index.get(normalise(use.value, type_))
        first = listing.having[0]
        if match is not None:
            yield ok(rule, use, match, f"{said(use)} is {verb} {rule.b.component} {match.flag} {others([match])}")
        else:
            wrong = f"{said(use)} is not {verb} {rule.b.component} {first.flag} {others(listing.having)}"
            yield violation(rule, use, first, wrong, f"make {use.flag} and {rule.b.label} {noun}")


def _same_file(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _same(
        rule, facts, "the same file as", "name the same file", lambda value, _type: normalise_path(value or "")
    )


def _same_value(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    return _same(rule, facts, "the same as", "hold the same value", normalise_value)


def _requires(rule: Rule, facts: PostFacts) -> Iterator[Relation]:
    """When a is ``when``, every instance of b's component (setting ``when_set``) sets b.

    The verdict for a client does not depend on which instance requires it, so
    it is worked out once per client. The first use of a gets one relation per
    client, which links every client's row; each further use gets one relation
    naming the first client at fault and how many more, so that a post with N
    servers and N clients gives N relations, not N².
    """
    wanted = parse_bool(rule.a.when)
    # A boolean flag given bare (--client-cert-auth) is true.
    uses = [use for inst in facts.of(rule.a.component) if (use := inst.flags.get(rule.a.name)) is not None]
    uses = [use for use in uses if parse_bool(use.value) == wanted]
    if not uses:
        return
    gate = rule.b.when_set.lstrip("-") if rule.b.when_set else None
    clients = [c for c in facts.of(rule.b.component) if gate is None or gate in c.flags]
    if not clients:
        who = f"no {rule.b.component}" + (f" setting {rule.b.when_set}" if rule.b.when_set else "")
        for use in uses:
            yield unknown(rule, use, None, f"{who} in this post")
        return
    verdicts = [_required(rule, uses[0], client) for client in clients]
    yield from verdicts
    if len(uses) == 1:
        return
    # The others name the first client at fault (else the first not shown whole, else the first client).
    statuses = [r.status for r in verdicts]
    status = "violation" if "violation" in statuses else "unknown" if "unknown" in statuses else "ok"
    client = clients[statuses.index(status)]
    more = statuses.count(status) - 1 if status == "violation" else 0
    for use in uses[1:]:
        yield _required(rule, use, client, more)


def _required(rule: Rule, use: FlagUse, client: Instance, more: int = 0) -> Relation:
    """``use`` of side a requires side b of ``client``; ``more`` other clients lack it too."""
    given = client.valued(rule.b.name)
    if given is not None:
        return ok(rule, use, given, f"{said(use)}, and {client.label} sets {given.flag} at {given.origin}")
    if client.truncated:
        reason = f"{client.label} at {client.origin} is truncated and does not show {rule.b.flag}"
        return unknown(rule, use, None, reason)
    wrong = f"{said(use)} requires {rule.b.label}, which {client.label} does not set at {client.origin}"
    if more:
        return violation(
            rule,
            use,
            None,
            f"{wrong}, nor do {more} more",
            f"add {rule.b.flag} to {client.label} and the {more} others",
        )
    return violation(rule, use, None, wrong, f"add {rule.b.flag} to {client.label}")


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
            subject = f"{inst.component} {probe.kind} port {port} ({scheme})"
            flag = inst.flags.get(rule.b.name)
            if not _is_port(port):
                # A named port points into the container's ports list, which the engine does not read.
                yield unknown(rule, use, flag, "the probe names a port rather than giving its number", subject)
                continue
            if flag is None or flag.value is None:
                yield unknown(rule, use, None, missing(rule.b, [inst]) + _default(facts.catalog, rule.b), subject)
                continue
            opened = _ports(flag.value, scheme.lower())
            opens = f"{rule.b.component} {flag.flag} opens ({shown(flag)}) at {flag.origin}"
            if int(port) in opened:
                yield ok(rule, use, flag, f"{subject} is the port {opens}")
                continue
            numbers = sorted(p for p in opened if p > 0)
            if not numbers:
                todo = f"make {flag.flag} open port {port}, or change the probe"
            elif _is_port(unquote(flag.value.strip())):
                todo = f"change the probe's port to {' or '.join(map(str, numbers))} or the flag to {port}"
            else:
                todo = f"change the probe's port to {' or '.join(map(str, numbers))} or make {flag.flag} open {port}"
            yield violation(rule, use, flag, f"{subject} is not the port {opens}", todo)


def _default(catalog: Catalog | None, side: RuleSide) -> str:
    """`` (its default is 10259)``: the catalog's default of a flag the post does not set."""
    spec = catalog.lookup(side.component, side.flag) if catalog is not None else None
    return f" (its default is {spec.default})" if spec is not None and spec.default else ""


def _ports(value: str, scheme: str) -> set[int]:
    """The ports a flag opens: a port number, ``host:port``, or the URLs of ``scheme`` in a list."""
    text = unquote(value.strip())
    if _is_port(text):
        return {int(text)}
    found: set[int] = set()
    for _, addr in addresses(text):
        if addr is not None and addr.port is not None and addr.scheme == scheme:
            found.add(addr.port)
    host, colon, port = text.rpartition(":")
    if not found and colon and not any(c.isspace() for c in host) and _is_port(port):
        found.add(int(port))
    return found


def _is_port(text: str) -> bool:
    """Whether ``text`` is a port number as written: 1 to 5 ASCII digits."""
    return 0 < len(text) <= 5 and set(text) <= _PORT_DIGITS


_EVALUATORS: dict[str, Callable[[Rule, PostFacts], Iterable[Relation]]] = {
    "endpoint": _endpoint,
    "subset": _subset,
    "membership": _membership,
    "same-file": _same_file,
    "same-value": _same_value,
    "requires": _requires,
    "probe-port": _probe_port,
}
