"""Where flagref keeps what it computed from files, keyed by their content, between runs.

Three things live there: ``flagref lookup``'s records of a docs folder, the
catalog as read (``catalog.loader``), and the posts as read (``poststore``). Each is found by a digest of what
it was made from, so an edit is never answered from the cache; a file there
that cannot be read is ignored, and the answer computed again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def default_cache_dir() -> Path:
    """``$FLAGREF_CACHE_DIR``, else ``$XDG_CACHE_HOME/flagref``, else ``~/.cache/flagref``."""
    if os.environ.get("FLAGREF_CACHE_DIR"):
        return Path(os.environ["FLAGREF_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flagref"


@functools.cache
def code_digest() -> str:
    """A digest of the package's own source files: what is cached was made by this very code, or it is not used."""
    return source_digest(Path(__file__).resolve().parent)


def source_digest(package: Path) -> str:
    """A digest of the names and contents of the ``*.py`` files under ``package``.

    By content, not by the files' times: a checkout (a CI job restoring the
    cache folder of its last run) writes every file anew, and the cache must
    still be found. Reading the package's 0.7 MB takes about 6 ms, once a run.
    """
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_whole(path: Path, data: bytes | Callable[[BinaryIO], None]) -> bool:
    """Write ``data``, or what ``data(file)`` writes, to ``path`` whole or not at all; whether it was.

    Written to a file beside it, moved into place once complete: a reader
    sees the last whole file or this one, never a part.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=path.stem, suffix=".part", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as file:
            if callable(data):
                data(file)
            else:
                file.write(data)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            return False
        raise
    return True


def keep_newest(folder: Path, kept: int, pattern: str = "*.pickle") -> None:
    """Remove all but the newest ``kept`` files of ``folder`` whose names match ``pattern``."""
    with contextlib.suppress(OSError):
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in files[kept:]:
            old.unlink()
