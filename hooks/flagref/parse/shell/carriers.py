"""Programs and the commands they carry: wrappers (``sudo``), carriers (``ssh HOST CMD``, ``sh -c``).

An argv is cut into the program's own words and the command it runs, as
``programs.yaml`` describes; a carried string is read as shell again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..programs import CarrierSpec
from .records import TEXT_LIMIT, Invocation, LineMap, Located, Word
from .words import is_assignment

if TYPE_CHECKING:
    from .grammar import Context


def emit_argv(
    context: Context, words: list[Located], assigns: tuple[str, ...], carried_by: str | None, depth: int
) -> Invocation | None:
    """Emit the invocation of ``words`` and of each command it wraps; return the innermost one.

    A loop rather than recursion, and positions rather than slices, so
    that a chain of wrappers (``sudo env A=b timeout 5 nohup x``) of any
    length costs time in proportion to its words.
    """
    programs = context.programs
    position = 0
    last: Invocation | None = None
    while position < len(words):
        # Leading keywords (`time`, or `do`/`then` met by the tolerant reader) and
        # assignments are not programs; a keyword is never taken for one, wherever it is.
        names = list(assigns)
        while position < len(words):
            written = words[position].word.written
            if programs.is_keyword(written):
                if written == "time":
                    carried_by = "time"
                    if position + 1 < len(words) and words[position + 1].word.value == "-p":
                        position += 1
            elif is_assignment(written):
                names.append(written.split("=", 1)[0].rstrip("+"))
            else:
                break
            position += 1
        assigns = tuple(names)
        if position >= len(words):
            return last
        head = words[position]
        executable = head.word.value
        if not executable or "$" in executable or "`" in executable:
            context.substitutions(words[position:], depth)
            context.sink.problem(
                head.word.line,
                join_written(words, position),
                f"the program is given by {head.word.written!r}; its options cannot be attributed",
            )
            return last
        program = executable.rstrip("/").rsplit("/", 1)[-1] or executable
        carrier = programs.carrier(program)
        subcommand = None
        if carrier is None and programs.has_subcommands(program):
            values = [t.word.value for t in words[position + 1 : position + 40]]
            subcommand, _ = programs.find_subcommand(program, values)
            carrier = programs.carrier(program, subcommand) if subcommand else None
        text = join_written(words, position)
        if carrier is None:
            args = words[position + 1 :]
            context.substitutions(words[position:], depth)
            invocation = Invocation(
                program, head.word.written, tuple(t.word for t in args), head.word.line, text, carried_by, assigns
            )
            context.sink.add(head.key, invocation)
            return invocation
        own, inner, string = split_carrier(context, program, subcommand, carrier, words, position + 1)
        # Words of a carried string are read with the string; carried argv words on the next turn.
        carried = {id(tok) for tok in (string or ())}
        context.substitutions([head] + [tok for tok in own if id(tok) not in carried], depth)
        last = Invocation(
            program, head.word.written, tuple(t.word for t in own), head.word.line, text, carried_by, assigns
        )
        context.sink.add(head.key, last)
        if carrier.mode == "string":
            if string is not None:
                read_string(context, string, carrier.name)
            return last
        names = []
        if carrier.assignments:
            while inner < len(words) and is_assignment(words[inner].word.value):
                names.append(words[inner].word.value.split("=", 1)[0].rstrip("+"))
                inner += 1
        assigns = tuple(names)
        position = inner
        carried_by = carrier.name
    return last


def split_carrier(
    context, program: str, subcommand: str | None, carrier: CarrierSpec, args: list[Located], index: int
) -> tuple[list[Located], int, list[Located] | None]:
    """From ``args[index]``: the carrier's own words, where the carried argv starts, a carried string."""
    own: list[Located] = []
    string: list[Located] | None = None
    switch_seen = False
    operands_left = carrier.operands
    command_words = len(subcommand.split()) if subcommand else 0
    options_done = False
    while index < len(args):
        tok = args[index]
        value = tok.word.value
        if carrier.mode == "after-dashdash":
            if value == "--":
                return own, index + 1, None
            own.append(tok)
            index += 1
            continue
        if value == "--" and not options_done:
            options_done = True
            index += 1
            continue
        if not options_done and value.startswith("-") and len(value) > 1:
            own.append(tok)
            taken, names = option(context, program, subcommand, tok)
            if carrier.option is not None and carrier.option in names:
                if taken and index + 1 < len(args) and names[-1] == carrier.option and "=" not in value:
                    string = [args[index + 1]]
                    own.append(args[index + 1])
                    index += 2
                    continue
                if carrier.option.startswith("--") and value.startswith(carrier.option + "="):
                    attached = value[len(carrier.option) + 1 :]
                    string = [Located(Word(attached, attached, tok.word.line), tok.key, None)]
                else:
                    switch_seen = True
            if taken and index + 1 < len(args):
                own.append(args[index + 1])
                index += 1
            index += 1
            continue
        if command_words:
            command_words -= 1
            own.append(tok)
            index += 1
            continue
        if carrier.mode == "string" and carrier.option is not None:
            if switch_seen and string is None:
                # sh -c STRING [NAME ARGS...]: the first operand is the string.
                string = [tok]
            own.append(tok)
            index += 1
            continue
        if carrier.assignments and is_assignment(value):
            own.append(tok)
            index += 1
            continue
        if operands_left:
            operands_left -= 1
            own.append(tok)
            index += 1
            continue
        if carrier.mode == "string":
            return own, len(args), args[index:]
        return own, index, None
    return own, len(args), string


def option(context: Context, program: str, subcommand: str | None, tok: Located) -> tuple[bool, tuple[str, ...]]:
    """Whether the option ``tok`` consumes the next word, and the options it spells."""
    value = tok.word.value
    programs = context.programs
    if value.startswith("--") or programs.style(program) != "gnu":
        name = value.split("=", 1)[0]
        answer = programs.takes_value(program, name, subcommand)
        if answer is None:
            unknown_option(context, program, subcommand, tok)
        return bool(answer) and "=" not in value, (name,)
    parts = programs.split_bundle(program, value, subcommand)
    if parts is None:
        answer = programs.takes_value(program, value[:2], subcommand)
        if answer is None:
            unknown_option(context, program, subcommand, tok)
        return bool(answer) and len(value) == 2, (value[:2],)
    last = parts[-1]
    taken = len(last) == 2 and bool(programs.takes_value(program, last, subcommand))
    return taken, tuple(part[:2] for part in parts)


def unknown_option(context: Context, program: str, subcommand: str | None, tok: Located) -> None:
    """Report an option of ``program`` that programs.yaml does not list."""
    who = f"{program} {subcommand}" if subcommand else program
    context.sink.problem(
        tok.word.line,
        tok.word.written,
        f"{who} option {tok.word.value.split('=', 1)[0]} is not in programs.yaml; read as taking no value",
    )


def read_string(context: Context, words: list[Located], carried_by: str) -> None:
    """Read a carried shell string (one word, or several joined by spaces) as shell again."""
    pieces: list[str] = []
    starts: list[int] = []
    lines: list[int] = []
    offset = 0
    for tok in words:
        if pieces:
            offset += 1  # the joining space
        value = tok.word.value
        starts.append(offset)
        lines.append(tok.word.line)
        encoded = value.encode("utf-8", "surrogatepass")
        row = 0
        for position, byte in enumerate(encoded):
            if byte == 0x0A:
                row += 1
                starts.append(offset + position + 1)
                lines.append(tok.word.line + row)
        pieces.append(value)
        offset += len(encoded)
    text = " ".join(pieces)
    context.reader.read(text, LineMap(starts, lines), words[0].key, carried_by, context.nesting + 1)


def join_written(words: Sequence[Located], start: int) -> str:
    """The words from ``start`` on one line, cut at :data:`TEXT_LIMIT` characters (a title, not a record)."""
    parts: list[str] = []
    size = 0
    for index in range(start, len(words)):
        if size >= TEXT_LIMIT:
            parts.append("…")
            break
        written = words[index].word.written
        parts.append(written)
        size += len(written) + 1
    return " ".join(parts)


def heredoc_target(reader: Invocation | None, stdout_target: str | None, piped: Invocation | None) -> str | None:
    """Where heredoc text lands: tee's file, a `>` redirection, or the file of a tee it is piped to."""
    for candidate in (reader, piped):
        if candidate is not None and candidate.program == "tee":
            for word in candidate.args:
                if not word.value.startswith("-") or word.value == "-":
                    return word.value
    if stdout_target is not None:
        return stdout_target
    return None
