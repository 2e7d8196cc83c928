"""The option syntax of programs, as the shell reader asks it: the records and their queries."""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CarrierSpec:
    """Where the command a program runs is found on its command line.

    ``mode`` is one of :data:`MODES` (see the header of ``programs.yaml``);
    ``operands`` counts the operands before the command (the host of ``ssh``,
    the image of ``docker run``); ``option`` is the option that carries the
    string (``-c``, ``--command``); ``name`` labels the carried command
    (``"sudo"``, ``"bash -c"``, ``"kubectl exec"``).
    """

    program: str
    mode: str
    name: str
    operands: int = 0
    option: str | None = None
    assignments: bool = False
    command: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Scope:
    """The options of a program, or of one of its subcommands, and what it carries."""

    value: frozenset[str] = frozenset()
    flag: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    operand: str | None = None
    carrier: CarrierSpec | None = None


@dataclass(frozen=True)
class ProgramSpec:
    """One program's option syntax; ``commands`` holds its subcommands' own options."""

    name: str
    summary: str
    style: str
    bundle: bool
    scope: Scope
    dashless: bool = False
    commands: Mapping[str, Scope] = field(default_factory=dict, hash=False)
    line: int = 0


class Programs:
    """The answers the shell reader and the engine need; built by :func:`load_programs`."""

    def __init__(
        self,
        programs: Mapping[str, ProgramSpec],
        keywords: Iterable[str] = (),
        builtins: Iterable[str] = (),
        source: str = "",
    ) -> None:
        self.programs: Mapping[str, ProgramSpec] = types.MappingProxyType(dict(programs))
        self.keywords = frozenset(keywords)
        self.builtins = frozenset(builtins)
        self.source = source

    def __repr__(self) -> str:
        return f"<Programs {len(self.programs)} programs from {self.source or 'memory'}>"

    def known(self, name: str) -> bool:
        """Whether ``name`` (a base name: ``sudo``, ``tar``) has an entry."""
        return name in self.programs

    def is_keyword(self, word: str) -> bool:
        """Whether ``word`` is a shell reserved word (``for``, ``do``, ``then``, ``!``...)."""
        return word in self.keywords

    def is_builtin(self, word: str) -> bool:
        """Whether ``word`` is a command the shell runs itself (``cd``, ``export``, ``echo``...)."""
        return word in self.builtins

    def style(self, program: str) -> str | None:
        """``gnu``, ``single`` or ``go``; ``None`` for an unknown program."""
        spec = self.programs.get(program)
        return spec.style if spec else None

    def operand_kind(self, program: str, subcommand: str | None = None) -> str | None:
        """What the operands usually are (``file`` for vim, ``host`` for ssh), or ``None``."""
        spec = self.programs.get(program)
        if spec is None:
            return None
        scope = spec.commands.get(subcommand) if subcommand else None
        return (scope.operand if scope else None) or spec.scope.operand

    def has_subcommands(self, program: str) -> bool:
        """Whether ``program`` has subcommands with options of their own (asked for every command read)."""
        spec = self.programs.get(program)
        return bool(spec and spec.commands)

    def subcommands(self, program: str) -> tuple[str, ...]:
        """The subcommands with options of their own (``("exec", "debug", ...)`` for kubectl)."""
        spec = self.programs.get(program)
        return tuple(spec.commands) if spec else ()

    def takes_value(self, program: str, option: str, subcommand: str | None = None) -> bool | None:
        """Whether ``option`` (with its dashes, maybe with ``=value``) consumes the next word.

        ``True``: it takes a value (``-o FILE``); ``False``: it does not, either
        because it is a switch or because its value can only be attached
        (``--color=auto``, ``xargs -I{}``); ``None``: no data about it. The
        subcommand's own options are asked before the program's.
        """
        spec = self.programs.get(program)
        if spec is None:
            return None
        name = option_key(spec.style, option)
        if name is None:
            return None
        for scope in scopes(spec, subcommand):
            if name in scope.value:
                return True
            if name in scope.flag or name in scope.optional:
                return False
        return None

    def split_bundle(self, program: str, token: str, subcommand: str | None = None) -> tuple[str, ...] | None:
        """``-xzf`` -> ``("-x", "-z", "-f")``: short options written together.

        A letter that takes a value ends the bundle and keeps what follows as
        its attached value: tar ``-xzfout.tar`` -> ``("-x", "-z", "-fout.tar")``,
        xargs ``-I{}`` -> ``("-I{}",)``. ``None`` when the program does not
        bundle, the token is not a run of short options, or a letter is unknown.
        """
        spec = self.programs.get(program)
        if spec is None or spec.style != "gnu" or not spec.bundle:
            return None
        if len(token) < 2 or token[0] != "-" or token[1] == "-":
            return None
        parts: list[str] = []
        for index in range(1, len(token)):
            letter = "-" + token[index]
            found = None
            for scope in scopes(spec, subcommand):
                if letter in scope.value or letter in scope.optional:
                    found = "value"
                    break
                if letter in scope.flag:
                    found = "flag"
                    break
            if found is None:
                return None
            if found == "value":
                parts.append(letter + token[index + 1 :])
                return tuple(parts)
            parts.append(letter)
        return tuple(parts)

    def split_dashless(self, program: str, word: str) -> tuple[str, ...] | None:
        """Old-style options written without a dash as the first argument: tar ``xzvfC`` -> ``-x -z -v -f -C``.

        Only for programs marked ``dashless`` (tar). Unlike :meth:`split_bundle`,
        every letter is returned alone: the values of the letters that take one
        are the next words, in order. ``None`` when a letter is unknown.
        """
        spec = self.programs.get(program)
        if spec is None or not spec.dashless or not word or not word.isalnum():
            return None
        letters = tuple("-" + letter for letter in word)
        if all(self.takes_value(program, letter) is not None for letter in letters):
            return letters
        return None

    def carrier(self, program: str, subcommand: str | None = None) -> CarrierSpec | None:
        """How ``program`` (or its ``subcommand``) runs another command; ``None`` when it does not."""
        spec = self.programs.get(program)
        if spec is None:
            return None
        if spec.scope.carrier is not None:
            return spec.scope.carrier
        scope = spec.commands.get(subcommand) if subcommand else None
        return scope.carrier if scope else None

    def find_subcommand(self, program: str, words: Sequence[str]) -> tuple[str | None, int]:
        """The subcommand among ``words`` (a program's arguments) and the index just after it.

        Global options are skipped with their values (``kubectl -n ns exec``);
        the longest listed subcommand wins (``compute ssh``). ``(None, 0)``
        when none of the listed subcommands is there.
        """
        spec = self.programs.get(program)
        if spec is None or not spec.commands:
            return None, 0
        longest = max(len(name.split()) for name in spec.commands)
        found: list[tuple[str, int]] = []
        index = 0
        while index < len(words) and len(found) < longest:
            word = words[index]
            if word == "--":
                break
            if word.startswith("-") and len(word) > 1:
                index += 2 if "=" not in word and self.takes_value(program, word) else 1
                continue
            found.append((word, index))
            index += 1
        for size in range(len(found), 0, -1):
            name = " ".join(word for word, _ in found[:size])
            if name in spec.commands:
                return name, found[size - 1][1] + 1
        return None, 0


# --------------------------------------------------------------------------
# Lookups


def option_key(style: str, option: str) -> str | None:
    """The form an option is stored under: ``--output=x`` -> ``--output``; go-style ``--name`` -> ``-name``."""
    name = option.split("=", 1)[0]
    if len(name) < 2 or name[0] != "-":
        return None
    if style == "go" and name.startswith("--"):
        # Go's flag package reads -name and --name alike; stored with one dash.
        return name[1:]
    return name


def scopes(spec: ProgramSpec, subcommand: str | None) -> Iterable[Scope]:
    """The option scopes that apply: the longest known command prefix of ``subcommand``, then the program's own."""
    if subcommand:
        # "create deployment" uses create's options when it has none of its own.
        words = subcommand.split()
        for size in range(len(words), 0, -1):
            scope = spec.commands.get(" ".join(words[:size]))
            if scope is not None:
                yield scope
                break
    yield spec.scope


__all__ = ["CarrierSpec", "ProgramSpec", "Programs", "Scope", "option_key", "scopes"]
