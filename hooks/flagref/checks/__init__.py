"""Consistency checks: the relation rules applied to posts, as diagnostics.

``check_post`` is the pure core (one post in, relations and warnings out);
``check_build`` gathers the warnings of every post of a ``SiteBuild`` for the
``flagref check`` command. The MkDocs build gets the same warnings through
``SiteBuild.diagnostics``. The stages: :mod:`.rules` (the reviewed rules),
:mod:`.facts` (a post's program instances), :mod:`.evaluate` (the rule
kinds), :mod:`.claims` (values the text states), :mod:`.verdicts` (messages).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Diagnostic, Post
from .evaluate import evaluate_post
from .rules import Rule, load_rules
from .verdicts import Relation

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..site import SiteBuild


def check_post(
    post: Post, catalog: Catalog | None = None, rules: Sequence[Rule] | None = None
) -> tuple[list[Relation], list[Diagnostic]]:
    """The relations found in ``post`` and a warning for each violation, in source order.

    ``rules`` defaults to the reviewed ``rules/relations.yaml``.
    """
    relations = evaluate_post(post, load_rules() if rules is None else rules, catalog)
    diagnostics = [d for d in (r.diagnostic() for r in relations) if d is not None]
    return relations, diagnostics


def check_build(build: SiteBuild) -> list[Diagnostic]:
    """Every violation in the posts of ``build``, sorted by path and line.

    The build computed them once already; a snippet included by two posts that
    is wrong in both is reported once per distinct message.
    """
    return sort_diagnostics(build.violations)


def sort_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Sorted by ``(path, line, message)``, exact duplicates dropped."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.message))
