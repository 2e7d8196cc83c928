"""Build the site's search index with Pagefind, beside the rest of the build.

Pagefind is a static indexer (a Rust binary, from the ``pagefind-bin``
wheel): it reads HTML documents and writes a chunked index that the browser
loads piece by piece, so the first query downloads a small part of it. It runs
as a service from the start of the build, below the build's priority: each
document (``render.search`` makes them) is sent to it as its page is rendered,
and indexed then; once the last page is rendered, ``start`` asks for the index
to be written, on the second core while MkDocs writes the site, and ``finish``
waits for it at the end of the build.

Also the build's scratch folders (``scratch_folder``) and their sweeping.
Nothing here knows MkDocs; the hook calls ``add``, ``start`` and ``finish``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import multiprocessing
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path, PurePosixPath

from .render.search import EXCLUDE_SELECTORS

# Longest wait for the indexer at the end of a build: far above its minutes-per-10,000-pages pace.
TIMEOUT_SECONDS = 600.0


def memory_folder() -> str | None:
    """A folder in memory for a build's scratch files (``/dev/shm``), else the system's temporary folder.

    Measured at 1,000 posts: removing 2,355 scratch files from an ext4 disk
    mounted with ``discard`` took 8 s once they had been written back; in
    memory it takes milliseconds, and nothing of a build is left on disk.
    """
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def scratch_folder(kind: str, in_memory: bool = True) -> Path:
    """A new folder for one build's ``kind`` of files (``search``, ``exports``), in memory when it can be.

    ``in_memory=False``: in the system's temporary folder, for files that would
    only move the build's memory elsewhere if they were held in memory.
    Its name carries the process id, so that ``sweep_scratch`` can tell the
    folders of a process that is gone (a ``mkdocs serve`` stopped by a signal
    cleans nothing up) from those of a build still running.
    """
    base = memory_folder() if in_memory else None
    return Path(tempfile.mkdtemp(prefix=f"flagref-{kind}-{os.getpid()}-", dir=base))


# A scratch folder's name (or its log file's): "flagref-", a kind, "-", the process id, "-", the rest.
# Letters, then digits, each a single run between literal dashes: linear.
_SCRATCH = re.compile(r"flagref-[a-z]+-([0-9]+)-")


def sweep_scratch(folder: Path | None = None) -> int:
    """Remove the scratch folders and files of processes that are gone; how many were removed.

    ``folder``: where to look; by default the memory folder and the system's temporary folder.
    """
    bases = (
        [folder]
        if folder is not None
        else [Path(f) for f in dict.fromkeys((memory_folder(), tempfile.gettempdir())) if f]
    )
    removed = 0
    entries = []
    for base in bases:
        try:
            entries.extend(base.iterdir())
        except OSError:
            continue
    for entry in entries:
        match = _SCRATCH.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or a number no process has): left alone
    return True


def pagefind_binary() -> Path | None:
    """The Pagefind executable: the ``pagefind-bin`` wheel's, else one on ``PATH``."""
    try:
        from pagefind_bin import get_executable  # the wheel holds the binary for this platform
    except ImportError:
        found = shutil.which("pagefind")
        return Path(found) if found else None
    return Path(get_executable())


@functools.cache
def _below_the_build() -> tuple[str, ...]:
    """The prefix that runs the indexer below the build's own priority, when the system has ``nice``.

    Pagefind indexes each page as it is rendered and makes the index while
    MkDocs writes the site; at the build's priority its threads took a third of
    the build's core. At the lowest niceness it takes what the build and the
    decoration worker leave. Not the idle scheduling class: it ran as fast, but
    starved for minutes while other programs kept both cores busy, and a build
    waits for its index. Its threads inherit the niceness from the process that
    starts them. Tried once (a sandbox may refuse it); without it, the indexer
    runs at the build's priority.
    """
    nice = shutil.which("nice")
    if nice and _runs([nice, "-n", "19", "true"]):
        return (nice, "-n", "19")
    return ()


def _runs(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _pagefind_env() -> dict[str, str]:
    """The indexer's environment: the build's, with its allocator kept to one arena.

    Pagefind's allocator (jemalloc, read from ``_RJEM_MALLOC_CONF``) keeps an
    arena per thread group by default; with one, its peak at 1,000 posts went
    from 327 to about 300 MiB and its time did not change. Another allocator ignores it.
    """
    return {**os.environ, "_RJEM_MALLOC_CONF": "narenas:1"}


def plain_path(path: str) -> bool:
    """Whether ``path`` is relative and plain (no ``..``, no ``.``): a page of the site, never a file outside it."""
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and not any(p in ("..", ".") for p in parts)


def tally(outcomes: Iterable[str | None]) -> tuple[int, list[str]]:
    """Outcomes of adding documents (``None``: sent, else the problem met): how many were sent, and the problems."""
    sent, problems = 0, []
    for problem in outcomes:
        if problem is None:
            sent += 1
        else:
            problems.append(problem)
    return sent, problems


def _request(numbers, payload: dict) -> bytes:
    """One request as Pagefind's service reads it: base64 of its JSON, then a comma."""
    numbers.value += 1
    request = {"message_id": numbers.value, "payload": payload}
    return base64.b64encode(json.dumps(request).encode("utf-8", "surrogatepass")) + b","


def _write_all(fd: int, data: bytes, timeout: float) -> bool:
    """Write ``data`` whole to the non-blocking ``fd``, waiting at most ``timeout`` seconds for room; whether it was."""
    view = memoryview(data)
    deadline = time.monotonic() + timeout
    try:
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [fd], [], left)[1]:
                    return False
    except OSError:
        return False
    return True


class SearchIndexer:
    """One build's search index: Pagefind started as a service, fed each document as it is made.

    Pagefind's service mode reads requests on its standard input (base64 JSON,
    each followed by a comma) and answers on its standard output the same way.
    The service starts with the indexer, before any page is rendered; each
    document is indexed as soon as it is sent (posts as the decoration worker
    makes them), so that once the last page is rendered only the making of the
    index is left (``start``), on the second core while MkDocs writes the site.

    ``add`` may be called in a process forked after the indexer was made (the
    decoration worker): requests are written whole under a lock shared across
    the fork, each with a message number from a shared counter.

    The answers are read by a listener, a small process forked when the service
    starts (``_listen``): it counts the pages indexed and the problems, and once
    asked (``start``) and every page is in, it asks Pagefind for the index's
    files and writes them itself. Pagefind's own request to write them answers
    before its writes end, and under load left ``pagefind-entry.json`` empty;
    its files (12 MB at 1,000 posts, 21 MB as answered) are not read in the
    build's process, whose memory peaks while the site is written.
    """

    def __init__(self, binary: Path | None = None) -> None:
        self.binary = binary if binary is not None else pagefind_binary()
        self.problems: list[str] = []
        # Documents Pagefind indexed (the listener's count, once it reported).
        self.documents = 0
        self._adds = multiprocessing.Value("q", 0, lock=False)  # adds sent, from any process
        self._numbers = multiprocessing.Value("q", 0, lock=False)  # message numbers
        self._lock = multiprocessing.Lock()  # one request written at a time, across the fork
        self._process: subprocess.Popen[bytes] | None = None
        self._listener: multiprocessing.process.BaseProcess | None = None
        self._asks: Connection | None = None  # to the listener: where to write the index
        self._reports: Connection | None = None  # from the listener: what came of it
        self._fd: int | None = None
        self._broken = False  # its input is closed (it exited): what is sent is lost, and finish says so
        fd, log = tempfile.mkstemp(prefix=f"flagref-search-{os.getpid()}-", suffix=".log")
        os.close(fd)
        self._log = Path(log)
        self._started: float | None = None
        self._closed = False
        # Set once the run is over (the index written, or the run stopped) and cleaned up.
        self.closed = threading.Event()
        # Whether a newer rebuild stopped the run before it ended (its index is nobody's).
        self.closed_early = False
        # Seconds from ``start`` to the index written, and how many of them ``finish`` waited.
        self.seconds = 0.0
        self.waited = 0.0
        if self.binary is not None:
            self._launch()

    def _launch(self) -> None:
        if not os.access(self.binary, os.X_OK):  # said here: behind nice it would be exit 127
            self._not_started("not an executable file")
            return
        try:
            with self._log.open("wb") as log:
                self._process = subprocess.Popen(
                    [*_below_the_build(), str(self.binary), "--service"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    env=_pagefind_env(),
                )
        except OSError as exc:
            self._not_started(exc.strerror)
            return
        assert self._process.stdin is not None and self._process.stdout is not None
        self._fd = self._process.stdin.fileno()
        os.set_blocking(self._fd, False)  # writes wait with a deadline (``_write_all``), never for ever
        context = multiprocessing.get_context("fork")
        asks, self._asks = context.Pipe(duplex=False)
        self._reports, reports = context.Pipe(duplex=False)
        self._listener = context.Process(
            target=_listen,
            args=(self._process.stdout.fileno(), self._fd, self._lock, self._numbers, self._adds, asks, reports),
            name="flagref-search-listener",
            daemon=True,
        )
        self._listener.start()
        asks.close()
        reports.close()
        self._process.stdout.close()  # the listener's now
        config = {"exclude_selectors": list(EXCLUDE_SELECTORS), "force_language": "en"}
        self._send({"type": "NewIndex", "config": config})

    def _not_started(self, why: str | None) -> None:
        self.problems.append(
            f"search: Pagefind ({self.binary}) could not be started ({why}), the site has no search index; "
            "install the project's dependencies (pip install pagefind-bin)"
        )

    def add(self, path: str, document: str) -> str | None:
        """Send ``document`` as the page at ``path`` (relative, ``/``-separated); the problem that kept it out, if any.

        Pagefind gives the page the URL of ``path`` (``posts/x/index.html`` is ``/posts/x/``).
        """
        if not plain_path(path):
            problem = f"search: page path {path!r} is not a plain relative path; the page is not indexed"
            self.problems.append(problem)
            return problem
        if self._fd is None or self._broken:
            return None  # no binary, or it exited: ``finish`` reports it, once for the whole index
        self._send({"type": "AddFile", "index_id": 0, "file_path": path, "file_contents": document}, add=True)
        return None

    def report(self, problems: list[str]) -> None:
        """Keep the problems met adding documents in another process (the decoration worker)."""
        self.problems.extend(problems)

    def _send(self, payload: dict, add: bool = False) -> None:
        """Write one request whole, under the shared lock; a service that stopped reading is given up on."""
        assert self._fd is not None
        with self._lock:
            if add:
                self._adds.value += 1
            if not _write_all(self._fd, _request(self._numbers, payload), TIMEOUT_SECONDS):
                self._broken = True  # it exited or stopped reading; finish says so

    def start(self, output: Path) -> None:
        """Have the index written into ``output`` (the site's bundle folder) once every document sent is in, beside."""
        if self.binary is None:
            self.problems.append(
                "search: the Pagefind binary is missing, so the site has no search index; "
                "install the project's dependencies (pip install pagefind-bin)"
            )
            return
        if self._asks is None:
            return
        self._started = time.perf_counter()
        with contextlib.suppress(OSError):
            self._asks.send(str(output))

    def finish(self, timeout: float = TIMEOUT_SECONDS) -> list[str]:
        """Wait for the index (at most ``timeout`` seconds), clean up, and return the problems met.

        May run in another thread than ``close``: a run closed meanwhile (a newer
        rebuild started) ends without a problem, as nobody wants its index.
        """
        process, reports = self._process, self._reports
        if process is not None and reports is not None and self._started is not None:
            waiting = time.perf_counter()
            report = None
            with contextlib.suppress(OSError, EOFError):
                if reports.poll(timeout):
                    report = reports.recv()
            done = time.perf_counter()
            if self._closed:
                self.closed_early = True
                return []
            if report is None:
                self.problems.append(
                    f"search: Pagefind took over {timeout:g} s and was stopped; the site has no search index"
                )
            else:
                self.documents, problems, written = report
                self.problems.extend(problems)
            if report is not None and not written:
                code = _exit_code(process)
                detail = self._log.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
                self.problems.append(f"search: Pagefind failed (exit {code}), the site has no search index: {detail}")
            self.waited = done - waiting
            self.seconds = done - self._started
        self.close()
        return self.problems

    def close(self) -> None:
        """Stop the service and its listener (the index is written, or a newer rebuild started) and remove the log."""
        self._closed = True
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()  # it has nothing left to do: on a closed input it would answer empty requests
            process.wait()
            with contextlib.suppress(OSError):
                if process.stdin is not None:
                    process.stdin.close()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.join(10)  # its input ended with the service
            if listener.is_alive():
                listener.kill()
                listener.join()
        for connection in (self._asks, self._reports):
            if connection is not None:
                connection.close()
        self._asks = self._reports = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._log)
        self.closed.set()


def _exit_code(process: subprocess.Popen[bytes]) -> int | None:
    """The service's exit status once it ended (its output did), waiting a moment for it."""
    try:
        return process.wait(5)
    except subprocess.TimeoutExpired:
        return None


def _listen(answers: int, requests: int, lock, numbers, adds, asks: Connection, reports: Connection) -> None:
    """In the listener: read Pagefind's answers; once asked and every page is in, have the index made and write it.

    Reports ``(pages indexed, problems, whether the index was written)`` once,
    when the index is written or the service's output ends.
    """
    indexed = answered = 0
    problems: list[str] = []
    output: str | None = None
    asked = False
    pending = bytearray()
    scanned = 0  # bytes of ``pending`` known to hold no comma: each byte is searched once (the files' answer is 21 MB)
    waiting_on = [answers, asks]
    while True:
        ready, _, _ = select.select(waiting_on, [], [])
        if asks in ready:
            try:
                output = asks.recv()
            except EOFError:
                pass  # the build let go of it: the index is not wanted
            waiting_on.remove(asks)
        if answers in ready:
            chunk = os.read(answers, 1 << 16)
            if not chunk:
                break  # the service ended
            pending += chunk
            while (end := pending.find(b",", scanned)) >= 0:
                message = bytes(pending[:end])
                del pending[: end + 1]
                scanned = 0
                payload = _payload(message, problems)
                kind = payload.get("type") if payload is not None else None
                if kind == "GetFiles":
                    problems.extend(_write_bundle(Path(output or "."), payload.get("files") or []))
                    reports.send((indexed, problems, True))
                    return
                if kind == "IndexedFile":
                    indexed += 1
                elif kind == "Error":
                    problems.append(f"search: Pagefind could not index a page: {payload.get('message')}")
                elif kind == "NewIndex" and payload.get("index_id") != 0:
                    problems.append(
                        f"search: Pagefind made index {payload.get('index_id')!r}, not 0; pages went astray"
                    )
                if kind in ("IndexedFile", "Error"):
                    answered += 1
            scanned = len(pending)
        if output is not None and not asked and answered >= adds.value:
            asked = True
            with lock:
                if not _write_all(requests, _request(numbers, {"type": "GetFiles", "index_id": 0}), TIMEOUT_SECONDS):
                    break
    reports.send((indexed, problems, False))


def _payload(message: bytes, problems: list[str]) -> dict | None:
    """An answer's payload; ``None`` for the empty answers Pagefind writes once its input is closed."""
    try:
        answer = json.loads(base64.b64decode(message))
    except ValueError:
        problems.append(f"search: Pagefind answered something unreadable: {message[:200]!r}")
        return None
    payload = answer.get("payload") if isinstance(answer, dict) else None
    return payload if isinstance(payload, dict) else None


def _write_bundle(output: Path, files: list) -> list[str]:
    """Write the index's files under ``output``; the problems met (a path that would leave it is refused)."""
    problems = []
    folders: set[Path] = set()
    for file in files:
        path = str(file.get("path", ""))
        if not plain_path(path):
            problems.append(f"search: Pagefind gave a file path {path!r} outside its folder; it is not written")
            continue
        target = output.joinpath(*PurePosixPath(path).parts)
        try:
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            target.write_bytes(base64.b64decode(file.get("content", "")))
        except (OSError, ValueError) as exc:
            problems.append(f"search: could not write {target} ({exc}); the search index is incomplete")
    return problems
