"""Kubernetes objects found in blocks: a manifest record, and its containers' flags as uses."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Manifest, Origin
from .components import component_of_container, executable
from .manifests import ParsedObject
from .shell import parse_script

if TYPE_CHECKING:
    from .blocks import BlockReader

Line = tuple[Origin, str]
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
Hint = tuple[str | None, str | None, str | None]  # (kind, name, namespace) a kubectl command named


def read_object(
    reader: BlockReader,
    block: int,
    obj: ParsedObject,
    hint: Hint,
    source: str,
    host: str | None,
    lines: Sequence[Line] = (),
) -> Manifest:
    """The manifest record of ``obj``; the flags of its containers and settings go to ``reader``.

    ``lines``: the block's, where the words of a shell string written over several lines are found.
    """
    name = obj.name or hint[1]
    containers = tuple(dataclasses.replace(c, component=component_of_container(c, name)) for c in obj.containers)
    manifest = Manifest(
        block=block,
        origin=obj.origin,
        kind=obj.kind or hint[0],
        name=name,
        namespace=obj.namespace or hint[2],
        truncated=obj.truncated,
        containers=containers,
        host_network=obj.host_network,
        host_paths=obj.host_paths,
        source=source,
    )
    label = manifest.label
    for c in containers:
        for command in c.execs:  # a probe's command: its own program, run in the container
            _read_argv(reader, block, command, executable(command[0][1]), True, label, c.name, host, lines)
        if not _read_argv(reader, block, c.argv, c.component, c.command, label, c.name, host, lines):
            continue
        for origin, variable, value in c.env:
            flag = reader.catalog.flag_for_env(c.component, variable) if c.component else None
            if flag:
                reader.uses.append(
                    reader.ident.use(
                        origin.path,
                        origin.line,
                        block,
                        "manifest",
                        c.component,
                        flag,
                        value,
                        object=label,
                        container=c.name,
                        spelling=variable,
                        host=host,
                    )
                )
    for s in obj.settings:
        reader.uses.append(
            reader.ident.use(
                s.origin.path,
                s.origin.line,
                block,
                "manifest",
                s.component,
                "--" + s.name,
                s.value,
                object=label,
                spelling=s.spelling,
                host=host,
            )
        )
    return manifest


def _read_argv(
    reader: BlockReader,
    block: int,
    argv: Sequence[Line],
    program: str | None,
    command: bool,
    label: str,
    container: str | None,
    host: str | None,
    lines: Sequence[Line],
) -> bool:
    """The flags of a container's or a probe's argv (``command``: it starts with the executable).

    ``False`` when it runs a shell string (read as a command line of its own).
    """
    if command and (at := _shell_string(argv)) is not None:
        _read_shell_string(reader, block, argv, at, label, container, host, lines)
        return False
    if command and argv and not argv[0][1].startswith("-"):
        argv = argv[1:]  # the executable itself
    reader.add_argv(list(argv), program, "manifest", block, obj=label, container=container, host=host)
    return True


class _WordLines:
    """The line of each word of a YAML string written over several lines, found in order.

    A long string is folded over lines (``kubectl get -o yaml`` wraps at 80
    columns) or written as a ``|`` block; YAML gives it as one text. Each
    word is looked for from where the last one was found, on that line or
    the next few, within a window: a bounded search per word. A word not
    found (an escape of a quoted string) takes the line of the word before.
    """

    LOOKAHEAD = 3
    WINDOW = 256

    def __init__(self, origin: Origin, lines: Sequence[Line]) -> None:
        self.origin = origin
        self.row = bisect.bisect_left(lines, origin.line, key=lambda line: line[0].line)
        # The block's lines from the string's own (none when it is not found there: its origin for every word).
        found = self.row < len(lines) and lines[self.row][0] == origin
        self.lines = lines if found else ()
        self.col = 0
        self.last = origin  # where the last word was found

    def find(self, *texts: str) -> Origin:
        for row in range(self.row, min(self.row + self.LOOKAHEAD, len(self.lines))):
            where, line = self.lines[row]
            if where.path != self.origin.path:
                break
            start = self.col if row == self.row else 0
            for text in texts:
                if not text:
                    continue
                at = line.find(text, start, start + len(text) + self.WINDOW)
                if at >= 0:
                    self.row, self.col, self.last = row, at + len(text), where
                    return where
        return self.last


def _shell_string(argv: Sequence[Line]) -> int | None:
    """Where a shell's ``-c`` is in ``argv`` (alone or in a bundle: ``-ec``), when ``argv`` runs a shell."""
    if not argv or executable(argv[0][1]) not in _SHELLS:
        return None
    for i, (_, word) in enumerate(argv[1:], 1):
        # Short options, one of them c (the next word is the command): -c, -ec, -xec. One pass over the word.
        if word[:1] == "-" and "c" in word and all("a" <= ch <= "z" for ch in word[1:]):
            return i
    return None


def _read_shell_string(
    reader: BlockReader,
    block: int,
    argv: Sequence[Line],
    at: int,
    label: str,
    container: str | None,
    host: str | None,
    lines: Sequence[Line],
) -> None:
    """``command: ["/bin/sh", "-c", "etcd --listen-client-urls=..."]``: the string is a command line.

    ``at``: where the shell's ``-c`` is in ``argv`` (:func:`_shell_string`).
    """
    if at + 1 >= len(argv):
        return
    origin, text = argv[at + 1]
    finder = _WordLines(origin, lines)
    for invocation in parse_script([text], reader.programs).invocations:
        items = [(finder.find(w.written, w.value), w.value) for w in invocation.args]
        reader.add_argv(
            items,
            invocation.program,
            "manifest",
            block,
            # The string is shell text: its values are written with the shell's quotes.
            written=[w.written for w in invocation.args],
            obj=label,
            container=container,
            host=host,
            command=reader.subcommand(invocation.program, [w.value for w in invocation.args]),
        )
