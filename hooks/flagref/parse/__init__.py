"""Parse: a post's text to its model (front matter, snippets, blocks, commands, manifests, prose).

Parsers never format. Each flag's identity (component, canonical name, catalog
entry) is resolved here, once, and carried by the ``FlagUse`` records.
"""

from __future__ import annotations

from .reader import empty_post, parse_post

__all__ = ["empty_post", "parse_post"]
