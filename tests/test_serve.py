"""`mkdocs serve` for real: edits to snippets/ and to a post reach the served pages, and nothing lingers.

A copy of the project (mkdocs.yml, docs/, snippets/, hooks/) is served by a
``python -m mkdocs serve`` subprocess for the whole module; each test edits the
copy and polls the served pages until they show the new state or a deadline
passes. The hook module stays loaded between rebuilds, which is what makes
stale state possible and worth testing here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import CONFIG, ROOT, SEED, SEED_URL, cell_value, flag_table
from processes import free_ports, stop

START_DEADLINE = 60.0
REBUILD_DEADLINE = 30.0
SEED_COPY = SEED.relative_to(ROOT)


def _site_path() -> str:
    """mkdocs serve mounts the site at the path of site_url."""
    # Only the key is read; the !relative tag of the snippets options is not ours to resolve.
    for line in CONFIG.read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            return urlsplit(yaml.safe_load(line)["site_url"]).path.rstrip("/") + "/"
    return "/"


@dataclass
class Served:
    root: Path
    base: str
    log: Path
    process: subprocess.Popen

    def fetch(self, url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + url, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, ""

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def poll(self, url: str, read: Callable[[BeautifulSoup], object], expected: object, deadline: float) -> None:
        """Wait until ``read(page)`` equals ``expected``; fail with the last value seen."""
        seen: object = None
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            assert self.process.poll() is None, f"mkdocs serve exited:\n{self.output()}"
            status, text = self.fetch(url)
            if status == 200:
                seen = read(BeautifulSoup(text, "html.parser"))
                if seen == expected:
                    return
            time.sleep(0.25)
        pytest.fail(
            f"{url}: after {deadline:.0f}s still {seen!r}, expected {expected!r}\n"
            f"--- mkdocs serve output (end) ---\n{self.output()[-4000:]}"
        )


def _copy_project(dst: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copy2(CONFIG, dst / "mkdocs.yml")
    for name in ("docs", "snippets", "hooks"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    return dst


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    root = _copy_project(tmp_path_factory.mktemp("serve"))
    (port,) = free_ports(1)
    log = root.parent / "mkdocs-serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f", str(root / "mkdocs.yml")]
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Served(root, f"http://127.0.0.1:{port}{_site_path()}", log, process)
    try:
        end = time.monotonic() + START_DEADLINE
        while server.fetch(SEED_URL)[0] != 200:
            assert process.poll() is None, f"mkdocs serve exited:\n{server.output()}"
            assert time.monotonic() < end, f"mkdocs serve did not answer in {START_DEADLINE:.0f}s:\n{server.output()}"
            time.sleep(0.25)
        yield server
    finally:
        stop(process)
        # Shown by pytest only for a failing test.
        print(f"--- mkdocs serve output ---\n{server.output()}")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: {old!r} is not there exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- readers of the served pages ---------------------------------------------


def _abbr_titles(word: str) -> Callable[[BeautifulSoup], set[str]]:
    def read(page: BeautifulSoup) -> set[str]:
        article = page.select_one("article.md-content__inner")
        return {a.get("title", "") for a in article.select("abbr") if a.get_text() == word}

    return read


def _etcd_state(page: BeautifulSoup) -> tuple[str, str | None, str | None]:
    """How many flags the etcd table counts, and its --snapshot-count and --heartbeat-interval."""
    summary, rows = flag_table(page, "etcd")
    count = re.search(r"\d+ flags?", summary)
    return (count.group(0) if count else summary, rows.get("--snapshot-count"), rows.get("--heartbeat-interval"))


def _seen_values(flag_id: str) -> Callable[[BeautifulSoup], list[tuple[str, str]]]:
    """The (value, where) rows of a reference entry's 'Values in the posts' table."""

    def read(page: BeautifulSoup) -> list[tuple[str, str]]:
        heading = page.find(id=flag_id)
        if heading is None:
            return [("no entry", "")]
        entry = heading.find_next_sibling()
        if entry is None or "flagref-entry" not in entry.get("class", []):
            return [("no entry body", "")]
        rows = []
        for row in entry.select("table tbody > tr"):
            value = row.select_one("td.flagref-value")
            if value is not None:
                where = value.find_next_sibling("td").get_text(" ", strip=True)
                rows.append((cell_value(value), where))
        return rows

    return read


SEED_WHERE = "kubernetes > etcd as a component in the cluster"


def _from_seed(read):
    return lambda page: [value for value, where in read(page) if where.startswith(SEED_WHERE)]


# --- the tests ---------------------------------------------------------------


def test_serve_rebuilds_when_a_snippet_changes(served):
    """``watch: [snippets]`` covers the glossary that every page auto-appends."""
    glossary = served.root / "snippets" / "glossary.md"
    assert "*[HTTPS]" not in glossary.read_text(encoding="utf-8")
    assert "HTTPS" in (served.root / SEED_COPY).read_text(encoding="utf-8")
    title = "HTTP over TLS (added by test_serve)"
    served.poll(SEED_URL, _abbr_titles("HTTPS"), set(), REBUILD_DEADLINE)
    with glossary.open("a", encoding="utf-8") as out:
        out.write(f"*[HTTPS]: {title}\n")
    served.poll(SEED_URL, _abbr_titles("HTTPS"), {title}, REBUILD_DEADLINE)


def test_serve_shows_a_changed_flag_then_a_removed_one_and_nothing_older(served):
    post = served.root / SEED_COPY
    served.poll(SEED_URL, _etcd_state, ("17 flags", "10000", None), REBUILD_DEADLINE)
    snapshot = _from_seed(_seen_values("snapshot-count"))
    heartbeat = _from_seed(_seen_values("heartbeat-interval"))
    served.poll("flags/etcd/", snapshot, ["10000"], REBUILD_DEADLINE)

    # A value changed and a flag added.
    _edit(
        post,
        "    - --snapshot-count=10000\n",
        "    - --snapshot-count=20000\n    - --heartbeat-interval=100\n",
    )
    served.poll(SEED_URL, _etcd_state, ("18 flags", "20000", "100"), REBUILD_DEADLINE)
    served.poll("flags/etcd/", snapshot, ["20000"], REBUILD_DEADLINE)  # no 10000 left from the first build
    served.poll("flags/etcd/", heartbeat, ["100"], REBUILD_DEADLINE)

    # The flag removed again.
    _edit(post, "    - --heartbeat-interval=100\n", "")
    served.poll(SEED_URL, _etcd_state, ("17 flags", "20000", None), REBUILD_DEADLINE)
    served.poll("flags/etcd/", heartbeat, [], REBUILD_DEADLINE)
    served.poll("flags/etcd/", snapshot, ["20000"], REBUILD_DEADLINE)
