"""The posts as read, kept on disk between runs: a post read before is not read again.

Reading a post (the engine, then the relation checks) costs about 3 ms, and
the build waits for every post to be read before MkDocs renders a page: at
1,000 posts that is most of the flag layer's time in the build's own process.
Most builds read the posts the last one read: the author edited one, or none
(the site built again, ``mkdocs serve`` started again). A post taken back from
the store costs a tenth of its reading.

One file (a pack) per docs folder and reading context. Its name is a digest
of the folder, of everything a post's reading depends on besides its own text
(the snippets, the catalog, the engine's data: ``site.site_fingerprint``), of
the table the catalog entries and rules are written by (``records.share``),
and of the code (``cachedir.code_digest``): a change to any of them is a new
pack, never an old answer. In it each post is kept under the key the build
caches it by (its path, and a digest of its text and that fingerprint), as
bytes of its own (``records``), the key first: an entry that cannot be
read, or that is another key's (a pack replaced by another run between
reading its index and its entries), is read again from the post; the others
are used. The entries come first, then their index (key -> offset and
length), then where the index starts: a build reads the index, then the
entries it takes, one at a time; nothing holds the whole pack in memory
(16 MB at 1,000 posts).

A pack is written whole or not at all (a new file moved into place) by a
build that read a post the pack did not hold, in the decoration worker when
there is one (off the build's path), and holds that build's posts alone. The
newest ``KEPT`` packs stay. The store is a cache: a file that cannot be read
or written costs time, never a result.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import struct
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from . import records
from .cachedir import code_digest, default_cache_dir, keep_newest, write_whole
from .catalog import Catalog
from .checks.rules import Rule
from .checks.verdicts import Relation
from .model import Diagnostic, Post

Key = tuple[str, str]
# A post as read: its model, and its checks (relations and violations).
Entry = tuple[Post, list[Relation], list[Diagnostic]]

# The store's folder in the cache folder, and how many packs stay (one a docs folder and context).
FOLDER = "posts"
KEPT = 8
# The end of a pack: where its index starts, and a mark of this format.
TRAILER = struct.Struct("<Q8s")
MARK = b"flagref1"
# An entry's place in the pack: offset and length in bytes.
Place = tuple[int, int]


class PostStore:
    """The pack of one docs folder read with one catalog, rules, snippets and engine."""

    def __init__(self, path: Path, catalog: Catalog, rules: Sequence[Rule]) -> None:
        self.path = path
        # What its entries were written with: a build reading with other objects does not use them.
        self.catalog, self.rules = catalog, rules
        self._index: dict[Key, Place] | None = None

    @classmethod
    def for_site(
        cls,
        docs_dir: Path,
        fingerprint: str,
        catalog: Catalog,
        rules: Sequence[Rule],
        cache_dir: Path | None = None,
    ) -> PostStore:
        """The store of the posts of ``docs_dir`` read with ``fingerprint`` (``site_fingerprint``), catalog and rules."""
        signature = records.share(catalog, rules)
        parts = (str(Path(docs_dir).resolve()), fingerprint, signature, code_digest())
        name = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]
        return cls((cache_dir or default_cache_dir()) / FOLDER / f"{name}.pack", catalog, rules)

    def usable(self, catalog: Catalog, rules: Sequence[Rule]) -> bool:
        """Whether a build reading with ``catalog`` and ``rules`` may take posts from here and write them."""
        return catalog is self.catalog and rules is self.rules

    def keys(self) -> frozenset[Key]:
        """The keys of the posts kept."""
        return frozenset(self._read_index())

    def take(self, keys: Iterable[Key]) -> dict[Key, Entry]:
        """The posts kept under ``keys``, with their checks; a key missing or unreadable is left out."""
        index = self._read_index()
        wanted = sorted((index[key], key) for key in set(keys) if key in index)  # in the file's order
        out: dict[Key, Entry] = {}
        if not wanted:
            return out
        records.share(self.catalog, self.rules)  # what the entries were written by
        try:
            with self.path.open("rb") as file:
                for (at, size), key in wanted:
                    file.seek(at)
                    data = file.read(size)
                    try:
                        kept = records.loads(data)
                    except Exception:  # noqa: BLE001 - a damaged entry: the post is read again
                        continue
                    if _is_entry(kept, key):  # written under its own key: not another's, by a pack replaced since
                        out[key] = kept[1:]
        except OSError:  # the pack went away meanwhile: what was taken is used, the rest read
            return out
        return out

    def missing(self, keys: Iterable[Key]) -> bool:
        """Whether some of ``keys`` is not kept: a pack written now would hold more."""
        index = self._read_index()
        return any(key not in index for key in keys)

    def write(self, entries: Iterable[tuple[Key, Entry]]) -> bool:
        """Keep exactly ``entries`` (a build's posts); whether the pack was written.

        An entry the pack holds already is copied as its bytes, not written
        again; one that cannot be written is left out (read again next time).
        """
        records.share(self.catalog, self.rules)
        old = self._read_index()
        index: dict[Key, Place] = {}

        def write(file: BinaryIO) -> None:
            with _open_or_none(self.path) as source:
                for key, entry in entries:
                    data = _read_at(source, old[key]) if source is not None and key in old else None
                    if data is None:
                        try:
                            data = records.dumps((key, *entry))
                        except records.UNWRITABLE:
                            continue
                    index[key] = (file.tell(), len(data))
                    file.write(data)
            at = file.tell()
            file.write(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
            file.write(TRAILER.pack(at, MARK))

        if not write_whole(self.path, write):
            return False
        self._index = index
        keep_newest(self.path.parent, KEPT, "*.pack")
        return True

    def _read_index(self) -> dict[Key, Place]:
        if self._index is None:
            self._index = _read_index(self.path)
        return self._index


def _read_index(path: Path) -> dict[Key, Place]:
    """The index of the pack at ``path``; empty when there is no pack or it cannot be read."""
    try:
        with path.open("rb") as file:
            end = file.seek(0, 2)
            if end < TRAILER.size:
                return {}
            file.seek(end - TRAILER.size)
            at, mark = TRAILER.unpack(file.read(TRAILER.size))
            if mark != MARK or at > end - TRAILER.size:
                return {}
            file.seek(at)
            index = pickle.loads(file.read(end - TRAILER.size - at))
    except Exception:  # noqa: BLE001 - cut short, or written by another version: the posts are read
        return {}
    if not isinstance(index, dict):
        return {}
    return {key: place for key, place in index.items() if _is_key(key) and _is_place(place, at)}


def _is_key(key: object) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and all(isinstance(part, str) for part in key)


def _is_place(place: object, end: int) -> bool:
    """Whether ``place`` is an (offset, length) within the entries, which end at ``end``."""
    return (
        isinstance(place, tuple)
        and len(place) == 2
        and all(type(n) is int and n >= 0 for n in place)
        and place[0] + place[1] <= end
    )


def _is_entry(kept: object, key: Key) -> bool:
    """Whether ``kept`` is an entry as ``write`` writes it, under ``key``: the key, the post and its checks."""
    return (
        isinstance(kept, tuple)
        and len(kept) == 4
        and kept[0] == key
        and isinstance(kept[1], Post)
        and isinstance(kept[2], list)
        and isinstance(kept[3], list)
    )


@contextlib.contextmanager
def _open_or_none(path: Path) -> Iterator[BinaryIO | None]:
    """The pack at ``path`` open for reading, or ``None`` when it cannot be opened."""
    try:
        file = path.open("rb")
    except OSError:
        yield None
        return
    with file:
        yield file


def _read_at(file: BinaryIO, place: Place) -> bytes | None:
    """The bytes of an entry of the pack; ``None`` when they cannot be read whole."""
    at, size = place
    try:
        file.seek(at)
        data = file.read(size)
    except OSError:
        return None
    return data if len(data) == size else None
