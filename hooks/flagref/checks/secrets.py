"""Values that are credentials: masked wherever the site shows them, and reported.

A value that only stands for a credential is not one: a shell variable
(``$token``, ``${TOKEN}``, ``$(cat token)``), a placeholder (``<token>``,
``xxxxx``, ``*****``) or an empty value. Those are shown and copied as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalog import FlagSpec

MASK = "••••••"
# What a reader sees on hover over a masked value.
MASK_REASON = "masked by the site: this looks like a real credential (the post's source still holds it)"
# kubeadm's bootstrap token shape: abcdef.0123456789abcdef
_BOOTSTRAP_TOKEN = re.compile(r"\b[a-z0-9]{6}\.[a-z0-9]{16}\b")
_USER_PASSWORD = re.compile(r"^[^:\s/]+:[^:\s/@]+$")
# One shell expansion: $NAME, ${...} without nested braces, $(...) without nested
# parentheses, or `...`. Each alternative starts with its own fixed prefix and its
# class excludes its own closing character, so every match is linear.
_EXPANSION = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^{}]*\}|\$\([^()]*\)|`[^`]*`")
# What may sit between expansions in a value made of them: $ID.$SECRET, ${USER}:${PASS}.
_GLUE = frozenset(".:/@,=_-")
# A placeholder in angle brackets: <token>, <your-token-here> (no bracket inside).
_ANGLED = re.compile(r"<[^<>]+>")
# Characters a placeholder is written with: xxxxx, XXXX, *****, ••••, and their separators.
_FILLER = frozenset("xX*•")
_FILLER_GLUE = frozenset(".:-_ ")


def mask_values(text: str, values: Iterable[str | None]) -> str:
    """``text`` (a command line) with each of the credential ``values`` in it shown as :data:`MASK`.

    Longest first, so that no part of a value that holds another survives.
    """
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def is_placeholder(value: str) -> bool:
    """Whether ``value`` only stands for a credential: empty, shell expansions, ``<token>`` or ``xxxx``/``****``.

    Quotes around the value are the shell's, not the value's.
    """
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    if not text:
        return True
    if "$" in text or "`" in text:
        rest = _EXPANSION.sub("", text)
        if len(rest) < len(text) and set(rest) <= _GLUE:
            return True
    if _ANGLED.fullmatch(text):
        return True
    # Three filler characters at least: a lone "x" may be a real (if weak) value.
    return set(text) - _FILLER_GLUE <= _FILLER and sum(c in _FILLER for c in text) >= 3


def is_secret(spec: FlagSpec | None, name: str, value: str | None, secret_names: frozenset[str]) -> bool:
    """Whether ``value`` of the flag ``name`` (canonical, catalog entry ``spec``) must not be shown.

    The catalog marks credential flags (``secret: true``); a flag it does not
    describe is a credential when a catalogued credential flag has its name
    (``secret_names``: ``--token`` in the prose). Values shaped like a kubeadm
    bootstrap token and ``--user name:password`` are credentials anywhere.
    A placeholder (``is_placeholder``) never is.
    """
    if not value or is_placeholder(value):
        return False
    if spec.secret if spec is not None else name in secret_names:
        return True
    if _BOOTSTRAP_TOKEN.search(value):
        return True
    return name in {"user", "u"} and bool(_USER_PASSWORD.match(value))
