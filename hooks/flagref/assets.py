"""Static files the build adds to the site (served by the site itself: nothing from a CDN)."""

from __future__ import annotations

from importlib.resources import files

_HERE = files(__package__).joinpath("static")

ASSETS: dict[str, str] = {
    "assets/flagref/flagref.css": _HERE.joinpath("flagref.css").read_text(encoding="utf-8"),
}
