"""Text helpers for the renderers. Untrusted text goes through ``esc`` (HTML) or ``md_text`` (Markdown)."""

from __future__ import annotations

import html
import re

# Characters with a meaning in Markdown inline syntax.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def esc(text: object) -> str:
    """Escape text for HTML element content and quoted attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def md_text(text: object) -> str:
    """Text for a Markdown line (a heading, a link label): escaped for both."""
    return _MD_SPECIAL.sub(r"\\\1", esc(text))
