"""Build the site's search index with Pagefind, beside the rest of the build.

Pagefind is a static indexer (a Rust binary, from the ``pagefind-bin``
wheel): it reads HTML documents and writes a chunked index that the browser
loads piece by piece, so the first query downloads a small part of it. The
documents are staged in a temporary folder as the pages are rendered
(``render.search`` makes them), and Pagefind is started as soon as the last
one is written: it indexes on the second core while MkDocs writes the site,
and ``finish`` waits for it at the end of the build.

Nothing here knows MkDocs; the hook calls ``add``, ``start`` and ``finish``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .render.search import EXCLUDE_SELECTORS

# Longest wait for the indexer at the end of a build: far above its minutes-per-10,000-pages pace.
TIMEOUT_SECONDS = 600.0


def memory_folder() -> str | None:
    """A folder in memory for the staged documents (``/dev/shm``), else the system's temporary folder.

    Measured at 1,000 posts: removing the 2,355 staged files from an ext4 disk
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


def stage_document(stage: Path, path: str, document: str, folders: set[Path] | None = None) -> str | None:
    """Write ``document`` as ``path`` under ``stage``; the problem that kept it out, else ``None``.

    ``path`` must be relative and plain (no ``..``): nothing is written outside the stage.
    ``folders`` remembers the folders made, so that each is made once.
    """
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or any(p in ("..", ".") for p in parts):
        return f"search: page path {path!r} is not a plain relative path; the page is not indexed"
    target = stage.joinpath(*parts)
    if folders is None or target.parent not in folders:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(target.parent)
    try:
        target.write_text(document, encoding="utf-8")
    except OSError as exc:  # a full disk or memory folder: the page is left out, and the build says so
        return f"search: could not stage {path} ({exc.strerror}); the page is not indexed"
    return None


def stage_documents(stage: Path, documents: Iterable[tuple[str, str]]) -> tuple[int, list[str]]:
    """Stage each (path, document) under ``stage``; how many were staged, and the problems met."""
    folders: set[Path] = set()
    return tally(stage_document(stage, path, document, folders) for path, document in documents)


def tally(outcomes: Iterable[str | None]) -> tuple[int, list[str]]:
    """Outcomes of staging (``None``: staged, else the problem met): how many were staged, and the problems."""
    staged, problems = 0, []
    for problem in outcomes:
        if problem is None:
            staged += 1
        else:
            problems.append(problem)
    return staged, problems


class SearchIndexer:
    """Documents staged for one build, and the Pagefind run over them."""

    def __init__(self, binary: Path | None = None) -> None:
        self.binary = binary if binary is not None else pagefind_binary()
        self.stage = scratch_folder("search")
        self.problems: list[str] = []
        self.documents = 0
        self._folders: set[Path] = set()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Path = self.stage.with_suffix(".log")
        self._started: float | None = None
        self._closed = False
        # Whether a newer rebuild stopped the run before it ended (its index is nobody's).
        self.closed_early = False
        # Seconds Pagefind ran, and how many of them the build waited for it at the end (after ``finish``).
        self.seconds = 0.0
        self.waited = 0.0

    def add(self, path: str, document: str) -> None:
        """Stage ``document`` as ``path`` (relative, ``/``-separated); a path that would leave the stage is refused."""
        problem = stage_document(self.stage, path, document, self._folders)
        if problem is None:
            self.documents += 1
        else:
            self.problems.append(problem)

    def staged(self, count: int, problems: list[str]) -> None:
        """Count documents staged by another process (``stage_document`` in a worker)."""
        self.documents += count
        self.problems.extend(problems)

    def start(self, output: Path) -> None:
        """Index the staged documents into ``output`` (the site's bundle folder), in the background."""
        if self.binary is None:
            self.problems.append(
                "search: the Pagefind binary is missing, so the site has no search index; "
                "install the project's dependencies (pip install pagefind-bin)"
            )
            return
        command = [
            str(self.binary),
            "--site",
            str(self.stage),
            "--output-path",
            str(output),
            "--exclude-selectors",
            ", ".join(EXCLUDE_SELECTORS),
            "--force-language",
            "en",
            "--quiet",
        ]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._started = time.perf_counter()

    def finish(self, timeout: float = TIMEOUT_SECONDS) -> list[str]:
        """Wait for the index (at most ``timeout`` seconds), clean up, and return the problems met.

        May run in another thread than ``close``: a run closed meanwhile (a newer
        rebuild started) ends without a problem, as nobody wants its index.
        """
        process = self._process
        if process is not None:
            waiting = time.perf_counter()
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                self.problems.append(
                    f"search: Pagefind took over {timeout:g} s and was stopped; the site has no search index"
                )
            else:
                if self._closed:
                    self.closed_early = True
                    return []
                if code != 0:
                    detail = self._log.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
                    self.problems.append(
                        f"search: Pagefind failed (exit {code}), the site has no search index: {detail}"
                    )
            done = time.perf_counter()
            self.waited = done - waiting
            self.seconds = done - (self._started or waiting)
        self.close()
        return self.problems

    def close(self) -> None:
        """Stop a run still going (a rebuild started before it ended) and remove the staged documents."""
        self._closed = True
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(self.stage, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._log)
