"""A rule applied to a use, and its verdict in words.

Every message a check writes is made here, so that each one quotes a flag the
same way (``kube-apiserver --etcd-servers=https://127.0.0.1:2379``), never
quotes a credential (a use whose ``secret`` is set shows :data:`MASK`), names
the other side's ``path:line`` and, for a violation, ends with what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..model import Diagnostic, FlagUse
from .rules import Rule, RuleSide
from .secrets import MASK

if TYPE_CHECKING:
    from .facts import Instance

Status = Literal["ok", "violation", "unknown"]
#: How many other places a message quotes before it says how many more there are.
OTHERS_LIMIT = 3


@dataclass(frozen=True, slots=True)
class Relation:
    """One rule applied to one use in a post, and the verdict.

    ``a`` is the use the rule is about (where a violation is reported), ``b``
    the use on the other side when the post shows one. ``explanation`` is the
    verdict in words; for a violation it is the warning's message: what is
    wrong, the other side's ``path:line``, then ``; `` and what to do.
    """

    rule: Rule
    kind: str
    a: FlagUse
    b: FlagUse | None
    status: Status
    explanation: str

    def diagnostic(self) -> Diagnostic | None:
        """The build warning for a violation, ``None`` otherwise."""
        if self.status != "violation":
            return None
        return Diagnostic(self.a.path, self.a.line, self.explanation)


def shown(use: FlagUse) -> str:
    """The value of ``use`` as a message may quote it: the mask for a credential."""
    if use.value is None:
        return ""
    return MASK if use.secret else use.value


def said(use: FlagUse) -> str:
    """``kube-apiserver --etcd-servers=https://127.0.0.1:2379`` as the post wrote it (credentials masked)."""
    who = f"{use.component} " if use.component else ""
    return f"{who}{use.flag}" + (f"={shown(use)}" if use.value is not None else "")


def others(uses: Sequence[FlagUse]) -> str:
    """``(value) at path:line, nor (value) at path:line``: the other side, its place last.

    At most :data:`OTHERS_LIMIT` are quoted, so that a message stays one line
    however many manifests the post holds.
    """
    quoted = ", nor ".join(f"({shown(use)}) at {use.origin}" for use in uses[:OTHERS_LIMIT])
    more = len(uses) - OTHERS_LIMIT
    return quoted + (f", nor {more} more" if more > 0 else "")


def missing(side: RuleSide, instances: Sequence[Instance]) -> str:
    """Why side ``side`` cannot be checked: no instance of its component, or none showing its flag."""
    if not instances:
        return f"no {side.component} in this post"
    first = instances[0]
    if all(inst.truncated for inst in instances):
        return f"{first.label} at {first.origin} is truncated and does not show {side.flag}"
    return f"{first.label} at {first.origin} does not show {side.flag}"


def ok(rule: Rule, use: FlagUse, other: FlagUse | None, text: str) -> Relation:
    """A relation that holds; ``text`` says so and names the other side."""
    return Relation(rule, rule.kind, use, other, "ok", text)


def unknown(rule: Rule, use: FlagUse, other: FlagUse | None, reason: str, subject: str | None = None) -> Relation:
    """A relation the post does not show enough to decide, never a warning."""
    text = f"{subject or said(use)}: not checked ({rule.a.shows}): {reason}"
    return Relation(rule, rule.kind, use, other, "unknown", text)


def violation(rule: Rule, use: FlagUse, other: FlagUse | None, wrong: str, todo: str) -> Relation:
    """A contradiction: ``wrong`` says what disagrees and where, ``todo`` what the author should change."""
    return Relation(rule, rule.kind, use, other, "violation", f"{wrong}; {todo}")
