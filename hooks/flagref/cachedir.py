"""Where flagref keeps what it computed from files, keyed by their content, between runs.

Two things live there: ``flagref lookup``'s records of a docs folder, and
the catalog as read (``catalog.loader``). Each is found by a digest of what
it was made from, so an edit is never answered from the cache; a file there
that cannot be read is ignored, and the answer computed again.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path


def default_cache_dir() -> Path:
    """``$FLAGREF_CACHE_DIR``, else ``$XDG_CACHE_HOME/flagref``, else ``~/.cache/flagref``."""
    if os.environ.get("FLAGREF_CACHE_DIR"):
        return Path(os.environ["FLAGREF_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flagref"


@functools.cache
def code_digest() -> str:
    """A digest of the package's own source files: what is cached was made by this very code, or it is not used.

    By each file's size and time, as ``flagref lookup`` keys its records:
    any edit changes them, and hashing the text would cost more than a
    cached answer saves.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()
