"""Shared fixtures: real MkDocs builds of real folders, in-process, with their warnings;
multi-case fixture files; golden files compared with a unified diff.

Heavy imports (MkDocs, BeautifulSoup) happen inside the helpers that need
them, so that collecting the fast ``unit`` tier does not pay for them.
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import functools
import gzip
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

    from flagref.catalog import Catalog
    from flagref.model import Post
    from flagref.parse.programs import Programs
    from flagref.parse.snippets import SnippetSource

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DOCS = FIXTURES / "docs"
CASES = FIXTURES / "cases"
GOLDEN = Path(__file__).resolve().parent / "golden"
# Set to regenerate every golden file instead of comparing (scripts/update-golden does).
UPDATE_GOLDEN = bool(os.environ.get("FLAGREF_UPDATE_GOLDEN"))
SEED = DOCS / "posts/kubernetes/components/2019-10-24-etcd.md"
SEED_URL = "posts/kubernetes/components/2019-10-24-etcd/"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# What flagref keeps between runs (the catalog as read, lookup's records) goes to a folder of this run's,
# for every build and command the tests start: nothing from an earlier run answers, nothing is left in ~.
_CACHE = tempfile.mkdtemp(prefix="flagref-test-cache-")
atexit.register(shutil.rmtree, _CACHE, True)
os.environ.setdefault("FLAGREF_CACHE_DIR", _CACHE)


@dataclass
class Built:
    site: Path
    warnings: list[str]
    infos: list[str]

    def page(self, url: str) -> BeautifulSoup:
        from bs4 import BeautifulSoup

        path = self.site / url / "index.html" if not url.endswith(".html") else self.site / url
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def article(self, url: str):
        return self.page(url).select_one("article.md-content__inner")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def generated_docs(folder: Path, count: int, seed: int) -> Path:
    """``folder/docs`` with ``count`` posts from the benchmarks' corpus generator (``benchmarks/corpus.py``)."""
    if str(ROOT / "benchmarks") not in sys.path:  # a plain script folder, not a package
        sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate

    docs = folder / "docs"
    generate(count, docs, seed=seed)
    return docs


def build_site(docs_dir: Path, site_dir: Path, *, strict: bool = True, config: Path = CONFIG) -> Built:
    """Build ``docs_dir`` with the project's mkdocs.yml, as ``mkdocs build`` does.

    Raises ``mkdocs.exceptions.Abort`` when ``strict`` and a warning was logged.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        cfg = load_config(config_file=str(config), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=strict)
        build(cfg)
    finally:
        logger.removeHandler(handler)
    warnings = [_text(r) for r in handler.records if r.levelno >= logging.WARNING]
    infos = [_text(r) for r in handler.records if r.levelno == logging.INFO]
    return Built(site_dir, warnings, infos)


def _text(record: logging.LogRecord) -> str:
    message = record.getMessage()
    # get_plugin_logger prefixes "flagref: "; tests compare the message itself.
    return message.removeprefix("flagref: ")


def search_fragments(site: Path) -> list[dict]:
    """Every record of a built site's search index (Pagefind fragments: gzip, a signature, then JSON)."""
    out = []
    for path in sorted((site / "pagefind").glob("**/fragment/*.pf_fragment")):  # every shard's
        data = gzip.decompress(path.read_bytes())
        out.append(json.loads(data.removeprefix(b"pagefind_dcd")))
    return out


@contextlib.contextmanager
def serving() -> Iterator[ModuleType]:
    """Builds in this block run as ``mkdocs serve``'s rebuilds do; yields the hook module (built once before).

    The hook module is loaded by the first build under the name mkdocs.yml gives it;
    serve turns keeping on in ``on_startup``. Everything kept is dropped at the end,
    and a search index still being made beside is stopped.
    """
    hooks = sys.modules["hooks/flagref_mkdocs.py"]
    hooks._cache.keep_html = True
    try:
        yield hooks
    finally:
        hooks._cache.keep_html = False
        hooks._cache.decorated.clear()
        hooks._cache.reference.clear()
        hooks._generated.clear()
        if hooks._indexing is not None:
            hooks._indexing.close()


def copy_docs(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Built:
    """The real site (docs/), built strictly."""
    return build_site(DOCS, tmp_path_factory.mktemp("seed-site"), strict=True)


@pytest.fixture(scope="session")
def sharded_seed_site(tmp_path_factory) -> Built:
    """The real site built with a search shard budget of one byte: every page is a shard of its own.

    The flag records stay in the first shard, whatever its size; the seed post
    (the one page indexed) is a shard of its own, which the search worker merges.
    """
    from flagref import searchindex

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(searchindex, "SHARD_BUDGET", 1)
        return build_site(DOCS, tmp_path_factory.mktemp("sharded-seed-site"), strict=True)


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Built:
    """The fixture posts (bad input included), built without --strict to see every warning."""
    return build_site(FIXTURE_DOCS, tmp_path_factory.mktemp("fixture-site"), strict=False)


def cell_value(td) -> str:
    """The value shown in a table cell: its code items joined by commas (a comma list shows one per line)."""
    codes = td.select("code")
    return ",".join(c.get_text() for c in codes) if codes else td.get_text(strip=True)


def flag_table(page, component: str) -> tuple[str, dict[str, str]]:
    """The first flag table of ``component`` on a page: its summary, and its rows as flag -> value.

    Returns ("", {}) when the page has none.
    """
    for details in page.select("details.flagref-table"):
        summary = details.summary.get_text()
        if summary.startswith(f"{component} — "):
            rows = {}
            for row in details.select("tbody > tr"):
                cells = row.find_all("td", recursive=False)
                rows[cells[0].select_one(".flagref-flagname").get_text()] = cell_value(cells[1])
            return summary, rows
    return "", {}


# -- the core, read once per session ------------------------------------------------


@functools.cache
def core_data() -> tuple[Catalog, Programs]:
    """The packaged catalog and program descriptions, loaded once for every test that parses."""
    from flagref.catalog import load_catalog
    from flagref.parse.programs import load_programs

    return load_catalog(), load_programs()


def parse(path: str, text: str, *, snippets: SnippetSource | None = None) -> Post:
    """``parse_post`` with the packaged data loaded once (each load reads the YAML files again)."""
    from flagref.parse import parse_post

    catalog, programs = core_data()
    return parse_post(path, text, snippets=snippets, catalog=catalog, programs=programs)


def parse_folder(docs_dir: Path) -> list[Post]:
    """Every post under ``docs_dir/posts``, as ``scan_docs`` reads them (no snippets folder), in path order."""
    return [
        parse(path.relative_to(docs_dir).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted((docs_dir / "posts").rglob("*"))
        if path.suffix in (".md", ".markdown")
    ]


# -- multi-case fixture files --------------------------------------------------
#
# A file under tests/fixtures/cases/ holds many small cases, in markdown-it-py's
# fixture format: a title line, a line ".", the input, a line ".", the expected
# output, a line ".". Blank lines and lines starting with "#" between cases are
# comments. An input or output line cannot be a lone ".".

_MARK = "."


@dataclass(frozen=True)
class Case:
    """One case of a fixture file: where it is, its input and expected output lines."""

    file: str  # as shown in messages: tests/fixtures/cases/fences.txt
    line: int  # 1-based line of the title
    title: str
    input: tuple[str, ...] = ()
    expected: tuple[str, ...] = ()
    problem: str | None = None  # the file is malformed here

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def text(self) -> str:
        """The input as one text, each line ended by a newline."""
        return "".join(line + "\n" for line in self.input)


def read_cases(name: str) -> list[Case]:
    """Every case of ``tests/fixtures/cases/<name>``; a malformed case is kept as a case that fails."""
    path = CASES / name
    shown = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    cases: list[Case] = []
    i = 0
    while i < len(lines):
        title = lines[i]
        if not title.strip() or title.startswith("#"):
            i += 1
            continue
        start = i + 1
        sections: list[list[str]] = []
        i += 1
        if i >= len(lines) or lines[i] != _MARK:
            cases.append(Case(shown, start, title, problem=f'the title is not followed by a line "{_MARK}"'))
            continue
        i += 1
        current: list[str] = []
        while i < len(lines) and len(sections) < 2:
            if lines[i] == _MARK:
                sections.append(current)
                current = []
            else:
                current.append(lines[i])
            i += 1
        if len(sections) < 2:
            cases.append(Case(shown, start, title, problem=f'the case is not closed by its third line "{_MARK}"'))
            break
        cases.append(Case(shown, start, title, tuple(sections[0]), tuple(sections[1])))
    return cases


def case_params(name: str) -> list:
    """The cases of a fixture file as pytest parameters whose ids are their line numbers."""
    return [pytest.param(case, id=str(case.line)) for case in read_cases(name)]


def assert_case(case: Case, actual: Sequence[str]) -> None:
    """Fail, naming the case's file and line and showing a unified diff, unless ``actual`` is expected."""
    __tracebackhide__ = True
    if case.problem:
        pytest.fail(f"{case.where}: malformed case: {case.problem}", pytrace=False)
    if list(actual) != list(case.expected):
        diff = "\n".join(
            difflib.unified_diff(list(case.expected), list(actual), f"{case.where} (expected)", "actual", lineterm="")
        )
        pytest.fail(f"{case.where}: {case.title}\n{diff}", pytrace=False)


# -- golden files ----------------------------------------------------------------


def assert_golden(golden: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file (a unified diff on mismatch); rewrite it under FLAGREF_UPDATE_GOLDEN."""
    __tracebackhide__ = True
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8") if golden.exists() else ""
    if actual != expected:
        shown = golden.relative_to(ROOT).as_posix() if golden.is_relative_to(ROOT) else str(golden)
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), shown, "actual"))
        pytest.fail(
            f"{shown} differs from what the code gives; review the diff, then run scripts/update-golden "
            f"if the change is deliberate:\n{diff}",
            pytrace=False,
        )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Keep the unit tier fast: a test marked ``slow`` (timing, hypothesis, data import) is not in it.

    A module marks itself ``unit``; pytest cannot take a module's mark back
    from one test, so the slow ones are moved out of the tier here, before
    ``-m`` selects, by giving them a name the expression ``unit`` does not match.
    """
    for item in items:
        if item.get_closest_marker("slow") is not None and item.get_closest_marker("unit") is not None:
            item.own_markers[:] = [m for m in item.own_markers if m.name != "unit"]
            item.iter_markers = _without_unit(item.iter_markers)


def _without_unit(iter_markers):
    def markers(name=None):
        return (m for m in iter_markers(name=name) if m.name != "unit")

    return markers


def best_time(work, repeat: int = 5) -> float:
    """The least CPU time of ``repeat`` runs of ``work()``, the garbage collector paused.

    For the linear-time checks: CPU time, not wall time, so other processes on
    a busy machine do not count, and no collector pass lands in one run only.
    """
    import gc
    import time

    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            work()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best
