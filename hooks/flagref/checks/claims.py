"""Claims: the values a post's text and tables state, held to what its manifests and commands set.

A ``--flag=value`` in the prose and a Markdown table row giving a flag's
value are claims about the post's own configuration; a claim that no
manifest or command of the post bears out is a violation, one that no
manifest or command speaks to is ``unknown``.
"""

from __future__ import annotations

from ..model import FlagUse, Origin
from .facts import PostFacts, value_type
from .rules import Rule, RuleSide
from .values import normalise_value
from .verdicts import OTHERS_LIMIT, Relation, ok, said, shown, violation

# The two checks that need no rule file; they appear in tables and the reference like rules.
PROSE_RULE = Rule(
    "prose-claim",
    "prose",
    "A value the text gives for a flag must be the value the post's manifests and commands set.",
    RuleSide("", "", "the value the text states"),
    RuleSide("", "", "as the text says"),
    origin=Origin("hooks/flagref/checks/claims.py", 0),
)
TABLE_RULE = Rule(
    "table-claim",
    "table",
    "A flag's value in a Markdown table of the post must be the value its manifests and commands set.",
    RuleSide("", "", "the value the table states"),
    RuleSide("", "", "as the table says"),
    origin=Origin("hooks/flagref/checks/claims.py", 0),
)
# The rules the engine applies besides the reviewed ones (``rules/relations.yaml``).
CLAIM_RULES = (PROSE_RULE, TABLE_RULE)

# (name, component, type) -> normalised value -> (place among the setters, the first setter of that value)
_Index = dict[tuple[str, str | None, str | None], dict[object, tuple[int, FlagUse]]]


def check_claims(facts: PostFacts) -> list[Relation]:
    """Prose ``--flag=value`` mentions and Markdown table rows against the post's manifests and commands."""
    index: _Index = {}
    out = []
    for use in facts.post.uses:
        # An option of a command written inline (`kubectl get po -n x`, object set) is an example, not a claim.
        if use.kind == "prose" and use.value is not None and use.object is None:
            out.append(_claim(PROSE_RULE, "the text", use, facts, index))
    for use in facts.post.claims:
        out.append(_claim(TABLE_RULE, "the table", use, facts, index))
    return out


def _claim(rule: Rule, place: str, use: FlagUse, facts: PostFacts, index: _Index) -> Relation:
    written = facts.written(use.name, use.component)
    subject = f"{place} says {said(use)}"
    if not written:
        where = f"{use.component} " if use.component else ""
        text = f"{subject}: no {where}manifest or command in this post sets {use.flag}"
        return Relation(rule, rule.kind, use, None, "unknown", text)
    # Each setter's catalog type decides how the two values compare; the setters are indexed once per type.
    match: tuple[int, FlagUse] | None = None
    for type_ in dict.fromkeys(value_type(other) for _, other in written):
        key = (use.name, use.component, type_)
        values = index.get(key)
        if values is None:
            values = index[key] = {}
            for place_of, (_, other) in enumerate(written):
                if value_type(other) == type_:
                    values.setdefault(normalise_value(other.value, type_), (place_of, other))
        hit = values.get(normalise_value(use.value, type_))
        if hit is not None and (match is None or hit[0] < match[0]):
            match = hit
    if match is not None:
        return ok(rule, use, match[1], f"{subject}, as {_setter(facts, match[1])}")
    setters = ", and ".join(_setter(facts, other) for _, other in written[:OTHERS_LIMIT])
    more = len(written) - OTHERS_LIMIT
    if more > 0:
        setters += f", and {more} more"
    first = written[0][1]
    noun = "command" if first.kind == "command" else "manifest"
    todo = f"correct the value in {place}, or the {noun} if {place} is right"
    return violation(rule, use, first, f"{subject}, but {setters}", todo)


def _setter(facts: PostFacts, use: FlagUse) -> str:
    inst = facts.instance_of.get(use)
    label = inst.label if inst is not None else (use.object or use.component or "the post")
    return f"{label} sets {use.flag}={shown(use)} at {use.origin}"
