"""Static files the build adds to the site (served by the site itself: nothing from a CDN)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib.resources import files

_STATIC = files(__package__).joinpath("static")
STYLESHEET = "assets/flagref/flagref.css"
LOOKUP_STYLESHEET = "assets/flagref/flagref-lookup.css"
LOOKUP_SCRIPT = "assets/flagref/flagref-lookup.js"
STYLESHEETS = (STYLESHEET, LOOKUP_STYLESHEET)
SCRIPTS = (LOOKUP_SCRIPT,)
# Replaced in the script by the catalog's environment prefixes, as a JSON list.
_ENV_PREFIXES = "__FLAGREF_ENV_PREFIXES__"


def read_assets(env_prefixes: Iterable[str] = ()) -> dict[str, str]:
    """Each asset's site path and content, read now: an edit shows on the next ``mkdocs serve`` rebuild.

    ``env_prefixes`` (``ETCD_``...) let the search read ``ETCD_DATA_DIR`` as ``--data-dir``.
    """
    script = _STATIC.joinpath("flagref-lookup.js").read_text(encoding="utf-8")
    return {
        STYLESHEET: _STATIC.joinpath("flagref.css").read_text(encoding="utf-8"),
        LOOKUP_STYLESHEET: _STATIC.joinpath("flagref-lookup.css").read_text(encoding="utf-8"),
        LOOKUP_SCRIPT: script.replace(_ENV_PREFIXES, json.dumps(sorted(set(env_prefixes)))),
    }
