"""Flags mentioned in the text of a post, in inline code or bare."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..catalog import Catalog
from ..model import Diagnostic, Document, FlagUse, Origin
from .identity import Identifier

# The longest line of text Markdown is applied to. Python-Markdown's inline patterns are quadratic on
# some long lines (a run of 4,000 "[" takes 3.6 s); a longer line is shown as plain text (render.markdown).
MAX_PROSE_LINE = 5_000

END_OF_POST = re.compile(r"(?i)^\s*-{1,}\s*end[\s_-]*of[\s_-]*post\s*-*\s*$")
# A run of backticks: code spans open and close with runs of the same length (see _code_spans).
_TICKS = re.compile(r"`+")
# A bare flag: two dashes that follow no word character, slash, backtick or dash (the look-behind
# checks the character before them), a name, and maybe =value. It starts with its literal "--", so
# the search jumps from one "--" to the next instead of trying every position of the line.
_BARE = re.compile(r"(--(?<![\w/`-]--)[a-z0-9][a-z0-9-]*[a-z0-9])(?:=([^\s`<>]+))?(?![\w-])")
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
        for start, end, inner in _code_spans(line) if "`" in line else ():
            covered.append((start, end))
            code = inner.strip()
            cm = _IN_CODE.match(code)
            if cm and not cm.group(1).endswith("-"):
                mentions.append(Mention(origin, cm.group(1), cm.group(2), True, line))
            elif commands is not None and not code.startswith("-"):
                for program, flag, value, command in commands(origin, code):
                    mentions.append(Mention(origin, flag, value, True, line, program, command, code))
        # The spans and the matches both come in order: one pass over the spans tells which are inside one.
        spans = iter(covered)
        span = next(spans, None)
        for m in _BARE.finditer(line):
            while span is not None and span[1] <= m.start():
                span = next(spans, None)
            if span is not None and span[0] <= m.start():
                continue
            value = m.group(2)
            if value:
                value = value.rstrip(_TRAILING) or None
            mentions.append(Mention(origin, m.group(1), value, False, line))
    return mentions


def _code_spans(line: str) -> list[tuple[int, int, str]]:
    """The inline code spans of ``line``: (start, end, text between the backticks), in order.

    A run of backticks opens a span that the next run of the same length
    closes; a run that no later run matches is text, and the search goes on
    after it. Each run's next match is found once, from the right, so the
    cost is linear in the line (a lazy pattern with a back-reference would
    rescan the rest of the line from every unmatched run).
    """
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(line)]
    following: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}  # run length -> index of the nearest such run to the right
    for index in range(len(runs) - 1, -1, -1):
        width = runs[index][1] - runs[index][0]
        following[index] = last.get(width)
        last[width] = index
    spans = []
    index = 0
    while index < len(runs):
        close = following[index]
        if close is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[close][1], line[runs[index][1] : runs[close][0]]))
        index = close + 1
    return spans


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


def long_line_warnings(document: Document, code_lines: Iterable[int]) -> list[Diagnostic]:
    """A warning for each line of text (not code) over ``MAX_PROSE_LINE`` characters: it is shown as plain text."""
    code = set(code_lines)
    return [
        Diagnostic(
            origin.path,
            origin.line,
            f"a line of {len(line):,} characters is shown as plain text (Markdown is not applied to lines over "
            f"{MAX_PROSE_LINE:,} characters); break it into shorter lines",
        )
        for i, (origin, line) in enumerate(zip(document.origins, document.lines))
        if len(line) > MAX_PROSE_LINE and i not in code
    ]
