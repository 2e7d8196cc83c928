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


# --- broken posts, recovery, a deleted post ------------------------------------

BROKEN_PORTS = (
    "    - --listen-client-urls=https://127.0.0.1:2379,https://10.128.15.226:2379\n",
    "    - --listen-client-urls=https://127.0.0.1:2399,https://10.128.15.226:2399\n",
)
ADDED = "docs/posts/kubernetes/2024-03-01-added-by-test-serve.md"
ADDED_URL = "posts/kubernetes/2024-03-01-added-by-test-serve/"
ADDED_TITLE = "kubernetes > scheduler flags added by test_serve"


def _added_post(front_matter: str) -> str:
    return (
        f"---\n{front_matter}categories: kubernetes\n---\n"
        "The scheduler of this cluster:\n"
        "```\n"
        "networkandcode@master:~$ cat /etc/kubernetes/manifests/kube-scheduler.yaml\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler\n  namespace: kube-system\n"
        "spec:\n  containers:\n  - command:\n    - kube-scheduler\n"
        "    - --leader-elect=true\n    - --bind-address=127.0.0.1\n"
        "```\n"
    )


def _last_build(served: Served, deadline: float) -> str:
    """The log of the newest finished build: from its 'Building documentation' to the line that ends it.

    MkDocs logs 'Documentation built in N seconds' only the first time it has
    that text (its build log drops repeated messages), so a build also ends at
    serve's 'Reloading browsers'.
    """
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        text = served.output()
        start = text.rfind("Building documentation")
        ends = [at for at in (text.find(m, start) for m in ("Documentation built in", "Reloading browsers")) if at >= 0]
        if start >= 0 and ends:
            done = min(ends)
            return text[start : text.find("\n", done) + 1]
        time.sleep(0.25)
    pytest.fail(f"no finished build in {deadline:.0f}s:\n{served.output()[-4000:]}")


def _warnings(log: str, path: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("WARNING") and f"{path}:" in line]


def _title(page: BeautifulSoup) -> str:
    return page.select_one("article.md-content__inner h1").get_text(strip=True)


def _etcd_listen(page: BeautifulSoup) -> str | None:
    return flag_table(page, "etcd")[1].get("--listen-client-urls")


def _has_text(text: str) -> Callable[[BeautifulSoup], bool]:
    return lambda page: text in page.select_one("article.md-content__inner").get_text(" ")


def _wait_gone(served: Served, url: str) -> None:
    end = time.monotonic() + REBUILD_DEADLINE
    while (status := served.fetch(url)[0]) != 404:
        assert time.monotonic() < end, f"{url} is still served ({status}) after the post was deleted"
        time.sleep(0.25)


def test_serve_keeps_serving_broken_posts_with_warnings_and_recovers(served):
    post = served.root / SEED_COPY
    added = served.root / ADDED
    seed_path = SEED_COPY.as_posix()
    try:
        # A manifest that breaks the cluster (etcd no longer listens where the API server looks),
        # and a new post whose front matter is not YAML (": " in an unquoted title).
        _edit(post, *BROKEN_PORTS)
        added.write_text(_added_post("title: kubernetes > front matter: broken\n"), encoding="utf-8")
        served.poll(SEED_URL, _etcd_listen, "https://127.0.0.1:2399,https://10.128.15.226:2399", REBUILD_DEADLINE)
        served.poll(ADDED_URL, lambda page: page.select_one("article.md-content__inner") is not None, True, 30)
        log = _last_build(served, REBUILD_DEADLINE)
        assert any("is not served by etcd --listen-client-urls" in w for w in _warnings(log, seed_path)), log
        assert any("front matter is not valid YAML" in w for w in _warnings(log, ADDED)), log
        # Still serving: the other pages, and the broken post with what could be read.
        assert served.fetch("flags/etcd/")[0] == 200
        served.poll(ADDED_URL, lambda page: flag_table(page, "kube-scheduler")[1].get("--leader-elect"), "true", 30)

        # Both fixed: the pages show it and the newest build warns about neither file.
        _edit(post, BROKEN_PORTS[1], BROKEN_PORTS[0])
        added.write_text(_added_post(f'title: "{ADDED_TITLE}"\n'), encoding="utf-8")
        served.poll(SEED_URL, _etcd_listen, "https://127.0.0.1:2379,https://10.128.15.226:2379", REBUILD_DEADLINE)
        served.poll(ADDED_URL, _title, ADDED_TITLE, REBUILD_DEADLINE)
        log = _last_build(served, REBUILD_DEADLINE)
        assert _warnings(log, seed_path) == [] and _warnings(log, ADDED) == [], log
    finally:
        if BROKEN_PORTS[1] in post.read_text(encoding="utf-8"):
            _edit(post, BROKEN_PORTS[1], BROKEN_PORTS[0])
        added.unlink(missing_ok=True)


def test_serve_drops_a_deleted_post_from_listings_and_reference(served):
    added = served.root / ADDED
    listings = ("", "archive/2024/", "categories/kubernetes/", "flags/kube-scheduler/")
    try:
        added.write_text(_added_post(f'title: "{ADDED_TITLE}"\n'), encoding="utf-8")
        served.poll(ADDED_URL, _title, ADDED_TITLE, REBUILD_DEADLINE)
        for url in listings:
            served.poll(url, _has_text(ADDED_TITLE), True, REBUILD_DEADLINE)
    finally:
        added.unlink(missing_ok=True)
    # The post's page is gone, and so is the archive page of a year with no other post.
    for url in (ADDED_URL, "archive/2024/"):
        _wait_gone(served, url)
    for url in ("", "categories/kubernetes/", "flags/kube-scheduler/"):
        served.poll(url, _has_text(ADDED_TITLE), False, REBUILD_DEADLINE)
    assert served.fetch(SEED_URL)[0] == 200
    # The seed, unchanged, was not read again.
    assert "flagref: read 0 of 1 posts" in _last_build(served, REBUILD_DEADLINE)
