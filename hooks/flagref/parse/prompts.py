"""Shell prompts, and which lines of a code block are commands.

A terminal transcript marks its commands with a prompt; :func:`split_prompt`
recognises the shapes terminals print (``user@host:~$``, ``[root@node1 ~]#``,
``user@host ~ %``, ``(venv) user@host$``, ``bash-5.1$``, ``controlplane $``,
``PS C:\\>``, a bare ``$`` or ``#``...) and says which host and user it shows.
``>>>`` is Python's prompt and ``>`` the shell's continuation prompt (PS2,
:func:`is_continuation`); neither starts a command.

Blocks without any prompt follow this rule (:func:`looks_like_command`,
:func:`classify_block`):

* a line is a **command** when its first word -- after ``VAR=value``
  assignments and after ``sudo`` and the other wrappers of ``programs.yaml``
  with their options -- is a program ``programs.yaml`` knows, a name the
  caller adds (the catalog's components), a path to an executable (``./x``,
  ``/usr/bin/x``, ``~/bin/x``), a shell keyword or builtin (``for``, ``if``,
  ``export``, ``cd``, ``echo``), or when the line starts with an assignment
  (``TOKEN=$(kubectl ...)``: the shell runs what the value substitutes);
* in a block the author marked as shell (```` ```bash ````, ``sh``,
  ``shell``, ``console``, ``zsh``), a line whose first word has the shape of
  a program name (``cilium install ...``) is a command too, unless it has the
  shape of output (below);
* a line is **output** otherwise, and always when it has the shape of output:
  a table with aligned columns or an upper-case header (``NAME  READY
  STATUS``), a log line (a timestamp, klog's ``I0102``), YAML ``key: value``
  or ``- item``, JSON, or a comment;
* the lines a command continues onto (``\\``, an open quote, a trailing
  ``|``) and the bodies of the heredocs it opens belong to the command
  (:func:`.shell.command_extent`).

All patterns are linear, and :func:`split_prompt` only looks at the first
:data:`PROMPT_WINDOW` characters of a line, so a long line costs no more than
a short one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .programs import Programs, load_programs
from .shell import command_extent

#: Prompts are short; only this many leading characters are examined.
PROMPT_WINDOW = 160
#: :func:`looks_like_command` judges a line by this many leading characters.
COMMAND_WINDOW = 512


@dataclass(frozen=True)
class Prompt:
    """A prompt and the command typed after it."""

    prompt: str  # as shown, with its trailing blank: "networkandcode@master:~$ "
    command: str  # the rest of the line
    host: str | None  # networkandcode@master:~$ -> "master"; "$ " -> None
    user: str | None  # networkandcode@master:~$ -> "networkandcode"


# The pieces below are single character classes with bounded or exclusive
# repetition: no two adjacent quantifiers can match the same characters.
# An optional "(venv) " or "(base) " environment marker.
_ENV = r"(?:\([^()\s]{1,40}\)[ \t]+)?"
# A user name, or what a container without /etc/passwd shows.
_USER = r"(?P<user>I have no name!|[A-Za-z_][A-Za-z0-9_.-]{0,31})"
# A host name: letters, digits, dots, dashes, underscores.
_HOST = r"(?P<host>[A-Za-z0-9][A-Za-z0-9_.-]{0,62})"
_PROMPTS = (
    # user@host:~$ , user@host:/etc/kubernetes# , user@host$ , root@etcd-master:/#
    re.compile(rf"{_ENV}{_USER}@{_HOST}(?::[^\s$#%]{{0,100}})?[ \t]?[$#%][ \t]"),
    # zsh: user@host ~ %
    re.compile(rf"{_ENV}{_USER}@{_HOST}[ \t][^\s%]{{1,100}}[ \t]%[ \t]"),
    # [root@node1 ~]# , [user@host dir]$
    re.compile(rf"{_ENV}\[{_USER}@{_HOST}(?:[ \t][^\]\s][^\]\n]{{0,100}})?\][$#][ \t]"),
    # bash-5.1$ , sh-4.4#
    re.compile(r"(?:bash|sh|zsh|ash|dash|ksh)-[0-9][0-9.]{0,10}[$#][ \t]"),
    # PowerShell: PS C:\> , PS /home/u>
    re.compile(r"PS (?:[A-Za-z]:\\|/)[^>\n]{0,100}>[ \t]"),
    # name: $ , controlplane:~$  (playground style: a host and maybe a path)
    re.compile(rf"{_HOST}:(?:[ \t]|~[^\s$#]{{0,100}}|/[^\s$#]{{0,100}})?\$[ \t]"),
    # controlplane $ , master $
    re.compile(rf"{_HOST}[ \t]\$[ \t]"),
    # a bare $ (and a bare $ with nothing typed after it)
    re.compile(r"\$(?:[ \t]|$)"),
)
# A root prompt "# " is told from a comment by what follows it.
_ROOT_PROMPT = re.compile(r"#[ \t]")
# Python's prompts and continuation: never shell.
_PYTHON = re.compile(r"(?:>>>|\.\.\.)(?:[ \t]|$)")
# The shell's continuation prompt (PS2).
_CONTINUATION = re.compile(r">(?:[ \t]|$)")
# Prose after "# ": words that start sentences, not commands.
_PROSE_WORDS = frozenset(
    "a an the this that these those it its we you i to is are was be of for and or on in at with from by as if "
    "then now next here there first finally note see make sure check run use".split()
)
# A word that is an assignment: NAME=...
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
# Output shapes, each anchored at the start:
# an upper-case table header (NAME READY STATUS), two or more columns;
_HEADER = re.compile(r"[A-Z][A-Z0-9_%()/.-]*(?:[ \t]+[A-Z][A-Z0-9_%()/.-]*)+[ \t]*$")
# a run of two or more blanks between two non-blanks (aligned columns);
_COLUMN_GAP = re.compile(r"\S(?: {2,}|\t)\S")
# a timestamp (2024-01-02, 2024/01/02), klog's I0102 / E0102, syslog's "Jan  2 10:00";
_LOG = re.compile(
    r"(?:\d{4}[-/]\d\d[-/]\d\d|[IWEF]\d{4}[ \t]|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[ \t]+\d{1,2}[ \t]\d\d:)"
)
# YAML: `key:` then a blank or the end, or a `- ` list item; JSON/YAML flow starts.
_YAML_KEY = re.compile(r"[A-Za-z0-9_.\"'/-]+:(?:[ \t]|$)")
_YAML_ITEM = re.compile(r"-[ \t]")
# JSON (a `[` that does not open a `[ test ]`).
_JSON = re.compile(r"[{}\]\"]|\[(?![ \t\[])")


def split_prompt(line: str, programs: Programs | None = None, extra: Collection[str] | None = None) -> Prompt | None:
    """The prompt at the start of ``line`` and the command after it; ``None`` without one.

    A bare ``# `` is a root prompt only when what follows reads as a command
    (see :func:`looks_like_command`; ``programs`` defaults to the packaged
    data and ``extra`` to the catalog's components), never when it reads as a
    sentence (``# install the packages``).
    """
    head = line[:PROMPT_WINDOW]
    # Every prompt below ends in $, #, % or >: a line with none of them (most output) is not
    # tried against each pattern.
    if "$" not in head and "#" not in head and "%" not in head and ">" not in head:
        return None
    if _PYTHON.match(head):
        return None
    for pattern in _PROMPTS:
        match = pattern.match(head)
        if match is not None:
            groups = match.groupdict()
            return Prompt(match.group(0), line[match.end() :], groups.get("host"), groups.get("user"))
    match = _ROOT_PROMPT.match(head)
    if match is not None:
        rest = line[match.end() :]
        known = _catalog_names() if extra is None else extra
        if _reads_as_command(rest, programs or _default_programs(), known):
            return Prompt(match.group(0), rest, None, None)
    return None


def is_continuation(line: str) -> bool:
    """Whether ``line`` starts with the shell's continuation prompt ``> `` (PS2).

    Only meaningful after a line ending in ``\\``, an open quote or an open
    heredoc: elsewhere ``>`` may be output or a Markdown quote.
    """
    return _CONTINUATION.match(line) is not None and not _PYTHON.match(line)


def strip_continuation(line: str) -> str:
    """``line`` without its ``> `` continuation prompt (unchanged when it has none)."""
    match = _CONTINUATION.match(line)
    return line[match.end() :] if match is not None and not _PYTHON.match(line) else line


def looks_like_command(line: str, programs: Programs, extra: Collection[str] = ()) -> bool:
    """Whether ``line``, in a block without prompts, is a command (the rule in the module docstring).

    ``extra`` adds program names the caller knows (the catalog's components).
    """
    # The verdict rests on the first words and the shape of the line's start; a window
    # keeps a megabyte-long line as cheap as a short one.
    text = line[:COMMAND_WINDOW].strip()
    if not text or text.startswith("#") or _is_output(text):
        return False
    words = text.split()
    if _ASSIGNMENT.match(words[0]):
        return True  # VAR=value alone, VAR=$(cmd ...), ETCDCTL_API=3 etcdctl ...
    index = _skip_wrappers(words, 0, programs)
    while index < len(words) and _ASSIGNMENT.match(words[index].lstrip("\"'")):
        index = _skip_wrappers(words, index + 1, programs)  # sudo ETCDCTL_API=3 etcdctl, env "PATH=$PATH" kubectl
    if index >= len(words):
        return True  # `sudo -i`, `time`: the wrapper alone
    first = words[index]
    name = first.rsplit("/", 1)[-1]
    if programs.is_keyword(first) or programs.is_builtin(first):
        return True
    if first.startswith(("./", "/", "~/", "../")) and name and not first.endswith("/"):
        return True
    return programs.known(name) or name in extra


def classify_block(lines: Sequence[str], programs: Programs, extra: Collection[str] = ()) -> list[bool]:
    """For each line of a prompt-less block: ``True`` when it is (part of) a command.

    The lines a command continues onto and its heredoc bodies are ``True``
    with it, whatever they look like.
    """
    result = [False] * len(lines)
    index = 0
    while index < len(lines):
        if looks_like_command(lines[index], programs, extra):
            end = max(command_extent(lines, index), index + 1)
            for covered in range(index, end):
                result[covered] = True
            index = end
        else:
            index += 1
    return result


# --------------------------------------------------------------------------


@functools.cache
def _default_programs() -> Programs:
    return load_programs()


@functools.cache
def _catalog_names() -> frozenset[str]:
    """The catalog's components: programs the engine knows besides programs.yaml."""
    try:
        from ..catalog import load_catalog
    except ImportError:  # the catalog moves with the pipeline folders; the prompt rule still works
        return frozenset()
    return frozenset(load_catalog().components)


def _reads_as_command(rest: str, programs: Programs, extra: Collection[str]) -> bool:
    """After a bare ``# ``: a command, not a comment sentence."""
    text = rest.strip()
    if not text or text.endswith((".", ":", "!", "?")) or ", " in text:
        return False
    words = text.split()
    if len(words) > 1 and words[1].lower() in _PROSE_WORDS:
        return False
    return looks_like_command(text, programs, extra)


def _skip_wrappers(words: list[str], index: int, programs: Programs) -> int:
    """Past ``sudo -u root``, ``env A=b``, ``time`` and the like, to the wrapped program."""
    seen = 0
    while index < len(words) and seen < 8:
        name = words[index].rsplit("/", 1)[-1]
        carrier = programs.carrier(name)
        if carrier is None or carrier.mode not in ("argv", "after-operand") or not programs.known(name):
            if name == "time" and programs.is_keyword(name):
                index += 1
                seen += 1
                continue
            return index
        index += 1
        seen += 1
        operands = carrier.operands
        while index < len(words):
            word = words[index]
            if word == "--":
                index += 1
                break
            if word.startswith("-") and len(word) > 1:
                takes = (
                    programs.takes_value(name, word.split("=", 1)[0])
                    if len(word) == 2 or word.startswith("--")
                    else False
                )
                index += 2 if takes and "=" not in word else 1
            elif carrier.assignments and _ASSIGNMENT.match(word):
                index += 1
            elif operands:
                operands -= 1
                index += 1
            else:
                break
    return index


def is_output(text: str) -> bool:
    """Whether a line has the shape of output: aligned columns, a header, a log line, YAML or JSON."""
    return _is_output(text.strip())


def _is_output(text: str) -> bool:
    if _JSON.match(text) or _YAML_ITEM.match(text) or _LOG.match(text):
        return True
    if _HEADER.match(text):
        return True
    if _YAML_KEY.match(text):
        return True
    # Aligned columns: two gaps of two or more blanks.
    gaps = 0
    for _ in _COLUMN_GAP.finditer(text):
        gaps += 1
        if gaps >= 2:
            return True
    return False
