"""Statements the bash grammar could not read, read again word by word (and reported)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .carriers import emit_argv, heredoc_target
from .lexer import blank_tokens, byte_offsets, lex
from .records import SUBSTITUTION, Heredoc, Invocation, LineMap, Located, Word

if TYPE_CHECKING:
    from .grammar import Context

# ---- the tolerant reader


def read_tolerantly(context: Context, start: int, end: int, carried_by: str | None, why: str | None) -> None:
    """Read bytes ``start:end`` with the tolerant lexer; report that the grammar could not."""
    text = context.slice(start, end)
    first_line = context.line_at(start)
    byte_at = byte_offsets(text)
    tokens = list(lex(text))
    if any(token.unclosed for token in tokens if token.kind != "heredoc"):
        tokens = blank_tokens(text)
        reason = why or "a quote or bracket is not closed; the words were split on blanks"
    else:
        reason = why or "the bash grammar could not read this; the words were split by a simpler reader"
    context.sink.problem(first_line, text.split("\n", 1)[0], reason)
    command: list[Located] = []
    # After `for`/`select` the words up to `do` are a list; after `case`, up to `)` a pattern.
    skip_until: str | None = None
    cases = 0  # open `case` statements: after each `;;` comes another pattern
    stdout_target: str | None = None
    last: Invocation | None = None

    def flush() -> None:
        nonlocal command, last, stdout_target
        if command:
            last = emit_argv(context, command, (), carried_by, 0)
        command = []

    for token in tokens:
        if token.kind in ("newline", "op", "eof"):
            flush()
            stdout_target = None
            if skip_until == ")" and token.value == ")":
                skip_until = None
            elif cases and token.value == ";;":
                skip_until = ")"
            continue
        if token.kind == "heredoc":
            flush()
            offset = start + byte_at(token.start)
            body = tuple(token.value.split("\n")) if token.value else ()
            reader = last.program if last is not None else None
            target = heredoc_target(last, stdout_target, None)
            heredoc = Heredoc(context.line_at(offset), body, reader, target, token.written, not token.unclosed)
            context.sink.heredocs.append((context.key + (offset,), heredoc))
            if token.unclosed:
                context.sink.problem(
                    context.line_at(offset),
                    token.written,
                    f"heredoc {token.written} is not closed; the rest is its body",
                )
            last = None
            continue
        if token.kind == "redirect":
            if token.written.lstrip("1").startswith((">", "&>")) and token.value not in ("", "/dev/null"):
                stdout_target = token.value
            continue
        if token.kind == "comment":
            continue
        offset = start + byte_at(token.start)
        line = context.line_at(offset)
        if not command and token.value in ("for", "select"):
            skip_until = "do"
        elif not command and token.value == "case":
            skip_until = ")"
            cases += 1
        elif not command and token.value == "esac" and cases:
            cases -= 1
            skip_until = None
        if skip_until is not None:
            if skip_until == "do" and token.value == "do":
                skip_until = None
            continue
        if not command and context.programs.is_keyword(token.written):
            continue
        word = Word(token.value, token.written.replace("\\\n", ""), line)
        command.append(Located(word, context.key + (offset,), None))
        for inner_start, inner_end in token.substitutions:
            inner = text[inner_start:inner_end]
            inner_offset = start + byte_at(inner_start)
            context.reader.read(
                inner,
                LineMap([0], [context.line_at(inner_offset)]),
                context.key + (inner_offset,),
                SUBSTITUTION,
                context.nesting + 1,
            )
    flush()
