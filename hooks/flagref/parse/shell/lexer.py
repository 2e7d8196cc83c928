"""The tolerant lexer: shell tokens in one forward pass, for text the grammar cannot read.

Also behind :func:`~flagref.parse.shell.command_extent` and the cutting of
long scripts into pieces the grammar reads one at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .words import dequote, skip_expansion

# Characters that can start a redirection: a descriptor digit, <, >, &.
_REDIRECT_STARTS = frozenset("0123456789<>&")

# --------------------------------------------------------------------------
# The tolerant lexer (also behind command_extent)


@dataclass(frozen=True)
class Token:
    """A token of the tolerant lexer: its value, its text as written, and its span in the text."""

    kind: str  # word | op | newline | redirect | heredoc | comment | eof
    value: str
    written: str
    start: int
    end: int
    unclosed: bool = False
    substitutions: tuple[tuple[int, int], ...] = ()


_OPERATORS = ("&&", "||", ";;", "|&", "|", ";", "&", "(", ")")
_REDIRECT_OPERATORS = ("&>>", "&>", ">>", ">&", "<&", ">|", "<>", ">", "<")


def lex(text: str) -> Iterator[Token]:
    """Shell tokens of ``text``, one pass; heredoc bodies come as one ``heredoc`` token each."""
    n = len(text)
    i = 0
    pending: list[tuple[str, bool]] = []  # heredocs opened on the current line: (delimiter, strip tabs)
    unclosed = False
    at_word_start = True
    while i < n:
        char = text[i]
        if char == "\n":
            newline_start = i
            i += 1
            for delimiter, strip in pending:
                body_start = i
                while True:
                    line_end = text.find("\n", i)
                    line_end = n if line_end < 0 else line_end
                    line = text[i:line_end]
                    if (line.lstrip("\t") if strip else line) == delimiter:
                        yield Token(
                            "heredoc", text[body_start : max(i - 1, body_start)], delimiter, body_start, line_end
                        )
                        i = min(line_end + 1, n)
                        break
                    if line_end >= n:
                        yield Token("heredoc", text[body_start:n], delimiter, body_start, n, unclosed=True)
                        i = n
                        break
                    i = line_end + 1
            pending = []
            yield Token("newline", "\n", "\n", newline_start, max(i, newline_start + 1))
            at_word_start = True
            continue
        if char in " \t":
            i += 1
            at_word_start = True
            continue
        if char == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if char == "#" and at_word_start:
            end = text.find("\n", i)
            end = n if end < 0 else end
            yield Token("comment", text[i:end], text[i:end], i, end)
            i = end
            continue
        if text.startswith("<<<", i):
            i += 3
            word, i, bad, _ = _lex_word(text, _skip_blanks(text, i))
            unclosed |= bad
            yield Token("redirect", word, word, i, i)
            continue
        if text.startswith("<<", i):
            strip = text.startswith("<<-", i)
            j = _skip_blanks(text, i + (3 if strip else 2))
            word, j, bad, _ = _lex_word(text, j)
            unclosed |= bad
            pending.append((dequote(word), strip))
            yield Token("redirect", word, text[i:j], i, j)
            i = j
            continue
        redirect = _redirect_at(text, i) if char in _REDIRECT_STARTS else 0
        if redirect:
            j = _skip_blanks(text, i + redirect)
            if text[i + redirect - 1] == "&" and j < n and (text[j].isdigit() or text[j] == "-"):
                j += 1  # 2>&1, >&-
                word = ""
            else:
                word, j, bad, _ = _lex_word(text, j)
                unclosed |= bad
            yield Token("redirect", word, text[i:j], i, j)
            i = j
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None) if char in "&|;()" else None
        if operator:
            yield Token("op", operator, operator, i, i + len(operator))
            i += len(operator)
            at_word_start = True
            continue
        written, end, bad, subs = _lex_word(text, i)
        unclosed |= bad
        yield Token("word", dequote(written), written, i, end, bad, subs)
        i = end
        at_word_start = False
    yield Token("eof", "", "", n, n, unclosed)


def _redirect_at(text: str, i: int) -> int:
    """Length of a redirection operator at ``i`` (with its file descriptor digit), or 0."""
    j = i
    while j < len(text) and j < i + 2 and text[j].isdigit():
        j += 1
    for operator in _REDIRECT_OPERATORS:
        if text.startswith(operator, j):
            if operator in ("<", ">") and text.startswith("(", j + 1):
                return 0  # <(...) and >(...) are process substitutions: words
            return j - i + len(operator)
    return 0


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _lex_word(text: str, i: int) -> tuple[str, int, bool, tuple[tuple[int, int], ...]]:
    """One word from ``i``: (as written, end, quote left open, spans of its ``$(...)`` bodies)."""
    n = len(text)
    start = i
    subs: list[tuple[int, int]] = []
    unclosed = False
    while i < n:
        char = text[i]
        if char in " \t\n;&|()" or (char in "<>" and not text.startswith("(", i + 1)):
            if i == start and char in "<>":
                i += 1
                continue
            break
        if char == "\\":
            i += 2
            continue
        if char in "'\"":
            close = i + 1
            while close < n and text[close] != char:
                close += 2 if char == '"' and text[close] == "\\" else 1
            if close >= n:
                return text[start:n], n, True, tuple(subs)
            i = close + 1
            continue
        if (
            (char == "$" and i + 1 < n and text[i + 1] in "({")
            or char == "`"
            or (char in "<>" and text.startswith("(", i + 1))
        ):
            end = skip_expansion(text, i)  # `<(` and `>(` are matched like `$(`
            if char == "`":
                subs.append((i + 1, max(end - 1, i + 1)))
            elif text[i + 1] == "(" and not text.startswith("((", i + 1):
                subs.append((i + 2, max(end - 1, i + 2)))
            i = end
            continue
        i += 1
    return text[start : min(i, n)], min(i, n), unclosed, tuple(subs)


def blank_tokens(text: str) -> list[Token]:
    """The last resort: every run of non-blank characters is a word, every line break a newline."""
    tokens: list[Token] = []
    for match in re.finditer(r"[^ \t\n]+|\n", text):  # one character class or a newline: linear
        chunk = match.group(0)
        if chunk == "\n":
            tokens.append(Token("newline", "\n", "\n", match.start(), match.end()))
        elif chunk in _OPERATORS:
            tokens.append(Token("op", chunk, chunk, match.start(), match.end()))
        else:
            tokens.append(Token("word", chunk, chunk, match.start(), match.end()))
    tokens.append(Token("eof", "", "", len(text), len(text)))
    return tokens


def continued_lines(lines: Sequence[str], start: int) -> int:
    """How many lines the command at ``start`` spans through trailing backslashes."""
    count = 1
    while start + count < len(lines) and lines[start + count - 1].rstrip().endswith("\\"):
        count += 1
    return count


def byte_offsets(text: str):
    """A function from a character index of ``text`` to its UTF-8 byte offset, built in one pass."""
    if text.isascii():
        return lambda index: index
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + len(char.encode("utf-8", "surrogatepass")))
    return lambda index: offsets[min(index, len(text))]


def cut_pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """``text`` cut at line breaks between top-level commands into pieces of at most ``limit`` characters.

    A single command longer than ``limit`` stays one (oversized) piece. Line
    breaks inside loops, ``if`` blocks, quotes and heredocs are never cuts.
    """
    if len(text) <= limit:
        return [(0, len(text))]
    cuts: list[int] = []
    depth = 0
    command_start = True
    for token in lex(text):
        if token.kind == "newline":
            if depth == 0:
                cuts.append(token.end)
            command_start = True
        elif token.kind == "op":
            depth += token.value == "("
            depth = max(depth - (token.value == ")"), 0)
            command_start = True
        elif token.kind == "word":
            if command_start:
                depth += token.value in _OPENERS
                depth = max(depth - (token.value in _CLOSERS), 0)
            command_start = token.value in _OPENERS or token.value in ("do", "then", "else", "elif", "!")
    pieces: list[tuple[int, int]] = []
    start = last = 0
    for cut in cuts + [len(text)]:
        if cut - start > limit and last > start:
            pieces.append((start, last))
            start = last
        if cut - start > limit:
            pieces.append((start, cut))
            start = cut
        last = cut
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


_OPENERS = frozenset({"if", "for", "while", "until", "case", "select", "{", "function"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
