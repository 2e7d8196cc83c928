"""Build the site's search index with Pagefind, beside the rest of the build.

Pagefind is a static indexer (a Rust binary, from the ``pagefind-bin``
wheel): it reads HTML documents and writes a chunked index that the browser
loads piece by piece, so the first query downloads a small part of it.

Each document (``render.search`` makes them) is sent as its page is rendered
to a broker (``searchbroker``), a process started with the build below its
priority, which feeds it to Pagefind. Once the last page is rendered
``start`` says so, and ``finish`` waits for the index at the end of the build.

Pagefind holds every page's words until it writes its index (about a tenth
of a MiB a post). Given a shard size, the broker splits the index into shards
of bounded memory, each indexed by a Pagefind of its own, which writes its
files as soon as the shard is full and exits. The first shard
(``pagefind/``) holds the flag records and the first pages, the others
(``pagefind/shards/N/``) the rest; ``pagefind/flagref-shards.json`` lists
them, and the search worker merges them in the reader's browser. Not by
default: each shard's pages are ranked by its own statistics (``SHARD_BUDGET``).

Also the build's scratch folders (``scratch_folder``) and their sweeping.
Nothing here knows MkDocs; the hook calls ``add``, ``start`` and ``finish``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .render.search import EXCLUDE_SELECTORS
from .searchbroker import FRAME, plain_path

# Longest wait for the indexer at the end of a build: far above its minutes-per-10,000-pages pace.
TIMEOUT_SECONDS = 600.0

# What a shard's documents may be estimated to cost Pagefind before the shard is written and the next
# one started (``searchbroker``); ``None``: one index. Not split by default: Pagefind ranks each
# shard's pages by that shard's own statistics, and merged in the browser, the results of 1,000
# generated posts in 3 shards shared 0 to 16 of their first 20 with one index's (20 of 20 between
# two builds of one index). Shards of 56 MiB peaked at 68 MiB (Pagefind 1.4).
SHARD_BUDGET: int | None = None

_F_SETPIPE_SZ = 1031  # fcntl's command to resize a pipe (Linux)


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


# The last build's index, set aside in the site folder: hidden, so MkDocs's emptying of the folder
# passes it by (it leaves names that start with a dot), then removed beside the build.
OLD_INDEX_PREFIX = ".flagref-old-index-"
# How long the end of a build waits for that removal before doing what is left itself.
REMOVAL_SECONDS = 60.0
# The remover: a fresh interpreter, below the build's priority, that removes the folders it is given.
_REMOVER = (
    "import os, shutil, sys\nos.nice(19)\nfor folder in sys.argv[1:]:\n    shutil.rmtree(folder, ignore_errors=True)\n"
)


class OldIndex:
    """The last build's search index, removed by a process of its own while the build runs.

    MkDocs empties the site folder at the start of every build, file by file,
    and the index is most of the site's files (2,427 of 3,514 at 1,000 posts).
    On a disk mounted with ``discard`` the build's process waited most of a
    second for those removals (it ran at a third of a core). ``set_aside``
    renames the index's folder (one call) to a hidden name beside it, and a
    process below the build's priority removes it; ``wait`` makes sure, at the
    end of the build, that nothing of it is left in the site.
    """

    def __init__(self, folders: list[Path], process: subprocess.Popen | None) -> None:
        self.folders = folders
        self._process = process

    @classmethod
    def set_aside(cls, bundle: Path) -> OldIndex:
        """Move ``bundle`` (the site's index folder) out of MkDocs's way and start removing it.

        Also removes what a build stopped before its end left set aside. A
        folder that cannot be moved is left where it is, for MkDocs to empty.
        """
        site = bundle.parent
        try:
            folders = [p for p in site.iterdir() if p.name.startswith(OLD_INDEX_PREFIX) and not p.is_symlink()]
        except OSError:  # no site folder yet: nothing to remove
            return cls([], None)
        if bundle.is_dir() and not bundle.is_symlink():
            aside = site / f"{OLD_INDEX_PREFIX}{os.getpid()}-{time.monotonic_ns()}"
            with contextlib.suppress(OSError):
                bundle.rename(aside)
                folders.append(aside)
        if not folders:
            return cls([], None)
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _REMOVER, *map(str, folders)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            process = None  # removed at the end of the build (``wait``)
        return cls(folders, process)

    def wait(self, timeout: float = REMOVAL_SECONDS) -> list[Path]:
        """Wait for the removal (at most ``timeout`` seconds), then remove whatever is left here.

        Returns the folders that are still there (a file that cannot be removed): they would be published.
        """
        if self._process is not None:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        left, self.folders = [f for f in self.folders if f.exists()], []
        return left


def pagefind_binary() -> Path | None:
    """The Pagefind executable: the ``pagefind-bin`` wheel's, else one on ``PATH``."""
    try:
        from pagefind_bin import get_executable  # the wheel holds the binary for this platform
    except ImportError:
        found = shutil.which("pagefind")
        return Path(found) if found else None
    return Path(get_executable())


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
    """One build's search index: documents sent as their pages are rendered, indexed by Pagefind beside the build.

    ``add`` writes each document to the broker (``searchbroker``), a small
    process started with the indexer, below the build's priority; it may be
    called in a process forked after that (the decoration worker): documents
    are written whole under a lock shared across the fork. The broker feeds
    Pagefind, one process per shard of the index, and writes each shard's
    files into ``output`` (the site's bundle folder) once the shard is full,
    so that once the last page is rendered (``start``) only the last shards
    are left to write, on the second core while MkDocs writes the site. The
    index's files never pass through the build's process, whose memory peaks
    while the site is written.
    """

    def __init__(self, output: Path, binary: Path | None = None, budget: int | None = None) -> None:
        """``budget``: split the index into shards whose documents are estimated to cost Pagefind this many
        bytes each (``None``: ``SHARD_BUDGET``, one index unless it is set)."""
        self.output = output
        self.binary = binary if binary is not None else pagefind_binary()
        # Bytes a shard's documents may cost Pagefind (``None``: one index); the default is read here.
        self.budget = budget if budget is not None else SHARD_BUDGET
        self.problems: list[str] = []
        # What the broker reported: documents Pagefind indexed, shards written, the largest Pagefind's peak (bytes).
        self.documents = 0
        self.shards = 0
        self.largest = 0
        self._lock = multiprocessing.Lock()  # one document written at a time, across the fork
        self._broker: subprocess.Popen[bytes] | None = None
        self._fd: int | None = None  # the broker's input
        self._control: int | None = None  # to the broker: "start" (no more documents) or "stop"
        self._broken = False  # the broker stopped reading: what is sent is lost, and finish says so
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
        if not os.access(self.binary, os.X_OK):
            self._not_started("not an executable file")
            return
        control, self._control = os.pipe()
        job = {
            "binary": str(self.binary),
            "output": str(self.output),
            "log": str(self._log),
            "budget": self.budget,
            "parent": os.getpid(),
            "control": control,
            "config": {"exclude_selectors": list(EXCLUDE_SELECTORS), "force_language": "en"},
        }
        # A fresh interpreter, not a fork of the build: a process counts the peak memory of the one
        # it was started from as its own, and the build's is the site's largest. Isolated (-I): the
        # script's folder (this package's, with a site.py) is not on its path.
        try:
            self._broker = subprocess.Popen(
                [sys.executable, "-I", str(Path(__file__).with_name("searchbroker.py")), json.dumps(job)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                pass_fds=(control,),
            )
        except OSError as exc:
            self._not_started(f"its broker: {exc.strerror}")
            return
        finally:
            os.close(control)
        assert self._broker.stdin is not None
        self._fd = self._broker.stdin.fileno()
        with contextlib.suppress(OSError):  # room for a few posts: a sender seldom waits for the broker
            fcntl.fcntl(self._fd, _F_SETPIPE_SZ, 1 << 20)
        os.set_blocking(self._fd, False)  # writes wait with a deadline (``_write_all``), never for ever

    def _not_started(self, why: str | None) -> None:
        self.problems.append(
            f"search: Pagefind ({self.binary}) could not be started ({why}), the site has no search index; "
            "install the project's dependencies (pip install pagefind-bin)"
        )

    def add(self, path: str, document: str, primary: bool = False) -> str | None:
        """Send ``document`` as the page at ``path`` (relative, ``/``-separated); the problem that kept it out, if any.

        Pagefind gives the page the URL of ``path`` (``posts/x/index.html`` is
        ``/posts/x/``). ``primary``: kept in the first shard, whatever its size
        (the flag records: the search worker sorts a flag's entries, and
        Pagefind sorts only within a shard).
        """
        if not plain_path(path):
            problem = f"search: page path {path!r} is not a plain relative path; the page is not indexed"
            self.problems.append(problem)
            return problem
        if self._fd is None or self._broken:
            return None  # no binary, or the broker is gone: ``finish`` reports it, once for the whole index
        name = path.encode("utf-8", "surrogatepass")
        text = document.encode("utf-8", "surrogatepass")
        frame = FRAME.pack(primary, len(name), len(text)) + name + text
        with self._lock:
            if not _write_all(self._fd, frame, TIMEOUT_SECONDS):
                self._broken = True
        return None

    def report(self, problems: list[str]) -> None:
        """Keep the problems met adding documents in another process (the decoration worker)."""
        self.problems.extend(problems)

    def _order(self, order: str) -> None:
        if self._control is not None:
            with contextlib.suppress(OSError):
                os.write(self._control, order.encode("ascii") + b"\n")

    def start(self) -> None:
        """No more documents: have the last shards written, beside the build."""
        if self.binary is None:
            self.problems.append(
                "search: the Pagefind binary is missing, so the site has no search index; "
                "install the project's dependencies (pip install pagefind-bin)"
            )
            return
        if self._broker is None:
            return
        self._started = time.perf_counter()
        self._order("start")

    def finish(self, timeout: float = TIMEOUT_SECONDS) -> list[str]:
        """Wait for the index (at most ``timeout`` seconds), clean up, and return the problems met.

        May run in another thread than ``close``: a run closed meanwhile (a newer
        rebuild started) ends without a problem, as nobody wants its index.
        """
        broker = self._broker
        if broker is not None and broker.stdout is not None and self._started is not None:
            waiting = time.perf_counter()
            line = _read_line(broker.stdout.fileno(), timeout)
            done = time.perf_counter()
            if self._closed:
                self.closed_early = True
                return []
            if line is None:
                self.problems.append(
                    f"search: Pagefind took over {timeout:g} s and was stopped; the site has no search index"
                )
            elif not line:
                self.problems.append(
                    f"search: the process that feeds Pagefind stopped (exit {_exit_code(broker)}), "
                    "the site has no search index; its error is above"
                )
            else:
                report = json.loads(line)
                self.documents, self.shards, self.largest = report["indexed"], report["shards"], report["largest"]
                self.problems.extend(report["problems"])
            self.waited = done - waiting
            self.seconds = done - self._started
        self.close()
        return self.problems

    def close(self) -> None:
        """Stop the broker and its Pagefind processes (the index is written, or a newer rebuild started); remove the log."""
        self._closed = True
        broker, self._broker = self._broker, None
        if broker is not None:
            self._order("stop")  # it stops its Pagefind processes, then exits
            try:
                broker.wait(10)
            except subprocess.TimeoutExpired:
                broker.kill()  # its Pagefind processes then fail to answer it, and exit
                broker.wait()
            for stream in (broker.stdin, broker.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self._fd = None  # closed with the broker's input
        if self._control is not None:
            os.close(self._control)
            self._control = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._log)
        self.closed.set()


def _read_line(fd: int, timeout: float) -> bytes | None:
    """One line from ``fd`` within ``timeout`` seconds: ``None`` if it did not come, ``b""`` if the output ended."""
    deadline = time.monotonic() + timeout
    got = bytearray()
    while b"\n" not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b""
        got += chunk
    return bytes(got.partition(b"\n")[0])


def _exit_code(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return process.wait(5)
    except subprocess.TimeoutExpired:
        return None
