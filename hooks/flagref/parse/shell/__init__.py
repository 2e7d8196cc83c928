"""Command lines read as the shell reads them: which program receives which words.

:func:`parse_script` takes the text of one typed command (its physical lines,
prompt removed) or a whole prompt-less script and returns every program
invocation in it, in source order:

* structure comes from tree-sitter's bash grammar, so pipelines, lists,
  loops, ``if``, subshells, ``$(...)`` and backticks are told apart and shell
  keywords never pass for programs;
* wrappers and carriers come from ``programs.yaml`` (:mod:`.programs`):
  ``sudo -u root kubeadm init`` is ``sudo`` with its own options, then
  ``kubeadm`` carried by ``sudo``; ``ssh HOST "cmd"``, ``sh -c "cmd"`` and
  ``kubectl exec POD -- cmd`` have the carried command read as shell again;
* heredoc bodies are text, never commands; redirections are not arguments;
* a statement the grammar cannot read is read again by a tolerant lexer
  (quotes, operators, then plain blanks) and reported as a
  :class:`ShellProblem`: no word is dropped silently, no input raises.

:func:`command_extent` tells how many lines one command occupies
(continuations, open quotes, heredoc bodies), for callers that split a block
into commands before parsing them.

Placeholders such as ``<token>`` are words, not redirections. ``carried_by``
names what carried a command: a wrapper (``sudo``, ``env``, ``time``), a
carrier (``ssh``, ``bash -c``, ``kubectl exec``, ``docker run``), or
``$(...)`` / ``<(...)`` for substitutions (backticks included).

Everything here is linear in the input. The hand-written scanners move
forward one character at a time; tree-sitter's error recovery is not linear
on huge broken statements, so the grammar reads pieces of at most
:data:`GRAMMAR_LIMIT` characters cut between commands, and a single command
longer than that goes to the tolerant lexer (reported).

The package: :mod:`.records` (what is returned), :mod:`.grammar` (the
tree-sitter walk), :mod:`.carriers` (wrappers and carried commands),
:mod:`.tolerant` (statements the grammar could not read), :mod:`.lexer`
(the tolerant lexer) and :mod:`.words` (dequoting).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..memo import Memo, memo_of
from ..programs import Programs
from .grammar import Reader
from .lexer import continued_lines, lex
from .records import (
    GRAMMAR_LIMIT,
    MAX_EXTENT,
    MAX_NESTING,
    MAX_TREE_DEPTH,
    PROCESS_SUBSTITUTION,
    SUBSTITUTION,
    TEXT_LIMIT,
    Heredoc,
    Invocation,
    LineMap,
    Script,
    ShellProblem,
    Sink,
    Word,
)
from .words import clean_line

# --------------------------------------------------------------------------
# Public entry points


def parse_script(lines: Sequence[str], programs: Programs) -> Script:
    """Read ``lines`` (one command's physical lines, or a script) as bash.

    Heredoc bodies that follow a command in ``lines`` are reported in
    ``heredocs`` and ``consumed``, never as commands. Usable on a lone string
    from a manifest (``parse_script([arg], programs)`` on the argument of
    ``sh -c``). Never raises on any text.

    The answer is a pure function of the lines and the program data, made
    of immutable records: it is kept with the program data and given again
    for the same lines.
    """
    key = tuple(lines)
    memo = memo_of(programs, "scripts")
    script = memo.get(key)
    if script is not None:
        return script
    clean = [clean_line(line) for line in lines]
    sink = Sink()
    reader = Reader(programs, sink)
    reader.read("\n".join(clean), LineMap.rows(), (), None, 0, top=True)
    return memo.put(key, sink.script(), sum(map(len, key)) + len(key))


# Command extents already measured, by (window lines, final): the end relative to the start, -1 for "may go on".
_EXTENTS: Memo[int] = Memo(entries=4096, budget=1_000_000, largest=20_000)
# What can carry a command past its line: a quote, a backslash, a backtick, a comment (it may
# hide what ends the line), a heredoc, an open `$(`, `${`, `<(` or `>(`. Fixed alternatives: linear.
_ONE_LINE_CAN_GO_ON = re.compile(r"['\"`\\#]|<<|[$<>]\(|\$\{")
# A word that may open a compound command, which goes on until its closing word ("done", "fi"...).
# One alternation of literal words between boundaries: linear.
_COMPOUND_WORD = re.compile(r"(?<![\w$.-])(?:for|while|until|select|if|case|\{)(?![\w.-])")
# A compound command not closed within the first window of at least this many lines is taken for a typo
# (loops in posts are short; the window is 128 lines).
COMPOUND_LINES = 64
# The reserved words that open a compound command at a command's start, and the word that closes it.
_CLOSERS = {"for": "done", "while": "done", "until": "done", "select": "done", "if": "fi", "case": "esac", "{": "}"}
# Reserved words after which the next word starts a command (``do kubectl ...``, ``then ...``).
_LEADING = frozenset({"do", "then", "else", "elif", "{", "!", "time", "done", "fi", "esac", "}"})
# Operators after which the next word starts a command.
_SEPARATORS = frozenset({"&&", "||", ";;", "|&", "|", ";", "&", "("})


def command_extent(lines: Sequence[str], start: int = 0, compounds: bool = False) -> int:
    """The index just past the last line of the command that starts at ``lines[start]``.

    A command goes on after a line ending in ``\\``, ``|``, ``&&`` or ``||``,
    while a quote or ``$(`` is open, and over the bodies of the heredocs it
    opens, up to their terminators. A quote still open at the end of
    ``lines`` (or after :data:`MAX_EXTENT` lines) is taken for a typo: the
    command then ends with its first line and that line's backslash
    continuations. A heredoc never closed runs to the end of ``lines``.

    With ``compounds``, a compound command (``for ... do ... done``, ``if``,
    ``while``, ``case``, ``{ }``) goes on to its closing word, if it comes
    soon enough (:data:`COMPOUND_LINES`). For a transcript, whose next prompt bounds each
    command: where every line may start one (a script), a block of loops
    never closed would be read again from each of its lines.

    The lines are read in growing windows, so the cost is in proportion to
    the command's own length, not to what follows it.
    """
    if start >= len(lines):
        return start
    if ends_on_its_line(lines[start], compounds):
        return start + 1
    window = 8
    while True:
        end = min(len(lines), start + window)
        final = end >= len(lines) or window >= MAX_EXTENT
        found = _extent_in_window(lines, start, end, final, compounds)
        if found is not None:
            return found
        window *= 4


def _extent_in_window(lines: Sequence[str], start: int, end: int, final: bool, compounds: bool) -> int | None:
    """:func:`_extent_in`, kept per window text: a block is split into commands more than once.

    Only answers that depend on the window alone are kept: a final window
    cut short of the end of ``lines`` may read past it.
    """
    if final and end < len(lines):
        return _extent_in(lines, start, end, final, compounds)
    key = (tuple(lines[start:end]), final, compounds)
    found = _EXTENTS.get(key)
    if found is None:
        extent = _extent_in(lines, start, end, final, compounds)
        found = _EXTENTS.put(key, -1 if extent is None else extent - start, sum(map(len, key[0])))
    return None if found < 0 else start + found


def ends_on_its_line(line: str, compounds: bool = False) -> bool:
    """Whether a command starting ``line`` surely ends with it (``False``: it may go on; ask :func:`command_extent`).

    Nothing on the line can carry it to the next: no quote, escape,
    substitution, heredoc or comment, no operator at its end, and, with
    ``compounds``, no word that opens a compound command (``for ... do``).
    Most command lines are such, and are told so without being lexed.
    """
    return (
        _ONE_LINE_CAN_GO_ON.search(line) is None
        and not line.rstrip().endswith(("|", "&"))
        and not (compounds and _COMPOUND_WORD.search(line))
    )


def _extent_in(lines: Sequence[str], start: int, end: int, final: bool, compounds: bool = False) -> int | None:
    """The command's end within ``lines[start:end]``; ``None`` when it may go on past ``end``."""
    text = "\n".join(clean_line(line) for line in lines[start:end])
    last_significant = ""
    heredoc_open = False
    # The closing words of the compound commands open (``for``: ``done``), innermost last; and
    # whether the next word starts a command, where a reserved word is one.
    closing: list[str] = []
    command_start = True
    for token in lex(text):
        if token.kind == "heredoc" and token.unclosed:
            heredoc_open = True
        if token.kind == "eof":
            if closing and (final or end - start >= COMPOUND_LINES):
                # A compound not closed within its bound: taken for a typo, as an unclosed quote. The bound
                # keeps each command's reading short: a block of loops never closed costs in proportion to it.
                return start + continued_lines(lines, start)
            if token.unclosed:
                return start + continued_lines(lines, start) if final else None
            if heredoc_open:
                return len(lines) if final else None
            if not final and (closing or last_significant in ("|", "||", "&&", "|&") or text.endswith("\\")):
                return None
            return end
        if token.kind == "newline":
            command_start = True
            if heredoc_open:
                return len(lines) if final else None
            if closing or last_significant in ("|", "||", "&&", "|&"):
                continue
            # The line of the newline's first character: the newlines before it, counted in C.
            return start + text.count("\n", 0, max(token.end - 1, 0)) + 1
        if token.kind == "word" and compounds:
            if command_start and token.written in _CLOSERS:
                closing.append(_CLOSERS[token.written])
            elif command_start and closing and token.written == closing[-1]:
                closing.pop()
            command_start = command_start and token.written in _LEADING
        elif token.kind == "op" and compounds:
            command_start = token.value in _SEPARATORS
        if token.kind != "comment":
            last_significant = token.value if token.kind == "op" else "word"
    return end  # pragma: no cover - lex always ends with eof


__all__ = [
    "GRAMMAR_LIMIT",
    "MAX_EXTENT",
    "MAX_NESTING",
    "MAX_TREE_DEPTH",
    "PROCESS_SUBSTITUTION",
    "SUBSTITUTION",
    "TEXT_LIMIT",
    "Heredoc",
    "Invocation",
    "Script",
    "ShellProblem",
    "Word",
    "command_extent",
    "ends_on_its_line",
    "parse_script",
]
