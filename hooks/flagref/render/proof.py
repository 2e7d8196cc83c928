"""The line under a post's etcd table saying whether its wiring was proven against a real etcd."""

from __future__ import annotations

from .text import esc


def render_proof(summary: str, ok: bool) -> str:
    """``proven against etcd 3.4.23 on 2026-12-01``, or what failed, as an admonition-styled note."""
    kind = "success" if ok else "failure"
    title = "Wiring proven" if ok else "Wiring not proven"
    return (
        f'<div class="admonition {kind} flagref-proof"><p class="admonition-title">{title}</p>'
        f"<p>{esc(summary)}</p></div>"
    )
