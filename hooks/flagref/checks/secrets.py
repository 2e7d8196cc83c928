"""Values that are credentials: masked wherever the site shows them, and reported."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalog import FlagSpec

MASK = "••••••"
# kubeadm's bootstrap token shape: abcdef.0123456789abcdef
_BOOTSTRAP_TOKEN = re.compile(r"\b[a-z0-9]{6}\.[a-z0-9]{16}\b")
_USER_PASSWORD = re.compile(r"^[^:\s/]+:[^:\s/@]+$")


def is_secret(spec: FlagSpec | None, name: str, value: str | None, secret_names: frozenset[str]) -> bool:
    """Whether ``value`` of the flag ``name`` (canonical, catalog entry ``spec``) must not be shown.

    The catalog marks credential flags (``secret: true``); a flag it does not
    describe is a credential when a catalogued credential flag has its name
    (``secret_names``: ``--token`` in the prose). Values shaped like a kubeadm
    bootstrap token and ``--user name:password`` are credentials anywhere.
    """
    if not value:
        return False
    if spec.secret if spec is not None else name in secret_names:
        return True
    if _BOOTSTRAP_TOKEN.search(value):
        return True
    return name in {"user", "u"} and bool(_USER_PASSWORD.match(value))
