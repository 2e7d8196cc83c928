"""Flags mentioned in the text of a post, in inline code or bare."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..catalog import Catalog
from ..model import Document, FlagUse, Origin
from .identity import Identifier

END_OF_POST = re.compile(r"(?i)^\s*-{1,}\s*end[\s_-]*of[\s_-]*post\s*-*\s*$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_BARE = re.compile(r"(?<![\w/`-])(--[a-z0-9][a-z0-9-]*[a-z0-9])(?:=([^\s`<>]+))?(?![\w-])")
_IN_CODE = re.compile(r"^(--[A-Za-z0-9][A-Za-z0-9_.-]*)(?:[= ](.+))?$")
_TRAILING = ".,;:)!?'\""


@dataclass(frozen=True)
class Mention:
    """A flag the text names: ``--etcd-servers``, or an option inside inline code such as ``kubectl get -n x``."""

    origin: Origin
    flag: str
    value: str | None
    in_code: bool
    context: str  # the line, to tell which component the sentence speaks of
    program: str | None = None  # the program an inline command names (`kubectl get po -n kube-system`)
    command: str | None = None  # its subcommand
    example: str | None = None  # the inline command itself


# Reads the options of an inline command: (program, flag, value, subcommand) of each.
CodeSpanReader = Callable[[Origin, str], "list[tuple[str, str, str | None, str | None]]"]


def find_mentions(document: Document, skip: Iterable[int], commands: CodeSpanReader | None = None) -> list[Mention]:
    """Flags in the prose lines of ``document`` (``skip``: indexes of code lines).

    ``commands`` reads an inline code span that is a command line; its options
    are mentions of that program's flags.
    """
    skipped = set(skip)
    mentions = []
    for i, line in enumerate(document.lines):
        # A cheap substring test first: a mention (bare or in code) needs two dashes.
        if ("--" not in line and " -" not in line) or i in skipped or END_OF_POST.match(line):
            continue
        origin = document.origins[i]
        covered: list[tuple[int, int]] = []
        for m in _CODE_SPAN.finditer(line) if "`" in line else ():
            covered.append(m.span())
            code = m.group(2).strip()
            cm = _IN_CODE.match(code)
            if cm and not cm.group(1).endswith("-"):
                mentions.append(Mention(origin, cm.group(1), cm.group(2), True, line))
            elif commands is not None and not code.startswith("-"):
                for program, flag, value, command in commands(origin, code):
                    mentions.append(Mention(origin, flag, value, True, line, program, command, code))
        for m in _BARE.finditer(line):
            if any(a <= m.start() < b for a, b in covered):
                continue
            value = m.group(2)
            if value:
                value = value.rstrip(_TRAILING) or None
            mentions.append(Mention(origin, m.group(1), value, False, line))
    return mentions


def read_prose(
    document: Document,
    code_lines: set[int],
    written: Sequence[FlagUse],
    catalog: Catalog,
    ident: Identifier,
    commands: CodeSpanReader | None = None,
) -> list[FlagUse]:
    """The prose mentions of ``document`` as uses, each given the program the post or the sentence names.

    ``written`` are the uses the code blocks gave: a flag only one program of
    the post sets is that program's; else the program the sentence names; else
    the one component the catalog knows the flag for; else none (ambiguous).
    """
    in_post: dict[str, set[str]] = {}
    for use in written:
        if use.component:
            in_post.setdefault(use.name, set()).add(use.component)
    out = []
    for mention in find_mentions(document, code_lines, commands):
        name = mention.flag.lstrip("-")
        if mention.program is not None:  # an inline command: its program receives the flag
            component, ambiguous = mention.program, False
        else:
            component, ambiguous = _attribute(catalog, name, mention.context, in_post.get(name, set()))
        out.append(
            ident.use(
                mention.origin.path,
                mention.origin.line,
                None,
                "prose",
                component,
                mention.flag,
                mention.value,
                command=mention.command,
                object=mention.example,
                ambiguous=ambiguous,
            )
        )
    return out


def _attribute(catalog: Catalog, name: str, context: str, in_post: set[str]) -> tuple[str | None, bool]:
    named = {c for c in in_post if c in context}
    if len(named) == 1:
        return named.pop(), False
    if len(in_post) == 1:
        return next(iter(in_post)), False
    candidates = set(catalog.components_with("--" + name))
    if in_post:
        candidates &= in_post
    named = {c for c in candidates if c in context}
    if len(named) == 1:
        return named.pop(), False
    if len(candidates) == 1:
        return candidates.pop(), False
    return None, True
