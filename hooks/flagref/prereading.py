"""Posts read in a second process while MkDocs starts up.

Reading the posts is the flag layer's largest cost in the build's own process
(about 2 ms a post, 2 s at 1,000 posts), and it is waited for: MkDocs needs the
generated pages' names from ``on_files``. Before that event MkDocs spends most
of a second walking the docs folder, on one core, while the second idles.

A ``Prereader`` is forked just before (``on_pre_build``, with the catalog, the
programs and the snippets loaded, so the child reads with the very objects the
build reads with). The child reads the posts it finds on disk from the first;
the build, once MkDocs has listed the files, reads them from the last, and both
stop where they meet: each claims a post in shared memory before reading it.
The child sends what it read in batches, pickled, under the key the post
cache uses (path, and a digest of the text and of everything the reading
depends on). So a post whose text changed in between, or that MkDocs does not
list, is not taken; and a post the child did not send (it failed, was killed,
or lost a race for the last post) is read by the build as before. Posts the
build takes from memory or from the post store are not read at all.

The catalog's flag entries travel as references (``records``): the child holds
the same objects at the same places, so each use still points at the one
catalog entry resolved when it was read, and nothing is resolved again.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import records
from .catalog import Catalog
from .checks import check_post
from .checks.rules import Rule
from .checks.verdicts import Relation
from .model import Diagnostic, Post
from .parse.programs import Programs
from .parse.snippets import SnippetSource
from .site import SourceFile, _read_post, post_key

# Below this many posts a second process costs more than it saves (forking one takes a few milliseconds).
MIN_POSTS = 50

# Posts sent together: one pickle, one message.
BATCH = 32

# How long the build waits for the child's next batch before reading the rest itself.
TIMEOUT_SECONDS = 60.0

Key = tuple[str, str]
# A post read by the child: its key, its model, and its checks (relations and violations).
Read = tuple[Key, Post, list[Relation], list[Diagnostic]]


@dataclass(frozen=True)
class PostFile:
    """A post on disk: its ``src_uri``, the path diagnostics show, and where to read it."""

    src_uri: str
    display_path: str
    path: Path


def _child(
    files: Sequence[PostFile],
    writer,
    claims,
    cached: frozenset[Key],
    snippets: SnippetSource | None,
    catalog: Catalog,
    programs: Programs,
    rules: Sequence[Rule],
    fingerprint: str,
) -> None:
    """Read ``files`` from the first until the build has claimed the next; send them in batches.

    The build reads nothing until MkDocs hands it the files, and a pipe holds
    64 KiB: a thread sends the batches, so reading goes on meanwhile.
    """
    gc.disable()  # a short life: what it makes is sent, then the process ends
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which stops this child
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send, args=(outbox, writer), name="flagref-prereader-send")
    sender.start()
    batch: list[Read] = []
    try:
        for i, file in enumerate(files):
            claims[0] = i + 1
            if i >= claims[1]:  # the build has read it, or is reading it
                break
            try:
                with file.path.open(encoding="utf-8-sig") as read:  # as MkDocs reads it
                    text = read.read()
            except (OSError, UnicodeDecodeError):
                continue  # the build reads it too, and says what is wrong with it
            source = SourceFile(file.src_uri, file.display_path, text)
            key = post_key(source, fingerprint)
            if key in cached:
                continue
            post = _read_post(source, snippets, catalog, programs)
            batch.append((key, post, *check_post(post, catalog, rules)))
            if len(batch) >= BATCH:
                _post(outbox, batch)
                batch = []
        _post(outbox, batch)
    finally:
        outbox.put(None)
        sender.join()


def _send(outbox: queue.SimpleQueue[bytes | None], writer) -> None:
    """In the child: send each batch until the last (``None``); the build may stop reading at any time."""
    try:
        while (message := outbox.get()) is not None:
            writer.send_bytes(message)
    except OSError:  # the build stopped reading (a failed build): the child ends
        pass
    finally:
        writer.close()


def _post(outbox: queue.SimpleQueue[bytes | None], batch: list[Read]) -> None:
    """Queue ``batch`` for sending; one that cannot be pickled is not sent, and the build reads its posts."""
    if not batch:
        return
    try:
        message = records.dumps(batch)
    except records.UNWRITABLE:  # front matter nested too deep, say
        return
    outbox.put(message)


class Prereader:
    """A child process reading posts from the first while the build reads them from the last."""

    def __init__(
        self,
        files: Sequence[PostFile],
        *,
        snippets: SnippetSource | None,
        catalog: Catalog,
        programs: Programs,
        rules: Sequence[Rule],
        fingerprint: str,
        cached: frozenset[Key] = frozenset(),
    ) -> None:
        self.files = list(files)
        self.catalog, self.rules = catalog, rules  # what the child's checks were made with
        # Posts taken from the child, for the build's log and the tests.
        self.received = 0
        # The child's checks of the posts it read (``check_post``), by key.
        self.checked: dict[Key, tuple[list[Relation], list[Diagnostic]]] = {}
        records.share(catalog, rules)  # the child is forked with the table, and sends by it
        context = multiprocessing.get_context("fork")
        # [the child's next post, the build's last claimed post]: each writes one, reads the other.
        self._claims = context.RawArray("q", [0, len(self.files)])
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child,
            args=(self.files, writer, self._claims, cached, snippets, catalog, programs, rules, fingerprint),
            name="flagref-prereader",
            daemon=True,
        )
        self._process.start()
        writer.close()  # the child's end: its exit is the end of the stream

    @staticmethod
    def usable(count: int) -> bool:
        """Whether a child is worth it and possible: enough posts, and ``fork`` on this platform."""
        return count >= MIN_POSTS and "fork" in multiprocessing.get_all_start_methods()

    @property
    def claimed(self) -> int:
        """How many posts, from the first, the child has claimed so far."""
        return self._claims[0]

    def read(self, pending: Sequence[tuple[SourceFile, Key]], read: Callable[[SourceFile], Post]) -> dict[Key, Post]:
        """The posts of ``pending`` read here (with ``read``, from the last) or by the child, by key.

        A post missing from the result is for the caller to read: the child
        did not send it, or its text is not the one the child read. The
        child's checks of the posts it sent are in ``checked``.
        """
        wanted = {source.src_uri: (source, key) for source, key in pending}
        got: dict[Key, Post] = {}
        claims = self._claims
        for j in range(len(self.files) - 1, -1, -1):
            claims[1] = j
            if j < claims[0]:  # the child has it
                break
            found = wanted.get(self.files[j].src_uri)
            if found is not None and found[1] not in got:  # the child may have sent it (a race)
                got[found[1]] = read(found[0])
            self._receive(got, 0)  # the child waits while its batch is not read
        self._receive(got, TIMEOUT_SECONDS)
        self.close()
        return got

    def _receive(self, got: dict[Key, Post], timeout: float) -> None:
        """Take the batches sent so far (``timeout`` 0), or all of them until the child ends."""
        while self._reader is not None and self._reader.poll(timeout):
            try:
                batch = records.loads(self._reader.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):  # the child ended (or broke): the build reads the rest
                self._reader.close()
                self._reader = None
                return
            for key, post, relations, violations in batch:
                if key not in got:  # else both read it (a race for the last one): the build's is kept
                    got[key] = post
                    self.checked[key] = (relations, violations)
            self.received += len(batch)

    def close(self) -> None:
        """Stop the child, if it still runs (a build that failed before ``on_files``)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(5)
