"""Configuration files shown in posts: systemd units and drop-ins, environment files.

A unit written with a heredoc (``cat <<EOF | sudo tee /etc/systemd/system/etcd.service``)
or shown with ``cat`` holds a program's command line in ``ExecStart=`` (with
``\\`` continuations) and flag lists in ``Environment="KUBELET_..._ARGS=..."``;
``/etc/default/kubelet`` and ``kubeadm-flags.env`` hold ``KUBELET_EXTRA_ARGS=``
and ``KUBELET_KUBEADM_ARGS=``; an etcd environment file sets flags as
``ETCD_DATA_DIR=...``. This module finds those and says which program each
belongs to; it does not read flags (the block reader does, like any argv).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..catalog import Catalog
from ..model import Origin
from .memo import Memo
from .programs import Programs
from .shell import parse_script
from .shell.words import written_tail

# `ExecStart=` and its relatives, with systemd's optional prefixes (-@:+!) before the path.
_EXEC = re.compile(r"^\s*(?P<key>ExecStart|ExecStartPre|ExecStartPost|ExecReload)\s*=\s*(?P<prefix>[-@:+!]*)")
# `Environment=` followed by one or more "NAME=value" assignments.
_ENVIRONMENT = re.compile(r"^\s*Environment\s*=\s*(?P<rest>.*)$")
# An environment-file line: optional `export `, NAME=value.
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
# Names whose value is a list of flags: KUBELET_EXTRA_ARGS, KUBE_APISERVER_OPTS, DAEMON_ARGS.
_ARGS_NAME = re.compile(r"(?:^|_)(?:ARGS|OPTS|OPTIONS|FLAGS)$")


@dataclass(frozen=True)
class ProgramArgs:
    """A command line found in a file: who runs it and its words, each with its line."""

    component: str
    items: tuple[tuple[Origin, str], ...]
    source: str  # "ExecStart", "KUBELET_EXTRA_ARGS"...
    origin: Origin
    written: tuple[str, ...] | None = None  # each word as the file writes it (quotes kept), when known


@dataclass(frozen=True)
class EnvSetting:
    """``ETCD_DATA_DIR=/var/lib/etcd``: a flag set through the environment."""

    component: str
    flag: str
    value: str
    variable: str
    origin: Origin
    written: str | None = None  # the value as the file writes it (``"/var/lib/etcd"``)


@dataclass(frozen=True)
class ConfigFile:
    """What a file body sets: command lines and environment settings."""

    programs: tuple[ProgramArgs, ...]
    settings: tuple[EnvSetting, ...]
    consumed: frozenset[int]  # indexes of the lines that were read


def is_unit(lines: Iterable[str]) -> bool:
    """A systemd unit or drop-in: it has an ``ExecStart=`` or an ``Environment=`` line."""
    # Both keys are looked for as substrings first: most lines of most files hold neither.
    return any(
        ("Exec" in line and _EXEC.match(line)) or ("Environment" in line and _ENVIRONMENT.match(line)) for line in lines
    )


def is_env_assignment(line: str) -> bool:
    """Whether ``line`` is an environment-file ``NAME=value`` line (``export`` allowed)."""
    return _ASSIGNMENT.match(line) is not None


def read_config(
    body: Sequence[tuple[Origin, str]], catalog: Catalog, programs: Programs, *, known: Iterable[str] = ()
) -> ConfigFile:
    """The command lines and environment settings in ``body`` (a unit, a drop-in or an env file)."""
    reader = _ConfigReader(catalog, programs, known)
    i = 0
    while i < len(body):
        origin, line = body[i]
        if m := _EXEC.match(line):
            end = i + 1
            while end < len(body) and body[end - 1][1].rstrip().endswith("\\"):
                end += 1
            reader.exec_start(body[i:end], m.end())
            reader.consumed.update(range(i, end))
            i = end
            continue
        if m := _ENVIRONMENT.match(line):
            words, written = _split_written(m.group("rest"))
            for at, assignment in enumerate(words):
                name, sep, value = assignment.partition("=")
                if sep:
                    shown = written_tail(assignment, written[at], value) if written is not None else None
                    reader.assignment(origin, name, value, shown)
            reader.consumed.add(i)
        elif m := _ASSIGNMENT.match(line):
            value = m.group("value").strip()
            # A quoted value is its first word, unquoted: "/var/lib/etcd" is /var/lib/etcd.
            words, written = _split_written(value) if value[:1] in "'\"" else ((), None)
            if words:
                reader.assignment(origin, m.group("name"), words[0], written[0] if written is not None else None)
            else:
                reader.assignment(origin, m.group("name"), value, value)
            reader.consumed.add(i)
        i += 1
    return ConfigFile(tuple(reader.found), tuple(reader.settings), frozenset(reader.consumed))


class _ConfigReader:
    def __init__(self, catalog: Catalog, programs: Programs, known: Iterable[str]) -> None:
        self.catalog = catalog
        self.programs = programs
        # Longest first: KUBE_APISERVER_ before KUBE_.
        names = set(catalog.components) | set(known)
        self.prefixes = sorted(((n.upper().replace("-", "_") + "_", n) for n in names), key=lambda p: -len(p[0]))
        self.found: list[ProgramArgs] = []
        self.settings: list[EnvSetting] = []
        self.consumed: set[int] = set()

    def exec_start(self, lines: Sequence[tuple[Origin, str]], skip: int) -> None:
        # The command starts after `ExecStart=-`: blank out the key so word columns and lines stay.
        text = [" " * skip + lines[0][1][skip:]] + [line for _, line in lines[1:]]
        script = parse_script(text, self.programs)
        for invocation in script.invocations:
            if invocation.carried_by is not None:
                continue
            items = tuple((lines[w.line][0], w.value) for w in invocation.args)
            written = tuple(w.written for w in invocation.args)
            self.found.append(ProgramArgs(invocation.program, items, "ExecStart", lines[invocation.line][0], written))

    def assignment(self, origin: Origin, name: str, value: str, written: str | None) -> None:
        """``NAME=value`` (``written``: the value as the file writes it, if known)."""
        component = self.component_of(name)
        if component is None:
            return
        if _ARGS_NAME.search(name) and value.lstrip().startswith("-"):
            # The words of the value as the program receives them, each written as the value holds it.
            words, shown = _split_written(value)
            self.found.append(ProgramArgs(component, tuple((origin, w) for w in words), name, origin, shown))
            return
        flag = self.catalog.flag_for_env(component, name)
        if flag is not None:
            self.settings.append(EnvSetting(component, flag, value, name, origin, written))

    def component_of(self, variable: str) -> str | None:
        for prefix, component in self.prefixes:
            if variable.startswith(prefix):
                return component
        return None


def _split(text: str) -> list[str]:
    """Words of a value as the shell (or systemd) splits them; on an unclosed quote, on blanks."""
    return list(_split_written(text)[0])


def _split_written(text: str) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """The words of ``text`` as :func:`_split` gives them, and each as written (``None`` if not known).

    Kept per text: the same ``KUBELET_KUBEADM_ARGS=`` line comes back in post
    after post, and ``shlex`` reads it a character at a time.
    """
    found = _SPLITS.get(text)
    if found is None:
        try:
            words = tuple(shlex.split(text, comments=False))
        except ValueError:
            words = tuple(text.split())
            found = (words, words)  # split on blanks: each word is as written
        else:
            raw = _raw_words(text)
            found = (words, raw if raw is not None and len(raw) == len(words) else None)
        _SPLITS.put(text, found, len(text))
    return found


def _raw_words(text: str) -> tuple[str, ...] | None:
    """The words of ``text`` where ``shlex.split`` cuts them, each exactly as written; ``None`` if a quote is open.

    One forward pass: blanks outside quotes cut words, a backslash keeps the
    next character in the word, a quoted run goes to its closing quote.
    """
    words: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        if text[i] in _BLANKS:
            i += 1
            continue
        start = i
        while i < n and text[i] not in _BLANKS:
            char = text[i]
            if char == "\\":
                if i + 1 >= n:
                    return None
                i += 2
            elif char in "'\"":
                close = i + 1
                while close < n and text[close] != char:
                    # In double quotes a backslash keeps the next character (an escaped quote) inside.
                    close += 2 if char == '"' and text[close] == "\\" else 1
                if close >= n:
                    return None
                i = close + 1
            else:
                i += 1
        words.append(text[start:i])
    return tuple(words)


# The blanks shlex splits on.
_BLANKS = frozenset(" \t\r\n")
# Values already split, by their text.
_SPLITS: Memo[tuple[tuple[str, ...], tuple[str, ...] | None]] = Memo(entries=4096, budget=1_000_000, largest=20_000)
