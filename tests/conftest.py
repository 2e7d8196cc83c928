"""Shared fixtures: real MkDocs builds of real folders, in-process, with their warnings."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_DOCS = FIXTURES / "docs"
SEED = DOCS / "posts/kubernetes/components/2019-10-24-etcd.md"
SEED_URL = "posts/kubernetes/components/2019-10-24-etcd/"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class Built:
    site: Path
    warnings: list[str]
    infos: list[str]

    def page(self, url: str) -> BeautifulSoup:
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


def copy_docs(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Built:
    """The real site (docs/), built strictly."""
    return build_site(DOCS, tmp_path_factory.mktemp("seed-site"), strict=True)


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
