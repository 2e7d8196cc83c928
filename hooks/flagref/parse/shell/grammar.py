"""The tree-sitter walk: statements, pipelines, substitutions, redirections and heredocs."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from ..programs import Programs
from .carriers import emit_argv, heredoc_target
from .lexer import cut_pieces
from .records import (
    GRAMMAR_LIMIT,
    MAX_NESTING,
    MAX_TREE_DEPTH,
    PROCESS_SUBSTITUTION,
    SUBSTITUTION,
    Heredoc,
    Invocation,
    LineMap,
    Located,
    Sink,
    Word,
)
from .tolerant import read_tolerantly
from .words import dequote, safe_text

try:  # The grammar ships as wheels; without them every statement takes the tolerant path.
    import tree_sitter
    import tree_sitter_bash
except ImportError:  # pragma: no cover - exercised only in a broken install
    tree_sitter = None
    tree_sitter_bash = None

# A placeholder such as <token> or <node-ip>: `<`, a letter, name characters, `>`.
# One character class between two literals, so the match is linear.
_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9_.:/@-]*>")
# A word the grammar left between two children: non-blank bytes, a backslash escaping any byte
# but a newline (a continuation). The two alternatives cannot start alike: linear.
_GAP_WORD = re.compile(rb"(?:[^\s\\]|\\[^\n])+")
# A character outside the Basic Multilingual Plane (four bytes in UTF-8). tree-sitter-bash
# 0.25's scanner crashes the process on some of them after `{` (`{` + U+EF640): the grammar
# is shown four underscores instead, which bash reads the same way (word characters).
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_STDOUT_OPERATORS = frozenset({">", ">>", ">|", "&>", "&>>"})
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})

_parser = None


def _get_parser():
    global _parser
    if _parser is None and tree_sitter is not None:
        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    return _parser


# --------------------------------------------------------------------------
# The reader


class Reader:
    """Reads shell text into a ``Sink``: with the bash grammar where it can, tolerantly where it cannot."""

    def __init__(self, programs: Programs, sink: Sink) -> None:
        self.programs = programs
        self.sink = sink

    # ---- one text (the input, or a carried string)

    def read(
        self,
        text: str,
        lines: LineMap,
        key: tuple[int, ...],
        carried_by: str | None,
        nesting: int,
        top: bool = False,
    ) -> None:
        """Read ``text``, cut into pieces at command boundaries; strings nested too deep are a problem instead."""
        if nesting > MAX_NESTING:
            self.sink.problem(lines.line(0, 0), text, f"shell strings nested more than {MAX_NESTING} deep; not read")
            return
        clean = safe_text(text)
        row = byte = previous = 0
        for start, end in cut_pieces(clean, GRAMMAR_LIMIT):
            row += clean.count("\n", previous, start)
            byte += len(clean[previous:start].encode("utf-8"))
            previous = start
            context = Context(self, clean[start:end], lines, key + (byte,), nesting, top, row, byte)
            context.read(carried_by)


class Context:
    """One parsed piece of text: its bytes, its line map and the key prefix of everything in it."""

    def __init__(
        self,
        reader: Reader,
        text: str,
        lines: LineMap,
        key: tuple[int, ...],
        nesting: int,
        top: bool,
        row_base: int = 0,
        byte_base: int = 0,
    ):
        self.reader = reader
        self.programs = reader.programs
        self.sink = reader.sink
        self.clean_text = text
        self.source = self.clean_text.encode("utf-8")
        self.text_lines = self.clean_text.split("\n")
        self.lines = lines
        self.key = key
        self.nesting = nesting
        self.top = top
        self.row_base = row_base
        self.byte_base = byte_base
        self._row_starts: list[int] | None = None

    def read(self, carried_by: str | None) -> None:
        """Parse this piece with the bash grammar and walk it; read it tolerantly if no grammar or too long."""
        parser = _get_parser()
        if parser is None or len(self.clean_text) > GRAMMAR_LIMIT:
            if self.top:
                self.sink.consumed.update(range(self.row_base, self.row_base + len(self.text_lines)))
            why = (
                "the bash grammar is not installed"
                if parser is None
                else f"a command longer than {GRAMMAR_LIMIT} characters is read by the simple reader"
            )
            read_tolerantly(self, 0, len(self.source), carried_by, why)
            return
        # The grammar reads a copy with placeholders and astral characters masked, byte for
        # byte the same length, so offsets into it are offsets into the real text.
        masked = _PLACEHOLDER.sub(lambda m: "_" * len(m.group(0)), self.clean_text)
        masked = _ASTRAL.sub("____", masked).encode("utf-8")
        tree = parser.parse(masked)
        for group in _line_groups(tree.root_node.children):
            if self.top:
                for child in group:
                    self.consume(child)
            if any(child.has_error or child.is_missing for child in group):
                # Statements sharing a line with the error are read again together,
                # so a word the grammar split off (`echo "a`) stays with its command.
                read_tolerantly(self, group[0].start_byte, group[-1].end_byte, carried_by, None)
            else:
                for child in group:
                    self.walk(child, carried_by, 0)

    # ---- positions

    def _starts(self) -> list[int]:
        if self._row_starts is None:
            # The regex engine finds the newlines: a Python step per line, not per byte.
            self._row_starts = [0] + [match.end() for match in re.finditer(b"\n", self.source)]
        return self._row_starts

    def row_of(self, offset: int) -> int:
        """The row (of this piece) of byte ``offset``."""
        return bisect.bisect_right(self._starts(), offset) - 1

    def row_start(self, row: int) -> int:
        """The byte offset where ``row`` starts (the end of the text past the last row)."""
        starts = self._starts()
        return starts[row] if row < len(starts) else len(self.source)

    def line_at(self, offset: int, row: int | None = None) -> int:
        """The caller's line of byte ``offset`` (``row``: its row, when already known)."""
        row = self.row_of(offset) if row is None else row
        return self.lines.line(row + self.row_base, offset + self.byte_base)

    def slice(self, start: int, end: int) -> str:
        """The text between two byte offsets."""
        return self.source[start:end].decode("utf-8", "replace")

    def consume(self, node) -> None:
        """Mark the input lines ``node`` spans as read (comments excepted)."""
        first, last = node.start_point.row, node.end_point.row
        if last > first and node.end_point.column == 0:
            last -= 1
        if node.type == "comment":
            return
        self.sink.consumed.update(range(first + self.row_base, last + 1 + self.row_base))

    # ---- words

    def tok(self, node) -> Located:
        """``node`` as a located word: its value, its text as written, and its line."""
        raw = self.slice(node.start_byte, node.end_byte)
        word = Word(dequote(raw), raw.replace("\\\n", ""), self.line_at(node.start_byte, node.start_point.row))
        return Located(word, self.key + (node.start_byte,), node)

    # ---- statements

    def walk(self, node, carried_by: str | None, depth: int) -> list[Invocation]:
        """Emit the invocations under ``node``; return the last program of each command (for heredocs)."""
        if depth > MAX_TREE_DEPTH:
            self.sink.problem(
                self.line_at(node.start_byte),
                self.slice(node.start_byte, node.end_byte)[:80],
                f"nested more than {MAX_TREE_DEPTH} levels deep; not read further",
            )
            return []
        kind = node.type
        if kind == "command":
            return self.command(node, [], carried_by, depth)
        if kind == "redirected_statement":
            return self.redirected(node, carried_by, depth)
        if kind in ("command_substitution", "process_substitution"):
            label = SUBSTITUTION if kind == "command_substitution" else PROCESS_SUBSTITUTION
            for child in node.children:
                self.walk(child, label, depth + 1)
            return []
        if kind == "heredoc_body":
            return []
        if kind == "heredoc_redirect":
            self.heredoc(node, None, None, carried_by, depth)
            return []
        if kind == "ERROR":
            read_tolerantly(self, node.start_byte, node.end_byte, carried_by, None)
            return []
        found: list[Invocation] = []
        for child in node.children:
            found.extend(self.walk(child, carried_by, depth + 1))
        return found

    def substitutions(self, toks: Sequence[Located], depth: int) -> None:
        """Walk the ``$(...)``, backticks and ``<(...)`` inside words."""
        for tok in toks:
            if tok.node is not None:
                self.walk(tok.node, None, depth + 1)

    def command(self, node, extra: list[Located], carried_by: str | None, depth: int) -> list[Invocation]:
        """Emit a simple command's invocations, with ``extra`` words; return its last (none for bare assignments)."""
        assigns: list[str] = []
        words: list[Located] = []
        redirect_args: list[Located] = []
        # Each access to .children or .type builds new objects in the binding: read them once.
        children = node.children
        for child in children:
            kind = child.type
            if kind == "variable_assignment" and not words:
                name = child.child_by_field_name("name")
                assigns.append(
                    self.slice(name.start_byte, name.end_byte) if name else child.text.decode(errors="replace")
                )
                self.walk(child, SUBSTITUTION, depth + 1)
            elif kind in _REDIRECTS:
                redirect_args.extend(self.redirect_args(child, depth))
            elif kind == "command_name":
                inner = child.children[0] if child.children else child
                words.append(self.tok(inner))
            elif kind == "comment":
                continue
            else:
                words.append(self.tok(child))
        words.extend(redirect_args)
        words.extend(extra)
        words.extend(self.gaps(node, children))
        words.sort(key=lambda tok: tok.key)
        if not words:
            return []  # assignments alone: no program runs
        last = emit_argv(self, words, tuple(assigns), carried_by, depth)
        return [last] if last is not None else []

    def gaps(self, node, children: list | None = None) -> list[Located]:
        """Words between a node's children that the grammar left out of the tree.

        tree-sitter-bash drops a lone ``-`` before a heredoc (``kubectl apply
        -f - <<EOF``); every non-blank run between children becomes a word so
        that nothing is lost.
        """
        found: list[Located] = []
        position = node.start_byte
        for child in [*(node.children if children is None else children), None]:
            end = child.start_byte if child is not None else node.end_byte
            if end > position:
                chunk = self.source[position:end]
                # Most gaps are the blanks between words: only a gap with text in it is searched.
                for match in _GAP_WORD.finditer(chunk) if chunk.strip() else ():
                    start = position + match.start()
                    raw = match.group(0).decode("utf-8", "replace")
                    word = Word(dequote(raw), raw, self.line_at(start))
                    found.append(Located(word, self.key + (start,), None))
            if child is not None:
                position = max(position, child.end_byte)
        return found

    def redirect_args(self, node, depth: int) -> list[Located]:
        """Words after a redirection's target are arguments of the command (`cmd > f a b`)."""
        if node.type != "file_redirect":
            for child in node.children:
                if child.type not in ("heredoc_body", "heredoc_start", "heredoc_end", "pipeline", "list"):
                    self.walk(child, SUBSTITUTION, depth + 1)
            return []
        destinations = node.children_by_field_name("destination")
        for child in destinations[:1]:
            self.walk(child, SUBSTITUTION, depth + 1)
        return [self.tok(child) for child in destinations[1:]]

    def redirected(self, node, carried_by: str | None, depth: int) -> list[Invocation]:
        """Emit a statement with redirections, its heredocs included; return its invocations as ``walk`` does."""
        body = node.child_by_field_name("body")
        redirects = [child for child in node.children if child.type in _REDIRECTS]
        extra: list[Located] = []
        stdout_target: str | None = None
        for redirect in redirects:
            for inner in [redirect] + [c for c in redirect.children if c.type == "file_redirect"]:
                if inner.type != "file_redirect":
                    continue
                if inner is not redirect or redirect.type == "file_redirect":
                    extra.extend(self.redirect_args(inner, depth))
                target = _stdout_target(self, inner)
                if target is not None and stdout_target is None:
                    stdout_target = target
            if redirect.type == "herestring_redirect":
                self.redirect_args(redirect, depth)
        extra.extend(self.gaps(node))
        found: list[Invocation] = []
        if body is not None and body.type == "command":
            found = self.command(body, extra, carried_by, depth)
        elif body is not None:
            found = self.walk(body, carried_by, depth + 1)
            for tok in extra:
                self.sink.problem(tok.word.line, tok.word.written, "word after a redirection of a compound command")
        reader = found[-1] if found else None
        for redirect in redirects:
            if redirect.type == "heredoc_redirect":
                self.heredoc(redirect, reader, stdout_target, carried_by, depth)
        return found

    def heredoc(self, node, reader: Invocation | None, stdout_target: str | None, carried_by, depth: int) -> None:
        """Record a heredoc: its body, delimiter, reader and the file it writes; an unclosed one is a problem."""
        start = node.child_by_field_name("start") or _first_of(node, "heredoc_start")
        body = _first_of(node, "heredoc_body")
        end = _first_of(node, "heredoc_end")
        following: list[Invocation] = []
        for child in node.children:
            if child.type in ("pipeline", "list") or child.type in ("command", "redirected_statement"):
                following.extend(self.walk(child, carried_by, depth + 1))
        delimiter = dequote(self.slice(start.start_byte, start.end_byte)) if start is not None else ""
        if body is not None:
            first = body.start_point.row
            last = (end.start_point.row - 1) if end is not None else body.end_point.row
            if end is None and body.end_point.column == 0 and last > first:
                last -= 1
        else:
            first = end.start_point.row if end is not None else node.start_point.row + 1
            last = first - 1
        text_body = tuple(self.text_lines[row] for row in range(first, last + 1) if row < len(self.text_lines))
        target = heredoc_target(reader, stdout_target, following[0] if following else None)
        line = self.line_at(self.row_start(first), first)
        heredoc = Heredoc(
            line=line,
            body=text_body,
            reader=reader.program if reader is not None else None,
            target=target,
            delimiter=delimiter,
            terminated=end is not None,
        )
        self.sink.heredocs.append((self.key + (node.start_byte,), heredoc))
        if end is None:
            self.sink.problem(
                self.line_at(node.start_byte),
                self.slice(node.start_byte, node.end_byte).split("\n", 1)[0],
                f"heredoc {delimiter or '?'} is not closed; the rest of the text was read as its body",
            )
        if self.top:
            rows = range(first + self.row_base, last + 1 + self.row_base + (1 if end is not None else 0))
            self.sink.consumed.update(rows)


def _line_groups(children) -> list[list]:
    """Top-level statements, grouped when one starts on the line where the previous ends."""
    groups: list[list] = []
    last_row = -1
    for child in children:
        if groups and child.start_point.row <= last_row:
            groups[-1].append(child)
        else:
            groups.append([child])
        last_row = max(last_row, child.end_point.row)
    return groups


def _first_of(node, kind: str):
    for child in node.children:
        if child.type == kind:
            return child
    return None


def _stdout_target(context: Context, node) -> str | None:
    operator = None
    descriptor = None
    for child in node.children:
        if child.type == "file_descriptor":
            descriptor = context.slice(child.start_byte, child.end_byte)
        elif not child.is_named:
            operator = child.type
    if operator not in _STDOUT_OPERATORS or descriptor not in (None, "1"):
        return None
    destinations = node.children_by_field_name("destination")
    if not destinations:
        return None
    target = dequote(context.slice(destinations[0].start_byte, destinations[0].end_byte))
    return None if target == "/dev/null" else target
