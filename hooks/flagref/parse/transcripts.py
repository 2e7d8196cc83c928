"""Shell transcripts: prompts, commands, pipelines and the output they printed."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from ..model import Command, Fence, Origin, Unparsed

# user@host:~$ , user@host:/etc/kubernetes# , [user@host dir]$ , bare "$ "
PROMPT = re.compile(
    r"^(?P<prompt>(?:\([\w.-]+\)\s*)?(?:[\w.-]+@[\w.-]+(?::[^\s$#]*)?\s?[$#]|\[[\w.-]+@[\w.-]+[^\]]*\][$#]|\$)\s)"
    r"(?P<command>.*)$"
)
_PS2 = re.compile(r"^\s*>\s")
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SHELL_INFO = {"bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession", "terminal"}
# Wrappers that run the next word as the command.
_WRAPPERS = {"sudo", "time", "nohup", "exec", "env", "watch", "xargs", "nice"}
_SUDO_VALUE_OPTIONS = {"-u", "-g", "-C", "-h", "-p", "-U", "-D", "-R", "-T"}


@dataclass(frozen=True)
class Transcript:
    commands: tuple[Command, ...]
    output: tuple[tuple[Origin, str], ...]  # lines printed by no typed command
    unparsed: tuple[Unparsed, ...]
    prompted: bool


def has_prompt(line: str) -> bool:
    return PROMPT.match(line) is not None


def parse_transcript(fence: Fence, known_tools: frozenset[str] = frozenset()) -> Transcript:
    """Split a code block into typed commands and output lines.

    Prompt lines start commands; ``\\`` continues them; the lines up to the
    next prompt are their output. In a block without prompts, a line is still
    a command when the block says it is shell (```` ```bash ````) or the line
    starts with a known tool (``kubeadm init --pod-network-cidr=...``).
    """
    commands: list[Command] = []
    unparsed: list[Unparsed] = []
    loose_output: list[tuple[Origin, str]] = []
    body = list(zip(fence.origins, fence.body))
    prompted = any(has_prompt(line) for _, line in body)
    shell_block = fence.info.split()[0].lower() in SHELL_INFO if fence.info.split() else False
    pending: list[Command] = []  # the stages of the last command, waiting for output
    output: list[tuple[Origin, str]] = []

    def flush() -> None:
        nonlocal pending, output
        for n, cmd in enumerate(pending):
            commands.append(replace(cmd, output=tuple(output) if n == 0 else ()))
        if not pending:
            loose_output.extend(output)
        pending, output = [], []

    host: str | None = None
    i = 0
    while i < len(body):
        origin, line = body[i]
        m = PROMPT.match(line)
        text = None
        if m:
            text = m.group("command")
            host = prompt_host(m.group("prompt")) or host
        elif not prompted and (shell_block or _starts_with_tool(line, known_tools)) and line.strip():
            if not line.lstrip().startswith("#"):
                text = line.strip()
        if text is None:
            output.append((origin, line))
            i += 1
            continue
        flush()
        # Continuations: a trailing backslash joins the next line; each word
        # keeps the line it was written on.
        physical = [(origin, text)]
        while physical[-1][1].rstrip().endswith("\\") and i + 1 < len(body):
            i += 1
            # An interactive shell shows "> " before a continued line.
            physical.append((body[i][0], _PS2.sub("", body[i][1])))
        i += 1
        tokens: list[tuple[Origin, str]] = []
        for o, part in physical:
            part = part.rstrip()
            part = part[:-1] if part.endswith("\\") else part
            words, problem = split_words(part)
            if problem:
                unparsed.append(Unparsed(o.path, o.line, part, problem))
            tokens.extend((o, w) for w in words)
        full = " ".join(p.rstrip().rstrip("\\").strip() for _, p in physical)
        for n, stage in enumerate(split_stages(tokens)):
            tool, args = command_tool([w for _, w in stage])
            if tool:
                rest = stage[len(stage) - len(args) :]
                pending.append(
                    Command(
                        fence.index,
                        origin,
                        tool,
                        tuple(w for _, w in rest),
                        full,
                        n,
                        (),
                        tuple(o for o, _ in rest),
                        host,
                    )
                )
    flush()
    return Transcript(tuple(commands), tuple(loose_output), tuple(unparsed), prompted)


def prompt_host(prompt: str) -> str | None:
    """``networkandcode@master:~$`` -> ``master``."""
    m = re.search(r"@([\w.-]+)", prompt)
    return m.group(1) if m else None


def split_words(text: str) -> tuple[list[str], str | None]:
    """Shell words of one line, with ``|``, ``&&`` and ``;`` as words of their own.

    A line shlex cannot read (an unclosed quote) is split on blanks instead,
    and the problem is returned so that the caller can report it.
    """
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        return list(lexer), None
    except ValueError as exc:
        words = re.findall(r"\|\||&&|[|;&]|[^\s|;&]+", text)
        return words, f"could not split the command line ({exc}); split it on blanks instead"


def split_stages(tokens: list[tuple[Origin, str]]) -> list[list[tuple[Origin, str]]]:
    """``a | b && c`` -> the words of a, of b and of c."""
    stages: list[list[tuple[Origin, str]]] = [[]]
    for origin, token in tokens:
        if token and set(token) <= set("|&;"):
            if stages[-1]:
                stages.append([])
            continue
        stages[-1].append((origin, token))
    return [s for s in stages if s]


def command_tool(argv: list[str]) -> tuple[str | None, list[str]]:
    """Strip ``sudo``, ``VAR=value`` prefixes and paths: ('etcdctl', [args])."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if ENV_ASSIGNMENT.match(word):
            i += 1
            continue
        name = word.rsplit("/", 1)[-1]
        if name in _WRAPPERS:
            i += 1
            # Skip the wrapper's own options (sudo -E, sudo -u root).
            while i < len(argv) and argv[i].startswith("-"):
                i += 2 if name == "sudo" and argv[i] in _SUDO_VALUE_OPTIONS else 1
            continue
        return name, argv[i + 1 :]
    return None, []


def _starts_with_tool(line: str, known_tools: frozenset[str]) -> bool:
    words = line.strip().split()
    if not words:
        return False
    tool, _ = command_tool(words)
    return tool in known_tools
