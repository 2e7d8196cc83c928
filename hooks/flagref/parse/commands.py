"""A code block as a terminal showed it: typed commands, and the output each printed.

A block with prompts (see :mod:`.prompts` for every shape) starts a command at
each prompt; the command goes on over ``\\`` continuations (with or without the
``> `` the shell shows), open quotes and heredoc bodies (:func:`.shell.command_extent`);
the lines up to the next prompt are its output.

A block with no prompt at all is told apart line by line
(:func:`.prompts.classify_block`): a line is a command when its first word is a
known program, a path to one, a shell builtin or keyword, or an assignment;
tables, logs, YAML and JSON are output. Output lines are never read as commands.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..model import Origin
from .programs import Programs
from .prompts import classify_block, is_output, split_prompt, strip_continuation
from .shell import command_extent, ends_on_its_line

Line = tuple[Origin, str]
# A word shaped like a program name at the start of a line: `cilium install`, `gcloud-cli ...`.
_PROGRAM_WORD = re.compile(r"^[a-z][a-z0-9._+-]*(?:[ \t]|$)")
SHELL_INFO = frozenset({"bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession", "terminal"})


@dataclass(frozen=True)
class TypedCommand:
    """One command as typed: its physical lines (prompt removed), the host the prompt names, its output."""

    lines: tuple[Line, ...]
    host: str | None
    output: tuple[Line, ...]
    prompted: bool


def split_block(
    body: Sequence[Line], programs: Programs, known: Collection[str] = (), *, shell: bool = False
) -> tuple[list[TypedCommand], list[Line]]:
    """The commands of a block, and the lines printed before any command (``loose`` output).

    ``shell``: the author marked the block as shell (```` ```bash ````): a line
    starting with a word shaped like a program name is a command even when the
    program is not one the data knows.
    """
    texts = [line for _, line in body]
    prompts = [split_prompt(line, programs, known) for line in texts]
    if any(prompts):
        return _prompted(body, prompts)
    is_command = classify_block(texts, programs, known)
    if shell:
        extended = [c or (bool(_PROGRAM_WORD.match(t)) and not is_output(t)) for c, t in zip(is_command, texts)]
        if extended != is_command:
            is_command = classify_block(texts, programs, known | _first_words(texts, extended, is_command))
    return _unprompted(body, is_command)


def _first_words(texts: Sequence[str], extended: list[bool], classified: list[bool]) -> frozenset[str]:
    """The program names that start the lines only the shell-block rule called commands."""
    return frozenset(t.split()[0] for t, e, c in zip(texts, extended, classified) if e and not c)


def _prompted(body: Sequence[Line], prompts: list) -> tuple[list[TypedCommand], list[Line]]:
    commands: list[TypedCommand] = []
    loose: list[Line] = []
    host: str | None = None
    i = 0
    while i < len(body) and prompts[i] is None:
        loose.append(body[i])
        i += 1
    # The lines without their continuation prompt, made once: each command is measured on
    # the lines after it, and remaking them per command would cost the square of the block.
    # (A continuation prompt starts with ">": other lines are kept as they are.)
    physical = [(o, strip_continuation(t)) if t[:1] == ">" else (o, t) for o, t in body]
    texts = [t for _, t in physical]
    # Where the next prompt is, after each line: a command never runs past it. The terminal shows a
    # prompt again only once the shell took the command, so a heredoc or quote still open there was
    # never closed: the commands after it are read as commands, not swallowed as its body.
    next_prompt = [len(body)] * (len(body) + 1)
    for j in range(len(body) - 1, -1, -1):
        next_prompt[j] = j if prompts[j] is not None else next_prompt[j + 1]
    while i < len(body):
        prompt = prompts[i]
        host = prompt.host or host
        stop = next_prompt[i + 1]
        # Most commands end on their line: the lines after them are not copied to be measured.
        # Up to the next prompt: a loop typed at the prompt goes on over its "> " lines to its "done".
        if ends_on_its_line(prompt.command, compounds=True):
            end = 1
        else:
            end = max(command_extent([prompt.command, *texts[i + 1 : stop]], compounds=True), 1)
        command_lines = ((body[i][0], prompt.command), *physical[i + 1 : i + end])
        i += end
        output = []
        while i < len(body) and prompts[i] is None:
            output.append(body[i])
            i += 1
        commands.append(TypedCommand(command_lines, host, tuple(output), True))
    return commands, loose


def _unprompted(body: Sequence[Line], is_command: list[bool]) -> tuple[list[TypedCommand], list[Line]]:
    spans: list[tuple[tuple[Line, ...], list[Line]]] = []  # (command lines, its output)
    loose: list[Line] = []
    texts = [t for _, t in body]
    i = 0
    while i < len(body):
        if not is_command[i]:
            # What a command printed, up to the next command; before any command, loose output.
            (spans[-1][1] if spans else loose).append(body[i])
            i += 1
            continue
        end = max(command_extent(texts, i), i + 1)
        while end > i + 1 and not is_command[end - 1]:  # classify_block decides where output starts
            end -= 1
        spans.append((tuple(body[i:end]), []))
        i = end
    return [TypedCommand(lines, None, tuple(output), False) for lines, output in spans], loose
