"""The search broker: a small process that feeds Pagefind the site's documents, a shard at a time.

Run by ``searchindex.SearchIndexer`` as a fresh interpreter (``python -I
searchbroker.py JOB``), not forked from the build: a process started from
another counts that one's peak memory as its own, and the build's is the
largest of the site. It reads the documents on its standard input (``FRAME``
each), is told on a pipe (``JOB["control"]``) when no more are coming
(``start``) or that the run is over (``stop``), and writes one line of JSON on
its standard output: what came of the index.

Pagefind holds every page's words until it writes its index, so one index
grows with the site. Given a budget (``JOB["budget"]``, bytes; ``None``: one
index), the broker splits it into shards whose estimated memory is bounded,
each indexed by a Pagefind process of its own, which writes its files as soon
as the shard is full and is stopped. Pagefind ranks the pages of each shard
by that shard's own statistics, so a split index ranks differently: that is
the price of the bound.

Pagefind writes a file for every page it indexes. Where making a file costs
the kernel most of a millisecond (as on the machines this project is built
on), writing them once the index is built kept the build waiting, and held
up the build's own writes of the site's pages. A thread of the broker makes
the files beforehand, empty, while the build converts Markdown and writes
nothing (``_Spares``), and each is moved into place once its name and content
are known.

Standard library only, and nothing from the package: it runs as a script.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePosixPath

# Pagefind's memory (1.4), measured on the documents of the generated corpus (a post's without its
# flag tables, ``render.search.without_excluded``): about 9 MiB, then 3 KiB a document and 9 bytes a
# byte of its HTML (250 posts: 34 MiB; 500: 60; the 1,357 flag records: 24; 1,000 posts and their
# records in one index: 126). A shard is full once its documents are estimated to cost the budget.
DOCUMENT_COST = 3 << 10
BYTE_COST = 9
# Where the shards after the first are written, under the bundle folder, and the file that lists them.
SHARDS_FOLDER = "shards"
SHARDS_LISTING = "flagref-shards.json"
# A document as the broker reads it: whether it is primary, the lengths of its path and its HTML (UTF-8), then both.
FRAME = struct.Struct("<?II")
# What the broker reads ahead of Pagefind: beyond it, senders wait (a Pagefind that stops reading holds no more).
_AHEAD = 32 << 20
# Empty files made ahead for Pagefind's: one a page (its fragment), and some for the index's chunks,
# filters and scripts (1,000 posts and their flag records: 2,357 pages, 2,443 files).
SPARES_PER_PAGE = 1.05
SPARES_MORE = 64
# The folder of the empty files, in the bundle's folder (so a move stays on one file system).
SPARES_FOLDER = "flagref-spare"


def main(argv: list[str]) -> int:
    """Run the job given as JSON in ``argv[1]``; below the build's priority."""
    job = json.loads(argv[1])
    os.set_blocking(0, False)
    # Pagefind's processes inherit the niceness. Not the idle scheduling class: it ran as fast, but
    # starved for minutes while other programs kept both cores busy, and a build waits for its index.
    with contextlib.suppress(OSError):
        os.nice(19)
    report = _Broker(job).run()
    if report is not None:
        sys.stdout.write(json.dumps(report) + "\n")
        sys.stdout.flush()
    return 0


class _Broker:
    """Reads documents from the build, routes each to a shard's Pagefind, writes the shards' files.

    Pagefind's service mode reads requests on its standard input (base64 JSON,
    each followed by a comma) and answers on its standard output the same way.
    Nothing here blocks: one ``select`` loop reads the build's documents, writes
    the requests as each Pagefind takes them, and reads the answers. A shard
    is full once its estimated memory reaches the budget; it is then asked for
    its files (``GetFiles``: Pagefind's own request to write them answers
    before its writes end, and under load left ``pagefind-entry.json`` empty),
    which are written here, and its Pagefind is stopped. The next page opens a
    new shard. The first shard takes the pages until it is full, and the
    primary documents whatever its size.
    """

    def __init__(self, job: dict) -> None:
        self.job = job
        self.requests = 0  # standard input
        self.control = job["control"]
        self.orders = bytearray()  # read from the control pipe, not yet a whole line
        self.output = Path(job["output"])
        self.services: list[_Service] = []
        self.primary = self._open(self.output, 0)
        self.current: _Service | None = None  # the shard taking pages after the first
        self.frames = bytearray()  # read from the build, not yet a whole document
        self.ended = False  # every document is in
        self.routed = 0  # documents routed to a shard
        self.spares = _Spares(self.output / SPARES_FOLDER)

    def _open(self, folder: Path, number: int) -> _Service:
        service = _Service(self.job, folder, number)
        self.services.append(service)
        return service

    def run(self) -> dict | None:
        """Feed Pagefind until every document is in and every shard written; the report (``None``: stopped)."""
        while True:
            live = [s for s in self.services if not s.done]
            if self.ended and not live:
                return self.finish()
            # The build's orders are read until the end: a serve rebuild that starts while the index
            # is written stops it at once (it waited for the index, or 10 s, before it could start).
            readers: list[int] = [s.answers for s in live] + [self.control]
            if not self.ended and sum(s.queued for s in live) < _AHEAD:
                readers.append(self.requests)
            writers = [s.stdin for s in live if s.queued]
            ready, writable, _ = select.select(readers, writers, [], 1.0)
            if os.getppid() != self.job["parent"]:  # the build is gone: nobody wants the index
                self.stop()
                return None
            for service in live:
                if service.stdin in writable:
                    service.flush()
            for order in self.order() if self.control in ready else ():
                if order == "stop":
                    self.stop()
                    return None
                if order == "start" and not self.ended:
                    self.read(until_empty=True)  # every document was written before the build said so
                    self.ended = True
                    # The index's files are on their way: the disk is theirs.
                    self.spares.want(0)
                    for service in self.services:
                        service.closing = True
            if not self.ended and self.requests in ready:
                self.read()
            for service in live:
                if service.answers in ready:
                    service.receive(self.spares)
                service.advance()
            # Files are made ahead only while Pagefind has every page it was sent: they cost the kernel
            # time it would take from Pagefind (at 300 posts it lagged 0.5 s behind the pages).
            self.spares.allow(all(s.answered >= s.adds and not s.queued for s in live))

    def order(self) -> list[str]:
        """The build's orders that came (``start``, ``stop``), in turn; an ended pipe is ``stop``."""
        chunk = os.read(self.control, 256)
        if not chunk:
            return ["stop"]
        self.orders += chunk
        *lines, rest = bytes(self.orders).split(b"\n")
        self.orders = bytearray(rest)
        return [line.decode("ascii", "replace") for line in lines]

    def read(self, until_empty: bool = False) -> None:
        """Take what the build wrote, and route each whole document."""
        while True:
            try:
                chunk = os.read(self.requests, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                break
            self.frames += chunk
            if not until_empty:
                break
        at = 0
        frames = self.frames
        while len(frames) - at >= FRAME.size:
            primary, name, size = FRAME.unpack_from(frames, at)
            end = at + FRAME.size + name + size
            if end > len(frames):
                break
            path = frames[at + FRAME.size : at + FRAME.size + name].decode("utf-8", "surrogatepass")
            document = frames[at + FRAME.size + name : end].decode("utf-8", "surrogatepass")
            self.route(primary, path, document, size)
            at = end
        del frames[:at]

    def route(self, primary: bool, path: str, document: str, size: int) -> None:
        if self.primary.done:
            return  # the first shard failed: the site has no index, and its problem says so once
        budget = self.job["budget"]  # None: one index, whatever its size
        if primary or (self.current is None and (budget is None or self.primary.weight < budget)):
            target = self.primary
        else:
            if self.current is None or self.current.closing:
                number = len(self.services)
                self.current = self._open(self.output / SHARDS_FOLDER / str(number), number)
            target = self.current
        target.add(path, document, size)
        self.routed += 1
        self.spares.want(int(self.routed * SPARES_PER_PAGE) + SPARES_MORE)
        if target is self.current and target.weight >= budget:
            target.closing = True  # full: its files are asked for once it answered every page

    def stop(self) -> None:
        for service in self.services:
            service.end(stopped=True)
        self.spares.remove()

    def finish(self) -> dict:
        """Every shard is written (or failed): list the shards for the search worker, and report."""
        self.spares.remove()
        indexed = sum(s.indexed for s in self.services)
        problems = [p for s in self.services for p in s.problems]
        shards = [s for s in self.services if s.written and s is not self.primary]
        if self.primary.written:
            listing = {"shards": [f"{SHARDS_FOLDER}/{s.number}/" for s in shards]}
            try:
                self.output.mkdir(parents=True, exist_ok=True)
                (self.output / SHARDS_LISTING).write_text(json.dumps(listing), encoding="utf-8")
            except OSError as exc:
                problems.append(
                    f"search: could not write {self.output / SHARDS_LISTING} ({exc}); only part of the site is searched"
                )
        return {
            "indexed": indexed,
            "problems": problems,
            "shards": len(shards) + self.primary.written,
            "largest": max((s.peak for s in self.services), default=0),
        }


class _Service:
    """One shard's Pagefind process, as the broker drives it: requests queued, written as it takes them."""

    def __init__(self, job: dict, folder: Path, number: int) -> None:
        self.job = job
        self.folder = folder
        self.number = number  # 0: the first shard, whose files include Pagefind's scripts
        self.weight = 0  # the memory its documents are estimated to cost Pagefind
        self.adds = self.answered = self.indexed = self.messages = 0
        # The pages sent and not yet answered, by request number: an error names its page.
        self.paths: dict[int, str] = {}
        self.closing = False  # no more documents for it: its files are asked for once every one is answered
        self.asked = False
        self.written = False
        self.done = False
        self.peak = 0  # its largest resident memory (bytes), once it ended
        self.problems: list[str] = []
        self.out: collections.deque[memoryview] = collections.deque()
        self.queued = 0  # bytes in ``out``
        self.pending = bytearray()  # answers read, not yet a whole one
        self.scanned = 0  # bytes of ``pending`` known to hold no comma: each byte is searched once
        self.stdin = self.answers = -1
        try:
            with open(job["log"], "ab") as log:
                self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
                    [job["binary"], "--service"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    env=_pagefind_env(),
                )
        except OSError as exc:
            self.process = None
            self.done = True
            self.problems.append(
                f"search: Pagefind ({job['binary']}) could not be started ({exc.strerror}), {self.lost()}; "
                "install the project's dependencies (pip install pagefind-bin)"
            )
            return
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin.fileno()
        os.set_blocking(self.stdin, False)
        self.answers = self.process.stdout.fileno()
        self._queue({"type": "NewIndex", "config": job["config"]})

    def _queue(self, payload: dict) -> None:
        self.messages += 1
        request = {"message_id": self.messages, "payload": payload}
        data = memoryview(base64.b64encode(json.dumps(request).encode("ascii")) + b",")
        self.out.append(data)
        self.queued += len(data)

    def add(self, path: str, document: str, size: int) -> None:
        self.weight += DOCUMENT_COST + BYTE_COST * size
        if self.done:
            return  # it failed: its problem says so, once
        self.adds += 1
        self._queue({"type": "AddFile", "index_id": 0, "file_path": path, "file_contents": document})
        self.paths[self.messages] = path

    def flush(self) -> None:
        """Write what Pagefind takes now."""
        while self.out:
            head = self.out[0]
            try:
                n = os.write(self.stdin, head)
            except BlockingIOError:
                return
            except OSError:  # it exited: its output ends next, and says how
                self.out.clear()
                self.queued = 0
                return
            self.queued -= n
            if n == len(head):
                self.out.popleft()
            else:
                self.out[0] = head[n:]

    def advance(self) -> None:
        """A full shard whose every page is answered: ask for its files."""
        if self.closing and not self.asked and not self.done and self.answered >= self.adds:
            self.asked = True
            self._queue({"type": "GetFiles", "index_id": 0})

    def receive(self, spares: _Spares) -> None:
        """Read its answers: count the pages indexed; write the files once they come (into ``spares``)."""
        chunk = os.read(self.answers, 1 << 16)
        if not chunk:
            self.end()  # it ended before its files came
            return
        self.pending += chunk
        while (end := self.pending.find(b",", self.scanned)) >= 0:
            message = bytes(self.pending[:end])
            del self.pending[: end + 1]
            self.scanned = 0
            number, payload = _answer(message, self.problems)
            kind = payload.get("type") if payload is not None else None
            if kind == "GetFiles":
                assert payload is not None
                files = payload.get("files") or []
                self.problems.extend(_write_bundle(self.folder, files, whole=self.number == 0, spares=spares))
                self.written = True
                self.end()
                return
            if kind == "IndexedFile":
                self.indexed += 1
                self.paths.pop(number, None)
            elif kind == "Error":
                page = self.paths.pop(number, None) or "a page"
                self.problems.append(
                    f"search: Pagefind could not index {page} ({payload.get('message')}); the search does not find it"
                )
            elif kind == "NewIndex" and payload.get("index_id") != 0:
                self.problems.append(
                    f"search: Pagefind made index {payload.get('index_id')!r}, not 0; pages went astray"
                )
            if kind in ("IndexedFile", "Error"):
                self.answered += 1
        self.scanned = len(self.pending)

    def end(self, stopped: bool = False) -> None:
        """Stop its process (its files are written, it failed, or the build stopped the run) and note its peak."""
        if self.done:
            return
        self.done = True
        self.out.clear()
        self.queued = 0
        process = self.process
        assert process is not None
        if self.written or stopped:
            process.kill()  # it has nothing left to do
        code, self.peak = _reap(process)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if not self.written and not stopped:
            detail = Path(self.job["log"]).read_text(encoding="utf-8", errors="replace").strip()[-2000:]
            self.problems.append(f"search: Pagefind failed (exit {code}), {self.lost()}: {detail}")

    def lost(self) -> str:
        """What a failure of this shard's Pagefind costs the site."""
        if self.number == 0:
            return "the site has no search index"
        return f"shard {self.number} of the search index is missing, and its pages are not found"


def _reap(process: subprocess.Popen[bytes]) -> tuple[int | None, int]:
    """Wait for a Pagefind that ended (killing it after 5 s if it has not); its exit status and peak memory in bytes."""
    deadline = time.monotonic() + 5
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return process.returncode, usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def _answer(message: bytes, problems: list[str]) -> tuple[int | None, dict | None]:
    """An answer's request number and payload; ``None`` for the empty answers Pagefind writes once its input is closed."""
    try:
        answer = json.loads(base64.b64decode(message))
    except ValueError:
        problems.append(f"search: Pagefind answered something unreadable: {message[:200]!r}")
        return None, None
    if not isinstance(answer, dict):
        return None, None
    number, payload = answer.get("message_id"), answer.get("payload")
    payload = payload if isinstance(payload, dict) else None
    if number is None and payload is not None and isinstance(payload.get("original_message"), str):
        # A request Pagefind could not read is answered without its number, but with the request.
        with contextlib.suppress(ValueError, AttributeError):
            number = json.loads(payload["original_message"]).get("message_id")
    return number if isinstance(number, int) else None, payload


# The files of a shard after the first that the search worker reads: the first shard's scripts
# and WebAssembly serve them all (Pagefind's merged indexes load no WebAssembly of their own).
_SHARD_FILES = ("index", "fragment", "filter")


class _Spares:
    """Empty files made ahead in ``folder`` by a thread, each moved into place as one of Pagefind's files.

    Making a file is what costs (a move and a write into it cost a few
    hundredths of a millisecond), and the thread waits on the kernel, not on
    the broker's loop, which goes on feeding Pagefind. Best effort: a file
    that was not made ahead is made when it is written.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0  # files made, named by their number (only the thread adds to it)
        self.taken = 0  # of them moved into place
        self._wanted = 0
        self._allowed = False
        self._closed = False  # no more files: every page is in, or the run ended
        self._more = threading.Condition()
        self._thread: threading.Thread | None = None

    def want(self, count: int) -> None:
        """Have ``count`` files made in all (0: no more), when allowed (``allow``)."""
        with self._more:
            self._wanted = count
            self._closed = self._closed or count <= 0
            self._more.notify()
        if count > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._make, name="flagref-spares", daemon=True)
            self._thread.start()

    def allow(self, allowed: bool) -> None:
        """Let the thread make files, or have it wait (after the file it is making)."""
        if allowed != self._allowed:
            with self._more:
                self._allowed = allowed
                self._more.notify()

    def _make(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            while True:
                with self._more:
                    while not self._closed and (not self._allowed or self._wanted <= self.made):
                        self._more.wait()
                    if self._closed:
                        return
                os.close(os.open(self.folder / str(self.made), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
                self.made += 1
        except OSError:  # a full disk, a folder that cannot be written: files are made as they are written
            return

    def take(self, target: Path) -> bool:
        """Move a file made ahead to ``target``; whether there was one."""
        if self.taken >= self.made:
            return False
        try:
            os.replace(self.folder / str(self.taken), target)
        except OSError:
            return False
        finally:
            self.taken += 1
        return True

    def remove(self) -> None:
        """Stop making files, and remove those not taken, and their folder."""
        with self._more:
            self._closed = True
            self._more.notify()
        if self._thread is not None:
            self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def _write_bundle(output: Path, files: list, whole: bool, spares: _Spares | None = None) -> list[str]:
    """Write an index's files under ``output``; the problems met (a path that would leave it is refused).

    ``whole``: every file, else only the index itself (entry, metadata, chunks, fragments).
    ``spares``: empty files made ahead, moved into place before a file is written.
    """
    problems = []
    folders: set[Path] = set()
    for file in files:
        path = str(file.get("path", ""))
        if not plain_path(path):
            problems.append(f"search: Pagefind gave a file path {path!r} outside its folder; it is not written")
            continue
        parts = PurePosixPath(path).parts
        if not whole and not (parts[0] in _SHARD_FILES or path == "pagefind-entry.json" or path.endswith(".pf_meta")):
            continue
        target = output.joinpath(*parts)
        try:
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            content = base64.b64decode(file.get("content", ""))
            if spares is not None and spares.take(target):
                with open(target, "r+b") as out:  # emptied first: the move replaced whatever was there
                    out.truncate()
                    out.write(content)
            else:
                target.write_bytes(content)
        except (OSError, ValueError) as exc:
            problems.append(f"search: could not write {target} ({exc}); the search index is incomplete")
    return problems


def _pagefind_env() -> dict[str, str]:
    """Pagefind's environment: the build's, with its allocator kept to one arena.

    Pagefind's allocator (jemalloc, read from ``_RJEM_MALLOC_CONF``) keeps an
    arena per thread group by default; with one, its peak at 1,000 posts in one
    index went from 327 to about 300 MiB and its time did not change. Another
    allocator ignores it.
    """
    return {**os.environ, "_RJEM_MALLOC_CONF": "narenas:1"}


def plain_path(path: str) -> bool:
    """Whether ``path`` is relative and plain (no ``..``, no ``.``): a page of the site, never a file outside it."""
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and not any(p in ("..", ".") for p in parts)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
