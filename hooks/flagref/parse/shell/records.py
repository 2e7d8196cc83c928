"""The records the shell reader returns, and the bookkeeping it keeps while it reads."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """One word as the program receives it, and as it was written."""

    value: str  # quotes removed, escapes resolved, backslash-newline joined; expansions kept as written
    written: str  # exactly as in the source (backslash-newline removed)
    line: int  # 0-based index, into the lines given, of the line where the word starts


@dataclass(frozen=True)
class Invocation:
    """A program run with its arguments (for a wrapper or carrier: only its own)."""

    program: str  # base name of the executable: /usr/local/bin/etcd -> etcd
    executable: str  # as written
    args: tuple[Word, ...]
    line: int  # line of the executable word
    text: str  # the invocation's words on one line (for a table title)
    carried_by: str | None  # None, "sudo", "ssh", "bash -c", "kubectl exec", "$(...)"...
    assigns: tuple[str, ...] = ()  # names of the VAR=value words before it


@dataclass(frozen=True)
class Heredoc:
    """The text of a ``<<EOF`` redirection and where it goes."""

    line: int  # 0-based line of the first body line (of the terminator when the body is empty)
    body: tuple[str, ...]  # the body lines as written
    reader: str | None  # the program reading it: cat, tee, kubectl
    target: str | None  # the file the text ends up in, when it is written to one
    delimiter: str = "EOF"  # the terminator word, quotes removed
    terminated: bool = True  # False when the input ended before the terminator


@dataclass(frozen=True)
class ShellProblem:
    """Something the reader could not read as written; ``line`` is 0-based."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Script:
    """Everything :func:`parse_script` found."""

    invocations: tuple[Invocation, ...]  # in source order, inner (carried/substituted) ones included
    heredocs: tuple[Heredoc, ...]
    problems: tuple[ShellProblem, ...]
    consumed: frozenset[int]  # lines that belong to commands or heredoc bodies (not output)


SUBSTITUTION = "$(...)"
PROCESS_SUBSTITUTION = "<(...)"
# Nested shell strings (bash -c "ssh h 'sh -c ...'") are read this many levels deep.
MAX_NESTING = 8
# command_extent looks this many lines ahead at most for a closing quote.
MAX_EXTENT = 2048
# Longer texts are cut into pieces at command boundaries before the grammar reads them:
# tree-sitter's error recovery grows faster than linearly on huge broken statements.
GRAMMAR_LIMIT = 8_192
# Invocation.text is a title: longer command lines are cut here.
TEXT_LIMIT = 2000
# Syntax trees deeper than this (thousands of nested parentheses) are not walked further.
MAX_TREE_DEPTH = 200


# --------------------------------------------------------------------------
# Results


@dataclass
class Sink:
    """What reading collects: invocations and heredocs keyed by source position, problems, and lines consumed."""

    entries: list[tuple[tuple[int, ...], int, Invocation]] = field(default_factory=list)
    heredocs: list[tuple[tuple[int, ...], Heredoc]] = field(default_factory=list)
    problems: list[ShellProblem] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    seen: set[ShellProblem] = field(default_factory=set)

    def add(self, key: tuple[int, ...], invocation: Invocation) -> None:
        """Add an invocation at its source key (equal keys keep their order of arrival)."""
        self.entries.append((key, len(self.entries), invocation))

    def problem(self, line: int, text: str, reason: str) -> None:
        """Record a problem once (its text trimmed to 200 characters)."""
        problem = ShellProblem(line, text.strip()[:200], reason)
        if problem not in self.seen:
            self.seen.add(problem)
            self.problems.append(problem)

    def script(self) -> Script:
        """The collected results as a ``Script``, in source order."""
        self.entries.sort(key=lambda entry: (entry[0], entry[1]))
        self.heredocs.sort(key=lambda entry: entry[0])
        return Script(
            tuple(entry[2] for entry in self.entries),
            tuple(heredoc for _, heredoc in self.heredocs),
            tuple(self.problems),
            frozenset(self.consumed),
        )


@dataclass(frozen=True)
class Located:
    """A word with the key that orders it in the source (byte offsets, outer to inner)."""

    word: Word
    key: tuple[int, ...]
    node: object | None = None  # the tree-sitter node, to find substitutions inside


class LineMap:
    """Maps a byte offset of the text being read to a line of the caller's input."""

    def __init__(self, starts: list[int] | None, lines: list[int] | None) -> None:
        self._starts = starts
        self._lines = lines

    @classmethod
    def rows(cls) -> LineMap:
        """The map of top-level text, where each row is its line."""
        # Top level: the text is the input lines joined, so a node's row is its line.
        return cls(None, None)

    def line(self, row: int, offset: int) -> int:
        """The caller's line of byte ``offset`` (``row`` itself for top-level text)."""
        if self._starts is None:
            return row
        index = bisect.bisect_right(self._starts, offset) - 1
        return self._lines[max(index, 0)]
