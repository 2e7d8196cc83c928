"""``data/programs.yaml`` read strictly into :class:`~.model.Programs`; errors start with ``file:line``."""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Mapping
from pathlib import Path

from yaml.nodes import Node, ScalarNode, SequenceNode

from ...datafile import NULL_TAG, DataFileError, check_keys, compose, line_of, read_line_text, read_pairs, read_text
from .model import CarrierSpec, Programs, ProgramSpec, Scope, option_key

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "programs.yaml"

STYLES = ("gnu", "single", "go")
MODES = ("argv", "after-operand", "after-dashdash", "string")
OPERANDS = (
    "file",
    "directory",
    "url",
    "host",
    "package",
    "unit",
    "text",
    "pattern",
    "command",
    "resource",
    "module",
    "none",
)
_PROGRAM_KEYS = (
    "summary",
    "style",
    "bundle",
    "dashless",
    "value",
    "flag",
    "optional",
    "operand",
    "carrier",
    "commands",
)
_SCOPE_KEYS = ("value", "flag", "optional", "operand", "carrier")
_CARRIER_KEYS = ("mode", "operands", "option", "assignments", "name")
_TOP_KEYS = ("shell", "programs")
_SHELL_KEYS = ("keywords", "builtins")

# A program name: what `sudo`, a path's last part or a catalog component looks like.
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._+-]*")
# Subcommand words: lower-case words joined by single spaces ("compute ssh").
_COMMAND_RE = re.compile(r"[a-z0-9][a-z0-9_-]*(?: [a-z0-9][a-z0-9_-]*)*")
# Options as they are written in the file, one pattern per style:
# gnu: `-x` (one letter, digit, `?` or `#`) or `--long-name` (with dots: --http1.1).
_GNU_OPTION_RE = re.compile(r"-[A-Za-z0-9?#]|--[A-Za-z0-9][A-Za-z0-9._-]*")
# single / go: one or two dashes then a name (openssl -CAfile, cfssl -ca-key, ip -4).
_LONG_OPTION_RE = re.compile(r"--?[A-Za-z0-9][A-Za-z0-9._-]*")


class ProgramsError(DataFileError):
    """``programs.yaml`` cannot be used; the message starts with ``file:line``."""


def load_programs(path: Path | None = None) -> Programs:
    """Read ``programs.yaml`` (the packaged one by default), strictly.

    Raises :class:`ProgramsError` with ``file:line`` on an unknown key, a
    repeated program or option, a malformed option or a bad carrier.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramsError(path, 0, f"cannot read the file ({exc})") from None
    return _load_text(str(path), text)


@functools.lru_cache(maxsize=8)
def _load_text(shown: str, text: str) -> Programs:
    """Parsed once per content: every post of a build reads the same data."""
    path = Path(shown)
    root = compose(path, text, ProgramsError)
    if root is None:
        raise ProgramsError(path, 1, "empty file; write `shell:` and `programs:`")
    top = _pairs(path, root, "the file")
    check_keys(path, top, _TOP_KEYS, "the file", ProgramsError)
    for required in _TOP_KEYS:
        if required not in top:
            raise ProgramsError(path, line_of(root), f"missing `{required}:`")
    shell = _pairs(path, top["shell"][1], "`shell:`")
    check_keys(path, shell, _SHELL_KEYS, "`shell:`", ProgramsError)
    keywords = _word_list(path, shell, "keywords") if "keywords" in shell else []
    builtins = _word_list(path, shell, "builtins") if "builtins" in shell else []
    programs: dict[str, ProgramSpec] = {}
    for name, (key_node, node) in _pairs(path, top["programs"][1], "`programs:`").items():
        if not _NAME_RE.fullmatch(name):
            raise ProgramsError(path, line_of(key_node), f"program name {name!r} must be a lower-case command name")
        programs[name] = _program(path, name, key_node, node)
    return Programs(programs, keywords, builtins, source=str(path))


# --------------------------------------------------------------------------
# Reading


def _pairs(path: Path, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
    return read_pairs(path, node, what, ProgramsError)


def _word_list(path: Path, pairs: Mapping[str, tuple[Node, Node]], key: str) -> list[str]:
    node = pairs[key][1]
    words = _scalars(path, node, f"shell.{key}")
    seen: set[str] = set()
    for word in words:
        if word in seen:
            raise ProgramsError(path, line_of(node), f"{word!r} is listed twice in shell.{key}")
        seen.add(word)
    return words


def _scalars(path: Path, node: Node, what: str) -> list[str]:
    if not isinstance(node, SequenceNode):
        raise ProgramsError(path, line_of(node), f"{what} must be a list")
    out = []
    for item in node.value:
        if not isinstance(item, ScalarNode) or item.tag == NULL_TAG or not item.value:
            raise ProgramsError(path, line_of(item), f"{what}: items must be plain words")
        out.append(item.value)
    return out


def _program(path: Path, name: str, key_node: Node, node: Node) -> ProgramSpec:
    where = f"program {name!r}"
    pairs = _pairs(path, node, where)
    check_keys(path, pairs, _PROGRAM_KEYS, where, ProgramsError)
    if "summary" not in pairs:
        raise ProgramsError(path, line_of(key_node), f"{where} is missing `summary:`")
    summary = read_line_text(path, pairs["summary"][1], f"{where}: summary", ProgramsError)
    style = "gnu"
    if "style" in pairs:
        style = read_text(path, pairs["style"][1], f"{where}: style", ProgramsError)
        if style not in STYLES:
            raise ProgramsError(path, line_of(pairs["style"][1]), f"{where}: style must be one of {', '.join(STYLES)}")
    bundle = style == "gnu"
    if "bundle" in pairs:
        bundle = _bool(path, pairs["bundle"][1], f"{where}: bundle")
        if bundle and style != "gnu":
            raise ProgramsError(path, line_of(pairs["bundle"][1]), f"{where}: only gnu-style options bundle")
    dashless = _bool(path, pairs["dashless"][1], f"{where}: dashless") if "dashless" in pairs else False
    if dashless and not bundle:
        raise ProgramsError(path, line_of(pairs["dashless"][1]), f"{where}: dashless needs bundling short options")
    scope = _scope(path, name, None, style, pairs, where)
    commands: dict[str, Scope] = {}
    if "commands" in pairs:
        for command, (command_key, command_node) in _pairs(path, pairs["commands"][1], f"{where}: commands").items():
            if not _COMMAND_RE.fullmatch(command):
                raise ProgramsError(
                    path, line_of(command_key), f"{where}: subcommand {command!r} is not lower-case words"
                )
            inner_where = f"{where}, subcommand {command!r}"
            inner = _pairs(path, command_node, inner_where)
            check_keys(path, inner, _SCOPE_KEYS, inner_where, ProgramsError)
            commands[command] = _scope(path, name, command, style, inner, inner_where)
            if scope.carrier is not None and commands[command].carrier is not None:
                raise ProgramsError(
                    path, line_of(command_key), f"{where} already carries a command; drop the subcommand's carrier"
                )
    return ProgramSpec(
        name,
        summary,
        style,
        bundle,
        scope,
        dashless=dashless,
        commands=types.MappingProxyType(commands),
        line=line_of(key_node),
    )


def _scope(
    path: Path, program: str, command: str | None, style: str, pairs: Mapping[str, tuple[Node, Node]], where: str
) -> Scope:
    lists: dict[str, frozenset[str]] = {}
    seen: dict[str, str] = {}
    for kind in ("value", "flag", "optional"):
        if kind not in pairs:
            lists[kind] = frozenset()
            continue
        node = pairs[kind][1]
        options = _scalars(path, node, f"{where}: {kind}")
        pattern = _GNU_OPTION_RE if style == "gnu" else _LONG_OPTION_RE
        for option in options:
            if not pattern.fullmatch(option):
                hint = "`-x` or `--long-name`" if style == "gnu" else "`-name`"
                raise ProgramsError(path, line_of(node), f"{where}: {option!r} is not an option; write {hint}")
            key = option_key(style, option)
            if key in seen:
                raise ProgramsError(
                    path, line_of(node), f"{where}: {option} is listed twice (in {seen[key]} and {kind}); keep one"
                )
            seen[key] = kind
        lists[kind] = frozenset(option_key(style, option) or option for option in options)
    operand = None
    if "operand" in pairs:
        operand = read_text(path, pairs["operand"][1], f"{where}: operand", ProgramsError)
        if operand not in OPERANDS:
            raise ProgramsError(
                path, line_of(pairs["operand"][1]), f"{where}: operand must be one of {', '.join(OPERANDS)}"
            )
    carrier = None
    if "carrier" in pairs:
        carrier = _carrier(path, program, command, pairs["carrier"][1], where, lists)
    return Scope(lists["value"], lists["flag"], lists["optional"], operand, carrier)


def _carrier(
    path: Path, program: str, command: str | None, node: Node, where: str, lists: Mapping[str, frozenset[str]]
) -> CarrierSpec:
    what = f"{where}: carrier"
    pairs = _pairs(path, node, what)
    check_keys(path, pairs, _CARRIER_KEYS, what, ProgramsError)
    if "mode" not in pairs:
        raise ProgramsError(path, line_of(node), f"{what} needs `mode:` ({', '.join(MODES)})")
    mode = read_text(path, pairs["mode"][1], f"{what}: mode", ProgramsError)
    if mode not in MODES:
        raise ProgramsError(path, line_of(pairs["mode"][1]), f"{what}: mode must be one of {', '.join(MODES)}")
    operands = 1 if mode == "after-operand" else 0
    if "operands" in pairs:
        raw = read_text(path, pairs["operands"][1], f"{what}: operands", ProgramsError)
        if not raw.isdigit() or int(raw) > 3:
            raise ProgramsError(path, line_of(pairs["operands"][1]), f"{what}: operands is a number from 0 to 3")
        operands = int(raw)
    if mode == "after-operand" and operands < 1:
        raise ProgramsError(path, line_of(node), f"{what}: after-operand needs operands of 1 or more")
    option = None
    if "option" in pairs:
        option = read_text(path, pairs["option"][1], f"{what}: option", ProgramsError)
        if mode != "string":
            raise ProgramsError(path, line_of(pairs["option"][1]), f"{what}: `option` is for mode string only")
        if not any(option in listed for listed in lists.values()):
            raise ProgramsError(path, line_of(pairs["option"][1]), f"{what}: list {option} under `value` or `flag` too")
    assignments = _bool(path, pairs["assignments"][1], f"{what}: assignments") if "assignments" in pairs else False
    label = program + (f" {command}" if command else "")
    if option is not None and command is None:
        label += f" {option}"
    if "name" in pairs:
        label = read_line_text(path, pairs["name"][1], f"{what}: name", ProgramsError)
    return CarrierSpec(program, mode, label, operands, option, assignments, command, line_of(node))


def _bool(path: Path, node: Node, what: str) -> bool:
    if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
        raise ProgramsError(path, line_of(node), f"{what} must be true or false")
    return node.value.lower() in ("true", "yes", "on")
