"""Posts decorated in a second process while MkDocs renders the others.

MkDocs renders pages one after another on one core. Decorating a post (its
flag links, tables and relations) needs only the post's rendered HTML and the
site model, so it can run beside: a worker process, forked once the model is
built (it inherits the model and pickles nothing but HTML), decorates the posts
as MkDocs hands them over (in batches) and sends their search documents to
the indexer; it also writes ``flags.json`` and ``objects.inv``, sends the flag
records, writes the posts to the post store once they are all decorated,
and makes the generated pages (listings and the reference) while
MkDocs converts the posts: the build lists those pages by name and takes each
one's Markdown just before converting it, last.

A decorated post goes back through a scratch file on disk, read when the
theme writes the page and let go once it is written: MkDocs holds every page's
content until the whole site is written, and 1,000 decorated posts held in the
build's process were 30 MiB of its peak. The worker appends every post to the
one file and the build reads each back at its offset: a file per post cost
more than the decoration on a disk where making a file takes most of a
millisecond of the kernel's time. The output is the
same as the build's own (``SiteBuild.post_html``, ``write_exports``); on a
platform without ``fork`` or for a small site, the build does it all itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from .poststore import PostStore
from .render.exports import FLAGS_JSON, OBJECTS_INV, render_objects_inv, write_flags_json
from .render.search import flag_documents
from .render.text import narrow
from .searchindex import SearchIndexer, scratch_folder
from .site import SiteBuild

# Below this many posts a second process costs more than it saves (measured: forking and
# handing HTML over take a few milliseconds; decorating a post takes about five).
MIN_POSTS = 50

# The build the worker decorates with, and the search index it sends documents to (None: not searched):
# set in the parent just before the worker is forked.
_BUILD: SiteBuild | None = None
_SEARCH: SearchIndexer | None = None
# The post store the build's posts are written to (``keep``); None: not kept.
_STORE: PostStore | None = None


# Posts whose Markdown and header the worker makes ahead in one task: a first few, then the rest in
# large batches (making them costs about a fifth of a millisecond a post).
AHEAD_FIRST = 16
AHEAD_BATCH = 256

# Posts handed over together: one message each way per batch, not per post. Each message costs the
# build's own process a wake-up of the pool's threads, which then take the interpreter lock from it.
BATCH = 16

# A post handed over: (src_uri, its rendered HTML or None when its decoration was kept, header, index as).
Job = tuple[str, "str | None", str, "str | None"]
# Where a post's page content is in the pages file, (offset, length) in bytes (None: not written, its
# decoration was kept), and the problem its search document met, if any.
Done = tuple["tuple[int, int] | None", "str | None"]


def _work(jobs: list[Job], pages: str) -> list[Done]:
    """In the worker: append each post's page content to the file ``pages``; where each is, and its problem.

    A post whose decoration was kept from the last serve rebuild is not sent
    over: the worker was forked with the kept decorations, and indexes it alone
    (the build has its page). A page's content is its header and its decorated
    HTML, joined here: joined in the build's process, each page was made a
    second time there.
    """
    assert _BUILD is not None
    out: list[Done] = []
    with open(pages, "ab") as file:  # at its end: one worker, so one writer
        for src_uri, html, header, index_as in jobs:
            if html is None:
                kept = _BUILD.last_html(src_uri) or ""  # the build checked its key before sending None
                out.append((None, _index(_BUILD, src_uri, header + kept, index_as)))
                continue
            page = header + narrow(_BUILD.decorate(src_uri, html))
            data = page.encode("utf-8", "surrogatepass")
            at = file.tell()
            file.write(data)
            out.append(((at, len(data)), _index(_BUILD, src_uri, page, index_as)))
    return out


def _index(build: SiteBuild, src_uri: str, page_html: str, index_as: str | None) -> str | None:
    """Send a post's search document (``page_html``: its header and decorated HTML); the problem met, if any."""
    if _SEARCH is None or index_as is None:
        return None
    document = build.search_document(src_uri, "", "", page_html)  # a post: its own URL and title
    return _SEARCH.add(index_as, document)


def write_exports(build: SiteBuild, folder: Path, site_name: str, search: SearchIndexer | None) -> list[str]:
    """Write ``flags.json`` and ``objects.inv`` into ``folder``, and send ``search`` a record per flag.

    Returns the problems met sending them. Runs in the worker when there is
    one (the document is made and dropped there), else in the build.
    """
    document = build.flags_document()
    with (folder / FLAGS_JSON).open("w", encoding="utf-8", newline="\n") as out:
        write_flags_json(document, out)
    (folder / OBJECTS_INV).write_bytes(render_objects_inv(document, site_name))
    if search is None:
        return []
    # Primary: a flag's entries are sorted within one shard of the index.
    sent = (search.add(path, html, primary=True) for path, html in flag_documents(document))
    return [problem for problem in sent if problem is not None]


def _write_exports(folder: str, site_name: str) -> list[str]:
    assert _BUILD is not None
    return write_exports(_BUILD, Path(folder), site_name, _SEARCH)


def _ahead(src_uris: list[str]) -> dict[str, tuple[str | None, str]]:
    """In the worker: each post's Markdown (``SiteBuild.post_markdown``) and its page header, by src_uri."""
    assert _BUILD is not None
    build = _BUILD
    return {
        src_uri: (build.post_markdown(src_uri), build.post_header(src_uri))
        for src_uri in src_uris
        if src_uri in build.by_src
    }


def _keep_posts() -> bool:
    """In the worker: write the build's posts to the store (``SiteBuild.keep_posts``); whether it did."""
    assert _BUILD is not None and _STORE is not None
    return _BUILD.keep_posts(_STORE)


def _stashed_pages() -> dict[str, tuple[str, list[str], list[tuple[int, str, str]] | None]]:
    assert _BUILD is not None
    return _BUILD.stashed_pages()


def _read_at(fd: int, at: int, size: int) -> bytes:
    """``size`` bytes of the file ``fd`` from offset ``at`` (a read may return fewer than asked)."""
    got = bytearray()
    while len(got) < size:
        chunk = os.pread(fd, size - len(got), at + len(got))
        if not chunk:
            raise OSError(f"the decorated posts' file ended at byte {at + len(got)}, before its page did")
        got += chunk
    return bytes(got)


class DecorationPool:
    """One worker process decorating a build's posts; results are taken in any order."""

    def __init__(self, build: SiteBuild, search: SearchIndexer | None, store: PostStore | None = None) -> None:
        global _BUILD, _SEARCH, _STORE
        self.build = build
        self.search = search
        # Posts not yet sent, the batches sent, and where each post is: src_uri -> (batch or None when
        # nothing was sent, key kept under, header, the decoration kept from the last rebuild, its place
        # in the batch).
        self._pending: list[Job] = []
        self._batches: list[Future] = []
        self._where: dict[str, tuple[int | None, str | None, str, str | None, int]] = {}
        self._exports: Future | None = None
        # The posts' Markdown and headers made ahead (``ahead``): the batch of each post, by src_uri.
        self._ahead: dict[str, Future] = {}
        self._generated: Future | None = None
        # The decorated posts' page contents, one after another in one file, read back by offset.
        self._folder = scratch_folder("pages", in_memory=False)
        self._pages = self._folder / "posts"
        self._reader: int | None = None  # the file, open for reading once the first page is read
        self._kept: Future | None = None
        # The worker is forked at the first submit, with these in it.
        _BUILD, _SEARCH, _STORE = build, search, store
        self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))

    @staticmethod
    def usable(build: SiteBuild) -> bool:
        """Whether a worker is worth it and possible: enough posts, and ``fork`` on this platform."""
        return len(build.posts) >= MIN_POSTS and "fork" in multiprocessing.get_all_start_methods()

    def submit(self, src_uri: str, html: str, header: str, index_as: str | None) -> None:
        """Hand a post's rendered HTML over, with its header; ``index_as``: its search document's path (None: not searched)."""
        key = self.build.decoration_key(src_uri, html)
        kept = self.build.kept_html(src_uri, key)
        if kept is not None and (self.search is None or index_as is None):  # unchanged, and not searched
            self._where[src_uri] = (None, key, header, kept, 0)
            return
        self._where[src_uri] = (len(self._batches), key, header, kept, len(self._pending))
        self._pending.append((src_uri, None if kept is not None else html, header, index_as))
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._batches.append(self._executor.submit(_work, self._pending, str(self._pages)))
            self._pending = []

    def ahead(self, src_uris: Sequence[str]) -> None:
        """Have the worker make the posts' Markdown and headers first, in the order MkDocs converts them.

        The build's process then only takes each (``markdown``, ``header``): at
        1,000 posts that is a fifth of a second it no longer spends between
        Markdown conversions. The first batch is small, so the first post waits
        for a few posts' worth, not for all of them.
        """
        at, size = 0, AHEAD_FIRST
        while at < len(src_uris):
            batch = list(src_uris[at : at + size])
            future = self._executor.submit(_ahead, batch)
            self._ahead.update(dict.fromkeys(batch, future))
            at, size = at + size, AHEAD_BATCH

    def markdown(self, src_uri: str) -> tuple[str | None, str] | None:
        """A post's Markdown (``None``: rendered from the author's text) and header, made ahead; ``None``: not made."""
        future = self._ahead.pop(src_uri, None)
        if future is None:
            return None
        try:
            made = future.result()
        except Exception:  # the worker failed: the build makes it, and meets the same problem itself
            return None
        return made.get(src_uri)

    def exports(self, folder: Path, site_name: str) -> None:
        """Have the worker write the exports into ``folder`` (and send the flag records); ``drain`` waits for it."""
        self._exports = self._executor.submit(_write_exports, str(folder), site_name)

    def pages(self) -> None:
        """Have the worker make the generated pages (``SiteBuild.stashed_pages``); ``page`` takes each.

        Asked before any post is handed over, so they are made while MkDocs
        converts the posts, and ready before it reaches them (it converts them last).
        """
        self._generated = self._executor.submit(_stashed_pages)

    def page(self, src_uri: str) -> str | None:
        """A generated page's Markdown as ``stash`` leaves it (its lines given back to the build); ``None``: not made."""
        if self._generated is None:
            return None
        found = self._generated.result().pop(src_uri, None)
        if found is None:
            return None
        markdown, blocks, headings = found
        self.build.restore(src_uri, blocks, headings)
        return markdown

    def keep(self) -> None:
        """Have the worker write the build's posts to the store it was given, if there is one; ``close`` waits."""
        if _STORE is not None:
            self._kept = self._executor.submit(_keep_posts)

    def drain(self) -> list[str]:
        """Wait for every post handed over and the exports; the problems met sending their search documents."""
        self._flush()
        problems = []
        if self._exports is not None:
            problems = self._exports.result()
            self._exports = None
        return problems + [problem for batch in self._batches for _, problem in batch.result() if problem is not None]

    def result(self, src_uri: str) -> str | None:
        """A post's header and decorated HTML (kept for the next serve rebuild); ``None`` if it was not handed over."""
        got = self._where.pop(src_uri, None)  # taken once: the page holds it from here on
        if got is None:
            return None
        batch, key, header, kept, place = got
        if kept is not None:
            return header + kept
        written = self._batches[batch].result()[place][0]  # (or the worker's error raised here)
        assert written is not None  # sent with its HTML, so written
        at, size = written
        if self._reader is None:
            self._reader = os.open(self._pages, os.O_RDONLY)
        page = _read_at(self._reader, at, size).decode("utf-8", "surrogatepass")
        if key is not None:  # serve: the decoration is kept without the header, which is made anew
            self.build.remember_html(src_uri, key, page[len(header) :])
        return page

    def close(self) -> None:
        """Stop the worker and remove the pages it wrote that were not taken (a build that failed)."""
        global _BUILD, _SEARCH, _STORE
        if self._kept is not None:  # asked for once everything else was done: not cancelled
            with contextlib.suppress(Exception):  # a cache: a failure costs the next build time, not this one
                self._kept.result()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._reader is not None:
            os.close(self._reader)
            self._reader = None
        shutil.rmtree(self._folder, ignore_errors=True)
        _BUILD = _SEARCH = _STORE = None
