"""The checks `extra: flagref:` in mkdocs.yml turns on, in a real build: a target release, and etcd proofs."""

from __future__ import annotations

import logging
import shutil

import pytest
from bs4 import BeautifulSoup

from conftest import CONFIG, SEED, SEED_URL

SEED_PATH = "posts/kubernetes/components/2019-10-24-etcd.md"


def _build(docs, site, flagref_options: dict) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        cfg = load_config(config_file=str(CONFIG), docs_dir=str(docs), site_dir=str(site), strict=False)
        cfg.extra["flagref"] = flagref_options
        build(cfg)
    finally:
        logger.removeHandler(handler)
    return [r.getMessage().removeprefix("flagref: ") for r in records]


def _docs_with_seed(tmp_path, text: str):
    docs = tmp_path / "docs"
    (docs / SEED_PATH).parent.mkdir(parents=True)
    (docs / SEED_PATH).write_text(text, encoding="utf-8")
    return docs


def test_target_version_warns_at_the_line_of_a_removed_flag(tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    lines = seed.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "- --etcd-servers=" in line)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}- --insecure-port=0\n")
    docs = _docs_with_seed(tmp_path, "".join(lines))
    messages = _build(docs, tmp_path / "site", {"target_version": "1.24"})
    removed = [m for m in messages if "--insecure-port" in m and "removed in 1.24" in m]
    assert removed, messages
    assert removed[0].split(": ", 1)[0].endswith(f"2019-10-24-etcd.md:{at + 2}")
    # Without the option, the same post says nothing about releases.
    quiet = _build(docs, tmp_path / "site2", {})
    assert not [m for m in quiet if "removed in" in m]


@pytest.mark.etcd
def test_verify_shows_the_proof_under_the_etcd_table(tmp_path):
    if shutil.which("etcd") is None:
        pytest.fail("etcd is not installed: scripts/test installs Debian's etcd-server")
    docs = _docs_with_seed(tmp_path, SEED.read_text(encoding="utf-8"))
    messages = _build(docs, tmp_path / "site", {"verify": True})
    page = BeautifulSoup((tmp_path / "site" / SEED_URL / "index.html").read_text(encoding="utf-8"), "html.parser")
    proof = page.select_one(".flagref-proof")
    assert proof is not None, messages
    assert "proven against etcd 3.4" in proof.get_text()
    # The proof closes the tables of the block that shows the etcd manifest, not the kube-apiserver's.
    anchor = proof.find_previous(class_="flagref-anchor")
    tables = []
    for element in anchor.next_elements:
        if element is proof:
            break
        if getattr(element, "name", None) == "details" and "flagref-table" in element.get("class", []):
            tables.append(element.summary.get_text())
    assert any(t.startswith("etcd — ") for t in tables) and not any(t.startswith("kube-apiserver") for t in tables)
