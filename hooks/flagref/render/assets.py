"""Static files the build adds to the site (served by the site itself: nothing from a CDN)."""

from __future__ import annotations

from importlib.resources import files

_STATIC = files(__package__).joinpath("static")
STYLESHEET = "assets/flagref/flagref.css"


def read_assets() -> dict[str, str]:
    """Each asset's site path and content, read now: an edit shows on the next ``mkdocs serve`` rebuild."""
    return {STYLESHEET: _STATIC.joinpath("flagref.css").read_text(encoding="utf-8")}
