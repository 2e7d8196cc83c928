"""Verify: prove a post's etcd wiring against the installed etcd (``flagref verify etcd``, ``extra: flagref: verify``).

Off by default: a plain build needs no etcd. :func:`verify_posts` is the whole
API the site and the command need; it starts real processes, so only call it
when verification was asked for.
"""

from __future__ import annotations

from .etcd import Binaries, Unavailable, find_binaries, verify_posts, verify_wiring
from .model import Claim, Note, Rewrite, VerifyResult
from .report import read_posts, render_text

__all__ = [
    "Binaries",
    "Claim",
    "Note",
    "Rewrite",
    "Unavailable",
    "VerifyResult",
    "find_binaries",
    "read_posts",
    "render_text",
    "verify_posts",
    "verify_wiring",
]
