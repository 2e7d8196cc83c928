"""Read flags out of an argument vector, the way the programs themselves do."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import Origin, Unparsed

LONG_FLAG = re.compile(r"^--(?P<name>[A-Za-z0-9][A-Za-z0-9_.:-]*)(?:=(?P<value>.*))?$", re.S)
SHORT_FLAG = re.compile(r"^-(?P<name>[A-Za-z0-9?][A-Za-z0-9_-]*)(?:=(?P<value>.*))?$", re.S)
# A flag-like token anywhere in a line: what the "nothing lost" audit looks for. Two dashes at the
# start or after a blank, quote, bracket, comma or "=" (the look-behind: the character before them is
# none other), then a name. It starts with its literal "--": the search jumps from one to the next.
FLAG_TOKEN = re.compile(r"--(?<![^\s\"'`(\[,=]--)[A-Za-z0-9][A-Za-z0-9_.-]*")
TRUNCATION = re.compile(
    r"^\s*(?:#\s*)?(?:-\s+)?(?:[-=_.<\[(]+\s*)?(?:TRUNCATED|truncated|Truncated|snip|SNIP|output truncated|\.\.\.)"
    r"(?:\s*[-=_.>\])]+)?\s*$"
)

# Whether a flag takes a value: True, False (boolean) or None (unknown).
TakesValue = Callable[[str], "bool | None"]


@dataclass(frozen=True)
class ParsedFlag:
    """A flag read from an argument vector: as written with dashes, its value, and the item it came from."""

    origin: Origin
    flag: str  # with dashes
    value: str | None
    index: int = 0  # of the item the flag was read from
    value_index: int | None = None  # of the item the value was read from: ``index`` (--a=b) or the next one (--a b)
    value_text: str | None = None  # the value's text in that item, before one pair of quotes was removed


# The longest line read as a truncation marker: markers are short, and TRUNCATION backtracks
# over its runs of punctuation (quadratic on a long line of dots), so its work stays bounded.
MAX_TRUNCATION_LINE = 200


def is_truncation(line: str) -> bool:
    """``--TRUNCATED--`` and its close variants, at any indentation."""
    marker = line.strip()
    return len(marker) <= MAX_TRUNCATION_LINE and bool(TRUNCATION.match(marker))


def unquote(value: str) -> str:
    """``value`` without one pair of matching surrounding quotes, when it has them."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def subcommand(words: Sequence[str], takes_value: Callable[[str], bool | None] | None = None) -> str | None:
    """The subcommand a program's options depend on: its first run of words that are not options.

    ``kubectl create deployment web --image=nginx -r 3`` gives ``create deployment
    web``, which the catalog's ``create deployment`` covers (its ``-r`` is
    ``--replicas``). Options written before it are passed over, with the next
    word when ``takes_value`` says the option takes one: ``kubectl -n ns logs -f
    pod`` gives ``logs``. ``None`` when there is no such word.
    """
    at = 0
    while at < len(words) and words[at].startswith("-"):
        option = words[at]
        at += 1
        if takes_value is not None and "=" not in option and at < len(words) and takes_value(option):
            at += 1
    lead: list[str] = []
    while at < len(words) and not words[at].startswith("-"):
        lead.append(words[at])
        at += 1
    return " ".join(lead) or None


def parse_argv(
    items: Sequence[tuple[Origin, str]],
    takes_value: TakesValue | None = None,
    *,
    values_may_follow: bool = True,
) -> tuple[list[ParsedFlag], list[tuple[Origin, str]], list[Unparsed]]:
    """Split argv items into flags and positional arguments.

    Handles ``--name=value`` (the value may hold ``=``), ``--name value`` as
    two items, boolean ``--name``, ``-n value``, ``-v=2`` and ``--`` (end of
    options). ``takes_value`` tells, for a flag name with dashes, whether it
    expects a value; when it does not know (a program with no data), a
    following item that is not itself an option is read as the value, as
    most programs read an option followed by a word. Returns (flags,
    positionals, unparsed).
    """
    flags: list[ParsedFlag] = []
    positional: list[tuple[Origin, str]] = []
    unparsed: list[Unparsed] = []
    i = 0
    options_done = False
    while i < len(items):
        origin, raw = items[i]
        item = raw.strip()
        i += 1
        if options_done or not item.startswith("-") or item == "-":
            positional.append((origin, item))
            continue
        if item == "--":
            options_done = True
            continue
        m = LONG_FLAG.match(item) if item.startswith("--") else SHORT_FLAG.match(item)
        if m is None:
            unparsed.append(
                Unparsed(origin.path, origin.line, raw, "not a well-formed flag", "check the flag's spelling")
            )
            continue
        flag = ("--" if item.startswith("--") else "-") + m.group("name")
        value = m.group("value")
        if value is not None:
            flags.append(ParsedFlag(origin, flag, unquote(value), i - 1, i - 1, value))
            continue
        wants = takes_value(flag) if takes_value else None
        if wants is not False and values_may_follow and i < len(items):
            raw_next = items[i][1]
            nxt = raw_next.strip()
            # An option known to take a value takes the next word whatever it is (grep -e --etcd,
            # cut -d " "); an unknown one takes a word that is not itself an option.
            if (nxt or (wants and raw_next)) and nxt != "--" and (wants or not nxt.startswith("-") or _is_number(nxt)):
                text = nxt if nxt else raw_next
                flags.append(ParsedFlag(origin, flag, unquote(text), i - 1, i, text))
                i += 1
                continue
        if wants is True and i >= len(items):
            unparsed.append(
                Unparsed(origin.path, origin.line, raw, f"{flag} expects a value and none follows", "add the value")
            )
            flags.append(ParsedFlag(origin, flag, None, i - 1))
            continue
        flags.append(ParsedFlag(origin, flag, None, i - 1))
    return flags, positional, unparsed


# A negative number (-5, -0.5): a value, not an option. Digits, then an optional dot and digits: linear.
_NUMBER = re.compile(r"^-\d+(\.\d+)?$")


def _is_number(text: str) -> bool:
    return _NUMBER.match(text) is not None


def split_list(value: str | None) -> list[str]:
    """Comma-separated values, as Kubernetes and etcd read them."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]
