"""Static files the build adds to the site (served by the site itself: nothing from a CDN)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib.resources import files

_STATIC = files(__package__).joinpath("static")
STYLESHEET = "assets/flagref/flagref.css"
LOOKUP_STYLESHEET = "assets/flagref/flagref-lookup.css"
LOOKUP_SCRIPT = "assets/flagref/flagref-lookup.js"
STYLESHEETS = (STYLESHEET, LOOKUP_STYLESHEET)
SCRIPTS = (LOOKUP_SCRIPT,)
# The site search's worker: Material's search box hands it the queries (see the theme's main.html).
SEARCH_WORKER = "assets/flagref/search-worker.js"
# Replaced in the worker by the catalog's environment prefixes, as a JSON list.
_ENV_PREFIXES = "__FLAGREF_ENV_PREFIXES__"


def read_assets(env_prefixes: Iterable[str] = ()) -> dict[str, str]:
    """Each asset's site path and content, read now: an edit shows on the next ``mkdocs serve`` rebuild.

    ``env_prefixes`` (``ETCD_``...) let the search read ``ETCD_DATA_DIR`` as ``--data-dir``.
    """
    worker = _STATIC.joinpath("search-worker.js").read_text(encoding="utf-8")
    return {
        STYLESHEET: _STATIC.joinpath("flagref.css").read_text(encoding="utf-8"),
        LOOKUP_STYLESHEET: _STATIC.joinpath("flagref-lookup.css").read_text(encoding="utf-8"),
        LOOKUP_SCRIPT: _STATIC.joinpath("flagref-lookup.js").read_text(encoding="utf-8"),
        SEARCH_WORKER: worker.replace(_ENV_PREFIXES, json.dumps(sorted(set(env_prefixes)))),
    }


def asset_version(content: str) -> str:
    """A short digest of an asset's content: appended to its URL so that browsers fetch it again when it changes."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]
